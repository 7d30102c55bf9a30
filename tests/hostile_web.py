"""A local web server on 127.0.0.1 that misbehaves on purpose, for the fault tests.

Each test registers the answers it needs (`server.route(path, handler)`); a handler gets the
request handler and writes whatever it likes: slow drips, huge or compressed bodies, redirects.
"""
from __future__ import annotations

import gzip
import io
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from xml.sax.saxutils import escape

Handler = Callable[[BaseHTTPRequestHandler], None]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's naming)
        server: HostileServer = self.server.owner
        path = self.path.split("?", 1)[0]
        server.requests.append(self.path)
        handler = server.routes.get(path) or next(
            (h for prefix, h in sorted(server.routes.items(), key=lambda r: -len(r[0]))
             if prefix.endswith("/") and path.startswith(prefix)), None)
        if handler is None:
            send(self, 404, b"not here")
            return
        try:
            handler(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def log_message(self, *args):
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up on a drip or a bomb is the point of these tests


class HostileServer:
    def __init__(self):
        self.routes: dict[str, Handler] = {}
        self.requests: list[str] = []
        self._httpd = _QuietServer(("127.0.0.1", 0), _RequestHandler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, handler: Handler) -> str:
        """Answer `path` (every path under it when it ends with "/") with `handler`."""
        self.routes[path] = handler
        return self.url(path)

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()


# --- handlers ------------------------------------------------------------------------------------

def send(req: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None) -> None:
    req.send_response(status)
    for name, value in {"Content-Type": "application/xml", **(headers or {})}.items():
        req.send_header(name, value)
    req.send_header("Content-Length", str(len(body)))
    req.end_headers()
    req.wfile.write(body)


def static(body: bytes, status: int = 200, headers: dict | None = None) -> Handler:
    return lambda req: send(req, status, body, headers)


def redirect(location: str, status: int = 302) -> Handler:
    return lambda req: send(req, status, b"", {"Location": location})


def drip(body: bytes, every: float) -> Handler:
    """The body, one byte every `every` seconds."""
    def handler(req):
        req.send_response(200)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        for i in range(len(body)):
            req.wfile.write(body[i:i + 1])
            req.wfile.flush()
            time.sleep(every)
    return handler


def drip_headers(every: float, headers: int = 200) -> Handler:
    """A status line and many headers, one byte every `every` seconds: no read ever waits long."""
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Pad-%d: yyyyyyyyyy\r\n" % i for i in range(headers))

    def handler(req):
        for i in range(len(head)):
            req.wfile.write(head[i:i + 1])
            req.wfile.flush()
            time.sleep(every)
        req.close_connection = True
    return handler


def endless(total: int, declare_length: bool) -> Handler:
    """`total` bytes of text, generated as sent (declared in Content-Length or not)."""
    block = (b"<p>" + b"x" * 1020 + b"</p>") * 64

    def handler(req):
        req.send_response(200)
        req.send_header("Content-Type", "text/html")
        if declare_length:
            req.send_header("Content-Length", str(total))
        else:
            req.send_header("Connection", "close")
        req.end_headers()
        sent = 0
        while sent < total:
            piece = block[:total - sent]
            req.wfile.write(piece)
            sent += len(piece)
        req.close_connection = True
    return handler


def gzip_bomb(decompressed: int, prefix: bytes = b"") -> bytes:
    """A small gzip stream that inflates to `prefix` + zeros, `decompressed` bytes in all."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(prefix)
        zeros = b"\0" * (1 << 20)
        left = decompressed - len(prefix)
        while left > 0:
            gz.write(zeros[:left])
            left -= len(zeros)
    return out.getvalue()


def rss(items: list[tuple[str, str]], title: str = "Hostile feed") -> bytes:
    """An RSS 2.0 document of (title, link) items; titles are inserted as given (raw XML)."""
    entries = "".join(f"<item><title>{t}</title><link>{escape(link)}</link><guid>{escape(link)}</guid></item>"
                      for t, link in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://example.org/</link><description>x</description>{entries}</channel></rss>").encode()


def article(title: str, paragraphs: list[str]) -> bytes:
    """A small news page that the extractor reads as an article."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<meta property=\"og:title\" content=\"{title}\">"
            f"<meta property=\"article:published_time\" content=\"2024-12-03T08:00:00Z\"></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()
