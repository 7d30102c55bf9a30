"""Article extraction: one HTML page in, one clean article record out.

trafilatura finds the body on unknown layouts; per-site rules from
``include/config/sites.yaml`` (container XPaths, boilerplate lines, page kinds) take
over where a site is known.  Metadata comes from JSON-LD, meta tags and ``<time>``
before htmldate is asked.  The page is parsed once with lxml and the tree reused.

Body conventions (the replay manifest follows them):
- paragraphs and subheadings, one per line; no title, captions, ads, bylines, date stamps,
  share/newsletter prompts, "read more" or link lists, related stories, reporting credits,
  embedded social posts or notes about the author;
- the standfirst (the summary shown under the headline) opens the body on pages read by the
  generic extractor, as publishers count it part of the article; sites whose rules say
  ``standfirst: false`` (the wires and Al Jazeera) start at the dateline or first paragraph;
- source lines ("Source: Al Jazeera and news agencies", "المصدر : الجزيرة + وكالات") and
  lone credits ("(Reuters)", "- AFP") are parsed into ``agencies`` and removed; wire
  datelines ("ANKARA (AA) -", "MOSCOW, December 2. /TASS/.") name agencies too but stay
  in the body, place included, as the agency published them; agencies are reported in
  the page's language (Arabic spellings on Arabic pages), and a page naming none is
  attributed to its site's own agency or newsroom;
- live blogs: ``posts`` in page order (newest first); ``text`` is the posts' titles and
  paragraphs in that order;
- video pages have an empty body.
"""

from __future__ import annotations

import html
import json
import os
import re
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urljoin, urlsplit

import yaml

from newsflow.batch import parse_json_object, read_page_file
from newsflow.config import CONFIG_DIR, ConfigError
from newsflow.layer_gate import (GATED_LAYERS, REMOVAL_KINDS, LayerGate, PageFacts, layer_features, load_gate,
                                 load_removal_gate, removal_features, story_map, tokens)

EXTRACTOR_NAME = "newsflow-articles"
EXTRACTOR_REVISION = "1.0"
KINDS = ("article", "liveblog", "video", "gallery")
SITES_PATH = CONFIG_DIR / "sites.yaml"  # NEWSFLOW_SITES_FILE names another file

_RULE_KEYS = {"drop_xpaths", "drop_lines", "lead_lines", "stop_lines", "body_xpath", "kinds", "language", "wire",
              "agency", "posts_xpath", "source_xpath", "authors_xpath", "timezone", "drop_tags", "drop_classes",
              "standfirst", "title", "valid_from", "valid_until"}
_TITLE_SOURCES = ("headline", "og", "twitter", "h1", "document")  # generic order of preference
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# Every non-ASCII character that ftfy's mojibake test (ftfy.badness.BADNESS_RE, ftfy 6.3) can
# match.  Each of that test's patterns needs two of them side by side, a C1 control, Œ/œ, or
# Â/Ã before a space: text with none of these cannot look bad to ftfy, so ftfy is neither
# imported nor run for it (tests check both facts against the installed ftfy).
_MOJIBAKE_CHARS = (
    "\u0080-\u00fc\u0100-\u0107\u010c-\u0113\u0116-\u011b\u011e\u011f\u0122\u0123\u012a\u012b"
    "\u012f\u0130\u0136\u0137\u0139-\u013e\u0141-\u0143\u0145\u0147\u014c\u0150\u0152\u0153\u0155"
    "\u0158\u015a\u015b\u015e-\u0162\u0164\u0165\u016a\u016e\u0170\u0172\u0178-\u017e\u0192\u02c6"
    "\u02c7\u02d8\u02db-\u02dd\u0384-\u0386\u0388-\u038a\u038c\u038e\u038f\u0391-\u03c9"
    "\u0401-\u045f\u0490\u0491\u2013-\u2015\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030"
    "\u2039\u203a\u2044\u20a7\u20ac\u2116\u2122\u2202\u2206\u220f\u2211\u221a\u221e\u2229\u222b"
    "\u2248\u2260\u2261\u2264\u2265\u2310\u2502\u250c\u2510\u2518\u251c\u2524\u252c\u253c"
    "\u2550-\u256c\u2580\u2584\u2588\u258c\u2590-\u2593\u25ca\uf8ff\ufb01\ufb02\ufffd"
)
_MOJIBAKE_HINT = re.compile(f"[{_MOJIBAKE_CHARS}]{{2}}|[\\x80-\\x9f\\u0152\\u0153]|[\\u00c2\\u00c3] ")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "li", "blockquote", "pre")
_ARTICLE_TYPES = ("LiveBlogPosting", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "Article", "BlogPosting",
                  "OpinionNewsArticle", "BackgroundNewsArticle", "WebPage")


# ---------------------------------------------------------------------------
# Rules (sites.yaml)
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SiteRules:
    host: str = ""
    drop_xpaths: tuple = ()
    drop_lines: tuple = ()
    stop_lines: tuple = ()
    lead_lines: tuple = ()  # removed only among the body's first lines (bylines, date stamps)
    body_xpath: str | None = None
    kinds: dict = field(default_factory=dict)
    language: str | None = None
    wire: bool = False
    agency: str | None = None
    posts_xpath: str | None = None
    source_xpath: str | None = None
    authors_xpath: str | None = None
    timezone: timezone | None = None  # offset of the site's naive local times
    drop_tags: tuple = ()
    drop_classes: re.Pattern | None = None
    standfirst: bool = True  # the summary shown above the story opens the body
    title: TitleRule | None = None
    # publication dates of the pages whose layout the rule was written for (inclusive, None: open)
    valid_from: date | None = None
    valid_until: date | None = None

    def in_force(self, published: datetime | None) -> bool:
        """Whether the rule's layout dates cover a page published then (an undated page: yes)."""
        if published is None:
            return True
        day = published.date()
        return (self.valid_from is None or self.valid_from <= day) and \
            (self.valid_until is None or day <= self.valid_until)

    @property
    def shapes_body(self) -> bool:
        """Whether the rule reads the body differently from the generic rules (a title or agency
        rule alone does not)."""
        return bool(self.body_xpath or self.drop_xpaths or self.drop_tags or self.drop_classes or self.drop_lines
                    or self.stop_lines or self.lead_lines or not self.standfirst)

    def without_layout(self) -> SiteRules:
        """The rule without its layout parts (XPaths, dropped tags and classes): what still holds
        for the site's pages outside the rule's dates (agency, language, line patterns, kinds)."""
        return replace(self, body_xpath=None, posts_xpath=None, source_xpath=None, authors_xpath=None,
                       drop_xpaths=(), drop_tags=(), drop_classes=None, title=None)


@dataclass(frozen=True)
class BodyGuard:
    """When a site rule's body gives way to the generic one (trafilatura plus the generic rules):
    the rule's body counts fewer than ``min_share`` of the generic body's words (its container
    no longer matches, or holds a part of the story), or more than ``max_growth`` times them
    while the generic body has at least ``min_words`` words (its container holds the page).
    ``published_share``: trafilatura's body of the page as published replaces newsflow's when
    newsflow's has fewer than this share of its words (``_AsPublished``)."""
    min_share: float = 0.3
    max_growth: float = 3.0
    min_words: int = 50
    published_share: float = 0.3

    def keeps_rule(self, rule_words: int, generic_words: int) -> bool:
        if rule_words < self.min_share * generic_words or rule_words == 0 < generic_words:
            return False
        return generic_words < self.min_words or rule_words <= self.max_growth * generic_words


@dataclass(frozen=True)
class TitleRule:
    """Which headline a publisher calls its title: candidates in order (``_TITLE_SOURCES``),
    patterns removed from the chosen one, and whether a leading kicker ("Topic: ") goes."""
    sources: tuple = _TITLE_SOURCES
    strip: tuple = ()
    drop_kicker: bool = False


