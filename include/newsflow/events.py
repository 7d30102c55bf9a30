"""Event coding: who did what to whom, where and when, in PLOVER terms.

One Aho-Corasick pass over the folded text finds trigger words (from
``data/events/plover.yaml``), actor words (``newsflow.actors``) and modifier
words (negation, intent, hedges). Per sentence, each trigger becomes an event
unless it is negated, lies in the content of an earlier verbal act ("called
for a ceasefire" is one REQUEST, not also a RETREAT) or needs an armed agent
that is missing. Intent turns cooperative acts into AGREE and hostile ones
into THREATEN. Source and target come from word order, passive voice and
actor sectors; the place from ``newsflow.places``; the date from
``newsflow.dates``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache, partial, reduce
from datetime import datetime
from importlib import resources
from itertools import chain, compress, repeat
from operator import itemgetter, or_
from pathlib import Path
from types import SimpleNamespace
from typing import Iterable, Iterator, NamedTuple

import yaml

from newsflow.batch import parse_json_object
from newsflow.actors import (
    ARMED_SECTORS,
    VICTIM_SECTORS,
    ActorEntry,
    ActorMention,
    Atom,
    LexiconMatcher,
    compose_actors,
    get_actor_coder,
    iso2_to_iso3,
    is_future_prefix,
    leading_actor,
    longest_non_overlapping,
)
from newsflow.text import BoundedMemo, fold_for_match, fold_offsets, fold_piece, piece_offsets, strip_clitics

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
# Older PLOVER / CAMEO labels found in gold data, mapped to the 2021 types.
LEGACY_TYPES = {
    "FIGHT": "ASSAULT",
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
}
COOPERATIVE = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
HOSTILE = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "PROTEST"})
RECIPROCAL = frozenset({"ASSAULT", "CONSULT", "COOPERATE"})
SUPPORTED_LANGUAGES = ("ar", "en")
PRECISION_RANK = {"village": 4, "city": 3, "admin1": 2, "country": 1}

NEGATION_WINDOW = 2      # tokens between a negator and its trigger
INTENT_WINDOW = 3
VERBAL_SCOPE = 12        # tokens after a verbal trigger that are its content
ACTOR_WINDOW = 6         # words between a trigger and an actor that count as its participant
VSO_WINDOW = 2           # Arabic: an actor this close after the verb is its subject
ANAPHORS = frozenset(fold_for_match(w) for w in
                     ["المدينة", "البلدة", "القرية", "the city", "the town", "the village"])
_ANAPHOR_CORES = frozenset(a.split()[-1].removeprefix("ال") for a in ANAPHORS)
_CLAUSE_BREAKS = frozenset(";:؛")
_WORD_PUNCTUATION = ".,،;:؛!?؟\"'«»“”()"


@dataclass(frozen=True)
class TriggerEntry:
    event_type: str
    mode: str | None
    weight: float
    verbal: bool
    armed_agent: bool
    participant: bool = False
    finite: bool = False  # an Arabic finite verb form ("اغتالوا"), not a noun ("اغتيال")


@dataclass(frozen=True)
class ModifierEntry:
    kind: str  # negation | intent | hedge | background


@dataclass(frozen=True)
class NotActEntry:
    """A phrase holding a trigger word in a sense that is no act (data/events/senses.yaml, not_acts)."""


@dataclass(frozen=True)
class SenseContext:
    """Folded context words of one sense (sports, business) and the triggers they turn to it,
    read in the trigger's sentence or (document) anywhere in the text."""
    words: frozenset
    phrases: tuple
    triggers: frozenset
    document: bool = False
    event_type: str | None = None  # the type the triggers take in this sense; None: no event


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the word-profile cache
class ClauseWords:
    """Folded Arabic word lists (data/events/plover.yaml, clauses.ar) used to
    judge whether an attack or protest word reports a concrete, realised act."""
    relative: frozenset
    clause_openers: frozenset
    realising_verbs: frozenset
    casualties: frozenset
    recent_times: frozenset
    months: frozenset
    reference_heads: frozenset
    framing_verbs: frozenset
    irrealis: frozenset
    generic_heads: frozenset
    verbal_attack_words: frozenset
    protest_verbs: frozenset
    policing_verbs: frozenset
    numerals: frozenset
    verb_or_noun: frozenset
    cumulative: frozenset
    victims: frozenset
    reporting_verbs: frozenset
    hostages: frozenset
    holding_verbs: frozenset


HABITUAL = ModifierEntry("hedge")  # "often", "usually": a general statement, weighed as a hedge
NOT_ACT = NotActEntry()


class EventDataError(ValueError):
    """data/events/plover.yaml is malformed."""


# --- Lexicon ---------------------------------------------------------------------

_IRREGULAR_PAST = {
    "meet": ("met",), "hold": ("held",), "give": ("gave", "given"), "shoot": ("shot",),
    "fight": ("fought",), "seek": ("sought",), "take": ("took", "taken"), "withdraw": ("withdrew", "withdrawn"),
    "beat": ("beaten",), "blow": ("blew", "blown"), "send": ("sent",), "forgive": ("forgave", "forgiven"),
    "overrun": ("overran",), "strike": ("struck",), "hand": (), "set": (), "cut": (), "shut": (),
    "sell": ("sold",), "lead": ("led",), "bring": ("brought",), "fly": ("flew", "flown"),
    "wound": (), "slay": ("slew", "slain"), "deal": ("dealt",), "cancel": ("cancelled", "cancelling"),
    "label": ("labelled",), "signal": ("signalled",), "equip": ("equipped",),
}


def _english_inflections(phrase: str) -> list[str]:
    """The phrase with its first word inflected: attack -> attacks, attacked,
    attacking; agree -> agreed; ship out -> shipped out."""
    head, _, rest = phrase.partition(" ")
    tail = f" {rest}" if rest else ""
    forms = {head, *_IRREGULAR_PAST.get(head, ())}
    if head.endswith("e"):
        forms |= {head + "s", head + "d", head + "ing" if head.endswith("ee") else head[:-1] + "ing"}
    elif head.endswith("y") and len(head) > 2 and head[-2] not in "aeiou":
        forms |= {head[:-1] + "ies", head[:-1] + "ied", head + "ing"}
    else:
        plural = head + "es" if head.endswith(("s", "sh", "ch", "x", "z")) else head + "s"
        forms |= {plural, head + "ed", head + "ing"}
        if (len(head) <= 4 and len(head) >= 3 and head[-1] not in "aeiouwxy"
                and head[-2] in "aeiou" and head[-3] not in "aeiou"):
            forms |= {head + head[-1] + "ed", head + head[-1] + "ing"}  # ship -> shipped
    return sorted(form + tail for form in forms)


def _english_plurals(phrase: str) -> list[str]:
    if phrase.endswith(("s", "ing", "ed")) or not phrase[-1:].isalpha():
        return [phrase]
    return [phrase, phrase + "s"]


