"""End to end on the replay: real Airflow runs (dag.test) into a real PostgreSQL warehouse."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import table_snapshot

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "include" / "replay" / "manifest.json").read_text(encoding="utf-8"))
# the last quarter hour of 3 Dec 2024: every replayed article is published by then
INGEST_AT = datetime(2024, 12, 3, 23, 45, tzinfo=timezone.utc)
DAILY_AT = datetime(2024, 12, 4, 0, 0, tzinfo=timezone.utc)   # the run for 3 Dec


@pytest.fixture(scope="module")
def dags(airflow_db):
    os.environ["NEWSFLOW_TASK_RETRIES"] = "0"
    from airflow.dag_processing.dagbag import DagBag
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    return bag.dags


def run(dag, logical_date):
    dagrun = dag.test(logical_date=logical_date)
    failed = [(ti.task_id, ti.map_index) for ti in dagrun.get_task_instances() if ti.state != "success"]
    assert dagrun.state == "success", f"{dag.dag_id} failed tasks: {failed}"
    return dagrun


def scalar(conn, query, *params):
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()[0]


def phase1_articles():
    return [a for a in MANIFEST["articles"] if a["phase"] == 1 and a["in_feed"]]


def test_ingest_extract_daily_fill_the_warehouse_and_rerun_changes_nothing(dags, warehouse, replay):
    run(dags["newsflow_ingest"], INGEST_AT)
    run(dags["newsflow_extract"], INGEST_AT)
    run(dags["newsflow_daily"], DAILY_AT)

    feeds = MANIFEST["feeds"]
    assert scalar(warehouse, "SELECT count(*) FROM raw.feed_poll") == len(feeds)
    assert scalar(warehouse, "SELECT count(*) FROM raw.feed_item") == sum(f["items_phase1"] for f in feeds)
    # the malformed feed is recovered and its problem recorded
    malformed = [f["feed_id"] for f in feeds if f["malformed"]][0]
    with warehouse.cursor() as cur:
        cur.execute("SELECT status, error, n_items FROM raw.feed_poll WHERE feed_id = %s", (malformed,))
        status, error, n_items = cur.fetchone()
    assert status == "ok" and "malformed" in error and n_items > 0

    live = [a for a in phase1_articles() if a["status"] == 200]
    missing = [a for a in phase1_articles() if a["status"] == 404]
    assert scalar(warehouse, "SELECT count(*) FROM raw.page") == len(live)
    assert scalar(warehouse, "SELECT count(*) FROM raw.page_fetch WHERE status = 'error'") == len(missing)
    assert scalar(warehouse, "SELECT count(*) FROM core.page_extraction WHERE status = 'ok'") == len(live)
    assert scalar(warehouse, "SELECT count(*) FROM core.article") == len(live)
    with warehouse.cursor() as cur:
        cur.execute("SELECT canonical_url, source_id, title, kind FROM core.article")
        articles = {row[0]: row[1:] for row in cur.fetchall()}
    for expected in live:
        from newsflow.dedup import canonical_url
        source_id, title, kind = articles[canonical_url(expected["url"])]
        assert source_id == expected["feed_id"]
        assert kind == expected["kind"]

    # the wire story republished by a second outlet lands in one story cluster
    republished = [a["url"] for a in live if "wire_republished" in a["cases"]]
    assert len(republished) == 2
    clusters = scalar(warehouse, "SELECT count(DISTINCT cluster_id) FROM core.article WHERE canonical_url = ANY(%s)",
                      [canonical_url(u) for u in republished])
    assert clusters == 1
    assert scalar(warehouse, "SELECT max(n_sources) FROM core.story_cluster") >= 2

    assert scalar(warehouse, "SELECT count(*) FROM core.event_mention") > 0
    assert scalar(warehouse, "SELECT count(*) FROM core.event") > 0
    # the Idlib air strikes of 2 Dec, carried by three sources, are one event with three sources
    assert scalar(warehouse, """SELECT max(num_sources) FROM core.event WHERE event_type = 'ASSAULT'
                                AND country = 'SY' AND location_name = 'Idlib' AND event_date = '2024-12-02'""") == 3
    assert scalar(warehouse, "SELECT count(*) FROM mart.daily_events") > 0
    assert scalar(warehouse, "SELECT count(*) FROM mart.daily_source_health") == len(feeds)
    assert scalar(warehouse, "SELECT bool_and(passed) FROM mart.data_check") is True

    before = table_snapshot(warehouse)
    run(dags["newsflow_ingest"], INGEST_AT)
    run(dags["newsflow_extract"], INGEST_AT)
    run(dags["newsflow_daily"], DAILY_AT)
    assert table_snapshot(warehouse) == before


def test_article_updated_in_place_becomes_a_new_version(warehouse, replay):
    from newsflow import pipeline
    from newsflow.dedup import canonical_url

    updated = next(a for a in MANIFEST["articles"] if "updated_in_place" in a["cases"] and a["phase"] == 2)
    first = datetime(2024, 12, 3, 23, 30, tzinfo=timezone.utc)
    pipeline.ingest_feed(updated["feed_id"], first, INGEST_AT)
    pipeline.extract_pending()
    replay.set_phase(2)
    later = datetime(2024, 12, 4, 6, 15, tzinfo=timezone.utc)
    pipeline.ingest_feed(updated["feed_id"], later.replace(minute=0), later)
    pipeline.extract_pending()
    with warehouse.cursor() as cur:
        cur.execute("SELECT article_id, version, updated_at, text FROM core.article WHERE canonical_url = %s",
                    (canonical_url(updated["url"]),))
        rows = cur.fetchall()
        assert len(rows) == 1, "an updated page must stay one article"
        article_id, version, updated_at, text = rows[0]
        assert version == 2
        cur.execute("SELECT count(*) FROM core.article_version WHERE article_id = %s", (article_id,))
        assert cur.fetchone()[0] == 2
    assert updated_at == datetime.fromisoformat(updated["updated_at"])
    assert updated["body"].split("\n")[-1][:60] in text


def test_broken_feeds_are_recorded_and_do_not_stop_the_others(warehouse, replay, tmp_path, monkeypatch):
    from newsflow import pipeline

    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("""feeds:
  - {id: good, name: Good, url: "https://www.aa.com.tr/en/rss/default?cat=guncel", language: en, kind: wire, enabled: true}
  - {id: http_500, name: Fails, url: "https://faults.example/500", language: en, kind: wire, enabled: true}
  - {id: slow, name: Slow, url: "https://faults.example/slow?seconds=5", language: en, kind: wire, enabled: true}
  - {id: garbage, name: Garbage, url: "https://faults.example/garbage", language: en, kind: wire, enabled: true}
  - {id: gone, name: Gone, url: "https://faults.example/404", language: en, kind: wire, enabled: true}
""", encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_FEEDS_FILE", str(feeds))
    monkeypatch.setenv("NEWSFLOW_HTTP_TIMEOUT", "1")
    summaries = {s["feed_id"]: s for s in pipeline.ingest_all(INGEST_AT.replace(minute=30), INGEST_AT)}
    assert summaries["good"]["status"] == "ok" and summaries["good"]["items"] == 4
    with warehouse.cursor() as cur:
        cur.execute("SELECT feed_id, status, error FROM raw.feed_poll")
        polls = {fid: (status, error) for fid, status, error in cur.fetchall()}
    assert polls["good"] == ("ok", None)
    assert polls["http_500"][0] == "error" and "500" in polls["http_500"][1]
    assert polls["slow"][0] == "error" and "timeout" in polls["slow"][1]
    assert polls["garbage"][0] == "error" and polls["garbage"][1]
    assert polls["gone"][0] == "error" and "404" in polls["gone"][1]
    assert scalar(warehouse, "SELECT count(*) FROM raw.page WHERE feed_id = 'good'") == 4


def test_an_item_with_an_unusable_link_is_reported_and_the_rest_are_kept(warehouse):
    from newsflow import feeds, pipeline
    from newsflow.warehouse import transaction

    rss = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
      <item><title>Good</title><link>https://www.aljazeera.com/news/2024/12/2/good-story?utm_source=rss</link>
            <guid>g1</guid><pubDate>Mon, 02 Dec 2024 08:00:00 GMT</pubDate></item>
      <item><title>Bad</title><link>mailto:desk@example.org</link><guid>g2</guid></item>
    </channel></rss>"""
    items, warning = feeds.parse_feed("aljazeera_en", rss, headers={"Content-Type": "application/rss+xml"})
    assert warning is None and len(items) == 2
    kept, dropped = pipeline.usable_items(items)
    assert [i.guid for i in kept] == ["g1"]
    assert kept[0].canonical == "https://www.aljazeera.com/news/2024/12/2/good-story"
    assert len(dropped) == 1 and "g2" in dropped[0]
    with transaction() as conn, conn.cursor() as cur:
        pipeline.sync_sources(cur, [pipeline._feed("aljazeera_en")])
        assert pipeline.store_items(cur, "aljazeera_en", kept, INGEST_AT) == 1
        assert pipeline.store_items(cur, "aljazeera_en", kept, INGEST_AT) == 0  # a re-run adds nothing
    assert scalar(warehouse, "SELECT count(*) FROM raw.feed_item") == 1


