"""Fault injection: hostile feeds and pages served from 127.0.0.1, through the real ingest path.

Every server here listens on 127.0.0.1. A socket guard refuses (and records) any connection to
another address, so "refused before connecting" is checked, not assumed. Only the port of the test
server is allowed (NEWSFLOW_ALLOW_HOSTS): other ports on 127.0.0.1 stand for private services.
"""
from __future__ import annotations

import ipaddress
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from hostile_web import (HostileServer, article, drip, drip_headers, endless, gzip_bomb, redirect,
                         rss, send, static)
from test_pipeline import dags, run, scalar  # noqa: F401 (dags is a fixture)

ROOT = Path(__file__).resolve().parents[1]
AT = datetime(2024, 12, 3, 12, 0, tzinfo=timezone.utc)   # interval end of the first poll
STEP = timedelta(minutes=15)
STORY = ["The Security Council met in New York on Tuesday to discuss the ceasefire in Lebanon.",
         "Diplomats said the truce agreed in late November was holding despite reported violations.",
         "The council is expected to meet again next week to hear a report from the secretary-general."]


@pytest.fixture(scope="module")
def server():
    with HostileServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def private_service():
    """Another port on 127.0.0.1: a private service no feed may reach."""
    with HostileServer() as srv:
        srv.route("/secret", static(b"internal credentials", headers={"Content-Type": "text/plain"}))
        yield srv


@pytest.fixture
def socket_guard(monkeypatch):
    """Connections to anything but loopback are refused and recorded."""
    attempts = []
    real_connect = socket.socket.connect

    def guarded_connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            if not ipaddress.ip_address(address[0].split("%")[0]).is_loopback:
                attempts.append(address)
                raise ConnectionRefusedError(f"test socket guard: {address[0]} is not loopback")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    return attempts


