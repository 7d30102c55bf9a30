"""Raw HTML as the warehouse keeps it (raw.page.html_gz, and the files the HTML retention writes).

Pages are stored zstd-compressed (level 3) since migration 019; pages stored before are gzip. Both
read back: the format is told by the first bytes of the stored value, so no row needs rewriting.
On 258 real news pages (320 KB of HTML each) zstd level 3 keeps 55.7 KB a page in 0.75 ms of CPU,
gzip level 6 60.3 KB in 6.3 ms (docs/scaling.md, "Storage")."""
from __future__ import annotations

import gzip

import zstandard

ZSTD_LEVEL = 3
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_GZIP_MAGIC = b"\x1f\x8b"


def pack(html: bytes) -> bytes:
    """The stored form of a page's HTML (a zstd frame that records its size)."""
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(html)


def unpack(stored: bytes) -> bytes:
    """A page's HTML from its stored form: zstd, or gzip for pages stored before migration 019."""
    stored = bytes(stored)
    if stored.startswith(_ZSTD_MAGIC):
        return zstandard.ZstdDecompressor().decompress(stored)
    if stored.startswith(_GZIP_MAGIC):
        return gzip.decompress(stored)
    raise ValueError(f"stored HTML is neither zstd nor gzip (starts with {stored[:4].hex() or 'nothing'})")


def file_suffix(stored: bytes) -> str:
    """The file name ending of a stored page written out as it is: .html.zst or .html.gz."""
    return ".html.gz" if bytes(stored[:2]) == _GZIP_MAGIC else ".html.zst"
