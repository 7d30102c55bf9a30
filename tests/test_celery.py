"""Work spread over workers: the mapped batches of extraction and event coding, and a real DAG run
through Airflow's CeleryExecutor (Redis as the broker, one `airflow celery worker`, the API server
the worker's task processes report to, all as subprocesses on free ports with a throwaway Airflow
home and a throwaway PostgreSQL metadata database)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, table_snapshot
from scratch_db import scratch_database
from test_concurrency import INGEST_END, INGEST_START, at_once, empty, scalar, stored_pages  # noqa: F401

# the replay's first phase, as tests/test_concurrency.py ingests it: dag.test() runs the interval that
# ends at its logical date (23:45-00:00)
LOGICAL_DATE = INGEST_END


@pytest.mark.parametrize("chained", [True, False], ids=["chained", "keys only"])
def test_mapped_extraction_batches_at_once_load_as_one_run_would(warehouse, stored_pages, chained):
    """Chained: as the DAG maps them, each batch waiting for the page before it; keys only: each batch
    reads the pages pending before its own."""
    from newsflow import pipeline

    batches = pipeline.chained_page_batches(size=4)
    assert pipeline.extract_pending()["pages"] == stored_pages
    expected = table_snapshot(warehouse)
    # the order matters: a copy loaded before its original would be the original. The replay holds
    # such a pair (the Idlib air-strike story of two wires) in two different batches of four.
    batch_of = {key[0]: i for i, batch in enumerate(batches) for key in batch["keys"]}
    with warehouse.cursor() as cur:
        cur.execute("SELECT copy.canonical_url, original.canonical_url FROM core.article copy"
                    " JOIN core.article original ON original.article_id = copy.duplicate_of")
        pairs = cur.fetchall()
    assert any(batch_of[copy] > batch_of[original] for copy, original in pairs)

    empty(warehouse, ("core", "mart"))
    assert [b["keys"] for b in batches] == pipeline.pending_page_batches(size=4)
    assert [b["after_key"] for b in batches] == [None] + [b["keys"][-1] for b in batches[:-1]]
    if not chained:
        batches = [{"keys": b["keys"]} for b in batches]
    assert len(batches) >= 4 and sum(len(b["keys"]) for b in batches) == stored_pages
    # the last batch starts first: it extracts its pages at once and waits for the earlier ones to load
    results = at_once(*(lambda b=batch: pipeline.extract_pending(**b) for batch in reversed(batches)))
    assert sum(r["pages"] for r in results) == stored_pages
    assert sum(r["error"] for r in results) == 0
    assert table_snapshot(warehouse) == expected
    # a batch run again (a retry, a second worker) finds its pages done
    again = pipeline.extract_pending(**batches[0])
    assert again["pages"] == 0 and again["done_elsewhere"] == len(batches[0]["keys"])
    again = pipeline.extract_pending(**batches[-1])
    assert again["pages"] == 0 and again["done_elsewhere"] == len(batches[-1]["keys"])
    assert table_snapshot(warehouse) == expected


@pytest.mark.parametrize("chained", [True, False], ids=["chained", "keys only"])
def test_a_batch_whose_earlier_batch_never_comes_loads_those_pages_itself(warehouse, stored_pages, monkeypatch,
                                                                           chained):
    from datetime import timedelta

    from newsflow import pipeline

    pipeline.extract_pending()
    expected = table_snapshot(warehouse)
    empty(warehouse, ("core", "mart"))
    monkeypatch.setattr(pipeline, "EARLIER_BATCH_WAIT", timedelta(seconds=1))
    first, second = pipeline.chained_page_batches(size=(stored_pages + 1) // 2)
    assert second["after_key"] == first["keys"][-1]
    late = pipeline.extract_pending(**(second if chained else {"keys": second["keys"]}))
    assert late["pages"] == stored_pages  # the first batch's pages, then its own, in pending order
    assert pipeline.extract_pending(**first) == {"pages": 0, "ok": 0, "error": 0,
                                                 "done_elsewhere": len(first["keys"])}
    assert table_snapshot(warehouse) == expected


LATE_PAGE = """
INSERT INTO raw.page (canonical_url, content_sha256, url, final_url, feed_id, http_status, headers, html_gz,
                      fetched_at)
