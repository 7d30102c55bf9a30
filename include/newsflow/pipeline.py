"""Task bodies shared by the Airflow DAGs and the `newsflow` command line.

Each function takes its data interval (or day) explicitly and never reads the wall clock, so a
re-run, a retry or a backfill of the same interval leaves the warehouse as one run would.
"""
from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import defaultdict
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Iterator
from urllib.parse import urlsplit

import psycopg2.extras

from newsflow import feeds as feeds_mod
from newsflow import http, stored_html
from newsflow.config import EventPolicy, Feed, load_event_policy, load_feeds
from newsflow.sanitize import clean_text, clean_value
from newsflow.warehouse import (LOCK_ARTICLE_LOAD, LOCK_EVENT_MERGE, LOCK_MARTS, LOCK_PAGE_ORDER, bulk_upsert,
                                connection, fetch_dicts, lock, real_error, sql, transaction, work_claim)

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    feed_id: str
    status: str
    error: str | None = None
    items: int = 0
    new_items: int = 0
    pages_fetched: int = 0
    pages_new: int = 0
    pages_failed: int = 0
    page_errors: list[str] = field(default_factory=list)
    pages_deferred: int = 0            # never-requested pages left for the next poll (per-poll cap)
    retry_after: str | None = None     # ISO time the source asked to wait until (Retry-After)

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    def describe(self, http_status: int | None, seconds: float) -> str:
        """One log line: `feed aljazeera_en: 200 OK, 25 items (3 new), 3 new pages, 0 failed, 1.2 s`."""
        answer = {"ok": "OK", "not_modified": "not modified", "error": "FAILED",
                  "deferred": "deferred"}.get(self.status, self.status)
        answer = f"{http_status} {answer}" if http_status else answer
        line = (f"feed {self.feed_id}: {answer}, {self.items} items ({self.new_items} new), "
                f"{self.pages_new} new pages, {self.pages_failed} failed, {seconds:.1f} s")
        return f"{line}: {self.error}" if self.error else line


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def site_of(feed: Feed) -> str:
    """The site a feed belongs to: requests to one site share one worker at a time."""
    host = feed.site or urlsplit(feed.url).hostname or feed.id
    return host.removeprefix("www.")


