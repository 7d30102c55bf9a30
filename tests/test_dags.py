"""The DAG files: import cleanly, parse fast, carry the settings users rely on."""
from __future__ import annotations

import time
from datetime import timedelta
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


def test_no_dag_migrates_and_every_task_has_a_timeout(dagbag):
    for dag_id in EXPECTED:
        for task in dagbag.dags[dag_id].tasks:
            # migrations run at deploy time (`newsflow db migrate`), never on a schedule
            assert "migrat" not in task.task_id, f"{dag_id}.{task.task_id}"
            assert task.execution_timeout and task.execution_timeout.total_seconds() > 0, f"{dag_id}.{task.task_id}"


@pytest.fixture()
def empty_database(warehouse_url):
    """A second, empty database on the test server (the session warehouse stays migrated)."""
    import uuid

    import psycopg2

    base, _, _ = warehouse_url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    name = f"newsflow_schema_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    yield f"{base}/{name}"
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.close()


def _drop_latest_migration_record(url: str) -> int:
    import psycopg2

    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("DELETE FROM meta.schema_version WHERE version = (SELECT max(version) FROM meta.schema_version)"
                    " RETURNING version")
        return cur.fetchone()[0]


def test_schema_check_names_the_versions_and_the_command(empty_database):
    from newsflow.warehouse import SchemaBehind, migrate, migrations, require_current_schema

    latest = migrations()[-1][0]
    with pytest.raises(SchemaBehind, match=rf"^warehouse schema is at 000, newsflow needs {latest:03d}: "
                                           r"run `newsflow db migrate`$"):
        require_current_schema(empty_database)
    migrate(empty_database)
    assert require_current_schema(empty_database) == latest
    assert _drop_latest_migration_record(empty_database) == latest
    previous = migrations()[-2][0]  # numbers may skip: the one before the latest file
    with pytest.raises(SchemaBehind, match=rf"is at {previous:03d}, newsflow needs {latest:03d}: run"):
        require_current_schema(empty_database)


def test_schema_check_follows_the_migration_files_present(empty_database, tmp_path, monkeypatch):
    from newsflow import warehouse

    warehouse.migrate(empty_database)
    latest = warehouse.migrations()[-1][0]
    folder = tmp_path / "migrations"
    folder.mkdir()
    for _, _, path in warehouse.migrations():
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / f"{latest + 1:03d}_next.sql").write_text("CREATE TABLE meta.next_step (id integer);\n")
    monkeypatch.setattr(warehouse, "MIGRATIONS_DIR", folder)
    with pytest.raises(warehouse.SchemaBehind, match=rf"at {latest:03d}, newsflow needs {latest + 1:03d}"):
        warehouse.require_current_schema(empty_database)


@pytest.mark.parametrize("dag_id, first_task", [("newsflow_daily", "build_marts"),
                                                ("newsflow_ingest", "site_groups")])
def test_a_run_on_a_behind_warehouse_fails_first_and_changes_nothing(airflow_db, empty_database, monkeypatch,
                                                                       capfd, dag_id, first_task):
    from datetime import datetime, timezone

    from airflow.dag_processing.dagbag import DagBag

    from newsflow.warehouse import migrate, migrations

    migrate(empty_database)
    _drop_latest_migration_record(empty_database)
    monkeypatch.setenv("NEWSFLOW_WAREHOUSE_URL", empty_database)
    monkeypatch.setenv("NEWSFLOW_TASK_RETRIES", "2")  # the deployment retries; a behind schema must not
    dag = DagBag(dag_folder=str(DAGS / f"{dag_id}.py")).dags[dag_id]
    dagrun = dag.test(logical_date=datetime(2024, 12, 3, tzinfo=timezone.utc))
    instances = {ti.task_id: ti for ti in dagrun.get_task_instances()}
    states = {task_id: ti.state for task_id, ti in instances.items()}
    assert dagrun.state == "failed"
    assert states[first_task] == "failed" and instances[first_task].try_number == 1, "failed at once, no retries"
    assert all(state != "success" for state in states.values()), states
    out, err = capfd.readouterr()
    versions = [version for version, _, _ in migrations()]
    expected = f"warehouse schema is at {versions[-2]:03d}, newsflow needs {versions[-1]:03d}: run `newsflow db migrate`"
    assert expected in out + err


# --- scripts/services.sh: the DAGs are unpaused only once the API server can take task reports ---

SERVICES = DAGS.parent / "scripts" / "services.sh"


def _shell_functions(*names: str) -> str:
    """The definitions of some functions of services.sh (the script itself starts services)."""
    import re

    text = SERVICES.read_text(encoding="utf-8")
    found = [re.search(rf"^{name}\(\) \{{.*?\}}$", text, re.M | re.S) for name in names]
    assert all(found), names
    return "\n".join(match.group(0) for match in found)


class _FakeApiServer:
    """Answers /api/v2/monitor/health with a given JSON and /execution/health when told to."""

    def __init__(self):
        import http.server
        import threading

        owner = self
        self.health: dict = {}
        self.execution_up = False

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                import json

                if self.path == "/api/v2/monitor/health":
                    self._answer(200, json.dumps(owner.health).encode())
                elif self.path == "/execution/health" and owner.execution_up:
                    self._answer(200, b'{"status": "healthy"}')
                else:
                    self._answer(404, b"{}")

            def _answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _airflow_ready(port: int) -> bool:
    import os
    import subprocess

    script = _shell_functions("answers", "airflow_ready") + "\nairflow_ready"
    env = {**os.environ, "NEWSFLOW_AIRFLOW_PORT": str(port)}
    return subprocess.run(["bash", "-c", script], env=env, timeout=30).returncode == 0