@pytest.fixture
def hostile(server, socket_guard, warehouse, monkeypatch, tmp_path):
    """The hostile server, allowed by its port only, with feeds of our own; no replay."""
    server.reset()
    monkeypatch.delenv("NEWSFLOW_REPLAY_BASE", raising=False)
    monkeypatch.setenv("NEWSFLOW_ALLOW_HOSTS", f"127.0.0.1:{server.port}")
    monkeypatch.setenv("NEWSFLOW_HTTP_TIMEOUT", "3")

    def use_feeds(**feeds: str | tuple[str, str]) -> None:
        """Feed id -> path on the server, or (path, site)."""
        lines = ["feeds:"]
        for feed_id, spec in feeds.items():
            path, site = spec if isinstance(spec, tuple) else (spec, "hostile.test")
            lines.append(f"  - {{id: {feed_id}, name: {feed_id}, url: \"{server.url(path)}\", language: en,"
                         f" kind: publisher, enabled: true, site: {site}}}")
        (tmp_path / "feeds.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        monkeypatch.setenv("NEWSFLOW_FEEDS_FILE", str(tmp_path / "feeds.yaml"))

    server.use_feeds = use_feeds
    yield server
    assert socket_guard == [], f"connections attempted outside loopback: {socket_guard}"


def ingest(*feed_ids: str, end: datetime = AT) -> dict[str, dict]:
    from newsflow import pipeline
    return {s["feed_id"]: s for s in pipeline.ingest_site(list(feed_ids), end - STEP, end)}


def polls(conn) -> dict[str, tuple]:
    with conn.cursor() as cur:
        cur.execute("SELECT feed_id, status, http_status, error, n_items FROM raw.feed_poll ORDER BY interval_start")
        return {row[0]: row[1:] for row in cur.fetchall()}


def fetch_errors(conn) -> dict[str, str]:
    """Failed page fetches by URL as linked (canonical URLs of the test server say https)."""
    with conn.cursor() as cur:
        cur.execute("SELECT fi.link, pf.error FROM raw.page_fetch pf JOIN raw.feed_item fi USING (canonical_url)"
                    " WHERE pf.status = 'error'")
        return dict(cur.fetchall())


# --- NUL bytes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("nul", ["\x00", "&#0;"], ids=["raw", "entity"])
def test_a_nul_in_a_title_is_stripped_and_every_feed_recorded(hostile, warehouse, nul):
    page = hostile.route("/page/ceasefire", static(article("Council meets on Lebanon", STORY),
                                                    headers={"Content-Type": "text/html"}))
    hostile.route("/nul.xml", static(rss([(f"Council{nul} meets", page)])))
    hostile.route("/next.xml", static(rss([("Second feed", hostile.url("/page/other"))])))
    hostile.route("/page/other", static(article("Another story", STORY[1:]), headers={"Content-Type": "text/html"}))
    hostile.use_feeds(nul="/nul.xml", after="/next.xml")
    summaries = ingest("nul", "after")
    assert summaries["nul"]["status"] == "ok" and summaries["after"]["status"] == "ok"
    assert set(polls(warehouse)) == {"nul", "after"}
    assert scalar(warehouse, "SELECT title FROM raw.feed_item WHERE feed_id = 'nul'") == "Council meets"
    assert scalar(warehouse, "SELECT count(*) FROM raw.page") == 2


def test_dag_a_nul_feed_does_not_stop_the_other_sites_extraction(hostile, warehouse, dags):
    hostile.route("/a/story", static(article("Council meets on Lebanon", STORY), headers={"Content-Type": "text/html"}))
    hostile.route("/b/story", static(article("Truce holds in the south", STORY[1:] + STORY[:1]),
                                     headers={"Content-Type": "text/html"}))
    hostile.route("/a.xml", static(rss([("Council\x00 meets &#0;on Lebanon", hostile.url("/a/story"))])))
    hostile.route("/a2.xml", static(rss([("Later feed of the same site", hostile.url("/a/story"))])))
    hostile.route("/b.xml", static(rss([("Truce holds", hostile.url("/b/story"))])))
    hostile.use_feeds(site_a=("/a.xml", "a.test"), site_a_more=("/a2.xml", "a.test"), site_b=("/b.xml", "b.test"))
    run(dags["newsflow_ingest"], AT)
    assert {fid: p[0] for fid, p in polls(warehouse).items()} == {"site_a": "ok", "site_a_more": "ok", "site_b": "ok"}
    with warehouse.cursor() as cur:
        cur.execute("SELECT canonical_url FROM core.article ORDER BY 1")
        assert [r[0].rsplit(":", 1)[1] for r in cur.fetchall()] == [f"{hostile.port}/a/story", f"{hostile.port}/b/story"]


# --- the address guard ---------------------------------------------------------------------------

PRIVATE_LINKS = [
    "http://10.1.2.3/admin", "http://172.16.0.5/", "http://192.168.1.1/router", "http://169.254.169.254/latest/meta-data/",
    "http://[fd00::1]/", "http://[::ffff:10.0.0.1]/", "http://[::ffff:127.0.0.1]/", "http://167772161/decimal",
    "http://0.0.0.0/", "http://127.0.0.1/", "http://[::1]/", "http://localhost/",
]


def test_links_and_redirects_to_private_addresses_are_refused_before_connecting(
        hostile, private_service, socket_guard, warehouse):
    secret = private_service.url("/secret")
    decimal_secret = f"http://2130706433:{private_service.port}/secret"
    links = PRIVATE_LINKS + [secret, decimal_secret, hostile.route("/hop", redirect(secret)),
                             hostile.route("/hop2", redirect(hostile.url("/hop3"))),
                             hostile.url("/public")]
    hostile.route("/hop3", redirect("http://169.254.169.254/latest/meta-data/iam"))
    hostile.route("/public", static(article("Council meets on Lebanon", STORY), headers={"Content-Type": "text/html"}))
    hostile.route("/links.xml", static(rss([(f"link {i}", link) for i, link in enumerate(links)])))
    hostile.route("/moved.xml", redirect("http://192.168.0.10/feed.xml", 301))
    hostile.use_feeds(links="/links.xml", moved="/moved.xml")
    summaries = ingest("links", "moved")
    assert summaries["links"]["status"] == "ok"
    errors = fetch_errors(warehouse)
    refused = {url: error for url, error in errors.items() if "not a public address" in error}
    assert len(refused) == len(links) - 1, errors
    assert scalar(warehouse, "SELECT count(*) FROM raw.page") == 1   # only the public page
    assert private_service.requests == []
    moved = polls(warehouse)["moved"]
    assert moved[0] == "error" and "not a public address" in moved[2]
    assert socket_guard == []


def test_the_guard_allows_what_the_setting_names(hostile, private_service, monkeypatch):
    from newsflow import http

    secret = private_service.url("/secret")
    assert "not a public address" in http.fetch(secret).error
    monkeypatch.setenv("NEWSFLOW_ALLOW_HOSTS", f"127.0.0.1:{hostile.port}, 127.0.0.0/8")
    assert http.fetch(secret).content == b"internal credentials"
    monkeypatch.setenv("NEWSFLOW_ALLOW_HOSTS", "localhost")
    assert http.fetch(f"http://localhost:{private_service.port}/secret").ok
    assert "not a public address" in http.fetch(secret).error  # a name allows that name only
    monkeypatch.setenv("NEWSFLOW_ALLOW_HOSTS", "not a host!")
    from newsflow.config import ConfigError
    with pytest.raises(ConfigError, match="NEWSFLOW_ALLOW_HOSTS"):
        http.fetch(secret)


# --- slow, huge and compressed answers -----------------------------------------------------------

def test_a_server_dripping_one_byte_a_second_hits_the_total_deadline(hostile, warehouse):
    hostile.route("/drip.xml", drip(rss([("slow", hostile.url("/page/x"))]), every=0.5))
    hostile.route("/ok.xml", static(rss([])))
    hostile.use_feeds(drip="/drip.xml", ok="/ok.xml")
    started = time.monotonic()
    ingest("drip", "ok")
    elapsed = time.monotonic() - started
    found = polls(warehouse)
    assert found["drip"][0] == "error" and "within 3s" in found["drip"][2]
    assert found["ok"][0] == "ok"
    assert elapsed < 8, f"the deadline is 3 s, the poll took {elapsed:.1f}s"


def test_headers_dripped_a_byte_at_a_time_hit_the_total_deadline_too(hostile):
    from newsflow import http

    started = time.monotonic()
    result = http.fetch(hostile.route("/slow-headers", drip_headers(every=0.05)), timeout=2)
    assert "within 2s" in result.error and time.monotonic() - started < 4


def _peak_rss_mb(code: str, env: dict) -> tuple[str, float]:
    """Run `code` in a fresh interpreter (after importing newsflow); its output and how much its
    peak resident memory grew while the code ran, in MB."""
    script = ("import resource, newsflow.feeds\nbefore = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
              + textwrap.dedent(code)
              + "\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n")
    import os
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env}, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    *out, peak = done.stdout.strip().splitlines()
    return "\n".join(out), int(peak) / 1024


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "no-length"])
def test_a_300_mb_page_is_refused_with_memory_bounded(hostile, warehouse, declare_length):
    hostile.route("/huge", endless(300_000_000, declare_length))
    hostile.route("/huge.xml", static(rss([("huge", hostile.url("/huge"))])))
    hostile.use_feeds(huge="/huge.xml")
    ingest("huge")
    assert "too large" in fetch_errors(warehouse)[hostile.url("/huge")]
    out, peak = _peak_rss_mb(f"""
        from newsflow.http import fetch
        print(fetch({hostile.url('/huge')!r}).error)""", {"NEWSFLOW_ALLOW_HOSTS": f"127.0.0.1:{hostile.port}"})
    assert "too large" in out and peak < 60, (out, peak)


