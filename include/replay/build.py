"""Build the replay fixtures (pages, feeds, sitemaps, manifest.json) from ``src/*.txt``.

Run ``python include/replay/build.py`` after editing a source file; the output is
deterministic, so an unchanged source gives byte-identical files.

Source format (one file per feed, articles separated by a line ``%%%``):
header lines ``key: value`` up to a line ``---``, then the body: one paragraph per
line, ``## `` starts an in-body subheading, ``@@ <ISO time> <headline>`` starts a
live-blog post, and ``[text](url)`` is an inline link.  The manifest body is the
plain text of those lines joined by newlines, so pages and ground truth agree.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script from a checkout: find the newsflow package

from newsflow.replay import relative_fixture_name  # noqa: E402
SRC = HERE / "src"
OUT = {1: HERE / "sites", 2: HERE / "phase2"}
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")

FEEDS = {
    "aljazeera_en": ("https://www.aljazeera.com/xml/rss/all.xml", "rss", "en"),
    "aljazeera_ar": (
        "https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9",
        "rss",
        "ar",
    ),
    "anadolu_en": ("https://www.aa.com.tr/en/rss/default?cat=guncel", "rss", "en"),
    "anadolu_ar": ("https://www.aa.com.tr/ar/rss/default?cat=guncel", "rss", "ar"),
    "sana_en": ("https://sana.sy/en/?feed=rss2", "rss", "en"),
    "tass_en": ("https://tass.com/rss/v2.xml", "atom", "en"),
    "xinhua_en": ("http://www.xinhuanet.com/english/rss/worldrss.xml", "rss", "en"),
    "mubasher_ar": ("https://mubasher.aljazeera.net/rss", "rss", "ar"),
}
MALFORMED_FEEDS = {"xinhua_en"}
SITEMAP_DAYS = ("2024-12-01", "2024-12-02", "2024-12-03")
SITEMAP_SITES = {"aljazeera_en": "https://www.aljazeera.com", "aljazeera_ar": "https://www.aljazeera.net",
                 "mubasher_ar": "https://mubasher.aljazeera.net"}

EN_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


# ---------------------------------------------------------------------------
# Source parsing
# ---------------------------------------------------------------------------
@dataclass
class Block:
    kind: str  # p | h2 | post
    text: str  # plain text
    markup: str = ""  # HTML of the paragraph (links kept)
    time: str = ""  # live-blog post time


@dataclass
class Article:
    meta: dict
    blocks: list[Block] = field(default_factory=list)

    def __getitem__(self, key):
        return self.meta.get(key, "")

    @property
    def url(self) -> str:
        return self.meta["url"]

    @property
    def phase(self) -> int:
        return int(self.meta.get("phase", "1"))

    @property
    def status(self) -> int:
        return int(self.meta.get("status", "200"))

    @property
    def published(self) -> datetime:
        return datetime.fromisoformat(self.meta["published_at"])

    @property
    def updated(self) -> datetime | None:
        value = self.meta.get("updated_at")
        return datetime.fromisoformat(value) if value else None

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind != "post"]

    def split_list(self, key: str) -> list[str]:
        return [v.strip() for v in self.meta.get(key, "").split("|") if v.strip()]

    def flag(self, key: str, default: bool = True) -> bool:
        value = self.meta.get(key)
        return default if value is None else value.strip().lower() in ("yes", "true", "1")

    def body_text(self) -> str:
        if self["kind"] == "video" or self.status != 200:
            return ""
        if self["kind"] == "liveblog":  # page order: newest post first
            return "\n".join(b.text for post, paragraphs in reversed(self.posts()) for b in [post, *paragraphs])
        return "\n".join(b.text for b in self.blocks)

    def posts(self) -> list[tuple[Block, list[Block]]]:
        """Live-blog posts: (header block, its paragraphs)."""
        posts: list[tuple[Block, list[Block]]] = []
        for block in self.blocks:
            if block.kind == "post":
                posts.append((block, []))
            elif posts:
                posts[-1][1].append(block)
        return posts


def inline_markup(line: str) -> tuple[str, str]:
    """(plain text, HTML) of a source line with ``[text](url)`` links."""
    plain = LINK.sub(lambda m: m.group(1), line)
    pieces, last = [], 0
    for m in LINK.finditer(line):
        pieces.append(html.escape(line[last : m.start()], quote=False))
        pieces.append(f'<a href="{html.escape(m.group(2))}">{html.escape(m.group(1), quote=False)}</a>')
        last = m.end()
    pieces.append(html.escape(line[last:], quote=False))
    return plain, "".join(pieces)


def iri_to_uri(url: str) -> str:
    """Percent-encode non-ASCII path characters (Arabic slugs), as the sites' feeds do."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(parts.path, safe="/%-._~")))


def parse_article(chunk: str, feed_id: str) -> Article:
    head, _, body = chunk.strip().partition("\n---\n")
    meta = {"feed_id": feed_id, "language": FEEDS[feed_id][2]}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    meta["url"] = iri_to_uri(meta["url"])
    article = Article(meta)
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("@@ "):
            _, stamp, headline = line.split(" ", 2)
            article.blocks.append(Block("post", headline, html.escape(headline, quote=False), stamp))
        elif line.startswith("## "):
            plain, markup = inline_markup(line[3:])
            article.blocks.append(Block("h2", plain, markup))
        else:
            plain, markup = inline_markup(line)
            article.blocks.append(Block("p", plain, markup))
    return article


def load_articles() -> list[Article]:
    articles = []
    for feed_id in FEEDS:
        path = SRC / f"{feed_id}.txt"
        if not path.exists():
            continue
        for chunk in path.read_text(encoding="utf-8").split("\n%%%\n"):
            if chunk.strip():
                articles.append(parse_article(chunk, feed_id))
    return articles


def articles_in_phase(articles: list[Article], phase: int) -> list[Article]:
    """The live version of every URL in a phase (latest phase not after it)."""
    latest: dict[str, Article] = {}
    for article in articles:
        if article.phase <= phase and (article.url not in latest or latest[article.url].phase < article.phase):
            latest[article.url] = article
    return sorted(latest.values(), key=lambda a: (a.published, a.url), reverse=True)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
def esc(text: str) -> str:
    return html.escape(text, quote=True)


def short_id(text: str, digits: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:digits]


def number_id(text: str, low: int, span: int) -> int:
    return low + int(short_id(text, 12), 16) % span


def utc(dt: datetime) -> datetime:
    return dt.astimezone(timezone.utc)


def rfc822(dt: datetime) -> str:
    return format_datetime(dt)