# The generic layers newsflow puts on top of trafilatura, each switched on or off in sites.yaml
# (``layers``); bench/extraction/run.py keeps one on only where it helps the dev pages of sites held
# out of the choice (5 folds by site).  Of those on, the ones the layer gate decides
# (``newsflow.layer_gate``) apply on a page only where its model predicts a gain there.
LAYERS = {
    "boilerplate_elements": "the generic drop_tags / drop_classes / drop_xpaths removed before trafilatura reads the page",
    "link_lists": "lists whose every item is mostly one link removed before trafilatura reads the page",
    "fast_first": "trafilatura's fast run kept when it looks whole (else its full run, plain trafilatura's)",
    "standfirst": "the summary shown under the headline opens the body when trafilatura left it out",
    "article_body": "JSON-LD articleBody replaces a body under 300 characters",
    "description": "the page's description stands in for an empty article body",
    "line_rules": "the generic drop_lines / lead_lines / stop_lines",
    "headline_lines": "the headline repeated above the story removed",
    "repeated_lines": "a line repeating the line before it removed",
    "author_notes": "notes about a credited author and the editors' names closing a story removed",
    "credit_lines": "source lines and lone agency credits removed from the body (agencies are noted either way)",
    "mojibake_repair": "ftfy repairs text its own test calls bad",
}
# The page being extracted: its rules' layers, and the set receiving the layers that changed its
# result (None unless a benchmark traces the page).  A context variable, so that the text helpers
# deep in the body's making need no rules argument.
_page_layers: ContextVar[tuple] = ContextVar("newsflow_page_layers", default=(frozenset(LAYERS), None))


def _on(layer: str) -> bool:
    return layer in _page_layers.get()[0]


def _tracing() -> bool:
    return _page_layers.get()[1] is not None


def _note(layer: str) -> None:
    """Record that ``layer`` changed this page's result, or would have had it been on (benchmarks
    re-read a page with a layer switched only where it does anything: elsewhere the result is the
    same either way).  An off layer whose effect is costly to foresee notes every traced page."""
    fired = _page_layers.get()[1]
    if fired is not None:
        fired.add(layer)


def _fires(layer: str) -> bool:
    """``layer`` would change this page's result here: noted; whether it is on to do so."""
    _note(layer)
    return _on(layer)


def _off(layer: str) -> bool:
    """Whether ``layer`` is off for this page; an off layer is noted (its effect is costly to
    foresee, so a traced page is re-read with it on)."""
    if _on(layer):
        return False
    _note(layer)
    return True


@dataclass(frozen=True)
class Rules:
    generic: SiteRules
    sites: dict
    agency_aliases: dict  # lower-cased spelling -> agency name
    arabic_names: dict  # agency name -> its Arabic spelling
    guard: BodyGuard = BodyGuard()
    layers: frozenset = frozenset(LAYERS)  # the generic layers switched on
    gate: LayerGate | None = None  # per-page choice of the gated layers (None: each applies wherever it fires)
    removal_gate: LayerGate | None = None  # per-element choice of the removal layers (None: every candidate goes)


def _compile_regexes(values, where: str) -> tuple:
    if not isinstance(values, list):
        raise ConfigError(f"{where}: expected a list of regular expressions")
    compiled = []
    for i, value in enumerate(values):
        try:
            compiled.append(re.compile(str(value)))
        except re.error as exc:
            raise ConfigError(f"{where}[{i}]: invalid regular expression {value!r}: {exc}") from None
    return tuple(compiled)


def _check_xpath(value, where: str) -> str:
    from lxml import etree

    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected an XPath string")
    try:
        etree.XPath(value)
    except etree.XPathSyntaxError as exc:
        raise ConfigError(f"{where}: invalid XPath {value!r}: {exc}") from None
    return value


