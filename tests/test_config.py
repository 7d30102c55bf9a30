"""feeds.yaml: the shipped file is valid and complete; bad entries are named in the error."""
from __future__ import annotations

import pytest

from newsflow.config import ConfigError, load_feeds

AJ_EN = "https://www.aljazeera.com/xml/rss/all.xml"
AJ_AR = ("https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/"
         "73d0e1b4-532f-45ef-b135-bfdff8b8cab9")


def test_shipped_feeds_cover_al_jazeera_and_wires():
    feeds = load_feeds()
    urls = {f.url for f in feeds}
    assert {AJ_EN, AJ_AR} <= urls
    assert sum(f.kind == "wire" for f in feeds) >= 4
    assert {f.language for f in feeds} >= {"en", "ar"}


@pytest.mark.parametrize("entry, message", [
    ("{id: x, name: X, url: 'https://x.example/rss', language: en, kind: blog, enabled: true}", "kind"),
    ("{id: X-1, name: X, url: 'https://x.example/rss', language: en, kind: wire, enabled: true}", "id"),
    ("{id: x, name: X, url: 'https://x.example/rss', language: english, kind: wire, enabled: true}", "language"),
    ("{id: x, name: X, url: 'https://x.example/rss', language: en, kind: wire}", "enabled"),
    ("{id: x, name: X, url: 'https://x.example/rss', language: en, kind: wire, enabled: 'yes'}", "enabled"),
    ("{id: x, name: X, url: 'https://x.example/rss', language: en, kind: wire, enabled: true, colour: red}",
     "unknown"),
])
def test_bad_entries_are_named(tmp_path, entry, message):
    path = tmp_path / "feeds.yaml"
    path.write_text(f"feeds:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_feeds(path)
    assert "feeds[0]" in str(err.value) and message in str(err.value)


def test_duplicate_ids_and_broken_yaml(tmp_path):
    dup = tmp_path / "dup.yaml"
    row = "{id: x, name: X, url: 'https://x.example/rss', language: en, kind: wire, enabled: true}"
    dup.write_text(f"feeds:\n  - {row}\n  - {row}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"feeds\[1\].*duplicate"):
        load_feeds(dup)
    broken = tmp_path / "broken.yaml"
    broken.write_text("feeds: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML"):
        load_feeds(broken)
    with pytest.raises(ConfigError, match="not found"):
        load_feeds(tmp_path / "absent.yaml")


def test_event_policy_is_one_cut(tmp_path):
    from newsflow.config import load_event_policy

    policy = load_event_policy()
    assert 0.0 < policy.cut < 1.0
    assert policy.is_event(policy.cut) and not policy.is_event(policy.cut - 0.01)
    assert not policy.is_event(None)
    bad = tmp_path / "events.yaml"
    bad.write_text("event_cut: high\n")
    with pytest.raises(ConfigError, match="event_cut must be a number"):
        load_event_policy(bad)
    bad.write_text("event_cut: 0.5\ncutoff: 1\n")
    with pytest.raises(ConfigError, match="unknown field"):
        load_event_policy(bad)
