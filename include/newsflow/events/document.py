"""A text as the event coder reads it: folded once, its trigger, modifier and actor words, places
and date words found in one pass, its sentences and paragraphs."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import chain, compress
from operator import itemgetter

from newsflow.actors import ActorEntry, Atom, compose_actors, longest_non_overlapping
from newsflow.events.event_place import ANAPHORS
from newsflow.events.lexicon import (NOT_ACT, WORD_PUNCTUATION, ModifierEntry, NotActEntry, PieceRecord, TriggerEntry,
                                     get_event_lexicon)
from newsflow.text import fold_offsets, piece_offsets, strip_clitics

# Fields of a PieceRecord read by position: a plain tuple subscript, no attribute lookup.
_FOLDED, _HITS, _OPENS_PHRASE, _PLACE_STARTS, _DATE_RULES, _TOKEN_STARTS, _FLAGS = map(
    itemgetter, range(len(PieceRecord._fields)))
_START = itemgetter(2)  # Atom.start


def paragraph_starts(text: str) -> list[int]:
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


def is_heading(sentence_text: str) -> bool:
    """Titles and section headings: short, no sentence-final punctuation."""
    stripped = sentence_text.rstrip()
    return not stripped.endswith((".", "!", "?", "؟", "…", "»", "\"", "”")) and len(stripped.split()) < 16


def token_gap(folded: str, left_end: int, right_start: int) -> int:
    """Number of words strictly between two folded offsets."""
    if right_start <= left_end:
        return 0
    return len(folded[left_end:right_start].split())


class Document:
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
        self._governed: dict[int, bool] = {}   # actor start -> roles._governed_by_preposition
        self._anaphoric: dict[int, bool] = {}  # sentence start -> event_place._mentions_anaphor
        self._fold_indexes: dict[int, int] = {}  # original offset -> fold_index
        self._anaphor_cores: tuple[list[int], list[int]] | None = None  # see event_place._names_anaphor
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
        trigger_atoms, modifiers, actor_atoms = [], [], []
        for atom in atoms:  # one pass: each hit is of one kind
            if isinstance(atom.payload, (TriggerEntry, NotActEntry)):
                trigger_atoms.append(atom)
            elif isinstance(atom.payload, ModifierEntry):
                modifiers.append(atom)
            elif isinstance(atom.payload, ActorEntry):
                actor_atoms.append(atom)
        self.triggers = [a for a in longest_non_overlapping(trigger_atoms) if a.payload is not NOT_ACT]
        self.modifiers = sorted(modifiers, key=_START)
        actor_atoms = longest_non_overlapping(actor_atoms)
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
            self._words = folded_words(self.folded)
        return self._words

    def clause_tokens(self) -> tuple[list[int], list[int]]:
        """Where the words and punctuation of the folded text (Arabic) start and their
        flags (see newsflow.events.clause_words), gathered on first need."""
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


def paragraph_index(starts: list[int], offset: int) -> int:
    return max(0, bisect_right(starts, offset) - 1)


@lru_cache(maxsize=65536)
def bare_word(word: str) -> str:
    """The word without its clitic prefixes (و ف ب ل ك ال): one feature for "والهجوم" and "هجوم"."""
    return strip_clitics(word)[-1]


def folded_words(text: str) -> tuple[set, str]:
    """The words of a folded text (also without their clitics) and the text padded for phrases."""
    words = {w.strip(WORD_PUNCTUATION) for w in text.split()}
    return words | set(map(bare_word, words)), f" {text} "


def within(items: list, starts: list[int], sentence) -> list:
    """Items (sorted by start) lying inside the sentence."""
    first = bisect_left(starts, sentence.start)
    last = bisect_left(starts, sentence.end)
    return [item for item in items[first:last] if item.end <= sentence.end]


def trigger_text(doc: Document, trigger: Atom) -> str:
    """The trigger's whole words in the original text (affixes included)."""
    start, end = trigger.start, trigger.end
    while start > 0 and doc.text[start - 1].isalnum():
        start -= 1
    while end < len(doc.text) and (doc.text[end].isalnum() or "\u064b" <= doc.text[end] <= "\u0652"):
        end += 1
    return doc.text[start:end]

