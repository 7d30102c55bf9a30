"""What the browser tests share: Debian's chromium driven by Playwright (never a downloaded browser),
free local ports, and a warehouse filled from the replay through real Airflow runs."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
INGEST_AT = datetime(2024, 12, 3, 23, 45, tzinfo=timezone.utc)
DAILY_AT = datetime(2024, 12, 4, 0, 0, tzinfo=timezone.utc)   # the newsflow_daily run for 3 Dec


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def chromium():
    """A headless Debian chromium under Playwright; fails (never skips) when it is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `bash scripts/browser.sh` (Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def fill_from_replay():
    """The replay through real Airflow runs: ingest, extract, then the daily marts and checks."""
    from airflow.dag_processing.dagbag import DagBag

    os.environ["NEWSFLOW_TASK_RETRIES"] = "0"
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    for dag_id, at in (("newsflow_ingest", INGEST_AT), ("newsflow_extract", INGEST_AT), ("newsflow_daily", DAILY_AT)):
        dagrun = bag.dags[dag_id].test(logical_date=at)
        assert dagrun.state == "success", dag_id
    return bag


@contextmanager
def web_server(command: list[str], env: dict, port: int, health_path: str, log_path: Path, what: str):
    """A server process in its own session on 127.0.0.1:port; yields its base URL once health_path
    answers, and ends its whole process group afterwards."""
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(base + health_path, timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{what} did not start:\n" + log_path.read_text(errors="replace")[-3000:])
                time.sleep(1)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
