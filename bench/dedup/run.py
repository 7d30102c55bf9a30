"""Article deduplication benchmark: near-duplicate sets built from real article bodies.

Originals are the article bodies of the fundus ground truth (`<devdata>/extraction/fundus/
ground-truth.json`) and, when present, of the replay manifest (`include/replay/manifest.json`).
Every original gets edited copies (random token edits at 2/5/10/20 %, the tail cut off,
changed boilerplate); the copies are looked up in an index of the originals. A predicted pair
is correct when it links a copy to its own original; originals looked up against the other
originals, and random pairs of originals, supply the unrelated pairs.

Prints precision and recall per kind of edit, overall for edits up to 10 %, and articles per
second end to end (normalise, signature, index query, index add), beside exact-hash
deduplication run on the same data. Settings come from include/config/dedup.yaml; the
options override them for tuning.

    python bench/dedup/run.py [--threshold 0.5] [--bands 32 --rows 4] [--seed 20241201]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from newsflow import dedup

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DEVDATA = REPO.parent / "shared" / "devdata"
MANIFEST = REPO / "include" / "replay" / "manifest.json"
MIN_CHARS = 200  # originals shorter than this (after normalisation) are left out
TWIN_JACCARD = 0.5  # originals this similar to each other are near duplicates already

EDIT_LEVELS = (0.02, 0.05, 0.10, 0.20)
# Kinds of copy counted in the "up to 10 % edited" goal.
GOAL_KINDS = ("edit 2%", "edit 5%", "edit 10%", "boilerplate", "truncate 10%")
PRECISION_GOAL = 0.99
RECALL_GOAL = 0.95
SPEED_GOAL = 500.0

# Boilerplate a republishing outlet adds around a wire story (written for this benchmark).
PREFIXES = (
    "AGENCY WIRE -- ",
    "(Reuters) - ",
    "BEIRUT, Dec 2 (AFP) - ",
    "وكالات - ",
    "Published by the newsroom with agencies.\n",
)
SUFFIXES = (
    "\nRead more: latest updates on the region.",
    "\nFollow us on social media for breaking news.",
    "\nSource: news agencies.",
    "\nاقرأ أيضا: آخر التطورات في المنطقة",
    "\n(Reporting by the bureau; editing by the desk)",
    "\nAll rights reserved. This article may not be republished without permission.",
)


def devdata_root() -> Path:
    return Path(os.environ.get("NEWSFLOW_DEVDATA") or DEFAULT_DEVDATA)


def load_originals() -> list[tuple[str, str, str | None]]:
    """(name, body, story) of every distinct real article body long enough to use."""
    truth_path = devdata_root() / "extraction" / "fundus" / "ground-truth.json"
    if not truth_path.exists():
        return []
    originals = []
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    for name, entry in sorted(truth.items()):
        body = entry.get("articleBody") if isinstance(entry, dict) else entry
        if isinstance(body, str):
            originals.append((f"fundus:{name}", body, None))
    if MANIFEST.exists():
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
        seen_urls = set()
        for entry in manifest.get("articles", []):
            body, url = entry.get("body"), entry.get("url")
            if isinstance(body, str) and url not in seen_urls:  # one version per URL
                seen_urls.add(url)
                originals.append((f"replay:{url}", body, entry.get("story")))
    distinct, hashes = [], set()
    for name, body, story in originals:
        digest = dedup.content_hash(body)
        if len(dedup.normalize_text(body)) >= MIN_CHARS and digest not in hashes:
            hashes.add(digest)
            distinct.append((name, body, story))
    return distinct


# ---------------------------------------------------------------------------
# Edited copies
# ---------------------------------------------------------------------------

# Whitespace runs, and single CJK characters (Chinese and Japanese write words without spaces,
# so one character is the unit of edit there).
_TOKENS = re.compile(r"(\s+|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef])")


def edit_tokens(text: str, rate: float, vocabulary: list[str], rng: random.Random) -> str:
    """Substitute, delete or insert words at `rate` of the word positions."""
    pieces = _TOKENS.split(text)
    word_positions = [i for i, piece in enumerate(pieces) if piece and not piece.isspace()]
    count = max(1, round(rate * len(word_positions)))
    for position in rng.sample(word_positions, min(count, len(word_positions))):
        operation = rng.choice(("substitute", "delete", "insert"))
        if operation == "substitute":
            pieces[position] = rng.choice(vocabulary)
        elif operation == "delete":
            pieces[position] = ""
        else:
            pieces[position] = f"{pieces[position]} {rng.choice(vocabulary)}"
    return "".join(pieces)


def truncate(text: str, fraction_removed: float) -> str:
    """Cut the last `fraction_removed` of the text, at a word boundary."""
    cut = int(len(text) * (1 - fraction_removed))
    while cut < len(text) and not text[cut].isspace():
        cut += 1
    return text[:cut]


def change_boilerplate(text: str, rng: random.Random) -> str:
    """Add an agency prefix and one or two trailing lines, as a republishing outlet does."""
    suffixes = rng.sample(SUFFIXES, rng.choice((1, 2)))
    return rng.choice(PREFIXES) + text + "".join(suffixes)


def make_copies(originals, rng: random.Random) -> list[tuple[str, int, str]]:
    """(kind, index of the original, text) of every edited copy."""
    vocabulary = sorted({w for _, body, _ in originals for w in body.split() if w.isalpha()})
    copies = []
    for index, (_, body, _) in enumerate(originals):
        for rate in EDIT_LEVELS:
            copies.append((f"edit {round(rate * 100)}%", index, edit_tokens(body, rate, vocabulary, rng)))
        copies.append(("truncate 10%", index, truncate(body, 0.10)))
        copies.append(("truncate 25%", index, truncate(body, 0.25)))
        copies.append(("boilerplate", index, change_boilerplate(body, rng)))
    return copies


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    positives: int = 0

    def add(self, other: "Score") -> None:
        self.true_positives += other.true_positives
        self.false_positives += other.false_positives
        self.positives += other.positives

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0


def exact_jaccard(a: str, b: str, config) -> float:
    """Jaccard similarity of the two texts' full shingle sets (no sampling)."""
    shingles_a = dedup.shingle_hashes(a, config.shingle_size)
    shingles_b = dedup.shingle_hashes(b, config.shingle_size)
    common = np.intersect1d(shingles_a, shingles_b, assume_unique=True).size
    union = shingles_a.size + shingles_b.size - common
    return common / union if union else 0.0


