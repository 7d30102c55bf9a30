"""Events versus candidates in the warehouse: one configured cut (include/config/events.yaml) decides
which coded mentions are events; core.event, bi.fact_event and the marts count events only, every
mention stays queryable with its flag, and a changed cut reaches the warehouse on the next run."""
from __future__ import annotations

from datetime import date, datetime, timezone

import psycopg2
import pytest

from conftest import table_snapshot
from scratch_db import scratch_database

PUBLISHED = datetime(2024, 12, 2, 15, 0, tzinfo=timezone.utc)
SEEN = datetime(2024, 12, 2, 15, 20, tzinfo=timezone.utc)
DAY = date(2024, 12, 2)
# Two sources report the same air strike; the first article also carries weaker mentions (a plan,
# an accusation), the second a meeting.
ARTICLES = {
    ("aljazeera_en", "https://www.aljazeera.com/news/2024/12/2/idlib-strike-test"): (
        "Syrian government warplanes struck the city of Idlib on Monday, killing 12 civilians, the civil "
        "defence said.\nThe United Nations may consider sending aid to Sudan next year, officials said.\n"
        "Critics have accused the government of planning attacks on journalists."),
    ("anadolu_en", "https://www.aa.com.tr/en/middle-east/idlib-strike-test/1"): (
        "Government warplanes bombed Idlib in northwestern Syria on Monday, killing 12 people, rescuers "
        "said.\nTurkey's foreign minister met his Russian counterpart in Moscow on Monday."),
}


def rows(conn, query, *params):
    with conn.cursor() as cur:
        cur.execute(query, params or None)
        return cur.fetchall()


def coded_confidences() -> list[float]:
    """The distinct confidences the coder gives the fixture's mentions, ascending."""
    from newsflow.events import extract_events

    found = {round(float(e["confidence"]), 3) for text in ARTICLES.values()
             for e in extract_events(text, language="en", published_at=PUBLISHED, title="Idlib")}
    assert len(found) >= 3, "the fixture must code mentions at several confidences"
    return sorted(found)


