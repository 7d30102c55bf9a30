"""Arabic clause structure: whether an attack or protest word reports a concrete, realised act.

An Arabic attack or protest word is a report of a concrete act when it is
the predicate of its clause (a finite verb, or a noun that a verb makes
happen: "انفجرت سيارة مفخخة", "هجوم أسفر عن", "قتل خمسة في هجوم") and the
act is realised and specific (a recent time, a day and month, a count of
victims). The same word as the object of a condemnation or claim, after
"since", "after", "responsibility for", inside a relative clause, under a
plan or a condition, counted in a statistic or used of words ("شن هجوما
حادا على الحكومة") names an act told elsewhere or none at all. The readings
are features of the confidence model (newsflow.events.scoring), not rules
that drop a mention.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache, reduce
from operator import or_
from typing import TYPE_CHECKING

from newsflow.actors import Atom, is_future_prefix
from newsflow.events.clause_words import (BOUNDARY, CASUALTY, DAWN_ALWAYS, DAWN_KEEPS, DAWN_WORD, DIGITS, IN, IS_COLON,
                                          IS_DEMONSTRATIVE, IS_FI, IS_MIN, MONTH, NOUN_GOVERNORS, NUMBER, TIME, TOKEN,
                                          ClauseWords, reads_as_dawn)
from newsflow.events.document import token_gap
from newsflow.events.lexicon import TriggerEntry, get_event_lexicon
from newsflow.events.plover import REALIS_TYPES

if TYPE_CHECKING:
    from newsflow.events.document import Document

CLAUSE_LOOKAHEAD = 12     # words after a noun in which a verb may make it happen


def sentence_realis(doc: Document, sentence, acts: list[Atom], has_place: bool) -> tuple[dict[str, list], frozenset]:
    """The clause-structure features (model feature names) of each attack/protest word in an
    Arabic sentence, per type, and the folded starts of protest triggers that are their clause's
    predicate: a protest told after a verbal act ("معلنين رفضهم ... مرددين
    هتافات") is no content of it, where an attack often is ("أدانت ... خطفوا").
    `acts`: the sentence's triggers that are acts (see coder._sentence_events)."""
    wanted = [t for t in acts if t.payload.event_type in REALIS_TYPES]
    if not wanted:
        return {}, frozenset()
    view = _ClauseView(doc, sentence, get_event_lexicon().clauses)
    # A report told on a source's word ("قال مصدر في الشرطة إن ...") is how attacks are news.
    attributed = view.any_in(range(min(REPORT_OPENING, view.size)), IN.reporting_verbs)
    # In a long sentence the coded act is its main one; many others are told on the way.
    long_sentence = view.size >= LONG_SENTENCE
    found: dict[str, list] = {}
    predicates = set()
    for index, trigger in enumerate(wanted):
        if index and wanted[index - 1].payload.event_type == trigger.payload.event_type \
                and token_gap(doc.folded, wanted[index - 1].fend, trigger.fstart) == 0 \
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
    verb = first - 2 if view.is_in(first - 1, IS_FI) else first - 1
    return verb >= 0 and view.is_in(verb, IN.protest_verbs) and not view.is_in(verb - 1, IN.relative)


def _opens_clause(view: "_ClauseView", trigger: Atom) -> bool:
    """The trigger is among the first two words of its clause."""
    first = view.index_of(trigger.fstart)
    return first - view.clause_start(first) <= 1


REPORT_OPENING = 3        # tokens at the start of a sentence where its verb of saying stands
LONG_SENTENCE = 40
BURIED_AFTER = 20


_AGAINST_REPORT = frozenset(f"clause:{name}" for name in
                            ("reference", "irrealis", "generic", "figurative", "cumulative", "anaphoric"))


def best_reading(readings: list[frozenset]) -> frozenset:
    """Of the clause readings of a type's words in a sentence, the one most like a report: the
    predicate of its clause, with the fewest readings against a report, then a time or a count."""
    return max(readings, key=lambda r: ("clause:predicate" in r, -len(r & _AGAINST_REPORT),
                                        "clause:time" in r, "clause:count" in r))


@lru_cache(maxsize=1024)
def _realis_names(features: tuple) -> frozenset:
    return frozenset("clause:" + name for name, present in features if present)


class _SentenceTokens:
    """The words and punctuation of a sentence, by index, read from the folded text
    when asked for: few are."""

    __slots__ = ("folded", "starts")

    def __init__(self, folded: str, starts: list[int]) -> None:
        self.folded, self.starts = folded, starts

    def __getitem__(self, index: int) -> str:
        return TOKEN.match(self.folded, self.starts[index]).group()


class _ClauseView:
    """The words of one Arabic sentence with their flags and word-list bits."""

    def __init__(self, doc: Document, sentence, words: ClauseWords):
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
        if any_flags & (DAWN_WORD | DAWN_ALWAYS):
            for i, flag in enumerate(flags):
                if reads_as_dawn(flag, flags[i + 1] if i + 1 < size else 0):
                    flags[i] = flag & DAWN_KEEPS
        if any_flags & CASUALTY and any_flags & NUMBER:
            for i, flag in enumerate(flags):
                if flag & CASUALTY:
                    counted[i] = any(f & NUMBER for f in flags[max(0, i - 3):i]) \
                        or any(f & NUMBER for f in flags[i + 1:i + 4])
        if any_flags & (TIME | MONTH):
            self.time_at = [bool(f & TIME or i and f & MONTH and flags[i - 1] & DIGITS)
                            for i, f in enumerate(flags)]
        self.has_time = any(self.time_at)
        self.has_count = any(counted)

    def is_in(self, index: int, bit: int) -> bool:
        """The word at `index` (if any) is in the word list of `bit` (an IN attribute)."""
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
        return bool(self.flags[index] & NUMBER)

    def is_casualty(self, index: int) -> bool:
        return bool(self.flags[index] & CASUALTY)

    def has_time_at(self, index: int) -> bool:
        return self.time_at[index]

    def is_boundary(self, index: int) -> bool:
        return bool(self.flags[index] & BOUNDARY)

    def clause_start(self, index: int) -> int:
        for j in range(index - 1, -1, -1):
            if self.flags[j] & BOUNDARY:
                return j + 1
        return 0

    def clause_end(self, index: int) -> int:
        for j in range(index + 1, self.size):
            if self.flags[j] & BOUNDARY:
                return j
        return self.size

    def date_heading(self, clause: int) -> bool:
        """The words before this clause are a date and a colon only ("* 21 مايو 2005:", "ـ 20:")."""
        if clause < 2 or not self.flags[clause - 1] & IS_COLON:
            return False
        head = range(clause - 1)
        return any(self.flags[j] & DIGITS for j in head) and all(
            self.flags[j] & (DIGITS | MONTH) or not self.tokens[j].strip("ـ").isalnum() for j in head)

    def counted_casualty(self, index: int) -> bool:
        return self.counted[index]


def _realis_features(view: _ClauseView, trigger: Atom) -> dict[str, bool]:
    words = view.words
    entry: TriggerEntry = trigger.payload
    first, last = view.index_of(trigger.fstart), view.index_of(trigger.fend - 1)
    clause, clause_end = view.clause_start(first), view.clause_end(last)
    attached = trigger.prefix.lstrip("وف")
    verb = entry.finite and attached[:1] not in ("ب", "ل", "ك") and "ال" not in attached and (
        first == clause or view.folded[trigger.fstart:trigger.fend] not in words.verb_or_noun
        or _verb_by_context(view, first, last))
    imperfect = verb and attached[-1:] in ("ي", "ت", "ن", "ا")  # "يقتل", "اقتل": not a past act
    before = first - 1
    while before >= clause and view.flags[before] & (IS_DEMONSTRATIVE | IN.neutral_heads):
        before -= 1
    anaphoric = before < first - 1 and view.is_in(before + 1, IS_DEMONSTRATIVE)
    definite = "ال" in attached or view.folded.startswith("ال", trigger.fstart)
    if entry.participant and definite and not view.is_in(first - 1, IN.quantifiers) \
            and not view.is_in(first - 2, IN.quantifiers):
        anaphoric = True  # "the protesters": those of a protest already told
    previous = range(max(clause, first - 3), first)
    # "مئات المتظاهرين", "آلاف من المحتجين": a crowd counted, gathered on the day.
    crowd_start = first - 2 if view.is_in(first - 1, IS_MIN) else first - 1
    crowd = entry.participant and crowd_start >= clause and view.is_number(crowd_start) \
        and not view.is_in(crowd_start, IN.one)  # "أحد المتظاهرين" is one person

    predicate = False
    if verb:
        # "بعدما احتجوا", "بعد أن قتل": an act told as the time of another.
        predicate = not imperfect and not view.any_in(previous, IN.relative) \
            and not view.is_in(first - 1, IN.after_conjunctions) \
            and not (view.is_in(first - 1, IN.that) and view.is_in(first - 2, IN.after_conjunctions))
    else:
        # The verb of a relative clause ("الذي خلف 270 قتيلا") describes a noun, told elsewhere.
        outcome_before = any(view.is_in(j, IN.realising_verbs) and not view.is_in(j - 1, IN.relative)
                             for j in range(max(clause, before - 1), before + 1)) \
            or (entry.event_type == "ASSAULT" and _clause_verb_before(view, clause, first, IN.realising_verbs))
        cause = (view.is_in(before, IN.cause_words) or attached[:1] == "ب") and any(
            view.is_casualty(j) and not view.is_in(j - 1, IN.reference_heads)
            for j in range(clause, first))
        predicate = outcome_before or cause or _realised_later(view, last)
        if not predicate and first - clause <= 1 and any(
                view.counted_casualty(j) for j in range(clause, clause_end)):
            predicate = True  # "مقتل ثلاثة ..."
    # Hostages as the complement of a verb of holding earlier in the clause: taken, not held already.
    hostages = not verb and "ال" not in attached and view.is_in(first, IN.hostages)
    if hostages and not predicate:
        holding_reach = range(max(clause, first - HOLDING_REACH), first)
        predicate = view.any_in(holding_reach, IN.holding_verbs) and not view.any_in(holding_reach, IN.relative)
    # A chronology line ("* 21 مايو 2005: اغتيال ..."): the act opening it is what the date reports.
    dated_line = first == clause and view.date_heading(clause)
    predicate = predicate or (dated_line and not verb)
    if entry.event_type == "PROTEST" and not predicate and last > first and view.is_in(first, IN.protest_verbs):
        # A participle of protest with its object ("مرددين هتافات"): how the subject of
        # the sentence protested, an act of its own.
        predicate = True
    if entry.event_type == "PROTEST" and not predicate:
        window_start = clause if crowd else max(clause, first - 2)
        window_end = min(view.size, last + 3)
        predicate = view.any_in(range(window_start, first), IN.protest_verbs) \
            or view.any_in(range(last + 1, window_end), IN.protest_verbs) \
            or _clause_verb_before(view, clause, first, IN.protest_verbs) \
            or (crowd and _realised_later(view, last, IN.protest_verbs))

    reference = False
    if not verb:
        head_before = view.is_in(before, IN.reference_heads) and not (
            view.is_in(before, IN.outcome_prepositions) and view.is_in(before - 1, IN.realising_verbs))
        lam = attached[:1] == "ل" and not view.is_in(before, IN.realising_verbs)
        # "مقتل شخص إثر انفجار": the act named as the cause of the harm just told.
        reference = (head_before and not cause) or lam
    if view.any_in(range(max(clause, first - 3), first), IN.framing_verbs):
        reference = True
    if entry.event_type == "PROTEST" and view.any_in(range(max(clause, first - 3), first), IN.policing_verbs):
        reference = True
    irrealis = imperfect or is_future_prefix(trigger.prefix) or view.any_in(range(max(0, first - 5), first),
                                                                            IN.irrealis)
    generic = (view.is_in(before, IN.generic_heads) and not crowd) or (
        not verb and "ال" in attached and view.tokens[first].endswith("ات") and not view.has_time)
    # Only "attack" words are used of words ("شن هجوما حادا"); "اشتباكات عنيفة" are clashes.
    figurative = entry.mode is None and entry.event_type == "ASSAULT" \
        and view.folded.startswith(tuple(words.figurative_stems), trigger.fstart) and any(
        view.is_in(j, IN.verbal_attack_words) for j in range(last + 1, min(view.size, last + 4)))

    # "the first / deadliest since 2003" singles one act out; "attacks since 2003" counts many.
    # "منذ الصباح" dates the act within the day; it counts nothing.
    flags = view.flags
    # (most clauses hold no such word: looked for first, then read where found)
    cumulative = any(map(IN.cumulative.__and__, flags[last + 1:clause_end])) and any(
        flags[j] & IN.cumulative and not view.any_in(range(max(last + 1, j - 3), j), IN.ordinals)
        and not (j + 1 < view.size and view.has_time_at(j + 1))
        for j in range(last + 1, clause_end))
    # Victims counted: of a harm word anywhere, as the object of this act ("اختطف 9 عراقيين"),
    # or hostages ("احتجزت 68 رهينة"); for a protest verb, its crowd counted ("تظاهر نحو مائة طالب").
    count = view.has_count or crowd \
        or (hostages and any(view.is_number(j) for j in range(max(clause, first - 3), first))) \
        or (verb and any(view.is_number(j) or (entry.event_type == "ASSAULT" and view.is_in(j, IN.victims))
                         for j in range(last + 1, min(clause_end, last + 3)))) \
        or (entry.event_type == "PROTEST" and predicate and any(
            view.is_number(j) for j in range(max(clause, first - CROWD_REACH), first)))
    # The act's own time: a time word in the trigger's clause, not one of another clause of the sentence.
    own_time = view.has_time and any(view.time_at[clause:clause_end])
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
        and not view.any_in(range(clause + 1, first), IN.relative)


def _verb_by_context(view: _ClauseView, first: int, last: int) -> bool:
    """A word spelt as verb or verbal noun ("قتل") is the verb when nothing
    governs it as a noun (no preposition or noun head before it) and no object
    follows: a preposition, a time, a clause break or a coordinated harm
    ("أن أحد الجنود قتل وجرح سبعة", "قتل في هجوم")."""
    if view.is_in(first - 1, NOUN_GOVERNORS):
        return False  # "في قتل", "جرائم قتل", "عمليات خطف وقتل": verbal nouns
    following = last + 1
    if following >= view.size or view.is_boundary(following):
        return True
    token = view.tokens[following]
    return view.is_in(following, IN.verb_followers) or view.has_time_at(following) or (
        token.startswith("و") and view.is_casualty(following))


def _realised_later(view: _ClauseView, last: int, verbs: int = IN.realising_verbs) -> bool:
    """A verb after the noun, in its clause and not in a relative clause,
    makes it happen: "سيارة مفخخة مركونة ... انفجرت", "هجوما بقنبلة أدى";
    for a counted crowd, its verb of gathering ("آلاف من الطلاب ... تدفقوا").
    `verbs` is the bit of a word list (default: realising verbs)."""
    flags = view.flags
    for j in range(last + 1, min(view.size, last + 1 + CLAUSE_LOOKAHEAD)):
        if flags[j] & (IN.relative | BOUNDARY):
            return False
        if flags[j] & verbs:
            return True
    return False
