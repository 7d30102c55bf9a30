"""News pages of real size for bench/pipeline: a generated article in the chrome of a news site.

Real article pages are mostly not the article: the 258 pages of the dev data (extraction/fundus)
hold a median of 254 kB of HTML (quartiles 139 / 419 kB) for articles of a few KB of text, the rest
being navigation menus, scripts (a fifth of the bytes: analytics, ads, the page's state as JSON),
styles, inline icons, lists of other stories, share bars, comment, cookie and newsletter boxes and
footers of links. Extraction cost follows the page's size, so the benchmark's pages follow the dev
pages' sizes: each page is built to a size drawn from them (read at run time; the documented
quartiles when the dev data is missing). Everything here is written by newsflow: the chrome's words
below and, on each page, the headlines and leads of the corpus's other generated articles.
"""
from __future__ import annotations

import html
import json
import math
import random
import struct
from pathlib import Path

# Quartiles of the dev pages' HTML in kB (1,000 bytes), documented in docs/scaling.md: used when the dev
# data is absent.
DEV_SIZE_QUARTILES_KB = (139, 254, 419)

LABELS = {
    "en": {
        "sections": ["World", "Middle East", "Africa", "Asia", "Europe", "Americas", "Business", "Markets",
                     "Economy", "Technology", "Science", "Health", "Climate", "Sport", "Football", "Culture",
                     "Opinion", "Video", "Podcasts", "Investigations", "Features", "Explainers", "Live"],
        "sub": ["latest", "analysis", "in pictures", "interviews", "reports", "data", "timeline", "archive"],
        "skip": "Skip to main content", "search": "Search", "sign_in": "Sign in", "subscribe": "Subscribe",
        "breaking": "Breaking", "home": "Home", "by": "By", "staff": "staff", "published": "Published",
        "share": ["Share on Facebook", "Share on X", "Share on WhatsApp", "Share by email", "Copy link"],
        "read_more": "Read more", "tags": "Topics", "comments": "Comments",
        "comments_note": "Comments are moderated. Sign in to join the conversation.",
        "post": "Post comment", "most_read": "Most read", "related": "Related stories",
        "more_from": "More from", "newsletter": "Get the morning briefing in your inbox",
        "newsletter_note": "Sign up for our daily newsletter. You can unsubscribe at any time.",
        "email": "Email address", "cookie": "We use cookies to improve your experience, to show you"
        " relevant advertising and to measure our audience. Manage your choices in the privacy settings.",
        "accept": "Accept all", "reject": "Reject all", "settings": "Cookie settings",
        "footer": ["About us", "Contact", "Careers", "Advertise", "Privacy policy", "Terms of use",
                   "Accessibility", "Editorial standards", "Corrections", "Newsletters", "Apps", "RSS feeds",
                   "Sitemap", "Help", "Press office", "Community guidelines"],
        "rights": "All rights reserved.", "caption": "A view of the scene, in a handout photograph",
        "minutes": "min read", "advert": "Advertisement",
    },
    "ar": {
        "sections": ["أخبار", "العالم", "الشرق الأوسط", "أفريقيا", "آسيا", "أوروبا", "الأمريكتان", "اقتصاد",
                     "أسواق", "تكنولوجيا", "علوم", "صحة", "مناخ", "رياضة", "كرة القدم", "ثقافة", "رأي",
                     "فيديو", "بودكاست", "تحقيقات", "تقارير", "شروحات", "مباشر"],
        "sub": ["آخر الأخبار", "تحليلات", "صور", "مقابلات", "تقارير", "بيانات", "تسلسل زمني", "أرشيف"],
        "skip": "انتقل إلى المحتوى", "search": "بحث", "sign_in": "تسجيل الدخول", "subscribe": "اشترك",
        "breaking": "عاجل", "home": "الرئيسية", "by": "بقلم", "staff": "فريق التحرير", "published": "نشر في",
        "share": ["شارك على فيسبوك", "شارك على إكس", "شارك على واتساب", "أرسل بالبريد", "انسخ الرابط"],
        "read_more": "اقرأ أيضا", "tags": "مواضيع", "comments": "التعليقات",
        "comments_note": "تخضع التعليقات للمراجعة. سجل الدخول للمشاركة في النقاش.",
        "post": "أرسل التعليق", "most_read": "الأكثر قراءة", "related": "قصص ذات صلة",
        "more_from": "المزيد من", "newsletter": "احصل على النشرة الصباحية في بريدك",
        "newsletter_note": "اشترك في نشرتنا اليومية. يمكنك إلغاء الاشتراك في أي وقت.",
        "email": "البريد الإلكتروني", "cookie": "نستخدم ملفات تعريف الارتباط لتحسين تجربتك وعرض إعلانات"
        " مناسبة وقياس جمهورنا. يمكنك إدارة خياراتك في إعدادات الخصوصية.",
        "accept": "قبول الكل", "reject": "رفض الكل", "settings": "إعدادات ملفات الارتباط",
        "footer": ["من نحن", "اتصل بنا", "وظائف", "أعلن معنا", "سياسة الخصوصية", "شروط الاستخدام",
                   "إمكانية الوصول", "المعايير التحريرية", "تصحيحات", "النشرات البريدية", "التطبيقات",
                   "خلاصات آر إس إس", "خريطة الموقع", "مساعدة", "المكتب الإعلامي", "إرشادات المجتمع"],
        "rights": "جميع الحقوق محفوظة.", "caption": "صورة من موقع الحدث",
        "minutes": "دقائق للقراءة", "advert": "إعلان",
    },
}

