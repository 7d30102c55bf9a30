"""The newsflow page in the Airflow UI.

newsflow.ops on the replay, read as the BI login; the plugin served by a real `airflow api-server`
(throwaway home, this session's SQLite metadata, the repository's plugins folder) refusing requests
without a token; and a real browser (Debian's chromium driven by Playwright) drawing the page.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from browser import INGEST_AT, chromium, fill_from_replay, free_port, web_server

from newsflow.config import ConfigError
from newsflow.ops import OpsSettings, connect_bi, load_ops_settings, source_health

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "include" / "replay" / "manifest.json").read_text(encoding="utf-8"))
AS_OF = datetime(2024, 12, 4, 0, 0, tzinfo=timezone.utc)
SETTINGS = OpsSettings(window_hours=24, freshness_amber_hours=3, freshness_red_hours=12, event_days=30,
                       top_days=7, top_n=10, check_days=3)
PASSWORD = "newsflow-ui-test"


def scalar(conn, query, *params):
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


# --- newsflow.ops -----------------------------------------------------------------------------------

def test_ops_settings_are_validated(tmp_path):
    assert load_ops_settings().freshness_amber_hours < load_ops_settings().freshness_red_hours
    good = (ROOT / "include" / "config" / "ops.yaml").read_text(encoding="utf-8")
    for text, message in [("window_hours: [\n", "not valid YAML"),
                          (good + "colour: red\n", "unknown field.*colour"),
                          (good.replace("top_n: 10", ""), "missing field.*top_n"),
                          (good.replace("top_n: 10", "top_n: 2.5"), "top_n must be a positive int"),
                          (good.replace("freshness_red_hours: 12", "freshness_red_hours: 1"), "below")]:
        path = tmp_path / "ops.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_ops_settings(path)


def test_source_health_counts_the_window_and_turns_amber_then_red(warehouse, replay, tmp_path, monkeypatch):
    from newsflow import pipeline

    good = next(f for f in MANIFEST["feeds"] if f["feed_id"] == "anadolu_en")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"""feeds:
  - {{id: anadolu_en, name: Anadolu, url: "{good['url']}", language: en, kind: wire, enabled: true}}
  - {{id: broken, name: Broken, url: "https://faults.example/500", language: en, kind: wire, enabled: true}}
  - {{id: dormant, name: Dormant, url: "https://faults.example/404", language: en, kind: wire, enabled: false}}
""", encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_FEEDS_FILE", str(feeds))
    pipeline.ingest_all(INGEST_AT - timedelta(minutes=15), INGEST_AT)
    pipeline.extract_pending()
    articles = [a for a in MANIFEST["articles"] if a["feed_id"] == "anadolu_en" and a["phase"] == 1 and a["in_feed"]]
    live = [a for a in articles if a["status"] == 200]

    conn = connect_bi()
    try:
        def health(as_of):
            return {row["source_id"]: row for row in source_health(conn, as_of, SETTINGS)}

        now = health(INGEST_AT + timedelta(minutes=15))
        assert set(now) == {"anadolu_en", "broken"}       # enabled sources only
        ok, broken = now["anadolu_en"], now["broken"]
        assert (ok["polls"], ok["failed_polls"], ok["items"]) == (1, 0, good["items_phase1"])
        assert ok["new_pages"] == len(live) and ok["failed_pages"] == len(articles) - len(live)
        assert ok["failed_extractions"] == 0 and ok["new_articles"] == len(live)
        assert ok["last_ok_poll"] == INGEST_AT.isoformat() and ok["freshness_hours"] == 0.25
        assert ok["state"] == ("green" if len(live) == len(articles) else "amber")
        assert (broken["polls"], broken["failed_polls"], broken["last_ok_poll"]) == (1, 1, None)
        assert broken["last_status"] == "error" and "500" in broken["last_error"]
        assert broken["state"] == "red" and broken["freshness_hours"] is None

        later = health(INGEST_AT + timedelta(hours=5))["anadolu_en"]
        assert later["polls"] == 1 and later["freshness_hours"] == 5 and later["state"] == "amber"
        assert health(INGEST_AT + timedelta(hours=13))["anadolu_en"]["state"] == "red"
        gone = health(INGEST_AT + timedelta(hours=25))["anadolu_en"]   # the poll left the window
        assert (gone["polls"], gone["items"], gone["new_articles"], gone["state"]) == (0, 0, 0, "red")
        before = health(INGEST_AT - timedelta(hours=1))["anadolu_en"]  # as of before the poll
        assert (before["polls"], before["newest_article"], before["last_ok_poll"]) == (0, None, None)
    finally:
        conn.close()


def test_the_page_reads_as_the_read_only_bi_login(warehouse_url):
    conn = connect_bi()
    try:
        assert scalar(conn, "SELECT current_user") == "newsflow_metabase"
        with pytest.raises(psycopg2.errors.InsufficientPrivilege), conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM raw.feed_poll")
    finally:
        conn.close()


# --- the plugin in a real Airflow API server -------------------------------------------------------------

def _airflow_env(home: Path, warehouse_url: str) -> dict:
    env = dict(os.environ)
    env.update({
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__AUTH_MANAGER":
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "ui-test-passwords.json"),
        "AIRFLOW__API_AUTH__JWT_SECRET": "newsflow-ui-test-secret",
        "NEWSFLOW_WAREHOUSE_URL": warehouse_url,
    })
    return env


@pytest.fixture(scope="module")
def api_server(airflow_db, warehouse_url):
    """`airflow api-server` on a free port: this session's Airflow home and metadata, our plugins."""
    home = Path(os.environ["AIRFLOW_HOME"])
    (home / "ui-test-passwords.json").write_text(json.dumps({"admin": PASSWORD}), encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "airflow", "api-server", "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1"]
    with web_server(command, _airflow_env(home, warehouse_url), port, "/api/v2/monitor/health",
                    home / "api-server.log", "airflow api-server") as base:
        yield base


def _request(url: str, token: str | None = None, cookie: str | None = None, data: dict | None = None):
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if cookie:
        headers["Cookie"] = f"_token={cookie}"
    body = None
    if data is not None:
        body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _token(base: str) -> str:
    status, body = _request(f"{base}/auth/token", data={"username": "admin", "password": PASSWORD})
    assert status == 201 or status == 200, body
    return json.loads(body)["access_token"]


