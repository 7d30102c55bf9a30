"""What the newsflow page in the Airflow UI shows: source health, event charts, data checks.

Read through the read-only BI login (bi.* views only), so the page can show nothing the BI tools
could not. Plain functions of a connection and a moment (`as_of`), JSON-ready results; the Airflow
plugin in plugins/newsflow_ui only adds authentication and links to Airflow's own pages.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2

from newsflow.config import CONFIG_DIR, ConfigError, load_settings_file, warehouse_url
from newsflow.warehouse import fetch_dicts, sql

# the read-only login created by migration 002_bi.sql
BI_USER = "newsflow_metabase"
BI_PASSWORD = "newsflow_metabase"
# Superset's read-only login, created by migration 013_bi_dashboard.sql
SUPERSET_USER = "newsflow_superset"
SUPERSET_PASSWORD = "newsflow_superset"


@dataclass(frozen=True)
class OpsSettings:
    """include/config/ops.yaml: the page's windows and when a source's freshness turns amber or red."""

    window_hours: int
    freshness_amber_hours: float
    freshness_red_hours: float
    event_days: int
    top_days: int
    top_n: int
    check_days: int
    # the alerts' limits (newsflow.alerts); required in the file, defaults for settings built in code
    stale_source_hours: float = 6.0   # newsflow_ingest: no new article from a source for this long
    marts_due_hours: float = 2.0      # newsflow_daily: a day's marts are due this long after it ends


_FIELDS = {"window_hours": int, "freshness_amber_hours": float, "freshness_red_hours": float,
           "event_days": int, "top_days": int, "top_n": int, "check_days": int,
           "stale_source_hours": float, "marts_due_hours": float}


def ops_config_path() -> Path:
    return Path(os.environ.get("NEWSFLOW_OPS_FILE", CONFIG_DIR / "ops.yaml"))


def load_ops_settings(path: str | Path | None = None) -> OpsSettings:
    """Read and validate the page settings; raise ConfigError naming the bad field."""
    path = Path(path) if path else ops_config_path()
    doc = load_settings_file(path, "ops", set(_FIELDS))
    missing = set(_FIELDS) - set(doc)
    if missing:
        raise ConfigError(f"{path}: missing field(s) {', '.join(sorted(missing))}")
    values = {}
    for name, kind in _FIELDS.items():
        value = doc[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 \
                or (kind is int and value != int(value)):
            raise ConfigError(f"{path}: {name} must be a positive {kind.__name__}, got {value!r}")
        values[name] = kind(value)
    if values["freshness_amber_hours"] >= values["freshness_red_hours"]:
        raise ConfigError(f"{path}: freshness_amber_hours must be below freshness_red_hours")
    return OpsSettings(**values)


def bi_url() -> str:
    """Connection string of the read-only BI login: NEWSFLOW_BI_URL, else the warehouse's server and
    database with the newsflow_metabase login."""
    return os.environ.get("NEWSFLOW_BI_URL") or login_url(BI_USER, BI_PASSWORD)


def superset_url() -> str:
    """Connection string Superset reads the warehouse with: NEWSFLOW_SUPERSET_WAREHOUSE_URL, else the
    warehouse's server and database with the newsflow_superset login."""
    return os.environ.get("NEWSFLOW_SUPERSET_WAREHOUSE_URL") or login_url(SUPERSET_USER, SUPERSET_PASSWORD)


def login_url(user: str, password: str) -> str:
    """The warehouse's URL (newsflow.config.warehouse_url) with another login."""
    parts = urlsplit(warehouse_url())
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def connect_bi(url: str | None = None):
    """A read-only connection as the BI login (a session that cannot write, on top of the role)."""
    conn = psycopg2.connect(url or bi_url(), connect_timeout=5,
                            options="-c default_transaction_read_only=on -c statement_timeout=15000")
    conn.autocommit = True
    return conn


def freshness_state(hours: float | None, settings: OpsSettings, polls: int, failed_polls: int,
                    other_failures: int) -> str:
    """green, amber or red: red when nothing ever arrived, the newest article is older than the red
    limit, or every poll in the window failed; amber when older than the amber limit or anything
    (a poll, a page, an extraction) failed in the window."""
    if hours is None or hours >= settings.freshness_red_hours or (polls and failed_polls >= polls):
        return "red"
    if hours >= settings.freshness_amber_hours or failed_polls or other_failures:
        return "amber"
    return "green"


