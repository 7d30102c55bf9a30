"""Local replay of the news feeds and article pages under ``include/replay/``.

Real sites cannot be reached from the machines newsflow is tested on, so a small
HTTP server answers for them.  A real URL ``https://host/path?query`` is requested
as ``{base}/host/path?query`` and served from ``sites/<host>/<path>`` (phase 1) or
``phase2/<host>/<path>`` (the overlay used once the server is switched to phase 2).

Only the standard library is used so the server starts fast anywhere.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import threading
import time
from email.utils import format_datetime, parsedate_to_datetime
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

FAULTS_HOST = "faults.example"
PHASES = (1, 2)
# Deterministic Last-Modified per phase layer: a file's mtime changes on every clone.
LAST_MODIFIED = {
    1: datetime(2024, 12, 3, 23, 0, tzinfo=timezone.utc),
    2: datetime(2024, 12, 4, 6, 0, tzinfo=timezone.utc),
}
_UNSAFE_QUERY_CHARS = re.compile(r"[^A-Za-z0-9._-]")

SLOW_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Slow feed</title><link>https://faults.example/</link>
<description>A feed that answers late.</description>
<item><title>Late item</title><link>https://faults.example/late-item</link>
<pubDate>Mon, 02 Dec 2024 12:00:00 +0000</pubDate><guid>https://faults.example/late-item</guid></item>
</channel></rss>
"""
GARBAGE = b"\x00\x01 this is not a feed <<<< \xff\xfe {]} \n" * 8


def default_root() -> Path:
    """The replay folder: ``NEWSFLOW_REPLAY_ROOT`` or ``include/replay`` next to the package."""
    env = os.environ.get("NEWSFLOW_REPLAY_ROOT")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "replay"


def to_replay_url(url: str, base: str) -> str:
    """Map a real URL onto the replay server: scheme dropped, host as first path segment."""
    parts = urlsplit(url)
    path = parts.path or "/"
    replay = f"{base.rstrip('/')}/{parts.netloc}{path}"
    if parts.query:
        replay += f"?{parts.query}"
    return replay


def relative_fixture_name(url: str) -> Path | None:
    """``host/path[__query]`` of a real URL, relative to a phase layer; None if unsafe."""
    parts = urlsplit(url)
    host = parts.netloc.lower()
    path = unquote(parts.path or "/")
    segments = [s for s in path.split("/") if s]
    if not host or any(s in (".", "..") for s in segments) or host in (".", ".."):
        return None
    if path.endswith("/") or not segments:
        segments.append("index.html")
    if parts.query:
        segments[-1] += "__" + _UNSAFE_QUERY_CHARS.sub("_", parts.query)
    return Path(host, *segments)


def _layer_dirs(root: Path, phase: int) -> list[tuple[int, Path]]:
    """Phase layers to search, most specific first."""
    layers = [(1, root / "sites")]
    if phase >= 2:
        layers.insert(0, (2, root / "phase2"))
    return layers


def _find_fixture(url: str, root: Path, phase: int) -> tuple[int, Path] | None:
    relative = relative_fixture_name(url)
    if relative is None:
        return None
    for layer, directory in _layer_dirs(Path(root), phase):
        candidate = directory / relative
        if candidate.is_file():
            return layer, candidate
    return None


def fixture_path(url: str, root: Path, phase: int = 1) -> Path | None:
    """The file that serves a real URL in the given phase, or None when there is none."""
    found = _find_fixture(url, root, phase)
    return found[1] if found else None


def guess_content_type(body: bytes) -> str:
    """Content type from the bytes: fixtures keep the real sites' extension-less names."""
    head = body[:2000].lstrip()
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed"):
        if b"<rss" in head:
            return "application/rss+xml; charset=utf-8"
        if b"<feed" in head:
            return "application/atom+xml; charset=utf-8"
        return "application/xml; charset=utf-8"
    return "text/html; charset=utf-8"


def _sidecar_headers(path: Path) -> dict[str, str]:
    sidecar = path.with_name(path.name + ".headers.json")
    if sidecar.is_file():
        return json.loads(sidecar.read_text(encoding="utf-8"))
    return {}


def _not_modified(headers, etag: str, last_modified: datetime) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    if_modified_since = headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        return last_modified <= since
    return False


