"""HTTP fetching shared by feeds, pages and sitemaps: conditional GET, the local replay, and the
limits that make an unattended fetch of whatever a feed links to safe:

- an address guard: only public addresses are connected to, on the first request and on every
  redirect hop, checked where the socket is opened (so a name that resolves again to another
  address is checked again); the replay base and NEWSFLOW_ALLOW_HOSTS are the explicit exceptions;
- a total deadline per request (NEWSFLOW_HTTP_TIMEOUT seconds, redirects and body included), not a
  per-read timeout that a server sending one byte a second never trips;
- a byte cap on the body after decompression (NEWSFLOW_HTTP_MAX_PAGE_BYTES, ..._FEED_BYTES), so a
  huge response or a gzip bomb is refused and recorded instead of filling memory.
"""
from __future__ import annotations

import ipaddress
import os
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Iterator
from urllib.parse import urljoin, urlsplit

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from newsflow import __version__
from newsflow.config import ConfigError, http_timeout, replay_base

USER_AGENT = f"newsflow/{__version__} (+https://github.com/newsflow/newsflow)"
MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_HOST = re.compile(r"^[a-z0-9._-]+$|^[0-9a-f:.]+$")


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

    def retry_after(self, received_at: datetime) -> datetime | None:
        return retry_after(self.status, self.headers, received_at)


def retry_after(status: int | None, headers: dict, received_at: datetime) -> datetime | None:
    """When a 429 or 503 answer asks to come back (Retry-After), as a UTC time; else None.

    Seconds count from `received_at`, the caller's logical time, so a re-run decides alike."""
    if status not in (429, 503):
        return None
    value = str(headers.get("Retry-After") or "").strip()
    if value.isdigit():
        return received_at + timedelta(seconds=min(int(value), 7 * 86400))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


# --- settings ------------------------------------------------------------------------------------

def _env_bytes(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"{name} must be a positive number of bytes, got {raw!r}")
    return value


def max_page_bytes() -> int:
    """Largest page body (after decompression) that is kept; larger ones are refused."""
    return _env_bytes("NEWSFLOW_HTTP_MAX_PAGE_BYTES", 10 * 1024 * 1024)


def max_feed_bytes() -> int:
    """Largest feed or sitemap body (after decompression) that is kept."""
    return _env_bytes("NEWSFLOW_HTTP_MAX_FEED_BYTES", 20 * 1024 * 1024)


@dataclass(frozen=True)
class AllowList:
    """Hosts and networks that may be fetched although they are not public addresses."""
    hosts: frozenset[str] = frozenset()                 # host names or literals, any port
    host_ports: frozenset[tuple[str, int]] = frozenset()
    networks: tuple = ()

    def allows_host(self, host: str, port: int) -> bool:
        host = host.lower().strip("[]")
        return host in self.hosts or (host, port) in self.host_ports

    def allows_address(self, ip) -> bool:
        return any(ip.version == net.version and ip in net for net in self.networks)


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


@lru_cache(maxsize=8)
def _parse_allow_list(spec: str, base: str | None) -> AllowList:
    hosts, host_ports, networks = set(), set(), []
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        parts = urlsplit(f"//{entry}")
        try:
            port = parts.port
        except ValueError:
            port = None
            parts = None
        if not parts or not parts.hostname or parts.path or parts.query or not _HOST.match(parts.hostname):
            raise ConfigError(f"NEWSFLOW_ALLOW_HOSTS: {entry!r} is not a host, host:port or CIDR network")
        if port is None:
            hosts.add(parts.hostname.lower())
        else:
            host_ports.add((parts.hostname.lower(), port))
    if base:  # the replay server: exactly its host and port
        parts = urlsplit(base)
        if parts.hostname:
            host_ports.add((parts.hostname.lower(), parts.port or _default_port(parts.scheme)))
    return AllowList(frozenset(hosts), frozenset(host_ports), tuple(networks))


def allow_list() -> AllowList:
    return _parse_allow_list(os.environ.get("NEWSFLOW_ALLOW_HOSTS", ""), replay_base())


