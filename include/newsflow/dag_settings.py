"""Shared DAG settings for newsflow (light on purpose: Airflow parses DAG files every 30 seconds)."""
from __future__ import annotations

import os
from datetime import timedelta

from airflow.sdk import Asset, task

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
}


# Tasks shared by several DAGs: defined once, called inside each DAG.
@task
def migrate_warehouse() -> None:
    """Apply pending warehouse migrations (a no-op when up to date)."""
    from newsflow.warehouse import migrate
    migrate()


@task(outlets=[ARTICLES])
def extract_articles() -> dict:
    """Extract every stored page not yet extracted into core.article."""
    from newsflow.pipeline import extract_pending
    return extract_pending()