SELECT 'https://late-copies.example/' || md5(canonical_url), content_sha256, url, final_url, feed_id, http_status,
       headers, html_gz, fetched_at - interval '1 day'
FROM raw.page WHERE canonical_url = %s AND content_sha256 = %s
"""


@pytest.mark.parametrize("chained", [True, False], ids=["chained", "keys only"])
@pytest.mark.parametrize("arrives", ["after the plan", "after its original loaded"])
def test_a_page_stored_after_the_plan_loads_after_every_batch_of_it(warehouse, stored_pages, chained, arrives):
    """A page stored while a run's batches load (a feed poll during the run, an archive day of the
    past) that was fetched before every page of the run still loads after all of them, in the next
    run: so which of two copies is the original does not depend on when a batch ran, and extracting
    everything again from raw.page in one run gives the same warehouse."""
    from newsflow import pipeline

    batches = pipeline.chained_page_batches(size=4)
    pipeline.extract_pending()
    # the original: an article with a text of its own, in the second batch
    with warehouse.cursor() as cur:
        cur.execute("SELECT e.canonical_url, e.content_sha256 FROM core.page_extraction e"
                    " JOIN core.article a USING (article_id)"
                    " WHERE a.duplicate_of IS NULL AND length(a.text) > 500 AND e.canonical_url = ANY(%s)"
                    " ORDER BY 1 LIMIT 1", ([k[0] for k in batches[1]["keys"]],))
        original = cur.fetchone()
    assert original is not None
    empty(warehouse, ("core", "mart"))
    if not chained:
        batches = [{"keys": b["keys"]} for b in batches]

    # the copy of it, under another site's address, fetched a day before every page of the run
    # (pending order by fetch time alone put it before the original and loaded it wherever it fell)
    loaded = 0
    if arrives == "after the plan":
        with warehouse.cursor() as cur:
            cur.execute(LATE_PAGE, original)
    for i, batch in enumerate(batches):
        loaded += pipeline.extract_pending(**batch)["pages"]
        if i == 1 and arrives == "after its original loaded":
            with warehouse.cursor() as cur:
                cur.execute(LATE_PAGE, original)
    assert loaded == stored_pages  # the run's batches loaded their own pages only
    next_run = pipeline.chained_page_batches(size=4)
    assert len(next_run) == 1 and len(next_run[0]["keys"]) == 1
    assert pipeline.extract_pending(**next_run[0])["ok"] == 1

    with warehouse.cursor() as cur:
        cur.execute("SELECT copy.duplicate_of = o.article_id, o.duplicate_of FROM core.page_extraction ce"
                    " JOIN core.article copy ON copy.article_id = ce.article_id,"
                    " core.page_extraction oe JOIN core.article o ON o.article_id = oe.article_id"
                    " WHERE ce.canonical_url LIKE 'https://late-copies.example/%%'"
                    " AND (oe.canonical_url, oe.content_sha256) = (%s, %s)", original)
        assert cur.fetchall() == [(True, None)]  # the page loaded first is the original
    incremental = table_snapshot(warehouse, ("core",))
    empty(warehouse, ("core", "mart"))
    assert pipeline.extract_pending()["pages"] == stored_pages + 1
    assert table_snapshot(warehouse, ("core",)) == incremental


def test_mapped_event_batches_at_once_code_as_one_run_would(warehouse, stored_pages):
    from newsflow import pipeline

    pipeline.extract_pending()
    articles = scalar(warehouse, "SELECT count(*) FROM core.article WHERE text <> ''")
    assert pipeline.code_events()["articles"] == articles
    expected = table_snapshot(warehouse)

    with warehouse.cursor() as cur:
        cur.execute("TRUNCATE core.event_mention, core.event")
        cur.execute("UPDATE core.article SET events_coded_version = NULL")
    listed = pipeline.article_batches(size=5)
    batches = listed["batches"]
    assert len(batches) >= 3 and sum(map(len, batches)) == articles
    json.dumps(batches)  # they travel as XCom
    results = at_once(*(lambda b=batch: pipeline.code_events(article_ids=b) for batch in batches))
    assert sum(r["articles"] for r in results) == articles
    assert sum(r["errors"] for r in results) == 0
    assert table_snapshot(warehouse) == expected
    assert pipeline.code_events(article_ids=batches[0])["done_elsewhere"] == len(batches[0])


# --- a DAG run through the CeleryExecutor ------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(what: str, ready, timeout: float, processes: dict) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, (proc, log) in processes.items():
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{_tail(log)}")
        if ready():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}:\n" +
                         "\n".join(f"--- {n}\n{_tail(log)}" for n, (_, log) in processes.items()))


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@contextmanager
def _processes(home: Path, env: dict, commands: dict):
    """Start each command in its own process group (logs in `home`), stop them all at the end."""
    started = {}
    try:
        for name, command in commands.items():
            log = home / f"{name}.log"
            proc = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            started[name] = (proc, log)
        yield started
    finally:
        for proc, _ in started.values():
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
        for proc, _ in started.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()


# Runs in its own process with the Celery deployment's configuration: dag.test() hands each task to
# the configured executor (CeleryExecutor) instead of running it itself.
DRIVER = """
import json, sys
from datetime import datetime
from airflow.dag_processing.dagbag import DagBag
from airflow.models.pool import Pool
Pool.create_or_update_pool("newsflow_http", slots=4, description="newsflow HTTP work", include_deferred=False)
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags[sys.argv[2]]
run = dag.test(logical_date=datetime.fromisoformat(sys.argv[3]), use_executor=True)
tis = run.get_task_instances()
print(json.dumps({"state": str(run.state), "tasks": [[ti.task_id, ti.map_index, str(ti.state), ti.hostname]
                                                      for ti in tis]}))