def json_ld(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{text}\n</script>'


def en_date(dt: datetime) -> str:
    return f"{dt.day} {EN_MONTHS[dt.month - 1]} {dt.year}"


def image_url(article: Article, site: str) -> str:
    return f"{site}/wp-content/uploads/2024/12/{short_id(article.url, 10)}.jpg"


def related(article: Article, pool: list[Article], count: int = 3) -> list[Article]:
    """Other pages of the same site, chosen deterministically."""
    others = [a for a in pool if a.url != article.url and a.status == 200 and a["kind"] != "video"]
    others.sort(key=lambda a: short_id(article.url + a.url))
    return others[:count]


def paragraph_html(blocks: list[Block], between) -> str:
    """Paragraphs and subheadings; ``between(i)`` returns extra markup after block i."""
    out = []
    for i, block in enumerate(blocks):
        tag = "h2" if block.kind == "h2" else "p"
        out.append(f"<{tag}>{block.markup}</{tag}>")
        out.append(between(i))
    return "\n".join(x for x in out if x)


# ---------------------------------------------------------------------------
# Al Jazeera (English and Arabic share the layout)
# ---------------------------------------------------------------------------
AJ_TEXT = {
    "en": {
        "site": "https://www.aljazeera.com",
        "site_name": "Al Jazeera",
        "ad": "Advertisement",
        "read_more": "Read more",
        "list_end": "list of 3 items",
        "published": "Published On",
        "updated": "Last update",
        "by": "By",
        "share": "Click here to share on social media",
        "save": "Save",
        "newsletter_title": "Sign up for Al Jazeera",
        "newsletter_name": "Week in the Middle East",
        "newsletter_pitch": "Catch up on our coverage of the region, all in one place.",
        "newsletter_button": "Subscribe",
        "newsletter_legal": "By signing up, you agree to our Privacy Policy",
        "more_from": "More from News",
        "popular": "Most Popular",
        "footer": "© 2024 Al Jazeera Media Network",
        "nav": ["News", "Middle East", "Africa", "Asia", "US & Canada", "Latin America", "Europe", "Features",
                "Opinion", "Video", "Live"],
        "footer_links": ["About Us", "Code of Ethics", "Terms and Conditions", "Privacy Policy",
                         "Cookie Policy", "Cookie Preferences", "Accessibility Statement", "Contact Us",
                         "Work for us", "Al Jazeera Arabic", "Al Jazeera Mubasher", "Al Jazeera Balkans"],
        "live": "LIVE",
        "video_label": "Video Duration",
    },
    "ar": {
        "site": "https://www.aljazeera.net",
        "site_name": "الجزيرة نت",
        "ad": "إعلان",
        "read_more": "اقرأ أيضا",
        "list_end": "list of 3 items",
        "published": "نشر في",
        "updated": "آخر تحديث",
        "by": "",
        "share": "شارك",
        "save": "حفظ",
        "newsletter_title": "النشرة البريدية",
        "newsletter_name": "نشرة الجزيرة",
        "newsletter_pitch": "اشترك في النشرة البريدية لتصلك آخر الأخبار والتحليلات.",
        "newsletter_button": "اشترك",
        "newsletter_legal": "باشتراكك، أنت توافق على سياسة الخصوصية",
        "more_from": "المزيد من أخبار",
        "popular": "الأكثر قراءة",
        "footer": "جميع الحقوق محفوظة © 2024 شبكة الجزيرة الإعلامية",
        "nav": ["الرئيسية", "أخبار", "سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات", "تكنولوجيا", "الجزيرة مباشر",
                "بث مباشر"],
        "footer_links": ["من نحن", "الأحكام والشروط", "سياسة الخصوصية", "سياسة ملفات تعريف الارتباط",
                         "تفضيلات ملفات تعريف الارتباط", "اتصل بنا", "Al Jazeera English", "الجزيرة مباشر"],
        "live": "مباشر",
        "video_label": "مدة الفيديو",
    },
}


def aj_date_label(dt: datetime, language: str) -> str:
    dt = utc(dt)
    return en_date(dt) if language == "en" else f"{dt.day}/{dt.month}/{dt.year}"


def aj_jsonld(article: Article, t: dict) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "headline": article["title"],
        "description": article["summary"],
        "image": {"@type": "ImageObject", "url": image_url(article, t["site"]), "width": 1920, "height": 1440},
        "datePublished": article["published_at"],
        "dateModified": article["updated_at"] or article["published_at"],
        "author": [{"@type": "Person", "name": name} for name in article.split_list("authors")],
        "publisher": {"@type": "Organization", "name": t["site_name"],
                      "logo": {"@type": "ImageObject", "url": t["site"] + "/images/logo_aje.png"}},
        "articleSection": article["section"],
        "keywords": article.split_list("keywords"),
        "inLanguage": article["language"],
    }
    if article.flag("jsonld_body", default=False):
        data["articleBody"] = article.body_text()
    return data


def aj_head(article: Article, t: dict, extra_ld: dict | None = None) -> str:
    charset = article["declared_charset"] or "utf-8"
    language = article["language"]
    ld = extra_ld or aj_jsonld(article, t)
    return f"""<head>
<meta charset="{charset}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(article["title"])} | {esc(t["site_name"])}</title>
<meta name="description" content="{esc(article["summary"])}">
<link rel="canonical" href="{esc(article.url)}">
<meta property="og:type" content="{"video.other" if article["kind"] == "video" else "article"}">
<meta property="og:site_name" content="{esc(t["site_name"])}">
<meta property="og:title" content="{esc(article["title"])}">
<meta property="og:description" content="{esc(article["summary"])}">
<meta property="og:url" content="{esc(article.url)}">
<meta property="og:image" content="{esc(image_url(article, t["site"]))}?resize=1200%2C675">
<meta property="og:locale" content="{"en_US" if language == "en" else "ar_AR"}">
<meta property="article:published_time" content="{article["published_at"]}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="{"@AJEnglish" if language == "en" else "@AJArabic"}">
<meta name="pageType" content="{article["kind"].capitalize()}">
<meta name="postId" content="{number_id(article.url, 3000000, 900000)}">
<meta name="topics" content="{esc(", ".join(article.split_list("keywords")))}">
<link rel="stylesheet" href="/static/css/main-{short_id(language)}.css">
<link rel="alternate" type="application/rss+xml" title="{esc(t["site_name"])}" href="{FEEDS["aljazeera_" + language][0]}">
{json_ld(ld)}
<script>window.dataLayer = window.dataLayer || []; window.dataLayer.push({{"pageType": "{article["kind"]}"}});</script>
<style>.screen-reader-text{{position:absolute;clip:rect(1px,1px,1px,1px)}}</style>
</head>"""


def aj_ad(t: dict, slot: str) -> str:
    return (f'<div class="container--ads container--ads-{slot}"><div class="ads">'
            f'<span class="ads__label">{t["ad"]}</span><div id="dfp-ad-{slot}" class="ad-slot"></div></div></div>')


