"""scripts/pg.sh: the private cluster's password follows it when it is started on another port."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg2
import pytest

from browser import free_port

ROOT = Path(__file__).resolve().parents[1]


def _pg(root: Path, port: int, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("NEWSFLOW_WAREHOUSE_URL", "NEWSFLOW_PRIVATE_PG", "PGPASSFILE")}
    env["NEWSFLOW_PG_PORT"] = str(port)
    return subprocess.run(["bash", str(root / "scripts" / "pg.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path):
    """A folder laid out as the project, holding only scripts/pg.sh (its cluster under var/pg)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "pg.sh", tmp_path / "scripts" / "pg.sh")
    yield tmp_path
    _pg(tmp_path, 0, "stop")
    # a folder the postgres user cannot reach keeps its cluster outside it, named as pg.sh names it
    checksum = subprocess.run(["bash", "-c", 'printf %s "$1" | cksum | cut -d" " -f1', "-", str(tmp_path)],
                              capture_output=True, text=True).stdout.strip()
    shutil.rmtree(f"/var/tmp/newsflow-pg-{checksum}", ignore_errors=True)


def test_the_cluster_started_on_another_port_still_logs_in(project):
    first, second = free_port(), free_port()
    started = _pg(project, first, "start")
    assert started.returncode == 0, started.stderr
    assert "PostgreSQL superuser" in started.stdout  # the generated password, shown once
    assert _pg(project, first, "stop").returncode == 0

    restarted = _pg(project, second, "start")
    assert restarted.returncode == 0, restarted.stderr
    assert "without passwords" not in restarted.stderr
    passfile = project / "var" / "pgpass"
    assert oct(passfile.stat().st_mode & 0o777) == "0o600"
    lines = passfile.read_text().splitlines()
    assert {line.split(":")[1] for line in lines} == {str(first), str(second)}
    assert len({line.split(":", 4)[4] for line in lines}) == 1  # one cluster, one password
    with psycopg2.connect(host="127.0.0.1", port=second, user="postgres", dbname="newsflow_warehouse",
                          passfile=str(passfile), connect_timeout=5) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
        assert cur.fetchone() == (1,)
    # and a wrong password is refused: the cluster does require one
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host="127.0.0.1", port=second, user="postgres", password="wrong",
                         dbname="postgres", connect_timeout=5)