CSS_PROPERTIES = ["display:flex", "display:grid", "margin:0 auto", "padding:0 16px", "font-size:1.125rem",
                  "line-height:1.5", "color:#1a1a1a", "background:#fff", "border-bottom:1px solid #e5e5e5",
                  "gap:12px", "align-items:center", "justify-content:space-between", "font-weight:700",
                  "max-width:1200px", "position:relative", "overflow:hidden", "text-decoration:none",
                  "grid-template-columns:repeat(4,1fr)", "letter-spacing:.02em", "z-index:10"]

LEAD_SHARE = 0.3  # teasers with a lead under the headline

ICON = ('<svg class="{cls}" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">'
        '<path d="{path}"></path></svg>')


def dev_page_sizes(devdata: Path) -> list[int]:
    """The uncompressed size of each dev page (extraction/fundus), from its gzip trailer; empty when
    the dev data is missing."""
    sizes = []
    for path in sorted((devdata / "extraction/fundus/test_data").glob("*/*.html.gz")):
        with path.open("rb") as f:
            f.seek(-4, 2)
            sizes.append(struct.unpack("<I", f.read(4))[0])
    return sizes


class PageSizes:
    """Target page sizes in bytes: drawn from the dev pages' sizes, or from a log-normal through the
    documented quartiles without them."""

    def __init__(self, rng: random.Random, devdata: Path):
        self.rng, self.sizes = rng, dev_page_sizes(devdata)
        self.origin = (f"drawn from the {len(self.sizes)} dev pages' sizes" if self.sizes else
                       "drawn from a log-normal through the dev pages' quartiles "
                       + " / ".join(map(str, DEV_SIZE_QUARTILES_KB)) + " kB")

    def draw(self) -> int:
        if self.sizes:
            return self.rng.choice(self.sizes)
        low, median, high = DEV_SIZE_QUARTILES_KB
        sigma = math.log(high / low) / (2 * 0.6745)  # quartiles of a normal at -+0.6745 sigma
        return int(median * 1000 * math.exp(self.rng.gauss(0.0, sigma)))


def _hash(rng: random.Random, n: int = 6) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def _cls(rng: random.Random, name: str) -> str:
    """A class attribute as CSS-in-JS sites write them: a readable name and generated ones."""
    return f"{name} css-{_hash(rng)} e{rng.randint(1, 99)}{_hash(rng, 4)}"


class Story:
    """Another article of the corpus as the chrome shows it: headline, lead, link."""

    def __init__(self, title: str, lead: str, url: str):
        self.title, self.lead, self.url = title, lead, url