def test_services_script_is_valid_bash_and_creates_dags_paused():
    import subprocess

    assert subprocess.run(["bash", "-n", str(SERVICES)]).returncode == 0
    text = SERVICES.read_text(encoding="utf-8")
    assert "export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=True" in text
    start = text.index("start_airflow() {")
    # inside start_airflow: pause, start, wait for the API server, and only then unpause
    order = [text.index(step, start) for step in ("airflow dags pause", "airflow standalone", "airflow_ready",
                                                    "airflow dags unpause")]
    assert order == sorted(order)


def test_services_wait_for_a_healthy_api_server_and_its_execution_api():
    healthy = {"metadatabase": {"status": "healthy"}, "scheduler": {"status": "healthy"},
               "triggerer": {"status": "healthy"}, "dag_processor": {"status": "healthy"}}
    api = _FakeApiServer()
    try:
        api.health = {**healthy, "scheduler": {"status": "unhealthy"}}
        api.execution_up = True
        assert not _airflow_ready(api.port)  # the scheduler has not sent a heartbeat yet
        api.health, api.execution_up = healthy, False
        assert not _airflow_ready(api.port)  # the execution API does not answer yet
        api.health = {**healthy, "dag_processor": None}
        api.execution_up = True
        assert not _airflow_ready(api.port)
        api.health = healthy
        assert _airflow_ready(api.port)
    finally:
        api.close()
    assert not _airflow_ready(api.port)  # connection refused


# --- alerts, retries and the warehouse Connection --------------------------------------------------

def test_every_task_alerts_on_failure_and_only_network_tasks_retry_more_than_once(dagbag):
    from newsflow.alerts import NewsflowNotifier
    from newsflow.dag_settings import NETWORK_RETRIES

    network = {("newsflow_ingest", "ingest_site"), ("newsflow_archive", "ingest_day")}
    for dag_id in EXPECTED:
        for task in dagbag.dags[dag_id].tasks:
            callbacks = task.on_failure_callback if isinstance(task.on_failure_callback, list) \
                else [task.on_failure_callback]
            assert any(isinstance(c, NewsflowNotifier) for c in callbacks), f"{dag_id}.{task.task_id}"
            if (dag_id, task.task_id) in network:
                assert task.retries == NETWORK_RETRIES, f"{dag_id}.{task.task_id}"
            else:
                assert task.retries <= 1, f"{dag_id}.{task.task_id} retries {task.retries}"
    ingest = dagbag.dags["newsflow_ingest"]
    assert ingest.get_task("check_polls").trigger_rule == "all_done_min_one_success"
    assert {"check_polls", "check_freshness"} <= set(ingest.task_ids)


def test_newsflow_daily_has_the_marts_deadline(monkeypatch):
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import AsyncCallback, DeadlineReference

    monkeypatch.setenv("NEWSFLOW_DEADLINE_ALERTS", "1")  # as deployed; conftest turns it off for dag.test()
    daily = DagBag(dag_folder=str(DAGS / "newsflow_daily.py")).dags["newsflow_daily"]
    (deadline,) = daily.deadline
    # the run's logical date is the start of its day: due at 02:00 UTC of the next day
    assert deadline.reference == DeadlineReference.DAGRUN_LOGICAL_DATE
    assert deadline.interval == timedelta(hours=26)
    assert isinstance(deadline.callback, AsyncCallback)
    assert deadline.callback.path == "newsflow.alerts.NewsflowNotifier"
    assert deadline.callback.kwargs == {"kind": "deadline_missed"}


def test_connection_url_keeps_credentials_and_libpq_options():
    from airflow.sdk import Connection

    from newsflow.config import connection_url

    conn = Connection.from_uri("postgresql://news%40flow:p%3Ass%2Fw@db.example:6432/wh?sslmode=require&other=x",
                               conn_id="newsflow_warehouse")
    assert connection_url(conn) == "postgresql://news%40flow:p%3Ass%2Fw@db.example:6432/wh?sslmode=require"
    assert connection_url(Connection(conn_id="w", conn_type="postgres", host="127.0.0.1", schema="wh")) \
        == "postgresql://127.0.0.1/wh"


def test_tasks_read_the_warehouse_connection_and_the_command_line_the_url(airflow_db, warehouse, warehouse_url,
                                                                         monkeypatch):
    from datetime import datetime, timezone

    from airflow.dag_processing.dagbag import DagBag

    from newsflow.config import warehouse_url as configured

    base, _, _ = warehouse_url.rpartition("/")
    missing = f"{base}/newsflow_no_such_database"
    monkeypatch.setenv("NEWSFLOW_WAREHOUSE_URL", missing)
    monkeypatch.setenv("AIRFLOW_CONN_NEWSFLOW_WAREHOUSE", warehouse_url)
    assert configured() == missing  # outside a task: the environment, Airflow is not asked
    daily = DagBag(dag_folder=str(DAGS / "newsflow_daily.py")).dags["newsflow_daily"]
    dagrun = daily.test(logical_date=datetime(2024, 12, 2, tzinfo=timezone.utc))
    assert dagrun.state == "success"  # only the Connection leads to the migrated warehouse
    with warehouse.cursor() as cur:
        cur.execute("SELECT count(*) FROM mart.data_check WHERE day = '2024-12-01'")
        assert cur.fetchone()[0] == 3
    monkeypatch.delenv("AIRFLOW_CONN_NEWSFLOW_WAREHOUSE")
    assert daily.test(logical_date=datetime(2024, 12, 3, tzinfo=timezone.utc)).state == "failed"
