"""The daily run rebuilds its own days' and its articles' publication days' marts whole and, on older
event days, only the rows its mentions' events can have left or entered: those recomputed from the
facts, the others left as they are. Changes outside the days' runs queue their days whole."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from conftest import table_snapshot

OLD_DAY = date(2024, 11, 1)
OLD_SEEN = datetime(2024, 11, 1, 10, 0, tzinfo=timezone.utc)
DAY = date(2024, 12, 2)
SEEN = datetime(2024, 12, 2, 10, 0, tzinfo=timezone.utc)


def event(sentence_start: int, event_type: str, country: str, admin1: str, actor1: str, confidence: float) -> dict:
    """A coded event dated OLD_DAY, as newsflow.events gives it."""
    return {"event_type": event_type, "mode": None, "actor1": {"code": actor1, "text": actor1},
            "actor2": {"code": "CVL", "text": "civilians"},
            "location": {"name": admin1, "country": country, "admin1": admin1}, "event_date": OLD_DAY,
            "date_precision": "day", "sentence": f"Sentence {sentence_start}.", "sentence_start": sentence_start,
            "sentence_end": sentence_start + 10, "trigger": "struck", "confidence": confidence,
            "is_event": True, "is_root": True, "language": "en"}


def store(conn, url: str, first_seen: datetime, events: list[dict], keyed_on: date | None = None) -> None:
    """An article and its event mentions, written with the loader's and the coder's own SQL; with
    `keyed_on`, the mentions keep their own dates but join the events their keys give on that day (as
    from a coder that dates them otherwise)."""
    from newsflow import pipeline
    from newsflow.config import load_feeds
    from newsflow.dedup import content_hash
    from newsflow.warehouse import bulk_upsert, sql

    article_id = pipeline.article_id_for(url)
    text = f"An article of our own at {url}."
    with conn.cursor() as cur:
        pipeline.sync_sources(cur, load_feeds())
        cur.execute(sql("upsert_article"), {
            "article_id": article_id, "canonical_url": url, "source_id": "aljazeera_en", "title": "Test",
            "text": text, "published_at": first_seen, "updated_at": None, "first_seen_at": first_seen,
            "language": "en", "authors": [], "agencies": [], "kind": "article", "section": None, "tags": [],
            "word_count": len(text.split()), "content_hash": content_hash(text), "version": 1,
            "extractor_version": "test", "cluster_id": None, "duplicate_of": None, "duplicate_kind": None,
            "similarity": None})
        article = {"article_id": article_id, "version": 1, "source_id": "aljazeera_en", "first_seen_at": first_seen}
        rows = [pipeline._mention_row(article, e, True) for e in events]
        if keyed_on is not None:
            rows = [(row[0], pipeline._mention_row(article, dict(e, event_date=keyed_on), True)[1], *row[2:])
                    for row, e in zip(rows, events)]
        bulk_upsert(cur, sql("insert_event_mentions"), rows)
        cur.execute(sql("recompute_events"), {"event_ids": sorted({r[1] for r in rows})})
        cur.execute("UPDATE core.article SET events_coded_version = version, events_coder = %s"
                    " WHERE article_id = %s", (pipeline._coder(), article_id))


def mart_rows(conn, table: str, day: date) -> dict:
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM mart.{table} WHERE day = %s ORDER BY 1, 2, 3, 4", (day,))
        return {r[:4]: r[4:] for r in cur.fetchall()}


OTHER_DAY = date(2024, 10, 20)  # an older day the later article does not name


def test_a_later_mention_recomputes_its_rows_on_the_old_day_and_leaves_the_others(warehouse):
    from newsflow import pipeline

    # the old day: strikes in Idlib and Aleppo, protests in four other places; another old day
    store(warehouse, "https://example.org/old-1", OLD_SEEN, [
        event(0, "ASSAULT", "SY", "Idlib", "SYRGOV", 0.8),
        event(40, "ASSAULT", "SY", "Aleppo", "SYRGOV", 0.7),
        event(80, "PROTEST", "EG", "Cairo", "EGYCVL", 0.8),
        event(120, "PROTEST", "EG", "Giza", "EGYCVL", 0.8),
        event(160, "PROTEST", "IQ", "Basra", "IRQCVL", 0.8),
        event(200, "PROTEST", "LB", "Beirut", "LBNCVL", 0.8)])
    store(warehouse, "https://example.org/other-1", datetime(2024, 10, 20, 9, tzinfo=timezone.utc),
          [dict(event(0, "PROTEST", "JO", "Amman", "JORCVL", 0.8), event_date=OTHER_DAY)])
    pipeline.daily(OTHER_DAY)
    pipeline.daily(OLD_DAY)
    assert len(mart_rows(warehouse, "daily_events", OLD_DAY)) == 6

    # a month later an article mentions the Idlib strike again, more confidently and spelt otherwise
    # (the same event: its row moves to the new spelling, and the old row, left with no event, must
    # go), and a second strike there by other actors
    store(warehouse, "https://example.org/new-1", SEEN, [
        event(0, "ASSAULT", "SY", "IDLIB", "SYRGOV", 0.95),
        event(40, "ASSAULT", "SY", "Idlib", "RUSMIL", 0.9)])
    # rows the run must not touch are marked (the other groups, and the Aleppo strike's row: of the same
    # day, country and type, but none of the run's events is counted there), rows it must recompute
    # are made wrong
    with warehouse.cursor() as cur:
        cur.execute("UPDATE mart.daily_events SET sources = 99 WHERE day = %s AND admin1 <> 'Idlib'", (OLD_DAY,))
        cur.execute("UPDATE mart.daily_actor_activity SET events = 99 WHERE day = %s AND event_type = 'PROTEST'",
                    (OLD_DAY,))
        cur.execute("UPDATE mart.daily_events SET mentions = 77 WHERE day = %s AND admin1 = 'Idlib'", (OLD_DAY,))
        cur.execute("UPDATE mart.daily_actor_activity SET mentions = 77 WHERE day = %s AND event_type = 'ASSAULT'",
                    (OLD_DAY,))
    other_day = {table: mart_rows(warehouse, table, OTHER_DAY) for table in ("daily_events", "daily_actor_activity")}
    result = pipeline.daily(DAY)
    assert result["partial_days"] == [OLD_DAY.isoformat()]
    assert OLD_DAY.isoformat() not in result["event_days"]

    events = mart_rows(warehouse, "daily_events", OLD_DAY)
    actors = mart_rows(warehouse, "daily_actor_activity", OLD_DAY)
    # touched rows: recomputed from the facts
    assert events[(OLD_DAY, "SY", "IDLIB", "ASSAULT")] == (1, 2, 2, 1)
    assert events[(OLD_DAY, "SY", "Idlib", "ASSAULT")] == (1, 1, 1, 1)
    assert actors[(OLD_DAY, "RUSMIL", "source", "ASSAULT")] == (1, 1)
    assert actors[(OLD_DAY, "SYRGOV", "source", "ASSAULT")] == (2, 3)
    # untouched rows of the old day, and the other old day: left as they were
    assert events[(OLD_DAY, "SY", "Aleppo", "ASSAULT")] == (1, 1, 1, 99)
    assert all(row[3] == 99 for key, row in events.items() if key[3] == "PROTEST")
    assert all(row[0] == 99 for key, row in actors.items() if key[3] == "PROTEST")
    assert {table: mart_rows(warehouse, table, OTHER_DAY) for table in other_day} == other_day

    # a re-run of the day changes nothing
    after = table_snapshot(warehouse)
    pipeline.daily(DAY)
    assert table_snapshot(warehouse) == after

    # the touched rows are those a whole rebuild of the old day gives (queued, as after a change of the
    # cut), which also repairs the marked rows
    with warehouse.cursor() as cur:
        cur.execute("INSERT INTO core.event_day_changed (day) VALUES (%s)", (OLD_DAY,))
    result = pipeline.daily(DAY)
    assert OLD_DAY.isoformat() in result["event_days"] and result["partial_days"] == []
    whole = {table: mart_rows(warehouse, table, OLD_DAY) for table in ("daily_events", "daily_actor_activity")}
    assert {k: v for k, v in whole["daily_events"].items() if k[2] in ("Idlib", "IDLIB")} == \
        {k: v for k, v in events.items() if k[2] in ("Idlib", "IDLIB")}
    assert whole["daily_events"][(OLD_DAY, "SY", "Aleppo", "ASSAULT")] == (1, 1, 1, 1)
    assert {k: v for k, v in whole["daily_actor_activity"].items() if k[3] == "ASSAULT"} == \
        {k: v for k, v in actors.items() if k[3] == "ASSAULT"}
    assert whole["daily_events"][(OLD_DAY, "EG", "Cairo", "PROTEST")] == (1, 1, 1, 1)
    with warehouse.cursor() as cur:
        cur.execute("SELECT count(*) FROM core.event_day_changed")
        assert cur.fetchone() == (0,)


def test_a_changed_cut_queues_the_old_days_of_the_events_it_changes(warehouse, monkeypatch, tmp_path):
    """Re-flagging happens outside the days' runs (code_events): the days of the events it changes are
    rebuilt whole by the next daily run, whatever day it builds."""
    from newsflow import pipeline

    store(warehouse, "https://example.org/old-1", OLD_SEEN, [
        event(0, "ASSAULT", "SY", "Idlib", "SYRGOV", 0.5), event(40, "PROTEST", "EG", "Cairo", "EGYCVL", 0.9)])
    pipeline.daily(OLD_DAY)
    assert set(mart_rows(warehouse, "daily_events", OLD_DAY)) == {
        (OLD_DAY, "SY", "Idlib", "ASSAULT"), (OLD_DAY, "EG", "Cairo", "PROTEST")}
    path = tmp_path / "events.yaml"
    path.write_text("event_cut: 0.6\n", encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_EVENTS_FILE", str(path))
    assert pipeline.code_events()["reflagged"] == 1
    pipeline.daily(DAY)
    assert set(mart_rows(warehouse, "daily_events", OLD_DAY)) == {(OLD_DAY, "EG", "Cairo", "PROTEST")}
    assert set(mart_rows(warehouse, "daily_actor_activity", OLD_DAY)) == {
        (OLD_DAY, "EGYCVL", "source", "PROTEST"), (OLD_DAY, "CVL", "target", "PROTEST")}


def test_an_article_coded_again_queues_the_days_its_old_mentions_named(warehouse):
    """A new version (or a new coder) codes an article again; its mentions keep the article's first
    sight as their time, so the day's run would not look at them: the days they named are queued."""
    from newsflow import pipeline

    store(warehouse, "https://example.org/old-1", OLD_SEEN, [
        event(0, "ASSAULT", "SY", "Idlib", "SYRGOV", 0.9), event(40, "PROTEST", "EG", "Cairo", "EGYCVL", 0.9)])
    pipeline.daily(OLD_DAY)
    assert len(mart_rows(warehouse, "daily_events", OLD_DAY)) == 2
    with warehouse.cursor() as cur:  # as after a change of coder; the text, ours, codes no event
        cur.execute("UPDATE core.article SET events_coder = 'an earlier coder'")
    counts = pipeline.code_events()
    assert counts["articles"] == 1 and counts["events"] == 0
    pipeline.daily(DAY)
    assert mart_rows(warehouse, "daily_events", OLD_DAY) == {}
    assert mart_rows(warehouse, "daily_actor_activity", OLD_DAY) == {}