def _card(rng: random.Random, story: Story, section: str, lang: str) -> str:
    """A teaser of another story, about 3 KB in a dozen elements: real markup is mostly attributes
    (image sources per width and format, tracking data), about 3.5 elements per KB on the dev pages."""
    image = f"https://img.{_hash(rng, 5)}.example/{_hash(rng, 12)}/{_hash(rng, 20)}"
    widths = (240, 320, 480, 640, 960, 1280, 1600)
    sources = "".join(f'<source type="image/{kind}" srcset="'
                      + ", ".join(f"{image}.{kind}?w={w}&amp;q=75&amp;fit=crop {w}w" for w in widths)
                      + '" sizes="(min-width: 1024px) 25vw, 50vw">' for kind in ("avif", "webp"))
    tracking = html.escape(json.dumps({"event": "teaser_click", "id": _hash(rng, 16), "list": section,
                                       "position": rng.randint(1, 40), "variant": _hash(rng, 4),
                                       "campaign": _hash(rng, 10), "experiment": {_hash(rng, 5): _hash(rng, 8)},
                                       "score": round(rng.random(), 5)}))
    # a lead under some headlines only, as on most fronts (with a lead under every teaser, pages cost
    # plain trafilatura about twice the dev pages' time per KB: it weighs the leads against the story),
    # and not in a <p>: the text of long <p> elements is the story's size on the dev pages (median 0.97
    # of the article's length), 2.2 times it when the leads were <p> (newsflow's extractor reads that
    # size to decide whether trafilatura's fast run found the story)
    lead = " ".join(story.lead.split()[:18]) if rng.random() < LEAD_SHARE else ""
    return (f'<div class="{_cls(rng, "card")}" data-id="{_hash(rng, 10)}" data-tracking="{tracking}">'
            f'<a class="{_cls(rng, "card__media")}" href="{story.url}" tabindex="-1" aria-hidden="true">'
            f'<picture>{sources}<img src="{image}.jpg?w=640" alt="" loading="lazy" decoding="async" '
            f'width="640" height="360" style="aspect-ratio:16/9;object-fit:cover;background:#{_hash(rng, 6)[:3]}">'
            f'</picture></a>'
            f'<div class="{_cls(rng, "card__body")}"><span class="{_cls(rng, "card__section")}">'
            f'{html.escape(section)}</span><h3 class="{_cls(rng, "card__title")}"><a href="{story.url}">'
            f'{html.escape(story.title)}</a></h3>'
            + (f'<div class="{_cls(rng, "card__lead")}">{html.escape(lead)}</div>' if lead else "")
            + f'<span class="{_cls(rng, "card__meta")}">{rng.randint(2, 9)} {LABELS[lang]["minutes"]}</span>'
            f'</div></div>\n')


def _state_entry(rng: random.Random, story: Story, section: str) -> dict:
    return {"id": _hash(rng, 16), "type": "article", "headline": story.title, "url": story.url,
            "section": section, "summary": " ".join(story.lead.split()[:30]),
            "image": {"src": f"https://img.{_hash(rng, 5)}.example/{_hash(rng, 12)}", "width": 1280,
                      "height": 720, "focal": [round(rng.random(), 3), round(rng.random(), 3)]},
            "tracking": {"slot": rng.randint(1, 60), "variant": _hash(rng, 3), "score": round(rng.random(), 4)}}


def _icon(rng: random.Random) -> str:
    path = " ".join(f"{rng.choice('MLCQ')}{rng.randint(0, 24)}.{rng.randint(0, 99)} {rng.randint(0, 24)}"
                    f".{rng.randint(0, 99)}" for _ in range(rng.randint(6, 18))) + " Z"
    return ICON.format(cls=_cls(rng, "icon"), path=path)


def _links(rng: random.Random, host: str, names: list[str], cls: str) -> str:
    return "".join(f'<li class="{_cls(rng, cls)}"><a href="https://{host}/{_hash(rng, 8)}/" '
                   f'data-track="{cls}-{i}">{html.escape(n)}</a></li>' for i, n in enumerate(names))