def feeds_by_site(feed_ids: list[str] | None = None) -> list[list[str]]:
    """Enabled feed ids grouped by site, in a stable order (the unit the ingest DAG maps over)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for feed in load_feeds(enabled_only=True):
        if feed_ids is None or feed.id in feed_ids:
            groups[site_of(feed)].append(feed.id)
    return [groups[site] for site in sorted(groups)]


def sync_sources(cur, feeds: list[Feed]) -> None:
    """Upsert the feeds' sources that are new or changed. A poll's first transaction then writes
    nothing in the usual case, and a transaction without writes commits without waiting for the
    disk (7 ms a commit on this machine, three a feed poll)."""
    rows = [clean_value((f.id, f.name, f.url, urlsplit(f.url).hostname, f.language, f.kind, f.enabled))
            for f in feeds]
    cur.execute(sql("stored_sources"), {"source_ids": [row[0] for row in rows]})
    stored = {row[0]: tuple(row) for row in cur.fetchall()}
    bulk_upsert(cur, sql("sync_source"), [row for row in rows if stored.get(row[0]) != tuple(row)])


def _feed(feed_id: str) -> Feed:
    for feed in load_feeds():
        if feed.id == feed_id:
            return feed
    raise KeyError(f"unknown feed id {feed_id!r}")


@dataclass
class PageFetches:
    """Pages fetched for one feed and interval, ready to store (no database work while fetching)."""
    pages: list[tuple] = field(default_factory=list)
    fetches: list[tuple] = field(default_factory=list)
    wait_until: datetime | None = None  # a 429/503 with Retry-After: when the site may be asked again


def _page_validators(cur, urls: list[tuple[str, str]], interval_end: datetime) -> dict[str, dict]:
    if not urls:
        return {}
    return {row["canonical_url"]: row for row in fetch_dicts(
        cur, sql("latest_page_validators"), {"urls": [c for c, _ in urls], "interval_end": interval_end})}


def _fetch_pages(feed_id: str, urls: list[tuple[str, str]], validators: dict[str, dict],
                 interval_start: datetime, interval_end: datetime, summary: IngestSummary) -> PageFetches:
    """Fetch article pages (conditional GET against the last stored version). Network only: the caller
    stores the result in a transaction of its own, so no transaction stays open across HTTP calls.

    Stops at a 429 (or 503) with Retry-After, and records when the site asked to be asked again."""
    out = PageFetches()
    for canonical, link in urls:
        known = validators.get(canonical, {})
        result = http.fetch(link, etag=known.get("etag"), last_modified=known.get("last_modified"))
        summary.pages_fetched += 1
        out.wait_until = result.retry_after(interval_end)
        if result.not_modified:
            out.fetches.append((canonical, interval_start, feed_id, "not_modified", 304, None, None))
            continue
        if not result.ok:
            summary.pages_failed += 1
            summary.page_errors.append(f"{link}: {result.error}")
            log.warning("page %s failed: %s", link, result.error)
            out.fetches.append((canonical, interval_start, feed_id, "error", result.status, result.error, None))
            if out.wait_until is not None:  # the site asked to wait: the other pages go to a later poll
                break
            continue
        sha = hashlib.sha256(result.content).hexdigest()
        headers = {k: v for k, v in result.headers.items()
                   if k.lower() in ("content-type", "etag", "last-modified", "content-language")}
        out.pages.append((canonical, sha, link, result.final_url, feed_id, result.status,
                          psycopg2.extras.Json(headers), stored_html.pack(result.content),
                          result.headers.get("ETag"), result.headers.get("Last-Modified"), interval_end))
        out.fetches.append((canonical, interval_start, feed_id, "ok", result.status, None, sha))
    return out


def _store_pages(cur, fetched: PageFetches, summary: IngestSummary) -> None:
    """Upsert fetched pages and fetch attempts; a concurrent writer of the same page is tolerated.

    Rows go in key order, so two runs storing overlapping pages lock them in the same order."""
    pages = sorted(fetched.pages, key=lambda p: p[:2])
    if pages:
        inserted = psycopg2.extras.execute_values(cur, sql("upsert_pages"), pages, page_size=50, fetch=True)
        summary.pages_new += sum(1 for (flag,) in inserted if flag)
    bulk_upsert(cur, sql("upsert_page_fetches"), sorted(fetched.fetches, key=lambda f: f[:2]))


def usable_items(items: list[feeds_mod.FeedItem]) -> tuple[list[feeds_mod.FeedItem], list[str]]:
    """Items whose link is a web URL (with its canonical form set), and an error per dropped item."""
    from newsflow.dedup import canonical_url

    kept, errors = [], []
    for item in items:
        try:
            item.canonical = canonical_url(item.link)
        except ValueError as exc:
            errors.append(f"item {item.guid!r}: unusable link {item.link!r}: {exc}")
            continue
        kept.append(item)
    return kept, errors


def store_items(cur, feed_id: str, items: list[feeds_mod.FeedItem], seen_at: datetime,
                origin: str = "feed") -> int:
    """Upsert feed items (already passed through usable_items); returns how many were new."""
    rows, seen = [], set()
    for item in sorted(items, key=lambda i: i.guid or ""):  # key order: concurrent upserts lock rows alike
        if item.guid in seen:  # a feed listing one guid twice must not break the upsert
            continue
        seen.add(item.guid)
        rows.append((feed_id, item.guid, item.link, item.canonical, item.title, item.summary,
                     item.published_at, item.authors, seen_at, origin))
    if not rows:
        return 0
    inserted = psycopg2.extras.execute_values(cur, sql("upsert_feed_items"), rows, fetch=True)
    return sum(1 for (flag,) in inserted if flag)


def _pages_to_fetch(cur, feed_id: str, items: list[feeds_mod.FeedItem], interval_start: datetime,
                    summary: IngestSummary) -> list[tuple[str, str]]:
    """The pages this poll requests: pages never requested before (oldest item first, this poll's
    new ones included), then this poll's known pages again (conditional GET), up to the per-poll
    cap. The rest wait for the next poll."""
    cap = feeds_mod.max_pages_per_poll()
    cur.execute(sql("unfetched_items"), {"feed_id": feed_id, "interval_start": interval_start})
    unfetched = [tuple(row) for row in cur.fetchall()]
    never = {c for c, _ in unfetched}
    known = [(c, link) for c, link in {i.canonical: i.link for i in items}.items() if c not in never]
    summary.pages_deferred = max(0, len(unfetched) - cap)
    return (unfetched + known)[:cap]


def ingest_feed(feed_id: str, interval_start: datetime, interval_end: datetime, conn=None) -> IngestSummary:
    """Poll one feed for a data interval, store its items, fetch and store their pages.

    A feed that fails (HTTP error, timeout, garbage) is recorded in raw.feed_poll with its error and
    does not raise: the other feeds go on. A feed that asked to wait (429 with Retry-After) is not
    requested until then; its polls meanwhile are recorded as 'deferred'. `conn`: a warehouse
    connection with no transaction open, kept open (a task's feeds share one), else one of its own.
    """
    if conn is None:
        with connection() as own:
            return ingest_feed(feed_id, interval_start, interval_end, own)
    interval_start, interval_end = _utc(interval_start), _utc(interval_end)
    feed = _feed(feed_id)
    started = time.monotonic()  # for the log line only
    with conn, conn.cursor() as cur:  # short transactions; the HTTP calls happen between them
        sync_sources(cur, [feed])
        cur.execute(sql("previous_poll_state"), {"feed_id": feed_id, "interval_start": interval_start})
        prev = cur.fetchone() or (None, None)
        cur.execute(sql("feed_retry_after"), {"feed_id": feed_id, "interval_start": interval_start})
        wait_until = cur.fetchone()[0]
    if wait_until is not None:
        poll = feeds_mod.FeedPoll(feed_id, "deferred", None, etag=prev[0], last_modified=prev[1],
                                  error=f"not requested: the source asked to wait until {wait_until.isoformat()}")
    else:
        poll = feeds_mod.poll_feed(feed, etag=prev[0], last_modified=prev[1])
        wait_until = poll.retry_after(interval_end)
    poll.items, dropped = usable_items(poll.items)
    if dropped:  # recorded with the poll; the feed's other items go on
        poll.error = "; ".join(filter(None, [poll.error, *dropped]))[:4000]
    summary = IngestSummary(feed_id, poll.status, poll.error, items=len(poll.items))
    fetched = PageFetches()
    poll_row = {"feed_id": feed_id, "interval_start": interval_start, "interval_end": interval_end,
                "status": poll.status, "http_status": poll.http_status,
                "error": poll.error and clean_text(poll.error), "etag": poll.etag,
                "last_modified": poll.last_modified, "n_items": len(poll.items), "retry_after": wait_until}
    urls = []
    with conn, conn.cursor() as cur:  # items and the poll commit together, before any page fetch
        summary.new_items = store_items(cur, feed_id, poll.items, interval_end)
        poll_row["n_new_items"] = summary.new_items
        cur.execute(sql("upsert_feed_poll"), poll_row)
        if poll.status != "deferred" and wait_until is None:
            urls = _pages_to_fetch(cur, feed_id, poll.items, interval_start, summary)
            validators = _page_validators(cur, urls, interval_end)
    if urls:
        fetched = _fetch_pages(feed_id, urls, validators, interval_start, interval_end, summary)
        wait_until = max(filter(None, [wait_until, fetched.wait_until]), default=None)
    summary.retry_after = wait_until.isoformat() if wait_until else None
    with conn, conn.cursor() as cur:
        _store_pages(cur, fetched, summary)
        if wait_until != poll_row["retry_after"]:  # a page answered 429/503 with Retry-After
            cur.execute(sql("upsert_feed_poll"), {**poll_row, "retry_after": wait_until})
    log_feed = log.warning if summary.status == "error" else log.info
    log_feed("%s", summary.describe(poll.http_status, time.monotonic() - started))
    return summary


def _record_failed_poll(feed_id: str, interval_start: datetime, interval_end: datetime,
                        exc: BaseException) -> IngestSummary:
    """Record a feed whose ingest raised, so that it shows as a failed poll, not a missing one."""
    error = clean_text(f"{type(exc).__name__}: {exc}")[:4000]
    with transaction() as conn, conn.cursor() as cur:
        cur.execute(sql("upsert_feed_poll"), {
            "feed_id": feed_id, "interval_start": _utc(interval_start), "interval_end": _utc(interval_end),
            "status": "error", "http_status": None, "error": error, "etag": None, "last_modified": None,
            "n_items": 0, "n_new_items": 0, "retry_after": None})
    return IngestSummary(feed_id, "error", error)


def ingest_site(feed_ids: list[str], interval_start: datetime, interval_end: datetime) -> list[dict]:
    """Ingest the feeds of one site one after another (one request at a time per site).

    One feed's failure is logged and recorded as its failed poll; the site's other feeds go on.
    When even that record cannot be written (the warehouse is down), the error is raised."""
    summaries, conn = [], None
    with ExitStack() as connections:
        for fid in feed_ids:
            try:
                if conn is None or conn.closed:  # one connection for the site's feeds (each costs ~15 ms)
                    conn = connections.enter_context(connection())
                summaries.append(ingest_feed(fid, interval_start, interval_end, conn).as_dict())
            except Exception as exc:
                log.exception("feed %s failed", fid)
                exc = real_error(exc, conn)
                summaries.append(_record_failed_poll(fid, interval_start, interval_end, exc).as_dict())
    log.info("site of %s: %d feed(s), %d failed, %d items, %d new pages, %d failed pages", ", ".join(feed_ids),
             len(summaries), sum(s["status"] == "error" for s in summaries), sum(s["items"] for s in summaries),
             sum(s["pages_new"] for s in summaries), sum(s["pages_failed"] for s in summaries))
    return summaries


def ingest_all(interval_start: datetime, interval_end: datetime) -> list[dict]:
    return [s for group in feeds_by_site() for s in ingest_site(group, interval_start, interval_end)]


# --- extraction: pages -> articles (URL and article-level dedup) -------------------------------

def article_id_for(canonical: str):
    import uuid
    return uuid.uuid5(uuid.NAMESPACE_URL, canonical)


def _article_canonical(page_canonical: str, declared: str | None) -> str:
    """Prefer the page's own canonical link, but only on the same site: republishers often point
    theirs at the original outlet, which would merge two sources' articles into one."""
    from newsflow.dedup import canonical_url

    if declared:
        try:
            candidate = canonical_url(declared)
        except ValueError:  # a relative or broken canonical link says nothing
            return page_canonical
        if urlsplit(candidate).hostname == urlsplit(page_canonical).hostname:
            return candidate
    return page_canonical


def _assign_cluster(cur, article: dict) -> None:
    """Set cluster_id / duplicate_of: exact body hash first, then MinHash LSH over recent days."""
    from newsflow import dedup

    cfg = dedup.settings()
    article.update(cluster_id=None, duplicate_of=None, duplicate_kind=None, similarity=None)
    if len(article["text"]) < cfg.min_text_chars:
        article["cluster_id"] = dedup.cluster_id_for(str(article["article_id"]))
        return
    cur.execute(sql("exact_duplicate"), article)
    row = cur.fetchone()
    if row:
        article.update(cluster_id=row[1], duplicate_kind="exact", similarity=1.0)
    else:  # the batch's decision (dedup.best_match) over the recent days' candidates
        fp, day = article["_fingerprint"], article["_day"]
        candidates = fetch_dicts(cur, sql("lsh_candidates"),
                                 dedup.stored_candidate_params(fp, article["article_id"], day, cfg))
        match = dedup.best_match(fp, dedup.stored_candidates(fp, candidates, cfg), cfg)
        if match:
            article.update(cluster_id=match.doc_id["cluster_id"], duplicate_kind=match.kind,
                           similarity=round(float(match.score), 4))
    if article["cluster_id"] is None:
        article["cluster_id"] = dedup.cluster_id_for(str(article["article_id"]))
        return
    cur.execute(sql("cluster_first_member"), {"cluster_id": article["cluster_id"]})
    first = cur.fetchone()
    article["duplicate_of"] = first[0] if first else None


def _store_signature(cur, article: dict) -> None:
    """The article's MinHash signature and index keys, in one round trip (rows of an earlier
    version are replaced: a first version has none)."""
    from newsflow import dedup

    fp = article.get("_fingerprint")
    if article["version"] > 1:
        cur.execute(sql("delete_article_signature"), {"article_id": article["article_id"]})
    if fp is None:
        return
    cur.execute(sql("insert_article_signature"), {
        "article_id": article["article_id"], "signature": dedup.signature_to_bytes(fp.signature),
        "published_day": article["_day"], "containment_keys": len(fp.containment_keys),
        "index_keys": sorted(set(fp.index_keys))})


def _load_extracted(cur, page: dict, result: dict) -> tuple[object, int]:
    """Upsert the article and its version for one extracted page. Returns (article_id, version).

    Runs under the article-load lock: one statement per step, no CPU work that can be done before
    (the text's fingerprint comes with the extraction, see _extract_html)."""
    from newsflow import dedup

    # a redirect moves the article to where it really lives (same site only, as for canonical links)
    landed = _article_canonical(page["canonical_url"], page["final_url"])
    canonical = _article_canonical(landed, result.get("canonical_url"))
    article_id = article_id_for(canonical)
    text = result.get("text") or ""
    chash = result.get("content_hash") or dedup.content_hash(text)
    cur.execute(sql("article_versions"), {"article_id": article_id, "content_hash": chash})
    latest, same = cur.fetchone()
    if same is not None:  # the same body again (boilerplate changed only): nothing new
        return article_id, same
    version = (latest or 0) + 1
    published = result.get("published_at") or page.get("feed_published_at")
    article = {
        "article_id": article_id, "canonical_url": canonical, "source_id": page["feed_id"],
        "title": result.get("title"), "text": text, "published_at": published,
        "updated_at": result.get("updated_at"), "first_seen_at": page["fetched_at"],
        "language": result.get("language"), "authors": result.get("authors") or [],
        "agencies": result.get("agencies") or [], "kind": result.get("kind") or "article",
        "section": result.get("section"), "tags": result.get("tags") or [],
        "word_count": result.get("word_count") or len(text.split()), "content_hash": chash,
        "version": version, "extractor_version": result.get("extractor_version") or "unknown",
        "content_sha256": page["content_sha256"], "seen_at": page["fetched_at"],
    }
    if text:
        fp = result.get(FINGERPRINT)
        article["_fingerprint"] = fp if fp is not None else dedup.fingerprint(text)
        article["_day"] = (_utc(published) if published else page["fetched_at"]).date()
    if version == 1:
        _assign_cluster(cur, article)
    else:  # a new version keeps the article's place in its story cluster
        cur.execute("SELECT cluster_id, duplicate_of, duplicate_kind, similarity FROM core.article"
                    " WHERE article_id = %s", (article_id,))
        article.update(zip(("cluster_id", "duplicate_of", "duplicate_kind", "similarity"), cur.fetchone()))
    cur.execute(sql("upsert_article") + ";\n" + sql("insert_article_version"), article)
    _store_signature(cur, article)
    return article_id, version


# The key of an extraction result that holds its text's dedup fingerprint (computed with the
# extraction, outside the article-load lock; never stored as such).
FINGERPRINT = "_fingerprint"


def _extract_html(page: dict) -> dict:
    """Extract one stored page, hash and fingerprint its text for dedup (CPU only: no database, no
    network). Raises on a bad page."""
    from newsflow import dedup
    from newsflow.articles import extract_article

    html = stored_html.unpack(page["html_gz"])
    result = clean_value(extract_article(html, url=page["final_url"], headers=page["headers"]))
    if result.get("error"):
        raise ValueError(result["error"])
    # the content hash is dedup's (the extractor leaves it out: its command line and batch output
    # have no use for it, and it would import dedup's numpy into every extracting process)
    result["content_hash"] = dedup.content_hash(result.get("text") or "")
    if result.get("text"):
        result[FINGERPRINT] = dedup.fingerprint(result["text"])
    return result


def _outcome(page: dict) -> dict:
    return {"canonical_url": page["canonical_url"], "content_sha256": page["content_sha256"],
            "status": "ok", "error": None, "article_id": None, "version": None}


def _failed(outcome: dict, page: dict, exc: Exception) -> None:
    outcome.update(status="error", error=f"{type(exc).__name__}: {exc}"[:2000], article_id=None, version=None)
    log.warning("extraction failed for %s: %s", page["canonical_url"], outcome["error"])


def _load_pages(cur, pages: list[tuple[dict, dict | Exception | None]]) -> list[dict]:
    """Extract (when not done beforehand) and load pages in order; one outcome per page. A bad page
    gives an error outcome and loses nothing else.

    Each item is a page and its extraction done beforehand (its result or its error), or None.
    One savepoint covers the pages instead of one per page (two round trips each under the
    article-load lock): a page whose load fails rolls back to it, the pages loaded since are loaded
    again (same state, same input: same rows), and a new savepoint follows them."""
    outcomes = [_outcome(page) for page, _ in pages]
    for (page, extracted), outcome in zip(pages, outcomes):
        if extracted is None:
            try:
                extracted = _extract_html(page)
            except Exception as exc:
                extracted = exc
        if isinstance(extracted, Exception):
            _failed(outcome, page, extracted)
        outcome["_result"] = extracted
    cur.execute("SAVEPOINT pages")
    since, i, replay_to = 0, 0, None  # first page after the savepoint; next page; failed page
    while i < len(pages):
        page, outcome = pages[i][0], outcomes[i]
        if i == replay_to:  # the pages before the failed one are loaded again: save them
            cur.execute("RELEASE SAVEPOINT pages; SAVEPOINT pages")
            since, replay_to = i + 1, None
        elif outcome["status"] == "ok":
            try:
                outcome["article_id"], outcome["version"] = _load_extracted(cur, page, outcome["_result"])
            except Exception as exc:
                cur.execute("ROLLBACK TO SAVEPOINT pages")
                _failed(outcome, page, exc)
                i, replay_to = since, i
                continue
        i += 1
    cur.execute("RELEASE SAVEPOINT pages")
    for outcome in outcomes:
        del outcome["_result"]
    return outcomes


def _record_outcomes(cur, outcomes: list[dict], counts: dict) -> None:
    """The pages' outcomes in core.page_extraction, in one statement; counted."""
    bulk_upsert(cur, sql("upsert_page_extraction"), [
        (o["canonical_url"], o["content_sha256"], o["status"], o["error"], o["article_id"], o["version"])
        for o in sorted(outcomes, key=_page_key)])
    for outcome in outcomes:
        _count(counts, outcome)


# Pages or articles per transaction: few commits, and locks held for a second or so at most.
CLAIM_BATCH = 10
# Pages or articles per mapped task of a DAG run (at most MAX_MAPPED_BATCHES tasks: Airflow's
# max_map_length is 1024; a larger backlog makes the batches larger).
MAPPED_BATCH = 50
MAX_MAPPED_BATCHES = 500
# How long a mapped extraction batch waits for the batches before it to load theirs (loads go in
# pending order) before it extracts and loads those pages itself.
EARLIER_BATCH_WAIT = timedelta(seconds=90)


def _batches(items: list, size: int = CLAIM_BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def mapped_batches(items: list, size: int = MAPPED_BATCH) -> list[list]:
    """Contiguous batches for one mapped task each: `size` items, more when there are very many."""
    size = max(size, -(-len(items) // MAX_MAPPED_BATCHES))
    return list(_batches(items, size))


def _page_key(page: dict) -> tuple[str, str]:
    return page["canonical_url"], page["content_sha256"]


def _pages(cur, keys) -> dict[tuple[str, str], dict]:
    """The stored pages among `keys` that are not extracted yet."""
    return {_page_key(p): p for p in fetch_dicts(cur, sql("pages_to_extract"), {
        "canonical_urls": [k[0] for k in keys], "content_sha256s": [k[1] for k in keys]})}


def plan_page_extraction(cur) -> int:
    """Give the stored pages no run has planned yet their place in extraction order, after every
    page planned before. Pages load in that order, so a page stored later (a poll during a run, an
    archive day of the past) never loads before a page an earlier plan listed, whatever its fetch
    time. Returns how many pages were planned."""
    lock(cur, LOCK_PAGE_ORDER)
    cur.execute(sql("plan_page_extraction"))
    return cur.rowcount


def _planned_pending(cur, limit: int | None) -> list[tuple[str, str]]:
    """Plan the pages stored since the last plan, then list the pending pages in extraction order."""
    plan_page_extraction(cur)
    return [_page_key(p) for p in fetch_dicts(cur, sql("pending_pages"), {"limit": limit})]


def pending_page_batches(limit: int = 20000, size: int = MAPPED_BATCH) -> list[list[list[str]]]:
    """Keys ([canonical_url, content_sha256]) of the pending pages in extraction order, once the pages
    stored since the last plan are planned, in batches for `extract_pending(keys=...)`: what a DAG run
    maps its extraction over."""
    with connection() as conn, conn, conn.cursor() as cur:
        keys = [list(key) for key in _planned_pending(cur, limit)]
    return mapped_batches(keys, size)


def chained_page_batches(limit: int = 20000, size: int = MAPPED_BATCH) -> list[dict]:
    """`pending_page_batches` as keyword arguments of `extract_pending`, each batch with the key of the
    page just before it (`after_key`, None for the first): what a DAG run maps its extraction over. A
    batch then waits for that one page to be extracted instead of reading the whole backlog under the
    article-load lock (which, per batch, made a backfill's extraction quadratic in its pages)."""
    batches = pending_page_batches(limit, size)
    return [{"keys": batch, "after_key": batches[i - 1][-1] if i else None} for i, batch in enumerate(batches)]


def extract_pending(limit: int = 1000, keys: list | None = None, after_key: list | None = None) -> dict:
    """Extract every stored page not yet extracted (or the pages `keys` name). One bad page is
    recorded and skipped.

    Pages are claimed a few at a time, each batch in a short transaction under the article-load lock,
    and checked again there: several runs at once share the pages (`done_elsewhere` counts those
    another run took), each page is extracted once, and pages load in extraction order
    (`plan_page_extraction`) whichever run takes them, so the result is a single run's.
    """
    if keys is not None:
        return _extract_batch([tuple(k) for k in keys], tuple(after_key) if after_key else None)
    counts = {"pages": 0, "ok": 0, "error": 0, "done_elsewhere": 0}
    with connection() as conn:
        with conn, conn.cursor() as cur:
            keys = _planned_pending(cur, limit)
        for batch in _batches(keys):
            with conn, conn.cursor() as cur:
                lock(cur, LOCK_ARTICLE_LOAD)
                pending = _pages(cur, batch)
                counts["done_elsewhere"] += len(batch) - len(pending)
                _record_outcomes(cur, _load_pages(cur, [(pending[key], None) for key in batch  # in pending order
                                                        if key in pending]), counts)
    return _logged(counts)


def _logged(counts: dict) -> dict:
    log.info("extraction: %d page(s), %d extracted, %d failed, %d taken by another run", counts["pages"],
             counts["ok"], counts["error"], counts["done_elsewhere"])
    return counts


def _count(counts: dict, outcome: dict) -> None:
    counts["pages"] += 1
    counts[outcome["status"]] += 1


def _still_pending(cur, key: tuple[str, str]) -> bool:
    cur.execute(sql("page_still_pending"), {"canonical_url": key[0], "content_sha256": key[1]})
    return cur.fetchone()[0]


def _extract_batch(keys: list[tuple[str, str]], after_key: tuple[str, str] | None = None) -> dict:
    """One mapped task's pages: extracted outside any transaction (mapped tasks extract at the same
    time), then loaded under the article-load lock in extraction order. Pages still pending before
    this batch's are loaded first: after waiting for the task that holds them (EARLIER_BATCH_WAIT
    without progress), by this one. So loads keep a single run's order, and a batch done elsewhere is
    a no-op. Pages stored after the plan that listed this batch come after it in extraction order
    (`plan_page_extraction`): they never load before it, whenever they arrive.

    With `after_key` (the page before this batch when the run listed its batches) the batch waits
    for that page only: the batch before loads every page pending before its own last page in the
    same transaction, so once that page is extracted, so are all before it. The pages pending before
    this batch are read (in extraction order) only without `after_key` or when that page is still
    pending after EARLIER_BATCH_WAIT."""
    counts = {"pages": 0, "ok": 0, "error": 0, "done_elsewhere": 0}
    with connection() as conn:
        with conn, conn.cursor() as cur:
            pages = _pages(cur, keys)
        extracted: dict[tuple[str, str], dict | Exception] = {}
        for key, page in pages.items():
            try:
                extracted[key] = _extract_html(page)
            except Exception as exc:  # recorded when the page loads
                extracted[key] = exc
        waiting_since, earlier_left = time.monotonic(), None
        while True:
            with conn, conn.cursor() as cur:
                lock(cur, LOCK_ARTICLE_LOAD)
                ours = _pages(cur, keys)
                if not ours:
                    counts["done_elsewhere"] += len(keys)
                    return _logged(counts)
                if any(p["extract_order"] is None for p in ours.values()):  # keys of no plan
                    plan_page_extraction(cur)
                    ours = _pages(cur, keys)
                if after_key is not None:
                    if not _still_pending(cur, after_key):  # all before this batch are loaded
                        counts["done_elsewhere"] += len(keys) - len(ours)
                        _record_outcomes(cur, _load_pages(cur, [(ours[key], extracted.get(key)) for key in keys
                                                                if key in ours]), counts)
                        break
                    if time.monotonic() - waiting_since < EARLIER_BATCH_WAIT.total_seconds():
                        conn.rollback()  # releases the lock for the batch we wait for
                        time.sleep(0.2)
                        continue
                    after_key = None  # that batch never came: the pages before this one, loaded now
                order = [_page_key(p) for p in fetch_dicts(cur, sql("pending_pages_through"), {
                    "last": max(p["extract_order"] for p in ours.values())})]
                earlier = [k for k in order if k not in ours]
                if earlier and time.monotonic() - waiting_since < EARLIER_BATCH_WAIT.total_seconds():
                    if earlier_left is None or len(earlier) < earlier_left:  # the other batch moves
                        waiting_since, earlier_left = time.monotonic(), len(earlier)
                    conn.rollback()  # releases the lock for the batch we wait for
                    time.sleep(0.2)
                    continue
                counts["done_elsewhere"] += len(keys) - len(ours)
                others = _pages(cur, earlier) if earlier else {}
                _record_outcomes(cur, _load_pages(cur, [(ours[key], extracted.get(key)) if key in ours
                                                        else (others[key], None) for key in order]), counts)
                break
    return _logged(counts)


# --- events: articles -> event mentions -> merged events --------------------------------------

def _coder() -> str:
    from newsflow.events import coder_version
    return coder_version()


def _mention_row(article: dict, event: dict, is_event: bool) -> tuple:
    import uuid
    from newsflow.event_ids import event_key  # not dedup's module: numpy is no coding task's need

    a1, a2, loc = event.get("actor1") or {}, event.get("actor2") or {}, event.get("location") or {}
    event_id = event_key(event.get("event_date"), event.get("date_precision") or "unknown", event["event_type"],
                         loc.get("country"), loc.get("admin1"), loc.get("name"), a1.get("code"), a2.get("code"))
    mention_id = uuid.uuid5(uuid.NAMESPACE_URL, "|".join(map(str, (
        article["article_id"], article["version"], event["sentence_start"], event["event_type"],
        event.get("trigger"), a1.get("code"), a2.get("code")))))
    return (mention_id, event_id, article["article_id"], article["source_id"], article["version"],
            event["event_type"], event.get("mode"),
            a1.get("text"), a1.get("code"), a1.get("country"), a1.get("sector"),
            a2.get("text"), a2.get("code"), a2.get("country"), a2.get("sector"),
            loc.get("name"), loc.get("country"), loc.get("admin1"), loc.get("latitude"), loc.get("longitude"),
            loc.get("precision"), event.get("event_date"), event.get("date_precision") or "unknown",
            event["sentence"], event["sentence_start"], event["sentence_end"], event.get("trigger"),
            float(event.get("confidence") or 0), bool(is_event), bool(event.get("is_root")),
            event.get("language"), article["first_seen_at"])


_IS_EVENT = 28  # position of is_event in a mention row (as in insert_event_mentions.sql)


def apply_event_cut(cur, policy: EventPolicy) -> int:
    """Re-flag the mentions whose flag disagrees with the configured cut and rebuild their events.

    Idempotent: with the cut unchanged it changes nothing, and reads only the ends of the
    (is_event, confidence) index. Returns how many mentions changed flag."""
    lock(cur, LOCK_EVENT_MERGE)
    cur.execute(sql("event_cut_disagrees"), {"cut": policy.cut})
    if not cur.fetchone()[0]:
        return 0
    cur.execute(sql("reflag_event_mentions"), {"cut": policy.cut})
    changed = [r[0] for r in cur.fetchall()]
    if changed:
        event_ids = sorted(set(changed))
        cur.execute(sql("recompute_events"), {"event_ids": event_ids})
        cur.execute(sql("event_days_changed"), {"event_ids": event_ids})  # their marts: next daily run
    return len(changed)


def _code_articles(cur, articles: list[dict], policy: EventPolicy, counts: dict) -> None:
    """Code claimed articles: replace their mentions and rebuild the events they touch."""
    from newsflow.events import extract_events

    rows = {}
    for article in articles:
        try:
            events = extract_events(article["text"], language=article["language"],
                                    published_at=article["published_at"], title=article["title"])
        except Exception as exc:  # one article's failure must not lose the others
            counts["errors"] += 1
            log.warning("event coding failed for %s: %s", article["article_id"], exc)
            events = []
        for event in events:
            row = _mention_row(article, event, event.get("is_event", policy.is_event(event.get("confidence"))))
            rows[row[0]] = row
    ids = [a["article_id"] for a in articles]
    # mention writes and event merges of all runs go one at a time: a merge must read every
    # committed mention of its events, never a state another run is half way through
    lock(cur, LOCK_EVENT_MERGE)
    cur.execute("DELETE FROM core.event_mention WHERE article_id = ANY(%s) RETURNING event_id, event_date, article_id",
                (ids,))
    removed = cur.fetchall()
    touched = {r[0] for r in removed} | {r[1] for r in rows.values()}
    bulk_upsert(cur, sql("insert_event_mentions"), [rows[k] for k in sorted(rows)])
    if removed:  # articles coded before: their events' days may have lost or gained rows
        cur.execute(sql("queue_recoded_event_days"), {"removed_days": sorted({r[1] for r in removed if r[1]}),
                                                      "article_ids": sorted({r[2] for r in removed})})
    cur.execute("UPDATE core.article SET events_coded_version = version, events_coder = %s WHERE article_id = ANY(%s)",
                (_coder(), ids))
    if touched:
        cur.execute(sql("recompute_events"), {"event_ids": sorted(touched)})
    counts["articles"] += len(articles)
    counts["mentions"] += len(rows)
    counts["events"] += sum(1 for r in rows.values() if r[_IS_EVENT])
    counts["events_touched"] += len(touched)


def article_batches(limit: int = 20000, size: int = MAPPED_BATCH) -> dict:
    """Re-flag stored mentions against the configured event cut, then list the articles to code in
    batches for `code_events(article_ids=...)`: what a DAG run maps its coding over."""
    with connection() as conn:
        with conn, conn.cursor() as cur:
            reflagged = apply_event_cut(cur, load_event_policy())
        with conn, conn.cursor() as cur:
            cur.execute(sql("articles_to_code"), {"limit": limit, "coder": _coder()})
            ids = [str(r[0]) for r in cur.fetchall()]
    return {"reflagged": reflagged, "batches": mapped_batches(ids, size)}


def code_events(limit: int = 1000, article_ids: list | None = None) -> dict:
    """Code events for articles whose latest version has none yet (or for those of `article_ids`
    that still need it); merge event mentions into events.

    Without `article_ids`, first re-flags stored mentions against the configured event cut
    (include/config/events.yaml), so a changed cut reaches the warehouse. Articles are claimed a few
    at a time (row locks, SKIP LOCKED; the `article_ids` of a mapped task all at once), each batch in
    a short transaction: several runs at once share the articles and code each once.
    """
    policy = load_event_policy()
    counts = {"articles": 0, "mentions": 0, "events": 0, "events_touched": 0, "errors": 0,
              "reflagged": 0, "done_elsewhere": 0}
    with connection() as conn:
        if article_ids is None:
            with conn, conn.cursor() as cur:
                counts["reflagged"] = apply_event_cut(cur, policy)
            with conn, conn.cursor() as cur:
                cur.execute(sql("articles_to_code"), {"limit": limit, "coder": _coder()})
                ids = [r[0] for r in cur.fetchall()]
        else:  # from a DAG's XCom: strings
            ids = [uuid.UUID(str(i)) for i in article_ids]
        # a mapped task's own articles are coded in one transaction (each commit waits for the
        # disk); articles listed here are claimed a few at a time, for other runs to share
        for batch in _batches(ids, MAPPED_BATCH if article_ids is not None else CLAIM_BATCH):
            with conn, conn.cursor() as cur:
                claimed = fetch_dicts(cur, sql("articles_to_claim"), {"article_ids": batch, "coder": _coder()})
                counts["done_elsewhere"] += len(batch) - len(claimed)
                if claimed:
                    _code_articles(cur, claimed, policy, counts)
    log.info("event coding: %d article(s), %d mentions, %d events, %d events merged, %d failed articles,"
             " %d mentions re-flagged, %d articles taken by another run", counts["articles"], counts["mentions"],
             counts["events"], counts["events_touched"], counts["errors"], counts["reflagged"],
             counts["done_elsewhere"])
    return counts


# --- daily: story clusters, marts, data checks ---------------------------------------------------

class DataCheckError(RuntimeError):
    """One or more SQL data checks failed; their rows are in mart.data_check."""


CHECKS = ("event_has_mention", "mart_totals_match_facts", "no_future_dates")
MARTS = ("story_clusters", "daily_events", "daily_actor_activity", "daily_source_health")  # sql/marts/*
# The days' rows are read from memory: at the default cost of a random page (a disk's), the planner
# read the marts' tables whole rather than the days' rows by their keys, a cost growing with the
# history (plans printed by bench/pipeline at 10x history).
DAILY_PLANNER_SETTINGS = "SET LOCAL random_page_cost = 1.1"


@contextmanager
def _step(seconds: dict, name: str) -> Iterator[None]:
    """Add the seconds the block takes to seconds[name]."""
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start


def day_params(day: date, revisit_days: int = 2) -> dict:
    """The parameters of the daily SQL for `day` and the `revisit_days` before it: the first and last
    day, and their UTC bounds [since, until) for indexed range reads."""
    day_from = day - timedelta(days=revisit_days)
    return {"day_from": day_from, "day_to": day,
            "since": datetime.combine(day_from, datetime.min.time(), timezone.utc),
            "until": datetime.combine(day + timedelta(days=1), datetime.min.time(), timezone.utc)}


def mart_scope(cur, params: dict) -> None:
    """Write the transaction's table mart_scope_key (sql/mart_scope.sql): what the daily run recomputes
    of the event marts. Add to `params` (of day_params) `event_days`, rebuilt whole, and `partial_days`,
    older event days where only the exact mart keys of mart_scope_key are recomputed, and their numbers
    (`daily_events_keys`, `actor_keys`: (day, country, admin1, type) rows of mart.daily_events, (day,
    actor, role, type) rows of mart.daily_actor_activity).

    An older day's rows grow with the history that mentions it, and only the rows of the events the
    run's mentions name can have changed there (other changes queue their days whole)."""
    cur.execute(sql("mart_scope"), params)
    rows = cur.fetchall()
    params["event_days"] = sorted(day for day, whole, _, _ in rows if whole)
    params["partial_days"] = sorted(day for day, whole, _, _ in rows if not whole)
    params["daily_events_keys"] = sum(keys for _, whole, keys, _ in rows if not whole)
    params["actor_keys"] = sum(keys for _, whole, _, keys in rows if not whole)


def _daily_marts(conn, params: dict, steps: dict) -> dict:
    """daily's second transaction: clusters, marts and checks of the days of `params` under the marts
    lock. Returns each check's (passed, detail), recorded in mart.data_check."""
    with conn, conn.cursor() as cur:
        lock(cur, LOCK_MARTS)  # two rebuilds of the same days would collide on the marts' keys
        cur.execute(DAILY_PLANNER_SETTINGS)
        with _step(steps, "sync_sources"):
            sync_sources(cur, load_feeds())
        with _step(steps, "mart_scope"):
            mart_scope(cur, params)
        for name in MARTS:
            with _step(steps, name):
                cur.execute(sql(f"marts/{name}"), params)
        results = {}
        for name in CHECKS:
            with _step(steps, f"check {name}"):
                cur.execute(sql(f"checks/{name}"), params)
                passed, detail = cur.fetchone()
            results[name] = (bool(passed), detail)
        bulk_upsert(cur, "INSERT INTO mart.data_check (day, check_name, passed, detail) VALUES %s"
                         " ON CONFLICT (day, check_name) DO UPDATE SET passed = EXCLUDED.passed,"
                         " detail = EXCLUDED.detail",
                    [(params["day_to"], name, ok, detail) for name, (ok, detail) in results.items()])
    return results


def daily(day: date, revisit_days: int = 2, step_seconds: dict | None = None) -> dict:
    """Recompute the day (and a few days before it, for late articles): clusters, marts, checks.

    The cost follows the days' data, not the history. Mentions are first re-flagged against the
    configured event cut (see code_events), so a re-run after a change of the cut counts the new
    events. Raises DataCheckError when a check fails, after recording every check's outcome.
    `step_seconds`, when given, receives the seconds of each step (re-flagging, each mart, each check).
    """
    params = day_params(day, revisit_days)
    policy = load_event_policy()
    steps = {} if step_seconds is None else step_seconds
    with connection() as conn:  # one connection (each costs milliseconds), two transactions
        with conn, conn.cursor() as cur, _step(steps, "reflag_event_mentions"):
            reflagged = apply_event_cut(cur, policy)
        results = _daily_marts(conn, params, steps)
    failed = {n: d for n, (ok, d) in results.items() if not ok}
    log.info("day %s: marts rebuilt for %d event day(s) whole and %d key(s) of %d older day(s), %d mention(s)"
             " re-flagged; checks: %d passed, %d failed%s; ms per step: %s", day, len(params["event_days"]),
             params["daily_events_keys"], len(params["partial_days"]), reflagged, len(results) - len(failed), len(failed),
             f" ({', '.join(failed)})" if failed else "",
             ", ".join(f"{name} {s * 1000:.0f}" for name, s in steps.items()))
    if failed:
        raise DataCheckError("data checks failed: " + "; ".join(f"{n}: {d}" for n, d in failed.items()))
    return {"day": day.isoformat(), "event_days": [d.isoformat() for d in params["event_days"]],
            "partial_days": [d.isoformat() for d in params["partial_days"]],
            "reflagged_mentions": reflagged, "checks": {n: ok for n, (ok, _) in results.items()}}


# --- archive: a past day from the sources' date sitemaps -----------------------------------------

def sitemap_urls(content: bytes) -> list[tuple[str, datetime | None]]:
    """(loc, lastmod) pairs of a sitemaps.org urlset."""
    from lxml import etree

    root = etree.fromstring(content, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    if root is None:
        raise ValueError("sitemap is not XML")
    out = []
    for url in root.iter("{*}url"):
        loc = url.findtext("{*}loc")
        lastmod = url.findtext("{*}lastmod")
        when = None
        if lastmod:
            try:
                when = _utc(datetime.fromisoformat(lastmod.strip().replace("Z", "+00:00")))
            except ValueError:
                when = None
        if loc:
            out.append((loc.strip(), when))
    return out


def archive_day(day: date) -> list[dict]:
    """Ingest one past day from the date sitemaps of the sources that have them.

    Per source, the day is claimed (two runs of the same source and day take turns) and the HTTP
    calls happen between short transactions, never inside one."""
    interval_start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    interval_end = interval_start + timedelta(days=1)
    summaries = []
    for feed in load_feeds(enabled_only=True):
        if not feed.sitemap_url:
            continue
        url = feed.sitemap_url.format(yyyy=f"{day.year:04d}", mm=f"{day.month:02d}", dd=f"{day.day:02d}")
        summary = IngestSummary(feed.id, "ok")
        started = time.monotonic()  # for the log line only
        with work_claim(f"archive:{feed.id}:{day.isoformat()}"), connection() as conn:
            with conn, conn.cursor() as cur:
                sync_sources(cur, [feed])
            result = http.fetch(url, max_bytes=http.max_feed_bytes())
            entries: list[tuple[str, datetime | None]] = []
            if result.ok:
                try:
                    entries = sitemap_urls(result.content)
                except Exception as exc:
                    summary.status, summary.error = "error", f"{type(exc).__name__}: {exc}"
            else:
                summary.status, summary.error = "error", f"{url}: {result.error}"
            items, dropped = usable_items(
                [feeds_mod.FeedItem(feed.id, loc, loc, None, None, lastmod) for loc, lastmod in entries])
            if dropped:
                summary.error = "; ".join(filter(None, [summary.error, *dropped]))[:4000]
            summary.items = len(items)
            urls = list({i.canonical: i.link for i in items}.items())
            with conn, conn.cursor() as cur:
                summary.new_items = store_items(cur, feed.id, items, interval_end, origin="sitemap")
                validators = _page_validators(cur, urls, interval_end)
            fetched = _fetch_pages(feed.id, urls, validators, interval_start, interval_end, summary)
            with conn, conn.cursor() as cur:
                _store_pages(cur, fetched, summary)
                cur.execute(sql("upsert_sitemap_poll"), {
                    "feed_id": feed.id, "day": day, "url": url, "status": summary.status,
                    "http_status": result.status, "error": summary.error, "n_urls": len(items)})
        log_feed = log.warning if summary.status == "error" else log.info
        log_feed("archive %s: %s", day, summary.describe(result.status, time.monotonic() - started)
                 .replace("feed ", "sitemap of ", 1))
        summaries.append(summary.as_dict())
    return summaries
