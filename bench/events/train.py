"""Learn the event confidence model from the development gold sets.

    .venv/bin/python bench/events/train.py            # cross-validate, then write the shipped model
    .venv/bin/python bench/events/train.py --check    # cross-validate only

Every coded mention of a gold sentence is a training example (`newsflow.events.coded_mentions`
gives its features):

- Arabic (`arabic_event_gsr_dev/{assault,protest}_gsr.csv`): the ASSAULT (PROTEST) mentions of
  a sentence are right when its `label` is yes, wrong when easy or difficult no (ambiguous left out);
- English (`plover_gsr_dev.json`): a mention is right when its type is among the sentence's gold types.

The model is an L2-regularised logistic regression whose evidence weights are held to their sign
(more evidence never lowers a confidence), then a Platt scaling fitted on out-of-fold scores
so that a confidence of 0.8 is right about 80% of the time. Every figure is 5-fold
cross-validated by document: train and calibrate on four folds, score the fifth; mean and spread.
The shipped model (`include/newsflow/data/events/confidence.json`) is trained on all the dev data.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "include"))

from newsflow import events  # noqa: E402
from newsflow.events import LEGACY_TYPES, ConfidenceModel  # noqa: E402

MODEL_PATH = ROOT / "include" / "newsflow" / "data" / "events" / "confidence.json"
FOLDS = 5
SEED = 13
L2 = 1.0               # penalty on the squared weights (the bias is free); 0.3-10 tried on the folds
LEXICAL = ("trigger:", "prev:", "next:", "bag:")  # features naming words
LEXICAL_L2 = 3.0       # their penalty, times L2
MIN_COUNT = 2          # a feature seen fewer times in training gets no weight
GOAL_ASSAULT_F1 = 0.70    # the goals of the default output the cut must keep
GOAL_EN_ACCURACY = 0.75
CUTS = [round(0.10 + 0.05 * i, 2) for i in range(17)]  # candidate event cuts, 0.10 .. 0.90
# Evidence that a mention reports an act: its weight may not be negative ...
MORE_IS_EVENT = {"evidence:source", "evidence:target", "evidence:near_source", "evidence:near_target",
                 "evidence:place", "evidence:date", "evidence:corroborated", "clause:predicate", "clause:time",
                 "clause:count", "clause:place_predicate", "clause:attributed", "clause:own_time"}
# ... and evidence against it may not be positive.
LESS_IS_EVENT = {"evidence:hedged", "clause:reference", "clause:irrealis", "clause:generic", "clause:figurative",
                 "clause:anaphoric", "clause:cumulative", "clause:long", "clause:buried", "shape:late",
                 "shape:earlier_year", "shape:present"}


def devdata_root() -> Path:
    return Path(os.environ.get("NEWSFLOW_DEVDATA") or ROOT.parent / "shared" / "devdata")


@dataclass
class Sentence:
    """One gold sentence and the mentions coded in it."""

    group: str                # the document it comes from: folds never split one
    set_name: str             # "ASSAULT", "PROTEST" (Arabic detection) or "en"
    gold: frozenset           # gold types (English) or {set_name} for an Arabic yes, else empty
    text: str = ""
    mentions: list = field(default_factory=list)  # coded_mentions() dicts
    published_at: datetime | None = None  # the document's day, when its id gives it


_DOCUMENT_DAY = re.compile(r"_(\d{8})\.")


def published_of(document_id: str) -> datetime | None:
    """The publication day in an Arabic gold id ("AAW_ARB_20071026.0026-2"): coded with it, as
    articles are, a sentence's "yesterday" or "Friday" resolves to a date (evidence:date) and a
    year is earlier than the publication's or not (shape:earlier_year)."""
    match = _DOCUMENT_DAY.search(document_id)
    try:
        return datetime.strptime(match.group(1), "%Y%m%d") if match else None
    except ValueError:
        return None


