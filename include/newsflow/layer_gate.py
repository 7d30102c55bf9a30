"""Per-page choice of the generic extraction layers that only add or remove body lines.

A layer switched on in ``layers:`` of sites.yaml helps on average and still reads some pages
worse (the standfirst that one publisher counts and another leaves out, a headline line that is
the story's first sentence).  For the layers whose body without them costs no second trafilatura
run (``GATED_LAYERS``), the body is composed with and without each one that changed the page, and
a logistic model over what the layer changed predicts whether it raises the page's score; the
layer applies where the predicted gain is positive.

The layers that remove elements before trafilatura reads the page (``REMOVAL_LAYERS``) cannot be
judged by their output without a second trafilatura run; they are judged before it, per element:
a second logistic model over what the element is and where it sits (``removal_features``: its
words and links, its share of the page's paragraph text, whether the story's paragraphs surround
it) predicts whether removing it raises the page's score, and an element is removed only where
the predicted gain is positive.

The models are data (``data/extraction/layer_gate.json``, ``data/extraction/removal_gate.json``),
trained on the dev pages by ``bench/extraction/layer_gate.py --write`` and validated here on load.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from newsflow.config import ConfigError

GATED_LAYERS = ("standfirst", "headline_lines", "line_rules", "author_notes", "credit_lines")
MODEL_PATH = Path(__file__).resolve().parent / "data" / "extraction" / "layer_gate.json"  # NEWSFLOW_LAYER_GATE_FILE
# What the layer changed on the page, as numbers known at run time (``layer_features``).
FEATURES = (
    "words_added_log", "words_removed_log", "changed_share", "changed_lines_log", "at_start", "at_end",
    "description_overlap", "headline_overlap", "lang_en", "lang_undeclared", "other_layers", "body_words_log",
    *(f"layer:{layer}" for layer in GATED_LAYERS), *(f"layer:{layer}:changed_share" for layer in GATED_LAYERS),
)
_EDGE_LINES = 2  # "first / last lines" of a body
# The layers removing elements before trafilatura's run, and what the removal gate knows of an element.
REMOVAL_LAYERS = ("boilerplate_elements", "link_lists")
REMOVAL_MODEL_PATH = MODEL_PATH.with_name("removal_gate.json")  # NEWSFLOW_REMOVAL_GATE_FILE
REMOVAL_KINDS = ("aside", "figcaption", "class", "xpath", "list")  # how the element was found
REMOVAL_FEATURES = (
    "words_log", "links_log", "link_density", "items_log", "paragraph_share", "in_story", "beside_story",
    "story_before", "story_after", "story_around", "lang_en", "lang_undeclared",
    *(f"layer:{layer}" for layer in REMOVAL_LAYERS), *(f"kind:{kind}" for kind in REMOVAL_KINDS),
)


@dataclass(frozen=True)
class LayerGate:
    """A logistic model's weights over ``FEATURES``: a layer in ``layers`` applies to a page when
    ``bias + weights . features`` is positive (its predicted gain for the page)."""
    layers: frozenset
    bias: float
    weights: dict

    def gain(self, features: dict) -> float:
        return self.bias + sum(weight * features.get(name, 0.0) for name, weight in self.weights.items())


@dataclass(frozen=True)
class PageFacts:
    """What the page says about itself, for comparing a layer's lines with it."""
    descriptions: tuple  # word sets of its descriptions (meta, og, twitter, JSON-LD)
    headlines: tuple  # word sets of its headlines (h1, og:title, JSON-LD, <title>)
    language: str | None  # as declared (<html lang>, JSON-LD inLanguage), two letters