def _iso(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def source_health(conn, as_of: datetime, settings: OpsSettings) -> list[dict]:
    """One row per enabled source: polls, items, new pages and failures in the window, freshness."""
    since = as_of - timedelta(hours=settings.window_hours)
    with conn.cursor() as cur:
        rows = fetch_dicts(cur, sql("ops_source_health"), {"since": since, "as_of": as_of})
    for row in rows:
        newest = row["newest_article"]
        hours = (as_of - newest).total_seconds() / 3600 if newest else None
        row["freshness_hours"] = round(hours, 2) if hours is not None else None
        row["state"] = freshness_state(hours, settings, row["polls"], row["failed_polls"],
                                       row["failed_pages"] + row["failed_extractions"])
        for key, value in row.items():
            row[key] = _iso(value)
    return rows


def _days(as_of: datetime, n: int) -> tuple[date, date]:
    day_to = as_of.astimezone(timezone.utc).date()
    return day_to - timedelta(days=n - 1), day_to


def events_by_day(conn, as_of: datetime, settings: OpsSettings) -> dict:
    """Events per day and type over the last `event_days` days: {"days": [...], "series": {type: [...]}}."""
    day_from, day_to = _days(as_of, settings.event_days)
    with conn.cursor() as cur:
        rows = fetch_dicts(cur, sql("ops_events_by_day"), {"day_from": day_from, "day_to": day_to})
    days = [day_from + timedelta(days=i) for i in range(settings.event_days)]
    index = {d: i for i, d in enumerate(days)}
    series: dict[str, list[int]] = {}
    # in PLOVER order (cooperation to conflict), so the legend and the stacks are too
    for row in sorted(rows, key=lambda r: (r["sort_order"], r["day"])):
        series.setdefault(row["event_type"], [0] * len(days))[index[row["day"]]] = row["events"]
    with conn.cursor() as cur:
        cur.execute(sql("ops_latest_event_day"), {"day_to": day_to})
        latest = cur.fetchone()[0]
    return {"days": [d.isoformat() for d in days], "series": series,
            "latest_event_day": latest.isoformat() if latest else None}


def _top(conn, name: str, as_of: datetime, settings: OpsSettings) -> dict:
    day_from, day_to = _days(as_of, settings.top_days)
    with conn.cursor() as cur:
        rows = fetch_dicts(cur, sql(name), {"day_from": day_from, "day_to": day_to, "limit": settings.top_n})
    return {"day_from": day_from.isoformat(), "day_to": day_to.isoformat(), "rows": rows}


def top_places(conn, as_of: datetime, settings: OpsSettings) -> dict:
    return _top(conn, "ops_top_places", as_of, settings)


def top_actors(conn, as_of: datetime, settings: OpsSettings) -> dict:
    return _top(conn, "ops_top_actors", as_of, settings)


def data_checks(conn, as_of: datetime, settings: OpsSettings) -> list[dict]:
    """The checks of the latest days newsflow_daily built, newest first."""
    with conn.cursor() as cur:
        rows = fetch_dicts(cur, sql("ops_data_checks"),
                           {"day_to": as_of.astimezone(timezone.utc).date(), "days": settings.check_days})
    return [{k: _iso(v) for k, v in row.items()} for row in rows]


def overview(as_of: datetime | None = None, url: str | None = None,
             settings: OpsSettings | None = None) -> dict:
    """Everything the page shows, as of a moment (now by default), in one read-only session."""
    as_of = (as_of or datetime.now(timezone.utc)).astimezone(timezone.utc)
    settings = settings or load_ops_settings()
    conn = connect_bi(url)
    try:
        return {
            "as_of": as_of.isoformat(),
            "window_hours": settings.window_hours,
            "freshness_hours": {"amber": settings.freshness_amber_hours, "red": settings.freshness_red_hours},
            "sources": source_health(conn, as_of, settings),
            "events_by_day": events_by_day(conn, as_of, settings),
            "top_places": top_places(conn, as_of, settings),
            "top_actors": top_actors(conn, as_of, settings),
            "data_checks": data_checks(conn, as_of, settings),
        }
    finally:
        conn.close()
