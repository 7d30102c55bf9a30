"""Who did it to whom: the source(s) and the target of an event among its sentence's actors, by
word order, passive voice, prepositions, coordination and actor sectors (function words in
data/events/grammar.yaml, roles)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from newsflow.actors import ARMED_SECTORS, VICTIM_SECTORS, ActorMention, Atom, leading_actor
from newsflow.events.document import bare_word, token_gap
from newsflow.events.lexicon import WORD_PUNCTUATION, get_event_lexicon, grammar, grammar_words
from newsflow.events.plover import RECIPROCAL

if TYPE_CHECKING:
    from newsflow.events.document import Document

ACTOR_WINDOW = 6         # words between a trigger and an actor that count as its participant
VSO_WINDOW = 2           # Arabic: an actor this close after the verb is its subject


def actor_dict(mention: ActorMention | None, fallback_country: str | None) -> dict | None:
    if mention is None:
        return None
    country, code = mention.country, mention.code
    if country is None and fallback_country and mention.sector not in ("IGO", "NGO"):
        country, code = fallback_country, fallback_country + (mention.sector or "")
    return {"text": mention.text, "code": code, "country": country, "sector": mention.sector}


_EN_REPORTING = grammar_words("roles", "reporting_verbs", "en")
# "according to" phrases (as lists of words) per language and last word: the phrases that may end
# with the word before an actor (or, for an Arabic word, with it without an attached و).
def _according_by_last_word() -> dict[str, dict[str, tuple[list[str], ...]]]:
    found: dict[str, dict[str, tuple[list[str], ...]]] = {}
    for language, phrases in grammar()["roles"]["according"].items():
        by_last = found.setdefault(language, {})
        for words in (phrase.split() for phrase in phrases):
            by_last[words[-1]] = by_last.get(words[-1], ()) + (words,)
    return found


_ACCORDING = _according_by_last_word()
_ARTICLES = grammar_words("roles", "articles")
_COMPLEMENTISERS = grammar_words("roles", "complementisers")
_INCLUDING = grammar_words("roles", "including")
_BETWEEN = grammar_words("roles", "between")
_COORDINATORS = grammar_words("roles", "coordinators")
_ARTICLE_COORDINATORS = grammar_words("roles", "article_coordinators", "ar")
_PASSIVE_AUXILIARIES = grammar_words("roles", "passive_auxiliaries")
_AGENT_MARKERS = grammar_words("roles", "agent_markers")
_PARTICIPLES = frozenset(form for forms in grammar()["irregular_past"].values() for form in forms)


@lru_cache(maxsize=1)
def _prepositions() -> tuple[dict[str, frozenset], frozenset]:
    """Per language, the prepositions; and the quantifiers of either language (read once the
    lexicon is loaded: the Arabic ones are clause words)."""
    clauses = get_event_lexicon().clauses
    return {"ar": clauses.prepositions, "en": grammar_words("roles", "prepositions", "en")}, clauses.quantifiers


def event_roles(doc: Document, trigger: Atom, actors: list[ActorMention], event_type: str, sentence):
    """Sources and target of the event at `trigger` (see assign_actors). With no source near the
    trigger, the English sentence's subject ("Syria says it is willing to ...") is the one who
    acts, unless it is the target already."""
    sources, target = assign_actors(doc, trigger, actors, event_type)
    if not sources:
        lead = leading_actor(actors, doc.text, sentence.start, sentence.end, doc.language)
        if lead is not None and (target is None or lead.start != target.start):
            sources = [lead]
    return sources, target


def near(doc: Document, actor: ActorMention, trigger: Atom) -> bool:
    """Within ACTOR_WINDOW words of the trigger: evidence that the two belong together."""
    left, right = doc.fold_index(actor.start), doc.fold_index(actor.end)
    if right <= trigger.fstart:
        return token_gap(doc.folded, right, trigger.fstart) <= ACTOR_WINDOW
    return token_gap(doc.folded, trigger.fend, left) <= ACTOR_WINDOW


def preposition_before(doc: Document, trigger: Atom) -> bool:
    """The trigger word carries a preposition (ب ل ك) or follows one."""
    if doc.language == "ar" and trigger.prefix.lstrip("وف")[:1] in ("ب", "ل", "ك"):
        return True
    words = doc.folded[max(0, trigger.fstart - len(trigger.prefix) - 30):trigger.fstart - len(trigger.prefix)].split()
    return _after_preposition(words, doc.language)


def _after_preposition(words: list[str], language: str) -> bool:
    """The last of `words` is a preposition governing what follows, not part of a quantity
    ("thousands of students", "مئات من المتظاهرين")."""
    prepositions, quantifiers = _prepositions()
    return bool(words) and words[-1] in prepositions[language] and not (len(words) > 1 and words[-2] in quantifiers)


def assign_actors(doc: Document, trigger: Atom, actors: list[ActorMention], event_type: str):
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
    preverbal = bool(before) and token_gap(doc.folded, doc.fold_index(before[-1].end),
                                            trigger.fstart - len(trigger.prefix)) == 0
    if doc.language == "ar" and after and not preverbal and not _governed_by_preposition(doc, after[0]):
        gap = token_gap(doc.folded, trigger.fend, _word_start(doc, after[0]))
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


def _is_reporter(doc: Document, actor: ActorMention) -> bool:
    """The actor is who tells of the sentence's act: the subject of a verb of saying ("officials
    said", "قال مسؤولون") or after "according to" ("بحسب", "وفقا ل")."""
    fstart, fend = doc.fold_index(actor.start), doc.fold_index(actor.end)
    before = [w.strip(WORD_PUNCTUATION) for w in doc.folded[max(0, fstart - 30):fstart].split()]
    if doc.language == "en":
        before = before[:-1] if before[-1:] and before[-1] in _ARTICLES else before
        after = [w.strip(WORD_PUNCTUATION) for w in doc.folded[fend:fend + 30].split()[:3]]
        return bool(_EN_REPORTING.intersection(after[:2])) and _COMPLEMENTISERS.isdisjoint(after[:1]) \
            or _after_according(before, "en")
    reporting = get_event_lexicon().clauses.reporting_verbs
    return bool(before) and (before[-1] in reporting or bare_word(before[-1]) in reporting
                             or _after_according(before, "ar"))


