"""Daily marts and events as files, for BI tools and notebooks that read files rather than a database.

`export_days(day_from, day_to, out_dir)` writes one CSV per table of `sql/export_tables.sql` (the
`bi` views, filtered to the day range) through pandas, with a header row even when the range is
empty. Files are rewritten whole, so exporting a range again gives the same bytes.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from newsflow.warehouse import sql

_NAMED = re.compile(r"^-- name: (\w+)\n(.*?)(?=^-- name: |\Z)", re.M | re.S)


def export_queries() -> dict[str, str]:
    """Table name -> query, in file order."""
    return {name: query.strip().rstrip(";") for name, query in _NAMED.findall(sql("export_tables"))}


def export_days(day_from: date, day_to: date, out_dir: str | Path, url: str | None = None) -> dict[str, int]:
    """Write `<table>.csv` for each exported table into out_dir; returns rows written per table."""
    import pandas as pd
    import sqlalchemy

    from newsflow.config import warehouse_url

    if day_to < day_from:
        raise ValueError(f"the range ends ({day_to}) before it starts ({day_from})")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    engine = sqlalchemy.create_engine(url or warehouse_url())
    counts = {}
    try:
        with engine.connect() as conn:
            for name, query in export_queries().items():
                frame = pd.read_sql_query(sqlalchemy.text(_to_named(query)), conn,
                                          params={"day_from": day_from, "day_to": day_to})
                frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
                counts[name] = len(frame)
    finally:
        engine.dispose()
    return counts


def _to_named(query: str) -> str:
    """psycopg2's %(name)s placeholders as SQLAlchemy's :name."""
    return re.sub(r"%\((\w+)\)s", r":\1", query)