MOVED_DAY = date(2024, 11, 5)  # an older day, not the later run's


@pytest.mark.parametrize("mention_day", [MOVED_DAY, DAY], ids=["older-day", "run-day"])
def test_a_mention_dated_otherwise_than_its_key_moves_its_event_between_the_right_days(warehouse, mention_day):
    """A later mention joins an old day's event (its key's day) but carries another date, and being more
    confident it speaks for the event, which moves to that date: the old day's row goes and the new
    day's row counts the event, whether that day is an older day or the run's own; a re-run changes
    nothing, and a whole rebuild of both days gives the same rows."""
    from newsflow import pipeline

    store(warehouse, "https://example.org/old-1", OLD_SEEN, [
        event(0, "ASSAULT", "SY", "Idlib", "SYRGOV", 0.7), event(40, "PROTEST", "EG", "Cairo", "EGYCVL", 0.8)])
    pipeline.daily(OLD_DAY)
    assert (OLD_DAY, "SY", "Idlib", "ASSAULT") in mart_rows(warehouse, "daily_events", OLD_DAY)

    store(warehouse, "https://example.org/new-1", SEEN,
          [dict(event(0, "ASSAULT", "SY", "Idlib", "SYRGOV", 0.95), event_date=mention_day)], keyed_on=OLD_DAY)
    with warehouse.cursor() as cur:
        cur.execute("SELECT event_date, num_mentions FROM core.event WHERE event_type = 'ASSAULT'")
        assert cur.fetchall() == [(mention_day, 2)]  # one event, now dated by its new mention
    pipeline.daily(DAY)
    tables = ("daily_events", "daily_actor_activity")
    rows = {(table, day): mart_rows(warehouse, table, day) for table in tables for day in (OLD_DAY, mention_day)}
    assert rows[("daily_events", OLD_DAY)] == {(OLD_DAY, "EG", "Cairo", "PROTEST"): (1, 1, 1, 1)}
    assert rows[("daily_events", mention_day)][(mention_day, "SY", "Idlib", "ASSAULT")] == (1, 2, 2, 1)
    assert set(rows[("daily_actor_activity", OLD_DAY)]) == {
        (OLD_DAY, "EGYCVL", "source", "PROTEST"), (OLD_DAY, "CVL", "target", "PROTEST")}
    assert rows[("daily_actor_activity", mention_day)][(mention_day, "SYRGOV", "source", "ASSAULT")] == (1, 2)

    # a re-run (the queue, taken by the first run, is empty: the checks' details count other rows)
    after = table_snapshot(warehouse)
    pipeline.daily(DAY)
    again = table_snapshot(warehouse)
    assert {k: v for k, v in again.items() if k != "mart.data_check"} == \
        {k: v for k, v in after.items() if k != "mart.data_check"}

    with warehouse.cursor() as cur:
        cur.execute("INSERT INTO core.event_day_changed (day) VALUES (%s), (%s) ON CONFLICT DO NOTHING",
                    (OLD_DAY, mention_day))
    pipeline.daily(DAY)
    assert {key: mart_rows(warehouse, *key) for key in rows} == rows
