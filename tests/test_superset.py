"""`make bi`: Apache Superset (its own .venv-bi) provisioned with the newsflow dashboard.

A real Superset (gunicorn, SQLite metadata in a throwaway home) reads a test warehouse filled from the
replay through real Airflow runs, as the read-only login newsflow_superset. The export is imported twice
and must leave the same objects; a real chromium logs in and checks every chart drew data; SQL Lab and
the login itself refuse writes.
"""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg2
import pytest
import yaml
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from browser import ROOT, chromium, fill_from_replay, free_port, web_server
from conftest import empty_warehouse

from newsflow.ops import SUPERSET_PASSWORD, SUPERSET_USER, login_url

BI_PYTHON = ROOT / ".venv-bi" / "bin" / "python"
SUPERSET_DIR = ROOT / "include" / "bi" / "superset"
EXPORT = SUPERSET_DIR / "dashboard"
SCREENSHOT = ROOT / "var" / "superset-dashboard.png"


def _export_uuids(kind: str) -> list[str]:
    return sorted(str(yaml.safe_load(p.read_text(encoding="utf-8"))["uuid"]) for p in (EXPORT / kind).rglob("*.yaml"))


def _superset_env(home: Path) -> dict:
    env = dict(os.environ)
    env.update({"NEWSFLOW_BI_HOME": str(home), "SUPERSET_CONFIG_PATH": str(SUPERSET_DIR / "superset_config.py")})
    env.pop("SUPERSET_SECRET_KEY", None)
    return env


def _provision(home: Path, warehouse_uri: str) -> tuple[dict, str]:
    out = subprocess.run([str(BI_PYTHON), str(SUPERSET_DIR / "provision.py"), "--warehouse-uri", warehouse_uri],
                         env=_superset_env(home), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-4000:]
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]), "\n".join(lines[:-1])


def _metadata_rows(home: Path) -> dict:
    """Every dashboard object in Superset's metadata, by kind: (uuid, name) pairs."""
    conn = sqlite3.connect(home / "superset.db")
    try:
        return {table: sorted(conn.execute(f"SELECT uuid, {name} FROM {table}").fetchall())
                for table, name in (("dbs", "database_name"), ("tables", "table_name"), ("slices", "slice_name"),
                                    ("dashboards", "dashboard_title"), ("table_columns", "column_name"),
                                    ("sql_metrics", "metric_name"))}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def superset(airflow_db, warehouse_url, replay_server, tmp_path_factory):
    """The replay in the test warehouse, Superset provisioned twice, then served on a free port."""
    if not BI_PYTHON.exists():
        pytest.fail(f"{BI_PYTHON} is missing: `make venv-bi` installs Superset from requirements-bi.lock")
    conn = psycopg2.connect(warehouse_url)
    conn.autocommit = True
    empty_warehouse(conn)
    conn.close()
    replay_server.set_phase(1)
    fill_from_replay()
    os.environ["NEWSFLOW_WAREHOUSE_URL"] = warehouse_url
    uri = login_url(SUPERSET_USER, SUPERSET_PASSWORD)
    home = tmp_path_factory.mktemp("superset-home")
    first, first_out = _provision(home, uri)
    rows_first = _metadata_rows(home)
    second, second_out = _provision(home, uri)
    rows_second = _metadata_rows(home)
    password = (home / "admin_password").read_text(encoding="utf-8").strip()

    port = free_port()
    command = [str(ROOT / ".venv-bi" / "bin" / "gunicorn"), "--workers", "1", "--threads", "8", "--timeout", "120",
               "--bind", f"127.0.0.1:{port}", "superset.app:create_app()"]
    with web_server(command, _superset_env(home), port, "/health", home / "gunicorn.log", "Superset") as base:
        yield {"base": base, "home": home, "password": password, "summaries": (first, second),
               "outputs": (first_out, second_out), "rows": (rows_first, rows_second), "warehouse_uri": uri}