def find_twins(originals, config) -> dict[int, set[int]]:
    """Pairs of originals that are themselves near duplicates (exact shingle Jaccard at or
    above TWIN_JACCARD), e.g. a revised article republished under a new URL. Matches between
    twins are neither right nor wrong, so they are left out of the scores. Only pairs whose
    MinHash estimate reaches 0.3 are checked exactly: a true 0.5 never estimates that low."""
    signatures = np.stack([dedup.minhash_signature(body, config) for _, body, _ in originals])
    twins: dict[int, set[int]] = defaultdict(set)
    for a in range(len(originals)):
        estimates = (signatures[a + 1:] == signatures[a]).mean(axis=1)
        for offset in np.flatnonzero(estimates >= 0.3):
            b = a + 1 + int(offset)
            if exact_jaccard(originals[a][1], originals[b][1], config) >= TWIN_JACCARD:
                twins[a].add(b)
                twins[b].add(a)
    return twins


def score_near_duplicates(originals, copies, twins, config) -> tuple[dict[str, Score], float, dict]:
    """MinHash LSH: index the originals, query every copy and every original (unrelated).
    Returns scores per kind, articles per second and similarity statistics."""
    index = dedup.NearDuplicateIndex(config)
    scores: dict[str, Score] = defaultdict(Score)
    similarities: dict[str, list[float]] = defaultdict(list)
    started = time.perf_counter()
    signatures = []
    for position, (_, body, _) in enumerate(originals):
        signature = dedup.minhash_signature(body, config)
        matches = index.query(signature)  # an original against the earlier originals
        signatures.append(signature)
        index.add(position, signature)
        scores["unrelated (originals)"].false_positives += sum(
            1 for doc, _ in matches if doc not in twins[position])
    for kind, original, text in copies:
        signature = dedup.minhash_signature(text, config)
        matches = dict(index.query(signature))
        score = scores[kind]
        score.positives += 1
        score.true_positives += original in matches
        score.false_positives += sum(
            1 for doc in matches if doc != original and doc not in twins[original])
        similarities[kind].append(dedup.estimate_jaccard(signature, signatures[original]))
    elapsed = time.perf_counter() - started
    rate = (len(originals) + len(copies)) / elapsed
    return scores, rate, {"signatures": signatures, "similarities": similarities}


def score_unrelated_pairs(originals, signatures, twins, config, rng, count=2000) -> Score:
    """Random pairs of different originals (twins and same-story replay articles left out):
    a pair predicted as duplicate shares a band key and reaches the threshold."""
    score = Score()
    pairs = 0
    while pairs < count:
        a, b = rng.sample(range(len(originals)), 2)
        story_a, story_b = originals[a][2], originals[b][2]
        if (story_a and story_a == story_b) or b in twins[a]:
            continue
        pairs += 1
        shares_band = set(dedup.lsh_band_keys(signatures[a], config)) & set(
            dedup.lsh_band_keys(signatures[b], config))
        if shares_band and dedup.estimate_jaccard(signatures[a], signatures[b]) >= config.similarity_threshold:
            score.false_positives += 1
    return score


