"""PLOVER event types, how they group, and the languages coded."""

from __future__ import annotations

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
# Older PLOVER / CAMEO labels found in gold data, mapped to the 2021 types.
LEGACY_TYPES = {
    "FIGHT": "ASSAULT",
    "DEMAND": "REQUEST",
    "DISAPPROVE": "ACCUSE",
    "INVESTIGATE": "ACCUSE",
}
COOPERATIVE = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
HOSTILE = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "PROTEST"})
RECIPROCAL = frozenset({"ASSAULT", "CONSULT", "COOPERATE"})
# Types whose Arabic words are read for their clause structure (newsflow.events.realis).
REALIS_TYPES = frozenset({"ASSAULT", "PROTEST"})
SUPPORTED_LANGUAGES = ("ar", "en")


class EventDataError(ValueError):
    """A data file of the event coder (data/events/*.yaml, confidence.json) is malformed."""