def _after_according(before: list[str], language: str) -> bool:
    """The words `before` an actor end with a whole "according to" phrase ("according to",
    "بحسب", "نقلا عن": a bare "عن" is no such phrase); an Arabic phrase may take an attached و."""
    if not before:
        return False
    by_last = _ACCORDING.get(language, {})
    phrases = by_last.get(before[-1], ())
    if language == "ar" and before[-1][:1] == "و":
        phrases += by_last.get(before[-1].lstrip("و"), ())
    for phrase in phrases:
        tail = before[-len(phrase):]
        if len(tail) == len(phrase) and tail[1:] == phrase[1:] and (
                tail[0] == phrase[0] or language == "ar" and tail[0].lstrip("و") == phrase[0]):
            return True
    return False


def _titled(doc: Document, actor: ActorMention, before: list[ActorMention]) -> ActorMention:
    """The actor that names the country of `actor` just before it: a title before a personal name
    ("British Defence Secretary Tom King"), a whole before its part ("Russian aircraft including
    helicopter gunships"); else `actor`."""
    index = before.index(actor)
    if index == 0 or before[index - 1].country is None:
        return actor
    between = doc.text[before[index - 1].end:actor.start].split()
    if len(between) <= 3 and (all(w[:1].isupper() for w in between) or _INCLUDING.issuperset(between[:1])):
        return before[index - 1]
    return actor


def _after_between(doc: Document, actor: ActorMention) -> bool:
    words = doc.folded[max(0, doc.fold_index(actor.start) - 12):doc.fold_index(actor.start)].split()
    return bool(words) and words[-1] in _BETWEEN


def _coordination(doc: Document, head: ActorMention, actors: list[ActorMention]) -> list[ActorMention]:
    """`head` and the actors joined to it by "and", "و" or commas."""
    chain = [head]
    for actor in actors:
        if actor.start > chain[-1].start and _coordinated(doc, chain[-1], actor):
            chain.append(actor)
    return chain


def _coordinated(doc: Document, left: ActorMention, right: ActorMention) -> bool:
    between = doc.folded[doc.fold_index(left.end):doc.fold_index(right.start)].strip(" ,،")
    if between == "" or between in _COORDINATORS:
        return between != "" or doc.language == "en"
    # The article stays outside an Arabic actor span: "الروسية والسورية".
    return doc.language == "ar" and between in _ARTICLE_COORDINATORS


def _word_start(doc: Document, actor: ActorMention) -> int:
    """Folded start of the word holding the actor, attached clitics included."""
    index = doc.fold_index(actor.start)
    while index > 0 and not doc.folded[index - 1].isspace():
        index -= 1
    return index


def _governed_by_preposition(doc: Document, actor: ActorMention) -> bool:
    """An actor inside a prepositional phrase ("لنظام الأسد", "of the regime")
    is seldom the source of the sentence's event (asked once per actor)."""
    governed = doc._governed.get(actor.start)
    if governed is None:
        governed = doc._governed[actor.start] = _preposition_governs(doc, actor)
    return governed


def _preposition_governs(doc: Document, actor: ActorMention) -> bool:
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


def _english_passive(doc: Document, trigger: Atom) -> bool:
    """A participle after a form of "be" ("was attacked"); not a progressive ("is investigating")
    nor an adjective of intent ("is prepared to", "is willing to")."""
    words = doc.folded[trigger.fstart:trigger.fend].split()
    verb = words[0] if words else ""
    if words[-1:] == ["to"] or not (verb.endswith(("ed", "en", "wn")) or verb in _PARTICIPLES):
        return False
    head = doc.folded[max(0, trigger.fstart - 20):trigger.fstart].split()
    return bool(head) and head[-1] in _PASSIVE_AUXILIARIES


def _english_by_agent(doc: Document, trigger: Atom, after: list[ActorMention]) -> ActorMention | None:
    for actor in after[:1]:
        between = doc.folded[trigger.fend:doc.fold_index(actor.start)].split()
        if between and between[-1] in _AGENT_MARKERS and len(between) <= 4:
            return actor
    return None
