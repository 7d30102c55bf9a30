"""The BI layer: documented star-schema views, the read-only role, the generated data dictionary."""
from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timezone
from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from newsflow.dictionary import data_dictionary, data_dictionary_markdown
from scratch_db import scratch_database
from newsflow.warehouse import migrate, migrations

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY_DOC = ROOT / "docs" / "data_dictionary.md"
STAR_VIEWS = {"fact_event", "fact_event_mention", "fact_article", "dim_source", "dim_location", "dim_actor",
              "dim_date", "dim_event_type", "daily_events", "daily_source_health", "daily_actor_activity",
              "story_cluster"}


def rows(conn, query, *params):
    with conn.cursor() as cur:
        cur.execute(query, params or None)
        return cur.fetchall()


def bi_views(conn) -> list[str]:
    return [r[0] for r in rows(conn, "SELECT table_name FROM information_schema.views"
                                     " WHERE table_schema = 'bi' ORDER BY 1")]


@pytest.fixture
def session(warehouse_url):
    """A plain connection (transactions not committed unless the test does)."""
    conn = psycopg2.connect(warehouse_url)
    yield conn
    conn.rollback()
    conn.close()


def test_bi_schema_has_the_star_schema_views(session):
    assert STAR_VIEWS <= set(bi_views(session))
    types = [r[0] for r in rows(session, "SELECT event_type FROM bi.dim_event_type ORDER BY sort_order")]
    from newsflow.events import PLOVER_TYPES
    assert types == list(PLOVER_TYPES)
    assert all(r[0] for r in rows(session, "SELECT description FROM bi.dim_event_type"))


def test_every_bi_and_mart_object_and_column_has_a_comment(session):
    undocumented = rows(session, """
        SELECT n.nspname || '.' || c.relname
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('bi', 'mart') AND c.relkind IN ('r', 'v', 'm')
          AND coalesce(trim(obj_description(c.oid, 'pg_class')), '') = ''""")
    assert undocumented == []
    undocumented = rows(session, """
        SELECT table_schema || '.' || table_name || '.' || column_name
        FROM information_schema.columns
        WHERE table_schema IN ('bi', 'mart')
          AND coalesce(trim(col_description(format('%I.%I', table_schema, table_name)::regclass,
                                            ordinal_position)), '') = ''""")
    assert undocumented == []


def test_read_only_role_reads_bi_and_mart_but_cannot_write(session):
    for view in bi_views(session):
        session.cursor().execute("SET LOCAL ROLE newsflow_bi")
        rows(session, f'SELECT * FROM bi."{view}" LIMIT 1')
        session.rollback()
    session.cursor().execute("SET LOCAL ROLE newsflow_bi")
    rows(session, "SELECT * FROM mart.daily_events LIMIT 1")
    session.rollback()

    forbidden = [
        "INSERT INTO core.source VALUES ('x', 'x', 'http://x', 'x', 'en', 'wire', true)",
        "UPDATE core.article SET title = 'x'",
        "DELETE FROM core.event",
        "SELECT * FROM core.article LIMIT 1",       # only through the bi views
        "SELECT * FROM raw.page LIMIT 1",
        "INSERT INTO mart.daily_events VALUES (current_date, 'SY', '', 'AID', 1, 1, 1, 1)",
        "CREATE VIEW bi.mine AS SELECT 1",
    ]
    for statement in forbidden:
        session.cursor().execute("SET LOCAL ROLE newsflow_bi")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            session.cursor().execute(statement)
        session.rollback()


def test_views_created_later_are_readable_by_the_role(session):
    with session.cursor() as cur:
        cur.execute("CREATE VIEW bi.added_later AS SELECT 1 AS one")
        cur.execute("SET LOCAL ROLE newsflow_bi")
        cur.execute("SELECT one FROM bi.added_later")
        assert cur.fetchone() == (1,)


def test_metabase_user_logs_in_with_the_role(session):
    (can_login, member), = rows(session, """
        SELECT rolcanlogin, pg_has_role('newsflow_metabase', 'newsflow_bi', 'MEMBER')
        FROM pg_roles WHERE rolname = 'newsflow_metabase'""")
    assert can_login and member
    (bi_login,), = rows(session, "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'newsflow_bi'")
    assert not bi_login


def test_dictionary_lists_every_bi_and_mart_column(session):
    listed = {(r["schema"], r["object"], r["column"]): (r["type"], r["comment"]) for r in data_dictionary(session)}
    expected = rows(session, """
        SELECT table_schema, table_name, column_name,
               col_description(format('%I.%I', table_schema, table_name)::regclass, ordinal_position)
        FROM information_schema.columns WHERE table_schema IN ('bi', 'mart')""")
    assert set(listed) == {(s, o, c) for s, o, c, _ in expected}
    for schema, obj, column, comment in expected:
        assert listed[(schema, obj, column)][1] == comment
    assert listed[("bi", "fact_event", "num_sources")][0] == "integer"
    assert listed[("bi", "dim_date", "day")][0] == "date"


