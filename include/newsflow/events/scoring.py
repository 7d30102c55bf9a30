"""How sure the coder is of a mention: its named features and the confidence model over them."""

from __future__ import annotations

import json
import math
from functools import partial
from importlib import resources
from itertools import compress, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from newsflow.actors import Atom
from newsflow.events.document import bare_word
from newsflow.events.lexicon import WORD_PUNCTUATION
from newsflow.events.plover import EventDataError
from newsflow.text import BoundedMemo

if TYPE_CHECKING:
    from newsflow.events.document import Document

# Each coded mention is described by named binary features (its type and trigger word, the
# words around the trigger, the evidence found for it and, for Arabic attacks and protests,
# its clause reading). A logistic model learned on the development folds (bench/events/train.py)
# weighs them, and a Platt scaling fitted on held-out folds maps the score to a confidence:
# the share of mentions at that confidence that the gold data counts as right.

LATE_TRIGGER = 20  # a trigger this many words into its sentence is told on the way
BAG_WORDS = 12     # words either side of the trigger read as a bag


def mention_features(doc: Document, trigger: Atom, event_type: str, evidence: dict[str, bool],
                     sentence_span: tuple[int, int], extra: Iterable[str] = ()) -> frozenset:
    """The names of the mention's features, with `extra` names (its shape and clause reading)."""
    language = doc.language
    start, end = sentence_span
    folded = doc.folded
    word_start = trigger.fstart - len(trigger.prefix)
    head = folded[start:word_start].split()
    tail = folded[trigger.fend:end]
    after_words = tail.split()
    if tail[:1] not in ("", " "):
        after_words = after_words[1:]  # the rest of the trigger's own word
    kind = _KINDS[language, event_type]
    # No feature of the language alone: Arabic is labelled for attacks and protests only, and its
    # base rate there says nothing of its other types (they share the weights of their type).
    names = set(kind.names)
    names.add(f"trigger:{language}:{folded[trigger.fstart:trigger.fend]}")
    if evidence.keys() != _EVIDENCE_KEYS:
        raise ValueError(f"evidence: expected {sorted(_EVIDENCE_KEYS)}, got {sorted(evidence)}")
    names.update(compress(_EVIDENCE_NAMES, map(evidence.__getitem__, _EVIDENCE)))
    if len(head) >= LATE_TRIGGER:
        names.add("shape:late")
    # Context words weigh per language and type: what "hit" means near an attack word is not
    # what it means near a protest word. The words right before and after the trigger:
    if head:
        names.add(kind.before[head[-1]])
    if after_words:
        names.add(kind.after[after_words[0]])
    # A bag of the words around the trigger, clitics stripped (12 either side did better on
    # held-out folds than none, 3 or 6).
    bag = kind.bag.__getitem__
    names.update(map(bag, head[-BAG_WORDS:]))
    names.update(map(bag, after_words[:BAG_WORDS]))
    names.update(extra)
    names.discard(None)  # punctuation alone names no word
    return frozenset(names)


# The evidence a coder finds for a mention (see coder._sentence_events), in the order it is read.
_EVIDENCE = ("source", "target", "place", "date", "near_source", "near_target", "corroborated", "hedged",
             "intent", "verbal", "later_type")
_EVIDENCE_KEYS = frozenset(_EVIDENCE)
_EVIDENCE_NAMES = tuple(f"evidence:{name}" for name in _EVIDENCE)
_WORD_NAMES_LIMIT = 32_768  # distinct words remembered per kind and position (most kinds meet far fewer)


class _KindNames:
    """The feature names of one kind of mention (language and type): its constant names, and those
    of a word right before, right after and around its trigger, each worked out once per word
    (None for punctuation alone)."""

    def __init__(self, language: str, event_type: str) -> None:
        kind = f"{language}:{event_type}"
        self.names = (f"type:{event_type}", f"lang_type:{language}:{event_type}")
        self.before = BoundedMemo(partial(_word_name, f"prev:{kind}:"), _WORD_NAMES_LIMIT)
        self.after = BoundedMemo(partial(_word_name, f"next:{kind}:"), _WORD_NAMES_LIMIT)
        self.bag = BoundedMemo(partial(_bag_name, f"bag:{kind}:"), _WORD_NAMES_LIMIT)


def _word_name(label: str, word: str) -> str | None:
    word = word.strip(WORD_PUNCTUATION)
    return label + word if word else None


def _bag_name(label: str, word: str) -> str | None:
    """The bag feature of a word near a trigger, clitics stripped."""
    word = word.strip(WORD_PUNCTUATION)
    return label + bare_word(word) if word else None


class _Kinds(dict):
    def __missing__(self, key: tuple[str, str]) -> _KindNames:
        self[key] = found = _KindNames(*key)
        return found


_KINDS = _Kinds()


class ConfidenceModel:
    """Feature weights and Platt scaling (data/events/confidence.json)."""

    def __init__(self, weights: dict[str, float], bias: float, scale: float, shift: float) -> None:
        self.weights, self.bias, self.scale, self.shift = weights, bias, scale, shift

    def score(self, features: Iterable[str]) -> float:
        weights = self.weights
        return self.bias + sum(map(weights.get, features, repeat(0.0)))

    def confidence(self, features: Iterable[str]) -> float:
        z = self.scale * self.score(features) + self.shift
        return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 3)


def load_confidence_model(path=None) -> ConfidenceModel:
    """The validated model of data/events/confidence.json (or `path`)."""
    where = str(path) if path else "data/events/confidence.json"
    source = Path(path) if path else resources.files("newsflow") / "data" / "events" / "confidence.json"
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EventDataError(f"{where}: not found (bench/events/train.py writes it)") from None
    except json.JSONDecodeError as exc:
        raise EventDataError(f"{where}: invalid JSON: {exc}") from exc
    try:
        weights = data["weights"]
        numbers = [data["bias"], data["platt"]["scale"], data["platt"]["shift"], *weights.values()]
    except (KeyError, TypeError, AttributeError) as exc:
        raise EventDataError(f"{where}: expected weights, bias and platt.scale/shift ({exc!r} missing)") from None
    if not all(isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in numbers):
        raise EventDataError(f"{where}: every weight, the bias and the Platt scaling must be finite numbers")
    if data["platt"]["scale"] <= 0:
        raise EventDataError(f"{where}: platt.scale must be positive (a higher score, a higher confidence)")
    return ConfidenceModel({str(k): float(v) for k, v in weights.items()}, float(data["bias"]),
                           float(data["platt"]["scale"]), float(data["platt"]["shift"]))


_MODEL: ConfidenceModel | None = None


def get_confidence_model() -> ConfidenceModel:
    global _MODEL
    if _MODEL is None:
        _MODEL = load_confidence_model()
    return _MODEL


def use_confidence_model(model: ConfidenceModel | None) -> None:
    """Code with `model` from now on (None: the shipped one again). Training and tests only."""
    global _MODEL
    _MODEL = model