def test_a_page_whose_load_fails_is_an_error_and_the_pages_around_it_load_as_without_it(warehouse, replay):
    """Pages load under one savepoint: a page failing in the database (here: its source is unknown)
    rolls back to it, and the pages before it are loaded again. The warehouse equals a run without
    that page, plus its error row."""
    from newsflow import pipeline

    pipeline.ingest_all(INGEST_AT, DAILY_AT)
    keys = [tuple(k) for batch in pipeline.pending_page_batches() for k in batch]
    assert len(keys) >= 10
    ghost = keys[len(keys) // 2]  # mid-batch: pages before it are loaded again, pages after it follow
    with warehouse.cursor() as cur:
        cur.execute("CREATE TABLE public.saved_page AS SELECT * FROM raw.page WHERE canonical_url = %s"
                    " AND content_sha256 = %s", ghost)
        cur.execute("DELETE FROM raw.page WHERE canonical_url = %s AND content_sha256 = %s", ghost)
    pipeline.extract_pending()
    without = table_snapshot(warehouse, ("core",))

    with warehouse.cursor() as cur:
        cur.execute("TRUNCATE core.page_extraction, core.article_version, core.article_signature, core.article_lsh,"
                    " core.article CASCADE")
        cur.execute("INSERT INTO raw.page SELECT * FROM public.saved_page")
        cur.execute("UPDATE raw.page SET feed_id = 'not_a_source' WHERE canonical_url = %s", ghost[:1])
        cur.execute("DROP TABLE public.saved_page")
    counts = pipeline.extract_pending(limit=len(keys))
    assert counts["error"] == 1 and counts["ok"] == len(keys) - 1
    with warehouse.cursor() as cur:
        cur.execute("SELECT status, error FROM core.page_extraction WHERE canonical_url = %s", ghost[:1])
        status, error = cur.fetchone()
        assert status == "error" and "ForeignKeyViolation" in error
        cur.execute("DELETE FROM core.page_extraction WHERE canonical_url = %s", ghost[:1])
    assert table_snapshot(warehouse, ("core",)) == without


def test_a_source_row_is_written_only_when_new_or_changed(warehouse):
    """A poll's first transaction writes nothing for a known source (its commit then does not wait
    for the disk); a changed feed entry still reaches core.source."""
    import dataclasses

    from newsflow import pipeline
    from newsflow.warehouse import transaction

    feed = pipeline._feed("aljazeera_en")

    def synced(feed) -> tuple:
        with transaction() as conn, conn.cursor() as cur:
            pipeline.sync_sources(cur, [feed])
            cur.execute("SELECT txid_current_if_assigned() IS NOT NULL")
            wrote = cur.fetchone()[0]
        return wrote, scalar(warehouse, "SELECT xmin::text || name FROM core.source WHERE source_id = %s", feed.id)

    wrote, first = synced(feed)
    assert wrote and first.endswith(feed.name)
    wrote, again = synced(feed)
    assert not wrote and again == first
    renamed = dataclasses.replace(feed, name=feed.name + " (renamed)")
    wrote, changed = synced(renamed)
    assert wrote and changed.endswith("(renamed)") and changed != first
