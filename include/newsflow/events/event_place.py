"""Where an event happened: the place of its sentence nearest the trigger, below country level
when one is trusted, the last city for "the city", else the country."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, Iterator

from newsflow.actors import Atom
from newsflow.events.lexicon import WORD_PUNCTUATION, grammar_words

if TYPE_CHECKING:
    from newsflow.events.document import Document

PRECISION_RANK = {"village": 4, "city": 3, "admin1": 2, "country": 1}
# "the city", "المدينة": no place of its own (data/events/grammar.yaml, places.anaphors).
ANAPHORS = grammar_words("places", "anaphors")
_ANAPHOR_CORES = frozenset(a.split()[-1].removeprefix("ال") for a in ANAPHORS)


def place_dict(place) -> dict | None:
    if place is None:
        return None
    return {
        "name": place.name, "country": place.country, "admin1": place.admin1,
        "latitude": place.latitude, "longitude": place.longitude, "precision": place.precision,
    }


def choose_place(doc: Document, trigger: Atom, places, previous_places, sentence):
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


def _trusted_place(doc: Document, mention) -> bool:
    """Places below country level in a country the document never names
    otherwise are look-alikes more often than not ("لأول" is no town)."""
    if mention.place.precision == "country":
        return True
    return mention.place.country in doc.named_countries


def _mentions_anaphor(doc: Document, sentence) -> bool:
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


def _names_anaphor(doc: Document, sentence) -> bool:
    start, end = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
    if doc._anaphor_cores is None:  # where the document holds a core of an anaphor, found once
        # No two cores can overlap: the first one from a sentence's start tells.
        found = sorted((index, index + len(core)) for core in _ANAPHOR_CORES for index in _occurrences(doc.folded, core))
        doc._anaphor_cores = [span[0] for span in found], [span[1] for span in found]
    starts, ends = doc._anaphor_cores
    first = bisect_left(starts, start)
    if first == len(starts) or ends[first] > end:
        return False  # quick test: most sentences name no "city"
    words = [word.strip(WORD_PUNCTUATION) for word in doc.folded[start:end].split()]  # "the city."
    pairs = {" ".join(words[i:i + 2]) for i in range(len(words))}
    stripped = {w[1:] if w[:1] in "وفب" and w[1:].startswith("ال") else w for w in words}
    return bool(ANAPHORS & (stripped | pairs))


