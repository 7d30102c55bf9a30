"""Shared DAG settings for newsflow (light on purpose: Airflow parses DAG files every 30 seconds)."""
from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import Asset, task, task_group

from newsflow.alerts import failure_callback

# Updated when new article versions land in core.article; newsflow_extract is scheduled on it.
ARTICLES = Asset("newsflow://warehouse/core/article")
# Updated when event mentions and merged events change.
EVENTS = Asset("newsflow://warehouse/core/event")

# Caps concurrent HTTP work across the ingest and archive DAGs; one mapped task per site.
HTTP_POOL = "newsflow_http"

DEFAULT_ARGS = {
    "owner": "newsflow",
    # NEWSFLOW_TASK_RETRIES lets tests see a failure at once instead of after the backoff
    "retries": int(os.environ.get("NEWSFLOW_TASK_RETRIES", "3")),
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=10),
    "on_failure_callback": failure_callback(),  # log, webhook or e-mail: see newsflow.alerts
    # a hung fetch or query fails the task visibly instead of holding a slot for ever; tasks with
    # more work set their own
    "execution_timeout": timedelta(minutes=30),
}
# Polling a site's feeds and fetching its new pages (a 10 s timeout per request).
SITE_TIMEOUT = timedelta(minutes=20)
# Work on a backlog: a day of sitemaps, or extracting and coding what a first run or a backfill
# brought in at once.
BACKLOG_TIMEOUT = timedelta(hours=1)


def require_current_schema() -> None:
    """Called first by each DAG's first task: migrations run at deploy time (`newsflow db migrate`),
    so a warehouse behind the migration files fails the run at once with that advice (no retries:
    waiting does not migrate it)."""
    from airflow.sdk.exceptions import AirflowFailException

    from newsflow.warehouse import SchemaBehind, require_current_schema as check
    try:
        check()
    except SchemaBehind as exc:
        raise AirflowFailException(str(exc)) from None


# Tasks shared by several DAGs: defined once, called inside each DAG.
@task_group
def extract_articles():
    """Extract every stored page not yet extracted into core.article: the pending pages are listed
    in batches and each batch is a mapped task, so the work spreads over the workers (pages still
    load one at a time, in pending order: see pipeline.extract_pending)."""

    @task
    def page_batches() -> list[list[list[str]]]:
        from newsflow.pipeline import pending_page_batches
        return pending_page_batches()

    @task(outlets=[ARTICLES], execution_timeout=BACKLOG_TIMEOUT,
          map_index_template="{{ task.op_kwargs['keys'] | length }} pages")
    def extract_batch(keys: list[list[str]]) -> dict:
        from newsflow.pipeline import extract_pending
        return extract_pending(keys=keys)

    extract_batch.expand(keys=page_batches())
