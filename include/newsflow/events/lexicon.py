"""Loading the event coder's word lists: trigger words and modifiers (data/events/plover.yaml),
word senses and tenses (senses.yaml), Arabic clause words (clauses.yaml) and function words
(grammar.yaml); and the one matcher per language that finds them all in a text."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import yaml

from newsflow.actors import LexiconMatcher, get_actor_coder, string_list, word_lists, words_in
from newsflow.events.clause_words import MATCH_GROUP, MATCH_START, TOKEN, ClauseWords, token_profiles
from newsflow.events.plover import PLOVER_TYPES, SUPPORTED_LANGUAGES, EventDataError
from newsflow.text import BoundedMemo, fold_for_match, fold_piece

# Stripped from the ends of a word of folded text before it is looked up.
WORD_PUNCTUATION = ".,،;:؛!?؟\"'«»“”()"


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
    kind: str  # negation | intent | hedge | background | habit


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
    shapes: re.Pattern | None = None  # a shape of the folded text that is a context word too ("2 1", a score)


@dataclass(frozen=True)
class StateFrames:
    """Folded words that make a trigger a standing state (data/events/senses.yaml, states): a
    trigger right after a frame word (or with it as its clitic), a state verb at most `gap` words
    before that frame."""
    triggers: frozenset
    frames: frozenset
    verbs: frozenset
    gap: int


HABITUAL = ModifierEntry("hedge")  # "often", "usually": a general statement, weighed as a hedge
HABIT = ModifierEntry("habit")  # "are often targeted": the trigger right after it tells a habit
NOT_ACT = NotActEntry()


def _english_inflections(phrase: str) -> list[str]:
    """The phrase with its first word inflected: attack -> attacks, attacked,
    attacking; agree -> agreed; ship out -> shipped out."""
    head, _, rest = phrase.partition(" ")
    tail = f" {rest}" if rest else ""
    forms = {head, *grammar()["irregular_past"].get(head, ())}
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


_word_list = partial(string_list, error=EventDataError)


def _read_yaml(name: str, path=None):
    """The parsed data/events/`name` (or `path`)."""
    source = Path(path) if path else resources.files("newsflow") / "data" / "events" / name
    try:
        return yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EventDataError(f"data/events/{name}: invalid YAML: {exc}") from exc


def load_event_lexicon() -> dict:
    """The validated contents of data/events/plover.yaml, with the clause words of clauses.yaml."""
    data = _read_yaml("plover.yaml")
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
    return {"triggers": triggers, "modifiers": modifiers, "clauses": load_clause_words()}


def load_clause_words(path=None) -> ClauseWords:
    """The validated, folded Arabic clause words of data/events/clauses.yaml (or `path`)."""
    lists = (_read_yaml("clauses.yaml", path) or {}).get("ar") or {}
    fields = set(ClauseWords.__dataclass_fields__)
    if set(lists) != fields:
        raise EventDataError(f"data/events/clauses.yaml: ar: unknown lists {sorted(set(lists) - fields)}, "
                             f"missing lists {sorted(fields - set(lists))}")
    words = {name: frozenset(fold_for_match(w) for w in _word_list(value, f"data/events/clauses.yaml: ar.{name}"))
             for name, value in lists.items()}
    # English quantifiers in an Arabic text count a crowd as well ("thousands من ...").
    words["quantifiers"] |= frozenset(grammar()["roles"]["quantifiers"].get("en", ()))
    return ClauseWords(**words)


GRAMMAR_SECTIONS = {
    "roles": {"prepositions", "quantifiers", "reporting_verbs", "according", "passive_auxiliaries", "agent_markers",
              "between", "coordinators", "article_coordinators", "articles", "complementisers", "including"},
    "places": {"anaphors"},
    "dates": {"relatives", "year_starts", "act_year_markers"},
}


def load_grammar(path=None) -> dict:
    """The validated contents of data/events/grammar.yaml (or `path`): the irregular English
    verbs (verb -> its forms) and, per section and list, language -> its folded words in order."""
    where = "data/events/grammar.yaml"
    data = _read_yaml("grammar.yaml", path) or {}
    if not isinstance(data, dict) or set(data) != {"irregular_past", *GRAMMAR_SECTIONS}:
        raise EventDataError(f"{where}: expected the sections irregular_past, {', '.join(GRAMMAR_SECTIONS)}")
    irregular = data["irregular_past"]
    if not isinstance(irregular, dict):
        raise EventDataError(f"{where}: irregular_past: expected a mapping of verb -> forms")
    result = {"irregular_past": {str(verb): tuple(_word_list(forms, f"{where}: irregular_past.{verb}"))
                                 for verb, forms in irregular.items()}}
    result.update(word_lists(data, GRAMMAR_SECTIONS, where, SUPPORTED_LANGUAGES, EventDataError))
    return result


@lru_cache(maxsize=1)
def grammar() -> dict:
    """load_grammar(), read once."""
    return load_grammar()


def grammar_words(section: str, name: str, *languages: str) -> frozenset:
    """The folded words of a grammar.yaml list in `languages` (default: all of them)."""
    return words_in(grammar()[section][name], languages or SUPPORTED_LANGUAGES)


def load_senses(path=None) -> dict:
    """The validated contents of data/events/senses.yaml (or `path`): per language, the not-act
    phrases, the sense contexts, the month words and the habitual words."""
    data = _read_yaml("senses.yaml", path) or {}
    if not isinstance(data, dict):
        raise EventDataError("data/events/senses.yaml: expected a mapping of sections")
    unknown = set(data) - {"not_acts", "contexts", "months", "habitual", "habits", "documents", "states"}
    if unknown:
        raise EventDataError(f"data/events/senses.yaml: unknown sections {sorted(unknown)}")
    states = data.get("states") or {}
    gap = states.get("gap", 0) if isinstance(states, dict) else None
    if not isinstance(states, dict) or not set(states) <= {"gap", "frames", "verbs", "triggers"} \
            or not isinstance(gap, int) or isinstance(gap, bool) or gap < 0:
        raise EventDataError("data/events/senses.yaml: states: expected 'frames', 'verbs' and 'triggers' "
                             "(words per language) and 'gap' (a whole number of words, 0 or more)")
    senses = {}
    for language in SUPPORTED_LANGUAGES:
        def words(section, where):
            return [fold_for_match(w) for w in _word_list((section or {}).get(language), f"{where}.{language}")]

        contexts = []
        for name, spec in (data.get("contexts") or {}).items():
            if not isinstance(spec, dict) or not {"words", "triggers"} <= set(spec) <= {"words", "triggers", "scope", "as",
                                                                                   "shapes"} \
                    or spec.get("scope", "sentence") not in ("sentence", "document") \
                    or spec.get("as") not in (None, *PLOVER_TYPES):
                raise EventDataError(f"data/events/senses.yaml: contexts.{name}: needs 'words' and 'triggers' "
                                     "(and optionally 'scope': sentence or document, 'as': a PLOVER type, "
                                     "'shapes': regular expressions)")
            context_words = words(spec["words"], f"contexts.{name}.words")
            shapes = _shapes(spec.get("shapes"), f"contexts.{name}.shapes")
            contexts.append(SenseContext(frozenset(w for w in context_words if " " not in w),
                                         tuple(f" {w} " for w in context_words if " " in w),
                                         frozenset(words(spec["triggers"], f"contexts.{name}.triggers")),
                                         spec.get("scope") == "document", spec.get("as"), shapes))
        senses[language] = {"not_acts": words(data.get("not_acts"), "not_acts"), "contexts": tuple(contexts),
                            "months": frozenset(words(data.get("months"), "months")),
                            "habitual": words(data.get("habitual"), "habitual"),
                            "habits": words(data.get("habits"), "habits"),
                            "documents": frozenset(words(data.get("documents"), "documents")),
                            "states": StateFrames(frozenset(words(states.get("triggers"), "states.triggers")),
                                                  frozenset(words(states.get("frames"), "states.frames")),
                                                  frozenset(words(states.get("verbs"), "states.verbs")), gap)}
    return senses


def _shapes(patterns, where: str) -> re.Pattern | None:
    """One regular expression of the shapes listed (None when none are), each checked on load."""
    if patterns is None:
        return None
    if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
        raise EventDataError(f"data/events/senses.yaml: {where}: expected a list of regular expressions")
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise EventDataError(f"data/events/senses.yaml: {where}: {pattern!r} is no regular expression: {exc}") \
                from None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


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
            for form in senses[language]["habits"]:
                matcher.add(form, HABIT, "actor")
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
            matches = list(TOKEN.finditer(folded))
            token_starts = tuple(map(MATCH_START, matches))
            flags = tuple(map(token_profiles(self.clauses).__getitem__, map(MATCH_GROUP, matches)))
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
    flags: tuple         # ... and their flags and word-list bits (see newsflow.events.clause_words)


PIECE_RECORDS_LIMIT = 50_000  # distinct pieces remembered per language
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
    if _LEXICON is not None:  # loaded: no lock to take (asked thousands of times per text batch)
        return _LEXICON
    with _LEXICON_LOCK:
        if _LEXICON is None:
            _LEXICON = EventLexicon()
    return _LEXICON