class Api:
    """Superset's REST API as the admin: a JWT for the calls, the session cookie and CSRF token for
    the calls a browser would make (SQL Lab)."""

    def __init__(self, base: str, password: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        status, body = self.call("POST", "/api/v1/security/login",
                                 {"username": "admin", "password": password, "provider": "db", "refresh": False})
        assert status == 200, body
        self.token = body["access_token"]
        status, body = self.call("GET", "/api/v1/security/csrf_token/")
        assert status == 200, body
        self.csrf = body["result"]

    def call(self, method: str, path: str, data: dict | None = None):
        headers = {"Accept": "application/json", "Referer": self.base}
        if getattr(self, "token", None):
            headers["Authorization"] = f"Bearer {self.token}"
        if getattr(self, "csrf", None):
            headers["X-CSRFToken"] = self.csrf
        body = None
        if data is not None:
            body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
        request = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            text = exc.read()
            try:
                return exc.code, json.loads(text)
            except ValueError:
                return exc.code, text.decode(errors="replace")


# --- provisioning ----------------------------------------------------------------------------------------

def test_the_export_is_imported_and_a_second_import_changes_nothing(superset):
    first, second = superset["summaries"]
    assert first == second
    assert first["databases"] == _export_uuids("databases")
    assert first["datasets"] == _export_uuids("datasets")
    assert first["charts"] == first["dashboard_charts"] == _export_uuids("charts")
    assert first["dashboards"] == _export_uuids("dashboards")
    rows_first, rows_second = superset["rows"]
    assert rows_first == rows_second and rows_first["slices"] and rows_first["table_columns"]
    # the generated admin password: printed by the first run only, kept readable by its owner only
    password_file = superset["home"] / "admin_password"
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"
    assert oct((superset["home"] / "secret_key").stat().st_mode & 0o777) == "0o600"
    first_out, second_out = superset["outputs"]
    assert superset["password"] in first_out and superset["password"] not in second_out
    assert len(superset["password"]) >= 20


def test_superset_reads_the_warehouse_as_the_read_only_login(superset):
    api = Api(superset["base"], superset["password"])
    status, body = api.call("GET", "/api/v1/database/?q=(page_size:100)")
    assert status == 200
    (database,) = body["result"]
    assert database["database_name"] == "newsflow warehouse" and database["allow_dml"] is False
    status, body = api.call("GET", f"/api/v1/database/{database['id']}/connection")
    assert status == 200, body
    uri = body["result"]["sqlalchemy_uri"]
    assert uri.startswith(f"postgresql://{SUPERSET_USER}:") and uri.endswith("/" + superset["warehouse_uri"].rsplit("/", 1)[1])


# --- the dashboard in a real browser ---------------------------------------------------------------------

def _log_in(page, base: str, password: str) -> None:
    """Superset's login form, as a person fills it. The React form can take the first submit before
    it is ready on a busy machine (back on /login/): then it is filled again, at most three times."""
    for _ in range(3):
        page.goto(f"{base}/login/")
        page.locator("#username").wait_for(state="visible", timeout=60_000)
        page.fill("#username", "admin")
        page.fill("#password", password)
        page.locator("button[type=submit], input[type=submit]").first.click()
        try:
            page.wait_for_url("**/superset/welcome/**", timeout=30_000)
            return
        except PlaywrightTimeout:
            continue
    pytest.fail("Superset's login form did not log in: " + page.url)


def test_dashboard_in_a_real_browser(superset):
    base = superset["base"]
    SCREENSHOT.parent.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1600, "height": 2400}).new_page()
        errors, requests_out, chart_data = [], [], []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # the data each chart asked the server for (the v1 chart data API, or the legacy maps' endpoint)
        page.on("response", lambda r: chart_data.append(r)
                if "/api/v1/chart/data" in r.url or "/superset/explore_json/" in r.url else None)
        # nothing leaves the machine: no tile server, font host or telemetry (the maps ship their shapes)
        # (Superset's telemetry image is in every page: its content security policy blocks it, so the
        # request never completes)
        page.on("requestfinished", lambda r: requests_out.append(r.url)
                if not r.url.startswith((base, "data:", "blob:")) else None)
        _log_in(page, base, superset["password"])
        page.goto(f"{base}/superset/dashboard/newsflow/", timeout=120_000)
        holders = page.locator(".dashboard-component-chart-holder")
        holders.first.wait_for(timeout=120_000)
        assert holders.count() == 7
        # every chart drew: a canvas or svg with shapes, or a table with rows; none is empty or failed
        drawn = {}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            drawn = page.evaluate("""() => Object.fromEntries(
                [...document.querySelectorAll('.dashboard-component-chart-holder')].map(h => {
                    const title = (h.querySelector('.header-title, [data-test="editable-title"]') || {}).textContent || h.id;
                    const loading = !!h.querySelector('.loading, [aria-label="Loading"]');
                    const rows = h.querySelectorAll('table tbody tr').length;
                    const shapes = h.querySelectorAll('svg path, svg circle, svg rect').length;
                    const canvas = h.querySelector('canvas');
                    return [title.trim(), {loading, rows, shapes, canvas: !!canvas,
                                           text: h.innerText.slice(0, 300)}];
                }))""")
            if len(drawn) == 7 and not any(c["loading"] for c in drawn.values()) \
                    and all(c["rows"] or c["shapes"] or c["canvas"] for c in drawn.values()):
                break
            time.sleep(2)
        page.wait_for_timeout(1500)   # let the last animation settle before the picture
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        for title, chart in drawn.items():
            assert not chart["loading"], title
            assert "No results" not in chart["text"] and "No data" not in chart["text"], (title, chart["text"])
            assert "error" not in chart["text"].lower(), (title, chart["text"])
            assert chart["rows"] or chart["shapes"] or chart["canvas"], (title, chart)
        assert len(drawn) == 7, drawn
        rows = []
        for response in chart_data:
            assert response.status == 200, (response.url, response.text()[:500])
            body = response.json()
            rows.append(sum(r.get("rowcount", 0) for r in body["result"]) if "result" in body else len(body["data"]))
        assert len(rows) >= 7 and all(n > 0 for n in rows), rows
        # the map of Syria colours governorates that have events; the world map draws bubbles
        syria = page.locator(".dashboard-component-chart-holder", has_text="Syria by governorate")
        assert syria.locator("path.region").count() >= 14
        world = page.locator(".dashboard-component-chart-holder", has_text="Events by country (map)")
        assert world.locator("circle.datamaps-bubble").count() > 0
        # the filters the issue asks for, across charts
        bar = page.locator("[data-test='filter-bar']")
        for name in ("Date range", "Language", "Event type"):
            assert bar.get_by_text(name, exact=True).count() > 0, name
        assert errors == []
        assert requests_out == []
    assert SCREENSHOT.stat().st_size > 50_000


