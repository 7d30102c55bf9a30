"""Raw HTML retention: past the configured days, extracted pages' HTML leaves the warehouse (to files
or dropped), once, whatever the runs; article text, metadata and events stay."""
from __future__ import annotations

import gzip
from datetime import date, datetime, timezone

import pytest

from newsflow.config import ConfigError

from conftest import table_snapshot

INGEST_START = datetime(2024, 12, 3, 23, 45, tzinfo=timezone.utc)
INGEST_END = datetime(2024, 12, 4, 0, 0, tzinfo=timezone.utc)  # the pages' fetched_at


def write_policy(tmp_path, text: str):
    from newsflow.retention import load_storage_policy

    path = tmp_path / "storage.yaml"
    path.write_text(text, encoding="utf-8")
    return load_storage_policy(path)


@pytest.mark.parametrize("text, message", [
    ("html_retention_days: 0\nhtml_archive_dir: null\n", "html_retention_days must be a whole number"),
    ("html_retention_days: 2.5\nhtml_archive_dir: null\n", "html_retention_days must be a whole number"),
    ("html_retention_days: true\nhtml_archive_dir: null\n", "html_retention_days must be a whole number"),
    ("html_retention_days: 30\n", "missing field(s) html_archive_dir"),
    ("html_retention_days: 30\nhtml_archive_dir: ''\n", "html_archive_dir must be a folder path"),
    ("html_retention_days: 30\nhtml_archive_dir: null\nkeep: forever\n", "unknown field(s) keep"),
    ("- 30\n", "expected a mapping"),
])
def test_bad_storage_settings_are_refused_with_the_field_named(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        write_policy(tmp_path, text)


def test_the_shipped_storage_settings_load_and_the_cutoff_follows_the_day():
    from newsflow.retention import load_storage_policy

    policy = load_storage_policy()
    assert policy.html_retention_days == 30
    assert policy.cutoff(date(2025, 1, 2)) == datetime(2024, 12, 4, tzinfo=timezone.utc)


def scalar_row(conn, query: str, params) -> tuple:
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()


def test_stored_html_reads_back_zstd_and_the_gzip_of_pages_stored_before():
    from newsflow import stored_html

    html = "<html><body><p>A council meeting in Raqqa, reported twice.</p></body></html>".encode() * 40
    packed = stored_html.pack(html)
    assert packed[:4] == b"\x28\xb5\x2f\xfd" and len(packed) < len(html) / 4
    assert stored_html.unpack(packed) == html and stored_html.file_suffix(packed) == ".html.zst"
    old = gzip.compress(html, 6, mtime=0)
    assert stored_html.unpack(memoryview(old)) == html and stored_html.file_suffix(old) == ".html.gz"
    with pytest.raises(ValueError, match="neither zstd nor gzip"):
        stored_html.unpack(html)


def html_state(conn) -> dict:
    with conn.cursor() as cur:
        cur.execute("SELECT canonical_url, content_sha256, fetched_at, html_gz IS NOT NULL, html_moved_to"
                    " FROM raw.page")
        return {row[:2]: row[2:] for row in cur.fetchall()}


def test_html_past_retention_moves_to_files_once_and_keeps_articles(warehouse, replay, tmp_path):
    """Pages stored as zstd go to .html.zst files, a page stored as gzip (before migration 019) to a
    .html.gz file: the same bytes either way."""
    from newsflow import pipeline, stored_html
    from newsflow.retention import apply_html_retention

    pipeline.ingest_all(INGEST_START, INGEST_END)
    with warehouse.cursor() as cur:
        cur.execute("SELECT canonical_url, content_sha256, html_gz FROM raw.page")
        url, sha, packed = sorted(cur.fetchall())[1]  # not the page left unextracted below
        cur.execute("UPDATE raw.page SET html_gz = %s WHERE canonical_url = %s AND content_sha256 = %s",
                    (gzip.compress(stored_html.unpack(packed), mtime=0), url, sha))
        as_gzip = (url, sha)
    pipeline.extract_pending()
    assert scalar_row(warehouse, "SELECT status FROM core.page_extraction WHERE canonical_url = %s"
                      " AND content_sha256 = %s", as_gzip) == ("ok",)
    pipeline.code_events()
    with warehouse.cursor() as cur:
        cur.execute("SELECT canonical_url, content_sha256, html_gz FROM raw.page")
        html = {(u, s): bytes(h) for u, s, h in cur.fetchall()}
        # one page is not extracted (yet): its HTML must stay whatever its age
        waiting = sorted(html)[0]
        cur.execute("DELETE FROM core.page_extraction WHERE canonical_url = %s AND content_sha256 = %s", waiting)
    kept = {k: v for k, v in table_snapshot(warehouse, ("core",)).items()}
    policy = write_policy(tmp_path, f"html_retention_days: 30\nhtml_archive_dir: {tmp_path / 'html'}\n")

    # the run for 2 Jan: cutoff 4 Dec 00:00, the pages' fetch time: not before it, nothing leaves
    assert apply_html_retention(date(2025, 1, 2), policy)["pages"] == 0
    assert all(present for _, present, _ in html_state(warehouse).values())

    # the run for 3 Jan: cutoff 5 Dec 00:00: every extracted page's HTML goes to its file
    counts = apply_html_retention(date(2025, 1, 3), policy)
    assert counts["pages"] == counts["moved"] == len(html) - 1 and counts["dropped"] == 0
    state = html_state(warehouse)
    assert state[waiting][1:] == (True, None)
    for key, (fetched_at, present, moved_to) in state.items():
        if key == waiting:
            continue
        suffix = ".html.gz" if key == as_gzip else ".html.zst"
        assert not present and moved_to == f"2024/12/04/{key[1]}{suffix}"
        stored = (tmp_path / "html" / moved_to).read_bytes()
        assert stored == html[key] and stored_html.unpack(stored)  # the same bytes, readable
    assert table_snapshot(warehouse, ("core",)) == kept, "article text, versions and events stay"

    # a re-run, a later day and a backfill of an earlier day change nothing more
    before = table_snapshot(warehouse, ("raw", "core"))
    files = sorted(p.relative_to(tmp_path) for p in (tmp_path / "html").rglob("*"))
    for day in (date(2025, 1, 3), date(2025, 1, 4), date(2024, 12, 20)):
        assert apply_html_retention(day, policy)["pages"] == 0
    assert table_snapshot(warehouse, ("raw", "core")) == before
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "html").rglob("*")) == files


