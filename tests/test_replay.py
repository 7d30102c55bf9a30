"""The local replay server and its fixtures agree with manifest.json."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest

from newsflow.replay import ReplayServer, default_root, fixture_path, to_replay_url

ROOT = default_root()
MANIFEST = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
ARTICLES = MANIFEST["articles"]
FEEDS = MANIFEST["feeds"]
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def get(url: str, headers: dict | None = None, timeout: float = 5) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class VisibleText(HTMLParser):
    """Text a reader sees: everything outside script, style and head."""

    HIDDEN = {"script", "style", "head", "noscript", "template"}

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1
        elif tag in {"p", "h1", "h2", "h3", "li", "div", "figcaption", "br"}:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def visible_text(html_bytes: bytes) -> str:
    parser = VisibleText()
    parser.feed(html_bytes.decode("utf-8"))  # every fixture is UTF-8, whatever it declares
    return normalise(" ".join(parser.parts))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def by_phase(phase: int) -> list[dict]:
    return [a for a in ARTICLES if a["phase"] == phase]


@pytest.fixture()
def server():
    with ReplayServer() as running:
        yield running


def test_url_mapping():
    base = "http://127.0.0.1:9"
    assert to_replay_url("https://www.aljazeera.com/news/a?b=1", base) == f"{base}/www.aljazeera.com/news/a?b=1"
    assert to_replay_url("https://sana.sy", base + "/") == f"{base}/sana.sy/"
    sitemap = fixture_path("https://www.aljazeera.com/sitemap.xml?yyyy=2024&mm=12&dd=02", ROOT)
    assert sitemap == ROOT / "sites/www.aljazeera.com/sitemap.xml__yyyy_2024_mm_12_dd_02"
    assert fixture_path("https://sana.sy/en/?feed=rss2", ROOT).name == "index.html__feed_rss2"
    updated = next(a["url"] for a in ARTICLES if "updated_in_place" in a["cases"])
    assert fixture_path(updated, ROOT).is_relative_to(ROOT / "sites")
    assert fixture_path(updated, ROOT, phase=2).is_relative_to(ROOT / "phase2")
    assert fixture_path("https://www.aljazeera.com/../../manifest.json", ROOT) is None
    assert fixture_path("https://www.aljazeera.com/no/such/page", ROOT) is None


def test_manifest_covers_the_required_cases():
    pages = [a for a in ARTICLES if a["status"] == 200]
    assert len({a["url"] for a in pages}) >= 40
    for language in ("ar", "en"):
        assert len({a["url"] for a in pages if a["language"] == language}) >= 15
    cases = {case for a in ARTICLES for case in a["cases"]}
    assert {"wire_republished", "updated_in_place", "liveblog", "video", "not_found", "wrong_charset",
            "malformed_feed", "seed_story"} <= cases
    republished_story = next(a["story"] for a in ARTICLES if "wire_republished" in a["cases"])
    assert len({a["feed_id"] for a in ARTICLES if a["story"] == republished_story}) >= 3
    for article in ARTICLES:
        assert re.search(r"[+-]\d\d:\d\d$", article["published_at"]), article["url"]
        assert (article["body"] == "") == (article["kind"] == "video" or article["status"] == 404)


def test_every_manifest_url_answers_with_its_status(server):
    for article in by_phase(1):
        status, _, _ = get(server.url(article["url"]))
        assert status == article["status"], article["url"]
    for article in by_phase(2):
        if not any(a["url"] == article["url"] for a in by_phase(1)):
            assert get(server.url(article["url"]))[0] == 404, "phase-2 page visible in phase 1"
    server.set_phase(2)
    for article in by_phase(2):
        assert get(server.url(article["url"]))[0] == article["status"], article["url"]


@pytest.mark.parametrize("phase", [1, 2])
def test_bodies_appear_in_visible_page_text(phase):
    with ReplayServer(phase=phase) as server:
        for article in by_phase(phase):
            if article["status"] != 200:
                continue
            _, _, body = get(server.url(article["url"]))
            text = visible_text(body)
            assert normalise(article["title"]) in text
            position = 0
            for line in filter(None, article["body"].split("\n")):
                found = text.find(normalise(line), position)
                assert found >= 0, f"{article['url']}: missing or out of order: {line[:60]}"
                position = found + len(normalise(line))


def test_feeds_parse_and_list_the_manifest_items(server):
    for feed in FEEDS:
        for phase in (1, 2):
            server.set_phase(phase)
            status, headers, body = get(server.url(feed["url"]))
            assert status == 200
            assert "xml" in headers["Content-Type"]
            parsed = feedparser.parse(body)
            assert bool(parsed.bozo) == feed["malformed"], feed["feed_id"]
            assert len(parsed.entries) == feed[f"items_phase{phase}"] > 0
            expected_version = "atom10" if feed["format"] == "atom" else "rss20"
            assert parsed.version == expected_version
            assert len({e.id for e in parsed.entries}) == len(parsed.entries)
            listed = {e.link for e in parsed.entries}
            live = {a["url"] for a in ARTICLES
                    if a["feed_id"] == feed["feed_id"] and a["in_feed"] and a["phase"] <= phase}
            assert listed == live


def test_aljazeera_feeds_carry_no_full_text(server):
    for feed_id in ("aljazeera_en", "aljazeera_ar", "mubasher_ar"):
        feed = next(f for f in FEEDS if f["feed_id"] == feed_id)
        parsed = feedparser.parse(get(server.url(feed["url"]))[2])
        for entry in parsed.entries:
            assert entry.title and entry.link and entry.published_parsed and entry.id and entry.summary
            assert "content" not in entry


def sitemap_feeds() -> list:
    from newsflow.config import load_feeds

    return [feed for feed in load_feeds(enabled_only=True) if feed.sitemap_url]


def test_sitemaps_list_the_days_articles(server):
    # the templates of include/config/feeds.yaml, so configuration and replay agree
    assert {feed.id for feed in sitemap_feeds()} == {"aljazeera_en", "aljazeera_ar", "mubasher_ar"}
    for feed in sitemap_feeds():
        feed_id, backfill_only = feed.id, 0
        for day in ("01", "02", "03"):
            status, _, body = get(server.url(feed.sitemap_url.format(yyyy="2024", mm="12", dd=day)))
            assert status == 200
            urls = ET.fromstring(body).findall(f"{SITEMAP_NS}url")
            assert all(u.find(f"{SITEMAP_NS}lastmod") is not None for u in urls)
            listed = {u.find(f"{SITEMAP_NS}loc").text for u in urls}
            expected = {a["url"] for a in by_phase(1) if a["feed_id"] == feed_id and a["in_sitemap"]
                        and a["published_at"] and _utc_day(a["published_at"]) == f"2024-12-{day}"}
            assert listed == expected and listed
            backfill_only += sum(1 for a in by_phase(1) if a["url"] in listed and not a["in_feed"])
        assert backfill_only >= 1


def _utc_day(iso: str) -> str:
    from datetime import datetime, timezone

    return datetime.fromisoformat(iso).astimezone(timezone.utc).date().isoformat()


def test_conditional_get(server):
    url = server.url(FEEDS[0]["url"])
    status, headers, _ = get(url)
    assert status == 200 and headers["ETag"] and headers["Last-Modified"]
    assert get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert get(url, {"If-None-Match": '"stale"'})[0] == 200
    assert get(url, {"If-Modified-Since": "Sun, 01 Dec 2024 00:00:00 GMT"})[0] == 200
    # Headers are deterministic: a second server gives the same validators.
    with ReplayServer() as other:
        again = get(other.url(FEEDS[0]["url"]))[1]
    assert (again["ETag"], again["Last-Modified"]) == (headers["ETag"], headers["Last-Modified"])


def test_phase_two_updates_the_article_in_place(server):
    updated = [a for a in ARTICLES if "updated_in_place" in a["cases"]]
    first = next(a for a in updated if a["phase"] == 1)
    second = next(a for a in updated if a["phase"] == 2 and a["url"] == first["url"])
    assert first["body"] != second["body"] and second["updated_at"]
    url = server.url(first["url"])
    _, headers1, body1 = get(url)
    assert get(server.base_url + "/_replay/phase?set=2")[0] == 200
    assert server.phase == 2
    status, headers2, body2 = get(url, {"If-None-Match": headers1["ETag"]})
    assert status == 200 and body2 != body1 and headers2["ETag"] != headers1["ETag"]
    assert normalise(second["body"].split("\n")[0]) in visible_text(body2)
    # A page that did not change keeps answering 304 in phase 2.
    unchanged = next(a for a in by_phase(1) if a["status"] == 200 and a["url"] != first["url"])
    server.set_phase(1)
    etag = get(server.url(unchanged["url"]))[1]["ETag"]
    server.set_phase(2)
    assert get(server.url(unchanged["url"]), {"If-None-Match": etag})[0] == 304


def test_wrong_charset_page_declares_a_wrong_charset(server):
    article = next(a for a in ARTICLES if "wrong_charset" in a["cases"])
    _, headers, body = get(server.url(article["url"]))
    declared = headers["Content-Type"].split("charset=")[1].lower()
    assert declared != "utf-8"
    body.decode("utf-8")  # the bytes really are UTF-8
    assert article["body"].split("\n")[0] not in body.decode(declared, errors="replace")


def test_fault_endpoints(server):
    base = server.base_url + "/faults.example"
    assert get(base + "/500")[0] == 500
    assert get(base + "/404")[0] == 404
    status, headers, body = get(base + "/garbage")
    assert status == 200 and headers["Content-Type"].startswith("application/rss+xml")
    garbage = feedparser.parse(body)
    assert garbage.bozo and not garbage.entries
    started = time.monotonic()
    status, _, body = get(base + "/slow?seconds=1")
    assert status == 200 and time.monotonic() - started >= 1
    assert feedparser.parse(body).entries
    with pytest.raises(OSError):  # a client timeout shorter than the delay
        urllib.request.urlopen(base + "/slow?seconds=2", timeout=0.3).read()


def test_control_and_unknown_paths(server):
    assert get(server.base_url + "/_replay/health") == (200, get(server.base_url + "/_replay/health")[1], b"ok")
    assert get(server.base_url + "/_replay/phase?set=7")[0] == 400
    assert get(server.base_url + "/www.aljazeera.com/no/such/page")[0] == 404
    assert get(server.base_url + "/www.aljazeera.com/%2e%2e/%2e%2e/manifest.json")[0] == 404
    assert get(server.base_url + "/")[0] == 404


def test_committed_fixtures_match_a_fresh_build():
    spec = importlib.util.spec_from_file_location("replay_build", ROOT / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(build)
    finally:
        del sys.modules[spec.name]
    articles = build.load_articles()
    assert json.loads(json.dumps(build.manifest(articles))) == MANIFEST
    phase1 = build.render_phase(articles, 1)
    for name, data in phase1.items():
        assert (ROOT / "sites" / name).read_bytes() == data, name
    for name, data in build.render_phase(articles, 2).items():
        layer = "sites" if phase1.get(name) == data else "phase2"
        assert (ROOT / layer / name).read_bytes() == data, name
    served = {p.relative_to(ROOT / "sites") for p in (ROOT / "sites").rglob("*") if p.is_file()}
    assert served == set(phase1)


def test_every_configured_feed_is_replayed():
    from newsflow.config import load_feeds

    replayed = {feed["url"]: feed["feed_id"] for feed in FEEDS}
    for feed in load_feeds(enabled_only=True):
        assert replayed.get(feed.url) == feed.id, f"{feed.id}: {feed.url} has no replay fixture"


MUBASHER = [a for a in ARTICLES if a["feed_id"] == "mubasher_ar"]


def test_mubasher_covers_the_seed_a_shared_story_and_a_video(server):
    from urllib.parse import urlsplit

    assert {urlsplit(a["url"]).hostname for a in MUBASHER} == {"mubasher.aljazeera.net"}
    assert {a["language"] for a in MUBASHER} == {"ar"}
    # the seed article's own publisher
    seeds = [a for a in ARTICLES if "seed_story" in a["cases"] and a["language"] == "ar"]
    assert [a["feed_id"] for a in seeds] == ["mubasher_ar"]
    # a story another source of the replay also covers
    shared = {a["story"] for a in MUBASHER if a["story"]} & {a["story"] for a in ARTICLES if a["feed_id"] != "mubasher_ar"}
    assert len(shared) >= 2
    # a video page: no body, a VideoObject and the player
    video = next(a for a in MUBASHER if a["kind"] == "video")
    assert urlsplit(video["url"]).path.startswith("/videos/") and video["body"] == ""
    _, _, page = get(server.url(video["url"]))
    assert b'"@type": "VideoObject"' in page and b"<video-js" in page
    # real events of 1-3 December 2024 in Syria: Aleppo, Hama and Idlib all appear
    days = {_utc_day(a["published_at"]) for a in MUBASHER}
    assert days == {"2024-12-01", "2024-12-02", "2024-12-03"}
    text = " ".join(a["title"] + " " + a["body"] for a in MUBASHER)
    assert all(place in text for place in ("حلب", "حماة", "إدلب"))


def test_mubasher_pages_carry_the_noise_extraction_must_drop(server):
    for article in (a for a in MUBASHER if a["kind"] == "article"):
        _, _, page = get(server.url(article["url"]))
        html = page.decode("utf-8")
        for marker in ('"@type": "NewsArticle"', 'property="og:title"', 'class="wysiwyg post-content"',
                       'class="related-articles', 'class="social-share', "<figcaption>", 'class="article-source"'):
            assert marker in html, (article["url"], marker)
        # the noise is visible text on the page, and none of it is in the expected body
        shown = visible_text(page)
        for noise in ("اقرأ أيضا", "شارك", "إعلان", "الكلمات المفتاحية", "مواضيع ذات صلة", "الأكثر مشاهدة"):
            assert noise in shown and noise not in article["body"], noise


def test_mubasher_ingest_and_extract_give_the_expected_bodies(warehouse, replay):
    from datetime import date, datetime, timezone

    from newsflow import pipeline
    from newsflow.dedup import canonical_url

    end = datetime(2024, 12, 3, 23, 45, tzinfo=timezone.utc)
    summary = pipeline.ingest_feed("mubasher_ar", end.replace(minute=30), end)
    assert summary.status == "ok"
    pipeline.archive_day(date(2024, 12, 2))  # the report that is only in the day's sitemap
    pipeline.extract_pending()
    with warehouse.cursor() as cur:
        cur.execute("SELECT canonical_url, title, kind, text FROM core.article WHERE source_id = 'mubasher_ar'")
        stored = {row[0]: row[1:] for row in cur.fetchall()}
    expected = {canonical_url(a["url"]): (a["title"], a["kind"], a["body"]) for a in MUBASHER
                if a["in_feed"] or _utc_day(a["published_at"]) == "2024-12-02"}
    assert any(not a["in_feed"] for a in MUBASHER) and len(expected) == len(MUBASHER)
    assert stored == expected
