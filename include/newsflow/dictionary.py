"""The BI data dictionary, read from the warehouse's own comments (COMMENT ON) so it cannot drift.

`data_dictionary()` lists every column of every table and view in the `bi` and `mart` schemas;
`data_dictionary_markdown()` renders it as the page committed at docs/data_dictionary.md.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

DICTIONARY_SCHEMAS = ("bi", "mart")

_KINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table"}

_COLUMNS_SQL = """
SELECT n.nspname, c.relname, c.relkind, obj_description(c.oid, 'pg_class'),
       a.attname, format_type(a.atttypid, a.atttypmod), col_description(c.oid, a.attnum)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = ANY(%(schemas)s) AND c.relkind = ANY(%(kinds)s)
ORDER BY array_position(%(schemas)s, n.nspname::text), c.relname, a.attnum
"""

_SCHEMAS_SQL = """
SELECT nspname, obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = ANY(%(schemas)s)
"""


@contextmanager
def _connection(conn) -> Iterator:
    """The given connection, or a new one to the configured warehouse (closed afterwards)."""
    if conn is not None:
        yield conn
        return
    from newsflow.warehouse import connect

    own = connect()
    try:
        yield own
    finally:
        own.close()


def data_dictionary(conn=None, schemas: tuple[str, ...] = DICTIONARY_SCHEMAS) -> list[dict]:
    """One dict per column: schema, object, kind, object_comment, column, type, comment.

    Ordered by schema (as given), object name and column position. A missing comment is None.
    """
    params = {"schemas": list(schemas), "kinds": list(_KINDS)}
    with _connection(conn) as db, db.cursor() as cur:
        cur.execute(_COLUMNS_SQL, params)
        rows = cur.fetchall()
    return [{"schema": schema, "object": obj, "kind": _KINDS[kind], "object_comment": obj_comment,
             "column": column, "type": type_name, "comment": comment}
            for schema, obj, kind, obj_comment, column, type_name, comment in rows]


def _schema_comments(conn, schemas: tuple[str, ...]) -> dict[str, str | None]:
    with _connection(conn) as db, db.cursor() as cur:
        cur.execute(_SCHEMAS_SQL, {"schemas": list(schemas)})
        return dict(cur.fetchall())


def _cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell."""
    if not text:
        return ""
    return " ".join(text.split()).replace("|", "\\|")


def data_dictionary_markdown(conn=None, schemas: tuple[str, ...] = DICTIONARY_SCHEMAS) -> str:
    """The data dictionary as Markdown: a section per schema, a table of columns per object."""
    with _connection(conn) as db:
        columns = data_dictionary(db, schemas)
        schema_comments = _schema_comments(db, schemas)

    lines = ["# newsflow data dictionary", "",
             "Generated from the warehouse's `COMMENT ON` documentation by `newsflow db dictionary`",
             "(or `scripts/gen_dictionary.py`); do not edit by hand. See docs/warehouse.md for the star schema.",
             ""]
    current_schema = current_object = None
    for col in columns:
        if col["schema"] != current_schema:
            current_schema, current_object = col["schema"], None
            if lines[-1] != "":
                lines.append("")
            lines += [f"## Schema `{current_schema}`", ""]
            if schema_comments.get(current_schema):
                lines += [_cell(schema_comments[current_schema]), ""]
        if col["object"] != current_object:
            current_object = col["object"]
            if lines[-1] != "":
                lines.append("")
            lines += [f"### `{col['schema']}.{current_object}` ({col['kind']})", ""]
            if col["object_comment"]:
                lines += [_cell(col["object_comment"]), ""]
            lines += ["| column | type | description |", "| --- | --- | --- |"]
        lines.append(f"| `{col['column']}` | {col['type']} | {_cell(col['comment'])} |")
    return "\n".join(lines).rstrip("\n") + "\n"
