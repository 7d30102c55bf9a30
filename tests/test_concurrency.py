"""Tasks that run at once (the ingest and archive DAGs both extract; the archive DAG runs two days at
once; a command-line run may meet a scheduled one) share the work and leave the warehouse exactly as
one run after the other would: every page extracted once, no error rows, identical tables."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest

from newsflow.config import load_feeds

from conftest import table_snapshot

INGEST_START = datetime(2024, 12, 3, 23, 45, tzinfo=timezone.utc)
INGEST_END = datetime(2024, 12, 4, 0, 0, tzinfo=timezone.utc)
ARCHIVE_DAYS = (date(2024, 12, 1), date(2024, 12, 2))


def at_once(*calls):
    """Run the calls in parallel threads (each task opens its own connections), started together."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [f.result() for f in futures]


def scalar(conn, query, *params):
    with conn.cursor() as cur:
        cur.execute(query, params or None)
        return cur.fetchone()[0]


def empty(conn, schemas=("raw", "core", "mart")) -> None:
    """Truncate the schemas' tables (the configured sources stay)."""
    with conn.cursor() as cur:
        cur.execute("SELECT string_agg(format('%%I.%%I', schemaname, tablename), ', ')"
                    " FROM pg_tables WHERE schemaname = ANY(%s) AND tablename <> 'source'", (list(schemas),))
        cur.execute(f"TRUNCATE {cur.fetchone()[0]} CASCADE")


@pytest.fixture
def stored_pages(warehouse, replay):
    """The replay's first phase polled and its pages stored, nothing extracted yet."""
    from newsflow import pipeline

    pipeline.ingest_all(INGEST_START, INGEST_END)
    pages = scalar(warehouse, "SELECT count(*) FROM raw.page")
    assert pages >= 30
    return pages


def test_two_extractions_at_once_extract_each_page_once_as_one_run_would(warehouse, stored_pages):
    from newsflow import pipeline

    single = pipeline.extract_pending()
    assert single["pages"] == stored_pages and single["error"] == 0
    expected = table_snapshot(warehouse)

    empty(warehouse, ("core", "mart"))
    first, second = at_once(pipeline.extract_pending, pipeline.extract_pending)
    # each page extracted by exactly one of the runs (how they share depends on timing)
    assert first["pages"] + second["pages"] == stored_pages
    assert first["error"] == second["error"] == 0
    assert scalar(warehouse, "SELECT count(*) FROM core.page_extraction WHERE status <> 'ok'") == 0
    assert table_snapshot(warehouse) == expected


def test_two_event_codings_at_once_code_each_article_once_as_one_run_would(warehouse, stored_pages):
    from newsflow import pipeline

    pipeline.extract_pending()
    articles = scalar(warehouse, "SELECT count(*) FROM core.article WHERE text <> ''")
    single = pipeline.code_events()
    assert single["articles"] == articles and single["events"] > 0
    pipeline.daily(INGEST_END.date())
    expected = table_snapshot(warehouse)

    with warehouse.cursor() as cur:
        cur.execute("TRUNCATE core.event_mention, core.event, mart.daily_events, mart.daily_actor_activity,"
                    " mart.data_check, mart.daily_source_health, core.story_cluster")
        cur.execute("UPDATE core.article SET events_coded_version = NULL")
    first, second = at_once(pipeline.code_events, pipeline.code_events)
    assert first["articles"] + second["articles"] == articles
    assert first["errors"] == second["errors"] == 0
    pipeline.daily(INGEST_END.date())
    assert table_snapshot(warehouse) == expected


def test_two_archived_days_at_once_match_one_after_the_other(warehouse, replay):
    from newsflow import pipeline

    for day in ARCHIVE_DAYS:
        pipeline.archive_day(day)
    pipeline.extract_pending()
    expected = table_snapshot(warehouse)
    sitemap_feeds = [f for f in load_feeds(enabled_only=True) if f.sitemap_url]
    assert scalar(warehouse, "SELECT count(*) FROM raw.sitemap_poll WHERE status = 'ok'") == \
        len(sitemap_feeds) * len(ARCHIVE_DAYS)

    empty(warehouse)
    summaries = at_once(*(lambda d=day: pipeline.archive_day(d) for day in ARCHIVE_DAYS))
    assert all(s["status"] == "ok" and s["pages_failed"] == 0 for day in summaries for s in day)
    pipeline.extract_pending()
    assert table_snapshot(warehouse) == expected


def test_no_transaction_stays_open_while_pages_are_fetched(warehouse, replay, monkeypatch):
    """Every HTTP call of ingest and archive happens with no open transaction of the task's own."""
    from newsflow import feeds, http, pipeline

    real_fetch = http.fetch
    seen: list[int] = []

    def fetch(*args, **kwargs):
        # other sessions of this database (the test's own is idle) holding a transaction open
        seen.append(scalar(warehouse, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                      " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"))
        return real_fetch(*args, **kwargs)

    monkeypatch.setattr(http, "fetch", fetch)    # pages and sitemaps
    monkeypatch.setattr(feeds, "fetch", fetch)   # feed polls
    pipeline.ingest_feed("aljazeera_en", INGEST_START, INGEST_END)
    pipeline.archive_day(ARCHIVE_DAYS[0])
    assert len(seen) > 10 and set(seen) == {0}