def use_cut(monkeypatch, tmp_path, cut: float) -> None:
    path = tmp_path / f"events_{cut}.yaml"
    path.write_text(f"event_cut: {cut}\n", encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_EVENTS_FILE", str(path))


def load_articles(conn) -> None:
    """Store the fixture articles as extraction would (the loader's own upsert), not yet coded."""
    from newsflow import pipeline
    from newsflow.config import load_feeds
    from newsflow.dedup import content_hash
    from newsflow.warehouse import sql

    with conn.cursor() as cur:
        pipeline.sync_sources(cur, load_feeds())
        for (source_id, url), text in ARTICLES.items():
            cur.execute(sql("upsert_article"), {
                "article_id": pipeline.article_id_for(url), "canonical_url": url, "source_id": source_id,
                "title": "Idlib", "text": text, "published_at": PUBLISHED, "updated_at": None,
                "first_seen_at": SEEN, "language": "en", "authors": [], "agencies": [], "kind": "article",
                "section": None, "tags": [], "word_count": len(text.split()), "content_hash": content_hash(text),
                "version": 1, "extractor_version": "test", "cluster_id": None, "duplicate_of": None,
                "duplicate_kind": None, "similarity": None})


def code_and_aggregate() -> None:
    from newsflow import pipeline

    pipeline.code_events()
    pipeline.daily(DAY)


def assert_warehouse_follows_cut(conn, cut: float) -> None:
    mentions = rows(conn, "SELECT event_id, confidence, is_event FROM bi.fact_event_mention")
    assert mentions
    # the flag is the cut, compared in the stored precision
    for event_id, confidence, is_event in mentions:
        assert is_event == (confidence >= cut - 1e-6), (confidence, cut)
        assert (event_id is not None) == is_event
    flags = rows(conn, "SELECT event_id, bool_or(is_event) FROM core.event_mention GROUP BY 1")
    events = {r[0] for r in rows(conn, "SELECT event_id FROM bi.fact_event")}
    assert events == {event_id for event_id, any_event in flags if any_event}
    # events count their event mentions only
    assert rows(conn, """SELECT count(*) FROM bi.fact_event e
                         WHERE num_mentions <> (SELECT count(*) FROM core.event_mention m
                                                WHERE m.event_id = e.event_id AND m.is_event)""") == [(0,)]
    (mart_events, mart_mentions), = rows(conn, "SELECT coalesce(sum(events), 0), coalesce(sum(mentions), 0)"
                                               " FROM bi.daily_events WHERE day = %s", DAY)
    (fact_events, fact_mentions), = rows(conn, "SELECT count(*), coalesce(sum(num_mentions), 0) FROM bi.fact_event"
                                               " WHERE event_day = %s", DAY)
    assert (mart_events, mart_mentions) == (fact_events, fact_mentions)
    (actor_events,), = rows(conn, "SELECT coalesce(sum(events), 0) FROM bi.daily_actor_activity"
                                  " WHERE day = %s AND role = 'source'", DAY)
    (fact_actor_events,), = rows(conn, "SELECT count(*) FROM bi.fact_event WHERE event_day = %s"
                                       " AND actor1_key IS NOT NULL", DAY)
    assert actor_events == fact_actor_events
    assert rows(conn, "SELECT bool_and(passed) FROM bi.data_check") == [(True,)]


def test_marts_count_events_above_the_cut_and_candidates_stay_queryable(warehouse, monkeypatch, tmp_path):
    confidences = coded_confidences()
    low, high = confidences[0], confidences[-1]
    cut = round((confidences[-2] + high) / 2, 4)  # only the most confident mentions are events
    use_cut(monkeypatch, tmp_path, cut)
    load_articles(warehouse)
    code_and_aggregate()
    assert_warehouse_follows_cut(warehouse, cut)

    (n_mentions, n_events, n_candidates), = rows(
        warehouse, "SELECT count(*), count(*) FILTER (WHERE is_event), count(*) FILTER (WHERE NOT is_event)"
                   " FROM bi.fact_event_mention")
    assert n_events >= 1 and n_candidates >= 1 and n_events + n_candidates == n_mentions
    # the most confident mention is an event and counted by its day's mart row
    (event_type, country, event_day, event_id, confidence), = rows(
        warehouse, "SELECT event_type, coalesce(l.country, ''), event_day, event_id, confidence"
                   " FROM bi.fact_event_mention m LEFT JOIN bi.dim_location l USING (location_key)"
                   " ORDER BY confidence DESC, mention_id LIMIT 1")
    assert event_id is not None and confidence >= high - 1e-6 and event_day == DAY
    assert rows(warehouse, "SELECT sum(events) FROM bi.daily_events WHERE day = %s AND event_type = %s"
                           " AND country = %s", event_day, event_type, country)[0][0] >= 1
    # the least confident is a candidate: shown with its flag and confidence, merged nowhere
    (cand_key, cand_event, cand_flag, cand_confidence), = rows(
        warehouse, "SELECT m.event_id, f.event_id, f.is_event, f.confidence FROM core.event_mention m"
                   " JOIN bi.fact_event_mention f USING (mention_id) ORDER BY m.confidence, mention_id LIMIT 1")
    assert cand_flag is False and cand_event is None and cand_confidence <= low + 1e-6
    shares_an_event = rows(warehouse, "SELECT bool_or(is_event) FROM core.event_mention WHERE event_id = %s",
                           cand_key)[0][0]
    assert shares_an_event or rows(warehouse, "SELECT count(*) FROM core.event WHERE event_id = %s",
                                   cand_key) == [(0,)]


@pytest.mark.parametrize("direction", ["lower", "higher"])
def test_a_changed_cut_reflags_on_rerun_as_a_fresh_load_would(warehouse, monkeypatch, tmp_path, direction):
    confidences = coded_confidences()
    strict = round((confidences[-2] + confidences[-1]) / 2, 4)   # few events
    loose = round((confidences[0] + confidences[1]) / 2, 4)      # nearly every mention is an event
    first, second = (strict, loose) if direction == "lower" else (loose, strict)

    # a fresh load at the second cut: what the warehouse must look like
    use_cut(monkeypatch, tmp_path, second)
    load_articles(warehouse)
    code_and_aggregate()
    assert_warehouse_follows_cut(warehouse, second)
    expected = table_snapshot(warehouse)

    # loaded at the first cut, then the cut changes and the tasks run again
    with warehouse.cursor() as cur:
        cur.execute("TRUNCATE core.article, core.event, core.story_cluster, mart.daily_events,"
                    " mart.daily_actor_activity, mart.daily_source_health, mart.data_check CASCADE")
    use_cut(monkeypatch, tmp_path, first)
    load_articles(warehouse)
    code_and_aggregate()
    assert_warehouse_follows_cut(warehouse, first)
    assert table_snapshot(warehouse) != expected

    use_cut(monkeypatch, tmp_path, second)
    from newsflow import pipeline
    counts = pipeline.code_events()
    assert counts["articles"] == 0 and counts["reflagged"] > 0   # nothing recoded: mentions re-flagged
    pipeline.daily(DAY)
    assert table_snapshot(warehouse) == expected
    # and again: nothing left to change
    assert pipeline.code_events()["reflagged"] == 0
    pipeline.daily(DAY)
    assert table_snapshot(warehouse) == expected


def test_a_mention_exactly_at_the_cut_is_an_event_when_coded_and_when_reflagged(warehouse, monkeypatch, tmp_path):
    from newsflow import pipeline

    confidences = coded_confidences()
    for cut in confidences[1:]:  # each a confidence some mention has, in real precision in the warehouse
        use_cut(monkeypatch, tmp_path, cut)
        if not rows(warehouse, "SELECT count(*) FROM core.article")[0][0]:
            load_articles(warehouse)
            pipeline.code_events()
        else:
            assert pipeline.code_events()["reflagged"] > 0
        at_cut = rows(warehouse, "SELECT bool_and(is_event), count(*) FROM core.event_mention"
                                 " WHERE abs(confidence - %s) < 1e-6", cut)
        assert at_cut[0] == (True, at_cut[0][1]) and at_cut[0][1] >= 1
        # the coder's flag and the warehouse's re-flag agree at the boundary: nothing flips
        assert pipeline.code_events()["reflagged"] == 0


def test_daily_alone_applies_a_changed_cut(warehouse, monkeypatch, tmp_path):
    confidences = coded_confidences()
    use_cut(monkeypatch, tmp_path, round((confidences[0] + confidences[1]) / 2, 4))
    load_articles(warehouse)
    code_and_aggregate()
    strict = round((confidences[-2] + confidences[-1]) / 2, 4)
    use_cut(monkeypatch, tmp_path, strict)
    from newsflow import pipeline
    assert pipeline.daily(DAY)["reflagged_mentions"] > 0
    assert_warehouse_follows_cut(warehouse, strict)
    assert pipeline.daily(DAY)["reflagged_mentions"] == 0


@pytest.mark.parametrize("stale", ["event below the cut", "candidate at or above the cut"])
def test_a_mention_flagged_at_another_cut_is_reflagged_though_the_configured_cut_is_unchanged(
        warehouse, monkeypatch, tmp_path, stale):
    """A coder still running with the previous configuration writes mentions flagged at the old cut
    after the new one was applied: the next run finds and re-flags them. Runs look for a flag that
    disagrees with the cut (the ends of the (is_event, confidence) index), not for a changed setting."""
    from newsflow import pipeline

    confidences = coded_confidences()
    use_cut(monkeypatch, tmp_path, round((confidences[1] + confidences[2]) / 2, 4))  # events and candidates
    load_articles(warehouse)
    code_and_aggregate()
    expected = table_snapshot(warehouse)
    with warehouse.cursor() as cur:
        was_event = stale != "event below the cut"
        cur.execute("UPDATE core.event_mention SET is_event = NOT is_event WHERE mention_id ="
                    " (SELECT mention_id FROM core.event_mention WHERE is_event = %s"
                    "  ORDER BY confidence, mention_id LIMIT 1)", (was_event,))
        assert cur.rowcount == 1
    assert pipeline.daily(DAY)["reflagged_mentions"] == 1
    assert table_snapshot(warehouse) == expected
    assert pipeline.daily(DAY)["reflagged_mentions"] == 0


def test_an_event_counting_other_mentions_than_it_has_fails_the_marts_totals_check(warehouse, monkeypatch, tmp_path):
    """The marts count an event's mentions from the mentions; the check compares them with the counts
    core.event keeps: they must agree."""
    from newsflow import pipeline

    confidences = coded_confidences()
    use_cut(monkeypatch, tmp_path, round((confidences[0] + confidences[1]) / 2, 4))
    load_articles(warehouse)
    code_and_aggregate()
    with warehouse.cursor() as cur:
        cur.execute("UPDATE core.event SET num_mentions = num_mentions + 1 WHERE event_id ="
                    " (SELECT event_id FROM core.event WHERE event_date = %s ORDER BY event_id LIMIT 1)", (DAY,))
        assert cur.rowcount == 1
    with pytest.raises(pipeline.DataCheckError, match="mart_totals_match_facts"):
        pipeline.daily(DAY)
    assert rows(warehouse, "SELECT check_name, passed FROM mart.data_check WHERE day = %s ORDER BY 1", DAY) == [
        ("event_has_mention", True), ("mart_totals_match_facts", False), ("no_future_dates", True)]


# --- the migration: mentions coded before the flag existed ---------------------------------------

@pytest.fixture
def version_2_database(warehouse_url):
    """A fresh database migrated to version 2 only (before events and candidates were told apart)."""
    from newsflow.warehouse import migrate

    with scratch_database(warehouse_url) as url:
        assert migrate(url, up_to=2) == ["001_initial", "002_bi"]
        conn = psycopg2.connect(url)
        try:
            yield url, conn
        finally:
            conn.close()


def test_migration_flags_old_mentions_at_the_then_default_cut(version_2_database):
    from newsflow.warehouse import migrate

    url, conn = version_2_database
    with conn, conn.cursor() as cur:
        cur.execute("INSERT INTO core.source VALUES ('s1', 'S1', 'http://s1', 's1', 'en', 'wire', true),"
                    " ('s2', 'S2', 'http://s2', 's2', 'en', 'wire', true)")
        for n, source in ((1, "s1"), (2, "s2")):
            cur.execute("""INSERT INTO core.article (article_id, canonical_url, source_id, text, first_seen_at,
                             kind, word_count, content_hash, version, extractor_version, events_coded_version)
                           VALUES (%s, %s, %s, 'x', '2024-12-02 10:00Z', 'article', 1, 'h', 1, 't', 1)""",
                        (f"00000000-0000-0000-0000-00000000000{n}", f"http://{source}/a", source))
        # event A: one mention at 0.9 (s1) and one at 0.3 (s2); event B: a single mention at 0.59
        mentions = [("10000000-0000-0000-0000-000000000001", "A", 1, "s1", 0.9),
                    ("10000000-0000-0000-0000-000000000002", "A", 2, "s2", 0.3),
                    ("10000000-0000-0000-0000-000000000003", "B", 1, "s1", 0.59)]
        for mention_id, event_id, n, source, confidence in mentions:
            cur.execute("""INSERT INTO core.event_mention (mention_id, event_id, article_id, source_id,
                             article_version, event_type, actor1_code, country, event_date, date_precision,
                             sentence, sentence_start, sentence_end, confidence, is_root, mentioned_at)
                           VALUES (%s, %s, %s, %s, 1, 'ASSAULT', 'SYRMIL', 'SY', '2024-12-02', 'day', 's', 0, 1,
                                   %s, true, '2024-12-02 10:00Z')""",
                        (mention_id, event_id, f"00000000-0000-0000-0000-00000000000{n}", source, confidence))
        for event_id, mentions_n, sources_n, confidence in (("A", 2, 2, 0.9), ("B", 1, 1, 0.59)):
            cur.execute("""INSERT INTO core.event (event_id, event_type, event_date, date_precision, actor1_code,
                             country, num_mentions, num_articles, num_sources, first_seen, last_seen, confidence)
                           VALUES (%s, 'ASSAULT', '2024-12-02', 'day', 'SYRMIL', 'SY', %s, %s, %s,
                                   '2024-12-02 10:00Z', '2024-12-02 10:00Z', %s)""",
                        (event_id, mentions_n, sources_n, sources_n, confidence))
        cur.execute("INSERT INTO mart.daily_events VALUES ('2024-12-02', 'SY', '', 'ASSAULT', 2, 3, 2, 2),"
                    " ('2024-12-02', 'IQ', '', 'ASSAULT', 1, 1, 1, 1)")
        cur.execute("INSERT INTO mart.daily_actor_activity VALUES ('2024-12-02', 'SYRMIL', 'source', 'ASSAULT', 2, 3)")

    assert migrate(url, up_to=3) == ["003_event_cut"]
    assert dict(rows(conn, "SELECT confidence::numeric(3, 2)::text, is_event FROM core.event_mention")) == {
        "0.90": True, "0.30": False, "0.59": False}
    assert rows(conn, "SELECT event_id, num_mentions, num_articles, num_sources FROM core.event") == [("A", 1, 1, 1)]
    # the marts count the event alone; a mart row no event backs any more is gone
    assert rows(conn, "SELECT country, events, mentions, articles, sources FROM mart.daily_events") == [
        ("SY", 1, 1, 1, 1)]
    assert rows(conn, "SELECT events, mentions FROM mart.daily_actor_activity") == [(1, 1)]
    assert rows(conn, "SELECT event_id, is_event FROM bi.fact_event_mention ORDER BY confidence DESC") == [
        ("A", True), (None, False), (None, False)]
    conn.rollback()


def test_articles_coded_by_another_coder_are_coded_again(warehouse):
    from newsflow import pipeline
    from newsflow.events import coder_version

    load_articles(warehouse)
    code_and_aggregate()
    coded = table_snapshot(warehouse)
    n_articles = rows(warehouse, "SELECT count(*) FROM core.article WHERE text <> ''")[0][0]
    assert rows(warehouse, "SELECT DISTINCT events_coder FROM core.article WHERE text <> ''") == [(coder_version(),)]
    assert pipeline.code_events()["articles"] == 0  # same coder: nothing to do
    with warehouse.cursor() as cur:  # as an older release of the coder would have left them
        cur.execute("UPDATE core.article SET events_coder = 'an-older-coder'")
    assert pipeline.code_events()["articles"] == n_articles
    pipeline.daily(DAY)
    assert table_snapshot(warehouse) == coded
