"""Tests of newsflow.articles on the replay fixtures and on small hand-written pages."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsflow.articles import extract_article, extract_batch, load_rules, parse_rules
from newsflow.config import ConfigError

REPLAY = Path(__file__).resolve().parents[1] / "include" / "replay"
MANIFEST = REPLAY / "manifest.json"
# The manifest credits Reuters on this page, but the page itself only says "news agencies".
def replay_entries(hosts=("aljazeera.com", "aljazeera.net")) -> list[dict]:
    if not MANIFEST.exists():
        return []
    entries = json.loads(MANIFEST.read_text(encoding="utf-8"))["articles"]
    return [e for e in entries if e["status"] == 200 and any(h in e["url"] for h in hosts)]


def fixture(entry: dict) -> tuple[bytes, dict | None]:
    from newsflow.replay import fixture_path

    path = fixture_path(entry["url"], REPLAY, entry["phase"])
    sidecar = path.with_name(path.name + ".headers.json")
    headers = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else None
    return path.read_bytes(), headers


needs_replay = pytest.mark.skipif(not MANIFEST.exists(), reason="include/replay/manifest.json not built yet")


@needs_replay
@pytest.mark.parametrize("entry", replay_entries(), ids=lambda e: f"{e['url'][-45:]}#{e['phase']}")
def test_aljazeera_fixture_extracted_exactly(entry):
    html, headers = fixture(entry)
    result = extract_article(html, url=entry["url"], headers=headers)
    assert result["error"] is None
    assert result["text"] == entry["body"]
    assert result["title"] == entry["title"]
    assert result["kind"] == entry["kind"]
    assert result["published_at"] == datetime.fromisoformat(entry["published_at"])
    assert result["published_at"].tzinfo is not None
    assert result["language"] == entry["language"]
    assert result["agencies"] == entry["agencies"]
    if entry["kind"] == "liveblog":
        assert len(result["posts"]) >= 2 and all(p["published_at"] for p in result["posts"])
    else:
        assert result["posts"] == []


@needs_replay
@pytest.mark.parametrize("entry", replay_entries(("aa.com.tr", "sana.sy", "tass.com", "news.cn", "xinhuanet")),
                         ids=lambda e: e["url"][-40:])
def test_wire_fixture_extracted_exactly(entry):
    html, headers = fixture(entry)
    result = extract_article(html, url=entry["url"], headers=headers)
    assert result["text"] == entry["body"]
    assert result["agencies"] == entry["agencies"]
    assert result["authors"] == entry["authors"]
    assert result["published_at"] == datetime.fromisoformat(entry["published_at"])


@needs_replay
def test_wrong_declared_charset_comes_out_clean():
    entry = next(e for e in replay_entries() if "wrong_charset" in e["cases"])
    html, headers = fixture(entry)
    assert headers and "utf-8" not in json.dumps(headers).lower()  # the page lies about its charset
    result = extract_article(html, url=entry["url"], headers=headers)
    assert result["text"] == entry["body"]
    assert "Ø" not in result["text"] and "\ufffd" not in result["text"]


@needs_replay
def test_video_page_has_no_body():
    entry = next(e for e in replay_entries() if e["kind"] == "video")
    html, headers = fixture(entry)
    result = extract_article(html, url=entry["url"], headers=headers)
    assert result["kind"] == "video" and result["text"] == "" and result["title"] == entry["title"]


# ---------------------------------------------------------------------------
# Hand-written pages
# ---------------------------------------------------------------------------
def page(body: str, head: str = "", lang: str = "en") -> str:
    return f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


STORY_EN = [
    "Floodwaters rose across the river delta on Tuesday, forcing thousands of families to leave their homes.",
    "Local officials said emergency shelters had opened in three schools and a sports hall near the city centre.",
    "Forecasters expect more heavy rain over the weekend, and farmers fear the loss of the winter harvest.",
]


def test_ad_labels_share_and_read_more_are_removed():
    body = ("<h1>Floods force thousands from homes</h1><article>"
            f"<p>{STORY_EN[0]}</p><p>Advertisement</p><p>Read more: Storm season starts early</p>"
            f"<p>{STORY_EN[1]}</p><p>Share this article</p><p>{STORY_EN[2]}</p>"
            "<p>Sign up for our daily newsletter</p></article>")
    result = extract_article(page(body), url="https://news.example.org/2024/12/01/floods")
    assert result["text"].splitlines() == STORY_EN
    assert result["title"] == "Floods force thousands from homes"
    assert result["word_count"] == sum(len(s.split()) for s in STORY_EN)


def test_arabic_ad_label_read_also_and_source_line():
    paragraphs = ["قالت السلطات المحلية إن الأمطار الغزيرة أدت إلى فيضانات واسعة في عدد من القرى الواقعة على ضفاف النهر.",
                  "وأضافت أن فرق الإنقاذ تمكنت من إجلاء مئات العائلات إلى مراكز إيواء مؤقتة في المدارس.",
                  "ويتوقع خبراء الأرصاد استمرار هطول الأمطار خلال الأيام المقبلة مع انخفاض في درجات الحرارة."]
    body = (f"<h1>فيضانات تجبر مئات العائلات على النزوح</h1><article><p>{paragraphs[0]}</p><p>إعلان</p>"
            f"<p>اقرأ أيضا</p><p>{paragraphs[1]}</p><p>{paragraphs[2]}</p>"
            "<p>المصدر : الجزيرة مباشر + وكالات</p></article>")
    result = extract_article(page(body, lang="ar"), url="https://mubasher.aljazeera.net/news/2024/12/1/floods")
    assert result["text"].splitlines() == paragraphs
    assert result["agencies"] == ["الجزيرة مباشر", "وكالات"]
    assert result["language"] == "ar"


def test_wire_credit_and_dateline():
    first = "ANKARA (AA) - " + STORY_EN[0]
    body = f"<h1>Floods</h1><article><p>{first}</p><p>{STORY_EN[1]}</p><p>{STORY_EN[2]} (Reuters)</p></article>"
    result = extract_article(page(body), url="https://www.example.com/world/floods-1")
    assert result["agencies"] == ["Anadolu", "Reuters"]
    assert result["text"].splitlines() == [first, STORY_EN[1], STORY_EN[2]]


def test_dates_from_json_ld_meta_and_time():
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Floods", '
          '"datePublished": "2024-12-02T09:15:00+03:00", "dateModified": "2024-12-02T12:00:00Z", '
          '"author": [{"@type": "Person", "name": "Sara Haddad"}], "inLanguage": "en"}</script>')
    body = "<article><h1>Floods</h1>" + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>"
    result = extract_article(page(body, head=ld), url="https://www.example.com/floods")
    assert result["published_at"] == datetime(2024, 12, 2, 6, 15, tzinfo=timezone.utc)
    assert result["updated_at"] == datetime(2024, 12, 2, 12, 0, tzinfo=timezone.utc)
    assert result["authors"] == ["Sara Haddad"]

    timed = page("<article><h1>Floods</h1><time datetime='2024-11-30T22:05:00Z'>30 Nov</time>"
                 + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>")
    assert extract_article(timed)["published_at"] == datetime(2024, 11, 30, 22, 5, tzinfo=timezone.utc)


def test_rtl_marks_and_presentation_forms_are_normalised():
    # "الجزيرة" written with Arabic presentation forms, wrapped in right-to-left marks
    presentation = "\ufe8d\ufedf\ufea0\ufeb0\ufef3\ufeae\ufe93"
    text = f"\u200fقالت {presentation} إن المحادثات ستستأنف الأسبوع المقبل في العاصمة القطرية الدوحة بمشاركة الوسطاء.\u200f"
    body = f"<article><h1>محادثات</h1><p>{text}</p><p>{text.replace('المقبل', 'القادم')}</p></article>"
    result = extract_article(page(body, lang="ar").encode("utf-8"), url="https://www.aljazeera.net/news/x")
    assert "\u200f" not in result["text"]
    assert "الجزيرة" in result["text"] and presentation not in result["text"]


def test_mojibake_and_wrong_declared_charset_bytes():
    html = page("<article><h1>Café owners protest</h1>" + "".join(f"<p>{s} Café résumé.</p>" for s in STORY_EN)
                + "</article>")
    mislabelled = html.replace("charset='utf-8'", "charset='windows-1256'").encode("utf-8")
    result = extract_article(mislabelled, headers={"Content-Type": "text/html; charset=windows-1256"})
    assert "Café résumé" in result["text"] and result["title"] == "Café owners protest"
    doubly_encoded = html.encode("utf-8").decode("latin-1").encode("utf-8")  # classic mojibake "CafÃ©"
    assert "Café résumé" in extract_article(doubly_encoded)["text"]


def _badness_characters() -> set[str]:
    """Every non-ASCII character some part of ftfy's mojibake pattern can match (negated sets aside)."""
    import re._constants as op
    import re._parser as parser

    from ftfy.badness import BADNESS_RE

    found = set()

    def walk(items):
        for kind, value in items:
            if kind is op.LITERAL:
                found.add(value)
            elif kind is op.IN and not any(k is op.NEGATE for k, _ in value):
                for k, v in value:
                    found.update([v] if k is op.LITERAL else range(v[0], v[1] + 1) if k is op.RANGE else [])
            elif kind is op.SUBPATTERN:
                walk(value[3])
            elif kind is op.BRANCH:
                for branch in value[1]:
                    walk(branch)
            elif kind in (op.MAX_REPEAT, op.MIN_REPEAT):
                walk(value[2])

    walk(parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags))
    return {chr(code) for code in found if code > 127}


