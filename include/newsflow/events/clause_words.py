"""The Arabic clause words (data/events/clauses.yaml) and each token's profile of them: which
word lists hold one of its stems, and a few flags (clause boundary, number, dawn), as the bits
of one int, made once per distinct token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

from newsflow.text import BoundedMemo, strip_clitics


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the word-profile cache
class ClauseWords:
    """Folded Arabic word lists (data/events/clauses.yaml) used to judge whether an attack or
    protest word reports a concrete, realised act (newsflow.events.realis)."""
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
    dawn: frozenset
    dawn_forms: frozenset
    day_after_dawn: frozenset
    demonstratives: frozenset
    neutral_heads: frozenset
    act_noun_heads: frozenset
    cause_words: frozenset
    figurative_stems: frozenset
    verb_followers: frozenset
    ordinals: frozenset
    after_conjunctions: frozenset
    that: frozenset
    one: frozenset
    outcome_prepositions: frozenset
    prepositions: frozenset
    quantifiers: frozenset


TOKEN = re.compile(r"\w+|[^\w\s]")
MATCH_GROUP, MATCH_START = re.Match.group, re.Match.start
_CLAUSE_PUNCTUATION = frozenset("«»\"“”:؛;،,.!?؟")

# A word's flags (the low bits): DAWN_WORD "فجر" with or without clitics, DAWN_ALWAYS "الفجر" or "فجرا" ...
BOUNDARY, NUMBER, DIGITS, DAWN_WORD, DAWN_ALWAYS = 1, 2, 4, 8, 16
# ... words as they stand (not by their stems): "في", "من", ":" and the demonstratives ...
IS_FI, IS_MIN, IS_COLON, IS_DEMONSTRATIVE = 32, 64, 128, 256
_LOW_FLAGS = 9
_EXACT_WORDS = {"في": IS_FI, "من": IS_MIN, ":": IS_COLON}
# ... and above them one bit per word list holding one of its stems: `flags & IN.relative`.
IN = SimpleNamespace(**{name: 1 << (_LOW_FLAGS + i) for i, name in enumerate(ClauseWords.__dataclass_fields__)})
CASUALTY, TIME, MONTH = IN.casualties, IN.recent_times, IN.months
# What stays of a word read as "dawn" rather than as the verb "فجر": it is in no other word list.
DAWN_KEEPS = BOUNDARY | NUMBER | DIGITS | DAWN_WORD | DAWN_ALWAYS | CASUALTY | TIME | MONTH \
    | IS_FI | IS_MIN | IS_COLON | IS_DEMONSTRATIVE
_DAWN_FOLLOWERS = TIME | DIGITS | IN.day_after_dawn
# Words before a verbal noun that govern it as a noun (see realis._verb_by_context).
NOUN_GOVERNORS = IN.prepositions | IN.reference_heads | IN.generic_heads | IN.act_noun_heads | IN.verb_or_noun


def reads_as_dawn(flags: int, following: int) -> bool:
    """Whether a word of profile `flags`, before a word of profile `following` (0 at the end),
    is dawn: "الفجر", the adverb "فجرا", or "فجر" before a day, a time or a number ("فجر
    الجمعة", "فجر يوم", "فجر 12"). Any other "فجر" is the verb "detonated"."""
    return bool(flags & DAWN_ALWAYS) or bool(flags & DAWN_WORD and following & _DAWN_FOLLOWERS)


class _TokenProfiler:
    """A token's flags and word-list bits under one ClauseWords."""

    def __init__(self, words: ClauseWords) -> None:
        self.words = words
        self.exact = _EXACT_WORDS | dict.fromkeys(words.demonstratives, IS_DEMONSTRATIVE)
        self.lists = tuple((getattr(IN, name), getattr(words, name)) for name in ClauseWords.__dataclass_fields__)

    def __call__(self, token: str) -> int:
        words = self.words
        stems = frozenset(strip_clitics(token)) if token[0].isalpha() else frozenset((token,))
        flags = 0
        if token in _CLAUSE_PUNCTUATION or not stems.isdisjoint(words.clause_openers):
            flags |= BOUNDARY
        if token.isdigit():
            flags |= NUMBER | DIGITS
        elif not stems.isdisjoint(words.numerals):
            flags |= NUMBER
        if not stems.isdisjoint(words.dawn):
            flags |= DAWN_WORD
        if not stems.isdisjoint(words.dawn_forms):
            flags |= DAWN_ALWAYS
        flags |= self.exact.get(token, 0)
        for bit, members in self.lists:
            if not stems.isdisjoint(members):
                flags |= bit
        return flags


TOKEN_PROFILES_LIMIT = 65536  # distinct tokens whose profile is remembered


@lru_cache(maxsize=4)
def token_profiles(words: ClauseWords) -> BoundedMemo:
    """token -> its profile, made on first sight (words recur from sentence to sentence)."""
    return BoundedMemo(_TokenProfiler(words), TOKEN_PROFILES_LIMIT)