def load_sentences(root: Path) -> list[Sentence]:
    folder = root / "events" / "arabic_event_gsr_dev"
    sentences = []
    for event_type, name in (("ASSAULT", "assault_gsr.csv"), ("PROTEST", "protest_gsr.csv")):
        with (folder / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["label"] == "ambiguous":
                    continue
                gold = frozenset({event_type}) if row["label"] == "yes" else frozenset()
                sentences.append(Sentence(row["id"].rsplit("-", 1)[0], event_type, gold, row["text"],
                                          published_at=published_of(row["id"])))
    records = json.loads((root / "events" / "plover_gsr_dev" / "plover_gsr_dev.json").read_text(encoding="utf-8"))
    gold_by_text: dict[str, set] = defaultdict(set)
    for record in records:
        gold_by_text[record["text"]].add(LEGACY_TYPES.get(record["event"], record["event"]))
    for text, gold in gold_by_text.items():
        sentences.append(Sentence("en:" + text, "en", frozenset(gold), text))
    for sentence in sentences:
        sentence.mentions = events.coded_mentions(sentence.text, "ar" if sentence.set_name != "en" else "en",
                                                  sentence.published_at)
    return sentences


def labelled(sentence: Sentence) -> list[tuple[dict, int]]:
    """(mention, right) of the mentions the gold labels. An Arabic sentence labels its own type
    only. An English sentence is coded with its one main act: a mention of a gold type is right,
    its first mention is wrong otherwise; a later mention of another type may be a second act the
    gold does not code, so it is not labelled."""
    if sentence.set_name != "en":
        return [(m, int(bool(sentence.gold))) for m in sentence.mentions if m["event_type"] == sentence.set_name]
    return [(m, int(m["event_type"] in sentence.gold)) for i, m in enumerate(sentence.mentions)
            if i == 0 or m["event_type"] in sentence.gold]


def examples(sentences: list[Sentence]) -> list[tuple[list[str], int]]:
    """(features, right) of every labelled mention."""
    return [(mention["features"], right) for sentence in sentences for mention, right in labelled(sentence)]


def fold_of(sentences: list[Sentence], folds: int = FOLDS) -> list[int]:
    """A fold per sentence, by document, shuffled with a fixed seed: the same split every run."""
    groups = sorted({s.group for s in sentences})
    random.Random(SEED).shuffle(groups)
    index = {g: i % folds for i, g in enumerate(groups)}
    return [index[s.group] for s in sentences]


# --- learning ------------------------------------------------------------------------

def fit_logistic(data: list[tuple[list[str], int]], l2: float = L2) -> tuple[dict[str, float], float]:
    """Weights and bias of an L2-regularised logistic regression, evidence weights held to their sign."""
    counts = Counter(name for features, _ in data for name in set(features))
    vocabulary = sorted(name for name, n in counts.items() if n >= MIN_COUNT)
    column = {name: i for i, name in enumerate(vocabulary)}
    rows, cols = [], []
    for i, (features, _) in enumerate(data):
        for name in set(features):
            if name in column:
                rows.append(i)
                cols.append(column[name])
    from scipy.sparse import csr_matrix

    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(data), len(vocabulary)))
    y = np.array([label for _, label in data], dtype=float)

    def loss(theta):
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        value = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * w @ (penalty * w)
        residual = p - y
        return value, np.append(x.T @ residual + penalty * w, residual.sum())

    # Words (trigger, context) are many and each is seen a few times: they are held closer to 0
    # than the few structural features (evidence, clause reading, type).
    penalty = np.array([l2 * LEXICAL_L2 if name.startswith(LEXICAL) else l2 for name in vocabulary])

    bounds = [(0.0, None) if name in MORE_IS_EVENT else (None, 0.0) if name in LESS_IS_EVENT else (None, None)
              for name in vocabulary] + [(None, None)]
    result = minimize(loss, np.zeros(len(vocabulary) + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"maxiter": 2000})
    # Weights under 0.005 are left out of the file: each moves a confidence by well under 0.01.
    weights = {name: round(float(w), 3) for name, w in zip(vocabulary, result.x[:-1]) if abs(w) >= 0.005}
    return weights, round(float(result.x[-1]), 4)