# --- the address guard ---------------------------------------------------------------------------

class AddressRefused(Exception):
    """The URL's host is, or resolves to, an address newsflow does not connect to."""


def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 one stands for (mapped, 6to4, Teredo, NAT64), else None."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(ip) -> bool:
    """A globally routable unicast address (not private, loopback, link-local, reserved, ...)."""
    if isinstance(ip, str):
        ip = ipaddress.ip_address(ip)
    inner = _embedded_ipv4(ip)
    if inner is not None and not is_public_address(inner):
        return False
    return ip.is_global and not ip.is_multicast


def vetted_address(host: str, port: int) -> str:
    """The address to connect to for host:port, resolved once; AddressRefused when it is not public
    and not allowed. A name resolving to several addresses must resolve to allowed ones only."""
    allowed = allow_list()
    if allowed.allows_host(host, port):
        return host
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise AddressRefused(f"{host!r} is not a valid host name: {exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not (is_public_address(ip) or allowed.allows_address(ip)):
            shown = host if host == address else f"{host} ({address})"
            raise AddressRefused(f"refused to connect to {shown}: not a public address "
                                 "(allow it with NEWSFLOW_ALLOW_HOSTS)")
    return addresses[0]


# The deadline of the fetch running in this thread. Socket timeouts bound each read, not a server
# that answers a byte at a time: past the deadline a watchdog shuts the socket, which ends the
# blocked read (TLS handshake, status line and headers; the body loop checks the deadline itself).
_deadline = threading.local()


def _shut(conn) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _DeadlineMixin:
    def _within_deadline(self, call, *args, **kwargs):
        deadline = getattr(_deadline, "at", None)
        if deadline is None:
            return call(*args, **kwargs)
        watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), _shut, (self,))
        watchdog.daemon = True
        watchdog.start()
        try:
            return call(*args, **kwargs)
        finally:
            watchdog.cancel()

    def _new_conn(self):
        # the checked address is the one connected to: no second lookup can answer differently
        # (for HTTPS the certificate and SNI still use the host name, self.host)
        self._dns_host = vetted_address(self._dns_host, self.port)
        return super()._new_conn()

    def connect(self):
        return self._within_deadline(super().connect)

    def getresponse(self, *args, **kwargs):
        return self._within_deadline(super().getresponse, *args, **kwargs)


class _GuardedHTTPConnection(_DeadlineMixin, urllib3.connection.HTTPConnection):
    pass


class _GuardedHTTPSConnection(_DeadlineMixin, urllib3.connection.HTTPSConnection):
    pass


class _GuardedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


# --- fetching ------------------------------------------------------------------------------------

def _to_replay(url: str, base: str) -> str:
    from newsflow.replay import to_replay_url
    return to_replay_url(url, base)


def _from_replay(url: str, base: str) -> str:
    """Map a replay URL back to the real one it stands for (after a redirect inside the replay)."""
    prefix = base.rstrip("/") + "/"
    if url.startswith(prefix):
        return "https://" + url[len(prefix):]
    return url


_session: tuple[AllowList, requests.Session] | None = None


def _get_session() -> requests.Session:
    """One session (connection pool) per allow list: a pooled connection was checked against the
    settings it was opened under, so new settings get new connections."""
    global _session
    allowed = allow_list()
    if _session is None or _session[0] != allowed:
        if _session is not None:
            _session[1].close()
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        session.headers["Accept-Encoding"] = "gzip, deflate"  # the encodings _read_body decodes
        session.trust_env = False  # no proxies or .netrc from the environment: the guard decides
        adapter = _GuardedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        _session = (allowed, session)
    return _session[1]


class _Refused(Exception):
    """The response broke a limit (deadline, size): the message says which."""


