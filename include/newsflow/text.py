"""Text utilities shared by the extraction stages: language detection,
normalisation for matching (Arabic and Latin), sentence splitting and tokenising.

All offsets are character offsets into the caller's original string.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from array import array
from itertools import accumulate, compress
from typing import NamedTuple

from newsflow.source import SOURCE_DIR

# Languages the detector is restricted to: each extra language costs memory
# and slows detection, and the feeds carry only these.
DETECTOR_LANGUAGES = ("ar", "en", "fr", "tr", "ru", "zh", "es", "de")

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3\u06FA-\u06FF]")
_LETTER = re.compile(r"[^\W\d_]")

_detector = None
_detector_lock = threading.Lock()


def _get_detector():
    """Build the lingua detector once, on first use (it costs ~0.5 s)."""
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                from lingua import IsoCode639_1, LanguageDetectorBuilder

                codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTOR_LANGUAGES]
                _detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
    return _detector


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it cannot tell."""
    if not text or not text.strip():
        return None
    sample = text[:2000]
    letters = _LETTER.findall(sample)
    if not letters:
        return None
    arabic = len(_ARABIC_LETTER.findall(sample))
    # Fast path: Arabic script dominates -> Arabic (the only Arabic-script
    # language among the feeds).
    if arabic / len(letters) > 0.6:
        return "ar"
    language = _get_detector().detect_language_of(sample)
    if language is None:
        return None
    return language.iso_code_639_1.name.lower()


# --- Arabic normalisation -------------------------------------------------

# Harakat, Quranic marks, superscript alef and tatweel are removed for matching.
_ARABIC_DELETE = (
    [chr(c) for c in range(0x064B, 0x0660)]
    + [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x06D6, 0x06EE)]
    + ["\u0670", "\u0640"]
)
_ARABIC_REPLACE = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي",
    "ة": "ه", "ۀ": "ه", "ە": "ه",
    "ؤ": "و", "ئ": "ي",
    "ک": "ك", "ڪ": "ك",
}
_ARABIC_TABLE = str.maketrans({**{c: None for c in _ARABIC_DELETE}, **_ARABIC_REPLACE})
_NEEDS_NFKC = re.compile(r"[\uFB50-\uFDFF\uFE70-\uFEFF]")


def normalize_arabic(s: str) -> str:
    """Arabic text folded for matching (not for display): no diacritics or
    tatweel, one alef, ى->ي, ة->ه, ؤ->و, ئ->ي, presentation forms decomposed."""
    if _NEEDS_NFKC.search(s):
        s = unicodedata.normalize("NFKC", s)
    return s.translate(_ARABIC_TABLE)


# Clitic prefixes: conjunctions (و ف), prepositions (ب ل ك) and the article.
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
MIN_STEM = 2


def _prefix_set() -> tuple[str, ...]:
    prefixes = set()
    for conj in _CONJUNCTIONS:
        for prep in _PREPOSITIONS:
            prefixes.add(conj + prep)
            if prep == "ل":
                prefixes.add(conj + "لل")  # ل + ال loses the alef: للمدينة
            else:
                prefixes.add(conj + prep + "ال")
    prefixes.discard("")
    return tuple(sorted(prefixes, key=len, reverse=True))


CLITIC_PREFIXES = _prefix_set()


def strip_clitics(token: str) -> list[str]:
    """Candidate stems of an Arabic token, the token itself first, then the
    stems left after removing clitic prefixes (و ف ب ل ك ال and combinations)."""
    candidates = [token]
    for prefix in CLITIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= MIN_STEM:
            stem = token[len(prefix):]
            if prefix.endswith("لل"):
                # للمدينة = ل + المدينة: offer the form with the article too.
                for form in ("ال" + stem, stem):
                    if form not in candidates:
                        candidates.append(form)
            elif stem not in candidates:
                candidates.append(stem)
    return candidates


# --- Normalisation for matching, with offsets -------------------------------

_QUOTE_MARKS = "'\u2018\u2019\u02bf\u02be\u02bb\u02bc`\u00b4"
_SPACE_LIKE = "-\u2010\u2011\u2012\u2013\u2014_" + _QUOTE_MARKS


def _fold_char(ch: str) -> str:
    """Fold one character for matching: Arabic rules, Latin accents removed,
    lower case; hyphens, apostrophes and whitespace become one space (so
    "Aleppo's" keeps the name whole). One character in, one out, except
    Arabic marks and combining marks (removed) and presentation forms."""
    if ch.isspace() or ch in _SPACE_LIKE:
        return " "
    if "\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff":
        return normalize_arabic(ch)
    lower = ch.lower()
    if ch.isascii():
        return lower
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    if ch == "ı":
        return "i"
    if len(base) == 1:
        return base
    if not base:
        return ""
    return lower if len(lower) == 1 else ch


