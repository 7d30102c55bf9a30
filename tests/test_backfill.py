"""Backfills: archive a range of days from date sitemaps; daily marts are the same whatever the order."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import table_snapshot

ROOT = Path(__file__).resolve().parents[1]
DAYS = [date(2024, 12, 1), date(2024, 12, 2), date(2024, 12, 3)]


@pytest.fixture(scope="module")
def dags(airflow_db):
    os.environ["NEWSFLOW_TASK_RETRIES"] = "0"
    from airflow.dag_processing.dagbag import DagBag
    return DagBag(dag_folder=str(ROOT / "dags")).dags


def run_for_day(dag, day):
    """Run a daily DAG for the data interval [day, day + 1), as a backfill of that day would."""
    # a manual run's data interval is the last complete one before its logical date
    after = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(days=1)
    dagrun = dag.test(logical_date=after)
    assert dagrun.state == "success"
    assert dagrun.data_interval_start.date() == day
    return dagrun


def marts(conn):
    snap = table_snapshot(conn, schemas=("mart", "core"))
    return {k: v for k, v in snap.items() if k.startswith("mart.") or k == "core.story_cluster"}


def test_archive_backfill_then_daily_backfill_matches_daily_runs(dags, warehouse, replay):
    from newsflow import pipeline
    from newsflow.config import load_feeds

    for day in DAYS:
        run_for_day(dags["newsflow_archive"], day)
    with warehouse.cursor() as cur:
        cur.execute("SELECT feed_id, day, status, n_urls FROM raw.sitemap_poll ORDER BY 1, 2")
        polls = cur.fetchall()
        sitemap_feeds = [f for f in load_feeds(enabled_only=True) if f.sitemap_url]
        assert len(polls) == len(sitemap_feeds) * len(DAYS) and all(status == "ok" and n > 0 for *_, status, n in polls)
        cur.execute("SELECT count(*) FROM raw.feed_item WHERE origin = 'sitemap'")
        assert cur.fetchone()[0] > 0
    pipeline.code_events()

    # daily runs one after the other, as the scheduler would over three days
    for day in DAYS:
        run_for_day(dags["newsflow_daily"], day)
    in_order = marts(warehouse)
    assert in_order["mart.daily_events"], "the archived days must yield event aggregates"

    # a backfill of the same range, run in another order and twice: the marts are the same
    with warehouse.cursor() as cur:
        cur.execute("TRUNCATE mart.daily_events, mart.daily_actor_activity, mart.daily_source_health, "
                    "mart.data_check, core.story_cluster")
    for day in reversed(DAYS):
        run_for_day(dags["newsflow_daily"], day)
    for day in DAYS:
        run_for_day(dags["newsflow_daily"], day)
    assert marts(warehouse) == in_order


def test_failed_data_check_fails_the_day_visibly(warehouse):
    from newsflow import pipeline

    with warehouse.cursor() as cur:
        cur.execute("""INSERT INTO core.event (event_id, event_type, event_date, date_precision, num_mentions,
                         num_articles, num_sources, first_seen, last_seen, confidence)
                       VALUES ('orphan', 'ASSAULT', '2024-12-02', 'day', 1, 1, 1, '2024-12-02', '2024-12-02', 0.5)""")
    with pytest.raises(pipeline.DataCheckError, match="event_has_mention"):
        pipeline.daily(DAYS[1])
    with warehouse.cursor() as cur:
        cur.execute("SELECT check_name, passed FROM mart.data_check WHERE day = %s", (DAYS[1],))
        outcome = dict(cur.fetchall())
    assert outcome["event_has_mention"] is False
    assert outcome["no_future_dates"] is True


def marts_of_day(conn, day) -> dict:
    """The day's rows of each daily mart."""
    rows = {}
    with conn.cursor() as cur:
        for table in ("daily_source_health", "daily_events", "daily_actor_activity"):
            cur.execute(f"SELECT * FROM mart.{table} WHERE day = %s ORDER BY 1, 2, 3, 4", (day,))
            rows[table] = cur.fetchall()
    return rows


def test_one_day_backfilled_alone_equals_the_daily_runs_and_later_days_leave_it_unchanged(dags, warehouse, replay):
    """The marts read their days' rows only: a day's figures do not depend on which other days were
    built, before or after it."""
    from newsflow import pipeline

    for day in DAYS:
        pipeline.archive_day(day)
    pipeline.extract_pending()
    pipeline.code_events()
    for day in DAYS + [DAYS[-1] + timedelta(days=1)]:  # the last archived pages are fetched the day after
        pipeline.daily(day)
    built = {day: marts_of_day(warehouse, day) for day in DAYS}
    assert all(built[day]["daily_source_health"] for day in DAYS[1:])
    assert any(built[day]["daily_events"] for day in DAYS[1:])

    with warehouse.cursor() as cur:
        cur.execute("TRUNCATE mart.daily_events, mart.daily_actor_activity, mart.daily_source_health, "
                    "mart.data_check, core.story_cluster")
    run_for_day(dags["newsflow_daily"], DAYS[1])  # a backfill of that one day
    alone = marts_of_day(warehouse, DAYS[1])
    assert alone == built[DAYS[1]]
    assert marts_of_day(warehouse, DAYS[2]) == {t: [] for t in alone}  # and nothing of a later day

    run_for_day(dags["newsflow_daily"], DAYS[2])  # a later day's run rebuilds the two days before it too
    assert marts_of_day(warehouse, DAYS[1]) == alone
    assert marts_of_day(warehouse, DAYS[2]) == built[DAYS[2]]
