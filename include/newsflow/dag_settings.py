"""Shared DAG settings for newsflow (light on purpose: Airflow parses DAG files every 30 seconds)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import timedelta
from typing import Iterator

from airflow.sdk import Asset, DeadlineAlert, DeadlineReference, task, task_group

from newsflow.alerts import deadline_callback, failure_callback

# Updated when new article versions land in core.article; newsflow_extract is scheduled on it.
ARTICLES = Asset("newsflow://warehouse/core/article")
# Updated when event mentions and merged events change.
EVENTS = Asset("newsflow://warehouse/core/event")

# Caps concurrent HTTP work across the ingest and archive DAGs; one mapped task per site.
HTTP_POOL = "newsflow_http"

# Network tasks (polling feeds, fetching pages and sitemaps) retry with back-off: sources and
# networks fail for minutes at a time. Other tasks (extraction, event coding, marts, checks) work on
# the warehouse alone: one retry absorbs a warehouse restart or a lost worker (their work is claimed
# in committed batches, so a retry goes on where the try stopped), more would repeat a deterministic
# failure for an hour. Errors that waiting cannot mend (a behind schema, bad configuration, failed
# data checks, every feed failing) fail at once (fail_at_once). NEWSFLOW_TASK_RETRIES caps both, so
# tests see a failure at once instead of after the backoff.
NETWORK_RETRIES = int(os.environ.get("NEWSFLOW_TASK_RETRIES", "3"))
LOCAL_RETRIES = min(1, NETWORK_RETRIES)

DEFAULT_ARGS = {
    "owner": "newsflow",
    "retries": LOCAL_RETRIES,
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




def small_summaries(summaries: list[dict]) -> list[dict]:
    """Ingest summaries as a task's return value: the counts, not the page errors (those are in the
    log, a warning each, and in raw.page_fetch), so the XCom stays small."""
    return [{k: v for k, v in summary.items() if k != "page_errors"} for summary in summaries]


def marts_deadline() -> DeadlineAlert | None:
    """newsflow_daily's Deadline Alert: a day's marts not built `marts_due_hours` (ops.yaml) after the day
    ends (02:00 UTC of the next day by default). The run's logical date is the start of its day (its
    data interval), so the deadline is that plus a day plus the hours.

    NEWSFLOW_DEADLINE_ALERTS=0 leaves it out: Airflow 3.3's dag.test() fails every *successful* run of a
    DAG with a deadline (its in-memory copy of the DAG holds the alerts' definitions where their ids are
    expected), so the test suite turns it off except where it tests the deadline itself."""
    from newsflow.ops import load_ops_settings

    if os.environ.get("NEWSFLOW_DEADLINE_ALERTS", "1") == "0":
        return None

    due = timedelta(days=1, hours=load_ops_settings().marts_due_hours)
    return DeadlineAlert(reference=DeadlineReference.DAGRUN_LOGICAL_DATE, interval=due,
                         callback=deadline_callback(), name="daily marts not built")


@contextmanager
def fail_at_once() -> Iterator[None]:
    """Errors a retry cannot mend end the task at once (AirflowFailException: no retries), with their
    message: a warehouse behind its migrations, bad configuration, failed data checks, every feed failed."""
    from airflow.sdk.exceptions import AirflowFailException

    from newsflow.config import ConfigError
    from newsflow.health import AllFeedsFailed
    from newsflow.pipeline import DataCheckError
    from newsflow.warehouse import SchemaBehind
    try:
        yield
    except (SchemaBehind, ConfigError, DataCheckError, AllFeedsFailed) as exc:
        raise AirflowFailException(f"{type(exc).__name__}: {exc}") from None


def require_current_schema() -> None:
    """Called first by each DAG's first task: migrations run at deploy time (`newsflow db migrate`),
    so a warehouse behind the migration files fails the run at once with that advice (no retries:
    waiting does not migrate it)."""
    from newsflow.warehouse import require_current_schema as check
    with fail_at_once():
        check()


# Tasks shared by several DAGs: defined once, called inside each DAG.
@task_group
def extract_articles():
    """Extract every stored page not yet extracted into core.article: the pending pages are listed
    in batches and each batch is a mapped task, so the work spreads over the workers (pages still
    load one at a time, in pending order: see pipeline.extract_pending)."""

    @task
    def page_batches() -> list[dict]:
        from newsflow.pipeline import chained_page_batches
        return chained_page_batches()

    @task(outlets=[ARTICLES], execution_timeout=BACKLOG_TIMEOUT,
          map_index_template="{{ task.op_kwargs['keys'] | length }} pages")
    def extract_batch(keys: list[list[str]], after_key: list[str] | None) -> dict:
        from newsflow.pipeline import extract_pending
        return extract_pending(keys=keys, after_key=after_key)

    # the group's end: also when nothing was pending (no batch, the mapped task skipped), so tasks
    # placed after the group still run; a failed batch fails it
    @task(trigger_rule="none_failed")
    def extracted() -> None:
        pass

    extract_batch.expand_kwargs(page_batches()) >> extracted()
