"""The DAG files: import cleanly, parse fast, carry the settings users rely on."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[1] / "dags"
EXPECTED = {"newsflow_ingest", "newsflow_extract", "newsflow_daily", "newsflow_archive"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag
    return DagBag(dag_folder=str(DAGS))


def test_dagbag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == EXPECTED


@pytest.mark.parametrize("path", sorted(DAGS.glob("newsflow_*.py")), ids=lambda p: p.name)
def test_each_dag_file_parses_in_under_a_second(dagbag, path):
    from airflow.dag_processing.dagbag import DagBag
    started = time.perf_counter()
    bag = DagBag(dag_folder=str(path))
    elapsed = time.perf_counter() - started
    assert bag.import_errors == {}
    assert len(bag.dags) == 1
    assert elapsed < 1.0, f"{path.name} took {elapsed:.2f}s to parse"


def test_dags_have_owner_tags_docs_and_backoff(dagbag):
    for dag_id in EXPECTED:
        dag = dagbag.dags[dag_id]
        assert "newsflow" in dag.tags
        assert dag.doc_md and dag_id in dag.doc_md
        for task in dag.tasks:
            assert task.owner == "newsflow"
            assert task.retry_exponential_backoff


def test_schedules(dagbag):
    ingest, daily, extract = (dagbag.dags[d] for d in ("newsflow_ingest", "newsflow_daily", "newsflow_extract"))
    assert ingest.timetable.expression == "*/15 * * * *"
    assert daily.timetable.expression in ("@daily", "0 0 * * *")
    # extract runs on the asset the ingest and archive DAGs update
    outlets = {o.uri for t in ingest.tasks for o in t.outlets}
    assert "newsflow://warehouse/core/article" in outlets
    assert "newsflow://warehouse/core/article" in str(extract.timetable.asset_condition)
    ingest_task = ingest.get_task("ingest_site")
    assert ingest_task.pool == "newsflow_http"
