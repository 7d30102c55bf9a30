"""The Postgres warehouse: connections, versioned migrations, bulk loads. SQL lives in sql/*.sql."""
from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import psycopg2
import psycopg2.errors
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
    with connection(url) as conn:
        with conn:
            yield conn


@contextmanager
def connection(url: str | None = None) -> Iterator:
    """A connection for several short transactions: each `with conn:` block commits or rolls back."""
    conn = connect(url)
    try:
        yield conn
    except psycopg2.InterfaceError as exc:
        cause = real_error(exc, conn)
        if cause is not exc:
            raise cause from None
        raise
    finally:
        conn.close()


def real_error(exc: BaseException, conn) -> BaseException:
    """The error to report for `exc` raised on `conn`: on a dead connection the rollbacks raise
    "connection already closed", and the error that ended it is their context."""
    cause = exc
    while isinstance(cause, psycopg2.InterfaceError) and cause.__context__ is not None:
        cause = cause.__context__
    return cause if conn is not None and conn.closed else exc


# Advisory lock keys (pg_advisory_xact_lock(LOCK_NAMESPACE, key)): one writer at a time where the
# order of writes decides the result or where writers would read each other's half-done work.
LOCK_NAMESPACE = 7312026
LOCK_ARTICLE_LOAD = 1    # extraction: pages load one at a time, in pending order (dedup sees its predecessors)
LOCK_EVENT_MERGE = 2     # event mentions and the events merged from them
LOCK_MARTS = 3           # the daily marts of a day range (delete-and-rebuild)
LOCK_PAGE_ORDER = 4      # pages get their extraction order (raw.page.extract_order) from one planner at a time


def lock(cur, key: int) -> None:
    """Wait for the advisory lock `key`; it is released when the transaction ends."""
    cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, key))


@contextmanager
def work_claim(name: str, url: str | None = None) -> Iterator[None]:
    """Hold a named unit of work (for example one source's archived day) across several transactions.

    A session-level advisory lock on its own connection: a second claimant of the same name waits,
    and a crashed holder releases it with its connection.
    """
    conn = connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", (LOCK_NAMESPACE, name))
        yield
    finally:
        conn.close()  # releases the lock


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


def migrate(url: str | None = None, up_to: int | None = None) -> list[str]:
    """Apply pending migrations in order (up to version `up_to` when given). Returns the names applied."""
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
            if version in done or (up_to is not None and version > up_to):
                continue
            cur.execute(path.read_text(encoding="utf-8"))
            cur.execute("INSERT INTO meta.schema_version (version, name) VALUES (%s, %s)", (version, name))
            applied.append(name)
    return applied


def schema_version(url: str | None = None) -> int:
    with transaction(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(version), 0) FROM meta.schema_version")
        return cur.fetchone()[0]


class SchemaBehind(RuntimeError):
    """The warehouse lacks migrations this newsflow ships: `newsflow db migrate` applies them."""


def require_current_schema(url: str | None = None) -> int:
    """The warehouse's schema version; raise SchemaBehind when a migration file present is not applied.

    Migrations run at deploy time (`newsflow db migrate`), not in the DAGs: their tasks call this
    first. The files are read at run time, so a newly added migration is required at once.
    """
    shipped = [version for version, _, _ in migrations()]
    try:
        with transaction(url) as conn, conn.cursor() as cur:
            cur.execute("SELECT version FROM meta.schema_version")
            applied = {row[0] for row in cur.fetchall()}
    except psycopg2.errors.UndefinedTable:  # never migrated: no meta.schema_version yet
        applied = set()
    missing = [version for version in shipped if version not in applied]
    if missing:
        current = max(applied, default=0)
        skipped = [f"{v:03d}" for v in missing if v < current]  # e.g. two branches' migrations merged
        also = f" (and the skipped {', '.join(skipped)})" if skipped else ""
        raise SchemaBehind(f"warehouse schema is at {current:03d}, newsflow needs {max(shipped):03d}{also}: "
                           "run `newsflow db migrate`")
    return max(applied, default=0)


def bulk_upsert(cur, statement: str, rows: Sequence[Sequence], page_size: int = 500) -> None:
    """Run an INSERT ... VALUES %s [ON CONFLICT ...] statement for many rows at once.

    Text is cleaned of what PostgreSQL refuses (NUL): the last guard, after the places text enters."""
    if rows:
        psycopg2.extras.execute_values(cur, statement, [clean_value(row) for row in rows], page_size=page_size)


def fetch_dicts(cur, statement: str, params: Iterable | dict | None = None) -> list[dict]:
    cur.execute(statement, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]