def aj_read_more(article: Article, pool: list[Article], t: dict) -> str:
    items = "".join(f'<li class="more-on__item"><a href="{esc(a.url)}">{esc(a["title"])}</a></li>'
                    for a in related(article, pool))
    return (f'<div class="more-on"><h3 class="more-on__heading">{t["read_more"]}</h3>'
            f'<span class="screen-reader-text">{t["list_end"]}</span><ul class="more-on__list">{items}</ul>'
            f'<span class="screen-reader-text">end of list</span></div>')


def aj_header_nav(t: dict, language: str) -> str:
    links = "".join(f'<li class="menu__item"><a href="{t["site"]}/{short_id(n, 6)}/">{esc(n)}</a></li>'
                    for n in t["nav"])
    skip = "Skip links" if language == "en" else "تخطي إلى المحتوى"
    return (f'<div class="site-header"><a class="skip-link" href="#main-content-area">{skip}</a>'
            f'<div class="site-header__logo"><a href="{t["site"]}/" aria-label="{esc(t["site_name"])}">'
            f'<svg role="img"><title>{esc(t["site_name"])}</title></svg></a></div>'
            f'<nav class="site-header__navigation" aria-label="Primary"><ul class="menu">{links}</ul></nav>'
            f'<div class="site-header__live-menu"><a href="{t["site"]}/live/">{t["live"]}</a></div></div>')


def aj_share(t: dict) -> str:
    buttons = "".join(f'<li><button class="share-btn share-btn--{n}" aria-label="{n}"><span class="screen-reader-text">'
                      f'{n}</span></button></li>' for n in ("facebook", "twitter", "whatsapp", "copylink"))
    return (f'<div class="article-info-block__share"><div class="share-bar"><span class="share-bar__label">'
            f'{t["share"]}</span><ul class="share-bar__list">{buttons}</ul>'
            f'<button class="save-btn">{t["save"]}</button></div></div>')


def aj_newsletter(t: dict) -> str:
    return (f'<div class="newsletter-signup newsletter--inline"><h2 class="newsletter__title">{t["newsletter_title"]}</h2>'
            f'<p class="newsletter__name">{t["newsletter_name"]}</p><p class="newsletter__pitch">{t["newsletter_pitch"]}</p>'
            f'<form class="newsletter__form"><input type="email" placeholder="E-mail address" aria-label="E-mail">'
            f'<button type="submit">{t["newsletter_button"]}</button></form>'
            f'<p class="newsletter__legal">{t["newsletter_legal"]}</p>'
            f'<p class="newsletter__recaptcha">This site is protected by reCAPTCHA.</p></div>')


def aj_aside(article: Article, pool: list[Article], t: dict) -> str:
    more = "".join(f'<article class="gc gc--type-post"><h3 class="gc__title"><a href="{esc(a.url)}">'
                   f'<span>{esc(a["title"])}</span></a></h3><div class="gc__excerpt"><p>{esc(a["summary"])}</p></div>'
                   f'</article>' for a in related(article, pool[::-1], 4))
    popular = "".join(f'<li><a href="{esc(a.url)}">{esc(a["title"])}</a></li>' for a in related(article, pool, 5))
    section = t["more_from"] if article["language"] == "en" else f'{t["more_from"]} {article["section"]}'
    return (f'<section class="more-from-section"><h2 class="section-header">{esc(section)}</h2>{more}</section>'
            f'<aside class="most-popular"><h2>{t["popular"]}</h2><ol>{popular}</ol></aside>')


def aj_footer(t: dict) -> str:
    links = "".join(f'<li><a href="{t["site"]}/{short_id(n, 6)}/">{esc(n)}</a></li>' for n in t["footer_links"])
    return (f'<footer class="footer"><div class="footer__menu"><ul>{links}</ul></div>'
            f'<div class="footer__social"><a href="https://www.facebook.com/">Facebook</a> '
            f'<a href="https://x.com/">X</a> <a href="https://www.youtube.com/">YouTube</a></div>'
            f'<p class="footer__copyright">{t["footer"]}</p></footer>')


def aj_dates(article: Article, t: dict) -> str:
    lang = article["language"]
    published = aj_date_label(article.published, lang)
    out = (f'<div class="article-dates"><div class="date-simple css-1yjq2zp">'
           f'<span class="screen-reader-text">{t["published"]} {published}</span>'
           f'<span aria-hidden="true">{published}</span></div>'
           f'<time datetime="{utc(article.published).strftime("%Y-%m-%dT%H:%M:%SZ")}" class="article-time">'
           f'{utc(article.published).strftime("%H:%M")} GMT</time>')
    if article.updated:
        out += (f'<div class="date-simple date-simple--updated"><span class="screen-reader-text">{t["updated"]} '
                f'{aj_date_label(article.updated, lang)}</span><time datetime="'
                f'{utc(article.updated).strftime("%Y-%m-%dT%H:%M:%SZ")}">{t["updated"]} '
                f'{aj_date_label(article.updated, lang)}</time></div>')
    return out + "</div>"


def aj_authors(article: Article, t: dict) -> str:
    names = article.split_list("authors")
    if not names:
        return ""
    links = " ".join(f'<a class="author-link" href="{t["site"]}/author/{short_id(n, 6)}/">{esc(n)}</a>' for n in names)
    return f'<div class="article-author"><span class="article-author-name">{t["by"]} {links}</span></div>'


def aj_figure(article: Article) -> str:
    caption = article["caption"]
    if not caption:
        return ""
    return (f'<figure class="article-featured-image"><div class="responsive-image">'
            f'<img src="{esc(image_url(article, AJ_TEXT[article["language"]]["site"]))}?resize=770%2C513" alt="{esc(caption)}">'
            f'</div><figcaption>{esc(caption)}</figcaption></figure>')


def aj_article_body(article: Article, pool: list[Article], t: dict) -> str:
    blocks = article.paragraphs

    def between(i: int) -> str:
        if i == 1 and len(blocks) > 3:
            return aj_read_more(article, pool, t)
        if i in (2, 6, 10) and i < len(blocks) - 1 and blocks[i].kind != "h2":
            return aj_ad(t, f"mid-{i}")
        return ""

    content = paragraph_html(blocks, between)
    source = ""
    if article["source_line"]:
        source = f'<div class="article-source">{esc(article["source_line"])}</div>'
    return f'<div class="wysiwyg wysiwyg--all-content css-ibbk12" aria-live="polite">\n{content}\n{source}\n</div>'