def _parse_site(host: str, raw, where: str) -> SiteRules:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of rules")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    kinds = raw.get("kinds") or {}
    if not isinstance(kinds, dict) or set(kinds) - set(KINDS):
        raise ConfigError(f"{where}.kinds: expected a mapping with keys among {', '.join(KINDS)}")
    language = raw.get("language")
    if language is not None and not re.fullmatch(r"[a-z]{2}", str(language)):
        raise ConfigError(f"{where}.language: expected an ISO 639-1 code, got {language!r}")
    for flag in ("wire", "standfirst"):
        if not isinstance(raw.get(flag, flag == "standfirst"), bool):
            raise ConfigError(f"{where}.{flag}: expected true or false")
    valid_from, valid_until = (_parse_day(raw.get(key), f"{where}.{key}") for key in ("valid_from", "valid_until"))
    if valid_from and valid_until and valid_until < valid_from:
        raise ConfigError(f"{where}: valid_until {valid_until} is before valid_from {valid_from}")
    return SiteRules(
        host=host,
        drop_xpaths=tuple(_check_xpath(x, f"{where}.drop_xpaths[{i}]")
                          for i, x in enumerate(raw.get("drop_xpaths") or [])),
        drop_lines=_compile_regexes(raw.get("drop_lines") or [], f"{where}.drop_lines"),
        stop_lines=_compile_regexes(raw.get("stop_lines") or [], f"{where}.stop_lines"),
        lead_lines=_compile_regexes(raw.get("lead_lines") or [], f"{where}.lead_lines"),
        body_xpath=_check_xpath(raw["body_xpath"], f"{where}.body_xpath") if raw.get("body_xpath") else None,
        kinds={kind: _compile_regexes(patterns, f"{where}.kinds.{kind}") for kind, patterns in kinds.items()},
        language=language,
        wire=raw.get("wire", False),
        agency=raw.get("agency"),
        posts_xpath=_check_xpath(raw["posts_xpath"], f"{where}.posts_xpath") if raw.get("posts_xpath") else None,
        source_xpath=_check_xpath(raw["source_xpath"], f"{where}.source_xpath") if raw.get("source_xpath") else None,
        authors_xpath=_check_xpath(raw["authors_xpath"], f"{where}.authors_xpath") if raw.get("authors_xpath") else None,
        timezone=_parse_offset(raw.get("timezone"), f"{where}.timezone"),
        drop_tags=tuple(str(t) for t in raw.get("drop_tags") or ()),
        drop_classes=_compile_regexes([raw["drop_classes"]], f"{where}.drop_classes")[0]
        if raw.get("drop_classes") else None,
        standfirst=raw.get("standfirst", True),
        title=_parse_title_rule(raw.get("title"), f"{where}.title"),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def _parse_day(value, where: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: expected a date such as 2020-09-01, got {value!r}") from None


def _parse_guard(raw, where: str) -> BodyGuard:
    if raw is None:
        return BodyGuard()
    keys = ("min_share", "max_growth", "min_words", "published_share")
    if not isinstance(raw, dict) or set(raw) - set(keys):
        raise ConfigError(f"{where}: expected a mapping with keys among {', '.join(keys)}")
    guard = BodyGuard(**raw)
    for key in ("min_share", "published_share"):
        value = getattr(guard, key)
        if not (isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1):
            raise ConfigError(f"{where}.{key}: expected a number from 0 to 1, got {value!r}")
    if not (isinstance(guard.max_growth, (int, float)) and guard.max_growth >= 1):
        raise ConfigError(f"{where}.max_growth: expected a number of at least 1, got {guard.max_growth!r}")
    if not (isinstance(guard.min_words, int) and guard.min_words >= 0):
        raise ConfigError(f"{where}.min_words: expected a whole number, got {guard.min_words!r}")
    return guard


def _parse_title_rule(raw, where: str) -> TitleRule | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"from", "strip", "drop_kicker"}:
        raise ConfigError(f"{where}: expected a mapping with keys among from, strip, drop_kicker")
    sources = raw.get("from", list(_TITLE_SOURCES))
    if isinstance(sources, str):
        sources = [sources]
    if not isinstance(sources, list) or not sources or set(sources) - set(_TITLE_SOURCES):
        raise ConfigError(f"{where}.from: expected a list among {', '.join(_TITLE_SOURCES)}, got {sources!r}")
    if not isinstance(raw.get("drop_kicker", False), bool):
        raise ConfigError(f"{where}.drop_kicker: expected true or false")
    return TitleRule(sources=tuple(sources), strip=_compile_regexes(raw.get("strip") or [], f"{where}.strip"),
                     drop_kicker=raw.get("drop_kicker", False))


def _parse_offset(value, where: str):
    if value is None:
        return None
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", str(value))
    if not match:
        raise ConfigError(f"{where}: expected a UTC offset such as '+08:00', got {value!r}")
    from datetime import timedelta

    minutes = int(match.group(2)) * 60 + int(match.group(3))
    return timezone(timedelta(minutes=minutes if match.group(1) == "+" else -minutes))


def parse_rules(raw, where: str = "sites.yaml") -> Rules:
    """Validate the rules document; a bad entry raises ConfigError naming it."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with generic, agencies and sites")
    unknown = set(raw) - {"generic", "agencies", "sites", "guard", "layers"}
    if unknown:
        raise ConfigError(f"{where}: unknown top-level key(s) {', '.join(sorted(unknown))}")
    generic = _parse_site("", raw.get("generic") or {}, f"{where}: generic")
    if generic.valid_from or generic.valid_until:
        raise ConfigError(f"{where}: generic: valid_from and valid_until belong to site rules")
    aliases, arabic = {}, {}
    for name, spellings in (raw.get("agencies") or {}).items():
        if not isinstance(spellings, list) or not all(isinstance(s, str) and s for s in spellings):
            raise ConfigError(f"{where}: agencies.{name}: expected a list of spellings")
        for spelling in [name, *spellings]:
            aliases[spelling.lower()] = name
        arabic[name] = next((s for s in spellings if re.search("[\u0600-\u06ff]", s)), name)
    sites = {}
    for host, entry in (raw.get("sites") or {}).items():
        if not isinstance(host, str) or not re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", host):
            raise ConfigError(f"{where}: sites: {host!r} is not a host name")
        site = _parse_site(host, entry, f"{where}: sites.{host}")
        if site.agency and site.agency.lower() not in aliases:
            raise ConfigError(f"{where}: sites.{host}.agency: {site.agency!r} is not listed under agencies")
        sites[host] = site
    return Rules(generic=generic, sites=sites, agency_aliases=aliases, arabic_names=arabic,
                 guard=_parse_guard(raw.get("guard"), f"{where}: guard"),
                 layers=_parse_layers(raw.get("layers"), f"{where}: layers"))


def _parse_layers(raw, where: str) -> frozenset:
    """``layers``: layer name -> true / false; a layer not named stays on."""
    if raw is None:
        return frozenset(LAYERS)
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping of layer names to true or false")
    unknown = set(raw) - set(LAYERS)
    if unknown:
        raise ConfigError(f"{where}: unknown layer(s) {', '.join(sorted(map(str, unknown)))}; "
                          f"known: {', '.join(LAYERS)}")
    for name, value in raw.items():
        if not isinstance(value, bool):
            raise ConfigError(f"{where}.{name}: expected true or false, got {value!r}")
    return frozenset(name for name in LAYERS if raw.get(name, True))


def load_rules(path: str | None = None) -> Rules:
    """The extraction rules of ``path``, else of $NEWSFLOW_SITES_FILE, else of SITES_PATH (read once)."""
    return _load_rules(str(path or os.environ.get("NEWSFLOW_SITES_FILE") or SITES_PATH))


@lru_cache(maxsize=4)
def _load_rules(path: str) -> Rules:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read extraction rules: {exc}") from None
    return replace(parse_rules(raw, str(path)), gate=load_gate(), removal_gate=load_removal_gate())


def site_rules(url: str | None, rules: Rules) -> SiteRules | None:
    """Rules of the most specific configured host that is the URL's host or a parent of it."""
    host = (urlsplit(url).hostname or "") if url else ""
    parts = host.lower().split(".")
    for i in range(len(parts) - 1):
        candidate = ".".join(parts[i:])
        if candidate in rules.sites:
            return rules.sites[candidate]
    return None


# ---------------------------------------------------------------------------
# Decoding and text clean-up
# ---------------------------------------------------------------------------
def _declared_charset(data: bytes, headers: dict | None) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == "content-type" and "charset=" in value.lower():
            return value.lower().split("charset=")[-1].split(";")[0].strip(" \"'")
    found = _CHARSET.search(data[:4096])
    return found.group(1).decode("ascii", "ignore").lower() if found else None


def decode_html(data: bytes, headers: dict | None = None) -> str:
    """Bytes to text: valid UTF-8 wins over a (possibly wrong) declared charset."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [_declared_charset(data, headers)]
    try:
        from trafilatura.utils import detect_encoding  # charset_normalizer guesses, already a dependency

        candidates += detect_encoding(data)
    except ImportError:
        pass
    for encoding in candidates:
        if not encoding or encoding.replace("-", "") == "utf8":
            continue
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("windows-1252", errors="replace")


def clean_text(text: str) -> str:
    """Repair mojibake, fold Arabic presentation forms, drop bidi marks, tidy spaces per line."""
    if not text:
        return ""
    if not text.isascii() and _MOJIBAKE_HINT.search(text):  # the cheap checks first: most pages need no repair
        from ftfy import fix_text
        from ftfy.badness import is_bad

        if is_bad(text) and _fires("mojibake_repair"):
            text = fix_text(text, uncurl_quotes=False, fix_character_width=False, fix_latin_ligatures=False,
                            normalization="NFC")
    text = _PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _BIDI_MARKS.sub("", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


# ---------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------
def _walk_json(node) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _walk_json(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_json(value)


def _types(obj: dict) -> set:
    value = obj.get("@type", [])
    return set(value if isinstance(value, list) else [value])


def _json_ld(tree) -> list[dict]:
    objects = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        objects.extend(_walk_json(data))
    return objects


def _main_object(objects: list[dict]) -> dict:
    """The JSON-LD object describing the page's story (article types before plain WebPage)."""
    for wanted in _ARTICLE_TYPES + ("VideoObject", "ImageGallery", "MediaGallery"):
        for obj in objects:
            if wanted in _types(obj) and (obj.get("headline") or obj.get("name") or wanted == "WebPage"):
                if wanted == "WebPage" and not obj.get("datePublished"):
                    continue
                return obj
    return {}


def _meta(tree) -> dict:
    found: dict[str, list[str]] = {}
    for element in tree.xpath("//meta[@content]"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        value = (element.get("content") or "").strip()
        if key and value:
            found.setdefault(key.strip().lower(), []).append(value)
    return found


def _first(meta: dict, *keys) -> str | None:
    for key in keys:
        if meta.get(key):
            return meta[key][0]
    return None


def parse_datetime(value, naive_tz: timezone | None = None) -> datetime | None:
    """ISO 8601 or RFC 2822 text to an aware UTC datetime; naive times are taken in
    ``naive_tz`` (the site's local time when configured) or else as UTC."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    parsed = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" UTC", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value) or re.match(r"(\d{4})/(\d{2})/(\d{2})", value)
            if match:
                try:
                    parsed = datetime(*map(int, match.groups()))
                except ValueError:
                    return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=naive_tz or timezone.utc)
    return parsed.astimezone(timezone.utc)


def _names(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _unique(values) -> list:
    seen, out = set(), []
    for value in values:
        key = value.casefold() if isinstance(value, str) else value
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _ld_text(value) -> str:
    """A JSON-LD or meta string with entities decoded (some sites escape their JSON-LD twice)."""
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(value).split()) if "&" in value else " ".join(value.split())


# separators between a headline and a site name, section or date: " | ", " - ", " – ", "｜", "："
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s*[|｜ㅣ：]\s*")


def _name_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _site_names(meta: dict, main: dict, url: str | None) -> set:
    """Spellings of the site's own name, compared as letters and digits only."""
    names = {_ld_text(n) for n in meta.get("og:site_name", []) + meta.get("application-name", [])}
    names.update(_ld_text(n) for n in _names(main.get("publisher")))
    host = (urlsplit(url).hostname or "").lower() if url else ""
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp")]
    if labels:
        names.add(".".join(labels))  # mdr.de, golem.de
        names.update(label for label in labels[:-1] if len(label) > 3)  # thenation, golem
    return {key for key in map(_name_key, names) if len(key) > 1}


def _strip_site_name(title: str, site_names: set) -> str:
    """Drop leading or trailing segments that name the site ("Headline | Site", "Site - Headline")."""
    def is_site(segment: str) -> bool:
        key = _name_key(segment)
        return bool(key) and any(key == name or (len(name) > 3 and (name in key or key in name))
                                 for name in site_names)

    while True:
        separators = list(_TITLE_SEPARATORS.finditer(title))
        if not separators:
            return title
        last, first = separators[-1], separators[0]
        if is_site(title[last.end():]) and title[:last.start()].strip():
            title = title[:last.start()].strip()
        elif is_site(title[:first.start()]) and title[first.end():].strip():
            title = title[first.end():].strip()
        else:
            return title


def _title_candidates(tree, meta: dict, main: dict) -> dict[str, str]:
    """Headline texts as the page gives them, by source (``_TITLE_SOURCES``)."""
    raw = {"headline": main.get("headline"), "og": _first(meta, "og:title"), "twitter": _first(meta, "twitter:title"),
           "h1": tree.xpath("normalize-space(//h1[1])"), "document": tree.xpath("normalize-space(//title[1])")}
    return {source: _ld_text(text) for source, text in raw.items()}


# A kicker: a few words naming the topic, then a colon or a spaced dash, before the headline.
_KICKER = re.compile(r"^[^:]{1,60}?(?::\s+|\s+[–—-]\s+)(?=\S)")


def _site_title(candidates: dict, site_names: set, rule: TitleRule) -> str:
    """The headline as the publisher's rule names it; empty when none of its sources is on the page."""
    for source in rule.sources:
        text = _strip_site_name(candidates.get(source) or "", site_names)
        for pattern in rule.strip:
            text = pattern.sub("", text).strip()
        if rule.drop_kicker:
            text = _KICKER.sub("", text, count=1)
        if text:
            return text
    return ""


def _title(candidates: dict, site_names: set, rule: TitleRule | None = None) -> str:
    """The publisher's headline. A site's title rule decides first. Otherwise the JSON-LD
    headline, og:/twitter: title, first h1, then <title>, each without the site's name; when
    another candidate equals a part of the chosen one before or after a separator (a section or
    site name, a kicker), that agreed part is taken."""
    if rule is not None:
        chosen = _site_title(candidates, site_names, rule)
        if chosen:
            return chosen
    ordered = [_strip_site_name(candidates[source], site_names) for source in _TITLE_SOURCES if candidates.get(source)]
    if not ordered:
        return ""
    chosen, others = ordered[0], set(ordered[1:])
    for separator in _TITLE_SEPARATORS.finditer(chosen):
        head, tail = chosen[:separator.start()].strip(), chosen[separator.end():].strip()
        if head in others:
            return head
        if tail in others:
            return tail
    return chosen


def _published(tree, meta: dict, main: dict, url: str | None, naive_tz=None):
    published = parse_datetime(main.get("datePublished") or main.get("uploadDate"), naive_tz)
    published = published or parse_datetime(_first(
        meta, "article:published_time", "og:article:published_time", "datepublished", "pubdate",
        "publishdate", "publish-date", "date", "dc.date", "dc.date.issued", "dcterms.created",
        "sailthru.date", "parsely-pub-date", "article.published", "cxenseparse:recs:publishtime"), naive_tz)
    if published is None:
        stamps = tree.xpath("//time[@datetime and (@pubdate or @itemprop='datePublished')]/@datetime") or \
            tree.xpath("//time[@datetime]/@datetime")
        published = next(filter(None, (parse_datetime(stamp, naive_tz) for stamp in stamps)), None)
    if published is None:
        from htmldate import find_date

        try:
            found = find_date(tree, url=url, original_date=True, extensive_search=False,
                              outputformat="%Y-%m-%dT%H:%M:%S%z")
        except Exception:  # htmldate fails on odd trees; a missing date is not an error
            found = None
        published = parse_datetime(found)
    updated = parse_datetime(main.get("dateModified"), naive_tz) or parse_datetime(_first(
        meta, "article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified"), naive_tz)
    return published, updated


def _authors(tree, meta: dict, main: dict, site: SiteRules | None, rules: Rules) -> list[str]:
    """Credited authors; on wire sites an agency name given as the author is dropped (the
    agency goes to ``agencies``), while publishers' newsroom bylines are kept."""
    names = _names(main.get("author"))
    if site and site.authors_xpath:
        names = names or [re.sub(r"^\W*(?:Editor|Editors|By|Von|Par)\s*:?\s*", "", " ".join(t.split()), flags=re.I)
                          for t in tree.xpath(site.authors_xpath) if isinstance(t, str)]
    names = names or meta.get("author", [])
    split = (part.strip(" |,") for name in names for part in re.split(r"\s*(?:,|\band\b|\|)\s*", name))
    wire = bool(site and site.wire)
    return _unique(clean_text(n) for n in split if n and not (wire and n.lower() in rules.agency_aliases))


def _site_kind(url: str | None, site: SiteRules | None) -> str | None:
    """The kind the site's URL patterns give the page, if any."""
    path = urlsplit(url).path if url else ""
    for kind, patterns in (site.kinds.items() if site else ()):
        if any(p.search(path) for p in patterns):
            return kind
    return None


def _kind(url: str | None, site: SiteRules | None, objects: list[dict], main: dict, meta: dict) -> str:
    kind = _site_kind(url, site)
    if kind:
        return kind
    types = _types(main)
    if "LiveBlogPosting" in types:
        return "liveblog"
    if "VideoObject" in types or (_first(meta, "og:type") or "").startswith("video"):
        return "video"
    if types & {"ImageGallery", "MediaGallery"}:
        return "gallery"
    return "article"


# ---------------------------------------------------------------------------
# Body
# ---------------------------------------------------------------------------
@lru_cache(maxsize=64)
def _union_xpath(xpaths: tuple):
    from lxml import etree

    return etree.XPath(" | ".join(xpaths)) if xpaths else None


_STORY_PARAGRAPHS = None


@dataclass
class _Removals:
    """The removal gate's decisions on one page: an element a removal layer finds is removed only
    where the gate predicts that removing it raises the page's score (every one without a gate).
    The story's map is made once, before the first element goes, and only when a gate decides or
    a benchmark traces the page; ``trace`` receives each candidate's features and decision (and
    may name one candidate, ``flip_removal``, whose decision is turned round: benchmarks score
    each removal by switching it alone)."""
    tree: object
    gate: LayerGate | None
    language: str | None
    trace: dict | None = None
    _story: object = None

    def story(self):
        if self._story is None:
            self._story = story_map(self.tree, self.language)
        return self._story

    def chosen(self, layer: str, candidates: list[tuple[str, object]]) -> list:
        """The elements of ``candidates`` ((how it was found, element)) to remove."""
        deciding = self.gate is not None and layer in self.gate.layers
        if not candidates or not (deciding or self.trace is not None):
            return [element for _, element in candidates]
        story, flipped = self.story(), (self.trace or {}).get("flip_removal")
        chosen = []
        for kind, element in candidates:
            features = removal_features(layer, kind, element, story)
            removes = not deciding or self.gate.gain(features) > 0
            if self.trace is not None:
                key = element.getroottree().getpath(element)
                removes = removes != (flipped == (layer, key))
                self.trace.setdefault("removals", []).append(
                    {"layer": layer, "key": key, "features": features, "removed": removes})
            if removes:
                chosen.append(element)
        return chosen


def _remove_boilerplate_elements(tree, site: SiteRules | None, generic: SiteRules, removals: _Removals) -> None:
    """The elements of the site's own drop rules (part of its rule) and those of the generic ones
    that the removal gate lets go."""
    from lxml import etree

    global _STORY_PARAGRAPHS
    if _STORY_PARAGRAPHS is None:
        _STORY_PARAGRAPHS = etree.XPath("count(.//p[string-length(normalize-space()) > 150])")
    found = {}  # element -> how it was found ("site" for a site's own rules, which win; else the first rule)
    class_values = tree.xpath("//@class") if generic.drop_classes is not None or (
        site is not None and site.drop_classes is not None) else []  # read once for both rule sets
    for rules, by_site in ((site, True), (generic, False)):
        if rules is None:
            continue
        union = _union_xpath(rules.drop_xpaths)
        by_kind = (("xpath", union(tree) if union is not None else []),
                   ("tag", tree.xpath(" | ".join(f"//{tag}" for tag in rules.drop_tags)) if rules.drop_tags else []),
                   # class strings first: building an element proxy for every node of the page is slow
                   ("class", [value.getparent() for value in class_values if rules.drop_classes.search(value)]
                    if rules.drop_classes is not None else []))
        for kind, elements in by_kind:
            for element in elements:
                found.setdefault(element, "site" if by_site else
                                 element.tag if kind == "tag" and element.tag in REMOVAL_KINDS else kind)
    generic_found = [(kind, element) for element, kind in found.items() if kind != "site"]
    chosen = set(removals.chosen("boilerplate_elements", generic_found)) if generic_found else set()
    for element, kind in found.items():
        # never drop a container that holds the story itself
        if element.getparent() is None or _STORY_PARAGRAPHS(element) >= 3:
            continue
        _note("boilerplate_elements")  # a site's own drop rules count as the site rule's (guard)
        if kind == "site" or element in chosen:
            element.drop_tree()


def _block_lines(container) -> list[str]:
    """Text of paragraphs, subheadings and list items in document order, one line each."""
    lines = []
    for element in container.iter(*_BLOCK_TAGS):
        if any(ancestor.tag in _BLOCK_TAGS for ancestor in element.iterancestors()):
            continue
        text = " ".join(element.text_content().split())
        if text:
            lines.append(text)
    return lines


def _posts(tree, main: dict, site: SiteRules | None) -> list[dict]:
    updates = main.get("liveBlogUpdate")
    posts = []
    if isinstance(updates, list) and updates:
        for update in updates:
            if isinstance(update, dict):
                posts.append({"published_at": parse_datetime(update.get("datePublished")),
                              "title": clean_text(str(update.get("headline") or "")),
                              "text": clean_text(str(update.get("articleBody") or ""))})
    elif site and site.posts_xpath:
        for element in tree.xpath(site.posts_xpath):
            stamp = element.xpath("string(.//time/@datetime)")
            title = element.xpath("normalize-space((.//h2|.//h3)[1])")
            paragraphs = [" ".join(p.text_content().split()) for p in element.iter("p")]
            posts.append({"published_at": parse_datetime(stamp), "title": clean_text(title),
                          "text": clean_text("\n".join(paragraphs))})
    return posts  # page order: newest first on live blogs


def _trafilatura_options(url: str | None) -> dict:
    return dict(url=url, include_comments=False, include_tables=True, include_images=False, with_metadata=False,
                deduplicate=False)


def _trafilatura_lines(tree, url: str | None, expected_chars: int, max_growth: float) -> list[str]:
    """trafilatura's full run (plain trafilatura's, with its fallback extractors).  With the
    ``fast_first`` layer on: the run without fallbacks first (about twice as fast), the full run
    only when that result is much shorter than the page's paragraph text suggests, more than
    ``max_growth`` times longer (menus and link lists taken for the story), or one unbroken
    block.  On by default for speed (the whole process ran at 0.75x plain trafilatura without it);
    held out it reads a few pages slightly worse than the full run (bench/extraction prints it)."""
    import trafilatura

    options = _trafilatura_options(url)
    if _off("fast_first"):
        return (trafilatura.extract(tree, fast=False, **options) or "").splitlines()
    text = trafilatura.extract(tree, fast=True, **options) or ""
    if len(text) < max(1000, 0.8 * expected_chars) or len(text) > max_growth * max(1000, expected_chars) \
            or text.count("\n") < len(text) / 2500:
        text = trafilatura.extract(tree, fast=False, **options) or text
    else:
        _note("fast_first")
    return text.splitlines()


def _body(tree, url: str | None, main: dict, meta: dict, site: SiteRules | None, kind: str, rules: Rules,
          finish, trace: dict | None, as_published: _AsPublished, removals: _Removals) -> tuple[list[str], list[str]]:
    """Body lines and agencies.  Without a site rule: the generic body (``_generic_lines`` with the
    generic rules).  With one: the rule's body (its container, line patterns and standfirst
    choice), kept only while ``guard`` finds it in proportion to the generic body; otherwise the
    generic body.  trafilatura runs once per page and both bodies share its result."""
    guard = rules.guard
    rule_lines = []
    if site and site.body_xpath:
        rule_lines = [line for container in tree.xpath(site.body_xpath)[:1] for line in _block_lines(container)]
    if not _off("link_lists"):
        _drop_link_lists(tree, removals)
    extracted = _trafilatura_lines(tree, url, _paragraph_chars(tree), guard.max_growth)
    if not rule_lines:  # trafilatura's lines are the body: make sure removed elements cost it nothing
        extracted = as_published.unless_lost(extracted, guard.published_share)
    if site is None or not site.shapes_body:
        found = {}  # the standfirst, looked for once however often the body is composed
        return _gated(lambda: finish(_generic_lines(tree, meta, main, extracted, kind, True, found), site),
                      rules.gate, lambda: _page_facts(tree, meta, main), trace)
    ruled = finish(rule_lines or _generic_lines(tree, meta, main, extracted, kind, site.standfirst), site)
    # the generic body without its standfirst: counted against the rule's, that one line aside
    plain = finish(_generic_lines(tree, meta, main, extracted, kind, standfirst=False), None)
    kept = guard.keeps_rule(_word_count(ruled[0]), _word_count(plain[0]))
    if not kept and rule_lines:  # the generic body takes over: now it must be whole
        extracted = as_published.unless_lost(extracted, guard.published_share)
    generic = None if kept and trace is None else \
        finish(_generic_lines(tree, meta, main, extracted, kind, standfirst=True), None)
    if trace is not None:
        trace.update(rule_words=_word_count(ruled[0]), generic_words=_word_count(plain[0]), kept=kept,
                     rule="\n".join(ruled[0]), generic="\n".join(generic[0]))
    return ruled if kept else generic


def _composed(compose, layers: frozenset, fired: set | None):
    """``compose()`` under ``layers``, noting the layers that change it in ``fired``."""
    token = _page_layers.set((layers, fired))
    try:
        return compose()
    finally:
        _page_layers.reset(token)


def _gated(compose, gate: LayerGate | None, facts, trace: dict | None) -> tuple[list[str], list[str]]:
    """The body ``compose`` makes, without each gated layer that changed it where ``gate`` predicts
    the layer lowers the page's score.  The body without a layer costs no trafilatura run: these
    layers only add or remove lines of its result.  ``trace`` receives the body with every layer,
    and each gated layer's features and body without it (bench/extraction/layer_gate.py trains
    the gate with them)."""
    layers, traced_fired = _page_layers.get()
    if gate is None and trace is None:
        return compose()
    fired = set()
    full = _composed(compose, layers, fired)
    if traced_fired is not None:
        traced_fired.update(fired)
    changed = [layer for layer in GATED_LAYERS if layer in fired and layer in layers]
    # a trace records every gated layer that changed the page (training data); else only those the gate decides
    decided = changed if trace is not None else [layer for layer in changed if layer in gate.layers]
    if not decided:
        return full
    page = facts()
    without, record = {}, {}
    for layer in decided:
        without[layer] = _composed(compose, layers - {layer}, None)
        features = layer_features(layer, full[0], without[layer][0], page, len(changed) - 1)
        gain = gate.gain(features) if gate is not None and layer in gate.layers else None
        record[layer] = {"features": features, "without": "\n".join(without[layer][0]), "gain": gain}
    if trace is not None:
        trace["gate"] = {"full": "\n".join(full[0]), "layers": record}
    rejected = {layer for layer in decided if record[layer]["gain"] is not None and record[layer]["gain"] <= 0}
    if not rejected:
        return full
    if len(rejected) == 1:
        return without[rejected.pop()]
    return _composed(compose, layers - rejected, None)


def _page_facts(tree, meta: dict, main: dict) -> PageFacts:
    """The page's descriptions, headlines and declared language, for the layer gate's features."""
    word_set = lambda text: frozenset(tokens(text))  # noqa: E731  (the words the gate compares)
    descriptions = {_ld_text(d) for d in [main.get("description"), *meta.get("og:description", []),
                                          *meta.get("description", []), *meta.get("twitter:description", [])]}
    headlines = set(_title_candidates(tree, meta, main).values())
    return PageFacts(descriptions=tuple(word_set(d) for d in descriptions if d),
                     headlines=tuple(word_set(h) for h in headlines if h), language=_declared_language(tree, main))


def _declared_language(tree, main: dict) -> str | None:
    """The page's language as it declares it (JSON-LD inLanguage, <html lang>), two letters."""
    declared = main.get("inLanguage") or tree.xpath("string(/html/@lang)")
    return declared[:2].lower() if isinstance(declared, str) and re.match(r"^[A-Za-z]{2}\b", declared) else None


@dataclass
class _AsPublished:
    """The page before newsflow removed any element, for the check that the removals did not
    cost trafilatura the story."""
    html: str | bytes
    headers: dict | None
    url: str | None
    paragraph_chars: int  # text of the page's long paragraphs as published
    trace: dict | None = None  # receives what the check saw (benchmarks choose ``share`` with it)

    def unless_lost(self, extracted: list[str], share: float) -> list[str]:
        """trafilatura's lines from the page as published instead of ``extracted`` (from the page
        without boilerplate elements) when these hold under half the page's paragraph text and
        fewer than ``share`` of the words the page as published gives (a short body is checked
        whatever the page holds, below 500 characters: its story may not be in <p> elements)."""
        if sum(map(len, extracted)) >= max(500, 0.5 * self.paragraph_chars):
            return extracted  # the usual case: no second run
        import trafilatura

        tree, _ = _parse(self.html, self.headers)
        published = (trafilatura.extract(tree, fast=False, **_trafilatura_options(self.url)) or "").splitlines() \
            if tree is not None else []
        ours_words, published_words = _word_count(extracted), _word_count(published)
        falls_back = ours_words < share * published_words
        if self.trace is not None:
            self.trace["as_published"] = {"ours_words": ours_words, "published_words": published_words,
                                          "fell_back": falls_back}
        return published if falls_back else extracted


def _word_count(lines: list[str]) -> int:
    return sum(len(re.findall(r"\w+", line)) for line in lines)


def _generic_lines(tree, meta: dict, main: dict, extracted: list[str], kind: str, standfirst: bool,
                   found: dict | None = None) -> list[str]:
    """trafilatura's lines led by the page's standfirst, else JSON-LD ``articleBody`` when that is
    much longer, else the description.  ``found`` keeps the standfirst for the next call on the page."""
    article_body = main.get("articleBody")
    if isinstance(article_body, str) and sum(map(len, extracted)) < 300 < len(article_body):
        if _fires("article_body"):
            return html.unescape(article_body).splitlines()
    if extracted:
        lead = None
        if standfirst and (_on("standfirst") or _tracing()):
            found = {} if found is None else found
            lead = found["standfirst"] if "standfirst" in found else \
                found.setdefault("standfirst", _standfirst(tree, meta, main, extracted))
        return [lead, *extracted] if lead and _fires("standfirst") else extracted
    if kind == "article":
        description = _ld_text(_first(meta, "og:description", "description")).splitlines()
        if description and _fires("description"):
            return description
    return []


def _drop_link_lists(tree, removals: _Removals) -> None:
    """Remove lists whose every item is mostly one link: related stories ("Kicker: linked
    headline"), topic and section menus that trafilatura keeps when they sit inside the
    story's container (those the removal gate lets go).  Items of a content list carry links
    only here and there."""
    squash = lambda text: len("".join(text.split()))  # noqa: E731
    # only lists in which every item holds a link can qualify
    found = [("list", element) for element in
             tree.xpath("//ul[count(li) > 1][not(li[not(.//a)])] | //ol[count(li) > 1][not(li[not(.//a)])]")
             if all(2 * squash("".join(a.text_content() for a in item.iter("a"))) >= squash(item.text_content()) > 0
                    for item in element.findall("li"))]
    if found:
        _note("link_lists")
    for element in removals.chosen("link_lists", found):
        element.drop_tree()


_VISIBLE_TEXT = None


def _standfirst(tree, meta: dict, main: dict, lines: list[str]) -> str | None:
    """The summary shown above the story (it repeats the page's description), when trafilatura
    left it out: news publishers count it as part of the article body."""
    from lxml import etree

    global _VISIBLE_TEXT
    descriptions = _unique(_ld_text(d) for d in [main.get("description"), *meta.get("og:description", []),
                                                 *meta.get("description", []), *meta.get("twitter:description", [])])
    descriptions = [d for d in descriptions if len(d.split()) >= 5]
    if not descriptions:
        return None
    body_words = _words("\n".join(lines))
    if any(_words(d) in body_words for d in descriptions):
        return None
    if _VISIBLE_TEXT is None:
        _VISIBLE_TEXT = etree.XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                                    " or ancestor::template)]")
    text_nodes = _VISIBLE_TEXT(tree)
    visible = _words(" ".join(text_nodes))
    for description in descriptions:
        if _words(description) not in visible:
            continue  # a description written for search engines only
        # the element showing it may add a little (a place name before it); take its own text then
        texts = [" ".join(element.text_content().split()) for element in _showing(tree, text_nodes, description[:40])]
        fitting = [t for t in texts if _words(description) in _words(t) and len(t) <= 1.3 * len(description) + 30]
        return min(fitting, key=len) if fitting else description
    return _marked_standfirst(tree, body_words)


def _showing(tree, text_nodes: list, start: str) -> list:
    """The innermost elements whose text holds ``start`` (the last place it is shown): the
    element of the text node holding it and two ancestors; the page-wide search, which
    normalises the text of every element, only when no single text node holds it."""
    holder = next((node for node in reversed(text_nodes) if start in " ".join(node.split())), None)
    if holder is None:
        return tree.xpath("//body//*[contains(normalize-space(.), $start)]", start=start)[-3:]
    element = holder.getparent()
    if holder.is_tail:  # text after an element belongs to that element's parent
        element = element.getparent()
    chain = [element, *element.iterancestors()]
    tags = [e.tag for e in chain]
    return chain[:min(3, tags.index("body"))] if "body" in tags else []


# class names publishers give the summary under the headline
_STANDFIRST_CLASS = re.compile(r"(?i)(^|[\s_-])(standfirst|intro|introduction|lead|lede|teaser|excerpt|epigraph|dek|"
                               r"summary|sub-?title|sub-?headline|subhead|abstract)($|[\s_-])")


def _marked_standfirst(tree, body_words: str) -> str | None:
    """The first element after the headline whose class names it a standfirst, when it reads
    like one (a sentence or two) and the body does not already hold it."""
    start = "//h1[1]/following::*/@class" if tree.find(".//h1") is not None else "//body//*/@class"
    for value in tree.xpath(start):
        if not _STANDFIRST_CLASS.search(value):
            continue
        text = " ".join(value.getparent().text_content().split())
        if 40 <= len(text) <= 600 and _words(text) not in body_words:
            return text
        if len(text) >= 40:
            return None  # the first marked block is something else: do not look further
    return None


def _paragraph_chars(tree) -> int:
    """Characters of text in long paragraphs: a rough size of the story on the page."""
    return sum(n for n in (len(" ".join(t.split())) for t in tree.xpath("//p/text()")) if n > 80)


_LEAD_LINES = 4  # how far down the body bylines, date stamps and a repeated headline are looked for


def _is_headline(line: str, headline_keys: list[str]) -> bool:
    """The headline shown again at the top of the body, alone or with a kicker or site name
    around it ("Premier League Rückschlag im Titelkampf - ...", "Headline | wdr aktuell")."""
    key = _name_key(line)
    return any(headline == key or (len(headline) >= 15 and headline in key and len(key) - len(headline) <= 40)
               for headline in headline_keys)


def _filter_lines(lines: list[str], headlines: list[str], rules: Rules, site: SiteRules | None) -> list[str]:
    """Drop boilerplate lines and the headline repeated above the story (any of ``headlines``);
    stop at a related-stories heading."""
    generic = SiteRules() if _off("line_rules") else rules.generic
    drop = generic.drop_lines + (site.drop_lines if site else ())
    stop = generic.stop_lines + (site.stop_lines if site else ())
    lead = generic.lead_lines + (site.lead_lines if site else ())
    generic_count = len(generic.drop_lines), len(generic.stop_lines), len(generic.lead_lines)
    # every headline variant the page carries (og:title, h1, JSON-LD), compared as letters only
    headline_keys = [key for key in {_name_key(h) for h in headlines if h} if len(key) >= 4]
    kept = []
    for index, line in enumerate(lines):
        line = line.strip()
        if not line:
            continue
        matched = next((i for i, p in enumerate(stop) if p.search(line)), None)
        if matched is not None:
            if matched < generic_count[1]:
                _note("line_rules")
            break
        matched = next((i for i, p in enumerate(drop) if p.search(line)), None)
        if matched is None and index < _LEAD_LINES:
            matched = next((len(drop) + i for i, p in enumerate(lead) if p.search(line)), None)
        if matched is not None:
            if matched < generic_count[0] or len(drop) <= matched < len(drop) + generic_count[2]:
                _note("line_rules")  # a generic pattern (a site's own count as its rule's)
            continue
        words = _words(line)
        if not words:
            continue
        if index < _LEAD_LINES and not any(len(k.split()) >= 20 for k in kept) \
                and (_on("headline_lines") or _tracing()) and _is_headline(line, headline_keys):
            if _fires("headline_lines"):
                continue  # the headline repeated above the story (further down it can be a subheading)
        if kept and words == _words(kept[-1]):
            if _fires("repeated_lines"):
                continue  # the same line twice in a row (a teaser over its paragraph)
        kept.append(line)
    return kept


_AUTHOR_NOTE_WORDS = 80


def _drop_author_notes(lines: list[str], authors: list[str]) -> list[str]:
    """Remove the note about a credited author ("Jane Doe is our sports editor ...") that
    publishers print just above or below the story."""
    names = [_words(name) for name in authors if len(name.split()) >= 2 and not name.isupper()]
    if not names:
        return lines

    def is_note(line: str) -> bool:
        words = _words(line)
        if len(line.split()) > _AUTHOR_NOTE_WORDS or words in names:
            return False  # a long paragraph, or a bare byline (left to the byline rules)
        # the name opens the line, at most after a role ("Korrespondent Jane Doe ist ...")
        opening = " ".join(words.split()[:5])
        return any(opening.startswith(name) or opening.split(" ", 1)[-1].startswith(name) for name in names)

    edge = range(len(lines)) if len(lines) <= 2 * _LEAD_LINES else \
        [*range(_LEAD_LINES), *range(len(lines) - _LEAD_LINES, len(lines))]
    notes = {i for i in edge if is_note(lines[i])}
    if notes:
        _note("author_notes")
    return [line for i, line in enumerate(lines) if i not in notes]


# ---------------------------------------------------------------------------
# Agencies: source lines and datelines
# ---------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _agency_patterns(aliases_key: tuple) -> tuple:
    names = sorted((a for a, _ in aliases_key), key=len, reverse=True)
    alias = "|".join(re.escape(n) for n in names)
    many = rf"(?:{alias})(?:\s*(?:[,/+&]|and|و)\s*(?:{alias}))*"
    source_line = re.compile(r"^\s*(?:المصدر|المصادر|مصدر|Source|Sources)\s*[:：]\s*(?P<names>.{2,120})$", re.I)
    lone = re.compile(rf"^\s*[-–—(\[]*\s*(?P<names>{many})\s*[)\]]?\s*\.?$", re.I)
    trailing = re.compile(rf"(?:\s*[(\[]\s*(?P<a>{many})\s*[)\]]|\s+[-–—]+\s*(?P<b>{many}))\s*\.?$", re.I)
    # "ANKARA (AA) -", "KATHMANDU, April 25 (Reuters) -", "MOSCOW, December 2. /TASS/.", "إدلب/ الأناضول"
    dateline = re.compile(
        rf"^[A-ZÀ-Þ][\w .,'’/-]{{1,60}}?\s*(?:\((?P<a>{many})\)|/\s*(?P<b>{many})\s*/)", re.I)
    arabic_dateline = re.compile(rf"^[\u0600-\u06ff ]{{2,40}}?\s*[/-]\s*(?P<a>{many})(?:\s|$)")
    return source_line, lone, trailing, dateline, arabic_dateline


def _agency_names(text: str, rules: Rules, explicit: bool = False) -> list[str]:
    """Agency names in a list such as "Al Jazeera and news agencies" or "الجزيرة + وكالات"."""
    parts = re.split(r"\s*(?:[+،,/&]|\band\b|\s و(?=\S))\s*", text.strip(" .()[]-–—"))
    found = []
    for part in parts:
        part = part.strip(" .()[]-–—")
        if part.lower() in rules.agency_aliases:
            found.append(rules.agency_aliases[part.lower()])
    return found


def _split_agencies(lines: list[str], rules: Rules) -> tuple[list[str], list[str]]:
    """Remove source lines and lone or trailing agency credits; note agencies named in a
    dateline (the dateline stays: it is part of the story as published)."""
    source_line, lone, trailing, dateline, arabic_dateline = _agency_patterns(
        tuple(sorted(rules.agency_aliases.items())))
    agencies, kept = [], []
    last_index = len(lines) - 1
    for i, line in enumerate(lines):
        match = source_line.match(line)
        names = _agency_names(match.group("names"), rules) if match else []
        if not names:
            match = lone.match(line)
            names = _agency_names(match.group("names"), rules) if match else []
        if names:
            agencies += names
            if _fires("credit_lines"):
                continue
        elif i <= 1:
            match = dateline.match(line) or arabic_dateline.match(line)
            if match:
                agencies += _agency_names(match.group("a") or match.groupdict().get("b") or "", rules)
        if i >= last_index - 1:
            match = trailing.search(line)
            if match:
                names = _agency_names(match.group("a") or match.group("b") or "", rules)
                if names and match.start() > 0:
                    agencies += names
                    if _fires("credit_lines"):
                        line = line[:match.start()].rstrip()
        if line:
            kept.append(line)
    return kept, agencies


def _page_agencies(found: list[str], language: str | None, site: SiteRules | None, rules: Rules) -> list[str]:
    """Agencies in the page's language; the site's own attribution when the page names none."""
    if not found and site and site.agency:
        found = [site.agency]
    if language == "ar":
        found = [rules.arabic_names.get(name, name) for name in found]
    return _unique(found)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
# Short samples in the scripts the language detector distinguishes by its models (Latin, Cyrillic,
# Han); Arabic needs no model.
_WARM_UP_SAMPLES = ("The council met on Monday to discuss the new budget for the city.",
                    "Правительство обсудило новый бюджет на заседании в понедельник.",
                    "市政府周一召开会议讨论新的预算。")


def warm_up() -> None:
    """Load the rules and the language detector's models now rather than on the first pages
    (a fraction of a second); long-running workers and benchmarks call it once at start."""
    load_rules()
    for sample in _WARM_UP_SAMPLES:
        _detect_page_language(sample)


def extractor_version() -> str:
    import trafilatura

    return f"{EXTRACTOR_NAME}/{EXTRACTOR_REVISION} trafilatura/{trafilatura.__version__}"


_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
_page_detector = None


def _detect_page_language(text: str) -> str | None:
    """The language of a page's text.  Arabic script goes to ``newsflow.text.detect_language`` (its
    script count settles it); other text to lingua in low-accuracy mode over the same languages:
    on whole bodies it agrees with the full detector on 385 of the 388 fundus and readability
    pages, detects four times faster and loads in 0.04 s instead of 0.9 s."""
    global _page_detector
    try:
        from newsflow.text import DETECTOR_LANGUAGES, detect_language
    except ImportError:
        return None
    if _ARABIC_SCRIPT.search(text[:2000]):
        return detect_language(text)
    if _page_detector is None:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTOR_LANGUAGES]
        _page_detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()
    language = _page_detector.detect_language_of(text[:2000])
    return language.iso_code_639_1.name.lower() if language else None