# --- the read-only login -------------------------------------------------------------------------------

def _sqllab(api: Api, database_id: int, sql: str):
    return api.call("POST", "/api/v1/sqllab/execute/", {
        "database_id": database_id, "sql": sql, "schema": "bi", "runAsync": False,
        "client_id": os.urandom(5).hex(), "sql_editor_id": "1", "tab": "newsflow test", "queryLimit": 100,
        "select_as_cta": False, "ctas_method": "TABLE", "templateParams": "{}", "expand_data": True})


def test_sql_lab_reads_but_cannot_write(superset, warehouse_url):
    api = Api(superset["base"], superset["password"])
    status, body = api.call("GET", "/api/v1/database/?q=(page_size:100)")
    database_id = body["result"][0]["id"]
    status, body = _sqllab(api, database_id, "SELECT count(DISTINCT event_id) AS events FROM bi.event_report")
    assert status == 200, body
    assert body["data"][0]["events"] > 0
    before = _counts(warehouse_url)
    for sql in ("INSERT INTO mart.daily_events (day, country, admin1, event_type, events, mentions, articles, sources)"
                " VALUES ('2024-12-01', 'SY', '', 'ASSAULT', 1, 1, 1, 1)",
                "CREATE TABLE bi.scratch (n integer)",
                "DELETE FROM mart.daily_events",
                "UPDATE mart.daily_source_health SET polls = 0"):
        status, body = _sqllab(api, database_id, sql)
        assert status >= 400, (sql, body)
        message = json.dumps(body)
        assert "DML_NOT_ALLOWED" in message, (sql, message)
    assert _counts(warehouse_url) == before


def test_the_login_refuses_writes_even_when_a_session_asks_for_them(superset):
    """Below Superset's own check: the role can read bi and mart, and write nothing."""
    conn = psycopg2.connect(superset["warehouse_uri"])
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW default_transaction_read_only")
            assert cur.fetchone()[0] == "on"
            cur.execute("SELECT count(*) FROM bi.source_report")
            assert cur.fetchone()[0] > 0
        for sql, error in (("DELETE FROM mart.daily_events", psycopg2.errors.InsufficientPrivilege),
                           ("CREATE TABLE bi.scratch (n integer)", psycopg2.errors.InsufficientPrivilege),
                           ("CREATE TABLE public.scratch (n integer)", psycopg2.errors.InsufficientPrivilege),
                           ("SELECT count(*) FROM raw.feed_poll", psycopg2.errors.InsufficientPrivilege)):
            with pytest.raises(error), conn.cursor() as cur:
                cur.execute("BEGIN READ WRITE")
                try:
                    cur.execute(sql)
                finally:
                    cur.execute("ROLLBACK")
    finally:
        conn.close()


def format_result(cur) -> str:
    """A query's result as docs/bi.md shows it: the column names, then one line per row, values joined by " | "."""
    lines = [" | ".join(column.name for column in cur.description)]
    lines += [" | ".join("" if value is None else str(value) for value in row) for row in cur.fetchall()]
    return "\n".join(lines) + "\n"


def test_the_docs_example_queries_give_the_results_shown_on_the_replay(superset):
    examples = re.findall(r"```sql\n(.*?)```\n+```text\n(.*?)```",
                          (ROOT / "docs" / "bi.md").read_text(encoding="utf-8"), flags=re.S)
    assert len(examples) == 5
    conn = psycopg2.connect(superset["warehouse_uri"])   # as Superset's read-only login
    try:
        for query, shown in examples:
            with conn.cursor() as cur:
                cur.execute(query)
                assert format_result(cur) == shown, query
    finally:
        conn.close()


def _counts(url: str) -> tuple:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT (SELECT count(*) FROM mart.daily_events), (SELECT sum(polls) FROM mart.daily_source_health),"
                        " to_regclass('bi.scratch') IS NULL")
            return cur.fetchone()
    finally:
        conn.close()