def aj_liveblog_body(article: Article, t: dict) -> str:
    cards = []
    for n, (post, paragraphs) in enumerate(reversed(article.posts())):
        stamp = datetime.fromisoformat(post.time)
        body = "".join(f"<p>{b.markup}</p>" for b in paragraphs)
        cards.append(
            f'<div class="card-live" id="post-{short_id(post.time + post.text, 6)}">'
            f'<div class="card-live__time"><time datetime="{utc(stamp).strftime("%Y-%m-%dT%H:%M:%SZ")}">'
            f'{utc(stamp).strftime("%d %b %Y %H:%M")} GMT</time></div>'
            f'<h2 class="card-live__title">{post.markup}</h2><div class="wysiwyg wysiwyg--all-content">{body}</div>'
            f'<div class="card-live__share"><button>Share</button><button>Copy link</button></div></div>'
        )
        if n % 2 == 1:
            cards.append(aj_ad(t, f"live-{n}"))
    return ('<div class="liveblog-timeline"><div class="liveblog-key-events"><h3>Key events</h3></div>'
            + "\n".join(cards) + "</div>")


def aj_liveblog_ld(article: Article, t: dict) -> dict:
    data = aj_jsonld(article, t)
    data["@type"] = "LiveBlogPosting"
    data["coverageStartTime"] = article["published_at"]
    data["coverageEndTime"] = article["updated_at"] or article["published_at"]
    data["liveBlogUpdate"] = [
        {"@type": "BlogPosting", "headline": post.text, "datePublished": post.time,
         "articleBody": "\n".join(b.text for b in paragraphs)}
        for post, paragraphs in reversed(article.posts())
    ]
    return data


def aj_video_ld(article: Article, t: dict) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "VideoObject",
        "name": article["title"],
        "description": article["summary"],
        "thumbnailUrl": [image_url(article, t["site"])],
        "uploadDate": article["published_at"],
        "duration": article["duration"] or "PT1M30S",
        "embedUrl": f"https://players.brightcove.net/665003303001/default_default/index.html?videoId="
                    f"{number_id(article.url, 6360000000000, 10000000)}",
        "publisher": {"@type": "Organization", "name": t["site_name"]},
    }


def aj_video_body(article: Article, t: dict) -> str:
    video_id = number_id(article.url, 6360000000000, 10000000)
    return (f'<div class="video-player-wrapper"><div class="video-player" data-video-id="{video_id}">'
            f'<video-js data-account="665003303001" data-player="default" data-video-id="{video_id}" controls>'
            f'</video-js><span class="video-duration"><span class="screen-reader-text">{t["video_label"]}</span> '
            f'{esc(article["duration_label"] or "01m 30s")}</span></div>'
            f'<p class="video-caption article__subhead">{esc(article["summary"])}</p></div>')


def render_aljazeera(article: Article, pool: list[Article]) -> str:
    language = article["language"]
    t = AJ_TEXT[language]
    kind = article["kind"]
    if kind == "liveblog":
        head = aj_head(article, t, aj_liveblog_ld(article, t))
        main = aj_liveblog_body(article, t)
    elif kind == "video":
        head = aj_head(article, t, aj_video_ld(article, t))
        main = aj_video_body(article, t)
    else:
        head = aj_head(article, t)
        main = aj_figure(article) + aj_article_body(article, pool, t)
    topics = "".join(f'<a href="{t["site"]}/tag/{short_id(k, 6)}/">{esc(k)}</a>'
                     for k in article.split_list("keywords")[:2])
    live_badge = f'<span class="live-badge">{t["live"]}</span>' if kind == "liveblog" else ""
    subhead = "" if kind == "video" else f'<p class="article__subhead"><em>{esc(article["summary"])}</em></p>'
    direction = "rtl" if language == "ar" else "ltr"
    return f"""<!DOCTYPE html>
<html lang="{language}" dir="{direction}">
{head}
<body class="{kind}-template">
{aj_header_nav(t, language)}
<div id="root"><div class="container container--white">
{aj_ad(t, "leaderboard-atf")}
<main id="main-content-area" class="article-main">
<header class="article-header">
<div class="article-header__topics topics">{topics}</div>
{live_badge}<h1>{esc(article["title"])}</h1>
{subhead}
</header>
<div class="article-info-block">
{aj_authors(article, t)}
{aj_dates(article, t)}
{aj_share(t)}
</div>
{main}
{aj_newsletter(t)}
</main>
{aj_aside(article, pool, t)}
{aj_ad(t, "bottom")}
</div></div>
{aj_footer(t)}
</body>
</html>
"""