def score_exact_hash(originals, copies, twins) -> tuple[dict[str, Score], float]:
    """Baseline: an exact match of the normalised body's hash."""
    scores: dict[str, Score] = defaultdict(Score)
    started = time.perf_counter()
    first_by_hash: dict[str, int] = {}
    for position, (_, body, _) in enumerate(originals):
        digest = dedup.content_hash(body)
        scores["unrelated (originals)"].false_positives += digest in first_by_hash
        first_by_hash.setdefault(digest, position)
    for kind, original, text in copies:
        match = first_by_hash.get(dedup.content_hash(text))
        score = scores[kind]
        score.positives += 1
        score.true_positives += match == original
        score.false_positives += match is not None and match != original and match not in twins[original]
    elapsed = time.perf_counter() - started
    return scores, (len(originals) + len(copies)) / elapsed


def goal_score(scores: dict[str, Score]) -> Score:
    total = Score()
    for kind in (*GOAL_KINDS, "unrelated (originals)", "unrelated (pairs)"):
        if kind in scores:
            total.add(scores[kind])
    return total


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, help="similarity threshold (default: dedup.yaml)")
    parser.add_argument("--bands", type=int, help="LSH bands (default: dedup.yaml)")
    parser.add_argument("--rows", type=int, help="LSH rows per band (default: dedup.yaml)")
    parser.add_argument("--seed", type=int, default=20241201, help="random seed for the edits")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    config = dedup.settings()
    overrides = {k: v for k, v in (("similarity_threshold", args.threshold), ("bands", args.bands),
                                    ("rows", args.rows)) if v is not None}
    config = dataclasses.replace(config, **overrides)
    if config.bands * config.rows != config.num_perm:
        print(f"bands x rows must equal num_perm ({config.num_perm})", file=sys.stderr)
        return 2

    originals = load_originals()
    if not originals:
        print(f"SKIP: no development data at {devdata_root()} "
              "(set NEWSFLOW_DEVDATA to the devdata folder)")
        return 0
    rng = random.Random(args.seed)
    copies = make_copies(originals, rng)
    dedup.minhash_signature("warm-up: builds the lookup tables once", config)

    twins = find_twins(originals, config)
    near, near_rate, extra = score_near_duplicates(originals, copies, twins, config)
    near["unrelated (pairs)"] = score_unrelated_pairs(originals, extra["signatures"], twins, config, rng)
    exact, exact_rate = score_exact_hash(originals, copies, twins)

    n_replay = sum(1 for name, _, _ in originals if name.startswith("replay:"))
    print(f"originals: {len(originals)} ({n_replay} from the replay manifest), copies: {len(copies)}, "
          f"seed {args.seed}")
    twin_pairs = sorted({tuple(sorted((a, b))) for a, linked in twins.items() for b in linked})
    print(f"near-duplicate originals (exact shingle Jaccard >= {TWIN_JACCARD}, left out of scoring): "
          + (", ".join(f"{originals[a][0]} ~ {originals[b][0]}" for a, b in twin_pairs) or "none"))
    print(f"settings: num_perm={config.num_perm} shingle={config.shingle_size} "
          f"bands={config.bands} rows={config.rows} threshold={config.similarity_threshold}")
    print()
    header = f"{'kind':<24}{'n':>6}{'mean J':>8}{'min J':>7}  {'MinHash LSH P / R':>18}  {'exact hash P / R':>17}"
    print(header)
    print("-" * len(header))
    kinds = [*(f"edit {round(r * 100)}%" for r in EDIT_LEVELS), "truncate 10%", "truncate 25%", "boilerplate"]
    for kind in kinds:
        sims = extra["similarities"][kind]
        print(f"{kind:<24}{near[kind].positives:>6}{sum(sims) / len(sims):>8.3f}{min(sims):>7.3f}  "
              f"{near[kind].precision:>8.3f} / {near[kind].recall:.3f}  "
              f"{exact[kind].precision:>7.3f} / {exact[kind].recall:.3f}")
    for kind in ("unrelated (originals)", "unrelated (pairs)"):
        base = exact.get(kind, Score())
        print(f"{kind:<24}{'':>21}  {near[kind].false_positives:>8} false pairs  "
              f"{base.false_positives:>5} false pairs")
    print()
    goal, goal_exact = goal_score(near), goal_score(exact)
    print(f"overall, edits up to 10% ({', '.join(GOAL_KINDS)}, unrelated pairs):")
    print(f"  MinHash LSH  precision {goal.precision:.4f}  recall {goal.recall:.4f}  "
          f"{near_rate:,.0f} articles/s")
    print(f"  exact hash   precision {goal_exact.precision:.4f}  recall {goal_exact.recall:.4f}  "
          f"{exact_rate:,.0f} articles/s")
    print()
    print(f"goal precision >= {PRECISION_GOAL}: {goal.precision:.4f} {verdict(goal.precision >= PRECISION_GOAL)}")
    print(f"goal recall    >= {RECALL_GOAL}: {goal.recall:.4f} {verdict(goal.recall >= RECALL_GOAL)}")
    print(f"goal speed     >= {SPEED_GOAL:.0f} articles/s: {near_rate:,.0f} {verdict(near_rate >= SPEED_GOAL)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
