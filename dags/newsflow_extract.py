"""newsflow_extract: code events (language, places, actors, PLOVER types, dates) for new articles."""
from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from newsflow.dag_settings import ARTICLES, BACKLOG_TIMEOUT, DEFAULT_ARGS, EVENTS, require_current_schema

DOC = """
### newsflow_extract
Runs whenever `newsflow_ingest` or `newsflow_archive` updates `newsflow://warehouse/core/article`.
For each article whose latest version has no events yet: detects the language, finds places
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
    @task(outlets=[EVENTS], execution_timeout=BACKLOG_TIMEOUT)
    def code_events() -> dict:
        from newsflow.pipeline import code_events as run
        require_current_schema()
        return run()

    code_events()


newsflow_extract()