# ---------------------------------------------------------------------------
# Anadolu Agency (English and Arabic)
# ---------------------------------------------------------------------------
def render_anadolu(article: Article, pool: list[Article]) -> str:
    language = article["language"]
    ar = language == "ar"
    local = article.published
    date_label = local.strftime("%d.%m.%Y")
    updated = article.updated or article.published
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle",
        "headline": article["title"], "description": article["summary"],
        "datePublished": article["published_at"], "dateModified": updated.isoformat(),
        "author": {"@type": "Person", "name": ", ".join(article.split_list("authors")) or "Anadolu"},
        "publisher": {"@type": "Organization", "name": "Anadolu Ajansı"},
        "image": f"https://cdnuploads.aa.com.tr/uploads/Contents/2024/12/0{local.day}/thumbs_b_c_{short_id(article.url, 32)}.jpg",
        "articleSection": article["section"], "inLanguage": language,
    }
    menu = (["الرئيسية", "العالم", "الدول العربية", "تركيا", "اقتصاد", "رياضة", "صحة", "ثقافة وفنون"] if ar else
            ["Home", "Türkiye", "World", "Middle East", "Africa", "Asia-Pacific", "Europe", "Economy", "Energy", "Sports"])
    nav = "".join(f"<li><a href=\"/{language}/{short_id(m, 6)}\">{esc(m)}</a></li>" for m in menu)
    tags = "".join(f'<a class="detay-tag" href="/{language}/search/?s={short_id(k, 6)}">{esc(k)}</a>'
                   for k in article.split_list("keywords"))
    authors = " , ".join(article.split_list("authors"))
    body = paragraph_html(article.paragraphs, lambda i: "")
    note = ("موقع وكالة الأناضول يعرض جزءا من الأخبار المقدمة للمشتركين في نظام تدفق الأخبار (HAS)، وبشكل ملخص. "
            "يرجى التواصل معنا لخيارات الاشتراك." if ar else
            "Anadolu Agency website contains only a portion of the news stories offered to subscribers in the "
            "AA News Broadcasting System (HAS), and in summarized form. Please contact us for subscription options.")
    more = "".join(f'<div class="col-md-4"><a href="{esc(a.url)}"><h3>{esc(a["title"])}</h3></a></div>'
                   for a in related(article, pool, 3))
    caption = f'<div class="detay-foto-editor">{esc(article["caption"])}</div>' if article["caption"] else ""
    return f"""<!DOCTYPE html>
<html lang="{language}" dir="{"rtl" if ar else "ltr"}">
<head>
<meta charset="utf-8">
<title>{esc(article["title"])}</title>
<meta name="description" content="{esc(article["summary"])}">
<meta property="og:title" content="{esc(article["title"])}">
<meta property="og:url" content="{esc(article.url)}">
<meta property="og:type" content="article">
<meta property="og:site_name" content="Anadolu Ajansı">
<link rel="canonical" href="{esc(article.url)}">
{json_ld(ld)}
</head>
<body>
<header class="navbar"><a class="navbar-brand" href="/{language}">Anadolu Ajansı</a><ul class="nav">{nav}</ul></header>
<div class="container detay-container">
<div class="row"><div class="col-md-8">
<div class="detay-spot-category"><span class="detay-category"><a href="/{language}/{short_id(article["section"], 6)}">{esc(article["section"])}</a></span>
<h1>{esc(article["title"])}</h1>
<h4>{esc(article["summary"])}</h4></div>
<div class="detay-bug"><div class="col-md-6"><a href="/{language}/p/{short_id(authors, 6)}">{esc(authors)}</a></div>
<div class="col-md-6 tarih"><span class="tarih">{date_label}</span> <span class="saat">{local.strftime("%H:%M")}</span>
{"<span>" + ("تحديث" if ar else "Update") + ": " + updated.strftime("%d.%m.%Y") + "</span>" if article.updated else ""}</div></div>
<div class="detay-paylas"><a class="paylas-facebook">Facebook</a> <a class="paylas-twitter">X</a> <a class="paylas-whatsapp">WhatsApp</a></div>
<div class="detay-foto"><img src="{esc(ld["image"])}" alt="{esc(article["title"])}">{caption}</div>
<div class="detay-icerik"><div>
{body}
</div>
<p class="detay-bottom">{note}</p>
</div>
<div class="detay-tags">{tags}</div>
</div>
<div class="col-md-4"><div class="sondakika"><h3>{"آخر الأخبار" if ar else "Latest News"}</h3>{more}</div></div>
</div></div>
<footer><p>{"© وكالة الأناضول" if ar else "© Anadolu Agency"} 2024</p><a href="/{language}/p/kvkk">{"سياسة الخصوصية" if ar else "Privacy"}</a></footer>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# SANA (WordPress)
# ---------------------------------------------------------------------------
def render_sana(article: Article, pool: list[Article]) -> str:
    published = article.published
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "NewsArticle", "headline": article["title"], "datePublished": article["published_at"],
             "dateModified": article["updated_at"] or article["published_at"],
             "author": {"@type": "Person", "name": ", ".join(article.split_list("authors"))},
             "mainEntityOfPage": article.url, "articleSection": [article["section"]], "inLanguage": "en-US"},
            {"@type": "WebSite", "name": "Syrian Arab News Agency", "url": "https://sana.sy/en/"},
        ],
    }
    body = paragraph_html(article.paragraphs, lambda i: "")
    editors = " / ".join(article.split_list("authors"))
    recent = "".join(f'<li><a href="{esc(a.url)}">{esc(a["title"])}</a></li>' for a in related(article, pool, 5))
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>{esc(article["title"])} &#8211; Syrian Arab News Agency</title>
<link rel="canonical" href="{esc(article.url)}">
<meta property="og:title" content="{esc(article["title"])}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="{article["published_at"]}">
{json_ld(ld)}
<link rel="alternate" type="application/rss+xml" title="Syrian Arab News Agency &raquo; Feed" href="https://sana.sy/en/?feed=rss2">
</head>
<body class="post-template-default single single-post postid-{article["post_id"]}">
<div id="wrapper"><header id="theme-header"><div class="logo"><a href="https://sana.sy/en/">Syrian Arab News Agency</a></div>
<nav id="main-nav"><ul><li><a href="https://sana.sy/en/?cat=1">Syria</a></li><li><a href="https://sana.sy/en/?cat=2">Politics</a></li><li><a href="https://sana.sy/en/?cat=3">World</a></li><li><a href="https://sana.sy/en/?cat=4">Economy</a></li></ul></nav></header>
<div id="main-content" class="container"><div class="content">
<article class="post-listing post-{article["post_id"]} post type-post status-publish">
<div class="post-inner">
<h1 class="name post-title entry-title"><span itemprop="name">{esc(article["title"])}</span></h1>
<p class="post-meta"><span class="tie-date"><i class="fa fa-clock-o"></i>{published:%b} {published.day}, {published.year}</span>
<span class="post-cats"><a href="https://sana.sy/en/?cat=1" rel="category">{esc(article["section"])}</a></span></p>
<div class="clear"></div>
<div class="entry">
{body}
<p class="sana-editor">{esc(editors)}</p>
<div class="share-post"><span class="share-text">Share</span><a href="#">Facebook</a><a href="#">X</a><a href="#">Telegram</a></div>
</div>
</div></article>
<section id="related_posts"><div class="block-head"><h3>Related Posts</h3></div><ul>{recent}</ul></section>
</div>
<aside id="sidebar"><div class="widget"><h4>Recent News</h4><ul>{recent}</ul></div></aside></div>
<footer id="theme-footer"><div class="footer-bottom">© Syrian Arab News Agency - SANA 2024</div></footer></div>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# TASS
# ---------------------------------------------------------------------------
def render_tass(article: Article, pool: list[Article]) -> str:
    published = article.published
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": article["title"],
        "description": article["summary"], "datePublished": article["published_at"],
        "dateModified": article["updated_at"] or article["published_at"],
        "publisher": {"@type": "Organization", "name": "TASS"}, "articleSection": article["section"],
        "mainEntityOfPage": article.url,
    }
    body = paragraph_html(article.paragraphs, lambda i: "")
    more = "".join(f'<a class="news-preview" href="{esc(a.url)}"><span class="news-preview__title">{esc(a["title"])}'
                   f'</span></a>' for a in related(article, pool, 4))
    tags = "".join(f'<a class="tags__item" href="/tag/{short_id(k, 6)}">{esc(k)}</a>' for k in article.split_list("keywords"))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(article["title"])} - World - TASS</title>
<meta name="description" content="{esc(article["summary"])}">
<meta property="og:title" content="{esc(article["title"])}">
<meta property="og:url" content="{esc(article.url)}">
<meta property="og:site_name" content="TASS">
<link rel="canonical" href="{esc(article.url)}">
<link rel="amphtml" href="{esc(article.url.replace("tass.com/", "tass.com/amp/"))}">
{json_ld(ld)}
</head>
<body>
<div class="layout"><header class="header"><a class="header__logo" href="/">TASS</a>
<nav class="menu"><a href="/politics">Politics</a><a href="/world">World</a><a href="/economy">Business &amp; Economy</a><a href="/defense">Military &amp; Defense</a><a href="/science">Science &amp; Space</a></nav></header>
<main class="container"><div class="news-header">
<div class="news-header__rubric"><a href="/world">{esc(article["section"])}</a></div>
<h1 class="news-header__title">{esc(article["title"])}</h1>
<div class="news-header__lead">{esc(article["summary"])}</div>
<div class="news-header__date"><dateformat time="{int(published.timestamp())}" mode="abs"><time datetime="{published.isoformat()}">{published.strftime("%d %b %Y, %H:%M")}</time></dateformat></div>
</div>
<div class="news"><div class="text-content"><div class="text-block">
{body}
</div></div>
<div class="tags">{tags}</div>
<div class="share"><span>Share</span><a href="#">Telegram</a><a href="#">VK</a><a href="#">X</a></div>
</div>
<section class="news-list"><h3>Read also</h3>{more}</section></main>
<footer class="footer"><p>TASS Russian News Agency. Mass media registration certificate &#8470; 03247 issued on April 2, 1999.</p><p>&copy; TASS 2024</p></footer></div>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# Xinhua
# ---------------------------------------------------------------------------
def render_xinhua(article: Article, pool: list[Article]) -> str:
    published = article.published
    body = paragraph_html(article.paragraphs, lambda i: "")
    editors = ", ".join(article.split_list("authors"))
    more = "".join(f'<li><a href="{esc(a.url)}">{esc(a["title"])}</a></li>' for a in related(article, pool, 4))
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(article["title"])}-Xinhua</title>
<meta name="keywords" content="{esc(", ".join(article.split_list("keywords")))}">
<meta name="description" content="{esc(article["summary"])}">
<meta name="pubdate" content="{published.strftime("%Y-%m-%d %H:%M:%S")}">
<meta name="source" content="Xinhua">
</head>
<body>
<div class="topBar"><a href="https://english.news.cn/">Xinhua</a> | <a href="https://english.news.cn/china/">China</a> | <a href="https://english.news.cn/world/">World</a> | <a href="https://english.news.cn/business/">Business</a></div>
<div class="conBox"><div class="conLeft">
<div class="header domPC"><h1>{esc(article["title"])}</h1>
<div class="info"><span class="source">Source: Xinhua</span><span class="editor"> | Editor: {esc(editors)}</span><span class="time"> | {published.strftime("%Y-%m-%d %H:%M:%S")}</span></div></div>
<div id="detail"><div id="detailContent">
{body}
</div></div>
<div class="share"><span>Share</span><a href="#">Facebook</a><a href="#">X</a></div>
<div class="relatedNews"><h3>Related</h3><ul>{more}</ul></div>
</div></div>
<div class="footer"><p>Copyright &copy; 2000-2024 XINHUANET.com All rights reserved.</p></div>
</body>
</html>
"""