class ReplayHandler(BaseHTTPRequestHandler):
    """Answers one request from the fixtures of ``self.server``."""

    server_version = "newsflow-replay/1.0"

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by http.server
        pass  # quiet: tests and demos start this server many times

    def do_HEAD(self):
        self._answer(send_body=False)

    def do_GET(self):
        self._answer(send_body=True)

    # -- routing -------------------------------------------------------------
    def _answer(self, send_body: bool):
        parts = urlsplit(self.path)
        segments = parts.path.lstrip("/").split("/", 1)
        host = segments[0].lower()
        rest = "/" + (segments[1] if len(segments) > 1 else "")
        if host == "_replay":
            return self._control(rest, parse_qs(parts.query), send_body)
        if host == FAULTS_HOST:
            return self._fault(rest, parse_qs(parts.query), send_body)
        real_url = f"https://{host}{rest}" + (f"?{parts.query}" if parts.query else "")
        found = _find_fixture(real_url, self.server.root, self.server.phase)
        if found is None:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)
        layer, path = found
        self._serve_file(path, LAST_MODIFIED[layer], send_body)

    def _serve_file(self, path: Path, last_modified: datetime, send_body: bool):
        body = path.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        headers = {
            "Content-Type": guess_content_type(body),
            "ETag": etag,
            "Last-Modified": format_datetime(last_modified, usegmt=True),
            "Cache-Control": "max-age=60",
        }
        headers.update(_sidecar_headers(path))
        if _not_modified(self.headers, etag, last_modified):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            for name in ("ETag", "Last-Modified", "Cache-Control"):
                self.send_header(name, headers[name])
            self.end_headers()
            return
        self._send(HTTPStatus.OK, body, headers.pop("Content-Type"), send_body, headers)

    def _control(self, rest: str, query: dict, send_body: bool):
        if rest == "/health":
            return self._send(HTTPStatus.OK, b"ok", "text/plain; charset=utf-8", send_body)
        if rest == "/phase":
            if "set" in query:
                try:
                    self.server.set_phase(int(query["set"][0]))
                except ValueError as exc:
                    return self._send(HTTPStatus.BAD_REQUEST, f"{exc}\n".encode(), "text/plain", send_body)
            return self._send(HTTPStatus.OK, str(self.server.phase).encode(), "text/plain", send_body)
        return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)

    def _fault(self, rest: str, query: dict, send_body: bool):
        if rest == "/500":
            return self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"internal error\n", "text/plain", send_body)
        if rest == "/slow":
            try:
                seconds = float(query.get("seconds", ["30"])[0])
            except ValueError:
                seconds = 30.0
            time.sleep(max(0.0, seconds))
            return self._send(HTTPStatus.OK, SLOW_FEED, "application/rss+xml; charset=utf-8", send_body)
        if rest == "/garbage":
            return self._send(HTTPStatus.OK, GARBAGE, "application/rss+xml", send_body)
        return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8", send_body)

    def _send(self, status, body: bytes, content_type: str, send_body: bool, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. a timeout on the slow fault)


class _ReplayHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping "slow" request must not block shutdown
    allow_reuse_address = True

    def __init__(self, address, root: Path, phase: int):
        self.root = Path(root)
        self.phase = 1
        self.set_phase(phase)
        super().__init__(address, ReplayHandler)

    def set_phase(self, phase: int):
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}, not {phase}")
        self.phase = phase


class ReplayServer:
    """The replay server in a background thread; use as a context manager."""

    def __init__(self, root: Path | str | None = None, host: str = "127.0.0.1", port: int = 0, phase: int = 1):
        self.root = Path(root) if root else default_root()
        self._httpd = _ReplayHTTPServer((host, port), self.root, phase)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="newsflow-replay", daemon=True
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def phase(self) -> int:
        return self._httpd.phase

    def set_phase(self, phase: int):
        self._httpd.set_phase(phase)

    def url(self, real_url: str) -> str:
        """Shortcut for ``to_replay_url(real_url, self.base_url)``."""
        return to_replay_url(real_url, self.base_url)

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def serve_forever(root: Path | str | None = None, host: str = "127.0.0.1", port: int = 8765, phase: int = 1):
    """Serve in the foreground until interrupted (the ``newsflow replay-server`` command)."""
    httpd = _ReplayHTTPServer((host, port), Path(root) if root else default_root(), phase)
    bound_host, bound_port = httpd.server_address[:2]
    print(f"replay server on http://{bound_host}:{bound_port} (phase {phase}, root {httpd.root})", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="newsflow.replay", description="Serve the local feed and page replay.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--phase", type=int, choices=PHASES, default=1)
    parser.add_argument("--root", default=None, help="replay folder (default: include/replay)")
    args = parser.parse_args(argv)
    serve_forever(args.root, args.host, args.port, args.phase)


if __name__ == "__main__":
    main()
