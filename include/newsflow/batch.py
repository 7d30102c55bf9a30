"""Reading the JSON-lines batches of `newsflow extract|events|dedup --batch`.

Input is untrusted: a line that is not UTF-8 or not a JSON object becomes an error for that line
(the batch goes on), NUL characters are dropped, and a page file is read within a size cap.
"""
from __future__ import annotations

import gzip
import json
import zlib
from typing import BinaryIO, Iterator

from newsflow.sanitize import clean_value

READ_CHUNK = 1 << 16


class BatchInputError(Exception):
    """The batch itself cannot be read (missing file, a directory, an I/O error)."""


class UndecodableLine(str):
    """A batch line that is not valid UTF-8: its text with the bad bytes replaced, and why."""

    error: str

    def __new__(cls, raw: bytes, exc: UnicodeDecodeError):
        line = super().__new__(cls, raw.decode("utf-8", "replace"))
        line.error = f"line is not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        return line


def decoded_lines(handle: BinaryIO, name: str) -> Iterator[str]:
    """The lines of a binary stream as text; a line that is not UTF-8 comes as an UndecodableLine."""
    try:
        for number, raw in enumerate(handle):
            if number == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark some editors write
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield UndecodableLine(raw, exc)
    except OSError as exc:
        raise BatchInputError(f"cannot read batch {name}: {exc.strerror or exc}") from None


def open_batch(path: str, stdin: BinaryIO) -> Iterator[str]:
    """The lines of the batch file at `path` ("-": `stdin`); BatchInputError when it cannot be opened."""
    if path == "-":
        return decoded_lines(stdin, "from standard input")
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise BatchInputError(f"cannot read batch file {path}: {exc.strerror or exc}") from None

    def lines() -> Iterator[str]:
        with handle:
            yield from decoded_lines(handle, f"file {path}")
    return lines()


def parse_json_object(line: str) -> dict:
    """One batch line as a dict (NUL characters dropped); ValueError with a message fit for the
    output's "error"."""
    if isinstance(line, UndecodableLine):
        raise ValueError(line.error)
    try:
        record = json.loads(line.replace("\x00", ""))
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} at column {exc.colno}") from exc
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise ValueError("line is not a JSON object")
    return clean_value(record)


def read_page_file(path: str, max_bytes: int) -> bytes:
    """A page file's bytes, gunzipped when it is gzip, refused (ValueError) past `max_bytes`: the
    cap holds for the decompressed size, so a small file that inflates to gigabytes costs nothing."""
    with open(path, "rb") as handle:
        head = handle.read(2)
        handle.seek(0)
        if path.endswith(".gz") or head == b"\x1f\x8b":
            stream = gzip.GzipFile(fileobj=handle, mode="rb")
            what = "decompressed page"
        else:
            stream, what = handle, "page"
        chunks, total = [], 0
        try:
            while chunk := stream.read(READ_CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise ValueError(f"{what} larger than the cap of {max_bytes} bytes")
                chunks.append(chunk)
        except (zlib.error, gzip.BadGzipFile) as exc:
            raise ValueError(f"not a valid gzip file: {exc}") from None
    return b"".join(chunks)