def test_airflow_lists_the_newsflow_plugin(airflow_db, warehouse_url):
    home = Path(os.environ["AIRFLOW_HOME"])
    out = subprocess.run([sys.executable, "-m", "airflow", "plugins", "-o", "json"], capture_output=True,
                         text=True, env=_airflow_env(home, warehouse_url), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    plugins = {p["name"]: p for p in json.loads(out.stdout[out.stdout.index("["):])}
    assert "newsflow" in plugins
    assert plugins["newsflow"]["fastapi_apps"][0]["url_prefix"] == "/newsflow"
    assert plugins["newsflow"]["external_views"][0]["url_route"] == "newsflow"


def test_plugin_refuses_requests_without_a_valid_token(api_server, warehouse):
    for path in ("/newsflow/", "/newsflow/api/overview", "/newsflow/static/chart.umd.min.js"):
        status, _ = _request(api_server + path)
        assert status == 401, path
        status, _ = _request(api_server + path, token="not-a-token")
        assert status in (401, 403), path
        status, _ = _request(api_server + path, cookie="not-a-token")
        assert status in (401, 403), path
    token = _token(api_server)
    status, body = _request(f"{api_server}/newsflow/api/overview", token=token)
    assert status == 200 and "sources" in json.loads(body)
    status, body = _request(f"{api_server}/newsflow/", cookie=token)
    assert status == 200 and b"<canvas id=\"events-chart\"" in body
    assert _request(f"{api_server}/newsflow/static/page.html", token=token)[0] == 404   # no other file
    status, body = _request(f"{api_server}/newsflow/api/overview?as_of=yesterday", token=token)
    assert status == 422 and b"as_of" in body


def test_newsflow_page_in_a_real_browser(api_server, warehouse, replay):
    fill_from_replay()
    token = _token(api_server)
    status, body = _request(f"{api_server}/newsflow/api/overview?as_of={quote(AS_OF.isoformat())}", token=token)
    assert status == 200, body
    data = json.loads(body)
    # the figures are the warehouse's, and the links point at Airflow's own pages
    assert len(data["sources"]) == len(MANIFEST["feeds"])
    assert sum(s["items"] for s in data["sources"]) == sum(f["items_phase1"] for f in MANIFEST["feeds"])
    assert sum(s["new_articles"] for s in data["sources"]) == scalar(warehouse, "SELECT count(*) FROM core.article")
    charted = sum(sum(counts) for counts in data["events_by_day"]["series"].values())
    assert charted == scalar(warehouse, "SELECT sum(events) FROM mart.daily_events WHERE day BETWEEN %s AND %s",
                             *data["events_by_day"]["days"][::len(data["events_by_day"]["days"]) - 1]) > 0
    assert data["top_places"]["rows"] and data["top_actors"]["rows"]
    assert all("/dags/newsflow_ingest/runs/" in s["last_task"]["url"] for s in data["sources"])
    assert {c["check_name"] for c in data["data_checks"]} == {"event_has_mention", "mart_totals_match_facts",
                                                              "no_future_dates"}
    assert all(c["run"]["url"].startswith("/dags/newsflow_daily/runs/") for c in data["data_checks"])

    screenshot = ROOT / "var" / "newsflow-page.png"
    screenshot.parent.mkdir(exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1500, "height": 1400})
        context.add_cookies([{"name": "_token", "value": token, "url": api_server}])
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # the page as the Airflow UI shows it: its navigation entry, the page in the UI's frame
        page.goto(f"{api_server}/plugin/newsflow")
        frame_element = page.wait_for_selector("iframe[title=newsflow]", timeout=60_000)
        frame = frame_element.content_frame()
        frame.goto(f"{api_server}/newsflow/?as_of={AS_OF.strftime('%Y-%m-%dT%H:%M')}")
        frame.wait_for_selector("body[data-state]", timeout=60_000)
        assert frame.evaluate("document.body.dataset.state") == "ready", frame.inner_text("#error")
        rows = frame.locator("#sources tbody tr")
        assert rows.count() == len(MANIFEST["feeds"])
        assert frame.locator("#sources tbody tr .state").count() == len(MANIFEST["feeds"])
        assert frame.locator("#sources tbody a", has_text="log").count() == len(MANIFEST["feeds"])
        drawn = frame.evaluate("""() => Object.fromEntries(Object.entries(window.newsflowCharts).map(
            ([id, chart]) => [id, chart.data.datasets.reduce((n, d) => n + d.data.filter(v => v > 0).length, 0)]))""")
        assert drawn["events-chart"] > 0 and drawn["places-chart"] > 0 and drawn["actors-chart"] > 0, drawn
        # the canvas really has ink on it, not just a chart object
        inked = frame.evaluate("""() => { const c = document.getElementById('events-chart');
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++; return n; }""")
        assert inked > 1000
        assert frame.locator("#checks tbody tr").count() == 3
        assert page.locator("nav a", has_text="newsflow").count() + page.get_by_role("link", name="newsflow").count() > 0
        page.screenshot(path=str(screenshot), full_page=True)
        # a source's log link opens the task's page in the Airflow UI itself, not inside the frame
        frame.locator("#sources tbody a", has_text="log").first.click()
        page.wait_for_url("**/dags/newsflow_ingest/runs/**/tasks/ingest_site/mapped/*", timeout=60_000)
        assert errors == []
    assert screenshot.stat().st_size > 10_000