def _language(text: str, tree, main: dict, site: SiteRules | None) -> str | None:
    """The language the page declares (JSON-LD ``inLanguage``, ``<html lang>``), unless the text is
    in Arabic script or the page declares Arabic: Arabic pages are told apart by their script, and
    a page declaring nothing is detected.  Declarations are right where the detector, which knows
    a few languages only, is not (Czech read as Turkish, Italian as Spanish, Norwegian as German)."""
    declared = main.get("inLanguage") or tree.xpath("string(/html/@lang)")
    declared = declared[:2].lower() if isinstance(declared, str) and re.match(r"^[A-Za-z]{2}\b", declared) else None
    if declared and declared != "ar" and not _ARABIC_SCRIPT.search(text[:2000]):
        return declared
    detected = _detect_page_language(text) if text and text.strip() else None
    return detected or declared or (site.language if site else None)


def _empty_result(url: str | None, error: str | None) -> dict:
    return {"url": url, "canonical_url": url, "title": "", "text": "", "published_at": None, "updated_at": None,
            "authors": [], "language": None, "section": None, "tags": [], "word_count": 0,
            "extractor_version": extractor_version(), "kind": "article",
            "agencies": [], "posts": [], "error": error}


def extract_article(html: str | bytes, url: str | None = None, headers: dict | None = None) -> dict:
    """Extract one page; never raises: a page that cannot be read comes back with ``error`` set."""
    try:
        return _extract(html, url, headers)
    except ConfigError:
        raise  # broken rules are a deployment error, not a bad page
    except Exception as exc:  # one bad page must not stop a batch
        return _empty_result(url, f"{type(exc).__name__}: {exc}")