# ---------------------------------------------------------------------------
# Al Jazeera Mubasher (the network's live-news channel; short reports built around footage)
# ---------------------------------------------------------------------------
MUBASHER = {
    "site": "https://mubasher.aljazeera.net",
    "site_name": "الجزيرة مباشر",
    "nav": ["الرئيسية", "أخبار", "تقارير", "فيديو", "برامج", "مدونات", "تغطيات خاصة"],
    "footer_links": ["من نحن", "اتصل بنا", "الأحكام والشروط", "سياسة الخصوصية", "سياسة ملفات تعريف الارتباط",
                     "الجزيرة نت", "Al Jazeera English"],
}


def meta_tags(pairs: list[tuple[str, str, str]]) -> str:
    """<meta> elements from (attribute, key, content) triples."""
    return "\n".join(f'<meta {attr}="{key}" content="{esc(content)}">' for attr, key, content in pairs)


def mubasher_head(article: Article, ld: dict) -> str:
    site, name = MUBASHER["site"], MUBASHER["site_name"]
    video = article["kind"] == "video"
    tags = meta_tags([
        ("name", "description", article["summary"]),
        ("property", "og:site_name", name),
        ("property", "og:type", "video.other" if video else "article"),
        ("property", "og:title", article["title"]),
        ("property", "og:description", article["summary"]),
        ("property", "og:url", article.url),
        ("property", "og:image", image_url(article, site)),
        ("property", "og:locale", "ar_AR"),
        ("property", "article:published_time", article["published_at"]),
        ("property", "article:section", article["section"]),
        ("name", "twitter:card", "summary_large_image"),
        ("name", "twitter:site", "@ajmubasher"),
        ("name", "twitter:title", article["title"]),
    ])
    crumbs = {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": n, "name": label, "item": f"{site}/{path}"}
        for n, (label, path) in enumerate([("الرئيسية", ""), (article["section"], "videos/" if video else "news/")], 1)]}
    return f"""<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(article["title"])} | {name}</title>
<link rel="canonical" href="{esc(article.url)}">
<link rel="alternate" type="application/rss+xml" title="{name}" href="{FEEDS["mubasher_ar"][0]}">
{tags}
{json_ld(ld)}
{json_ld(crumbs)}
<link rel="stylesheet" href="/wp-content/themes/mubasher/dist/app-{short_id(article.url, 6)}.css">
<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-MUBASHER"></script>
</head>"""


def mubasher_share(position: str) -> str:
    labels = {"facebook": "فيسبوك", "x": "إكس", "whatsapp": "واتساب", "telegram": "تلغرام", "copy": "نسخ الرابط"}
    links = "".join(f'<a class="social-share__btn social-share__btn--{key}" href="#" aria-label="{label}">{label}</a>'
                    for key, label in labels.items())
    return f'<div class="social-share social-share--{position}"><span class="social-share__title">شارك</span>{links}</div>'


def mubasher_header() -> str:
    site = MUBASHER["site"]
    nav = "".join(f'<li><a href="{site}/{short_id(n, 6)}/">{esc(n)}</a></li>' for n in MUBASHER["nav"])
    return (f'<header class="mubasher-header"><a class="mubasher-header__logo" href="{site}/">'
            f'<img src="{site}/wp-content/themes/mubasher/logo.svg" alt="{MUBASHER["site_name"]}"></a>'
            f'<nav class="mubasher-header__menu"><ul>{nav}</ul></nav>'
            f'<a class="mubasher-header__live" href="{site}/live/">شاهد البث المباشر</a>'
            f'<button class="mubasher-header__search" aria-label="بحث">بحث</button></header>')


def mubasher_cards(items: list[Article], heading: str, css: str) -> str:
    cards = "".join(f'<article class="card"><a class="card__link" href="{esc(a.url)}">'
                    f'<img src="{esc(image_url(a, MUBASHER["site"]))}" alt=""><h3 class="card__title">'
                    f'{esc(a["title"])}</h3></a><time class="card__date">{aj_date_label(a.published, "ar")}</time>'
                    f'</article>' for a in items)
    return f'<section class="{css}"><h2 class="section-title">{heading}</h2><div class="cards">{cards}</div></section>'


