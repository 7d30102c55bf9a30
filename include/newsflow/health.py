"""Collection health of newsflow_ingest: a run in which every polled feed failed, and enabled sources
that brought no new article for too long.

Plain functions of a data interval, read from the warehouse (never the clock), so a retry or a re-run
of an interval judges it as the first run did. The alerts go through a `send` function the DAG task
gives (newsflow.alerts); each stale spell of a source is alerted once (raw.stale_source_alert).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from newsflow.config import load_feeds
from newsflow.warehouse import fetch_dicts, sql, transaction

log = logging.getLogger("newsflow.health")

# feed_poll statuses of a feed that was requested (a 'deferred' poll made no request)
POLLED = ("ok", "not_modified", "error")


class AllFeedsFailed(RuntimeError):
    """Every feed polled in an interval failed: nothing was collected."""


def check_polls(interval_start: datetime, feed_ids: list[str] | None = None) -> dict:
    """Judge the polls of one ingest interval: a warning per failed feed; AllFeedsFailed, listing the
    feeds and their errors, when every polled feed failed. Returns {"polled", "failed"}."""
    if feed_ids is None:
        feed_ids = [feed.id for feed in load_feeds(enabled_only=True)]
    with transaction() as conn, conn.cursor() as cur:
        rows = fetch_dicts(cur, sql("interval_polls"), {"interval_start": interval_start, "feed_ids": feed_ids})
    polled = [row for row in rows if row["status"] in POLLED]
    failed = [row for row in polled if row["status"] == "error"]
    errors = {row["feed_id"]: row["error"] or f"HTTP {row['http_status']}" for row in failed}
    missing = sorted(set(feed_ids) - {row["feed_id"] for row in rows})
    if missing:  # their ingest_site task failed or did not run: that task says why
        log.warning("no poll recorded in this interval for %s", ", ".join(missing))
    if polled and len(failed) == len(polled):
        raise AllFeedsFailed(f"every feed polled in the interval starting {interval_start.isoformat()} failed "
                             f"({len(failed)}): " + "; ".join(f"{feed}: {error}" for feed, error in errors.items()))
    for feed, error in errors.items():
        log.warning("feed %s failed (the other feeds were read): %s", feed, error)
    log.info("polls: %d feed(s) polled, %d read, %d failed", len(polled), len(polled) - len(failed), len(failed))
    return {"polled": len(polled), "failed": len(failed)}


def alert_stale_sources(interval_end: datetime, send: Callable[[dict], list[str]]) -> dict:
    """Alert once per enabled source without a new article for `stale_source_hours` (ops.yaml) at the
    end of the interval; log every source's state. `send(facts)` sends one alert and returns the
    channels it reached. Returns {"sources", "stale", "alerted"} (source ids)."""
    from newsflow.ops import load_ops_settings, source_health

    settings = load_ops_settings()
    limit = settings.stale_source_hours
    stale, alerted = [], []
    with transaction() as conn, conn.cursor() as cur:
        # the freshness the newsflow page shows (its bi.* views), as of the interval's end; read as the
        # warehouse's owner, which the task is anyway, so no second login is needed
        # the feeds file decides what is enabled: the warehouse's copy lags behind an edit of it
        enabled = {feed.id for feed in load_feeds(enabled_only=True)}
        sources = [row for row in source_health(conn, interval_end, settings) if row["source_id"] in enabled]
        cur.execute(sql("source_first_poll"), {"as_of": interval_end, "source_ids": [
            row["source_id"] for row in sources if row["newest_article"] is None]})
        first_polls = dict(cur.fetchall())
        for row in sources:
            source, hours = row["source_id"], row["freshness_hours"]
            if hours is not None and hours < limit:
                log.info("source %s: fresh, newest article %.1f h old (limit %g h)", source, hours, limit)
                continue
            if hours is None:  # never an article: stale once it has been polled for the limit
                first = first_polls.get(source)
                polled_for = (interval_end - first).total_seconds() / 3600 if first else 0.0
                if polled_for < limit:
                    log.info("source %s: no article yet, polled for %.1f h (limit %g h)", source, polled_for, limit)
                    continue
            stale.append(source)
            key = {"source_id": source, "newest_article": row["newest_article"], "interval_end": interval_end,
                   "hours_without": hours}
            without = "never brought an article" if hours is None else f"no new article for {hours:.1f} h"
            cur.execute(sql("claim_stale_source_alert"), key)
            if cur.fetchone() is None:  # this spell was alerted by an earlier run or try
                cur.execute(sql("stale_source_alerted"), key)
                when, channels = cur.fetchone()
                log.warning("source %s: STALE, %s (limit %g h); alerted in the run ending %s (%s)",
                            source, without, limit, when.isoformat(), ", ".join(channels) or "no channel")
                continue
            channels = send({"source_id": source, "newest_article": row["newest_article"],
                             "hours_without": hours, "limit_hours": limit,
                             "error": f"source {source}: {without} (limit {limit:g} h)"})
            cur.execute("UPDATE raw.stale_source_alert SET channels = %s"
                        " WHERE source_id = %s AND interval_end = %s", (channels, source, interval_end))
            alerted.append(source)
            log.warning("source %s: STALE, %s (limit %g h): alert sent (%s)", source, without, limit,
                        ", ".join(channels))
    log.info("freshness: %d source(s), %d stale, %d alert(s) sent", len(sources), len(stale), len(alerted))
    return {"sources": len(sources), "stale": stale, "alerted": alerted}
