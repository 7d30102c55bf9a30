"""newsflow_ingest: poll feeds every 15 minutes, fetch new pages, extract articles."""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import CronDataIntervalTimetable, dag, task

from newsflow.dag_settings import DEFAULT_ARGS, HTTP_POOL, SITE_TIMEOUT, extract_articles, require_current_schema

DOC = """
### newsflow_ingest
Every 15 minutes: polls every enabled feed of `include/config/feeds.yaml` with conditional GET
(ETag / Last-Modified), stores raw items (`raw.feed_item`) and raw HTML (`raw.page`), then extracts
body and metadata of new or changed pages into `core.article` (one article per canonical URL,
versions, exact and near-duplicate story clusters).

* Mapped over sites: one task per site, so a site never sees two requests at once from a run;
  the `newsflow_http` pool caps HTTP work overall.
* A feed that answers 500, times out or sends garbage is recorded in `raw.feed_poll` with its
  error; the other feeds go on. Failed pages are in `raw.page_fetch`, failed extractions in
  `core.page_extraction`.
* Idempotent: re-running an interval leaves the warehouse as one run would.
* Updates the asset `newsflow://warehouse/core/article`, which schedules `newsflow_extract`.
"""


@dag(
    dag_id="newsflow_ingest",
    # data intervals, so each run owns a window [start, end) and backfills address days exactly
    schedule=CronDataIntervalTimetable("*/15 * * * *", timezone="UTC"),
    start_date=datetime(2024, 12, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["newsflow", "ingest"],
    doc_md=DOC,
)
def newsflow_ingest():
    @task
    def site_groups() -> list[list[str]]:
        from newsflow.pipeline import feeds_by_site
        require_current_schema()
        return feeds_by_site()

    @task(pool=HTTP_POOL, execution_timeout=SITE_TIMEOUT,
          map_index_template="{{ task.op_kwargs['feed_ids'] | join(',') }}")
    def ingest_site(feed_ids: list[str], data_interval_start=None, data_interval_end=None) -> list[dict]:
        from newsflow.pipeline import ingest_site as run
        return run(feed_ids, data_interval_start, data_interval_end)

    ingest_site.expand(feed_ids=site_groups()) >> extract_articles()


newsflow_ingest()
