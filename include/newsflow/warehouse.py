"""The Postgres warehouse: connections, versioned migrations, bulk loads. SQL lives in sql/*.sql."""
from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import psycopg2
import psycopg2.extras

from newsflow.config import warehouse_url
from newsflow.sanitize import clean_value

SQL_DIR = Path(__file__).with_name("sql")
MIGRATIONS_DIR = SQL_DIR / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

psycopg2.extras.register_uuid()


@lru_cache(maxsize=None)
def sql(name: str) -> str:
    """The text of sql/<name>.sql."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def connect(url: str | None = None):
    conn = psycopg2.connect(url or warehouse_url())
    conn.autocommit = False
    return conn


@contextmanager
def transaction(url: str | None = None) -> Iterator:
    """A connection whose work commits on success and rolls back on error."""
    conn = connect(url)
    try:
        with conn:
            yield conn
    except psycopg2.InterfaceError as exc:
        # on a dead connection the rollbacks raise "connection already closed": raise the real error
        cause = exc
        while isinstance(cause, psycopg2.InterfaceError) and cause.__context__ is not None:
            cause = cause.__context__
        if conn.closed and cause is not exc:
            raise cause from None
        raise
    finally:
        conn.close()


def migrations() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file name must look like 001_name.sql: {path.name}")
        found.append((int(match.group(1)), path.stem, path))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError("two migrations share a version number")
    return found


def migrate(url: str | None = None) -> list[str]:
    """Apply pending migrations in order, each in its own transaction. Returns the names applied."""
    applied = []
    with transaction(url) as conn, conn.cursor() as cur:
        # one migrator at a time (DAG tasks and the command line may race)
        cur.execute("SELECT pg_advisory_xact_lock(7312026)")
        cur.execute("CREATE SCHEMA IF NOT EXISTS meta")
        cur.execute("""CREATE TABLE IF NOT EXISTS meta.schema_version (
                         version integer PRIMARY KEY, name text NOT NULL,
                         applied_at timestamptz NOT NULL DEFAULT now())""")
        cur.execute("SELECT version FROM meta.schema_version")
        done = {row[0] for row in cur.fetchall()}
        for version, name, path in migrations():
            if version in done:
                continue
            cur.execute(path.read_text(encoding="utf-8"))
            cur.execute("INSERT INTO meta.schema_version (version, name) VALUES (%s, %s)", (version, name))
            applied.append(name)
    return applied


def schema_version(url: str | None = None) -> int:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(version), 0) FROM meta.schema_version")
        return cur.fetchone()[0]


def bulk_upsert(cur, statement: str, rows: Sequence[Sequence], page_size: int = 500) -> None:
    """Run an INSERT ... VALUES %s [ON CONFLICT ...] statement for many rows at once.

    Text is cleaned of what PostgreSQL refuses (NUL): the last guard, after the places text enters."""
    if rows:
        psycopg2.extras.execute_values(cur, statement, [clean_value(row) for row in rows], page_size=page_size)


def fetch_dicts(cur, statement: str, params: Iterable | dict | None = None) -> list[dict]:
    cur.execute(statement, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]