"""


@pytest.fixture
def celery_deployment(warehouse_url, tmp_path):
    """Redis, the API server and one Celery worker; yields a function that runs a DAG through them."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server; CI installs it)")
    bin_dir = Path(sys.executable).parent
    with scratch_database(warehouse_url) as metadata_url:
        home = Path(tempfile.mkdtemp(prefix="newsflow-celery-", dir=tmp_path))
        redis_port, api_port = _free_port(), _free_port()
        sql_conn = metadata_url.replace("postgresql://", "postgresql+psycopg2://", 1)
        env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sql_conn,
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{sql_conn}",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API_AUTH__JWT_SECRET": "newsflow-test-celery-jwt-secret",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "NEWSFLOW_TASK_RETRIES": "0",
        }
        migrate = subprocess.run([str(bin_dir / "airflow"), "db", "migrate"], env=env, capture_output=True,
                                 text=True, timeout=600)
        assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
        commands = {
            "redis": ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port), "--dir", str(home),
                      "--save", "", "--appendonly", "no"],
            "api-server": [str(bin_dir / "airflow"), "api-server", "--port", str(api_port)],
            "worker": [str(bin_dir / "airflow"), "celery", "worker", "--concurrency", "2", "--skip-serve-logs",
                       "--celery-hostname", "newsflow-test-worker@%h"],
        }
        with _processes(home, env, commands) as processes:
            _wait("the API server's execution API", lambda: _answers(f"http://127.0.0.1:{api_port}/execution/health"),
                  300, processes)
            _wait("the Celery worker", lambda: "ready" in _tail(processes["worker"][1], 200), 300, processes)

            def run_dag(dag_id: str) -> dict:
                driver = subprocess.run([sys.executable, "-c", DRIVER, str(ROOT / "dags"), dag_id,
                                         LOGICAL_DATE.isoformat()], env=env, capture_output=True, text=True,
                                        timeout=900)
                logs = "\n".join(f"--- {n}\n{_tail(log)}" for n, (_, log) in processes.items())
                assert driver.returncode == 0, driver.stderr[-4000:] + logs
                result = json.loads(driver.stdout.strip().splitlines()[-1])
                failed = [t for t in result["tasks"] if t[2] != "success" and t[2] != "skipped"]
                assert result["state"] == "success" and not failed, (result, driver.stderr[-4000:], logs)
                return result

            yield run_dag


