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

Where each rule lives:

- ``plover``: the PLOVER types and how they group;
- ``lexicon``: loading the word lists of ``data/events/`` (plover.yaml triggers and modifiers,
  senses.yaml, clauses.yaml, grammar.yaml) and the matcher that finds them in a text;
- ``document``: a text folded once, with its words, places, sentences and paragraphs;
- ``senses``: the sense a trigger word has (a month, sports, business, dawn, a name);
- ``clauses``: negation, intent, the content of verbal acts, tense, what a standing text says;
- ``clause_words`` and ``realis``: Arabic clause structure, whether an act is a realised report;
- ``roles``: source and target; ``event_place``: the place; ``event_date``: the date;
- ``scoring``: the mention's features and the confidence model over them;
- ``coder``: coding a text and a batch of texts, and the coder's fingerprint.
"""

from newsflow.events.coder import (MAX_TEXT_CHARS, coded_mentions, coder_version, event_policy, events_batch,
                                   extract_events, within_length_cap)
from newsflow.events.lexicon import (TriggerEntry, get_event_lexicon, load_clause_words, load_event_lexicon,
                                     load_grammar, load_senses)
from newsflow.events.plover import (COOPERATIVE, HOSTILE, LEGACY_TYPES, PLOVER_TYPES, RECIPROCAL, SUPPORTED_LANGUAGES,
                                    EventDataError)
from newsflow.events.scoring import (ConfidenceModel, get_confidence_model, load_confidence_model,
                                     use_confidence_model)

__all__ = [
    "COOPERATIVE", "HOSTILE", "LEGACY_TYPES", "MAX_TEXT_CHARS", "PLOVER_TYPES", "RECIPROCAL", "SUPPORTED_LANGUAGES",
    "ConfidenceModel", "EventDataError", "TriggerEntry", "coded_mentions", "coder_version", "event_policy",
    "events_batch", "extract_events", "get_confidence_model", "get_event_lexicon", "load_clause_words",
    "load_confidence_model", "load_event_lexicon", "load_grammar", "load_senses", "use_confidence_model",
    "within_length_cap",
]
