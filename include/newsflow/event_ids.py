"""Event ids (`event_key`) without numpy, and the text folding they share with dedup.

A coding task imports this module, not `newsflow.dedup`: importing dedup (numpy) took 0.7 s of each
event-coding task process, for ids that are a uuid5 of a few short strings. `fold_text` is
`dedup.normalize_text` in plain Python over the same rules (dedup vectorises them for whole article
texts; a test checks that both fold every code point alike), so stored event ids do not change.
"""
from __future__ import annotations

import re
import unicodedata
import uuid
from functools import lru_cache

# Fixed namespace so cluster and event ids are the same on every machine and every reload.
NEWSFLOW_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "newsflow.dedup")
EVENT_NAMESPACE = uuid.uuid5(NEWSFLOW_NAMESPACE, "event")

# Harakat, Quranic marks and the superscript alef carry no meaning for matching.
ARABIC_MARKS = [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)]
ARABIC_FOLD = {
    0x0640: None,  # tatweel
    0x0622: "\u0627",  # alef with madda -> alef
    0x0623: "\u0627",  # alef with hamza above -> alef
    0x0625: "\u0627",  # alef with hamza below -> alef
    0x0671: "\u0627",  # alef wasla -> alef
    0x0649: "\u064a",  # alef maqsura -> ya
    0x06CC: "\u064a",  # Farsi ya -> ya
    0x0629: "\u0647",  # ta marbuta -> ha
    0x0624: "\u0648",  # waw with hamza -> waw
    0x0626: "\u064a",  # ya with hamza -> ya
    0x06A9: "\u0643",  # keheh -> kaf
    **{0x0660 + d: str(d) for d in range(10)},  # Arabic-Indic digits
    **{0x06F0 + d: str(d) for d in range(10)},  # Extended Arabic-Indic digits
}
# Code points at or above this are letters (CJK extensions) or unused: kept as they are.
FOLD_TABLE_SIZE = 0x20000


@lru_cache(maxsize=1)
def fold_map() -> dict[int, str | None]:
    """`str.translate` table of the folding below FOLD_TABLE_SIZE: punctuation (P*), symbols (S*),
    separators (Z*) and control/format characters (Cc, Cf) to spaces, Arabic marks and tatweel
    dropped, Arabic letter variants and digits folded. Built on first use (about 0.05 s)."""
    table: dict[int, str | None] = {}
    for cp in range(FOLD_TABLE_SIZE):
        category = unicodedata.category(chr(cp))
        if category[0] in "PSZ" or category in ("Cc", "Cf"):
            table[cp] = " "
    table.update(dict.fromkeys(ARABIC_MARKS))
    table.update(ARABIC_FOLD)
    return table


_SPACES = re.compile(" +")


def fold_text(text: str) -> str:
    """Text as dedup matches it (`dedup.normalize_text`): NFKC, case-folded, the folding above,
    whitespace collapsed."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(fold_map())
    return _SPACES.sub(" ", folded).strip(" ")


DATE_PRECISIONS = ("day", "month", "year", "unknown")


def _precision(date_precision: str | None) -> str:
    precision = (date_precision or "unknown").strip().lower()
    if precision not in DATE_PRECISIONS:
        raise ValueError(f"date_precision must be one of {DATE_PRECISIONS}, got {date_precision!r}")
    return precision


def _event_date_part(event_date, precision: str) -> str:
    if precision == "unknown" or not event_date:
        return ""
    if hasattr(event_date, "isoformat"):  # datetime.date or datetime.datetime
        event_date = event_date.isoformat()
    match = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", str(event_date))
    if not match:
        raise ValueError(f"event_date must start with yyyy[-mm[-dd]], got {event_date!r}")
    year, month, day = match.groups()
    if precision == "year":
        return f"{year}"
    if month is None:
        raise ValueError(f"event_date {event_date!r} lacks the month its precision needs")
    if precision == "month":
        return f"{year}-{int(month):02d}"
    if day is None:
        raise ValueError(f"event_date {event_date!r} lacks the day its precision needs")
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _code(value: str | None) -> str:
    return (value or "").strip().upper()


def event_key(
    event_date,
    date_precision: str | None,
    event_type: str,
    country: str | None,
    admin1: str | None,
    location_name: str | None,
    actor1_code: str | None,
    actor2_code: str | None,
) -> str:
    """Deterministic id (uuid5 string) of the merged event that a mention belongs to.

    Mentions share a key when all of these agree after normalisation:
    - date (an ISO string or a date), cut to its precision: "day" keys on yyyy-mm-dd,
      "month" on yyyy-mm, "year" on yyyy, "unknown" (or None) on no date at all; the
      precision is part of the key, so a day-precise and a month-precise mention of the
      same month do not merge; a time of day or offset after the date is ignored;
    - event type, country and actor codes: trimmed, upper-case;
    - admin1 and location name: `fold_text` (case, punctuation, Arabic letter variants);
    - actor order: actor1 acts on actor2, so swapping them gives another event.
    Missing values take part as empty strings.
    """
    if not event_type or not event_type.strip():
        raise ValueError("event_type is required")
    precision = _precision(date_precision)
    parts = [
        _event_date_part(event_date, precision),
        precision,
        _code(event_type),
        _code(country),
        fold_text(admin1 or ""),
        fold_text(location_name or ""),
        _code(actor1_code),
        _code(actor2_code),
    ]
    return str(uuid.uuid5(EVENT_NAMESPACE, "\x1f".join(parts)))