def test_a_gzip_bomb_feed_is_recorded_as_failed_and_the_next_feed_goes_on(hostile, warehouse):
    bomb = gzip_bomb(1 << 30, prefix=b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
    hostile.route("/bomb.xml", static(bomb, headers={"Content-Encoding": "gzip"}))
    hostile.route("/ok.xml", static(rss([])))
    hostile.use_feeds(bomb="/bomb.xml", ok="/ok.xml")
    ingest("bomb", "ok")
    found = polls(warehouse)
    assert found["bomb"][0] == "error" and "after decompression" in found["bomb"][2]
    assert found["ok"][0] == "ok"
    out, peak = _peak_rss_mb(f"""
        from newsflow.config import Feed
        from newsflow.feeds import poll_feed
        print(poll_feed(Feed("bomb", "bomb", {hostile.url('/bomb.xml')!r}, "en", "publisher")).error)""",
        {"NEWSFLOW_ALLOW_HOSTS": f"127.0.0.1:{hostile.port}"})
    assert "after decompression" in out and peak < 60, (out, peak)


def test_compressed_answers_within_the_cap_are_decoded(hostile):
    import gzip
    import zlib

    from newsflow import http

    body = rss([("fine", "https://example.org/a")]) * 50
    raw_deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    for path, packed, encoding in [
            ("/gz", gzip.compress(body), "gzip"),
            ("/two-members", gzip.compress(body[:100]) + gzip.compress(body[100:]), "gzip"),
            ("/zlib", zlib.compress(body), "deflate"),
            ("/raw-deflate", raw_deflate.compress(body) + raw_deflate.flush(), "deflate")]:
        hostile.route(path, static(packed, headers={"Content-Encoding": encoding}))
        assert http.fetch(hostile.url(path)).content == body, path
    hostile.route("/br", static(b"...", headers={"Content-Encoding": "br"}))
    assert "unsupported Content-Encoding" in http.fetch(hostile.url("/br")).error


# --- many items, and a source asking to wait -----------------------------------------------------

def test_a_feed_of_10000_items_is_fetched_a_capped_share_per_poll_and_loses_nothing(
        hostile, warehouse, monkeypatch):
    monkeypatch.setenv("NEWSFLOW_MAX_PAGES_PER_POLL", "40")
    hostile.route("/page/", lambda req: send(req, 200, article("Story " + req.path, STORY),
                                             {"Content-Type": "text/html"}))
    hostile.route("/many.xml", static(rss([(f"story {i}", hostile.url(f"/page/{i:05d}")) for i in range(10_000)])))
    hostile.use_feeds(many="/many.xml")
    first = ingest("many")["many"]
    assert first["items"] == 10_000 and first["pages_fetched"] == 40 and first["pages_deferred"] == 9_960
    again = ingest("many")["many"]  # a re-run of the interval asks for the same pages
    assert again["pages_fetched"] == 40 and again["pages_deferred"] == 9_960
    second = ingest("many", end=AT + STEP)["many"]
    assert second["pages_fetched"] == 40 and second["pages_deferred"] == 9_920
    assert scalar(warehouse, "SELECT count(*) FROM raw.feed_item") == 10_000
    assert scalar(warehouse, "SELECT count(DISTINCT canonical_url) FROM raw.page_fetch") == 80
    assert scalar(warehouse, "SELECT min(canonical_url) FROM raw.page_fetch WHERE interval_start = %s",
                  AT).endswith("/page/00040")


def test_429_with_retry_after_is_honoured_and_recorded(hostile, warehouse):
    hostile.route("/busy.xml", static(b"slow down", 429, {"Retry-After": "3600"}))
    hostile.use_feeds(busy="/busy.xml")
    assert ingest("busy")["busy"]["status"] == "error"
    asked = len(hostile.requests)
    with warehouse.cursor() as cur:
        cur.execute("SELECT status, http_status, retry_after FROM raw.feed_poll WHERE interval_start = %s", (AT - STEP,))
        assert cur.fetchone() == ("error", 429, AT + timedelta(hours=1))
    for k in range(1, 4):  # the next three quarter hours: not asked, recorded as deferred
        assert ingest("busy", end=AT + k * STEP)["busy"]["status"] == "deferred"
    assert len(hostile.requests) == asked
    hostile.route("/busy.xml", static(rss([])))
    assert ingest("busy", end=AT + 5 * STEP)["busy"]["status"] == "ok"
    assert len(hostile.requests) == asked + 1


def test_a_page_answering_429_stops_the_polls_pages_and_defers_the_feed(hostile, warehouse, monkeypatch):
    hostile.route("/page/", lambda req: send(req, 429, b"", {"Retry-After": "1800"}))
    hostile.route("/site.xml", static(rss([(f"s{i}", hostile.url(f"/page/{i}")) for i in range(5)])))
    hostile.use_feeds(site="/site.xml")
    first = ingest("site")["site"]
    assert first["pages_fetched"] == 1 and first["retry_after"] == (AT + timedelta(minutes=30)).isoformat()
    assert ingest("site", end=AT + STEP)["site"]["status"] == "deferred"
    assert scalar(warehouse, "SELECT count(*) FROM raw.page_fetch") == 1  # the other four wait


# --- the warehouse going away --------------------------------------------------------------------

REPORT = ["Israeli forces attacked the town of Khiam in southern Lebanon on Monday, killing two people.",
          "Hezbollah said it fired rockets at a military post in northern Israel in response.",
          "Protesters marched in Beirut on Tuesday to demand an end to the strikes."]


def _all_steps(end: datetime) -> None:
    from newsflow import pipeline
    ingest("wire", end=end)
    pipeline.extract_pending()
    pipeline.code_events()


@pytest.mark.parametrize("table, step", [("raw.page", "ingest"), ("core.article", "extract"),
                                         ("core.event_mention", "coding")])
def test_postgres_killed_mid_task_shows_the_real_error_and_a_rerun_equals_a_clean_run(
        hostile, warehouse, table, step):
    import psycopg2

    from conftest import empty_warehouse, table_snapshot

    hostile.route("/news/khiam", static(article("Strikes on Khiam", REPORT), headers={"Content-Type": "text/html"}))
    hostile.route("/wire.xml", static(rss([("Strikes on Khiam", hostile.url("/news/khiam"))])))
    hostile.use_feeds(wire="/wire.xml")
    _all_steps(AT)
    clean = table_snapshot(warehouse)
    assert clean["core.event_mention"], "the report must code at least one event"
    empty_warehouse(warehouse)
    with warehouse.cursor() as cur:  # the server ends the session that writes the first row
        cur.execute("""CREATE FUNCTION public.kill_writer() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$""")
        cur.execute(f"CREATE TRIGGER kill_writer BEFORE INSERT ON {table} FOR EACH ROW"
                    " EXECUTE FUNCTION public.kill_writer()")
    try:
        if step == "ingest":  # one feed's failure is recorded with its real error; the task goes on
            _all_steps(AT)
            status, _, error, _ = polls(warehouse)["wire"]
            assert status == "error" and "terminat" in error and "already closed" not in error, error
        else:
            with pytest.raises(psycopg2.OperationalError) as raised:
                _all_steps(AT)
            assert not isinstance(raised.value, psycopg2.InterfaceError)
            assert "terminat" in str(raised.value), f"{step}: {raised.value!r}"
    finally:
        with warehouse.cursor() as cur:
            cur.execute(f"DROP TRIGGER kill_writer ON {table}")
            cur.execute("DROP FUNCTION public.kill_writer()")
    _all_steps(AT)
    assert table_snapshot(warehouse) == clean

def test_a_killed_connection_shows_the_real_error_not_connection_already_closed(warehouse):
    import psycopg2
    from newsflow.warehouse import transaction

    with pytest.raises(psycopg2.OperationalError) as raised:
        with transaction() as conn, conn.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    assert not isinstance(raised.value, psycopg2.InterfaceError)
    assert "terminat" in str(raised.value)


def test_the_bi_login_has_a_statement_timeout_and_a_connection_limit(warehouse_url):
    import psycopg2

    from newsflow.warehouse import transaction

    with transaction() as conn, conn.cursor() as cur:
        cur.execute("SELECT rolconnlimit FROM pg_roles WHERE rolname = 'newsflow_metabase'")
        assert cur.fetchone()[0] == 10
    scheme, rest = warehouse_url.split("://", 1)
    bi_url = f"{scheme}://newsflow_metabase:newsflow_metabase@{rest.split('@', 1)[1]}"
    with psycopg2.connect(bi_url) as bi, bi.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "1min"
        cur.execute("SET statement_timeout = '200ms'")  # the same cancellation, in test time
        with pytest.raises(psycopg2.errors.QueryCanceled):
            cur.execute("SELECT pg_sleep(5)")


def test_a_sites_feeds_share_one_connection_and_a_killed_one_is_replaced(hostile, warehouse):
    """ingest_site polls a site's feeds over one warehouse connection (each new one costs milliseconds);
    when the server ends it during one feed, that feed is recorded with the real error and the next
    feeds go on over a new connection."""
    feeds = ("first", "second", "killed", "after")
    for feed_id in feeds:
        hostile.route(f"/news/{feed_id}", static(article(f"Report {feed_id}", REPORT),
                                                 headers={"Content-Type": "text/html"}))
        hostile.route(f"/{feed_id}.xml", static(rss([(f"Report {feed_id}", hostile.url(f"/news/{feed_id}"))])))
    hostile.use_feeds(**{feed_id: f"/{feed_id}.xml" for feed_id in feeds})
    with warehouse.cursor() as cur:  # which session wrote each poll; the server ends the one of 'killed'
        cur.execute("CREATE TABLE public.poll_session (feed_id text, pid integer)")
        cur.execute("""CREATE FUNCTION public.note_session() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN INSERT INTO public.poll_session VALUES (NEW.feed_id, pg_backend_pid());
                             IF NEW.feed_id = 'killed' THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF;
                             RETURN NEW; END $$""")
        cur.execute("CREATE TRIGGER note_session BEFORE INSERT ON raw.feed_item FOR EACH ROW"
                    " EXECUTE FUNCTION public.note_session()")
    try:
        summaries = ingest(*feeds)
        with warehouse.cursor() as cur:
            cur.execute("SELECT feed_id, pid FROM public.poll_session WHERE feed_id <> 'killed'")
            sessions = dict(cur.fetchall())
    finally:
        with warehouse.cursor() as cur:
            cur.execute("DROP TRIGGER note_session ON raw.feed_item")
            cur.execute("DROP FUNCTION public.note_session()")
            cur.execute("DROP TABLE public.poll_session")
    assert [summaries[f]["status"] for f in feeds] == ["ok", "ok", "error", "ok"]
    assert "terminat" in summaries["killed"]["error"] and "already closed" not in summaries["killed"]["error"]
    assert sessions["first"] == sessions["second"] != sessions["after"]
    assert scalar(warehouse, "SELECT count(*) FROM raw.page") == 3