def parse_gate(raw, where: str, known_layers: tuple = GATED_LAYERS, features: tuple = FEATURES) -> LayerGate:
    """Validate a gate document (of the layer gate, or with ``REMOVAL_LAYERS`` and
    ``REMOVAL_FEATURES`` of the removal gate); a bad entry raises ConfigError naming it."""
    if not isinstance(raw, dict) or not {"layers", "bias", "weights"} <= set(raw):
        raise ConfigError(f"{where}: expected a mapping with layers, bias and weights")
    layers = raw["layers"]
    if not isinstance(layers, list) or set(layers) - set(known_layers):
        raise ConfigError(f"{where}: layers: expected a list among {', '.join(known_layers)}, got {layers!r}")
    number = lambda value: isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)  # noqa: E731
    if not number(raw["bias"]):
        raise ConfigError(f"{where}: bias: expected a number, got {raw['bias']!r}")
    weights = raw["weights"]
    if not isinstance(weights, dict):
        raise ConfigError(f"{where}: weights: expected a mapping of feature names to numbers")
    unknown = set(weights) - set(features)
    if unknown:
        raise ConfigError(f"{where}: weights: unknown feature(s) {', '.join(sorted(map(str, unknown)))}")
    for name, value in weights.items():
        if not number(value):
            raise ConfigError(f"{where}: weights.{name}: expected a number, got {value!r}")
    return LayerGate(layers=frozenset(layers), bias=float(raw["bias"]),
                     weights={name: float(value) for name, value in weights.items()})


def load_gate(path: str | None = None) -> LayerGate:
    """The gate of ``path``, else of $NEWSFLOW_LAYER_GATE_FILE, else the shipped one (read once)."""
    return _load_gate(str(path or os.environ.get("NEWSFLOW_LAYER_GATE_FILE") or MODEL_PATH))


def load_removal_gate(path: str | None = None) -> LayerGate:
    """The removal gate of ``path``, else of $NEWSFLOW_REMOVAL_GATE_FILE, else the shipped one (read once)."""
    return _load_gate(str(path or os.environ.get("NEWSFLOW_REMOVAL_GATE_FILE") or REMOVAL_MODEL_PATH), True)


@lru_cache(maxsize=8)
def _load_gate(path: str, removal: bool = False) -> LayerGate:
    what = "removal gate" if removal else "layer gate"
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read the extraction {what}: {exc}") from None
    return parse_gate(raw, path, REMOVAL_LAYERS, REMOVAL_FEATURES) if removal else parse_gate(raw, path)


def tokens(text: str) -> list[str]:
    """The words of ``text``, case-folded: what the features count and compare with the page."""
    return re.findall(r"\w+", text.casefold())


def _only_in(lines: list[str], other: list[str]) -> list[int]:
    """Positions of the lines of ``lines`` that ``other`` lacks (counted as multisets)."""
    left = Counter(other)
    positions = []
    for i, line in enumerate(lines):
        if left[line] > 0:
            left[line] -= 1
        else:
            positions.append(i)
    return positions


def _overlap(tokens: list[str], references: tuple) -> float:
    """The largest share of ``tokens`` found in one of ``references`` (word sets)."""
    if not tokens:
        return 0.0
    return max((sum(token in words for token in tokens) / len(tokens) for words in references), default=0.0)


