"""Feed polling: conditional GET, parsing with feedparser, items as plain records."""
from __future__ import annotations

import calendar
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone

import feedparser

from newsflow.config import ConfigError, Feed
from newsflow.http import fetch, max_feed_bytes
from newsflow.http import retry_after as http_retry_after
from newsflow.sanitize import clean_text, clean_value


@dataclass
class FeedItem:
    feed_id: str
    guid: str
    link: str
    title: str | None
    summary: str | None
    published_at: datetime | None
    authors: list[str] = field(default_factory=list)
    canonical: str | None = None   # canonical form of link, set before storing


@dataclass
class FeedPoll:
    feed_id: str
    status: str                    # ok | not_modified | error
    http_status: int | None
    error: str | None = None       # why the poll failed, or a parse warning (malformed but recovered)
    etag: str | None = None
    last_modified: str | None = None
    items: list[FeedItem] = field(default_factory=list)
    headers: dict = field(default_factory=dict, repr=False)   # the response's, for Retry-After

    def retry_after(self, received_at: datetime) -> datetime | None:
        return http_retry_after(self.http_status, self.headers, received_at)


def max_pages_per_poll() -> int:
    """Pages one poll of a feed requests at most; the feed's other pages wait for the next poll."""
    raw = os.environ.get("NEWSFLOW_MAX_PAGES_PER_POLL", "100")
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"NEWSFLOW_MAX_PAGES_PER_POLL must be a positive whole number, got {raw!r}")
    return int(raw)


def _struct_to_utc(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)


def _text(value) -> str | None:
    return clean_text(value) if isinstance(value, str) else None


def _struct_or_none(value) -> datetime | None:
    try:
        return _struct_to_utc(value)
    except (TypeError, ValueError, OverflowError):  # a date feedparser read but Python cannot hold
        return None


def parse_feed(feed_id: str, content: bytes, base_url: str | None = None,
               headers: dict | None = None) -> tuple[list[FeedItem], str | None]:
    """Parse feed bytes. Returns (items, warning); raises ValueError when nothing usable is there.

    Text is cleaned where it enters (NUL characters and lone surrogates removed); an entry that
    cannot be an item (no link) is named in the warning, never dropped silently."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()
                        if k.lower() in ("content-type", "content-language")}
    if base_url:
        response_headers["content-location"] = base_url
    parsed = feedparser.parse(content, response_headers=response_headers)
    warning = None
    if parsed.bozo:
        warning = f"malformed feed: {type(parsed.bozo_exception).__name__}: {parsed.bozo_exception}"
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise ValueError(warning or "not a feed: no RSS or Atom content")
    items, skipped = [], []
    for position, entry in enumerate(parsed.entries):
        link = _text(entry.get("link"))
        if not link or not link.strip():
            skipped.append(f"entry {position} ({_text(entry.get('id')) or _text(entry.get('title')) or 'untitled'!r}):"
                           " no link")
            continue
        items.append(FeedItem(
            feed_id=feed_id,
            guid=_text(entry.get("id")) or link,
            link=link.strip(),
            title=_text(entry.get("title")),
            summary=_text(entry.get("summary")),
            published_at=_struct_or_none(entry.get("published_parsed") or entry.get("updated_parsed")),
            authors=[_text(a.get("name")) for a in entry.get("authors", [])
                     if isinstance(a, dict) and _text(a.get("name"))],
        ))
    if skipped:
        warning = "; ".join(filter(None, [warning, "skipped " + "; ".join(skipped)]))
    return items, clean_value(warning)


def poll_feed(feed: Feed, etag: str | None = None, last_modified: str | None = None,
              timeout: float | None = None) -> FeedPoll:
    """Fetch and parse one feed. Never raises: failures come back as status 'error'."""
    result = fetch(feed.url, etag=etag, last_modified=last_modified, timeout=timeout,
                   max_bytes=max_feed_bytes())
    poll = FeedPoll(feed.id, "ok", result.status,
                    etag=result.headers.get("ETag") or etag,
                    last_modified=result.headers.get("Last-Modified") or last_modified,
                    headers=result.headers)
    if result.not_modified:
        poll.status = "not_modified"
        return poll
    if not result.ok:
        poll.status, poll.error = "error", result.error
        return poll
    try:
        poll.items, poll.error = parse_feed(feed.id, result.content, feed.url, result.headers)
    except Exception as exc:  # feedparser is lenient; anything left is a broken feed, not a broken run
        poll.status, poll.error = "error", clean_text(f"{type(exc).__name__}: {exc}")
        # a broken body must not stop later polls from refetching it
        poll.etag = poll.last_modified = None
    return poll