def build_page(rng: random.Random, size: int, *, lang: str, title: str, paragraphs: list[str], url: str,
               host: str, source: str, published: str, stories: list[Story]) -> str:
    """A news page of about `size` bytes (UTF-8) around the article: its chrome first, then cards of
    other stories, the page's state as JSON and icons until the size is reached. `stories` are other
    articles in the page's language (headlines and leads for menus, cards and lists)."""
    words = LABELS[lang]
    section = rng.choice(words["sections"])
    esc_title = html.escape(title)
    menu = "".join(
        f'<li class="{_cls(rng, "menu__item")}"><a href="https://{host}/{s.lower().replace(" ", "-")}/">'
        f'{html.escape(s)}</a><ul class="{_cls(rng, "menu__sub")}">'
        + _links(rng, host, [f"{s}: {sub}" for sub in rng.sample(words["sub"], rng.randint(0, 3))], "menu__link")
        + "</ul></li>" for s in words["sections"])
    css = "\n".join(f".css-{_hash(rng)}{{{';'.join(rng.sample(CSS_PROPERTIES, rng.randint(2, 6)))}}}"
                    for _ in range(rng.randint(60, 160)))
    json_ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                          "datePublished": published, "dateModified": published, "inLanguage": lang,
                          "mainEntityOfPage": url, "articleSection": section,
                          "author": [{"@type": "Person", "name": f"{source} {words['staff']}"}],
                          "publisher": {"@type": "Organization", "name": source,
                                        "logo": {"@type": "ImageObject", "url": f"https://{host}/logo.png"}},
                          "image": [f"https://img.{host}/{_hash(rng, 12)}.jpg"]}, ensure_ascii=False)
    analytics = (f'window.dataLayer=window.dataLayer||[];dataLayer.push({{"pageType":"article","section":'
                 f'"{section}","contentId":"{_hash(rng, 12)}","wordCount":{sum(len(p.split()) for p in paragraphs)},'
                 f'"language":"{lang}","paywall":false}});(function(w,d,s,l,i){{w[l]=w[l]||[];var f=d.getElementsBy'
                 f'TagName(s)[0],j=d.createElement(s);j.async=true;j.src="https://tags.{_hash(rng, 5)}.example/gtm.js'
                 f'?id="+i;f.parentNode.insertBefore(j,f);}})(window,document,"script","dataLayer","GTM-{_hash(rng, 7)}");')
    ads = "".join(f'googletag.defineSlot("/{rng.randint(10 ** 6, 10 ** 7)}/{host}/{section}/slot{i}",'
                  f'[[300,250],[728,90]],"ad-{_hash(rng)}").addService(googletag.pubads());' for i in range(8))
    shares = "".join(f'<button class="{_cls(rng, "share__button")}" aria-label="{html.escape(s)}">{_icon(rng)}</button>'
                     for s in words["share"])
    picks = rng.sample(stories, min(len(stories), 24))
    more = picks[:4] or [Story(title, paragraphs[0], url)]
    body = []
    for i, paragraph in enumerate(paragraphs):
        body.append(f"<p>{html.escape(paragraph)}</p>")
        if i == 1 and len(paragraphs) > 3:  # an in-article link to another story, as many sites place one
            body.append(f'<aside class="{_cls(rng, "read-more")}"><span>{words["read_more"]}</span>'
                        f'<a href="{more[0].url}">{html.escape(more[0].title)}</a></aside>')
    head = f"""<!DOCTYPE html>
<html lang="{lang}" dir="{'rtl' if lang == 'ar' else 'ltr'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc_title} | {html.escape(source)}</title>
<meta name="description" content="{html.escape(' '.join(paragraphs[0].split()[:25]))}">
<link rel="canonical" href="{url}"><meta property="og:title" content="{esc_title}">
<meta property="og:type" content="article"><meta property="og:url" content="{url}">
<meta property="og:site_name" content="{html.escape(source)}"><meta name="twitter:card" content="summary_large_image">
<meta property="article:published_time" content="{published}"><meta property="article:section" content="{section}">
<link rel="preconnect" href="https://img.{host}"><link rel="stylesheet" href="https://{host}/static/{_hash(rng, 10)}.css">
<style>{css}</style>
<script type="application/ld+json">{json_ld}</script>
<script>{analytics}</script>
<script async src="https://ads.{_hash(rng, 5)}.example/tag.js"></script><script>var googletag=googletag||{{cmd:[]}};googletag.cmd.push(function(){{{ads}googletag.enableServices();}});</script>
</head>
<body class="{_cls(rng, 'page')}"><a class="skip-link" href="#main">{words['skip']}</a>
<div id="cookie-banner" class="{_cls(rng, 'consent')}" role="dialog"><p>{words['cookie']}</p>
<button>{words['accept']}</button><button>{words['reject']}</button><a href="https://{host}/privacy/">{words['settings']}</a></div>
<header class="{_cls(rng, 'masthead')}"><a href="https://{host}/" class="logo">{html.escape(source)}</a>
<form role="search" action="https://{host}/search"><input type="search" name="q" placeholder="{words['search']}"></form>
<a href="https://{host}/account/">{words['sign_in']}</a><a href="https://{host}/subscribe/">{words['subscribe']}</a>
<nav class="{_cls(rng, 'menu')}" aria-label="main"><ul>{menu}</ul></nav></header>
<div class="{_cls(rng, 'ticker')}"><strong>{words['breaking']}</strong><ul>{''.join(f'<li><a href="{s.url}">{html.escape(s.title)}</a></li>' for s in picks[4:8])}</ul></div>
<main id="main"><nav class="breadcrumb"><a href="https://{host}/">{words['home']}</a> / <a href="https://{host}/{section}/">{html.escape(section)}</a></nav>
<article class="{_cls(rng, 'article')}"><header><h1>{esc_title}</h1>
<p class="byline">{words['by']} {html.escape(source)} {words['staff']}</p><time datetime="{published}">{words['published']} {published[:10]}</time>
<div class="{_cls(rng, 'share')}">{shares}</div></header>
<figure><img src="https://img.{host}/{_hash(rng, 12)}.jpg" alt="" width="1280" height="720"><figcaption>{words['caption']}</figcaption></figure>
<div class="article-body">
{chr(10).join(body)}
</div>
<div class="{_cls(rng, 'tags')}"><span>{words['tags']}</span><ul>{_links(rng, host, rng.sample(words['sections'], 4), 'tag')}</ul></div>
<div class="{_cls(rng, 'share')}">{shares}</div>
</article>
<section class="{_cls(rng, 'newsletter')}"><h2>{words['newsletter']}</h2><p>{words['newsletter_note']}</p>
<form><input type="email" placeholder="{words['email']}"><button>{words['subscribe']}</button></form></section>
<section id="comments" class="{_cls(rng, 'comments')}"><h2>{words['comments']}</h2><p>{words['comments_note']}</p>
<form><textarea name="comment"></textarea><button>{words['post']}</button></form></section>
<aside class="{_cls(rng, 'most-read')}"><h2>{words['most_read']}</h2><ol>{''.join(f'<li><a href="{s.url}">{html.escape(s.title)}</a></li>' for s in picks[8:18])}</ol></aside>
<section class="{_cls(rng, 'related')}"><h2>{words['related']}</h2>
"""
    tail_open = (f"</section>\n</main>\n<footer class=\"{_cls(rng, 'footer')}\">"
                 + "".join(f'<div class="{_cls(rng, "footer__column")}"><h4>{html.escape(s)}</h4><ul>'
                           + _links(rng, host, [f"{s}: {sub}" for sub in rng.sample(words["sub"], 2)],
                                    "footer__link")
                           + "</ul></div>" for s in rng.sample(words["sections"], 8))
                 + f"<ul>{_links(rng, host, words['footer'], 'footer__legal')}</ul>"
                 + f"<p>&copy; 2025 {html.escape(source)}. {words['rights']}</p></footer>\n")
    # the rest of the size as on the dev pages (medians): scripts 27% of the bytes (here the page's state
    # as JSON), inline icons 8%, the rest markup (cards of other stories)
    fixed = len((head + tail_open).encode("utf-8")) + 200
    scripts = sum(len(m) for m in (analytics, ads, json_ld))
    shares = {"state": max(0.27 * size - scripts, 0), "icons": 0.08 * size}
    shares["cards"] = max(size - fixed - shares["state"] - shares["icons"], 0)
    if sum(shares.values()) > size - fixed:  # a small page: its chrome is most of it
        scale = max(size - fixed, 0) / sum(shares.values())
        shares = {k: v * scale for k, v in shares.items()}
    cards, state, icons = [], [], []
    for part, make in (("cards", lambda s: _card(rng, s, rng.choice(words["sections"]), lang)),
                       ("state", lambda s: json.dumps(_state_entry(rng, s, rng.choice(words["sections"])),
                                                      ensure_ascii=False)),
                       ("icons", lambda s: _icon(rng))):
        used, out = 0, {"cards": cards, "state": state, "icons": icons}[part]
        while used < shares[part] and stories:
            piece = make(rng.choice(stories))
            out.append(piece)
            used += len(piece.encode("utf-8")) + 1
    state_script = ("<script>window.__PRELOADED_STATE__=" + json.dumps(
        {"page": {"id": _hash(rng, 12), "section": section, "url": url}, "rails": []}, ensure_ascii=False)[:-3]
        + "[" + ",".join(state) + "]};</script>\n")
    sprite = f'<div hidden class="icon-sprite">{"".join(icons)}</div>\n'
    return head + "".join(cards) + tail_open + sprite + state_script + "</body></html>\n"