def test_ingest_and_extract_dags_run_through_a_celery_worker_as_in_one_process(warehouse, replay,
                                                                               celery_deployment):
    from newsflow import pipeline

    ingest = celery_deployment("newsflow_ingest")
    ran = {(task_id, map_index) for task_id, map_index, _, _ in ingest["tasks"]}
    # every task ran on the worker, the extraction as mapped batches
    assert all(host for _, _, _, host in ingest["tasks"])
    assert sum(1 for task_id, index in ran if task_id == "extract_articles.extract_batch" and index >= 0) >= 1
    pages = scalar(warehouse, "SELECT count(*) FROM raw.page")
    assert pages >= 30
    assert scalar(warehouse, "SELECT count(*) FROM core.page_extraction") == pages
    assert scalar(warehouse, "SELECT count(*) FROM core.page_extraction WHERE status <> 'ok'") == 0

    coded = celery_deployment("newsflow_extract")
    assert any(task_id == "code_events" for task_id, _, _, _ in coded["tasks"])
    assert scalar(warehouse, "SELECT count(*) FROM core.article WHERE text <> ''"
                             " AND events_coded_version IS DISTINCT FROM version") == 0
    assert scalar(warehouse, "SELECT count(*) FROM core.event_mention") > 0
    through_celery = table_snapshot(warehouse, ("raw", "core"))

    # the same interval in this process, task body after task body: the same warehouse
    empty(warehouse)
    pipeline.ingest_all(INGEST_START, INGEST_END)
    pipeline.extract_pending()
    pipeline.code_events()
    assert table_snapshot(warehouse, ("raw", "core")) == through_celery


# --- make run WORKERS=N: scripts/env.sh and scripts/services.sh ----------------------------------------

SCRIPTS = ROOT / "scripts"


def _env_after_sourcing(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__CELERY__", "NEWSFLOW_WORKERS"))}
    env.pop("WORKERS", None)
    env.pop("AIRFLOW__CORE__EXECUTOR", None)
    out = subprocess.run(["bash", "-c", f". {SCRIPTS / 'env.sh'} && env -0"], env={**env, **extra},
                         capture_output=True, check=True).stdout
    return dict(item.split("=", 1) for item in out.decode().split("\0") if "=" in item)


def test_workers_switch_the_executor_to_celery_with_the_private_redis():
    local = _env_after_sourcing({})
    assert local["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor" and local["NEWSFLOW_WORKERS"] == "0"
    assert "AIRFLOW__CELERY__BROKER_URL" not in local
    celery = _env_after_sourcing({"NEWSFLOW_WORKERS": "2", "NEWSFLOW_REDIS_PORT": "6399"})
    assert celery["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert celery["AIRFLOW__CELERY__BROKER_URL"] == "redis://127.0.0.1:6399/0"
    assert celery["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + celery["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert _env_after_sourcing({"WORKERS": "3"})["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "NEWSFLOW_WORKERS=$(WORKERS) bash scripts/services.sh run" in makefile
    assert "NEWSFLOW_WORKERS=$(WORKERS) bash scripts/services.sh demo" in makefile


def test_services_start_redis_privately_and_stop_it_by_its_pid(tmp_path):
    """start_redis of scripts/services.sh: Redis on its port with data under var/, tracked by a pid
    file; `stop` ends the Celery workers, Airflow's components and Redis by their pid files."""
    import re

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server; CI installs it)")
    text = (SCRIPTS / "services.sh").read_text(encoding="utf-8")
    functions = "\n".join(re.search(rf"^{name}\(\) \{{.*?^\}}$", text, re.M | re.S).group(0)
                          for name in ("is_running", "start_detached", "wait_until", "start_redis"))
    port = _free_port()
    script = f"set -euo pipefail\nrun_dir={tmp_path}/run\nmkdir -p $run_dir\ncd {tmp_path}\n{functions}\nstart_redis\n"
    env = {**os.environ, "NEWSFLOW_ROOT": str(tmp_path), "NEWSFLOW_REDIS_PORT": str(port)}
    subprocess.run(["bash", "-c", script], env=env, check=True, timeout=60)
    pid = int((tmp_path / "run" / "redis.pid").read_text())
    try:
        ping = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, timeout=10)
        assert ping.stdout.strip() == "PONG"
        assert (tmp_path / "var" / "redis").is_dir()
    finally:
        os.killpg(pid, 15)
    stop = text[text.index("  stop)"):]
    assert "celery-worker-*.pid" in stop and "$CELERY_COMPONENTS redis" in stop