def _parse(html: str | bytes, headers: dict | None):
    """The page's tree and None, or None and why there is none.  Our decoding first (valid UTF-8 and the
    declared charset before guessing); a page that lxml reads as a fragment or not at all then
    goes through trafilatura's own decoding and loading, so that no page trafilatura reads is lost."""
    from trafilatura.utils import load_html

    text = decode_html(html, headers) if isinstance(html, bytes) else html
    if not isinstance(text, str) or "<" not in text:
        return None, "not an HTML page"
    tree = load_html(text)
    if tree is not None and tree.find(".//body") is None:
        # lxml returns the only child of <body> for a page it takes for a fragment (no <head>,
        # a comment or XML declaration before <html>): the whole document is its root tree
        root = tree.getroottree().getroot()
        tree = root if root.find(".//body") is not None else tree
    if (tree is None or tree.find(".//body") is None) and isinstance(html, bytes):
        reloaded = load_html(html)
        tree = reloaded if reloaded is not None else tree
    return (tree, None) if tree is not None else (None, "HTML could not be parsed")


def _extract(html: str | bytes, url: str | None, headers: dict | None, trace: dict | None = None,
             rules: Rules | None = None) -> dict:
    """``trace``, when a dict, receives the candidate bodies and what the check against the page as
    published saw (benchmarks tune the guard with it); ``rules`` replace the configured ones."""
    rules = rules or load_rules()
    token = _page_layers.set((rules.layers, trace.setdefault("fired", set()) if trace is not None else None))
    try:
        return _extract_page(html, url, headers, trace, rules)
    finally:
        _page_layers.reset(token)