def mubasher_body(article: Article, pool: list[Article]) -> str:
    reads = "".join(f'<li><a href="{esc(a.url)}">{esc(a["title"])}</a></li>' for a in related(article, pool, 2))

    def between(i: int) -> str:
        if i == 1:
            return f'<div class="related-articles related-articles--inline"><h3>اقرأ أيضا</h3><ul>{reads}</ul></div>'
        if i == 3:
            return '<div class="ad-container" data-slot="in-article"><span class="ad-container__label">إعلان</span></div>'
        return ""

    source = f'<p class="article-source">{esc(article["source_line"])}</p>' if article["source_line"] else ""
    figure = ""
    if article["caption"]:
        figure = (f'<figure class="featured-media"><img src="{esc(image_url(article, MUBASHER["site"]))}" '
                  f'alt="{esc(article["caption"])}"><figcaption>{esc(article["caption"])}</figcaption></figure>')
    return (f'{figure}<div class="wysiwyg post-content">\n{paragraph_html(article.paragraphs, between)}\n{source}\n</div>')


def mubasher_video(article: Article) -> str:
    video_id = number_id(article.url, 6360000000000, 10000000)
    return (f'<div class="video-page__player"><video-js data-account="665003303001" data-video-id="{video_id}" controls>'
            f'</video-js><span class="video-page__duration">{esc(article["duration_label"] or "01:30")}</span></div>'
            f'<p class="video-page__description">{esc(article["summary"])}</p>')


def render_mubasher(article: Article, pool: list[Article]) -> str:
    video = article["kind"] == "video"
    if video:
        ld = aj_video_ld(article, MUBASHER)
        main = mubasher_video(article)
    else:
        ld = aj_jsonld(article, MUBASHER)
        ld["publisher"]["logo"]["url"] = MUBASHER["site"] + "/wp-content/themes/mubasher/logo.png"
        main = mubasher_body(article, pool)
    published = utc(article.published)
    updated = ""
    if article.updated:
        updated = f'<span class="post-meta__updated">آخر تحديث: {aj_date_label(article.updated, "ar")}</span>'
    keywords = "".join(f'<a href="{MUBASHER["site"]}/tag/{short_id(k, 6)}/">{esc(k)}</a>'
                       for k in article.split_list("keywords"))
    footer = "".join(f'<li><a href="{MUBASHER["site"]}/{short_id(n, 6)}/">{esc(n)}</a></li>'
                     for n in MUBASHER["footer_links"])
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
{mubasher_head(article, ld)}
<body class="{"video-template" if video else "single-post"} mubasher">
{mubasher_header()}
<div class="breaking-bar"><span class="breaking-bar__label">عاجل</span><a href="{MUBASHER["site"]}/live/">تابعوا التغطية المباشرة على شاشة الجزيرة مباشر</a></div>
<main class="main-content">
<nav class="breadcrumb" aria-label="breadcrumb"><a href="{MUBASHER["site"]}/">الرئيسية</a> <span>›</span> <a href="{MUBASHER["site"]}/{"videos" if video else "news"}/">{esc(article["section"])}</a></nav>
<article class="{"video-page" if video else "post-article"}">
<header class="post-header">
<h1 class="post-title">{esc(article["title"])}</h1>
<div class="post-meta"><time class="post-meta__date" datetime="{published.strftime("%Y-%m-%dT%H:%M:%SZ")}">{aj_date_label(article.published, "ar")}</time>{updated}</div>
{mubasher_share("top")}
</header>
{main}
<div class="post-keywords"><span class="post-keywords__label">الكلمات المفتاحية</span>{keywords}</div>
{mubasher_share("bottom")}
</article>
{mubasher_cards(related(article, pool, 3), "مواضيع ذات صلة", "related-stories")}
</main>
{mubasher_cards(related(article, pool[::-1], 4), "الأكثر مشاهدة", "sidebar most-viewed")}
<footer class="mubasher-footer"><ul>{footer}</ul><p>جميع الحقوق محفوظة © 2024 شبكة الجزيرة الإعلامية</p></footer>
</body>
</html>
"""


RENDERERS = {
    "aljazeera_en": render_aljazeera,
    "aljazeera_ar": render_aljazeera,
    "anadolu_en": render_anadolu,
    "anadolu_ar": render_anadolu,
    "sana_en": render_sana,
    "tass_en": render_tass,
    "xinhua_en": render_xinhua,
    "mubasher_ar": render_mubasher,
}


# ---------------------------------------------------------------------------
# Feeds and sitemaps
# ---------------------------------------------------------------------------
FEED_TITLES = {
    "aljazeera_en": ("Al Jazeera – Breaking News, World News and Video from Al Jazeera", "https://www.aljazeera.com",
                     "Breaking News, World News and Video from Al Jazeera"),
    "aljazeera_ar": ("الجزيرة نت", "https://www.aljazeera.net", "آخر الأخبار من الجزيرة نت"),
    "anadolu_en": ("Anadolu Ajansı", "https://www.aa.com.tr/en", "Anadolu Agency - Latest News"),
    "anadolu_ar": ("وكالة الأناضول", "https://www.aa.com.tr/ar", "وكالة الأناضول - آخر الأخبار"),
    "sana_en": ("Syrian Arab News Agency", "https://sana.sy/en", "Syrian Arab News Agency"),
    "tass_en": ("TASS", "https://tass.com", "Russian News Agency TASS"),
    "xinhua_en": ("Xinhua World News", "http://www.xinhuanet.com/english/", "Xinhua world news"),
    "mubasher_ar": ("الجزيرة مباشر", "https://mubasher.aljazeera.net", "آخر الأخبار والتقارير من الجزيرة مباشر"),
}


def feed_items(articles: list[Article], feed_id: str, phase: int) -> list[Article]:
    return [a for a in articles_in_phase(articles, phase) if a["feed_id"] == feed_id and a.flag("in_feed")]


def rss_item(article: Article, feed_id: str) -> str:
    # Al Jazeera's guid is an opaque "?t=" link, not the article URL.
    if feed_id.startswith("aljazeera"):
        guid = f'<guid isPermaLink="false">{AJ_TEXT[article["language"]]["site"]}/?t={int(article.published.timestamp())}</guid>'
    elif feed_id == "sana_en":
        guid = f'<guid isPermaLink="false">https://sana.sy/en/?p={article["post_id"]}</guid>'
    else:
        guid = f"<guid>{esc(article.url)}</guid>"
    extra = ""
    if feed_id == "sana_en" and article.status == 200:
        content = "\n".join(f"<p>{b.markup}</p>" for b in article.paragraphs)
        extra = (f"<dc:creator><![CDATA[{', '.join(article.split_list('authors'))}]]></dc:creator>"
                 f"<category><![CDATA[{article['section']}]]></category>"
                 f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    elif feed_id.startswith("anadolu"):
        extra = f"<category>{esc(article['section'])}</category>"
    description = article["summary"]
    if feed_id in MALFORMED_FEEDS:
        body_desc = esc(description).replace("&amp;", "&")  # left raw on purpose: the real feed does not escape it
    else:
        body_desc = esc(description)
    return (f"<item>\n<title>{esc(article['title'])}</title>\n<link>{esc(article.url)}</link>\n"
            f"<description>{body_desc}</description>\n<pubDate>{rfc822(article.published)}</pubDate>\n"
            f"{guid}\n{extra}</item>")


def render_rss(articles: list[Article], feed_id: str, phase: int) -> str:
    title, link, description = FEED_TITLES[feed_id]
    items = feed_items(articles, feed_id, phase)
    built = max((a.published for a in items), default=datetime(2024, 12, 1, tzinfo=timezone.utc))
    body = "\n".join(rss_item(a, feed_id) for a in items)
    text = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{esc(title)}</title>
<link>{link}</link>
<description>{esc(description)}</description>
<language>{FEEDS[feed_id][2]}</language>
<lastBuildDate>{rfc822(built)}</lastBuildDate>
<atom:link href="{esc(FEEDS[feed_id][0])}" rel="self" type="application/rss+xml"/>
{body}
</channel>
</rss>
"""
    if feed_id in MALFORMED_FEEDS:
        # The real feed is served truncated now and then: no closing tags.
        text = text[: text.rindex("</channel>")]
    return text