def test_dictionary_connects_to_the_configured_warehouse(warehouse_url, session):
    # warehouse_url points NEWSFLOW_WAREHOUSE_URL at the test database
    assert data_dictionary() == data_dictionary(session)
    markdown = data_dictionary_markdown()
    for view in STAR_VIEWS:
        assert f"### `bi.{view}` (view)" in markdown


def test_committed_data_dictionary_is_up_to_date(session):
    generated = data_dictionary_markdown(session)
    committed = DICTIONARY_DOC.read_text(encoding="utf-8") if DICTIONARY_DOC.exists() else ""
    assert committed == generated, "docs/data_dictionary.md is stale: run scripts/gen_dictionary.py"


def test_second_database_on_the_same_cluster_migrates(warehouse_url):
    with scratch_database(warehouse_url) as url:
        # the roles already exist (the session database created them): this must not fail
        assert migrate(url) == [n for _, n, _ in migrations()]
        assert migrate(url) == []
        other = psycopg2.connect(url)
        try:
            (usage, select), = rows(other, "SELECT has_schema_privilege('newsflow_bi', 'bi', 'USAGE'),"
                                           " has_table_privilege('newsflow_bi', 'bi.fact_event', 'SELECT')")
            assert usage and select
        finally:
            other.close()


# --- on real data: the replay through the pipeline -------------------------------------------------