def fit_platt(scores: list[float], labels: list[int]) -> tuple[float, float]:
    """Scale and shift of the logistic map from scores to calibrated confidences."""
    s, y = np.array(scores), np.array(labels, dtype=float)

    def loss(theta):
        z = theta[0] * s + theta[1]
        p = 1.0 / (1.0 + np.exp(-z))
        r = p - y
        return np.sum(np.logaddexp(0.0, z) - y * z), np.array([r @ s, r.sum()])

    result = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", bounds=[(1e-3, None), (None, None)])
    return round(float(result.x[0]), 4), round(float(result.x[1]), 4)


def train(sentences: list[Sentence], folds: int = FOLDS, l2: float = L2) -> ConfidenceModel:
    """A model on `sentences`, its Platt scaling fitted on their out-of-fold scores."""
    assignment = fold_of(sentences, folds)
    scores, labels = [], []
    for k in range(folds):
        weights, bias = fit_logistic(examples([s for s, f in zip(sentences, assignment) if f != k]), l2)
        inner = ConfidenceModel(weights, bias, 1.0, 0.0)
        for features, label in examples([s for s, f in zip(sentences, assignment) if f == k]):
            scores.append(inner.score(features))
            labels.append(label)
    weights, bias = fit_logistic(examples(sentences), l2)
    scale, shift = fit_platt(scores, labels)
    return ConfidenceModel(weights, bias, scale, shift)


# --- scoring what users get -------------------------------------------------------------

def rescore(sentences: list[Sentence], model: ConfidenceModel) -> list[Sentence]:
    """The sentences with every mention's confidence from `model` (features as coded)."""
    return [Sentence(s.group, s.set_name, s.gold, s.text,
                     [dict(m, confidence=model.confidence(m["features"])) for m in s.mentions], s.published_at)
            for s in sentences]


def figures(sentences: list[Sentence], cut: float) -> dict[str, float]:
    """What the default output gives at `cut`: Arabic detection P/R/F1 per type, English top-event
    type accuracy, and the share of emitted events the gold counts right (labelled mentions)."""
    counts = {"ASSAULT": [0, 0, 0], "PROTEST": [0, 0, 0]}
    english_right = english_n = loaded = loaded_right = 0
    for sentence in sentences:
        emitted = [m for m in sentence.mentions if m["confidence"] >= cut]
        loaded_labels = [right for m, right in labelled(sentence) if m["confidence"] >= cut]
        loaded += len(loaded_labels)
        loaded_right += sum(loaded_labels)
        if sentence.set_name == "en":
            english_n += 1
            english_right += bool(emitted) and emitted[0]["event_type"] in sentence.gold
            continue
        typed = [m for m in emitted if m["event_type"] == sentence.set_name]
        c = counts[sentence.set_name]
        c[0] += bool(typed) and bool(sentence.gold)
        c[1] += bool(typed) and not sentence.gold
        c[2] += bool(sentence.gold) and not typed
    result = {}
    for event_type, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        result[f"{event_type} P"], result[f"{event_type} R"] = p, r
        result[f"{event_type} F1"] = 2 * p * r / (p + r) if p + r else 0.0
    result["en accuracy"] = english_right / english_n if english_n else 0.0
    result["loaded right"] = loaded_right / loaded if loaded else 0.0
    return result


@dataclass
class CrossValidation:
    per_cut: dict          # cut -> list (one per fold) of figures()
    reliability: list      # (confidence, right) of every labelled held-out mention


