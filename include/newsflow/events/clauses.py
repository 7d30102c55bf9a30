"""How a sentence tells its acts: negated ("did not attack"), intended ("will withdraw"),
in the content of a verbal act ("called for a ceasefire"), after a background word ("the
anniversary of the assassination"), in the present tense, or said by a standing text ("the
resolution calls for talks")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from newsflow.actors import ActorMention, Atom, is_future_prefix
from newsflow.events.document import token_gap
from newsflow.events.lexicon import WORD_PUNCTUATION

if TYPE_CHECKING:
    from newsflow.events.document import Document

NEGATION_WINDOW = 2      # tokens between a negator and its trigger
INTENT_WINDOW = 3
VERBAL_SCOPE = 12        # tokens after a verbal trigger that are its content
_CLAUSE_BREAKS = frozenset(";:؛")


def present_tense(doc: Document, folded_trigger: str) -> bool:
    """An Arabic imperfect ("يدعو") or an English third person present ("calls", "urges")."""
    if doc.language == "ar":
        return folded_trigger[:1] == "ي"
    verb = folded_trigger.split(" ", 1)[0]
    return verb.endswith("s") and not verb.endswith("ss")


DOCUMENT_REACH = 12  # words before a verbal trigger in which the document that says it is named


def document_speaks(doc: Document, trigger: Atom, sentence, actors: list[ActorMention], senses: dict) -> bool:
    """A document ("the resolution", "القرار") named in the words before the trigger, with no
    actor between them: the text, not an actor, is what "calls for" it."""
    start = max(doc.fold_index(sentence.start), trigger.fstart - 30 * DOCUMENT_REACH)
    head = doc.folded[start:trigger.fstart - len(trigger.prefix)]
    documents = senses["documents"]
    last = None
    for match in re.finditer(r"\S+", head):
        if match.group().strip(WORD_PUNCTUATION) in documents:
            last = match.start()
    if last is None or len(head[last:].split()) > DOCUMENT_REACH:
        return False
    after = start + last
    return not any(after < doc.fold_index(a.start) < trigger.fstart for a in actors)


def first_in_scope(triggers: list[Atom], scope: tuple[int, int]) -> str | None:
    for trigger in triggers:
        if scope[0] <= trigger.fstart < scope[1]:
            return trigger.payload.event_type
    return None


def negated(doc: Document, trigger: Atom, modifiers: list[Atom]) -> bool:
    return after_modifier(doc, trigger, modifiers, "negation", NEGATION_WINDOW - 1)


def after_modifier(doc: Document, trigger: Atom, modifiers: list[Atom], kind: str, max_gap: int) -> bool:
    """A modifier of `kind` ends at most `max_gap` words before the trigger."""
    trigger_word_start = trigger.fstart - len(trigger.prefix)
    for modifier in modifiers:
        if modifier.payload.kind != kind or modifier.fend > trigger_word_start:
            continue
        if token_gap(doc.folded, modifier.fend, trigger_word_start) <= max_gap:
            return True
    return False


def has_intent(doc: Document, trigger: Atom, modifiers: list[Atom]) -> bool:
    if doc.language == "ar" and is_future_prefix(trigger.prefix):
        return True
    for modifier in modifiers:
        if modifier.payload.kind == "intent" and modifier.fend <= trigger.fstart \
                and token_gap(doc.folded, modifier.fend, trigger.fstart) <= INTENT_WINDOW:
            return True
    return False


def verbal_scope(doc: Document, trigger: Atom, sentence) -> tuple[int, int]:
    """Folded span after a verbal trigger holding what was asked, refused...:
    up to VERBAL_SCOPE words, a clause break or the sentence end."""
    return trigger.fend, _VERBAL_SCOPE.match(doc.folded, trigger.fend, doc.fold_index(sentence.end)).end()


# The rest of the trigger's word and VERBAL_SCOPE words after it, stopping at a clause break.
_VERBAL_SCOPE = re.compile(r" *(?:[^ %s]+ +){0,%d}[^ %s]*" % (
    re.escape("".join(sorted(_CLAUSE_BREAKS))), VERBAL_SCOPE, re.escape("".join(sorted(_CLAUSE_BREAKS)))))