def test_without_an_archive_folder_html_past_retention_is_dropped(warehouse, replay, tmp_path):
    from newsflow import pipeline
    from newsflow.retention import apply_html_retention

    pipeline.ingest_all(INGEST_START, INGEST_END)
    pipeline.extract_pending()
    pages = len(html_state(warehouse))
    policy = write_policy(tmp_path, "html_retention_days: 1\nhtml_archive_dir: null\n")
    assert apply_html_retention(date(2024, 12, 3), policy)["pages"] == 0  # cutoff 3 Dec 00:00
    counts = apply_html_retention(date(2024, 12, 4), policy)  # cutoff 4 Dec 00:00: still not before it
    assert counts["pages"] == 0
    counts = apply_html_retention(date(2024, 12, 5), policy)
    assert counts["pages"] == counts["dropped"] == pages
    assert set(html_state(warehouse).values()) == {(INGEST_END, False, None)}
    keep_all = write_policy(tmp_path, "html_retention_days: null\nhtml_archive_dir: null\n")
    assert apply_html_retention(date(2030, 1, 1), keep_all)["cutoff"] is None


def test_a_file_name_never_leaves_the_archive_folder(tmp_path):
    from newsflow.retention import archive_path

    with pytest.raises(ValueError):
        archive_path(tmp_path, INGEST_END, "../../etc/passwd")
