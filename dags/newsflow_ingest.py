"""newsflow_ingest: poll feeds every 15 minutes, fetch new pages, extract articles."""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import CronDataIntervalTimetable, dag, task

from newsflow.dag_settings import (DEFAULT_ARGS, HTTP_POOL, NETWORK_RETRIES, SITE_TIMEOUT, extract_articles,
                                   fail_at_once, require_current_schema, small_summaries)

DOC = """
### newsflow_ingest
Every 15 minutes: polls every enabled feed of `include/config/feeds.yaml` with conditional GET
(ETag / Last-Modified), stores raw items (`raw.feed_item`) and raw HTML (`raw.page`), then extracts
body and metadata of new or changed pages into `core.article` (one article per canonical URL,
versions, exact and near-duplicate story clusters).

* Mapped over sites: one task per site, so a site never sees two requests at once from a run;
  the `newsflow_http` pool caps HTTP work overall. Those tasks retry with back-off.
* A feed that answers 500, times out or sends garbage is recorded in `raw.feed_poll` with its
  error; the other feeds go on, and `check_polls` logs a warning for it. When every polled feed
  failed, `check_polls` fails the run at once, listing the feeds and their errors. Failed pages are
  in `raw.page_fetch` (a warning each in the log), failed extractions in `core.page_extraction`.
* `check_freshness` alerts once per enabled source that brought no new article for
  `stale_source_hours` (`include/config/ops.yaml`); its log shows every source's state.
* Idempotent: re-running an interval leaves the warehouse as one run would, and sends no alert twice.
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
        with fail_at_once():
            return feeds_by_site()

    @task(pool=HTTP_POOL, execution_timeout=SITE_TIMEOUT, retries=NETWORK_RETRIES,
          map_index_template="{{ task.op_kwargs['feed_ids'] | join(',') }}")
    def ingest_site(feed_ids: list[str], data_interval_start=None, data_interval_end=None) -> list[dict]:
        from newsflow.pipeline import ingest_site as run
        return small_summaries(run(feed_ids, data_interval_start, data_interval_end))

    # once every site's task is done and one at least succeeded (a failed site task fails the run
    # through its downstream tasks; none succeeding is a failure already): the recorded polls count
    @task(trigger_rule="all_done_min_one_success")
    def check_polls(data_interval_start=None) -> dict:
        from newsflow.health import check_polls as judge
        with fail_at_once():
            return judge(data_interval_start)

    @task
    def check_freshness(data_interval_end=None) -> dict:
        from airflow.sdk import get_current_context

        from newsflow.alerts import send_alert, stale_source_alert
        from newsflow.health import alert_stale_sources
        context = get_current_context()
        with fail_at_once():
            return alert_stale_sources(data_interval_end,
                                       lambda facts: send_alert(stale_source_alert(context, facts)))

    ingested = ingest_site.expand(feed_ids=site_groups())
    ingested >> check_polls()
    ingested >> extract_articles() >> check_freshness()


newsflow_ingest()