def _extract_page(html: str | bytes, url: str | None, headers: dict | None, trace: dict | None,
                  rules: Rules) -> dict:
    tree, error = _parse(html, headers)
    if tree is None:
        return _empty_result(url, error)

    site = site_rules(url, rules)
    objects = _json_ld(tree)
    main = _main_object(objects)
    meta = _meta(tree)
    published, updated = _published(tree, meta, main, url, site.timezone if site else None)
    if site and not site.in_force(published):
        site = site.without_layout()  # a page from before or after the layout the rule was written for
    canonical = tree.xpath("string(//link[@rel='canonical']/@href)") or _first(meta, "og:url") or url
    canonical = urljoin(url, canonical.strip()) if url and canonical else canonical
    headlines = _title_candidates(tree, meta, main)
    title_rule = site.title if site else None
    title = clean_text(_title(headlines, _site_names(meta, main, url), title_rule)).replace("\n", " ")
    kind = _kind(url, site, objects, main, meta)
    authors = _authors(tree, meta, main, site, rules)
    section = main.get("articleSection") or _first(meta, "article:section")
    section = section[0] if isinstance(section, list) and section else section
    keywords = main.get("keywords") or _first(meta, "news_keywords", "keywords") or []
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    tags = _unique([k.strip() for k in keywords if isinstance(k, str) and k.strip()] + meta.get("article:tag", []))

    posts = _posts(tree, main, site) if kind == "liveblog" else []
    page_chars = _paragraph_chars(tree)  # before any element is removed
    source_lines = []
    if site and site.source_xpath:
        for element in tree.xpath(site.source_xpath):
            source_lines.append(" ".join(element.text_content().split()))
            element.drop_tree()
    removals = _Removals(tree, rules.removal_gate, _declared_language(tree, main), trace)
    _remove_boilerplate_elements(tree, site, SiteRules() if _off("boilerplate_elements") else rules.generic, removals)

    def finish(lines: list[str], rules_of: SiteRules | None) -> tuple[list[str], list[str]]:
        lines = clean_text("\n".join(lines)).splitlines()
        lines = _filter_lines(lines, [title, *headlines.values()], rules, rules_of)
        if not _off("author_notes"):
            while lines and authors and _words(lines[-1]) in {_words(" ".join(authors)), _words(", ".join(authors))}:
                _note("author_notes")
                lines.pop()  # the editors' names closing a wire story
            lines = _drop_author_notes(lines, authors)
        return _split_agencies(lines + source_lines, rules)

    if kind == "video" and _site_kind(url, site) == "video":
        lines, agencies = finish([], site)
    elif posts and site and site.posts_xpath:
        # a configured live-blog layout: the text is its posts in page order
        lines, agencies = finish([line for post in posts for line in [post["title"], *post["text"].splitlines()]
                                  if line], site)
    else:
        as_published = _AsPublished(html, headers, url, page_chars, trace)
        lines, agencies = _body(tree, url, main, meta, site, kind, rules, finish, trace, as_published, removals)
        if kind == "video":
            # a video by its metadata alone: an article with a video on top when the body has the
            # words of one, else the video's caption, which is not a body
            if _word_count(lines) >= rules.guard.min_words:
                kind = "article"
            else:
                lines = []
    text = "\n".join(lines)
    if not text and not title:
        return _empty_result(url, "no article content found")
    language = _language(text or title, tree, main, site)
    return {
        "url": url,
        "canonical_url": canonical or None,
        "title": title,
        "text": text,
        "published_at": published,
        "updated_at": updated,
        "authors": authors,
        "language": language,
        "section": section if isinstance(section, str) and section else None,
        "tags": tags,
        "word_count": len(re.findall(r"\w+", text)),
        "extractor_version": extractor_version(),
        "kind": kind,
        "agencies": _page_agencies(agencies, language, site, rules),
        "posts": posts,
        "error": None,
    }


def _read_page(path: str) -> bytes:
    from newsflow.http import max_page_bytes
    return read_page_file(path, max_page_bytes())  # gunzipped, within the page cap


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def extract_batch(lines: Iterable[str]) -> Iterator[dict]:
    """One JSON line ``{"id", "path", "url"?}`` in, one result dict out; bad lines yield an error."""
    for line in lines:
        if not line.strip():
            continue
        item_id = None
        try:
            item = parse_json_object(line)
            item_id = item.get("id")
            if not item.get("path"):
                raise ValueError("missing 'path'")
            page = _read_page(str(item["path"]))
            result = extract_article(page, url=item.get("url"))
        except (ValueError, OSError, EOFError) as exc:
            result = _empty_result(None, f"{type(exc).__name__}: {exc}")
        yield {
            "id": item_id,
            "title": result["title"],
            "text": result["text"],
            "published_at": _iso(result["published_at"]),
            "language": result["language"],
            "authors": result["authors"],
            "agencies": result["agencies"],
            "kind": result["kind"],
            "canonical_url": result["canonical_url"],
            "updated_at": _iso(result["updated_at"]),
            "error": result["error"],
        }