def render_atom(articles: list[Article], feed_id: str, phase: int) -> str:
    title, link, description = FEED_TITLES[feed_id]
    items = feed_items(articles, feed_id, phase)
    updated = max((a.updated or a.published for a in items), default=datetime(2024, 12, 1, tzinfo=timezone.utc))
    entries = []
    for a in items:
        entries.append(
            f"""<entry>
<id>{esc(a.url)}</id>
<title>{esc(a["title"])}</title>
<link rel="alternate" type="text/html" href="{esc(a.url)}"/>
<published>{a.published.isoformat()}</published>
<updated>{(a.updated or a.published).isoformat()}</updated>
<summary>{esc(a["summary"])}</summary>
<category term="{esc(a["section"])}"/>
<author><name>TASS</name></author>
</entry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>{esc(FEEDS[feed_id][0])}</id>
<title>{esc(title)}</title>
<subtitle>{esc(description)}</subtitle>
<link rel="alternate" href="{link}"/>
<link rel="self" href="{esc(FEEDS[feed_id][0])}"/>
<updated>{updated.isoformat()}</updated>
{chr(10).join(entries)}
</feed>
"""


def in_sitemap(article: Article) -> bool:
    return (article["feed_id"] in SITEMAP_SITES and article.flag("in_sitemap") and article.status == 200
            and utc(article.published).date().isoformat() in SITEMAP_DAYS)


def render_sitemap(articles: list[Article], feed_id: str, day: str, phase: int) -> str:
    rows = []
    for a in sorted(articles_in_phase(articles, phase), key=lambda a: (a.published, a.url)):
        if a["feed_id"] != feed_id or not in_sitemap(a) or utc(a.published).date().isoformat() != day:
            continue
        lastmod = utc(a.updated or a.published).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(f"<url><loc>{esc(a.url)}</loc><lastmod>{lastmod}</lastmod></url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows) + "\n</urlset>\n")


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------
def fixture_name(url: str) -> Path:
    """Where the server looks for a URL: the mapping lives in ``newsflow.replay``."""
    name = relative_fixture_name(url)
    if name is None:
        raise ValueError(f"URL cannot be replayed: {url}")
    return name


def render_phase(articles: list[Article], phase: int) -> dict[Path, bytes]:
    files: dict[Path, bytes] = {}
    live = articles_in_phase(articles, phase)
    # Related-article lists come from phase 1 only, so pages unchanged in phase 2 keep their bytes (and ETags).
    first = articles_in_phase(articles, 1)
    for article in live:
        if article.status != 200:
            continue
        pool = [a for a in first if a["feed_id"] == article["feed_id"]]
        page = RENDERERS[article["feed_id"]](article, pool)
        name = fixture_name(article.url)
        files[name] = page.encode("utf-8")
        if article["declared_charset"]:
            headers = {"Content-Type": f"text/html; charset={article['declared_charset']}"}
            files[name.with_name(name.name + ".headers.json")] = (json.dumps(headers, indent=1) + "\n").encode()
    for feed_id, (url, fmt, _) in FEEDS.items():
        text = render_atom(articles, feed_id, phase) if fmt == "atom" else render_rss(articles, feed_id, phase)
        files[fixture_name(url)] = text.encode("utf-8")
    for feed_id, site in SITEMAP_SITES.items():
        for day in SITEMAP_DAYS:
            yyyy, mm, dd = day.split("-")
            url = f"{site}/sitemap.xml?yyyy={yyyy}&mm={mm}&dd={dd}"
            files[fixture_name(url)] = render_sitemap(articles, feed_id, day, phase).encode("utf-8")
    return files


def manifest(articles: list[Article]) -> dict:
    entries = []
    for a in sorted(articles, key=lambda a: (a["feed_id"], a.published, a.url, a.phase)):
        entries.append({
            "url": a.url,
            "feed_id": a["feed_id"],
            "language": a["language"],
            "kind": a["kind"] or "article",
            "title": a["title"],
            "published_at": a["published_at"],
            "updated_at": a["updated_at"] or None,
            "authors": a.split_list("authors"),
            "agencies": a.split_list("agencies"),
            "section": a["section"],
            "body": a.body_text(),
            "cases": a.split_list("cases"),
            "story": a["story"] or None,
            "phase": a.phase,
            "in_feed": a.flag("in_feed"),
            "in_sitemap": in_sitemap(a),
            "status": a.status,
        })
    feeds = []
    for feed_id, (url, fmt, _) in FEEDS.items():
        feeds.append({
            "feed_id": feed_id, "url": url, "format": fmt,
            "items_phase1": len(feed_items(articles, feed_id, 1)),
            "items_phase2": len(feed_items(articles, feed_id, 2)),
            "malformed": feed_id in MALFORMED_FEEDS,
        })
    return {"articles": entries, "feeds": feeds}


def write_tree(directory: Path, files: dict[Path, bytes]):
    if directory.exists():
        shutil.rmtree(directory)
    for name, data in sorted(files.items()):
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build():
    articles = load_articles()
    phase1 = render_phase(articles, 1)
    phase2 = render_phase(articles, 2)
    write_tree(OUT[1], phase1)
    write_tree(OUT[2], {name: data for name, data in phase2.items() if phase1.get(name) != data})
    text = json.dumps(manifest(articles), ensure_ascii=False, indent=1)
    (HERE / "manifest.json").write_text(text + "\n", encoding="utf-8")
    print(f"{len(articles)} manifest entries, {len(phase1)} phase-1 files, "
          f"{sum(1 for n in phase2 if phase1.get(n) != phase2[n])} phase-2 files")


if __name__ == "__main__":
    build()
