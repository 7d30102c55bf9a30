"""Coding a text: each sentence's triggers read in their sense and clause, with their actors,
place, date and confidence, as the mentions `extract_events` returns; and the batch form of it."""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from datetime import datetime
from functools import lru_cache
from itertools import compress
from typing import Iterable, Iterator

from newsflow.actors import ARMED_SECTORS, iso2_to_iso3
from newsflow.batch import parse_json_object
from newsflow.events.clauses import (after_modifier, document_speaks, first_in_scope, has_intent, negated,
                                     present_tense, verbal_scope)
from newsflow.events.document import Document, is_heading, paragraph_index, paragraph_starts, trigger_text, within
from newsflow.events.event_date import event_date
from newsflow.events.event_place import choose_place, place_dict
from newsflow.events.plover import COOPERATIVE, HOSTILE, SUPPORTED_LANGUAGES
from newsflow.events.realis import best_reading, sentence_realis
from newsflow.events.roles import actor_dict, event_roles, near, preposition_before
from newsflow.events.scoring import get_confidence_model, mention_features
from newsflow.events.senses import SentenceSenses, inside_name, is_dawn
from newsflow.text import fold_for_match

# A habit word ("often", "غالبا ما") at most this many words before a trigger makes it a habit,
# not an act: "are often targeted", "often the target of".
HABIT_GAP = 1
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
    """PLOVER events found in `text` (see the package docstring): every coded mention, each
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
    doc = Document(text, language, published_at)
    doc.keep_features = keep_features
    fallback_country = iso2_to_iso3().get(doc.focus_country) if doc.focus_country else None
    paragraphs = paragraph_starts(text)
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
        paragraph = paragraph_index(paragraphs, sentence.start)
        # The last sentence is never a heading: a lone unpunctuated sentence is content.
        heading = (sentence is not doc.sentences[-1] and is_heading(sentence.text)) \
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


def _sentence_events(doc: Document, sentence, places, previous_places, is_root: bool,
                     fallback_country: str | None) -> list[dict]:
    triggers = within(doc.triggers, doc.trigger_starts, sentence)
    if not triggers:
        return []
    modifiers = within(doc.modifiers, doc.modifier_starts, sentence)
    actors = within(doc.actors, doc.actor_starts, sentence)
    armed = any(a.sector in ARMED_SECTORS for a in actors)
    hedged = any(m.payload.kind == "hedge" for m in modifiers)

    events: list[dict] = []
    # Negated triggers, and "فجر" read as dawn, are no acts: for clause scores as for events.
    is_act = [not negated(doc, t, modifiers) and not (doc.language == "ar" and is_dawn(doc, t)) for t in triggers]
    realis, realis_predicates = sentence_realis(doc, sentence, list(compress(triggers, is_act)), bool(places)) \
        if doc.language == "ar" else ({}, frozenset())
    scorer = get_confidence_model()
    sentence_words = None  # (folded start, end) of the sentence, on first need
    seen_types: set[str] = set()
    verbal_scopes: list[tuple[int, int]] = []  # folded spans that are the content of a verbal act
    habit_scopes: list[tuple[int, int]] = []  # folded spans after a habit ("usually detain ...")
    date = None
    sentence_senses = SentenceSenses(doc, sentence)
    for trigger, act in zip(triggers, is_act):
        folded_trigger = doc.folded[trigger.fstart:trigger.fend]
        entry = sentence_senses.entry(trigger, folded_trigger)
        if entry is None:  # a month, a word of sports or business
            continue
        if any(s <= trigger.fstart < e for s, e in verbal_scopes) and trigger.fstart not in realis_predicates:
            # The content of a verbal act, unless a protest that is the predicate of a clause
            # of its own ("معلنين رفضهم للقرار، مرددين هتافات").
            continue
        if not act or entry.armed_agent and not armed:
            continue
        if after_modifier(doc, trigger, modifiers, "background", 0) or inside_name(doc, trigger, actors):
            continue
        if after_modifier(doc, trigger, modifiers, "habit", HABIT_GAP) \
                or any(s <= trigger.fstart < e for s, e in habit_scopes):
            # A habit, and so the acts told in its clause: "usually detain them before releasing them".
            habit_scopes.append(verbal_scope(doc, trigger, sentence))
            continue
        if entry.participant and (trigger is not triggers[0] or preposition_before(doc, trigger)) \
                and trigger.fstart not in realis_predicates:  # "خرجوا في مسيرات" (see realis._marched_in)
            continue
        event_type, mode = entry.event_type, entry.mode
        if has_intent(doc, trigger, modifiers) and not entry.verbal:
            if event_type in COOPERATIVE:
                event_type, mode = "AGREE", None
            elif event_type in HOSTILE:
                event_type, mode = "THREATEN", "violence" if event_type == "ASSAULT" else None
        if entry.verbal or event_type in ("AGREE", "THREATEN"):
            scope = verbal_scope(doc, trigger, sentence)
            verbal_scopes.append(scope)
            if event_type == "AGREE" and first_in_scope(triggers, scope) in HOSTILE:
                event_type = "THREATEN"  # "is prepared to impose martial law"
        if event_type in seen_types:
            # One event per type and sentence; a later word may still say how.
            for event in events:
                if event["event_type"] == event_type and event["mode"] is None and mode:
                    event["mode"] = mode
            continue
        seen_types.add(event_type)
        sources, actor2 = event_roles(doc, trigger, actors, event_type, sentence)
        place = choose_place(doc, trigger, places, previous_places, sentence)
        if date is None or date[4]:  # a year of a relative clause dates only the act told in it
            date = event_date(doc, sentence, trigger.fstart)
        if sentence_words is None:
            sentence_words = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
        evidence = {
            "source": bool(sources), "target": actor2 is not None, "place": place is not None, "date": date[2],
            "near_source": bool(sources) and near(doc, sources[0], trigger),
            "near_target": actor2 is not None and near(doc, actor2, trigger),
            "corroborated": sum(1 for t in triggers if t.payload.event_type == entry.event_type) > 1,
            "hedged": hedged, "intent": event_type != entry.event_type, "verbal": entry.verbal,
            "later_type": len(seen_types) > 1,
        }
        present = present_tense(doc, folded_trigger)
        if entry.verbal and present and not date[2] and document_speaks(doc, trigger, sentence, actors, sentence_senses.senses):
            # "the resolution calls for talks", "القرار ... يدعو إلى": what a text says, undated,
            # is no act of the day (no labelled example to learn it from: the gold codes acts).
            seen_types.discard(event_type)
            continue
        shape = {"shape:earlier_year": date[3],
                 # An Arabic imperfect ("يدعو", "يستهدف"): a present, habitual or future act.
                 "shape:present": doc.language == "ar" and present}
        extra = [name for name, present in shape.items() if present]
        if event_type in realis:
            extra += best_reading(realis[event_type])
        features = mention_features(doc, trigger, event_type, evidence, sentence_words, extra)
        confidence = scorer.confidence(features)
        is_event = event_policy().is_event(confidence)
        location_country = iso2_to_iso3().get(place.country) if place else None
        fallback = location_country or fallback_country
        # Coordinated sources ("the US, Germany and France called...") give one event each.
        for actor1 in sources or [None]:
            events.append({
                "event_type": event_type,
                "mode": mode,
                "actor1": actor_dict(actor1, fallback),
                "actor2": actor_dict(actor2, fallback),
                "location": place_dict(place),
                "event_date": date[0],
                "date_precision": date[1],
                "sentence": sentence.text,
                "sentence_start": sentence.start,
                "sentence_end": sentence.end,
                "trigger": trigger_text(doc, trigger),
                "confidence": confidence,
                "is_event": is_event,
                "is_root": is_root,
                "language": doc.language,
                **({"features": sorted(features)} if doc.keep_features else {}),
            })
    return events


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
