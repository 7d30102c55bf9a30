"""HTTP fetching shared by feeds, pages and sitemaps: timeouts, conditional GET, the local replay."""
from __future__ import annotations

from dataclasses import dataclass, field

import requests

from newsflow import __version__
from newsflow.config import http_timeout, replay_base

USER_AGENT = f"newsflow/{__version__} (+https://github.com/newsflow/newsflow)"


@dataclass
class FetchResult:
    url: str                      # the URL asked for (real, not rewritten)
    final_url: str                # after redirects, mapped back to the real host under replay
    status: int | None            # HTTP status, None when no response came
    content: bytes = b""
    headers: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def _to_replay(url: str, base: str) -> str:
    from newsflow.replay import to_replay_url
    return to_replay_url(url, base)


def _from_replay(url: str, base: str) -> str:
    """Map a replay URL back to the real one it stands for (after a redirect inside the replay)."""
    prefix = base.rstrip("/") + "/"
    if url.startswith(prefix):
        return "https://" + url[len(prefix):]
    return url


_session: requests.Session | None = None


def _get_session() -> requests.Session:
    global _session
    if _session is None:
        _session = requests.Session()
        _session.headers["User-Agent"] = USER_AGENT
    return _session


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          timeout: float | None = None) -> FetchResult:
    """GET a URL. Never raises for network or HTTP trouble: the error is in the result."""
    base = replay_base()
    target = _to_replay(url, base) if base else url
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        resp = _get_session().get(target, headers=headers, timeout=timeout or http_timeout(),
                                  allow_redirects=True)
    except requests.Timeout:
        return FetchResult(url, url, None, error=f"timeout after {timeout or http_timeout():g}s")
    except requests.RequestException as exc:
        return FetchResult(url, url, None, error=f"{type(exc).__name__}: {exc}")
    final = _from_replay(resp.url, base) if base else resp.url
    result = FetchResult(url, final, resp.status_code, resp.content, dict(resp.headers))
    if resp.status_code not in (200, 304):
        result.error = f"HTTP {resp.status_code}"
    return result