# Characters seen so far that fold to zero or several characters (harakat,
# tatweel, ligatures): only their runs need offsets mapped one by one.
_IRREGULAR: set[str] = set()
_irregular_pattern: tuple[int, "re.Pattern | None"] = (0, None)  # (characters covered, pattern)


class _FoldTable(dict):
    """str.translate table filled on first sight of each character."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if len(folded) != 1:
            # Recorded before the table entry: whoever finds the entry finds it here too.
            _IRREGULAR.add(chr(code))
        self[code] = folded
        return folded


# The table behind fold_with_offsets, for callers that need only the folded text.
FOLD_TABLE = _FoldTable()


def _irregular_runs() -> "re.Pattern | None":
    """Pattern matching runs of the irregular characters seen so far; made
    again only when a new one has been seen."""
    global _irregular_pattern
    count, pattern = _irregular_pattern
    if count != len(_IRREGULAR):
        characters = sorted(_IRREGULAR)
        pattern = re.compile("[" + "".join(map(re.escape, characters)) + "]+")
        _irregular_pattern = (len(characters), pattern)
    return pattern


def fold_with_offsets(text: str) -> tuple[str, "array | range"]:
    """The text folded for matching (Arabic and Latin rules, see _fold_char)
    and, for each folded character, its offset in `text`."""
    # Folding is per character and keeps spaces: the words of a text, which
    # recur from text to text, are folded once each.
    return " ".join(map(_FOLDED_PIECES.__getitem__, text.split(" "))), fold_offsets(text)


def fold_offsets(text: str) -> "array | range":
    """For each character of the folded `text`, its offset in `text`. The
    text must have been folded before (its characters are then known)."""
    global _IDENTITY
    pattern = _irregular_runs()
    runs = list(pattern.finditer(text)) if pattern is not None else ()
    if not runs:
        return range(len(text))
    # Characters that fold to zero or several characters are rare (harakat,
    # tatweel, ligatures): copy 0, 1, 2, ... and mend their runs, from the
    # last so that the earlier ones keep their place.
    if len(_IDENTITY) < len(text):
        _IDENTITY = array("l", range(max(len(text), 2 * len(_IDENTITY))))
    offsets = _IDENTITY[:len(text)]
    for match in reversed(runs):
        start, end = match.span()
        offsets[start:end] = array("l", [index for index in range(start, end)
                                         for _ in range(len(FOLD_TABLE[ord(text[index])]))])
    return offsets


_IDENTITY = array("l")  # 0, 1, 2, ...: the offsets of text folded character for character


class BoundedMemo(dict):
    """key -> compute(key), computed on first sight; at most `limit` keys are
    kept, then the memory starts afresh (values are recomputed as needed)."""

    def __init__(self, compute, limit: int) -> None:
        super().__init__()
        self._compute, self._limit = compute, limit

    def __missing__(self, key):
        value = self._compute(key)
        if len(self) >= self._limit:
            self.clear()
        self[key] = value
        return value


def fold_piece(piece: str) -> str:
    """One space-separated piece of text, folded for matching (see _fold_char)."""
    return piece.translate(FOLD_TABLE)  # records the piece's irregular characters


# Space-separated pieces of text as written -> folded, for fold_with_offsets.
_FOLDED_PIECES = BoundedMemo(fold_piece, 50_000)


_FOLDING_SECTION = "\n# --- Arabic normalisation ---"
_TOKENS_SECTION = "\n# --- Tokens and sentences ---"


def fold_for_match(text: str) -> str:
    """The folded form of `text` used for gazetteer and lexicon keys: folded,
    runs of spaces collapsed, without surrounding spaces or full stops."""
    return " ".join(text.translate(FOLD_TABLE).split()).strip(".")


def folding_signature() -> str:
    """What decides fold_for_match's output: the code and tables of the
    folding rules and the Unicode version. Indexes keyed on folded text are
    rebuilt when it changes. The code is read as source text: the sections
    from Arabic normalisation to tokens."""
    source = (SOURCE_DIR / "text.py").read_text(encoding="utf-8")
    parts = [source[source.index(_FOLDING_SECTION):source.index(_TOKENS_SECTION)]]
    parts += [repr(sorted(_ARABIC_TABLE.items())), _NEEDS_NFKC.pattern, _SPACE_LIKE, unicodedata.unidata_version]
    return "\n".join(parts)


def normalize_for_match(text: str, language: str | None = None) -> str:
    """Text normalised for dictionary matching: Arabic folding for Arabic,
    case folding for other languages (mixed text gets both)."""
    if language == "ar":
        return normalize_arabic(text)
    if language is None and _ARABIC_LETTER.search(text):
        return normalize_arabic(text).casefold()
    return text.casefold()


# --- Tokens and sentences ---------------------------------------------------

_MARKS = "\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640"
_TOKEN = re.compile(rf"(?:[^\W_]|[{_MARKS}])+(?:['’](?:[^\W_]|[{_MARKS}])+)*")


def tokenize(text: str) -> list[tuple[int, int, str]]:
    """Word tokens (letters, digits, Arabic marks, inner apostrophes) with offsets."""
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


class Sentence(NamedTuple):
    start: int
    end: int
    text: str


# Abbreviations after which a full stop does not end an English sentence.
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt gen lt col maj capt cmdr sgt adm gov sen rep pres
    rev hon fr messrs no vs etc al approx inc corp ltd co dept univ est fig
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun""".split()
)

