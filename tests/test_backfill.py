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