def layer_features(layer: str, with_lines: list[str], without_lines: list[str], facts: PageFacts,
                   other_layers: int) -> dict:
    """What ``layer`` changed: the words it adds and removes, their share of the body, whether they
    sit in the first or last lines, how much of them the page's description or headline holds,
    the page's declared language, how many other gated layers changed it, and the body's length."""
    added_at, removed_at = _only_in(with_lines, without_lines), _only_in(without_lines, with_lines)
    # words as multisets: a line shortened in place (a trailing credit) counts only the words it lost
    with_words, without_words = Counter(tokens("\n".join(with_lines))), Counter(tokens("\n".join(without_lines)))
    added, removed = list((with_words - without_words).elements()), list((without_words - with_words).elements())
    body_words = max(sum(with_words.values()), sum(without_words.values()), 1)
    changed_share = (len(added) + len(removed)) / body_words
    edge = lambda positions, size, start: any(  # noqa: E731
        (i < _EDGE_LINES) if start else (i >= size - _EDGE_LINES) for i in positions)
    features = {
        "words_added_log": math.log1p(len(added)),
        "words_removed_log": math.log1p(len(removed)),
        "changed_share": changed_share,
        "changed_lines_log": math.log1p(len(added_at) + len(removed_at)),
        "at_start": float(edge(added_at, len(with_lines), True) or edge(removed_at, len(without_lines), True)),
        "at_end": float(edge(added_at, len(with_lines), False) or edge(removed_at, len(without_lines), False)),
        "description_overlap": _overlap(added + removed, facts.descriptions),
        "headline_overlap": _overlap(added + removed, facts.headlines),
        "lang_en": float(facts.language == "en"),
        "lang_undeclared": float(facts.language is None),
        "other_layers": float(other_layers),
        "body_words_log": math.log1p(body_words),
        f"layer:{layer}": 1.0,
        f"layer:{layer}:changed_share": changed_share,
    }
    return features


@dataclass(frozen=True)
class StoryMap:
    """Where the story's paragraphs sit on the page, for judging an element before it is removed:
    the document order of the elements, the long paragraphs (position, characters) and the
    element holding most of their text."""
    order: dict  # element -> position in document order
    paragraphs: tuple  # (position, characters) of each long paragraph, in document order
    total: int  # characters of the long paragraphs
    container: object  # the parent holding most of their text (None: no long paragraph)
    language: str | None  # declared, two letters


_LONG_PARAGRAPH = 80  # characters: a paragraph of the story rather than a caption or a link


def story_map(tree, language: str | None) -> StoryMap:
    order = {element: i for i, element in enumerate(tree.iter())}
    paragraphs, held = [], Counter()
    for p in tree.iter("p"):
        chars = len(" ".join(p.text_content().split()))
        if chars > _LONG_PARAGRAPH:
            paragraphs.append((order[p], chars))
            if p.getparent() is not None:
                held[p.getparent()] += chars
    container = held.most_common(1)[0][0] if held else None
    return StoryMap(order=order, paragraphs=tuple(paragraphs), total=sum(c for _, c in paragraphs),
                    container=container, language=language)


def removal_features(layer: str, kind: str, element, story: StoryMap) -> dict:
    """What an element a removal layer would remove is, and where it sits: its words and links,
    the share of its text in links, its list items, its share of the page's long-paragraph text,
    whether it lies in or beside the element holding most of that text, and how much of the
    story's text comes before and after it (an element removed from the middle of the story)."""
    text = " ".join(" ".join(element.itertext()).split())  # items' words apart, as shown
    link_chars = sum(len("".join(a.text_content().split())) for a in element.iter("a"))
    start = story.order.get(element, 0)
    end = start
    for end_element in element.iter():
        end = story.order.get(end_element, end)
    total = max(story.total, 1)
    inside = sum(chars for position, chars in story.paragraphs if start <= position <= end) / total
    before = sum(chars for position, chars in story.paragraphs if position < start) / total
    after = sum(chars for position, chars in story.paragraphs if position > end) / total
    container = story.container
    in_story = container is not None and (element is container or any(a is container for a in element.iterancestors()))
    beside = container is not None and not in_story and element.getparent() is container.getparent()
    return {
        "words_log": math.log1p(len(tokens(text))),
        "links_log": math.log1p(sum(1 for _ in element.iter("a"))),
        "link_density": min(1.0, link_chars / max(len(text.replace(" ", "")), 1)),
        "items_log": math.log1p(sum(1 for _ in element.iter("li"))),
        "paragraph_share": inside,
        "in_story": float(in_story),
        "beside_story": float(beside),
        "story_before": before,
        "story_after": after,
        "story_around": min(before, after),
        "lang_en": float(story.language == "en"),
        "lang_undeclared": float(story.language is None),
        f"layer:{layer}": 1.0,
        f"kind:{kind}": 1.0,
    }
