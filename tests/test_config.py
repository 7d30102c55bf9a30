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


def test_mubasher_feed_and_its_date_sitemap():
    mubasher = next(f for f in load_feeds() if f.id == "mubasher_ar")
    assert (mubasher.host, mubasher.language, mubasher.kind, mubasher.enabled) == \
        ("mubasher.aljazeera.net", "ar", "publisher", True)
    day = mubasher.sitemap_url.format(yyyy="2024", mm="12", dd="02")
    assert day == "https://mubasher.aljazeera.net/sitemap.xml?yyyy=2024&mm=12&dd=02"
    # its pages are read with the site's own extraction rules, not the aljazeera.net ones
    from newsflow.articles import load_rules, site_rules

    rules = site_rules("https://mubasher.aljazeera.net/news/2024/12/2/x", load_rules())
    assert rules.host == "mubasher.aljazeera.net" and rules.language == "ar"


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
