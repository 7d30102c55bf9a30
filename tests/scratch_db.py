"""A throwaway database on the test warehouse's server, for tests that need a second one."""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

import psycopg2


@contextmanager
def scratch_database(warehouse_url: str) -> Iterator[str]:
    """Create an empty database next to the warehouse; yield its URL; drop it (connections and all)."""
    base, _, _ = warehouse_url.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    name = f"newsflow_test_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
