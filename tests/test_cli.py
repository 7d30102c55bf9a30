"""The `newsflow` command line, run as a user runs it (a subprocess), on the replay fixtures."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((ROOT / "include" / "replay" / "manifest.json").read_text(encoding="utf-8"))


def newsflow(*args, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsflow.cli", *args], input=stdin, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})}, cwd=ROOT)


def json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_extract_batch_contract(tmp_path):
    from newsflow.replay import default_root, fixture_path

    seed = next(a for a in MANIFEST["articles"] if "seed_story" in a["cases"] and a["language"] == "ar")
    page = fixture_path(seed["url"], default_root())
    packed = tmp_path / "seed.html.gz"
    packed.write_bytes(gzip.compress(page.read_bytes()))
    batch = tmp_path / "in.jsonl"
    batch.write_text("\n".join([
        json.dumps({"id": "seed", "path": str(packed), "url": seed["url"]}),
        "{not json",
        json.dumps({"id": "missing", "path": str(tmp_path / "nope.html")}),
    ]) + "\n", encoding="utf-8")
    result = newsflow("extract", "--batch", str(batch))
    assert result.returncode == 0, result.stderr
    out = json_lines(result.stdout)
    assert len(out) == 3
    first = out[0]
    for key in ("id", "title", "text", "published_at", "language", "authors", "error",
                "agencies", "kind", "canonical_url", "updated_at"):
        assert key in first
    assert first["id"] == "seed" and first["error"] is None
    assert first["title"] == seed["title"] and first["text"] == seed["body"]
    assert first["language"] == "ar" and first["kind"] == "article"
    assert first["published_at"].startswith("2024-12-02")
    assert out[1]["error"] and out[2]["id"] == "missing" and out[2]["error"]


def test_events_batch_contract_on_the_seed_story():
    seed = next(a for a in MANIFEST["articles"] if "seed_story" in a["cases"] and a["language"] == "ar")
    lines = "\n".join([
        json.dumps({"id": "seed", "text": seed["body"], "language": "ar", "published_at": seed["published_at"],
                    "title": seed["title"]}, ensure_ascii=False),
        json.dumps({"id": "no-text"}),
    ]) + "\n"
    # --candidates: every coded mention (the default output keeps the events at the cut only).
    result = newsflow("events", "--batch", "-", "--candidates", stdin=lines)
    assert result.returncode == 0, result.stderr
    seed_out, bad = json_lines(result.stdout)
    assert seed_out["id"] == "seed" and seed_out["error"] is None
    events = seed_out["events"]
    assert any(e["is_event"] for e in events) and not all(e["is_event"] for e in events)
    types = {e["event_type"] for e in events}
    assert {"ASSAULT", "REQUEST"} <= types
    countries = {e["location"]["country"] for e in events if e["location"]}
    assert countries == {"SY"}, countries
    assert bad["id"] == "no-text" and bad["error"]


def test_dedup_batch_contract():
    body = next(a for a in MANIFEST["articles"] if a["language"] == "en" and len(a["body"]) > 800)["body"]
    edited = body.replace(".", ";", 3) + "\nRead more on our website."
    lines = "\n".join(json.dumps(r) for r in [
        {"id": "a", "text": body, "published_at": "2024-12-02T08:00:00+00:00"},
        {"id": "b", "text": edited, "published_at": "2024-12-02T09:00:00+00:00"},
        {"id": "c", "text": "An unrelated short story about a football match in Lyon on Sunday evening."},
    ]) + "\n"
    result = newsflow("dedup", "--batch", "-", stdin=lines)
    assert result.returncode == 0, result.stderr
    out = {r["id"]: r for r in json_lines(result.stdout)}
    assert out["a"]["duplicate_of"] is None
    assert out["b"]["cluster_id"] == out["a"]["cluster_id"] and out["b"]["duplicate_of"] == "a"
    assert out["c"]["cluster_id"] != out["a"]["cluster_id"] and out["c"]["duplicate_of"] is None


def test_check_config_names_the_bad_entry(tmp_path):
    good = newsflow("check-config")
    assert good.returncode == 0 and "feeds OK" in good.stdout
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - {id: ok_feed, name: A, url: 'https://a.example/rss', language: en, kind: wire,"
                   " enabled: true}\n  - {id: broken, name: B, url: 'ftp://b.example', language: en, kind: wire,"
                   " enabled: true}\n", encoding="utf-8")
    result = newsflow("check-config", "--feeds", str(bad))
    assert result.returncode == 2
    assert "feeds[1]" in result.stderr and "broken" in result.stderr and "url" in result.stderr


def test_db_migrate_and_fetch_feeds_on_the_replay(warehouse_url, warehouse, replay):
    env = {"NEWSFLOW_WAREHOUSE_URL": warehouse_url, "NEWSFLOW_REPLAY_BASE": replay.base_url}
    migrated = newsflow("db", "migrate", env=env)
    assert migrated.returncode == 0 and "up to date" in migrated.stdout
    fetched = newsflow("fetch-feeds", "--feed", "sana_en", "--interval-end", "2024-12-03T12:00:00Z", env=env)
    assert fetched.returncode == 0, fetched.stderr
    summary = json.loads(fetched.stdout)
    assert summary[0]["feed_id"] == "sana_en" and summary[0]["items"] == 3
    with warehouse.cursor() as cur:
        cur.execute("SELECT count(*) FROM raw.page WHERE feed_id = 'sana_en'")
        assert cur.fetchone()[0] == 3
