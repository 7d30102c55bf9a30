"""Regenerate docs/data_dictionary.md from a freshly migrated, throwaway warehouse database.

Usage: python scripts/gen_dictionary.py [--check]
The PostgreSQL server comes from NEWSFLOW_TEST_PG_URL (a server URL) or the private cluster on
127.0.0.1:${NEWSFLOW_PG_PORT:-5433}. --check exits 1 when the committed file is stale.
"""
from __future__ import annotations

import argparse
import os
import sys
import uuid
from pathlib import Path

import psycopg2

from newsflow.dictionary import data_dictionary_markdown
from newsflow.warehouse import migrate

DOC = Path(__file__).resolve().parents[1] / "docs" / "data_dictionary.md"


def server_url() -> str:
    url = os.environ.get("NEWSFLOW_TEST_PG_URL")
    if url:
        return url
    return f"postgresql://postgres@127.0.0.1:{os.environ.get('NEWSFLOW_PG_PORT', '5433')}/postgres"


def generate() -> str:
    """The dictionary of a brand-new database migrated to the latest version (dropped afterwards)."""
    server = server_url()
    admin = psycopg2.connect(server)
    admin.autocommit = True
    name = f"newsflow_dictionary_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    try:
        url = f"{server.rpartition('/')[0]}/{name}"
        migrate(url)
        conn = psycopg2.connect(url)
        try:
            return data_dictionary_markdown(conn)
        finally:
            conn.close()
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/data_dictionary.md is stale")
    args = parser.parse_args()
    text = generate()
    if args.check:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is stale: run python scripts/gen_dictionary.py", file=sys.stderr)
            return 1
        print(f"{DOC} is up to date")
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
