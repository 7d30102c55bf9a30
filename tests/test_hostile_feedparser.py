"""feedparser's own edge-case feeds (2,106 files of ../shared/devdata/feeds/feedparser_tests):
every one goes through the project's feed parsing and into the warehouse without an exception
escaping, and every entry is either stored or reported. Skipped when the folder is absent."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[2] / "shared" / "devdata" / "feeds" / "feedparser_tests"
SEEN_AT = datetime(2024, 12, 3, 12, 0, tzinfo=timezone.utc)


def cases() -> list[dict]:
    expectations = SUITE / "expectations.jsonl"
    if not expectations.exists():
        return []
    rows = [json.loads(line) for line in expectations.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_file = {row["file"]: row for row in rows}
    found = sorted(p for p in SUITE.rglob("*") if p.is_file() and p.name not in ("expectations.jsonl", "LICENSE"))
    return [{"path": p, "headers": by_file.get(f"tests/{p.relative_to(SUITE)}", {}).get("http_headers") or {}}
            for p in found]


@pytest.mark.skipif(not SUITE.exists(), reason="../shared/devdata/feeds/feedparser_tests is absent")
def test_every_edge_case_feed_is_parsed_stored_or_reported(warehouse):
    import feedparser

    from newsflow import feeds, pipeline
    from newsflow.warehouse import transaction

    all_cases = cases()
    assert len(all_cases) >= 2_000
    stored = reported = refused = 0
    with transaction() as conn, conn.cursor() as cur:
        pipeline.sync_sources(cur, [pipeline._feed("aljazeera_en")])
        for case in all_cases:
            content = case["path"].read_bytes()
            entries = len(feedparser.parse(content, response_headers={
                k.lower(): v for k, v in case["headers"].items()}).entries)
            try:
                items, warning = feeds.parse_feed("aljazeera_en", content, headers=case["headers"])
            except ValueError:  # nothing usable: the poll is recorded as failed
                refused += 1
                assert entries == 0, case["path"]
                continue
            kept, dropped = pipeline.usable_items(items)
            skipped = (warning or "").count("): no link")
            assert len(kept) + len(dropped) + skipped == entries, case["path"]
            cur.execute("SAVEPOINT feed")
            pipeline.store_items(cur, "aljazeera_en", kept, SEEN_AT)  # must not raise
            cur.execute("RELEASE SAVEPOINT feed")
            stored += len(kept)
            reported += len(dropped) + skipped
    print(f"\n{len(all_cases)} feeds: {stored} items stored, {reported} entries reported, "
          f"{refused} feeds refused as unusable")
    assert stored and reported  # both paths taken: the suite has linked and link-less entries
