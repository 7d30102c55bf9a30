"""newsflow_extract: code events (language, places, actors, PLOVER types, dates) for new articles."""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from newsflow.dag_settings import ARTICLES, BACKLOG_TIMEOUT, DEFAULT_ARGS, EVENTS, require_current_schema

DOC = """
### newsflow_extract
Runs whenever `newsflow_ingest` or `newsflow_archive` updates `newsflow://warehouse/core/article`.
Lists the articles whose latest version has no events yet in batches (after re-flagging stored
mentions against the configured event cut), then one mapped task per batch: detects the language, finds places
(gazetteer), actors (country + sector codes), PLOVER event types with their mode, and event dates;
writes one row per event mention to `core.event_mention` and merges mentions into `core.event`
(deterministic ids: a re-run changes nothing).
"""


@dag(
    dag_id="newsflow_extract",
    schedule=[ARTICLES],
    start_date=datetime(2024, 12, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["newsflow", "events"],
    doc_md=DOC,
)
def newsflow_extract():
    @task
    def article_batches() -> list[list[str]]:
        from newsflow.pipeline import article_batches as run
        require_current_schema()
        return run()["batches"]

    # one mapped task per batch of articles, so coding spreads over the workers; a batch coded
    # elsewhere meanwhile (claims) is a no-op
    @task(outlets=[EVENTS], execution_timeout=BACKLOG_TIMEOUT,
          map_index_template="{{ task.op_kwargs['article_ids'] | length }} articles")
    def code_events(article_ids: list[str]) -> dict:
        from newsflow.pipeline import code_events as run
        return run(article_ids=article_ids)

    code_events.expand(article_ids=article_batches())


newsflow_extract()