def test_the_mojibake_hint_holds_whatever_ftfy_could_call_bad():
    """clean_text skips ftfy when the hint finds nothing: the hint must find every text ftfy's
    own test calls bad (checked on every pair of its characters in context and on random strings)."""
    import random

    from ftfy.badness import is_bad

    from newsflow.articles import _MOJIBAKE_CHARS, _MOJIBAKE_HINT

    characters = _badness_characters()
    assert characters == {c for c in map(chr, range(128, 0x10000)) if re.fullmatch(f"[{_MOJIBAKE_CHARS}]", c)}
    alphabet = sorted(characters) + list("aZz .,?!\n1") + ["\xa0", "\u0627"]
    missed = [text for a in alphabet for b in alphabet for text in (a + b, "a" + a + b, a + b + " ", " " + a + b)
              if is_bad(text) and not _MOJIBAKE_HINT.search(text)]
    rng = random.Random(11)
    for _ in range(50000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        if is_bad(text) and not _MOJIBAKE_HINT.search(text):
            missed.append(text)
    assert missed == []
    assert _MOJIBAKE_HINT.search("doesnÃ¢â‚¬â„¢t") and is_bad("doesnÃ¢â‚¬â„¢t")  # the hint does fire


def test_clean_text_leaves_ftfy_unloaded_for_text_without_mojibake_characters():
    code = ("import sys; from newsflow.articles import clean_text; "
            "assert clean_text('Les élèves d\u2019Alep » قالت الوزارة') == 'Les élèves d\u2019Alep » قالت الوزارة'; "
            "print('ftfy' in sys.modules); print(clean_text('CafÃ© rÃ©sumÃ©')); print('ftfy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:3] == ["False", "Café résumé", "True"]


@pytest.mark.parametrize("garbage", [b"", b"\x00\x01\x02\xff\xfe", "just some words, no markup", b"<<<>>>"])
def test_garbage_input_yields_an_error(garbage):
    result = extract_article(garbage, url="https://www.example.com/broken")
    assert result["error"]
    assert result["text"] == "" and result["url"] == "https://www.example.com/broken"


def test_extract_batch_survives_bad_lines(tmp_path):
    html = page("<h1>Floods</h1><article>" + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>")
    plain = tmp_path / "a.html"
    plain.write_text(html, encoding="utf-8")
    zipped = tmp_path / "b.html.gz"
    zipped.write_bytes(gzip.compress(html.encode("utf-8")))
    lines = [
        json.dumps({"id": "a", "path": str(plain), "url": "https://www.example.com/a"}),
        "{not json",
        json.dumps({"id": "missing", "path": str(tmp_path / "nope.html")}),
        json.dumps({"id": "b", "path": str(zipped)}),
    ]
    results = list(extract_batch(lines))
    assert [r["id"] for r in results] == ["a", None, "missing", "b"]
    assert results[0]["error"] is None and results[0]["text"].splitlines() == STORY_EN
    assert results[1]["error"] and results[2]["error"]
    assert results[3]["error"] is None and results[3]["text"] == results[0]["text"]
    assert set(results[0]) == {"id", "title", "text", "published_at", "language", "authors", "agencies", "kind",
                               "canonical_url", "updated_at", "error"}


def test_rules_file_loads_and_bad_entry_is_named():
    rules = load_rules()
    assert "aljazeera.com" in rules.sites and rules.sites["aa.com.tr"].wire
    with pytest.raises(ConfigError, match=r"sites\.tass\.com\.drop_lines\[0\]"):
        parse_rules({"sites": {"tass.com": {"drop_lines": ["(unclosed"]}}})
    with pytest.raises(ConfigError, match=r"sites\.sana\.sy: unknown key"):
        parse_rules({"sites": {"sana.sy": {"body_xpth": "//div"}}})


def test_title_drops_site_name_and_decodes_entities():
    head = ("<meta property='og:site_name' content='Delta Courier'>"
            "<title>Floods force thousands from homes | Delta Courier</title>"
            "<script type='application/ld+json'>{\"@type\": \"NewsArticle\","
            " \"headline\": \"Floods force &quot;thousands&quot; from homes - Delta Courier\"}</script>")
    html = page("<article>" + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>", head)
    result = extract_article(html, url="https://www.deltacourier.example/news/floods")
    assert result["title"] == 'Floods force "thousands" from homes'


def test_title_takes_the_part_other_candidates_agree_on():
    head = ("<meta property='og:title' content='Floods force thousands from homes | Weather'>"
            "<meta name='twitter:title' content='Floods force thousands from homes'>")
    html = page("<article>" + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>", head)
    assert extract_article(html, url="https://news.example.org/a")["title"] == "Floods force thousands from homes"


def test_a_publisher_title_rule_picks_its_headline():
    head = ("<meta property='og:title' content='River delta: Families leave as the water keeps rising'>"
            "<script type='application/ld+json'>{\"@type\": \"NewsArticle\","
            " \"headline\": \"Floods force thousands from homes in the delta\"}</script>")
    html = page("<article>" + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>", head)
    # generic choice: the JSON-LD headline
    assert extract_article(html, url="https://news.example.org/a")["title"] == \
        "Floods force thousands from homes in the delta"
    # srf.ch names og:title, without its kicker, in sites.yaml
    assert extract_article(html, url="https://www.srf.ch/news/a")["title"] == \
        "Families leave as the water keeps rising"
    # a rule whose sources are all missing falls back to the generic choice
    bare = page("<article>" + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>",
                "<title>Floods force thousands from homes</title>")
    assert extract_article(bare, url="https://www.srf.ch/news/b")["title"] == "Floods force thousands from homes"


def test_title_rules_are_validated():
    rules = parse_rules({"sites": {"news.example.org": {"title": {"from": ["og"], "strip": [" - [A-Z]+$"]}}}})
    assert rules.sites["news.example.org"].title.sources == ("og",)
    with pytest.raises(ConfigError, match=r"sites\.news\.example\.org\.title\.from"):
        parse_rules({"sites": {"news.example.org": {"title": {"from": ["headline", "subtitle"]}}}})
    with pytest.raises(ConfigError, match=r"title\.strip\[0\]"):
        parse_rules({"sites": {"news.example.org": {"title": {"strip": ["(unclosed"]}}}})
    with pytest.raises(ConfigError, match=r"title: expected a mapping"):
        parse_rules({"sites": {"news.example.org": {"title": {"form": ["og"]}}}})


def test_standfirst_opens_the_body_and_link_lists_are_dropped():
    summary = "Thousands of families left the delta as the river rose, and more rain is on the way."
    related = "".join(f"<li><a href='/r{i}'>Related story number {i} about the weather</a></li>" for i in range(4))
    html = page("<header><h1>Floods force thousands from homes</h1>"
                f"<div class='article-standfirst'>{summary}</div></header><article><p>By Jane Porter</p>"
                + "".join(f"<p>{s}</p>" for s in STORY_EN[:2]) + f"<ul>{related}</ul><p>{STORY_EN[2]}</p></article>",
                f"<meta name='description' content='{summary}'>")
    result = extract_article(html, url="https://news.example.org/floods")
    assert result["text"].splitlines() == [summary, *STORY_EN]
    # a configured wire keeps its body starting at the first paragraph
    wire = extract_article(html, url="https://tass.com/world/1")
    assert summary not in wire["text"] and STORY_EN[0] in wire["text"]


def test_kicker_headline_teaser_lists_tweets_and_author_notes_leave_the_body():
    teasers = "".join(f"<li><strong>Weather:</strong> <a href='/t{i}'>Storm number {i} is on its way north</a></li>"
                      for i in range(3))
    tweet = ("<blockquote class='twitter-tweet'><p>Water everywhere on Main Street this morning</p>"
             "— A Resident (@resident) May 2, 2024</blockquote>")
    note = "Jane Porter is our climate correspondent and has covered floods in the delta since 2015."
    head = ("<meta property='og:title' content='Floods force thousands from homes'>"
            "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": "
            "\"Floods force thousands from homes\", \"author\": {\"name\": \"Jane Porter\"}}</script>")
    html = page("<article><p>River delta: Floods force thousands from homes</p>"
                f"<p>{STORY_EN[0]}</p><ul>{teasers}</ul><p>{STORY_EN[1]}</p>{tweet}<p>{STORY_EN[2]}</p>"
                f"<p>{note}</p></article>", head)
    from dataclasses import replace

    from newsflow.articles import _extract

    result = extract_article(html, url="https://news.example.org/floods")
    assert result["text"].splitlines() == STORY_EN
    # with the headline_lines layer off the kicker and headline stay, as trafilatura reads them
    rules = load_rules()
    bare = _extract(html, "https://news.example.org/floods", None, None,
                    replace(rules, layers=rules.layers - {"headline_lines"}))
    assert bare["text"].splitlines() == ["River delta: Floods force thousands from homes", *STORY_EN]


def test_a_headline_further_down_stays_as_a_subheading():
    lead = ("Thousands of families left the delta this week as the river rose to a level not seen in forty years,"
            " and forecasters warn that more rain is on the way for the farms downstream.")
    head = "<meta property='og:title' content='Floods force thousands from homes'>"
    html = page(f"<article><p>{lead}</p><h2>Floods force thousands from homes</h2>"
                + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>", head)
    lines = extract_article(html, url="https://news.example.org/floods")["text"].splitlines()
    assert lines == [lead, "Floods force thousands from homes", *STORY_EN]


# ---------------------------------------------------------------------------
# Never below the generic engine: guarded site rules, layout dates, parsing fallback
# ---------------------------------------------------------------------------
STORY_LONG = STORY_EN + [
    "The regional governor asked the army to help move livestock and stored grain to higher ground.",
    "Aid groups warned that clean water would run short within days unless the pumping stations reopened.",
    "Residents who stayed behind described streets turned into rivers and cars carried away by the current.",
]


def test_a_site_rule_whose_container_is_gone_gives_way_to_the_generic_body():
    # Al Jazeera in a layout the rule does not know: no "wysiwyg" container at all
    html = page("<h1>Floods close schools in the delta</h1><main><article>"
                + "".join(f"<p>{s}</p>" for s in STORY_LONG) + "</article></main>")
    result = extract_article(html, url="https://www.aljazeera.com/news/2031/1/5/floods-close-schools")
    assert result["error"] is None
    assert all(s in result["text"] for s in STORY_LONG)
    assert result["agencies"] == ["Al Jazeera"]


def test_a_site_rule_whose_container_holds_a_scrap_gives_way_to_the_generic_body():
    # the rule's container still exists but now holds only a teaser; the story moved elsewhere
    html = page("<h1>Floods close schools in the delta</h1>"
                "<div class='wysiwyg'><p>Floods in the delta.</p></div><main><article>"
                + "".join(f"<p>{s}</p>" for s in STORY_LONG) + "</article></main>")
    result = extract_article(html, url="https://www.aljazeera.com/news/2031/1/5/floods-close-schools")
    assert all(s in result["text"] for s in STORY_LONG)


def test_the_guard_keeps_a_rule_in_proportion_and_drops_one_out_of_it():
    guard = parse_rules({"guard": {"min_share": 0.3, "max_growth": 3.0, "min_words": 50}}).guard
    assert guard.keeps_rule(300, 500)  # the rule trims boilerplate the generic body keeps
    assert not guard.keeps_rule(0, 500) and not guard.keeps_rule(100, 500)  # empty or a scrap
    assert not guard.keeps_rule(2000, 500)  # the rule's container holds the whole page
    assert guard.keeps_rule(200, 20)  # the generic body is too short to judge by
    for bad in ({"min_share": 2}, {"max_growth": 0.5}, {"min_words": -1}, {"share": 0.3}):
        with pytest.raises(ConfigError, match="guard"):
            parse_rules({"guard": bad})


def dated_page(published: str | None) -> str:
    head = f"<meta property='article:published_time' content='{published}'>" if published else ""
    return page("<h1>Floods close schools</h1><article>" + "".join(f"<p>{s}</p>" for s in STORY_LONG)
                + "<p class='press-note'>The district press office thanked volunteers who filled sandbags"
                  " through the night in the harbour quarter.</p></article>", head=head)


def test_a_rule_outside_its_layout_dates_is_not_used(tmp_path, monkeypatch):
    sites = tmp_path / "sites.yaml"
    sites.write_text("sites:\n  example.org:\n    valid_from: 2020-01-01\n    valid_until: 2022-12-31\n"
                     "    drop_xpaths: [\"//p[@class='press-note']\"]\n", encoding="utf-8")
    monkeypatch.setenv("NEWSFLOW_SITES_FILE", str(sites))
    url = "https://news.example.org/floods"
    inside = extract_article(dated_page("2021-06-01T10:00:00Z"), url=url)
    outside = extract_article(dated_page("2024-06-01T10:00:00Z"), url=url)
    undated = extract_article(dated_page(None), url=url)
    assert all(s in inside["text"] for s in STORY_LONG) and "press office" not in inside["text"]
    assert "press office" not in undated["text"]  # no date: the rule holds
    assert all(s in outside["text"] for s in STORY_LONG) and "press office" in outside["text"]


def test_layout_dates_are_validated():
    assert parse_rules({"sites": {"example.org": {"valid_from": "2020-01-01"}}}).sites["example.org"].valid_from
    with pytest.raises(ConfigError, match="valid_until"):
        parse_rules({"sites": {"example.org": {"valid_from": "2022-01-01", "valid_until": "2021-01-01"}}})
    with pytest.raises(ConfigError, match="valid_from"):
        parse_rules({"sites": {"example.org": {"valid_from": "last spring"}}})


@pytest.mark.parametrize("prologue", [
    "<?xml version='1.0' encoding='iso-8859-1'?>\n",
    "<!-- saved from url=(0044)http://news.example.co.uk/1/hi/world/1.stm -->\n",
])
def test_a_page_lxml_takes_for_a_fragment_still_extracts(prologue):
    # old pages: a comment or XML declaration before <html> and no <head>; lxml then hands back the
    # body's content, not the document
    body = "<table><tr><td>" + "".join(f"<p>{s}</p>" for s in STORY_LONG) + "</td></tr></table>"
    html = (prologue + f"<html><body>{body}<div>Back to top</div></body></html>").encode("iso-8859-1")
    result = extract_article(html, url="http://news.example.co.uk/1/hi/world/1.stm")
    assert result["error"] is None
    assert all(s in result["text"] for s in STORY_LONG)


def test_a_video_by_metadata_alone_keeps_an_article_body():
    head = "<meta property='og:type' content='video.other'>"
    article = extract_article(page("<h1>Floods</h1><article>" + "".join(f"<p>{s}</p>" for s in STORY_LONG)
                                   + "</article>", head=head), url="https://www.example.com/floods")
    assert article["kind"] == "article" and all(s in article["text"] for s in STORY_LONG)
    clip = extract_article(page("<h1>Floods</h1><article><p>" + STORY_EN[0] + "</p></article>", head=head),
                           url="https://www.example.com/floods-video")
    assert clip["kind"] == "video" and clip["text"] == ""


def test_removed_elements_never_cost_the_story():
    # the story's container has a class the generic rules take for a share bar ("sharing"): without
    # it trafilatura would find no story, so the page as published is read instead
    html = page("<h1>Floods close schools</h1><nav><a href='/'>Home</a></nav><div class='story social-sharing-on'>"
                + "".join(f"<p>{s}</p>" for s in STORY_LONG) + "</div><footer>Contact us</footer>")
    result = extract_article(html, url="https://www.example.com/floods")
    assert all(s in result["text"] for s in STORY_LONG)


def test_the_share_that_lets_the_page_as_published_win_is_configured():
    from dataclasses import replace

    from newsflow.articles import _extract

    html = page("<h1>Floods close schools</h1><div class='story social-sharing-on'>"
                + "".join(f"<p>{s}</p>" for s in STORY_LONG) + "</div>")
    rules = load_rules()
    assert rules.guard.published_share == parse_rules({"guard": {"published_share": 0.3}}).guard.published_share
    seen = {}
    default = _extract(html, "https://www.example.com/floods", None, seen)
    assert seen["as_published"]["fell_back"] and seen["as_published"]["ours_words"] < seen["as_published"]["published_words"]
    never = _extract(html, "https://www.example.com/floods", None, {},
                     replace(rules, guard=replace(rules.guard, published_share=0.0)))
    assert all(s in default["text"] for s in STORY_LONG) and not all(s in never["text"] for s in STORY_LONG)
    for bad in (1.5, -0.1, True, "0.3"):
        with pytest.raises(ConfigError, match="published_share"):
            parse_rules({"guard": {"published_share": bad}})


def test_language_is_the_declared_one_unless_the_script_says_arabic():
    czech = ["Povodně zasáhly v úterý deltu řeky a tisíce rodin musely opustit své domovy.",
             "Místní úřady otevřely nouzová útočiště ve třech školách a ve sportovní hale.",
             "Meteorologové očekávají o víkendu další silný déšť a zemědělci se bojí o úrodu."]
    declared = extract_article(page("<article>" + "".join(f"<p>{s}</p>" for s in czech) + "</article>", lang="cs"))
    assert declared["language"] == "cs"  # a language the detector does not know
    undeclared = page("<article>" + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>").replace(" lang='en'", "")
    assert extract_article(undeclared)["language"] == "en"
    arabic = ["ارتفعت مياه الفيضانات في دلتا النهر يوم الثلاثاء وأجبرت آلاف العائلات على مغادرة منازلها.",
              "وقال مسؤولون محليون إن ملاجئ الطوارئ فتحت في ثلاث مدارس وقاعة رياضية قرب وسط المدينة."]
    template = extract_article(page("<article>" + "".join(f"<p>{s}</p>" for s in arabic) + "</article>", lang="en"))
    assert template["language"] == "ar"  # a site template's lang="en" on an Arabic story


def test_a_paragraph_repeated_further_down_stays_and_a_doubled_line_goes():
    # a refrain the author repeats is part of the story; a teaser printed right above its own
    # paragraph is shown twice by the layout, not written twice
    refrain = "The water is still rising, the mayor said again, and nobody should go back before Friday."
    paragraphs = [STORY_EN[0], refrain, STORY_EN[1], STORY_EN[2], refrain]
    result = extract_article(page("<h1>Floods</h1><article>" + "".join(f"<p>{s}</p>" for s in paragraphs)
                                  + "</article>"), url="https://news.example.org/floods")
    assert result["text"].splitlines() == paragraphs
    doubled = extract_article(page("<h1>Floods</h1><article><p>" + STORY_EN[0] + "</p>"
                                   + "".join(f"<p>{s}</p>" for s in STORY_EN) + "</article>"),
                              url="https://news.example.org/floods")
    assert doubled["text"].splitlines() == STORY_EN


def test_a_layer_switched_off_leaves_the_page_as_trafilatura_reads_it():
    from dataclasses import replace

    from newsflow.articles import LAYERS, _extract

    summary = "Thousands of families left the delta as the river rose, and more rain is on the way."
    html = page("<header><h1>Floods force thousands from homes</h1>"
                f"<div class='article-standfirst'>{summary}</div></header><article>"
                + "".join(f"<p>{s}</p>" for s in STORY_EN) + "<p>Advertisement</p></article>",
                f"<meta name='description' content='{summary}'>")
    rules = replace(load_rules(), layers=frozenset(LAYERS))
    traced = {}
    default = _extract(html, "https://news.example.org/floods", None, traced, rules)
    assert default["text"].splitlines() == [summary, *STORY_EN]
    assert {"standfirst", "line_rules"} <= traced["fired"]
    bare = _extract(html, "https://news.example.org/floods", None, {},
                    replace(rules, layers=rules.layers - {"standfirst", "line_rules"}))
    assert bare["text"].splitlines() == [*STORY_EN, "Advertisement"]
    # a layer that changed nothing is not recorded as fired
    assert "article_body" not in traced["fired"] and "description" not in traced["fired"]
    # the layers the dev folds did not keep are configured off, and still recorded where they would act
    configured = load_rules()
    assert not {"article_body", "description", "repeated_lines"} & configured.layers
    traced = {}
    _extract(page("<div></div>", "<title>Floods</title>"), "https://news.example.org/floods", None, traced, configured)
    assert "description" not in traced["fired"]
    described = page("<div></div>", f"<title>Floods</title><meta name='description' content='{summary}'>")
    assert summary not in _extract(described, "https://news.example.org/floods", None, traced, configured)["text"]
    assert "description" in traced["fired"]  # an off layer is still recorded where it would act
    assert parse_rules({"layers": {"standfirst": False}}).layers == frozenset(LAYERS) - {"standfirst"}
    with pytest.raises(ConfigError, match=r"layers: unknown layer\(s\) boilerplate"):
        parse_rules({"layers": {"boilerplate": True}})
    with pytest.raises(ConfigError, match=r"layers\.standfirst: expected true or false"):
        parse_rules({"layers": {"standfirst": "no"}})
