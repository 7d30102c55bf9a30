"""Which sense a trigger word has in its sentence: a month ("in March"), a word of sports or
business ("Arsenal beat Chelsea"), dawn rather than "detonated" ("فجر الجمعة"), part of a name
("Asia-Pacific Economic Cooperation"), or the act (data/events/senses.yaml)."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from newsflow.actors import ActorMention, Atom
from newsflow.events.clause_words import TOKEN, reads_as_dawn, token_profiles
from newsflow.events.document import bare_word, folded_words
from newsflow.events.lexicon import WORD_PUNCTUATION, SenseContext, TriggerEntry, get_event_lexicon

if TYPE_CHECKING:
    from newsflow.events.document import Document


class SentenceSenses:
    """The senses of the trigger words of one sentence."""

    def __init__(self, doc: Document, sentence) -> None:
        self.doc, self.sentence = doc, sentence
        self.senses = get_event_lexicon().senses[doc.language]
        self._context = None  # the sentence's folded words, on first need

    def entry(self, trigger: Atom, folded_trigger: str) -> TriggerEntry | None:
        """The trigger's entry in the sense its sentence uses; None when that sense is no act."""
        doc, senses, entry = self.doc, self.senses, trigger.payload
        if folded_trigger in senses["months"] and _is_month(doc, trigger):
            return None
        if folded_trigger in senses["states"].triggers and self._standing_state(trigger):
            return None
        if any(folded_trigger in context.triggers for context in senses["contexts"]):
            if self._context is None:
                self._context = folded_words(doc.folded[doc.fold_index(self.sentence.start):
                                                        doc.fold_index(self.sentence.end)])
            sense = next((context for context in senses["contexts"] if folded_trigger in context.triggers
                          and _in_context(doc.words() if context.document else self._context, context)), None)
            if sense is not None and sense.event_type is None:
                return None
            if sense is not None:  # "warplanes struck Idlib": the attack's sense of the word
                entry = replace(entry, event_type=sense.event_type, mode=None)
        return entry

    def _standing_state(self, trigger: Atom) -> bool:
        """A standing state ("وتقع المدينة منذ سنوات تحت سيطرة", "remains firmly under the control
        of"): the trigger after a frame word, a verb of a state a few words before that frame."""
        doc, states = self.doc, self.senses["states"]
        words = [bare_word(w.strip(WORD_PUNCTUATION)) for w in
                 doc.folded[doc.fold_index(self.sentence.start):trigger.fstart - len(trigger.prefix)].split()]
        if trigger.prefix.lstrip("وف") in states.frames:
            frame_end = len(words)  # "لسيطرة": the clitic is the frame
        else:
            # the frame just before the trigger, or one word before it ("under the control of")
            frame_end = next((i for i in (len(words) - 1, len(words) - 2) if i >= 0 and words[i] in states.frames),
                             None)
            if frame_end is None:
                return False
        return not states.verbs.isdisjoint(words[max(0, frame_end - states.gap - 1):frame_end])


def _is_month(doc: Document, trigger: Atom) -> bool:
    """A capitalised month name ("in March", "March 3") mid-sentence or before a number."""
    written = doc.text[trigger.start:trigger.end]
    if not written[:1].isupper():
        return False
    following = doc.text[trigger.end:trigger.end + 12].split()
    if following and following[0][:1].isdigit():
        return True
    before = doc.text[max(0, trigger.start - 3):trigger.start].rstrip()
    return bool(before) and before[-1:] not in ".!?\n\"“"


def _in_context(sentence_context: tuple[set, str], context: SenseContext) -> bool:
    words, text = sentence_context
    return not words.isdisjoint(context.words) or any(phrase in text for phrase in context.phrases) \
        or (context.shapes is not None and context.shapes.search(text) is not None)


@lru_cache(maxsize=1)
def _dawn_words() -> frozenset:
    return get_event_lexicon().clauses.dawn


def is_dawn(doc: Document, trigger: Atom) -> bool:
    """The trigger "فجر" read as dawn, not as "detonated" (see clause_words.reads_as_dawn); a longer
    trigger ("فجر نفسه") is the verb."""
    if doc.folded[trigger.fstart:trigger.fend] not in _dawn_words():
        return False
    word = TOKEN.match(doc.folded, trigger.fstart - len(trigger.prefix))
    if word is None:
        return False
    profiles = token_profiles(get_event_lexicon().clauses)
    following = TOKEN.search(doc.folded, word.end())
    return reads_as_dawn(profiles[word.group()], profiles[following.group()] if following else 0)


def inside_name(doc: Document, trigger: Atom, actors: list[ActorMention]) -> bool:
    """A trigger word inside a longer actor name ("Asia-Pacific Economic
    Cooperation", "شرطة مكافحة الشغب") is part of the name, not an act. A
    word that is an actor by itself and was only joined to its neighbour
    ("احتجزوا أربعة من الشرطة رهائن") stays a trigger."""
    if (trigger.start, trigger.end) in doc.actor_words:
        return False
    return any(a.start <= trigger.start and trigger.end <= a.end and (a.end - a.start) > (trigger.end - trigger.start)
               for a in actors)
