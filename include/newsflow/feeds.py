"""Feed polling: conditional GET, parsing with feedparser, items as plain records."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timezone

import feedparser

from newsflow.config import Feed
from newsflow.http import fetch


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


def _struct_to_utc(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)


def parse_feed(feed_id: str, content: bytes, base_url: str | None = None,
               headers: dict | None = None) -> tuple[list[FeedItem], str | None]:
    """Parse feed bytes. Returns (items, warning); raises ValueError when nothing usable is there."""
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
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        items.append(FeedItem(
            feed_id=feed_id,
            guid=entry.get("id") or link,
            link=link,
            title=entry.get("title"),
            summary=entry.get("summary"),
            published_at=_struct_to_utc(entry.get("published_parsed") or entry.get("updated_parsed")),
            authors=[a.get("name") for a in entry.get("authors", []) if a.get("name")],
        ))
    return items, warning


def poll_feed(feed: Feed, etag: str | None = None, last_modified: str | None = None,
              timeout: float | None = None) -> FeedPoll:
    """Fetch and parse one feed. Never raises: failures come back as status 'error'."""
    result = fetch(feed.url, etag=etag, last_modified=last_modified, timeout=timeout)
    poll = FeedPoll(feed.id, "ok", result.status,
                    etag=result.headers.get("ETag") or etag,
                    last_modified=result.headers.get("Last-Modified") or last_modified)
    if result.not_modified:
        poll.status = "not_modified"
        return poll
    if not result.ok:
        poll.status, poll.error = "error", result.error
        return poll
    try:
        poll.items, poll.error = parse_feed(feed.id, result.content, feed.url, result.headers)
    except Exception as exc:  # feedparser is lenient; anything left is a broken feed, not a broken run
        poll.status, poll.error = "error", f"{type(exc).__name__}: {exc}"
        # a broken body must not stop later polls from refetching it
        poll.etag = poll.last_modified = None
    return poll