def cross_validate(sentences: list[Sentence], folds: int = FOLDS, l2: float = L2) -> CrossValidation:
    assignment = fold_of(sentences, folds)
    per_cut: dict[float, list] = {cut: [] for cut in CUTS}
    reliability = []
    for k in range(folds):
        model = train([s for s, f in zip(sentences, assignment) if f != k], folds - 1, l2)
        held_out = rescore([s for s, f in zip(sentences, assignment) if f == k], model)
        for cut in CUTS:
            per_cut[cut].append(figures(held_out, cut))
        reliability += [(model.confidence(features), label) for features, label in examples(held_out)]
    return CrossValidation(per_cut, reliability)


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def recommended_cut(cv: CrossValidation) -> float:
    """The highest cut at which the held-out Arabic ASSAULT F1 and English type accuracy still
    reach their goals (mean over folds): the most precise output that keeps them. PROTEST has too
    few positive sentences in the dev data (37) to steer the choice (its F1 spreads ±0.2 over folds)."""
    kept = [cut for cut, runs in cv.per_cut.items() if mean([r["ASSAULT F1"] for r in runs]) >= GOAL_ASSAULT_F1
            and mean([r["en accuracy"] for r in runs]) >= GOAL_EN_ACCURACY]
    return max(kept) if kept else max(cv.per_cut, key=lambda cut: mean([r["ASSAULT F1"] for r in cv.per_cut[cut]]))


def mean_spread(values: list[float]) -> str:
    centre = mean(values)
    spread = math.sqrt(sum((v - centre) ** 2 for v in values) / max(1, len(values) - 1))
    return f"{centre:.3f} ± {spread:.3f}"


def reliability_table(pairs: list[tuple[float, int]], bins: int = 10) -> list[str]:
    lines = ["  confidence   mentions   mean confidence   share right"]
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(c, y) for c, y in pairs if low <= c < high or (b == bins - 1 and c == 1.0)]
        if inside:
            lines.append(f"  {low:.1f}-{high:.1f}    {len(inside):8d}   {sum(c for c, _ in inside) / len(inside):15.3f}"
                         f"   {sum(y for _, y in inside) / len(inside):11.3f}")
    return lines


def print_cross_validation(cv: CrossValidation, chosen_cut: float | None = None) -> None:
    names = ["ASSAULT F1", "ASSAULT P", "PROTEST F1", "PROTEST P", "en accuracy", "loaded right"]
    print(f"  {'cut':5} " + "  ".join(f"{n:>15}" for n in names))
    for cut, runs in cv.per_cut.items():
        mark = " <- event_cut" if chosen_cut is not None and abs(cut - chosen_cut) < 1e-9 else ""
        print(f"  {cut:.2f}  " + "  ".join(f"{mean_spread([r[n] for r in runs]):>15}" for n in names) + mark)
    print("\n  Reliability of held-out confidences (all folds):")
    print("\n".join(reliability_table(cv.reliability)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="cross-validate only; do not write the model")
    args = parser.parse_args()
    root = devdata_root()
    if not (root / "events").is_dir():
        print(f"skipped: development data not found under {root} (set NEWSFLOW_DEVDATA)")
        return 0
    sentences = load_sentences(root)
    print(f"{len(sentences)} gold sentences, {len(examples(sentences))} labelled mentions")
    print(f"\n{FOLDS}-fold cross-validation by document (mean ± spread over folds), output at each cut:")
    cv = cross_validate(sentences)
    print_cross_validation(cv, events.event_policy().cut)
    print(f"\n  recommended event_cut (highest with ASSAULT F1 >= {GOAL_ASSAULT_F1} and English accuracy >= "
          f"{GOAL_EN_ACCURACY}): "
          f"{recommended_cut(cv):.2f}; configured: {events.event_policy().cut:.2f} (include/config/events.yaml)")
    if args.check:
        return 0
    model = train(sentences)
    MODEL_PATH.write_text(json.dumps({
        "about": "newsflow event confidence: logistic weights over mention features and Platt scaling; "
                 "written by bench/events/train.py from the development gold sets",
        "bias": model.bias, "platt": {"scale": model.scale, "shift": model.shift},
        "weights": dict(sorted(model.weights.items())),
    }, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"\nwrote {MODEL_PATH.relative_to(ROOT)} ({len(model.weights)} weights)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