def _word_list(value, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise EventDataError(f"{where}: expected a list of non-empty strings, got {value!r}")
    return value


def load_event_lexicon() -> dict:
    """The validated contents of data/events/plover.yaml."""
    path = resources.files("newsflow") / "data" / "events" / "plover.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EventDataError(f"data/events/plover.yaml: invalid YAML: {exc}") from exc
    types = (data or {}).get("types")
    if not isinstance(types, dict):
        raise EventDataError("data/events/plover.yaml: expected a 'types' mapping")
    unknown = set(types) - set(PLOVER_TYPES)
    missing = set(PLOVER_TYPES) - set(types)
    if unknown or missing:
        raise EventDataError(f"data/events/plover.yaml: unknown types {sorted(unknown)}, "
                             f"missing types {sorted(missing)}")
    triggers: dict[str, list[tuple[str, TriggerEntry]]] = {"en": [], "ar": []}
    for type_name, spec in types.items():
        where = f"data/events/plover.yaml: {type_name}"
        modes = _word_list(spec.get("modes"), f"{where}.modes")
        groups = spec.get("triggers")
        if not isinstance(groups, list) or not groups:
            raise EventDataError(f"{where}: needs a non-empty 'triggers' list")
        for index, group in enumerate(groups):
            gwhere = f"{where}.triggers[{index}]"
            if not isinstance(group, dict):
                raise EventDataError(f"{gwhere}: expected a mapping")
            unknown_keys = set(group) - {"mode", "weight", "en_verbs", "en", "ar", "ar_verbs", "armed_agent",
                                         "participant"}
            if unknown_keys:
                raise EventDataError(f"{gwhere}: unknown keys {sorted(unknown_keys)}")
            mode = group.get("mode")
            if mode is not None and mode not in modes:
                raise EventDataError(f"{gwhere}: mode {mode!r} is not among {type_name} modes {modes}")
            weight = group.get("weight", 0.7)
            if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
                raise EventDataError(f"{gwhere}: weight must be in (0, 1], got {weight!r}")
            entry = TriggerEntry(type_name, mode, float(weight), bool(spec.get("verbal")),
                                 bool(group.get("armed_agent")), bool(group.get("participant")))
            for verb in _word_list(group.get("en_verbs"), f"{gwhere}.en_verbs"):
                triggers["en"].extend((form, entry) for form in _english_inflections(verb))
            for word in _word_list(group.get("en"), f"{gwhere}.en"):
                triggers["en"].extend((form, entry) for form in _english_plurals(word))
            triggers["ar"].extend((word, entry) for word in _word_list(group.get("ar"), f"{gwhere}.ar"))
            finite = replace(entry, finite=True)
            triggers["ar"].extend((word, finite) for word in _word_list(group.get("ar_verbs"), f"{gwhere}.ar_verbs"))
    modifiers: dict[str, list[tuple[str, ModifierEntry]]] = {"en": [], "ar": []}
    for kind, spec in ((data.get("modifiers") or {}).items()):
        if kind not in ("negation", "intent", "hedge", "background"):
            raise EventDataError(f"data/events/plover.yaml: unknown modifier {kind!r}")
        for language in ("en", "ar"):
            words = _word_list((spec or {}).get(language), f"modifiers.{kind}.{language}")
            modifiers[language].extend((w, ModifierEntry(kind)) for w in words)
    clauses = (data.get("clauses") or {}).get("ar") or {}
    unknown = set(clauses) - set(ClauseWords.__dataclass_fields__)
    missing = set(ClauseWords.__dataclass_fields__) - set(clauses)
    if unknown or missing:
        raise EventDataError(f"data/events/plover.yaml: clauses.ar: unknown lists {sorted(unknown)}, "
                             f"missing lists {sorted(missing)}")
    clause_words = ClauseWords(**{
        name: frozenset(fold_for_match(w) for w in _word_list(words, f"clauses.ar.{name}"))
        for name, words in clauses.items()
    })
    return {"triggers": triggers, "modifiers": modifiers, "clauses": clause_words}


def load_senses(path=None) -> dict:
    """The validated contents of data/events/senses.yaml (or `path`): per language, the not-act
    phrases, the sense contexts, the month words and the habitual words."""
    source = Path(path) if path else resources.files("newsflow") / "data" / "events" / "senses.yaml"
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise EventDataError(f"data/events/senses.yaml: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise EventDataError("data/events/senses.yaml: expected a mapping of sections")
    unknown = set(data) - {"not_acts", "contexts", "months", "habitual", "documents"}
    if unknown:
        raise EventDataError(f"data/events/senses.yaml: unknown sections {sorted(unknown)}")
    senses = {}
    for language in SUPPORTED_LANGUAGES:
        def words(section, where):
            return [fold_for_match(w) for w in _word_list((section or {}).get(language), f"{where}.{language}")]

        contexts = []
        for name, spec in (data.get("contexts") or {}).items():
            if not isinstance(spec, dict) or not {"words", "triggers"} <= set(spec) <= {"words", "triggers", "scope", "as"} \
                    or spec.get("scope", "sentence") not in ("sentence", "document") \
                    or spec.get("as") not in (None, *PLOVER_TYPES):
                raise EventDataError(f"data/events/senses.yaml: contexts.{name}: needs 'words' and 'triggers' "
                                     "(and optionally 'scope': sentence or document, 'as': a PLOVER type)")
            context_words = words(spec["words"], f"contexts.{name}.words")
            contexts.append(SenseContext(frozenset(w for w in context_words if " " not in w),
                                         tuple(f" {w} " for w in context_words if " " in w),
                                         frozenset(words(spec["triggers"], f"contexts.{name}.triggers")),
                                         spec.get("scope") == "document", spec.get("as")))
        senses[language] = {"not_acts": words(data.get("not_acts"), "not_acts"), "contexts": tuple(contexts),
                            "months": frozenset(words(data.get("months"), "months")),
                            "habitual": words(data.get("habitual"), "habitual"),
                            "documents": frozenset(words(data.get("documents"), "documents"))}
    return senses


class EventLexicon:
    """One matcher per language holding triggers, actors and modifiers."""

    def __init__(self) -> None:
        data = load_event_lexicon()
        senses = load_senses()
        coder = get_actor_coder()
        self.matchers: dict[str, LexiconMatcher] = {}
        for language in SUPPORTED_LANGUAGES:
            matcher = LexiconMatcher()
            coder.add_to(matcher, language)
            for form, entry in data["triggers"][language]:
                matcher.add(form, entry, "trigger")
            for form, entry in data["modifiers"][language]:
                matcher.add(form, entry, "actor")  # whole words with clitics only
            for form in senses[language]["habitual"]:
                matcher.add(form, HABITUAL, "actor")
            for form in senses[language]["not_acts"]:
                matcher.add(form, NOT_ACT, "trigger")  # the longer match hides the trigger inside it
            matcher.build()
            self.matchers[language] = matcher
        self.clauses: ClauseWords = data["clauses"]
        self.senses = senses
        # What each distinct space-separated piece of text yields, per language: the
        # same words recur from text to text, so each is folded and searched once.
        self.pieces = {language: BoundedMemo(partial(self._piece_record, language), PIECE_RECORDS_LIMIT)
                       for language in SUPPORTED_LANGUAGES}

    def _piece_record(self, language: str, written: str) -> PieceRecord:
        from newsflow.dates import rules_in
        from newsflow.places import get_gazetteer

        folded = fold_piece(written)
        matcher, gazetteer = self.matchers[language], get_gazetteer()
        if " " in folded:  # a hyphen or a line break inside the piece as written
            hits, place_starts, shift, opens_phrase = [], [], 0, False
            for piece in folded.split(" "):
                hits += [(start + shift, end + shift, found) for start, end, found in matcher.piece_hits(piece)]
                place_starts += [(start + shift, size, found) for start, size, found in gazetteer.piece_starts(piece)]
                opens_phrase = opens_phrase or matcher.opens_phrase(piece)
                shift += len(piece) + 1
            hits, place_starts = tuple(hits), tuple(place_starts)
        else:
            hits, place_starts = matcher.piece_hits(folded), gazetteer.piece_starts(folded)
            opens_phrase = matcher.opens_phrase(folded)
        date_rules = rules_in(folded, language == "ar")
        token_starts = flags = ()
        if language == "ar":  # clause structure is read in Arabic sentences only
            matches = list(_TOKEN.finditer(folded))
            token_starts = tuple(map(_MATCH_START, matches))
            flags = tuple(map(_token_profiles(self.clauses).__getitem__, map(_MATCH_GROUP, matches)))
        return PieceRecord(folded, hits, opens_phrase, place_starts, _shared(date_rules), _shared(token_starts),
                           _shared(flags))


class PieceRecord(NamedTuple):
    """What one space-separated piece of text as written yields (offsets within its folded form)."""

    folded: str
    hits: tuple          # LexiconMatcher.piece_hits of each piece of the folded form
    opens_phrase: bool   # LexiconMatcher.opens_phrase of one of them
    place_starts: tuple  # Gazetteer.piece_starts, likewise
    date_rules: frozenset  # dates.rules_in
    token_starts: tuple  # Arabic: where the words and punctuation of the folded form start ...
    flags: tuple         # ... and their flags and word-list bits (see _ClauseView)


PIECE_RECORDS_LIMIT = 50_000  # distinct pieces remembered per language
# Fields read by position: a plain tuple subscript, no attribute lookup.
_FOLDED, _HITS, _OPENS_PHRASE, _PLACE_STARTS, _DATE_RULES, _TOKEN_STARTS, _FLAGS = map(
    itemgetter, range(len(PieceRecord._fields)))
# Equal parts of records are one object: most pieces share a few (no date word, one word's
# flags), and a document reads them for every piece.
_SHARED_PARTS: dict = {}
SHARED_PARTS_LIMIT = 50_000


def _shared(part):
    found = _SHARED_PARTS.get(part)
    if found is None:
        if len(_SHARED_PARTS) >= SHARED_PARTS_LIMIT:
            _SHARED_PARTS.clear()  # only the sharing is lost
        _SHARED_PARTS[part] = found = part
    return found


_LEXICON: EventLexicon | None = None
_LEXICON_LOCK = threading.Lock()


def get_event_lexicon() -> EventLexicon:
    global _LEXICON
    with _LEXICON_LOCK:
        if _LEXICON is None:
            _LEXICON = EventLexicon()
    return _LEXICON


# --- Document structure ---------------------------------------------------------

def _paragraph_starts(text: str) -> list[int]:
    """Offsets where paragraphs (blocks separated by blank lines) begin."""
    starts = [0]
    index = text.find("\n")
    while index != -1:
        rest = index + 1
        while rest < len(text) and text[rest] in " \t\r":
            rest += 1
        if rest < len(text) and text[rest] == "\n":
            while rest < len(text) and text[rest] in " \t\r\n":
                rest += 1
            starts.append(rest)
            index = text.find("\n", rest)
        else:
            index = text.find("\n", index + 1)
    return starts


def _is_heading(sentence_text: str) -> bool:
    """Titles and section headings: short, no sentence-final punctuation."""
    stripped = sentence_text.rstrip()
    return not stripped.endswith((".", "!", "?", "؟", "…", "»", "\"", "”")) and len(stripped.split()) < 16


# --- Extraction ---------------------------------------------------------------

def _token_gap(folded: str, left_end: int, right_start: int) -> int:
    """Number of words strictly between two folded offsets."""
    if right_start <= left_end:
        return 0
    return len(folded[left_end:right_start].split())


def _actor_dict(mention: ActorMention | None, fallback_country: str | None) -> dict | None:
    if mention is None:
        return None
    country, code = mention.country, mention.code
    if country is None and fallback_country and mention.sector not in ("IGO", "NGO"):
        country, code = fallback_country, fallback_country + (mention.sector or "")
    return {"text": mention.text, "code": code, "country": country, "sector": mention.sector}


def _place_dict(place) -> dict | None:
    if place is None:
        return None
    return {
        "name": place.name, "country": place.country, "admin1": place.admin1,
        "latitude": place.latitude, "longitude": place.longitude, "precision": place.precision,
    }


class _Document:
    """Everything found once per text, then read per sentence."""

    def __init__(self, text: str, language: str, published_at):
        from newsflow.places import get_gazetteer
        from newsflow.text import split_sentences

        self.text = text
        self.language = language
        self.published_at = published_at
        lexicon = get_event_lexicon()
        records = list(map(lexicon.pieces[language].__getitem__, text.split(" ")))
        folded_pieces = list(map(_FOLDED, records))
        self.folded = " ".join(folded_pieces)  # as fold_with_offsets(text)
        self.offsets = fold_offsets(text)
        # Folding kept every character in place (the offsets are a range): no search needed.
        self._same_offsets = isinstance(self.offsets, range)
        self._governed: dict[int, bool] = {}   # actor start -> _governed_by_preposition
        self._anaphoric: dict[int, bool] = {}  # sentence start -> _mentions_anaphor
        self._fold_indexes: dict[int, int] = {}  # original offset -> fold_index
        self._anaphor_cores: tuple[list[int], list[int]] | None = None  # see _names_anaphor
        self._records, self._bases = records, list(piece_offsets(folded_pieces))
        self._clause_tokens = None
        self._words = None  # see words()
        self.keep_features = False  # coded_mentions: each event also lists its model features
        # Most pieces hold no date word: the few that do, and where they start.
        date_rules = list(map(_DATE_RULES, records))
        self._date_rule_bases = list(compress(self._bases, date_rules))
        self._date_rules = list(filter(None, date_rules))
        hits = list(map(_HITS, records))
        phrase_pieces = compress(zip(self._bases, map(len, folded_pieces)), map(_OPENS_PHRASE, records))
        atoms = lexicon.matchers[language].scan(text, self.folded, self.offsets, compress(zip(self._bases, hits), hits),
                                                phrase_pieces)
        self.triggers = [a for a in longest_non_overlapping(a for a in atoms
                                                            if isinstance(a.payload, (TriggerEntry, NotActEntry)))
                         if a.payload is not NOT_ACT]
        self.modifiers = sorted((a for a in atoms if isinstance(a.payload, ModifierEntry)), key=lambda a: a.start)
        actor_atoms = longest_non_overlapping(a for a in atoms if isinstance(a.payload, ActorEntry))
        self.actors = compose_actors(actor_atoms, text, self.folded, language)
        # Words that are an actor by themselves ("رهائن"), joined to a neighbour only by composition.
        self.actor_words = {(a.start, a.end) for a in actor_atoms}
        self.trigger_starts = [a.start for a in self.triggers]
        self.modifier_starts = [a.start for a in self.modifiers]
        self.actor_starts = [a.start for a in self.actors]
        self.sentences = split_sentences(text, language)
        self._gazetteer = get_gazetteer()
        place_starts = list(map(_PLACE_STARTS, records))
        self.places = [m for m in self._gazetteer.find_places(text, language, self.folded, self.offsets,
                                                              compress(zip(self._bases, place_starts), place_starts))
                       if self._is_place(m)]
        focus = self._gazetteer.document_focus(self.places) if self.places else None
        self.focus_country = focus.country if focus else None
        self.named_countries = {m.place.country for m in self.places if m.place.precision == "country"}
        if self.focus_country:
            self.named_countries.add(self.focus_country)

    def _is_place(self, mention) -> bool:
        folded = self.folded[self.fold_index(mention.start):self.fold_index(mention.end)].strip()
        return folded not in ANAPHORS and folded.lstrip("وفب") not in ANAPHORS

    def words(self) -> tuple[set, str]:
        """The document's folded words, for contexts read in the whole text (on first need)."""
        if self._words is None:
            self._words = _folded_words(self.folded)
        return self._words

    def clause_tokens(self) -> tuple[list[int], list[int]]:
        """Where the words and punctuation of the folded text (Arabic) start and their
        flags (see _ClauseView), gathered on first need."""
        if self._clause_tokens is None:
            records = self._records
            starts = [base + start for base, token_starts in zip(self._bases, map(_TOKEN_STARTS, records))
                      for start in token_starts]
            self._clause_tokens = starts, list(chain.from_iterable(map(_FLAGS, records)))
        return self._clause_tokens

    def date_rules(self, fstart: int, fend: int) -> set[int]:
        """The date rules (see dates.rules_in) of the pieces of folded text over [fstart, fend)."""
        first = self._bases[max(bisect_right(self._bases, fstart) - 1, 0)]  # the piece holding fstart
        bases = self._date_rule_bases
        return set().union(*self._date_rules[bisect_left(bases, first):bisect_left(bases, fend)])

    def fold_index(self, original_offset: int) -> int:
        """The first folded index at or after an original offset."""
        if self._same_offsets:
            return min(max(original_offset, 0), len(self.offsets))
        found = self._fold_indexes.get(original_offset)
        if found is None:  # the same few offsets (actors', sentences') are asked again and again
            found = self._fold_indexes[original_offset] = bisect_left(self.offsets, original_offset)
        return found


_POLICY = None


def event_policy():
    """The configured cut between events and candidates (include/config/events.yaml), read once."""
    global _POLICY
    if _POLICY is None:
        from newsflow.config import load_event_policy

        _POLICY = load_event_policy()
    return _POLICY


def extract_events(text: str, language: str | None = None, published_at: datetime | None = None,
                   title: str | None = None) -> list[dict]:
    """PLOVER events found in `text` (see the module docstring): every coded mention, each
    with its calibrated `confidence` and `is_event` (at or above the configured cut)."""
    return _code_events(text, language, published_at, title, keep_features=False)


def coded_mentions(text: str, language: str | None = None, published_at: datetime | None = None,
                   title: str | None = None) -> list[dict]:
    """As extract_events, each mention also with the names of its `features` (what the
    confidence model reads): the training data of bench/events/train.py."""
    return _code_events(text, language, published_at, title, keep_features=True)


def _code_events(text: str, language: str | None, published_at: datetime | None, title: str | None,
                 keep_features: bool) -> list[dict]:
    if not text or not text.strip():
        return []
    text = within_length_cap(text)
    if language is None:
        from newsflow.text import detect_language

        language = detect_language(text)
    if language not in SUPPORTED_LANGUAGES:
        return []
    doc = _Document(text, language, published_at)
    doc.keep_features = keep_features
    fallback_country = iso2_to_iso3().get(doc.focus_country) if doc.focus_country else None
    paragraph_starts = _paragraph_starts(text)
    title_folded = fold_for_match(title) if title else None

    # A country named as an actor ("ودعت الولايات المتحدة") is not where the event happened.
    actor_chars = bytearray(len(text) + 1)
    for actor in doc.actors:
        actor_chars[actor.start:actor.end] = b"\x01" * (actor.end - actor.start)
    event_places = sorted((p for p in doc.places if not any(actor_chars[p.start:p.end])), key=lambda p: p.start)
    place_starts = [p.start for p in event_places]

    events: list[dict] = []
    lead_paragraph = None
    previous_places: list = []
    for sentence in doc.sentences:
        paragraph = _paragraph_index(paragraph_starts, sentence.start)
        # The last sentence is never a heading: a lone unpunctuated sentence is content.
        heading = (sentence is not doc.sentences[-1] and _is_heading(sentence.text)) \
            or (title_folded and fold_for_match(sentence.text) == title_folded)
        if heading:
            continue
        if lead_paragraph is None:
            lead_paragraph = paragraph
        # by position, not by a scan of every place per sentence: time stays linear in the text
        sentence_places = event_places[bisect_left(place_starts, sentence.start):
                                       bisect_left(place_starts, sentence.end)]
        events.extend(_sentence_events(doc, sentence, sentence_places, previous_places,
                                       paragraph == lead_paragraph, fallback_country))
        previous_places.extend(sentence_places)
    return events


def _paragraph_index(starts: list[int], offset: int) -> int:
    return max(0, bisect_right(starts, offset) - 1)


# Longest text coded (characters): news articles are far shorter (a long live blog is about
# 100,000); a longer text is coded up to the last paragraph break before the cap, the rest is
# left out, so one huge input costs bounded time and memory.
MAX_TEXT_CHARS = 200_000


def within_length_cap(text: str, cap: int = MAX_TEXT_CHARS) -> str:
    """The text, or its first paragraphs up to `cap` characters (a hard cut when no break fits)."""
    if len(text) <= cap:
        return text
    cut = text.rfind("\n", 0, cap)
    return text[:cut] if cut > cap // 2 else text[:cap]


def _sentence_events(doc: _Document, sentence, places, previous_places, is_root: bool,
                     fallback_country: str | None) -> list[dict]:
    triggers = _within(doc.triggers, doc.trigger_starts, sentence)
    if not triggers:
        return []
    modifiers = _within(doc.modifiers, doc.modifier_starts, sentence)
    actors = _within(doc.actors, doc.actor_starts, sentence)
    armed = any(a.sector in ARMED_SECTORS for a in actors)
    hedged = any(m.payload.kind == "hedge" for m in modifiers)

    events: list[dict] = []
    # Negated triggers, and "فجر" read as dawn, are no acts: for clause scores as for events.
    is_act = [not _negated(doc, t, modifiers) and not (doc.language == "ar" and _is_dawn(doc, t)) for t in triggers]
    realis, realis_predicates = _sentence_realis(doc, sentence, list(compress(triggers, is_act)), bool(places)) \
        if doc.language == "ar" else ({}, frozenset())
    scorer = get_confidence_model()
    sentence_words = None  # (folded start, end) of the sentence, on first need
    seen_types: set[str] = set()
    verbal_scopes: list[tuple[int, int]] = []  # folded spans that are the content of a verbal act
    date = None
    senses = get_event_lexicon().senses[doc.language]
    sentence_context = None  # the sentence's folded words, on first need
    for trigger, act in zip(triggers, is_act):
        entry: TriggerEntry = trigger.payload
        folded_trigger = doc.folded[trigger.fstart:trigger.fend]
        if folded_trigger in senses["months"] and _is_month(doc, trigger):
            continue
        if any(folded_trigger in context.triggers for context in senses["contexts"]):
            if sentence_context is None:
                sentence_context = _folded_words(doc.folded[doc.fold_index(sentence.start):doc.fold_index(sentence.end)])
            sense = next((context for context in senses["contexts"] if folded_trigger in context.triggers
                          and _in_context(doc.words() if context.document else sentence_context, context)), None)
            if sense is not None and sense.event_type is None:
                continue
            if sense is not None:  # "warplanes struck Idlib": the attack's sense of the word
                entry = replace(entry, event_type=sense.event_type, mode=None)
        if any(s <= trigger.fstart < e for s, e in verbal_scopes) and trigger.fstart not in realis_predicates:
            # The content of a verbal act, unless a protest that is the predicate of a clause
            # of its own ("معلنين رفضهم للقرار، مرددين هتافات").
            continue
        if not act or entry.armed_agent and not armed:
            continue
        if _after_modifier(doc, trigger, modifiers, "background", 0) or _inside_name(doc, trigger, actors):
            continue
        if entry.participant and (trigger is not triggers[0] or _preposition_before(doc, trigger)) \
                and trigger.fstart not in realis_predicates:  # "خرجوا في مسيرات" (see _marched_in)
            continue
        event_type, mode = entry.event_type, entry.mode
        if _has_intent(doc, trigger, modifiers) and not entry.verbal:
            if event_type in COOPERATIVE:
                event_type, mode = "AGREE", None
            elif event_type in HOSTILE:
                event_type, mode = "THREATEN", "violence" if event_type == "ASSAULT" else None
        if entry.verbal or event_type in ("AGREE", "THREATEN"):
            scope = _verbal_scope(doc, trigger, sentence)
            verbal_scopes.append(scope)
            if event_type == "AGREE" and _first_in_scope(triggers, scope) in HOSTILE:
                event_type = "THREATEN"  # "is prepared to impose martial law"
        if event_type in seen_types:
            # One event per type and sentence; a later word may still say how.
            for event in events:
                if event["event_type"] == event_type and event["mode"] is None and mode:
                    event["mode"] = mode
            continue
        seen_types.add(event_type)
        sources, actor2 = _assign_actors(doc, trigger, actors, event_type)
        if not sources:
            # No source near the trigger: the English sentence's subject ("Syria says it is
            # willing to ...") is the one who acts, unless it is the target already.
            lead = leading_actor(actors, doc.text, sentence.start, sentence.end, doc.language)
            if lead is not None and (actor2 is None or lead.start != actor2.start):
                sources = [lead]
        place = _choose_place(doc, trigger, places, previous_places, sentence)
        if date is None:
            date = _event_date(doc, sentence)
        if sentence_words is None:
            sentence_words = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
        evidence = {
            "source": bool(sources), "target": actor2 is not None, "place": place is not None, "date": date[2],
            "near_source": bool(sources) and _near(doc, sources[0], trigger),
            "near_target": actor2 is not None and _near(doc, actor2, trigger),
            "corroborated": sum(1 for t in triggers if t.payload.event_type == entry.event_type) > 1,
            "hedged": hedged, "intent": event_type != entry.event_type, "verbal": entry.verbal,
            "later_type": len(seen_types) > 1,
        }
        present = _present_tense(doc, folded_trigger)
        if entry.verbal and present and not date[2] and _document_speaks(doc, trigger, sentence, actors, senses):
            # "the resolution calls for talks", "القرار ... يدعو إلى": what a text says, undated,
            # is no act of the day (no labelled example to learn it from: the gold codes acts).
            seen_types.discard(event_type)
            continue
        shape = {"shape:earlier_year": date[3],
                 # An Arabic imperfect ("يدعو", "يستهدف"): a present, habitual or future act.
                 "shape:present": doc.language == "ar" and present}
        features = _mention_features(doc, trigger, event_type, evidence, sentence_words)
        features |= {name for name, present in shape.items() if present}
        if event_type in realis:
            features |= _best_reading(realis[event_type])
        confidence = scorer.confidence(features)
        is_event = event_policy().is_event(confidence)
        location_country = iso2_to_iso3().get(place.country) if place else None
        fallback = location_country or fallback_country
        # Coordinated sources ("the US, Germany and France called...") give one event each.
        for actor1 in sources or [None]:
            events.append({
                "event_type": event_type,
                "mode": mode,
                "actor1": _actor_dict(actor1, fallback),
                "actor2": _actor_dict(actor2, fallback),
                "location": _place_dict(place),
                "event_date": date[0],
                "date_precision": date[1],
                "sentence": sentence.text,
                "sentence_start": sentence.start,
                "sentence_end": sentence.end,
                "trigger": _trigger_text(doc, trigger),
                "confidence": confidence,
                "is_event": is_event,
                "is_root": is_root,
                "language": doc.language,
                **({"features": sorted(features)} if doc.keep_features else {}),
            })
    return events


# --- Coder version ----------------------------------------------------------------

@lru_cache(maxsize=1)
def coder_version() -> str:
    """Fingerprint of the event coder: the source of its modules and its data files (word lists,
    gazetteer additions, the confidence model). The warehouse records it per article, so a changed
    coder recodes stored articles and the events of all days come from one coder."""
    from newsflow.source import SOURCE_DIR, source_digests

    digest = hashlib.sha256()
    for name, module_digest in sorted(source_digests().items()):
        digest.update(f"{name}:{module_digest}\n".encode())
    for folder in ("events", "actors", "places"):
        for path in sorted((SOURCE_DIR / "data" / folder).glob("*")):
            if path.is_file():
                digest.update(f"{folder}/{path.name}:".encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


# --- Confidence -------------------------------------------------------------------
#
# Each coded mention is described by named binary features (its type and trigger word, the
# words around the trigger, the evidence found for it and, for Arabic attacks and protests,
# its clause reading). A logistic model learned on the development folds (bench/events/train.py)
# weighs them, and a Platt scaling fitted on held-out folds maps the score to a confidence:
# the share of mentions at that confidence that the gold data counts as right.

LATE_TRIGGER = 20  # a trigger this many words into its sentence is told on the way
BAG_WORDS = 12     # words either side of the trigger read as a bag


def _mention_features(doc: _Document, trigger: Atom, event_type: str, evidence: dict[str, bool],
                      sentence_span: tuple[int, int]) -> frozenset:
    language = doc.language
    start, end = sentence_span
    word_start = trigger.fstart - len(trigger.prefix)
    head = doc.folded[start:word_start].split()
    tail = doc.folded[trigger.fend:end]
    after_words = tail.split()
    if tail[:1] not in ("", " "):
        after_words = after_words[1:]  # the rest of the trigger's own word
    # The words right before and after the trigger.
    before = head[-1].strip(_WORD_PUNCTUATION) if head else ""
    after = after_words[0].strip(_WORD_PUNCTUATION) if after_words else ""
    # No feature of the language alone: Arabic is labelled for attacks and protests only, and its
    # base rate there says nothing of its other types (they share the weights of their type).
    names = {f"type:{event_type}", f"lang_type:{language}:{event_type}",
             f"trigger:{language}:{doc.folded[trigger.fstart:trigger.fend]}"}
    names.update(f"evidence:{name}" for name, present in evidence.items() if present)
    if len(head) >= LATE_TRIGGER:
        names.add("shape:late")
    # Context words weigh per language and type: what "hit" means near an attack word is not
    # what it means near a protest word.
    kind = f"{language}:{event_type}"
    if before:
        names.add(f"prev:{kind}:{before}")
    if after:
        names.add(f"next:{kind}:{after}")
    # A bag of the words around the trigger, clitics stripped (12 either side did better on
    # held-out folds than none, 3 or 6).
    names.update(map(_bag_name, repeat(kind), chain(head[-BAG_WORDS:], after_words[:BAG_WORDS])))
    names.discard(None)
    return frozenset(names)


@lru_cache(maxsize=131072)
def _bag_name(kind: str, word: str) -> str | None:
    """The bag feature of a word near a trigger of `kind` (language:type), None for punctuation."""
    word = word.strip(_WORD_PUNCTUATION)
    return f"bag:{kind}:{_bare_word(word)}" if word else None


@lru_cache(maxsize=65536)
def _bare_word(word: str) -> str:
    """The word without its clitic prefixes (و ف ب ل ك ال): one feature for "والهجوم" and "هجوم"."""
    return strip_clitics(word)[-1]


class ConfidenceModel:
    """Feature weights and Platt scaling (data/events/confidence.json)."""

    def __init__(self, weights: dict[str, float], bias: float, scale: float, shift: float) -> None:
        self.weights, self.bias, self.scale, self.shift = weights, bias, scale, shift

    def score(self, features: Iterable[str]) -> float:
        weights = self.weights
        return self.bias + sum(map(weights.get, features, repeat(0.0)))

    def confidence(self, features: Iterable[str]) -> float:
        z = self.scale * self.score(features) + self.shift
        return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 3)


def load_confidence_model(path=None) -> ConfidenceModel:
    """The validated model of data/events/confidence.json (or `path`)."""
    where = str(path) if path else "data/events/confidence.json"
    source = Path(path) if path else resources.files("newsflow") / "data" / "events" / "confidence.json"
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EventDataError(f"{where}: not found (bench/events/train.py writes it)") from None
    except json.JSONDecodeError as exc:
        raise EventDataError(f"{where}: invalid JSON: {exc}") from exc
    try:
        weights = data["weights"]
        numbers = [data["bias"], data["platt"]["scale"], data["platt"]["shift"], *weights.values()]
    except (KeyError, TypeError, AttributeError) as exc:
        raise EventDataError(f"{where}: expected weights, bias and platt.scale/shift ({exc!r} missing)") from None
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in numbers):
        raise EventDataError(f"{where}: every weight, the bias and the Platt scaling must be finite numbers")
    if data["platt"]["scale"] <= 0:
        raise EventDataError(f"{where}: platt.scale must be positive (a higher score, a higher confidence)")
    return ConfidenceModel({str(k): float(v) for k, v in weights.items()}, float(data["bias"]),
                           float(data["platt"]["scale"]), float(data["platt"]["shift"]))


_MODEL: ConfidenceModel | None = None


def get_confidence_model() -> ConfidenceModel:
    global _MODEL
    if _MODEL is None:
        _MODEL = load_confidence_model()
    return _MODEL


def use_confidence_model(model: ConfidenceModel | None) -> None:
    """Code with `model` from now on (None: the shipped one again). Training and tests only."""
    global _MODEL
    _MODEL = model


def _present_tense(doc: _Document, folded_trigger: str) -> bool:
    """An Arabic imperfect ("يدعو") or an English third person present ("calls", "urges")."""
    if doc.language == "ar":
        return folded_trigger[:1] == "ي"
    verb = folded_trigger.split(" ", 1)[0]
    return verb.endswith("s") and not verb.endswith("ss")


DOCUMENT_REACH = 12  # words before a verbal trigger in which the document that says it is named


def _document_speaks(doc: _Document, trigger: Atom, sentence, actors: list[ActorMention], senses: dict) -> bool:
    """A document ("the resolution", "القرار") named in the words before the trigger, with no
    actor between them: the text, not an actor, is what "calls for" it."""
    start = max(doc.fold_index(sentence.start), trigger.fstart - 30 * DOCUMENT_REACH)
    head = doc.folded[start:trigger.fstart - len(trigger.prefix)]
    documents = senses["documents"]
    last = None
    for match in re.finditer(r"\S+", head):
        if match.group().strip(_WORD_PUNCTUATION) in documents:
            last = match.start()
    if last is None or len(head[last:].split()) > DOCUMENT_REACH:
        return False
    after = start + last
    return not any(after < doc.fold_index(a.start) < trigger.fstart for a in actors)


def _is_month(doc: _Document, trigger: Atom) -> bool:
    """A capitalised month name ("in March", "March 3") mid-sentence or before a number."""
    written = doc.text[trigger.start:trigger.end]
    if not written[:1].isupper():
        return False
    following = doc.text[trigger.end:trigger.end + 12].split()
    if following and following[0][:1].isdigit():
        return True
    before = doc.text[max(0, trigger.start - 3):trigger.start].rstrip()
    return bool(before) and before[-1:] not in ".!?\n\"“"


def _folded_words(text: str) -> tuple[set, str]:
    """The words of a folded text (also without their clitics) and the text padded for phrases."""
    words = {w.strip(_WORD_PUNCTUATION) for w in text.split()}
    return words | set(map(_bare_word, words)), f" {text} "


def _in_context(sentence_context: tuple[set, str], context: SenseContext) -> bool:
    words, text = sentence_context
    return not words.isdisjoint(context.words) or any(phrase in text for phrase in context.phrases)


def _sentence_realis(doc: _Document, sentence, acts: list[Atom], has_place: bool) -> tuple[dict[str, list], frozenset]:
    """The clause-structure features (model feature names) of each attack/protest word in an
    Arabic sentence, per type, and the folded starts of protest triggers that are their clause's
    predicate: a protest told after a verbal act ("معلنين رفضهم ... مرددين
    هتافات") is no content of it, where an attack often is ("أدانت ... خطفوا").
    `acts`: the sentence's triggers that are acts (see _sentence_events)."""
    wanted = [t for t in acts if t.payload.event_type in REALIS_TYPES]
    if not wanted:
        return {}, frozenset()
    view = _ClauseView(doc, sentence, get_event_lexicon().clauses)
    # A report told on a source's word ("قال مصدر في الشرطة إن ...") is how attacks are news.
    attributed = view.any_in(range(min(REPORT_OPENING, view.size)), _IN.reporting_verbs)
    # In a long sentence the coded act is its main one; many others are told on the way.
    long_sentence = view.size >= LONG_SENTENCE
    found: dict[str, list] = {}
    predicates = set()
    for index, trigger in enumerate(wanted):
        if index and wanted[index - 1].payload.event_type == trigger.payload.event_type \
                and _token_gap(doc.folded, wanted[index - 1].fend, trigger.fstart) == 0 \
                and not (trigger.payload.finite and _opens_clause(view, wanted[index - 1])):
            # A modifier of the attack word before it ("تفجيرات انتحارية"), or a verb describing
            # it ("هجوم انتحاري استهدف مدرسة"): judged with it. A verb after a subject
            # opening its clause ("أن انتحاريا فجر نفسه") is the predicate.
            continue
        features = _realis_features(view, trigger)
        event_type = trigger.payload.event_type
        features |= {"place_predicate": has_place and features["predicate"], "long": long_sentence,
                     "buried": view.index_of(trigger.fstart) >= BURIED_AFTER,
                     "attributed": attributed and event_type == "ASSAULT"}
        found.setdefault(event_type, []).append(_realis_names(tuple(features.items())))
        if features["predicate"] and event_type == "PROTEST" and (
                not trigger.payload.participant or _marched_in(view, trigger)):
            predicates.add(trigger.fstart)
    return found, predicates


def _marched_in(view: "_ClauseView", trigger: Atom) -> bool:
    """A march or crowd word right after its protest verb ("خرجوا في مسيرات",
    "خرج آلاف في مظاهرات"): what the verb made happen, wherever it stands."""
    first = view.index_of(trigger.fstart)
    verb = first - 2 if view.is_in(first - 1, _IS_FI) else first - 1
    return verb >= 0 and view.is_in(verb, _IN.protest_verbs) and not view.is_in(verb - 1, _IN.relative)


_DAY_AFTER_DAWN = frozenset(fold_for_match(w) for w in "يوم اليوم أول".split())  # "فجر أول من أمس"


def _is_dawn(doc: _Document, trigger: Atom) -> bool:
    """The trigger "فجر" read as dawn, not as "detonated" (see _reads_as_dawn); a longer
    trigger ("فجر نفسه") is the verb."""
    if doc.folded[trigger.fstart:trigger.fend] != _DAWN:
        return False
    word = _TOKEN.match(doc.folded, trigger.fstart - len(trigger.prefix))
    if word is None:
        return False
    profiles = _token_profiles(get_event_lexicon().clauses)
    following = _TOKEN.search(doc.folded, word.end())
    return _reads_as_dawn(profiles[word.group()], profiles[following.group()] if following else 0)


def _reads_as_dawn(flags: int, following: int) -> bool:
    """Whether a word of profile `flags`, before a word of profile `following` (0 at the end),
    is dawn: "الفجر", the adverb "فجرا", or "فجر" before a day, a time or a number ("فجر
    الجمعة", "فجر يوم", "فجر 12"). Any other "فجر" is the verb "detonated"."""
    return bool(flags & _DAWN_ALWAYS) or bool(flags & _DAWN_WORD and following & _DAWN_FOLLOWERS)


def _opens_clause(view: "_ClauseView", trigger: Atom) -> bool:
    """The trigger is among the first two words of its clause."""
    first = view.index_of(trigger.fstart)
    return first - view.clause_start(first) <= 1


REPORT_OPENING = 3        # tokens at the start of a sentence where its verb of saying stands
LONG_SENTENCE = 40
BURIED_AFTER = 20


_AGAINST_REPORT = frozenset(f"clause:{name}" for name in
                            ("reference", "irrealis", "generic", "figurative", "cumulative", "anaphoric"))


def _best_reading(readings: list[frozenset]) -> frozenset:
    """Of the clause readings of a type's words in a sentence, the one most like a report: the
    predicate of its clause, with the fewest readings against a report, then a time or a count."""
    return max(readings, key=lambda r: ("clause:predicate" in r, -len(r & _AGAINST_REPORT),
                                        "clause:time" in r, "clause:count" in r))


@lru_cache(maxsize=1024)
def _realis_names(features: tuple) -> frozenset:
    return frozenset("clause:" + name for name, present in features if present)


# --- Arabic clause structure -------------------------------------------------------
#
# An Arabic attack or protest word is a report of a concrete act when it is
# the predicate of its clause (a finite verb, or a noun that a verb makes
# happen: "انفجرت سيارة مفخخة", "هجوم أسفر عن", "قتل خمسة في هجوم") and the
# act is realised and specific (a recent time, a day and month, a count of
# victims). The same word as the object of a condemnation or claim, after
# "since", "after", "responsibility for", inside a relative clause, under a
# plan or a condition, counted in a statistic or used of words ("شن هجوما
# حادا على الحكومة") names an act told elsewhere or none at all.

REALIS_TYPES = frozenset({"ASSAULT", "PROTEST"})
CLAUSE_LOOKAHEAD = 12     # words after a noun in which a verb may make it happen
_TOKEN = re.compile(r"\w+|[^\w\s]")
_MATCH_GROUP, _MATCH_START = re.Match.group, re.Match.start
_CLAUSE_PUNCTUATION = frozenset("«»\"“”:؛;،,.!?؟")
_DEMONSTRATIVES = frozenset(fold_for_match(w) for w in "هذا هذه ذلك تلك هذين هاتين هذان هاتان".split())
_NEUTRAL_HEADS = frozenset(fold_for_match(w) for w in "عملية عمليات العملية العمليات".split())
_CAUSE_WORDS = frozenset(fold_for_match(w) for w in "في جراء نتيجة إثر اثر بسبب خلال".split())
_DAWN = fold_for_match("فجر")
_FIGURATIVE_STEMS = tuple(fold_for_match(w) for w in ("هجوم", "هجمات", "هاجم", "اعتداء"))
_ACT_NOUN_HEADS = _NEUTRAL_HEADS | frozenset(fold_for_match(w) for w in
                                            "جريمة جرائم حادث حوادث حادثة محاولة محاولات".split())
_VERB_FOLLOWERS = frozenset(fold_for_match(w) for w in
                            "في على خلال جراء إثر اثر برصاص بنيران بانفجار بقصف بهجوم بغارة أثناء".split())
_ORDINALS = frozenset(fold_for_match(w) for w in "أول الأولى أولى أعنف أكبر أسوأ أكثر أخطر نوعه نوعها".split())
_AFTER_CONJUNCTIONS = frozenset(fold_for_match(w) for w in "بعدما بعد عقب قبلما قبل".split())
_THAT = frozenset(fold_for_match(w) for w in "أن".split())
_ONE = frozenset(fold_for_match(w) for w in "أحد إحدى".split())
_OUTCOME_PREPOSITIONS = frozenset(fold_for_match(w) for w in "عن إلى الى".split())
_AR_PREPOSITIONS = frozenset(fold_for_match(w) for w in
                             "من في على إلى الى عن مع ضد لدى بين حول عبر منذ".split())
_QUANTIFIERS = frozenset(fold_for_match(w) for w in (
    "thousands hundreds dozens tens millions scores some many several members group groups number "
    "all most majority one two three four five six seven eight nine ten "
    "آلاف الآلاف مئات المئات عشرات العشرات ملايين بعض عدد مجموعة أحد إحدى أعضاء عناصر").split())
_EN_PREPOSITIONS = frozenset("of for with to against on from in into at about among between".split())


# Word lists of this module read with those of ClauseWords.
_MODULE_LISTS = {"neutral_heads": _NEUTRAL_HEADS, "cause_words": _CAUSE_WORDS, "act_noun_heads": _ACT_NOUN_HEADS,
                 "verb_followers": _VERB_FOLLOWERS, "ordinals": _ORDINALS, "after_conjunctions": _AFTER_CONJUNCTIONS,
                 "that": _THAT, "one": _ONE, "outcome_prepositions": _OUTCOME_PREPOSITIONS,
                 "ar_prepositions": _AR_PREPOSITIONS, "quantifiers": _QUANTIFIERS,
                 "day_after_dawn": _DAY_AFTER_DAWN}
# A word's flags (the low bits): _DAWN_WORD "فجر" with or without clitics, _DAWN_ALWAYS "الفجر" or "فجرا" ...
_BOUNDARY, _NUMBER, _DIGITS, _DAWN_WORD, _DAWN_ALWAYS = 1, 2, 4, 8, 16
# ... words as they stand (not by their stems): "في", "من", ":" and the demonstratives ...
_IS_FI, _IS_MIN, _IS_COLON, _IS_DEMONSTRATIVE = 32, 64, 128, 256
_LOW_FLAGS = 9
_EXACT_WORDS = {"في": _IS_FI, "من": _IS_MIN, ":": _IS_COLON, **dict.fromkeys(_DEMONSTRATIVES, _IS_DEMONSTRATIVE)}
_DAWN_FORMS = frozenset(fold_for_match(w) for w in "الفجر فجرا".split())
# ... and above them one bit per word list holding one of its stems: `flags & _IN.relative`.
_IN = SimpleNamespace(**{name: 1 << (_LOW_FLAGS + i)
                         for i, name in enumerate((*ClauseWords.__dataclass_fields__, *_MODULE_LISTS))})
_CASUALTY, _TIME, _MONTH = _IN.casualties, _IN.recent_times, _IN.months
# What stays of a word read as "dawn" rather than as the verb "فجر": it is in no other word list.
_DAWN_KEEPS = _BOUNDARY | _NUMBER | _DIGITS | _DAWN_WORD | _DAWN_ALWAYS | _CASUALTY | _TIME | _MONTH \
    | _IS_FI | _IS_MIN | _IS_COLON | _IS_DEMONSTRATIVE
_DAWN_FOLLOWERS = _TIME | _DIGITS | _IN.day_after_dawn
# Words before a verbal noun that govern it as a noun (see _verb_by_context).
_NOUN_GOVERNORS = _IN.ar_prepositions | _IN.reference_heads | _IN.generic_heads | _IN.act_noun_heads \
    | _IN.verb_or_noun


class _TokenProfiler:
    """A token's flags and word-list bits under one ClauseWords."""

    def __init__(self, words: ClauseWords) -> None:
        self.words = words
        lists = {name: getattr(words, name) for name in ClauseWords.__dataclass_fields__} | _MODULE_LISTS
        self.lists = tuple((getattr(_IN, name), members) for name, members in lists.items())

    def __call__(self, token: str) -> int:
        words = self.words
        stems = frozenset(strip_clitics(token)) if token[0].isalpha() else frozenset((token,))
        flags = 0
        if token in _CLAUSE_PUNCTUATION or not stems.isdisjoint(words.clause_openers):
            flags |= _BOUNDARY
        if token.isdigit():
            flags |= _NUMBER | _DIGITS
        elif not stems.isdisjoint(words.numerals):
            flags |= _NUMBER
        if _DAWN in stems:
            flags |= _DAWN_WORD
        if not stems.isdisjoint(_DAWN_FORMS):
            flags |= _DAWN_ALWAYS
        flags |= _EXACT_WORDS.get(token, 0)
        for bit, members in self.lists:
            if not stems.isdisjoint(members):
                flags |= bit
        return flags


TOKEN_PROFILES_LIMIT = 65536  # distinct tokens whose profile is remembered


@lru_cache(maxsize=4)
def _token_profiles(words: ClauseWords) -> BoundedMemo:
    """token -> its profile, made on first sight (words recur from sentence to sentence)."""
    return BoundedMemo(_TokenProfiler(words), TOKEN_PROFILES_LIMIT)


class _SentenceTokens:
    """The words and punctuation of a sentence, by index, read from the folded text
    when asked for: few are."""

    __slots__ = ("folded", "starts")

    def __init__(self, folded: str, starts: list[int]) -> None:
        self.folded, self.starts = folded, starts

    def __getitem__(self, index: int) -> str:
        return _TOKEN.match(self.folded, self.starts[index]).group()


class _ClauseView:
    """The words of one Arabic sentence with their flags and word-list bits."""

    def __init__(self, doc: _Document, sentence, words: ClauseWords):
        start, end = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
        self.words = words
        self.folded = doc.folded
        # The document's tokens were profiled with the lexicon's clause words.
        all_starts, all_flags = doc.clause_tokens()
        first, last = bisect_left(all_starts, start), bisect_left(all_starts, end)
        self.starts = all_starts[first:last]
        self.tokens = _SentenceTokens(doc.folded, self.starts)
        self.flags = flags = all_flags[first:last]
        self.size = size = len(flags)
        self.counted = counted = [False] * size
        self.time_at = [False] * size
        any_flags = reduce(or_, flags, 0)
        if any_flags & (_DAWN_WORD | _DAWN_ALWAYS):
            for i, flag in enumerate(flags):
                if _reads_as_dawn(flag, flags[i + 1] if i + 1 < size else 0):
                    flags[i] = flag & _DAWN_KEEPS
        if any_flags & _CASUALTY and any_flags & _NUMBER:
            for i, flag in enumerate(flags):
                if flag & _CASUALTY:
                    counted[i] = any(f & _NUMBER for f in flags[max(0, i - 3):i]) \
                        or any(f & _NUMBER for f in flags[i + 1:i + 4])
        if any_flags & (_TIME | _MONTH):
            self.time_at = [bool(f & _TIME or i and f & _MONTH and flags[i - 1] & _DIGITS)
                            for i, f in enumerate(flags)]
        self.has_time = any(self.time_at)
        self.has_count = any(counted)

    def is_in(self, index: int, bit: int) -> bool:
        """The word at `index` (if any) is in the word list of `bit` (an _IN attribute)."""
        return 0 <= index < self.size and self.flags[index] & bit != 0

    def any_in(self, indexes: range, bit: int) -> bool:
        """Some word at `indexes` (within the sentence) is in the word list of `bit`."""
        flags = self.flags
        for j in indexes:
            if flags[j] & bit:
                return True
        return False

    def index_of(self, fstart: int) -> int:
        return max(0, bisect_right(self.starts, fstart) - 1)

    def is_number(self, index: int) -> bool:
        return bool(self.flags[index] & _NUMBER)

    def is_casualty(self, index: int) -> bool:
        return bool(self.flags[index] & _CASUALTY)

    def has_time_at(self, index: int) -> bool:
        return self.time_at[index]

    def is_boundary(self, index: int) -> bool:
        return bool(self.flags[index] & _BOUNDARY)

    def clause_start(self, index: int) -> int:
        for j in range(index - 1, -1, -1):
            if self.flags[j] & _BOUNDARY:
                return j + 1
        return 0

    def clause_end(self, index: int) -> int:
        for j in range(index + 1, self.size):
            if self.flags[j] & _BOUNDARY:
                return j
        return self.size

    def date_heading(self, clause: int) -> bool:
        """The words before this clause are a date and a colon only ("* 21 مايو 2005:", "ـ 20:")."""
        if clause < 2 or not self.flags[clause - 1] & _IS_COLON:
            return False
        head = range(clause - 1)
        return any(self.flags[j] & _DIGITS for j in head) and all(
            self.flags[j] & (_DIGITS | _MONTH) or not self.tokens[j].strip("ـ").isalnum() for j in head)

    def counted_casualty(self, index: int) -> bool:
        return self.counted[index]


def _realis_features(view: _ClauseView, trigger: Atom) -> dict[str, bool]:
    words = view.words
    entry: TriggerEntry = trigger.payload
    first, last = view.index_of(trigger.fstart), view.index_of(trigger.fend - 1)
    clause = view.clause_start(first)
    attached = trigger.prefix.lstrip("وف")
    verb = entry.finite and attached[:1] not in ("ب", "ل", "ك") and "ال" not in attached and (
        first == clause or view.folded[trigger.fstart:trigger.fend] not in words.verb_or_noun
        or _verb_by_context(view, first, last))
    imperfect = verb and attached[-1:] in ("ي", "ت", "ن", "ا")  # "يقتل", "اقتل": not a past act
    before = first - 1
    while before >= clause and view.flags[before] & (_IS_DEMONSTRATIVE | _IN.neutral_heads):
        before -= 1
    anaphoric = before < first - 1 and view.is_in(before + 1, _IS_DEMONSTRATIVE)
    definite = "ال" in attached or view.folded.startswith("ال", trigger.fstart)
    if entry.participant and definite and not view.is_in(first - 1, _IN.quantifiers) \
            and not view.is_in(first - 2, _IN.quantifiers):
        anaphoric = True  # "the protesters": those of a protest already told
    previous = range(max(clause, first - 3), first)
    # "مئات المتظاهرين", "آلاف من المحتجين": a crowd counted, gathered on the day.
    crowd_start = first - 2 if view.is_in(first - 1, _IS_MIN) else first - 1
    crowd = entry.participant and crowd_start >= clause and view.is_number(crowd_start) \
        and not view.is_in(crowd_start, _IN.one)  # "أحد المتظاهرين" is one person

    predicate = False
    if verb:
        # "بعدما احتجوا", "بعد أن قتل": an act told as the time of another.
        predicate = not imperfect and not view.any_in(previous, _IN.relative) \
            and not view.is_in(first - 1, _IN.after_conjunctions) \
            and not (view.is_in(first - 1, _IN.that) and view.is_in(first - 2, _IN.after_conjunctions))
    else:
        # The verb of a relative clause ("الذي خلف 270 قتيلا") describes a noun, told elsewhere.
        outcome_before = any(view.is_in(j, _IN.realising_verbs) and not view.is_in(j - 1, _IN.relative)
                             for j in range(max(clause, before - 1), before + 1)) \
            or (entry.event_type == "ASSAULT" and _clause_verb_before(view, clause, first, _IN.realising_verbs))
        cause = (view.is_in(before, _IN.cause_words) or attached[:1] == "ب") and any(
            view.is_casualty(j) and not view.is_in(j - 1, _IN.reference_heads)
            for j in range(clause, first))
        predicate = outcome_before or cause or _realised_later(view, last)
        if not predicate and first - clause <= 1 and any(
                view.counted_casualty(j) for j in range(clause, view.clause_end(last))):
            predicate = True  # "مقتل ثلاثة ..."
    # Hostages as the complement of a verb of holding earlier in the clause: taken, not held already.
    hostages = not verb and "ال" not in attached and view.is_in(first, _IN.hostages)
    if hostages and not predicate:
        holding_reach = range(max(clause, first - HOLDING_REACH), first)
        predicate = view.any_in(holding_reach, _IN.holding_verbs) and not view.any_in(holding_reach, _IN.relative)
    # A chronology line ("* 21 مايو 2005: اغتيال ..."): the act opening it is what the date reports.
    dated_line = first == clause and view.date_heading(clause)
    predicate = predicate or (dated_line and not verb)
    if entry.event_type == "PROTEST" and not predicate and last > first and view.is_in(first, _IN.protest_verbs):
        # A participle of protest with its object ("مرددين هتافات"): how the subject of
        # the sentence protested, an act of its own.
        predicate = True
    if entry.event_type == "PROTEST" and not predicate:
        window_start = clause if crowd else max(clause, first - 2)
        window_end = min(view.size, last + 3)
        predicate = view.any_in(range(window_start, first), _IN.protest_verbs) \
            or view.any_in(range(last + 1, window_end), _IN.protest_verbs) \
            or _clause_verb_before(view, clause, first, _IN.protest_verbs) \
            or (crowd and _realised_later(view, last, _IN.protest_verbs))

    reference = False
    if not verb:
        head_before = view.is_in(before, _IN.reference_heads) and not (
            view.is_in(before, _IN.outcome_prepositions) and view.is_in(before - 1, _IN.realising_verbs))
        lam = attached[:1] == "ل" and not view.is_in(before, _IN.realising_verbs)
        # "مقتل شخص إثر انفجار": the act named as the cause of the harm just told.
        reference = (head_before and not cause) or lam
    if view.any_in(range(max(clause, first - 3), first), _IN.framing_verbs):
        reference = True
    if entry.event_type == "PROTEST" and view.any_in(range(max(clause, first - 3), first), _IN.policing_verbs):
        reference = True
    irrealis = imperfect or is_future_prefix(trigger.prefix) or view.any_in(range(max(0, first - 5), first),
                                                                            _IN.irrealis)
    generic = (view.is_in(before, _IN.generic_heads) and not crowd) or (
        not verb and "ال" in attached and view.tokens[first].endswith("ات") and not view.has_time)
    # Only "attack" words are used of words ("شن هجوما حادا"); "اشتباكات عنيفة" are clashes.
    figurative = entry.mode is None and entry.event_type == "ASSAULT" \
        and view.folded.startswith(_FIGURATIVE_STEMS, trigger.fstart) and any(
        view.is_in(j, _IN.verbal_attack_words) for j in range(last + 1, min(view.size, last + 4)))

    # "the first / deadliest since 2003" singles one act out; "attacks since 2003" counts many.
    # "منذ الصباح" dates the act within the day; it counts nothing.
    flags = view.flags
    cumulative = any(flags[j] & _IN.cumulative and not view.any_in(range(max(last + 1, j - 3), j), _IN.ordinals)
                     and not (j + 1 < view.size and view.has_time_at(j + 1))
                     for j in range(last + 1, view.clause_end(last)))
    # Victims counted: of a harm word anywhere, as the object of this act ("اختطف 9 عراقيين"),
    # or hostages ("احتجزت 68 رهينة"); for a protest verb, its crowd counted ("تظاهر نحو مائة طالب").
    count = view.has_count or crowd \
        or (hostages and any(view.is_number(j) for j in range(max(clause, first - 3), first))) \
        or (verb and any(view.is_number(j) or (entry.event_type == "ASSAULT" and view.is_in(j, _IN.victims))
                         for j in range(last + 1, min(view.clause_end(last), last + 3)))) \
        or (entry.event_type == "PROTEST" and predicate and any(
            view.is_number(j) for j in range(max(clause, first - CROWD_REACH), first)))
    # The act's own time: a time word in the trigger's clause, not one of another clause of the sentence.
    own_time = view.has_time and any(view.has_time_at(j) for j in range(clause, view.clause_end(last)))
    return {"predicate": predicate, "time": view.has_time or dated_line, "count": count, "reference": reference,
            "irrealis": irrealis, "generic": generic, "figurative": figurative, "anaphoric": anaphoric,
            "cumulative": cumulative, "own_time": own_time}


CROWD_REACH = 6           # words before a protest word where its crowd is counted ("الآلاف من ... خرجوا في مسيرات")
HOLDING_REACH = 8         # words from a verb of holding to the hostages it takes
CLAUSE_VERB_REACH = 5     # words from a clause-opening verb to its postponed subject


def _clause_verb_before(view: _ClauseView, clause: int, first: int, verbs: int) -> bool:
    """The clause opens with one of the verbs of the list bit `verbs` and the noun follows
    as its subject after a phrase of place or time ("اندلعت في العاصمة مظاهرات")."""
    return first - clause <= CLAUSE_VERB_REACH and first > clause and view.is_in(clause, verbs) \
        and not view.any_in(range(clause + 1, first), _IN.relative)


def _verb_by_context(view: _ClauseView, first: int, last: int) -> bool:
    """A word spelt as verb or verbal noun ("قتل") is the verb when nothing
    governs it as a noun (no preposition or noun head before it) and no object
    follows: a preposition, a time, a clause break or a coordinated harm
    ("أن أحد الجنود قتل وجرح سبعة", "قتل في هجوم")."""
    if view.is_in(first - 1, _NOUN_GOVERNORS):
        return False  # "في قتل", "جرائم قتل", "عمليات خطف وقتل": verbal nouns
    following = last + 1
    if following >= view.size or view.is_boundary(following):
        return True
    token = view.tokens[following]
    return view.is_in(following, _IN.verb_followers) or view.has_time_at(following) or (
        token.startswith("و") and view.is_casualty(following))


def _realised_later(view: _ClauseView, last: int, verbs: int = _IN.realising_verbs) -> bool:
    """A verb after the noun, in its clause and not in a relative clause,
    makes it happen: "سيارة مفخخة مركونة ... انفجرت", "هجوما بقنبلة أدى";
    for a counted crowd, its verb of gathering ("آلاف من الطلاب ... تدفقوا").
    `verbs` is the bit of a word list (default: realising verbs)."""
    flags = view.flags
    for j in range(last + 1, min(view.size, last + 1 + CLAUSE_LOOKAHEAD)):
        if flags[j] & (_IN.relative | _BOUNDARY):
            return False
        if flags[j] & verbs:
            return True
    return False


def _near(doc: _Document, actor: ActorMention, trigger: Atom) -> bool:
    """Within ACTOR_WINDOW words of the trigger: evidence that the two belong together."""
    left, right = doc.fold_index(actor.start), doc.fold_index(actor.end)
    if right <= trigger.fstart:
        return _token_gap(doc.folded, right, trigger.fstart) <= ACTOR_WINDOW
    return _token_gap(doc.folded, trigger.fend, left) <= ACTOR_WINDOW


def _within(items: list, starts: list[int], sentence) -> list:
    """Items (sorted by start) lying inside the sentence."""
    first = bisect_left(starts, sentence.start)
    last = bisect_left(starts, sentence.end)
    return [item for item in items[first:last] if item.end <= sentence.end]


def _trigger_text(doc: _Document, trigger: Atom) -> str:
    """The trigger's whole words in the original text (affixes included)."""
    start, end = trigger.start, trigger.end
    while start > 0 and doc.text[start - 1].isalnum():
        start -= 1
    while end < len(doc.text) and (doc.text[end].isalnum() or "\u064b" <= doc.text[end] <= "\u0652"):
        end += 1
    return doc.text[start:end]


def _first_in_scope(triggers: list[Atom], scope: tuple[int, int]) -> str | None:
    for trigger in triggers:
        if scope[0] <= trigger.fstart < scope[1]:
            return trigger.payload.event_type
    return None


def _inside_name(doc: _Document, trigger: Atom, actors: list[ActorMention]) -> bool:
    """A trigger word inside a longer actor name ("Asia-Pacific Economic
    Cooperation", "شرطة مكافحة الشغب") is part of the name, not an act. A
    word that is an actor by itself and was only joined to its neighbour
    ("احتجزوا أربعة من الشرطة رهائن") stays a trigger."""
    if (trigger.start, trigger.end) in doc.actor_words:
        return False
    return any(a.start <= trigger.start and trigger.end <= a.end and (a.end - a.start) > (trigger.end - trigger.start)
               for a in actors)


def _negated(doc: _Document, trigger: Atom, modifiers: list[Atom]) -> bool:
    return _after_modifier(doc, trigger, modifiers, "negation", NEGATION_WINDOW - 1)


def _after_modifier(doc: _Document, trigger: Atom, modifiers: list[Atom], kind: str, max_gap: int) -> bool:
    """A modifier of `kind` ends at most `max_gap` words before the trigger."""
    trigger_word_start = trigger.fstart - len(trigger.prefix)
    for modifier in modifiers:
        if modifier.payload.kind != kind or modifier.fend > trigger_word_start:
            continue
        if _token_gap(doc.folded, modifier.fend, trigger_word_start) <= max_gap:
            return True
    return False


def _preposition_before(doc: _Document, trigger: Atom) -> bool:
    """The trigger word carries a preposition (ب ل ك) or follows one."""
    if doc.language == "ar" and trigger.prefix.lstrip("وف")[:1] in ("ب", "ل", "ك"):
        return True
    words = doc.folded[max(0, trigger.fstart - len(trigger.prefix) - 30):trigger.fstart - len(trigger.prefix)].split()
    return _after_preposition(words, doc.language)


def _after_preposition(words: list[str], language: str) -> bool:
    """The last of `words` is a preposition governing what follows, not part of a quantity
    ("thousands of students", "مئات من المتظاهرين")."""
    prepositions = _AR_PREPOSITIONS if language == "ar" else _EN_PREPOSITIONS
    return bool(words) and words[-1] in prepositions and not (len(words) > 1 and words[-2] in _QUANTIFIERS)


def _has_intent(doc: _Document, trigger: Atom, modifiers: list[Atom]) -> bool:
    if doc.language == "ar" and is_future_prefix(trigger.prefix):
        return True
    for modifier in modifiers:
        if modifier.payload.kind == "intent" and modifier.fend <= trigger.fstart \
                and _token_gap(doc.folded, modifier.fend, trigger.fstart) <= INTENT_WINDOW:
            return True
    return False


def _verbal_scope(doc: _Document, trigger: Atom, sentence) -> tuple[int, int]:
    """Folded span after a verbal trigger holding what was asked, refused...:
    up to VERBAL_SCOPE words, a clause break or the sentence end."""
    sentence_end = doc.fold_index(sentence.end)
    words = 0
    index = trigger.fend
    in_word = False
    while index < sentence_end:
        ch = doc.folded[index]
        if ch in _CLAUSE_BREAKS:
            break
        if ch == " " and in_word:
            words += 1
            if words > VERBAL_SCOPE:
                break
        in_word = ch != " "
        index += 1
    return trigger.fend, index


def _assign_actors(doc: _Document, trigger: Atom, actors: list[ActorMention], event_type: str):
    """Sources (one, or several coordinated) and target of the event at
    `trigger` among the sentence's actors. Actors joined by "and"/"و" in the
    subject all go to the source side; the caller emits one event per source
    (so each merges by its own actor1 in ``newsflow.dedup.event_key``) and the
    target is taken from the actors after the trigger, or is None."""
    overlapping = [a for a in actors if a.start < trigger.end and trigger.start < a.end]
    before = [a for a in actors if a.end <= trigger.start and not _governed_by_preposition(doc, a)]
    after = [a for a in actors if a.start >= trigger.end]
    source = before[-1] if before else None
    if source is not None and source.country is None:
        source = _titled(doc, source, before)
    if source is not None:
        # Back up to the head of a coordination ending just before the trigger.
        index = before.index(source)
        while index > 0 and _coordinated(doc, before[index - 1], before[index]):
            index -= 1
        source = before[index]
    target = None
    # A subject standing right before the verb ("الجيش السوري قصف المعارضة") keeps its role:
    # the actor after the verb is then its object, not a postponed subject.
    preverbal = bool(before) and _token_gap(doc.folded, doc.fold_index(before[-1].end),
                                            trigger.fstart - len(trigger.prefix)) == 0
    if doc.language == "ar" and after and not preverbal and not _governed_by_preposition(doc, after[0]):
        gap = _token_gap(doc.folded, trigger.fend, _word_start(doc, after[0]))
        if gap <= VSO_WINDOW - 1 and not _is_victim(after[0], event_type):
            # Verb-subject order ("شنت روسيا غارات") or a verbal noun with its
            # agent ("اقتحام قوات المعارضة"): the next actor is the source.
            if source is not None and source.sector not in ARMED_SECTORS | {"GOV"}:
                source = None
            source = after[0] if source is None or gap == 0 else source
    if doc.language == "en":
        by_agent = _english_by_agent(doc, trigger, after)
        if by_agent is not None:
            source, target = by_agent, source
        elif _english_passive(doc, trigger):
            source, target = None, source
    if source is None and after and event_type in RECIPROCAL and _after_between(doc, after[0]):
        # "clashes between A and B": A is coded as the source, B the target.
        source = after[0]
        target = next((a for a in after[1:] if _coordinated(doc, after[0], a)), None)
        return [source], target
    if overlapping and source is None:
        source = overlapping[0]     # "protesters", "Israeli helicopters" carry the act themselves
    sources = _coordination(doc, source, actors) if source is not None else []
    if target is None:
        # The target follows the act ("on X", "against X", "على", "ضد", an
        # object); a co-actor of the subject is never the target.
        target = next((a for a in after if all(a.start != s.start for s in sources)), None)
    if target is not None and _is_reporter(doc, target):
        target = None  # "..., officials said": who tells of the act is not its target
    if event_type in ("ASSAULT", "COERCE") and sources and _is_victim(sources[0], event_type):
        if target is None or not _is_victim(target, event_type):
            sources, target = ([target] if target else []), sources[0]
    return sources, target


_EN_REPORTING = frozenset("said say says told tells reported reports added stated announced confirmed quoted".split())


def _is_reporter(doc: _Document, actor: ActorMention) -> bool:
    """The actor is who tells of the sentence's act: the subject of a verb of saying ("officials
    said", "قال مسؤولون") or after "according to" ("بحسب", "وفقا ل")."""
    fstart, fend = doc.fold_index(actor.start), doc.fold_index(actor.end)
    before = [w.strip(_WORD_PUNCTUATION) for w in doc.folded[max(0, fstart - 30):fstart].split()]
    if doc.language == "en":
        before = before[:-1] if before[-1:] == ["the"] else before
        after = [w.strip(_WORD_PUNCTUATION) for w in doc.folded[fend:fend + 30].split()[:3]]
        return bool(_EN_REPORTING.intersection(after[:2])) and "that" not in after[:1] \
            or before[-2:] == ["according", "to"]
    reporting = get_event_lexicon().clauses.reporting_verbs
    return bool(before) and (before[-1] in reporting or _bare_word(before[-1]) in reporting
                             or before[-1].lstrip("و") in _AR_ACCORDING)


_AR_ACCORDING = frozenset(fold_for_match(w) for w in "بحسب حسب وفق وفقا لـ نقلا عن".split())


def _titled(doc: _Document, actor: ActorMention, before: list[ActorMention]) -> ActorMention:
    """The actor that names the country of `actor` just before it: a title before a personal name
    ("British Defence Secretary Tom King"), a whole before its part ("Russian aircraft including
    helicopter gunships"); else `actor`."""
    index = before.index(actor)
    if index == 0 or before[index - 1].country is None:
        return actor
    between = doc.text[before[index - 1].end:actor.start].split()
    if len(between) <= 3 and (all(w[:1].isupper() for w in between) or between[:1] == ["including"]):
        return before[index - 1]
    return actor


def _after_between(doc: _Document, actor: ActorMention) -> bool:
    words = doc.folded[max(0, doc.fold_index(actor.start) - 12):doc.fold_index(actor.start)].split()
    return bool(words) and words[-1] in ("بين", "between")


def _coordination(doc: _Document, head: ActorMention, actors: list[ActorMention]) -> list[ActorMention]:
    """`head` and the actors joined to it by "and", "و" or commas."""
    chain = [head]
    for actor in actors:
        if actor.start > chain[-1].start and _coordinated(doc, chain[-1], actor):
            chain.append(actor)
    return chain


def _coordinated(doc: _Document, left: ActorMention, right: ActorMention) -> bool:
    between = doc.folded[doc.fold_index(left.end):doc.fold_index(right.start)].strip(" ,،")
    if between in ("", "and", "و", "and the", "or", "او"):
        return between != "" or doc.language == "en"
    # The article stays outside an Arabic actor span: "الروسية والسورية".
    return doc.language == "ar" and between in ("وال", "او ال")


def _word_start(doc: _Document, actor: ActorMention) -> int:
    """Folded start of the word holding the actor, attached clitics included."""
    index = doc.fold_index(actor.start)
    while index > 0 and not doc.folded[index - 1].isspace():
        index -= 1
    return index


def _governed_by_preposition(doc: _Document, actor: ActorMention) -> bool:
    """An actor inside a prepositional phrase ("لنظام الأسد", "of the regime")
    is seldom the source of the sentence's event (asked once per actor)."""
    governed = doc._governed.get(actor.start)
    if governed is None:
        governed = doc._governed[actor.start] = _preposition_governs(doc, actor)
    return governed


def _preposition_governs(doc: _Document, actor: ActorMention) -> bool:
    fstart = doc.fold_index(actor.start)
    head = doc.folded[max(0, fstart - 30):fstart]
    words = head.split()
    attached = "" if head.endswith(" ") or not words else words[-1]
    if doc.language == "ar":
        if attached.lstrip("وف")[:1] in ("ب", "ل", "ك"):
            return True
        context = words if not attached else words[:-1]
    else:
        context = words
    return _after_preposition(context, doc.language)




def _is_victim(actor: ActorMention, event_type: str) -> bool:
    return event_type in ("ASSAULT", "COERCE") and actor.sector in VICTIM_SECTORS


_PARTICIPLES = frozenset(form for forms in _IRREGULAR_PAST.values() for form in forms)


def _english_passive(doc: _Document, trigger: Atom) -> bool:
    """A participle after a form of "be" ("was attacked"); not a progressive ("is investigating")
    nor an adjective of intent ("is prepared to", "is willing to")."""
    words = doc.folded[trigger.fstart:trigger.fend].split()
    verb = words[0] if words else ""
    if words[-1:] == ["to"] or not (verb.endswith(("ed", "en", "wn")) or verb in _PARTICIPLES):
        return False
    head = doc.folded[max(0, trigger.fstart - 20):trigger.fstart].split()
    return bool(head) and head[-1] in ("was", "were", "been", "be", "being", "is", "are")


def _english_by_agent(doc: _Document, trigger: Atom, after: list[ActorMention]) -> ActorMention | None:
    for actor in after[:1]:
        between = doc.folded[trigger.fend:doc.fold_index(actor.start)].split()
        if between and between[-1] == "by" and len(between) <= 4:
            return actor
    return None


def _choose_place(doc: _Document, trigger: Atom, places, previous_places, sentence):
    """The place below country level nearest the trigger; for a bare "the
    city" with none named, the last city named before; else the country."""
    candidates = [p for p in places if _trusted_place(doc, p)]
    finer = [p for p in candidates if PRECISION_RANK.get(p.place.precision, 0) > 1]
    if finer:
        return min(finer, key=lambda p: (_distance(p, trigger), -PRECISION_RANK[p.place.precision])).place
    if _mentions_anaphor(doc, sentence):
        for mention in reversed(previous_places):
            if PRECISION_RANK.get(mention.place.precision, 0) >= PRECISION_RANK["city"] \
                    and _trusted_place(doc, mention):
                return mention.place
    if candidates:
        return min(candidates, key=lambda p: _distance(p, trigger)).place
    return None


def _distance(mention, trigger: Atom) -> int:
    if mention.end <= trigger.start:
        return trigger.start - mention.end
    return max(0, mention.start - trigger.end)


def _trusted_place(doc: _Document, mention) -> bool:
    """Places below country level in a country the document never names
    otherwise are look-alikes more often than not ("لأول" is no town)."""
    if mention.place.precision == "country":
        return True
    return mention.place.country in doc.named_countries


def _mentions_anaphor(doc: _Document, sentence) -> bool:
    """The sentence says "the city" or the like (asked once per sentence)."""
    anaphoric = doc._anaphoric.get(sentence.start)
    if anaphoric is None:
        anaphoric = doc._anaphoric[sentence.start] = _names_anaphor(doc, sentence)
    return anaphoric


def _occurrences(text: str, word: str) -> Iterator[int]:
    index = text.find(word)
    while index != -1:
        yield index
        index = text.find(word, index + 1)


def _names_anaphor(doc: _Document, sentence) -> bool:
    start, end = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
    if doc._anaphor_cores is None:  # where the document holds a core of an anaphor, found once
        # No two cores can overlap: the first one from a sentence's start tells.
        found = sorted((index, index + len(core)) for core in _ANAPHOR_CORES for index in _occurrences(doc.folded, core))
        doc._anaphor_cores = [span[0] for span in found], [span[1] for span in found]
    starts, ends = doc._anaphor_cores
    first = bisect_left(starts, start)
    if first == len(starts) or ends[first] > end:
        return False  # quick test: most sentences name no "city"
    words = [word.strip(_WORD_PUNCTUATION) for word in doc.folded[start:end].split()]  # "the city."
    pairs = {" ".join(words[i:i + 2]) for i in range(len(words))}
    stripped = {w[1:] if w[:1] in "وفب" and w[1:].startswith("ال") else w for w in words}
    return bool(ANAPHORS & (stripped | pairs))


_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")
# A year told as the time of the act ("adopted in 2015", "عام 2015"), not as a start ("since 2016").
_ACT_YEAR = re.compile(r"(?:(\S+) )?(?:in|during|عام|في عام|سنة|في)\s+(19[4-9]\d|20\d\d)(?!\d)")
_YEAR_STARTS = frozenset(fold_for_match(w) for w in "since after before until منذ بعد قبل حتى".split())


_RELATIVES = frozenset(fold_for_match(w) for w in
                       "الذي التي الذين اللذين اللتين اللواتي اللاتي which who whose that".split())
_APPOSITION_BREAKS = re.compile(r"[،,;؛:()\"«»“”]")


def _background_years(folded: str) -> Iterator[str]:
    """The years of a sentence that may be the time of its act: not a year inside a relative
    clause or an apposition ("the conflict that began after the 2011 revolution", "الصراع الذي
    بدأ في أعقاب ثورة 2011") nor one after "since" ("for the first time since 2016"): those
    date another thing, and the act may well be of the day."""
    for match in _YEAR.finditer(folded):
        clause = _APPOSITION_BREAKS.split(folded[:match.start()])[-1].split()
        words = {_bare_word(w.strip(_WORD_PUNCTUATION)) for w in clause} | set(clause)
        if words.isdisjoint(_RELATIVES) and not (clause and (
                clause[-1] in _YEAR_STARTS or len(clause) > 1 and clause[-2] in _YEAR_STARTS)):
            yield match.group()


def _event_date(doc: _Document, sentence) -> tuple[str | None, str, bool, bool]:
    """The event's date, its precision, whether an expression of the sentence gave it, and whether
    the sentence names an earlier year (before the publication's; any year when it is unknown)."""
    from newsflow.dates import resolve_event_date

    start, end = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
    folded = doc.folded[start:end]
    resolved = resolve_event_date(sentence.text, doc.language, doc.published_at, folded, doc.date_rules(start, end))
    has_year = "19" in folded or "20" in folded  # most sentences name no year: skip the searches
    earlier_year = has_year and any(doc.published_at is None or int(year) < doc.published_at.year
                                    for year in _background_years(folded))
    if resolved is None or resolved.date is None:
        return None, "unknown", bool(resolved and resolved.expression), earlier_year
    if resolved.expression is None and earlier_year and doc.published_at is not None and any(
            int(year) < doc.published_at.year and before not in _YEAR_STARTS
            for before, year in _ACT_YEAR.findall(folded)):
        # "the resolution adopted in 2015 calls for ...": an act of an earlier year told as
        # background is not one of the publication day (a year alone is no event date).
        return None, "unknown", False, earlier_year
    return resolved.date.isoformat(), resolved.precision, resolved.expression is not None, earlier_year


# --- Batch ------------------------------------------------------------------------

def _parse_published(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def events_batch(lines: Iterable[str], candidates: bool = False) -> Iterator[dict]:
    """JSON lines in ({"id", "text", "language"?, "published_at"?, "title"?}),
    one result per line out ({"id", "events", "error"}); a bad line yields
    an error for its id and the batch goes on. Only events (``is_event``) are
    emitted unless `candidates`: then the mentions below the cut follow too."""
    for line in lines:
        if not line.strip():
            continue
        record_id = None
        try:
            record = parse_json_object(line)
            record_id = record.get("id")
            text = record.get("text")
            if not isinstance(text, str):
                raise ValueError("'text' must be a string")
            language = record.get("language")
            if language is not None and language not in SUPPORTED_LANGUAGES:
                raise ValueError(f"'language' must be one of {', '.join(SUPPORTED_LANGUAGES)} or absent"
                                 f" (detected), got {language!r}")
            events = extract_events(text, record.get("language"), _parse_published(record.get("published_at")),
                                    record.get("title"))
            if not candidates:
                events = [event for event in events if event["is_event"]]
            yield {"id": record_id, "events": events, "error": None}
        except Exception as exc:  # one bad record must not stop the batch
            yield {"id": record_id, "events": [], "error": f"{type(exc).__name__}: {exc}"}