@pytest.fixture(scope="module")
def loaded(warehouse_url, replay_server):
    """The replay's first phase ingested in the last quarter hour of 3 Dec 2024, extracted, coded and
    aggregated by the daily run of 4 Dec (the day its articles were first seen; it revisits 2-3 Dec)."""
    from newsflow import pipeline

    conn = psycopg2.connect(warehouse_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("""SELECT string_agg(format('%I.%I', schemaname, tablename), ', ')
                       FROM pg_tables WHERE schemaname IN ('raw', 'core', 'mart')""")
        cur.execute(f"TRUNCATE {cur.fetchone()[0]} CASCADE")
    replay_server.set_phase(1)
    pipeline.ingest_all(datetime(2024, 12, 3, 23, 45, tzinfo=timezone.utc),
                        datetime(2024, 12, 4, 0, 0, tzinfo=timezone.utc))
    pipeline.extract_pending()
    pipeline.code_events()
    pipeline.daily(date(2024, 12, 4))
    yield conn
    conn.close()


def test_fact_keys_resolve_in_the_dimensions(loaded):
    conn = loaded
    assert rows(conn, "SELECT count(*) FROM bi.fact_event")[0][0] > 0
    assert rows(conn, "SELECT count(*) FROM bi.fact_article")[0][0] > 0
    assert rows(conn, "SELECT max(n_sources) FROM bi.story_cluster")[0][0] >= 2   # the republished wire story
    dangling = {
        "event type": "SELECT count(*) FROM bi.fact_event f LEFT JOIN bi.dim_event_type d USING (event_type)"
                      " WHERE d.event_type IS NULL",
        "event day": "SELECT count(*) FROM bi.fact_event f LEFT JOIN bi.dim_date d ON d.day = f.event_day"
                     " WHERE f.event_day IS NOT NULL AND d.day IS NULL",
        "event place": "SELECT count(*) FROM bi.fact_event f LEFT JOIN bi.dim_location d USING (location_key)"
                       " WHERE f.location_key IS NOT NULL AND d.location_key IS NULL",
        "mention place": "SELECT count(*) FROM bi.fact_event_mention f LEFT JOIN bi.dim_location d"
                         " USING (location_key) WHERE f.location_key IS NOT NULL AND d.location_key IS NULL",
        "actors": "SELECT count(*) FROM bi.fact_event f LEFT JOIN bi.dim_actor a1 ON a1.actor_key = f.actor1_key"
                  " LEFT JOIN bi.dim_actor a2 ON a2.actor_key = f.actor2_key"
                  " WHERE (f.actor1_key IS NOT NULL AND a1.actor_key IS NULL)"
                  "    OR (f.actor2_key IS NOT NULL AND a2.actor_key IS NULL)",
        "mention event": "SELECT count(*) FROM bi.fact_event_mention m LEFT JOIN bi.fact_event e USING (event_id)"
                         " WHERE m.event_id IS NOT NULL AND e.event_id IS NULL",
        # an event mention names its event; a candidate names none
        "mention flag": "SELECT count(*) FROM bi.fact_event_mention WHERE is_event <> (event_id IS NOT NULL)",
        "mention article": "SELECT count(*) FROM bi.fact_event_mention m LEFT JOIN bi.fact_article a"
                           " USING (article_id) WHERE a.article_id IS NULL",
        "article source": "SELECT count(*) FROM bi.fact_article a LEFT JOIN bi.dim_source s USING (source_id)"
                          " WHERE s.source_id IS NULL",
        "article cluster": "SELECT count(*) FROM bi.fact_article a LEFT JOIN bi.story_cluster c USING (cluster_id)"
                           " WHERE a.cluster_id IS NOT NULL AND c.cluster_id IS NULL",
        "published day": "SELECT count(*) FROM bi.fact_article a LEFT JOIN bi.dim_date d ON d.day = a.published_day"
                         " WHERE a.published_day IS NOT NULL AND d.day IS NULL",
    }
    assert {name: rows(conn, q)[0][0] for name, q in dangling.items()} == {name: 0 for name in dangling}
    for view, key in (("dim_location", "location_key"), ("dim_actor", "actor_key"), ("dim_date", "day"),
                      ("dim_source", "source_id"), ("fact_event", "event_id")):
        (total, distinct), = rows(conn, f"SELECT count(*), count(DISTINCT {key}) FROM bi.{view}")
        assert total == distinct, f"bi.{view}.{key} is not unique"


def test_location_key_is_the_documented_hash(loaded):
    places = rows(loaded, "SELECT location_key, country, admin1, location_name FROM bi.dim_location")
    assert places, "the replay should name at least one place"
    for key, country, admin1, name in places:
        expected = hashlib.md5("|".join(v or "" for v in (country, admin1, name)).encode()).hexdigest()
        assert key == expected


def test_bi_daily_totals_match_the_facts(loaded):
    (mart_events, mart_mentions), = rows(loaded, "SELECT sum(events), sum(mentions) FROM bi.daily_events")
    (fact_events, fact_mentions), = rows(loaded, """
        SELECT count(DISTINCT e.event_id), count(*)
        FROM bi.fact_event e JOIN bi.fact_event_mention m USING (event_id)
        WHERE e.event_day IN (SELECT day FROM bi.daily_events)""")
    assert (mart_events, mart_mentions) == (fact_events, fact_mentions)
    (by_type,), = rows(loaded, """
        SELECT count(*) FROM bi.daily_events d JOIN bi.dim_event_type t USING (event_type)""")
    assert by_type == rows(loaded, "SELECT count(*) FROM bi.daily_events")[0][0]
    health = rows(loaded, "SELECT count(*) FROM bi.daily_source_health WHERE day = '2024-12-04'")[0][0]
    assert health > 0


def test_dim_actor_labels_are_readable(loaded):
    actors = rows(loaded, "SELECT actor_code, label, sector, sector_name, mentions FROM bi.dim_actor")
    assert actors, "the replay should code at least one actor"
    for code, label, sector, sector_name, mentions in actors:
        assert label and mentions > 0
        if sector:
            assert sector_name and sector_name in label


def test_example_queries_in_the_docs_run_as_the_read_only_role(loaded):
    text = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    queries = re.findall(r"```sql\n(.*?)```", text, flags=re.S)
    assert len(queries) >= 5
    conn = psycopg2.connect(loaded.dsn)
    try:
        for query in queries:
            with conn.cursor() as cur:
                cur.execute("SET LOCAL ROLE newsflow_bi")
                cur.execute(query)
                cur.fetchall()
            conn.rollback()
    finally:
        conn.close()


def test_export_writes_the_marts_of_a_day_range_as_csv(loaded, warehouse_url, tmp_path):
    import csv

    from newsflow.export import export_days, export_queries

    counts = export_days(date(2024, 12, 1), date(2024, 12, 4), tmp_path / "a", url=warehouse_url)
    assert set(counts) == set(export_queries()) >= {"daily_events", "fact_event", "daily_source_health"}
    with open(tmp_path / "a" / "daily_events.csv", newline="", encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert len(exported) == counts["daily_events"] > 0
    total = sum(int(r["events"]) for r in exported)
    assert total == rows(loaded, "SELECT sum(events) FROM bi.daily_events WHERE day BETWEEN %s AND %s",
                         date(2024, 12, 1), date(2024, 12, 4))[0][0]
    # the same range again gives the same bytes; an empty range still has headers
    export_days(date(2024, 12, 1), date(2024, 12, 4), tmp_path / "b", url=warehouse_url)
    for name in counts:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()
    empty = export_days(date(2001, 1, 1), date(2001, 1, 1), tmp_path / "c", url=warehouse_url)
    assert set(empty.values()) == {0}
    assert (tmp_path / "c" / "daily_events.csv").read_text().startswith("day,country,admin1,event_type,")
    with pytest.raises(ValueError, match="ends"):
        export_days(date(2024, 12, 2), date(2024, 12, 1), tmp_path / "d", url=warehouse_url)
