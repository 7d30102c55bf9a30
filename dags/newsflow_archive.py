"""newsflow_archive: ingest a past day from the sources' date sitemaps (for backfills)."""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import CronDataIntervalTimetable, dag, task

from newsflow.dag_settings import (BACKLOG_TIMEOUT, DEFAULT_ARGS, HTTP_POOL, NETWORK_RETRIES, extract_articles,
                                   require_current_schema, small_summaries)

DOC = """
### newsflow_archive
Ingests the day of its data interval from the date sitemaps of the sources that publish them
(`sitemap_url` in `include/config/feeds.yaml`): stores the day's URLs as items, fetches and
extracts their pages. Backfill a range with:

    airflow backfill create --dag-id newsflow_archive --from-date 2024-12-01 --to-date 2024-12-03

Updates `newsflow://warehouse/core/article`, so `newsflow_extract` codes the events.
"""


@dag(
    dag_id="newsflow_archive",
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=datetime(2024, 12, 1),
    catchup=False,
    max_active_runs=2,
    default_args=DEFAULT_ARGS,
    tags=["newsflow", "archive", "backfill"],
    doc_md=DOC,
)
def newsflow_archive():
    @task(pool=HTTP_POOL, execution_timeout=BACKLOG_TIMEOUT, retries=NETWORK_RETRIES)
    def ingest_day(data_interval_start=None) -> list[dict]:
        from newsflow.pipeline import archive_day
        require_current_schema()
        return small_summaries(archive_day(data_interval_start.date()))

    ingest_day() >> extract_articles()


newsflow_archive()
