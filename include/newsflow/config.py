"""Configuration: feeds and settings are data in files and environment, validated on load."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = Path(os.environ.get("NEWSFLOW_CONFIG_DIR", PROJECT_ROOT / "include" / "config"))

FEED_KINDS = ("publisher", "wire")
_FEED_ID = re.compile(r"^[a-z0-9_]+$")
_LANG = re.compile(r"^[a-z]{2}$")


class ConfigError(ValueError):
    """A configuration file is missing, malformed or has an invalid entry."""


@dataclass(frozen=True)
class Feed:
    id: str
    name: str
    url: str
    language: str
    kind: str
    enabled: bool = True
    site: str | None = None
    sitemap_url: str | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


def _validate_feed(entry: object, index: int, path: Path) -> Feed:
    where = f"{path}: feeds[{index}]"
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(entry).__name__}")
    label = f"{where} (id={entry.get('id')!r})"
    missing = [k for k in ("id", "name", "url", "language", "kind", "enabled") if k not in entry]
    if missing:
        raise ConfigError(f"{label}: missing field(s) {', '.join(missing)}")
    unknown = set(entry) - {"id", "name", "url", "language", "kind", "enabled", "site", "sitemap_url"}
    if unknown:
        raise ConfigError(f"{label}: unknown field(s) {', '.join(sorted(unknown))}")
    if not isinstance(entry["id"], str) or not _FEED_ID.match(entry["id"]):
        raise ConfigError(f"{label}: id must match [a-z0-9_]+")
    parts = urlsplit(str(entry["url"]))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{label}: url must be an http(s) URL, got {entry['url']!r}")
    if not isinstance(entry["language"], str) or not _LANG.match(entry["language"]):
        raise ConfigError(f"{label}: language must be an ISO 639-1 code such as 'en' or 'ar'")
    if entry["kind"] not in FEED_KINDS:
        raise ConfigError(f"{label}: kind must be one of {', '.join(FEED_KINDS)}, got {entry['kind']!r}")
    if not isinstance(entry["enabled"], bool):
        raise ConfigError(f"{label}: enabled must be true or false")
    sitemap = entry.get("sitemap_url")
    if sitemap is not None and not all(k in sitemap for k in ("{yyyy}", "{mm}", "{dd}")):
        raise ConfigError(f"{label}: sitemap_url must contain {{yyyy}}, {{mm}} and {{dd}}")
    return Feed(
        id=entry["id"], name=str(entry["name"]), url=str(entry["url"]), language=entry["language"],
        kind=entry["kind"], enabled=entry["enabled"], site=entry.get("site"), sitemap_url=sitemap,
    )


def feeds_path() -> Path:
    return Path(os.environ.get("NEWSFLOW_FEEDS_FILE", CONFIG_DIR / "feeds.yaml"))


# libyaml's parser when PyYAML was built with it (the wheels are): about 10x the pure-Python one
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} file not found") from None


def _parse_yaml(text: str, path: Path):
    try:
        return yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def _read_yaml(path: Path, what: str):
    """The parsed YAML of a configuration file; ConfigError when it is missing or malformed."""
    return _parse_yaml(_read_text(path, what), path)


# The feeds of the last feeds text read, by path and text: an ingest task looks its feed up once
# per feed, and parsing a thousand-feed file each time would cost more than the polls.
_feeds_read: tuple[str, str, tuple[Feed, ...]] | None = None


def _validated_feeds(path: Path) -> tuple[Feed, ...]:
    global _feeds_read
    text = _read_text(path, "feeds")
    if _feeds_read is not None and _feeds_read[:2] == (str(path), text):
        return _feeds_read[2]
    doc = _parse_yaml(text, path)
    if not isinstance(doc, dict) or not isinstance(doc.get("feeds"), list):
        raise ConfigError(f"{path}: expected a top-level 'feeds:' list")
    feeds = tuple(_validate_feed(e, i, path) for i, e in enumerate(doc["feeds"]))
    seen: set[str] = set()
    for i, feed in enumerate(feeds):
        if feed.id in seen:
            raise ConfigError(f"{path}: feeds[{i}] (id={feed.id!r}): duplicate id")
        seen.add(feed.id)
    _feeds_read = (str(path), text, feeds)
    return feeds


def load_feeds(path: str | Path | None = None, *, enabled_only: bool = False) -> list[Feed]:
    """Read and validate the feeds file; raise ConfigError naming the bad entry. The same text is
    not parsed twice."""
    feeds = _validated_feeds(Path(path) if path else feeds_path())
    return [f for f in feeds if f.enabled] if enabled_only else list(feeds)


def events_config_path() -> Path:
    return Path(os.environ.get("NEWSFLOW_EVENTS_FILE", CONFIG_DIR / "events.yaml"))


@dataclass(frozen=True)
class EventPolicy:
    """The one decision of which coded mentions are events (include/config/events.yaml)."""

    cut: float

    def is_event(self, confidence: float | None) -> bool:
        return confidence is not None and confidence >= self.cut


def load_settings_file(path: Path, what: str, fields: set[str]) -> dict:
    """A settings file: a YAML mapping with no field outside `fields`; ConfigError says what is wrong."""
    doc = _read_yaml(path, f"{what} settings")
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: expected a mapping with {', '.join(sorted(fields))}")
    unknown = set(doc) - fields
    if unknown:
        raise ConfigError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    return doc


def load_event_policy(path: str | Path | None = None) -> EventPolicy:
    """Read and validate the events settings; raise ConfigError naming the bad field."""
    path = Path(path) if path else events_config_path()
    doc = load_settings_file(path, "events", {"event_cut"})
    cut = doc.get("event_cut")
    if isinstance(cut, bool) or not isinstance(cut, (int, float)) or not 0.0 <= cut <= 1.0:
        raise ConfigError(f"{path}: event_cut must be a number between 0 and 1, got {cut!r}")
    return EventPolicy(cut=float(cut))


# The Airflow Connection of the warehouse; tasks read it when it exists (see warehouse_url).
WAREHOUSE_CONN_ID = "newsflow_warehouse"
# libpq parameters an Airflow Connection's extra may carry into the URL
_LIBPQ_EXTRAS = ("sslmode", "sslcert", "sslkey", "sslrootcert", "connect_timeout", "application_name",
                 "options", "target_session_attrs")


def connection_url(conn) -> str:
    """A libpq URL from an Airflow Connection (host, port, login, password, schema = database, extra)."""
    from urllib.parse import quote, urlencode

    user = quote(conn.login or "", safe="")
    if conn.password:
        user += ":" + quote(conn.password, safe="")
    host = conn.host or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (f"{user}@" if user else "") + host + (f":{conn.port}" if conn.port else "")
    extra = conn.extra_dejson if conn.extra else {}
    query = urlencode({k: extra[k] for k in _LIBPQ_EXTRAS if extra.get(k) not in (None, "")})
    return f"postgresql://{netloc}/{quote(conn.schema or '', safe='')}" + (f"?{query}" if query else "")


def _airflow_task_connection_url() -> str | None:
    """The warehouse Connection's URL when this runs inside an Airflow task and the Connection exists.

    The command line never imports Airflow for this: outside a task process the answer is None."""
    import sys

    if "airflow.sdk" not in sys.modules:
        return None
    from airflow.sdk import BaseHook, get_current_context
    from airflow.sdk.exceptions import AirflowNotFoundException
    try:
        get_current_context()
    except RuntimeError:  # Airflow is loaded (a test, the API server) but no task runs here
        return None
    try:
        return connection_url(BaseHook.get_connection(WAREHOUSE_CONN_ID))
    except AirflowNotFoundException:
        return None


def warehouse_url() -> str:
    """Connection string of the warehouse (libpq URL).

    Inside an Airflow task: the Airflow Connection `newsflow_warehouse` when it is defined (scripts/env.sh
    and docker compose set AIRFLOW_CONN_NEWSFLOW_WAREHOUSE from NEWSFLOW_WAREHOUSE_URL; the UI or a
    secrets backend may define it instead). Elsewhere, or without it: NEWSFLOW_WAREHOUSE_URL, else the
    private cluster of `make run`."""
    url = _airflow_task_connection_url() or os.environ.get("NEWSFLOW_WAREHOUSE_URL")
    if url:
        return url
    port = os.environ.get("NEWSFLOW_PG_PORT", "5433")
    return f"postgresql://postgres@127.0.0.1:{port}/newsflow_warehouse"


def replay_base() -> str | None:
    """Base URL of the local replay server; when set, every fetch goes there instead of the network."""
    return os.environ.get("NEWSFLOW_REPLAY_BASE") or None


def http_timeout() -> float:
    return float(os.environ.get("NEWSFLOW_HTTP_TIMEOUT", "10"))