# Candidate boundaries: terminal punctuation (Latin and Arabic), optional
# closing quotes/brackets, then whitespace; or a line break. Written to begin
# with one character class, which the regex engine skips to directly.
_BOUNDARY = re.compile(r"[.!?؟؛…\n](?:(?<=\n)|[.!?؟؛…]*[\"'”’»)\]]*(?=\s))")
_ABBREVIATION_BEFORE = re.compile(r"(?:^|[\s(\"'“])((?:[A-Za-z]\.)+[A-Za-z]?|[A-Za-z]+)\.$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the full stop at `dot` closes an abbreviation (Dec., U.S.,
    Mr.) and the next word does not look like a new sentence start."""
    match = _ABBREVIATION_BEFORE.search(text, max(0, dot - 20), dot + 1)
    if not match:
        return False
    word = match.group(1)
    if "." in word or len(word) == 1:  # initials and U.S.-style abbreviations
        follower = text[dot + 1:dot + 40].lstrip()
        # "the U.S. Army": continue; "in the U.S. The ...": ambiguous; keep joined
        # unless the next word is a common sentence opener.
        first = follower.split(" ", 1)[0] if follower else ""
        return first not in {"The", "He", "She", "It", "They", "We", "But", "In", "A", "This"}
    return word.lower() in ABBREVIATIONS


def split_sentences(text: str, language: str | None = None) -> list[Sentence]:
    """Sentences with character offsets into `text`. Splits on . ! ? ؟ ؛ …
    followed by whitespace and on line breaks; skips English abbreviations
    and decimals (16.7); strips surrounding whitespace."""
    sentences: list[Sentence] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        punctuation = match.group()  # "\n" at a line break
        if punctuation[0] == ".":
            marks = len(punctuation.rstrip("\"'”’»)]"))
            if marks == 1 and _is_abbreviation(text, match.start()):
                continue
        end = match.end()
        _append_sentence(sentences, text, start, end)
        start = end
    _append_sentence(sentences, text, start, len(text))
    return sentences


def _append_sentence(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped or not _LETTER.search(stripped) and not any(ch.isdigit() for ch in stripped):
        return  # blank, or punctuation only
    left = start + (len(chunk) - len(chunk.lstrip()))
    right = left + len(stripped)
    sentences.append(Sentence(left, right, text[left:right]))


class PieceCache:
    """Per-piece results over folded text: ``compute(piece)`` for each space-separated piece,
    remembered for pieces seen before (words recur across documents). At most ``limit`` pieces
    are kept; then the memory starts afresh."""

    def __init__(self, compute, limit: int) -> None:
        self._entries = BoundedMemo(compute, limit)

    def pieces(self, folded: str):
        """(offset of the piece in ``folded``, its result) for each piece whose result is not
        empty, in order."""
        pieces = folded.split(" ")
        found = list(map(self._entries.__getitem__, pieces))
        return compress(zip(piece_offsets(pieces), found), found)


def piece_offsets(pieces: list[str]):
    """The offset of each piece in ``" ".join(pieces)`` (an iterator): each starts after
    the pieces before it and one space each."""
    return accumulate(map(_PLUS_ONE, map(len, pieces)), initial=0)


_PLUS_ONE = (1).__add__