def _remaining(deadline: float, what: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise _Refused(what)
    return left


class _Inflater:
    """gzip or deflate decoding that never makes more than `piece` bytes from one call, however
    small the input: a compressed chunk of a few kilobytes may stand for gigabytes."""

    def __init__(self, encoding: str, piece: int = CHUNK_BYTES):
        self.wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.piece, self.first = piece, True
        self.engine = zlib.decompressobj(self.wbits)

    def pieces(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self.engine.decompress(data, self.piece)
            except zlib.error:
                if not (self.first and self.wbits == zlib.MAX_WBITS):
                    raise
                # "deflate" is often sent raw, without the zlib header
                self.wbits, self.engine = -zlib.MAX_WBITS, zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self.first = False
            if out:
                yield out
            data = self.engine.unconsumed_tail
            if self.engine.eof and self.engine.unused_data:  # another gzip member follows
                data, self.engine = self.engine.unused_data, zlib.decompressobj(self.wbits)


def _read_body(resp: requests.Response, max_bytes: int, deadline: float, limit: str) -> bytes:
    """The decompressed body, read as it arrives, within the deadline and the byte cap."""
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _Refused(f"response too large: Content-Length {declared} bytes > cap {max_bytes}")
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise _Refused(f"unsupported Content-Encoding {encoding!r}")
    inflater = _Inflater(encoding) if encoding not in ("identity", "") else None
    raw, chunks, total = resp.raw, [], 0
    while True:
        left = _remaining(deadline, limit)
        sock = getattr(raw.connection, "sock", None) if raw.connection else None
        if sock is not None:  # no single read may outlast the request's deadline
            sock.settimeout(left)
        # read1: whatever has arrived (up to a chunk), as sent; decoded here a bounded piece at a time
        chunk = raw.read1(CHUNK_BYTES, decode_content=False)
        if not chunk:
            return b"".join(chunks)
        for piece in inflater.pieces(chunk) if inflater else (chunk,):
            total += len(piece)
            if total > max_bytes:
                raise _Refused(f"response too large: more than {max_bytes} bytes"
                               + (" after decompression" if inflater else ""))
            chunks.append(piece)


def fetch(url: str, *, etag: str | None = None, last_modified: str | None = None,
          timeout: float | None = None, max_bytes: int | None = None) -> FetchResult:
    """GET a URL. Never raises for network or HTTP trouble, nor for a refused address or a broken
    limit: the error is in the result.

    `timeout` is the whole request's deadline (default NEWSFLOW_HTTP_TIMEOUT), `max_bytes` the cap
    on the decompressed body (default: the page cap)."""
    base = replay_base()
    budget = timeout or http_timeout()
    deadline = time.monotonic() + budget
    limit = f"timeout: no complete response within {budget:g}s"
    max_bytes = max_bytes or max_page_bytes()
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    target = _to_replay(url, base) if base else url
    final = url
    _deadline.at = deadline
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            final = _from_replay(target, base) if base else target
            if urlsplit(target).scheme not in ("http", "https"):
                return FetchResult(url, final, None, error=f"refused: not an http(s) URL: {target[:200]}")
            left = _remaining(deadline, limit)
            with _get_session().get(target, headers=headers, timeout=(left, left), stream=True,
                                    allow_redirects=False) as resp:
                if resp.status_code in REDIRECT_STATUSES and resp.headers.get("Location"):
                    target = urljoin(target, resp.headers["Location"])
                    continue
                content = b""
                if resp.status_code == 200:
                    content = _read_body(resp, max_bytes, deadline, limit)
                result = FetchResult(url, final, resp.status_code, content, dict(resp.headers))
                if resp.status_code not in (200, 304):
                    result.error = f"HTTP {resp.status_code}"
                return result
        return FetchResult(url, final, None, error=f"more than {MAX_REDIRECTS} redirects")
    except AddressRefused as exc:
        return FetchResult(url, final, None, error=str(exc))
    except _Refused as exc:
        return FetchResult(url, final, None, error=str(exc))
    except requests.Timeout:
        return FetchResult(url, final, None, error=limit)
    except zlib.error as exc:
        return FetchResult(url, final, None, error=f"invalid compressed body: {exc}")
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        if time.monotonic() >= deadline:
            return FetchResult(url, final, None, error=limit)
        return FetchResult(url, final, None, error=f"{type(exc).__name__}: {exc}")
    finally:
        _deadline.at = None
