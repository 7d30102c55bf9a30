"""Article deduplication benchmark: near-duplicate and containment sets built from real texts.

Originals are the article bodies of the fundus ground truth (`<devdata>/extraction/fundus/
ground-truth.json`), of the replay manifest (`include/replay/manifest.json`, when present) and
documents rebuilt from the Arabic PLOVER gold sentences (`<devdata>/events/arabic_event_gsr_dev`).
Every original gets edited copies (random token edits at 2/5/10/20 %, the tail cut off,
changed boilerplate) and is planted inside a longer rewrite (paragraphs of other articles
before and after it, as it is or edited and cut); the copies are looked up in an index of the
originals. Negative pairs are built too: two articles sharing a quoted paragraph or a
boilerplate block, a one-paragraph summary inside another article, same-topic stories.

The containment thresholds (`containment` in dedup.yaml) are chosen on k - 1 folds and scored
on the held-out fold (folds by original); the figures of the configured settings, what users
get, follow. Articles per second are end to end, beside exact-hash deduplication and the
resemblance-only index on the same data in the same run.

    python bench/dedup/run.py [--threshold 0.5] [--bands 32 --rows 4] [--seed 20241201] [--folds 5]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import itertools
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
from newsflow.text import detect_language

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DEVDATA = REPO.parent / "shared" / "devdata"
MANIFEST = REPO / "include" / "replay" / "manifest.json"
MIN_CHARS = 200  # originals shorter than this (after normalisation) are left out
MAX_GOLD_CHARS = 6000  # documents rebuilt from gold sentences are cut to this length
TWIN_JACCARD = 0.5  # originals this similar to each other are near duplicates already
TWIN_CONTAINMENT = 0.5  # originals this much inside one another are copies already

EDIT_LEVELS = (0.02, 0.05, 0.10, 0.20)
CONTAINED_KINDS = ("inside longer", "inside longer, edited", "inside much longer")
NEGATIVE_KINDS = ("shared quote", "shared boilerplate", "summary in another", "same topic")
# Reported, not in the goal: a roundup holds whole short articles, each of which is "inside" it.
ROUNDUP = "roundup of short items"
UNRELATED_KINDS = ("unrelated (originals)", "unrelated (pairs)")
# Kinds of copy counted in the goal line.
GOAL_KINDS = ("edit 2%", "edit 5%", "edit 10%", "boilerplate", "truncate 10%", *CONTAINED_KINDS)
PRECISION_GOAL = 0.995
RECALL_GOAL = 0.98

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
# A long footer two outlets' unrelated articles can share (written for this benchmark).
FOOTERS = (
    "\nSign up for our daily newsletter to receive the most important stories of the day in your "
    "inbox every morning. You can unsubscribe at any time using the link at the bottom of every "
    "email. We process your data in accordance with our privacy policy, which explains how we "
    "collect, use and protect your personal information and what your rights are.",
    "\nاشترك في نشرتنا البريدية اليومية لتصلك أهم الأخبار كل صباح، ويمكنك إلغاء الاشتراك في أي وقت "
    "عبر الرابط الموجود أسفل كل رسالة. نعالج بياناتك وفق سياسة الخصوصية التي توضح كيف نجمع "
    "معلوماتك الشخصية ونستخدمها ونحميها وما هي حقوقك.",
)


@dataclasses.dataclass
class Original:
    name: str
    body: str
    story: str | None  # replay articles of one story are not unrelated
    language: str
    topic: str | None  # event type of a gold document, publisher of a fundus page


def devdata_root() -> Path:
    return Path(os.environ.get("NEWSFLOW_DEVDATA") or DEFAULT_DEVDATA)


def gold_documents(root: Path) -> list[tuple[str, str, str]]:
    """(name, text, event type) of the Arabic gold documents: their sentences, in order."""
    documents: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for event_type in ("assault", "protest"):
        path = root / "events" / "arabic_event_gsr_dev" / f"{event_type}_gsr.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                document, _, sentence = row["id"].rpartition("_")
                documents[(event_type, document)][sentence] = row["text"]
    found = []
    for (event_type, document), sentences in sorted(documents.items()):
        ordered = [sentences[key] for key in sorted(sentences, key=_sentence_order)]
        text, kept = "", []
        for sentence in ordered:
            if len(text) + len(sentence) > MAX_GOLD_CHARS:
                break
            kept.append(sentence)
            text = "\n".join(kept)
        found.append((f"gold:{event_type}:{document[-12:]}", text, event_type))
    return found


def _sentence_order(key: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def load_originals() -> list[Original]:
    """Every distinct real article body long enough to use."""
    root = devdata_root()
    truth_path = root / "extraction" / "fundus" / "ground-truth.json"
    if not truth_path.exists():
        return []
    originals = []
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    for name, entry in sorted(truth.items()):
        body = entry.get("articleBody") if isinstance(entry, dict) else entry
        if isinstance(body, str):
            originals.append((f"fundus:{name}", body, None, name.rsplit("_", 3)[0]))
    if MANIFEST.exists():
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
        seen_urls = set()
        for entry in manifest.get("articles", []):
            body, url = entry.get("body"), entry.get("url")
            if isinstance(body, str) and url not in seen_urls:  # one version per URL
                seen_urls.add(url)
                originals.append((f"replay:{url}", body, entry.get("story"), None))
    originals += [(name, text, None, event_type) for name, text, event_type in gold_documents(root)]
    distinct, hashes = [], set()
    for name, body, story, topic in originals:
        digest = dedup.content_hash(body)
        if len(dedup.normalize_text(body)) >= MIN_CHARS and digest not in hashes:
            hashes.add(digest)
            distinct.append(Original(name, body, story, detect_language(body) or "?", topic))
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


def paragraphs(text: str) -> list[str]:
    return [p for p in (line.strip() for line in text.split("\n")) if p]


class Fillers:
    """Paragraphs of other originals of the same language, to wrap a text in a longer one.
    One paragraph per donor, never its first, a quarter of the donor at most: a longer text
    then holds a small share of each donor, which must not link it to them."""

    def __init__(self, originals: list[Original]):
        self.by_language: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for index, original in enumerate(originals):
            donor = paragraphs(original.body)
            if len(donor) >= 4:
                self.by_language[original.language] += [
                    (index, p) for p in donor[1:] if 80 <= len(p) <= len(original.body) / 4]

    def take(self, language: str, chars: int, exclude: int, rng: random.Random) -> list[str]:
        pool = self.by_language.get(language) or [p for ps in self.by_language.values() for p in ps]
        taken, donors, total = [], {exclude}, 0
        for _ in range(200):
            if total >= chars:
                break
            donor, paragraph = rng.choice(pool)
            if donor not in donors:
                taken.append(paragraph)
                donors.add(donor)
                total += len(paragraph)
        return taken


def inside_longer(text: str, extra: list[str], rng: random.Random) -> str:
    """`text` with the `extra` paragraphs split between before and after it."""
    cut = rng.randint(0, len(extra))
    return "\n".join([*extra[:cut], text, *extra[cut:]])


@dataclasses.dataclass
class Copy:
    kind: str
    original: int
    text: str


def make_copies(originals: list[Original], rng: random.Random) -> list[Copy]:
    vocabulary = sorted({w for o in originals for w in o.body.split() if w.isalpha()})
    fillers = Fillers(originals)
    copies = []
    for index, original in enumerate(originals):
        body = original.body
        for rate in EDIT_LEVELS:
            copies.append(Copy(f"edit {round(rate * 100)}%", index, edit_tokens(body, rate, vocabulary, rng)))
        copies.append(Copy("truncate 10%", index, truncate(body, 0.10)))
        copies.append(Copy("truncate 25%", index, truncate(body, 0.25)))
        copies.append(Copy("boilerplate", index, change_boilerplate(body, rng)))
        # The agency copy inside a longer rewrite that adds 0.5 to 2 (much longer: 2 to 4) times
        # its length.
        edited = truncate(edit_tokens(body, 0.05, vocabulary, rng), rng.uniform(0.0, 0.3))
        for kind, inner, added in (("inside longer", body, (0.5, 2.0)), ("inside longer, edited", edited, (0.5, 2.0)),
                                   ("inside much longer", body, (2.0, 4.0))):
            extra = fillers.take(original.language, int(len(body) * rng.uniform(*added)), index, rng)
            copies.append(Copy(kind, index, inside_longer(inner, extra, rng)))
    return copies


@dataclasses.dataclass
class NegativePair:
    kind: str
    group: int  # the original the pair is built around (its fold)
    a: str
    b: str


def _partner(originals, index, twins, rng, same_topic=False) -> int | None:
    """Another original of the same language (and topic), not a twin or of the same story."""
    me = originals[index]
    pool = [j for j, o in enumerate(originals)
            if j != index and o.language == me.language and j not in twins[index]
            and not (me.story and me.story == o.story) and (not same_topic or o.topic == me.topic)]
    return rng.choice(pool) if pool else None


def _insert_paragraph(text: str, paragraph: str, rng: random.Random) -> str:
    parts = paragraphs(text)
    cut = rng.randint(1, len(parts)) if len(parts) > 1 else 1
    return "\n".join([*parts[:cut], paragraph, *parts[cut:]])


def make_negative_pairs(originals: list[Original], twins, rng: random.Random) -> list[NegativePair]:
    """Pairs of different articles that share some text, or their topic."""
    pairs = []
    for index, original in enumerate(originals):
        other = _partner(originals, index, twins, rng)
        if other is None:
            continue
        # A quoted statement: a paragraph of a third article inside both, a third of either
        # at most.
        third = _partner(originals, other, twins, rng)
        longest = min(600, len(original.body) // 2, len(originals[other].body) // 2)
        quotes = [p for p in paragraphs(originals[third].body) if 150 <= len(p) <= longest] if third is not None else []
        if quotes and third != index:
            quote = rng.choice(quotes)
            pairs.append(NegativePair("shared quote", index, _insert_paragraph(original.body, quote, rng),
                                      _insert_paragraph(originals[other].body, quote, rng)))
        footer = FOOTERS[1] if original.language == "ar" else FOOTERS[0]
        pairs.append(NegativePair("shared boilerplate", index, original.body + footer,
                                  originals[other].body + footer))
        # A one-paragraph summary (this article's lead) inside a longer article, three times
        # its length or more.
        lead = paragraphs(original.body)[0]
        if len(lead) < 150 and len(paragraphs(original.body)) > 1:
            lead = "\n".join(paragraphs(original.body)[:2])
        if len(paragraphs(original.body)) > 2 and len(originals[other].body) >= 3 * len(lead):
            pairs.append(NegativePair("summary in another", index, lead,
                                      _insert_paragraph(originals[other].body, lead, rng)))
        # Another story of the same topic (the event type of a gold document, the publisher
        # of a fundus page).
        if original.topic:
            same = _partner(originals, index, twins, rng, same_topic=True)
            if same is not None:
                pairs.append(NegativePair("same topic", index, original.body, originals[same].body))
        # A roundup: this short article whole, between two or three other whole short ones.
        if len(original.body) <= 1500:
            others = [o.body for j, o in enumerate(originals) if j != index and o.language == original.language
                      and len(o.body) <= 1500 and j not in twins[index]]
            if len(others) >= 3:
                items = [original.body, *rng.sample(others, rng.choice((2, 3)))]
                rng.shuffle(items)
                pairs.append(NegativePair(ROUNDUP, index, original.body, "\n".join(items)))
    return pairs


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


@dataclasses.dataclass
class Trials:
    """Every candidate pair the index returned, with its features, so that any setting of the
    containment rule can be scored without running the index again."""

    kind: list = dataclasses.field(default_factory=list)
    group: list = dataclasses.field(default_factory=list)  # original behind the pair (fold)
    right: list = dataclasses.field(default_factory=list)  # links a copy to its own original
    resemblance: list = dataclasses.field(default_factory=list)
    containment: list = dataclasses.field(default_factory=list)
    containment_resemblance: list = dataclasses.field(default_factory=list)
    shorter_chars: list = dataclasses.field(default_factory=list)
    positives: dict = dataclasses.field(default_factory=lambda: defaultdict(int))  # (kind, group) -> copies

    def add(self, kind: str, group: int, right: bool, comparison: dedup.Comparison) -> None:
        self.kind.append(kind)
        self.group.append(group)
        self.right.append(right)
        self.resemblance.append(comparison.resemblance)
        self.containment.append(comparison.containment)
        self.containment_resemblance.append(comparison.containment_resemblance)
        self.shorter_chars.append(comparison.shorter_chars)

    def arrays(self) -> dict:
        arrays = {name: np.asarray(getattr(self, name)) for name in (
            "kind", "group", "right", "resemblance", "containment", "containment_resemblance", "shorter_chars")}
        arrays["right"] = arrays["right"].astype(bool)
        arrays["kinds"], arrays["kind_code"] = np.unique(arrays["kind"], return_inverse=True)
        return arrays


def exact_jaccard(a: str, b: str, config) -> float:
    """Jaccard similarity of the two texts' full shingle sets (no sampling)."""
    shingles_a = dedup.shingle_hashes(a, config.shingle_size)
    shingles_b = dedup.shingle_hashes(b, config.shingle_size)
    common = np.intersect1d(shingles_a, shingles_b, assume_unique=True).size
    union = shingles_a.size + shingles_b.size - common
    return common / union if union else 0.0


def find_twins(originals: list[Original], fingerprints, config) -> dict[int, set[int]]:
    """Pairs of originals that are copies of each other already: exact shingle Jaccard at or
    above TWIN_JACCARD (a revised article republished under a new URL), or one inside the other
    (containment at or above TWIN_CONTAINMENT, e.g. the same wire story in two replay feeds).
    Matches between twins are neither right nor wrong, so they are left out of the scores. Only
    pairs whose MinHash estimate reaches 0.3 are checked exactly for Jaccard: a true 0.5 never
    estimates that low."""
    signatures = np.stack([fp.signature for fp in fingerprints])
    twins: dict[int, set[int]] = defaultdict(set)
    index = dedup.ArticleIndex(config)
    for a, fp in enumerate(fingerprints):
        estimates = (signatures[a + 1:] == signatures[a]).mean(axis=1)
        linked_to = {a + 1 + int(offset) for offset in np.flatnonzero(estimates >= 0.3)
                     if exact_jaccard(originals[a].body, originals[a + 1 + int(offset)].body, config) >= TWIN_JACCARD}
        linked_to |= {b for b, comparison in index.comparisons(fp) if comparison.containment >= TWIN_CONTAINMENT}
        for b in linked_to:
            twins[a].add(b)
            twins[b].add(a)
        index.add(a, fp)
    return twins


def run_index(originals, copies, twins, config) -> Trials:
    """Index the originals (each looked up against the earlier ones first: unrelated pairs),
    then look every copy up; keep every candidate pair with its comparison."""
    trials = Trials()
    index = dedup.ArticleIndex(config)
    for position, original in enumerate(originals):
        fp = dedup.fingerprint(original.body, config)
        for doc, comparison in index.comparisons(fp):
            if doc not in twins[position]:
                trials.add("unrelated (originals)", position, False, comparison)
        index.add(position, fp)
    for copy in copies:
        trials.positives[(copy.kind, copy.original)] += 1
        for doc, comparison in index.comparisons(dedup.fingerprint(copy.text, config)):
            # A planted longer text holding one paragraph of another original is a false link.
            if doc == copy.original or doc not in twins[copy.original]:
                trials.add(copy.kind, copy.original, doc == copy.original, comparison)
    return trials


def index_rates(originals, copies, index, prepare) -> dict[str, float]:
    """Articles per second of what deduplication does per article: normalise, `prepare` (the
    fingerprint, or the signature alone), query `index` (candidates and their decision), add."""
    started = time.perf_counter()
    for position, original in enumerate(originals):
        prepared = prepare(original.body)
        index.query(prepared)
        index.add(position, prepared)
    seconds = {"originals": time.perf_counter() - started}
    for copy in copies:
        started = time.perf_counter()
        index.query(prepare(copy.text))
        seconds[copy.kind] = seconds.get(copy.kind, 0.0) + time.perf_counter() - started
    return rates(originals, copies, seconds)


def rates(originals, copies, seconds: dict[str, float]) -> dict[str, float]:
    """Articles per second over everything, and over the originals and the copies that are not
    planted inside longer texts (the workload of this benchmark before containment)."""
    planted = [c for c in copies if c.kind in CONTAINED_KINDS]
    earlier = sum(t for kind, t in seconds.items() if kind not in CONTAINED_KINDS)
    return {"all": (len(originals) + len(copies)) / sum(seconds.values()),
            "earlier": (len(originals) + len(copies) - len(planted)) / earlier}


def run_pairs(trials: Trials, pairs: list[NegativePair], config) -> None:
    """Each negative pair on its own: a candidate pair when the index would return it."""
    for pair in pairs:
        index = dedup.ArticleIndex(config)
        index.add("a", dedup.fingerprint(pair.a, config))
        for _, comparison in index.comparisons(dedup.fingerprint(pair.b, config)):
            trials.add(pair.kind, pair.group, False, comparison)


def random_unrelated_pairs(originals, twins, rng, count=2000) -> list[NegativePair]:
    pairs = []
    while len(pairs) < count:
        a, b = rng.sample(range(len(originals)), 2)
        story_a, story_b = originals[a].story, originals[b].story
        if (story_a and story_a == story_b) or b in twins[a]:
            continue
        pairs.append(NegativePair("unrelated (pairs)", a, originals[a].body, originals[b].body))
    return pairs


@dataclasses.dataclass(frozen=True)
class Rule:
    """The containment settings the folds choose (the resemblance threshold stays)."""

    threshold: float
    min_chars: int
    min_resemblance: float
    verbatim: tuple | None = None  # (threshold, min_chars, min_resemblance) of containment.verbatim

    @classmethod
    def of(cls, config) -> "Rule":
        c = config.containment
        v = c.verbatim
        return cls(c.threshold, c.min_chars, c.min_resemblance,
                   None if v is None else (v.threshold, v.min_chars, v.min_resemblance))

    def describe(self) -> str:
        text = f"threshold {self.threshold:.2f}, min_chars {self.min_chars}, min_resemblance {self.min_resemblance:.2f}"
        if self.verbatim:
            t, c, r = self.verbatim
            text += f"; verbatim: threshold {t:.2f}, min_chars {c}, min_resemblance {r:.2f}"
        return text


NO_CONTAINMENT = Rule(2.0, 0, 0.0)  # resemblance only: the decision before containment

RULE_GRID = [Rule(t, c, r) for t, c, r in itertools.product(
    (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9),
    (0, 200, 300, 400, 500, 600, 800, 1000),
    (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3))]
# The second rule is chosen after the main one, given it (none is a choice too: it must earn its place)
VERBATIM_GRID = [None, *itertools.product(
    (0.85, 0.9, 0.95, 0.99),
    (400, 600, 800, 1000, 1200, 1500, 2000),
    (0.04, 0.06, 0.08, 0.1, 0.12, 0.14, 0.16))]


def linked(arrays, rule: Rule, similarity_threshold: float) -> np.ndarray:
    """Which candidate pairs `dedup.judge` links under `rule` (same test, vectorised)."""
    is_linked = (arrays["resemblance"] >= similarity_threshold) | (
        (arrays["shorter_chars"] >= rule.min_chars) & (arrays["containment"] >= rule.threshold)
        & (arrays["containment_resemblance"] >= rule.min_resemblance))
    if rule.verbatim:
        threshold, min_chars, min_resemblance = rule.verbatim
        is_linked |= ((arrays["shorter_chars"] >= min_chars) & (arrays["containment"] >= threshold)
                      & (arrays["containment_resemblance"] >= min_resemblance))
    return is_linked


def scores_by_kind(trials: Trials, arrays, rule: Rule, similarity_threshold: float,
                   groups: set | None = None) -> dict[str, Score]:
    """Per kind: copies, copies linked to their own original, false links."""
    is_linked = linked(arrays, rule, similarity_threshold)
    if groups is not None:
        is_linked &= np.isin(arrays["group"], list(groups))
    kinds, codes = arrays["kinds"], arrays["kind_code"]
    right = np.bincount(codes[is_linked & arrays["right"]], minlength=len(kinds))
    wrong = np.bincount(codes[is_linked & ~arrays["right"]], minlength=len(kinds))
    scores: dict[str, Score] = defaultdict(Score)
    for code, kind in enumerate(kinds):
        scores[kind] = Score(int(right[code]), int(wrong[code]))
    for (kind, group), count in trials.positives.items():
        if groups is None or group in groups:
            scores[kind].positives += count
    return scores


def goal_score(scores: dict[str, Score]) -> Score:
    total = Score()
    for kind in (*GOAL_KINDS, *NEGATIVE_KINDS, *UNRELATED_KINDS):
        if kind in scores:
            total.add(scores[kind])
    return total


def choose_rule(trials, arrays, similarity_threshold, groups) -> Rule:
    """The rule of the grid with the highest goal recall at precision >= PRECISION_GOAL on
    `groups` (ties: higher precision, then the stricter rule)."""
    def key(rule):
        goal = goal_score(scores_by_kind(trials, arrays, rule, similarity_threshold, groups))
        return (goal.precision >= PRECISION_GOAL, goal.recall, goal.precision,
                rule.min_chars, rule.threshold, rule.min_resemblance, rule.verbatim is None,
                rule.verbatim or ())
    main = max(RULE_GRID, key=key)
    return max((dataclasses.replace(main, verbatim=v) for v in VERBATIM_GRID), key=key)


def cross_validate(trials, arrays, similarity_threshold, n_groups, folds, seed):
    """Rules chosen on k - 1 folds, scored on the held-out one, with and without their verbatim rule
    (the main rule is chosen first and alone, so without it is what the folds choose without one)."""
    order = list(range(n_groups))
    random.Random(seed).shuffle(order)
    fold_of = {group: i % folds for i, group in enumerate(order)}
    results = []
    for fold in range(folds):
        train = {g for g, f in fold_of.items() if f != fold}
        test = set(fold_of) - train
        rule = choose_rule(trials, arrays, similarity_threshold, train)
        held_out = scores_by_kind(trials, arrays, rule, similarity_threshold, test)
        main_only = scores_by_kind(trials, arrays, dataclasses.replace(rule, verbatim=None), similarity_threshold, test)
        results.append((rule, held_out, main_only))
    return results


def score_exact_hash(originals, copies, twins) -> tuple[dict[str, Score], float]:
    """Baseline: an exact match of the normalised body's hash."""
    scores: dict[str, Score] = defaultdict(Score)
    started = time.perf_counter()
    first_by_hash: dict[str, int] = {}
    for position, original in enumerate(originals):
        digest = dedup.content_hash(original.body)
        scores["unrelated (originals)"].false_positives += digest in first_by_hash
        first_by_hash.setdefault(digest, position)
    for copy in copies:
        match = first_by_hash.get(dedup.content_hash(copy.text))
        score = scores[copy.kind]
        score.positives += 1
        score.true_positives += match == copy.original
        score.false_positives += match is not None and match != copy.original and match not in twins[copy.original]
    elapsed = time.perf_counter() - started
    return scores, (len(originals) + len(copies)) / elapsed


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threshold", type=float, help="similarity threshold (default: dedup.yaml)")
    parser.add_argument("--bands", type=int, help="LSH bands (default: dedup.yaml)")
    parser.add_argument("--rows", type=int, help="LSH rows per band (default: dedup.yaml)")
    parser.add_argument("--max-candidates", type=int, help="candidates compared per text (default: dedup.yaml)")
    parser.add_argument("--seed", type=int, default=20241201, help="random seed for the edits and folds")
    parser.add_argument("--folds", type=int, default=5, help="folds for choosing the containment rule")
    return parser.parse_args(argv)


def print_table(trials, arrays, rule, threshold, exact, similarities) -> dict[str, Score]:
    before = scores_by_kind(trials, arrays, NO_CONTAINMENT, threshold)
    after = scores_by_kind(trials, arrays, rule, threshold)
    header = (f"{'kind':<24}{'n':>6}{'mean J':>8}{'min J':>7}  {'before P / R':>14}  {'after P / R':>14}"
              f"  {'exact hash P / R':>17}")
    print(header)
    print("-" * len(header))
    kinds = [*(f"edit {round(r * 100)}%" for r in EDIT_LEVELS), "truncate 10%", "truncate 25%", "boilerplate",
             *CONTAINED_KINDS]
    for kind in kinds:
        sims = similarities[kind]
        print(f"{kind:<24}{after[kind].positives:>6}{np.mean(sims):>8.3f}{min(sims):>7.3f}  "
              f"{before[kind].precision:>6.3f} / {before[kind].recall:.3f}  "
              f"{after[kind].precision:>6.3f} / {after[kind].recall:.3f}  "
              f"{exact[kind].precision:>7.3f} / {exact[kind].recall:.3f}")
    counts = defaultdict(int)
    for kind in arrays["kind"]:
        counts[kind] += 1
    for kind in (*NEGATIVE_KINDS, *UNRELATED_KINDS, ROUNDUP):
        print(f"{kind:<24}{'':>21}  {before[kind].false_positives:>6} false  {after[kind].false_positives:>7} false"
              f"   of {counts[kind]} candidate pairs")
    return after


def main(argv=None) -> int:
    args = parse_args(argv)
    config = dedup.settings()
    overrides = {k: v for k, v in (("similarity_threshold", args.threshold), ("bands", args.bands),
                                    ("rows", args.rows), ("max_candidates", args.max_candidates)) if v is not None}
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
    dedup.fingerprint("warm-up: builds the lookup tables once", config)
    fingerprints = [dedup.fingerprint(o.body, config) for o in originals]
    twins = find_twins(originals, fingerprints, config)
    copies = make_copies(originals, rng)
    negatives = make_negative_pairs(originals, twins, rng)

    trials = run_index(originals, copies, twins, config)
    run_pairs(trials, negatives + random_unrelated_pairs(originals, twins, rng), config)
    arrays = trials.arrays()
    exact, exact_rate = score_exact_hash(originals, copies, twins)
    # Resemblance only (signature, band keys, Jaccard): the decision before containment.
    plain_rate = index_rates(originals, copies, dedup.NearDuplicateIndex(config),
                             lambda text: dedup.minhash_signature(text, config))
    rate = index_rates(originals, copies, dedup.ArticleIndex(config), lambda text: dedup.fingerprint(text, config))
    similarities = defaultdict(list)
    for copy in copies:
        similarities[copy.kind].append(dedup.estimate_jaccard(
            dedup.minhash_signature(copy.text, config), fingerprints[copy.original].signature))

    sources = defaultdict(int)
    for o in originals:
        sources[o.name.split(":")[0]] += 1
    print(f"originals: {len(originals)} ({', '.join(f'{n} {s}' for s, n in sources.items())}), "
          f"copies: {len(copies)}, negative pairs: {len(negatives)}, seed {args.seed}")
    twin_pairs = sorted({tuple(sorted((a, b))) for a, linked_to in twins.items() for b in linked_to})
    print("originals that are copies already (left out of scoring): "
          + (", ".join(f"{originals[a].name} ~ {originals[b].name}" for a, b in twin_pairs) or "none"))
    c = config.containment
    print(f"settings: num_perm={config.num_perm} shingle={config.shingle_size} bands={config.bands} "
          f"rows={config.rows} threshold={config.similarity_threshold} max_candidates={config.max_candidates}; containment: shingle={c.shingle_size} "
          f"one key in {c.sample_one_in}, >= {c.min_shared_keys} shared keys")
    print()

    threshold = config.similarity_threshold
    print(f"containment rule chosen on {args.folds - 1} folds, scored on the held-out fold "
          f"(goal kinds: {', '.join(GOAL_KINDS)}; every negative and unrelated pair):")
    folds = cross_validate(trials, arrays, threshold, len(originals), args.folds, args.seed)
    precisions, recalls = [], []
    for number, (rule, held_out, _) in enumerate(folds, 1):
        goal = goal_score(held_out)
        precisions.append(goal.precision)
        recalls.append(goal.recall)
        contained = Score()
        for kind in CONTAINED_KINDS:
            contained.add(held_out[kind])
        print(f"  fold {number}: {rule.describe()} -> held-out P {goal.precision:.4f} "
              f"R {goal.recall:.4f} (contained R {contained.recall:.3f}, {goal.false_positives} false)")
    print(f"  held-out mean: precision {np.mean(precisions):.4f} +- {np.std(precisions):.4f}, "
          f"recall {np.mean(recalls):.4f} +- {np.std(recalls):.4f}")
    main_only = [goal_score(without) for _, _, without in folds]
    print(f"  held-out mean without the verbatim rule: precision "
          f"{np.mean([g.precision for g in main_only]):.4f} +- {np.std([g.precision for g in main_only]):.4f}, "
          f"recall {np.mean([g.recall for g in main_only]):.4f} +- {np.std([g.recall for g in main_only]):.4f}")
    chosen = choose_rule(trials, arrays, threshold, set(range(len(originals))))
    print(f"  chosen on all data (the values for dedup.yaml): {chosen.describe()}")
    print()

    rule = Rule.of(config)
    print(f"configured rule (dedup.yaml: {rule.describe()}), all data; before = resemblance only:")
    after = print_table(trials, arrays, rule, threshold, exact, similarities)
    before = scores_by_kind(trials, arrays, NO_CONTAINMENT, threshold)
    print()
    goal, goal_before, goal_exact = goal_score(after), goal_score(before), goal_score(exact)
    print(f"overall ({', '.join(GOAL_KINDS)}; negative and unrelated pairs):")
    print(f"  resemblance + containment  precision {goal.precision:.4f}  recall {goal.recall:.4f}")
    print(f"  resemblance only (before)  precision {goal_before.precision:.4f}  recall {goal_before.recall:.4f}")
    print(f"  exact hash (baseline)      precision {goal_exact.precision:.4f}  recall {goal_exact.recall:.4f}")
    print()
    print("articles per second (ratio to exact hash in this run):")
    for label, key in (("all copies", "all"), ("without the planted longer texts", "earlier")):
        print(f"  {label:<34} resemblance + containment {rate[key]:>6,.0f} ({rate[key] / exact_rate:.3f}), "
              f"resemblance only {plain_rate[key]:>6,.0f} ({plain_rate[key] / exact_rate:.3f}), "
              f"exact hash {exact_rate:,.0f}")
    print()
    print(f"goal precision >= {PRECISION_GOAL}: {goal.precision:.4f} {verdict(goal.precision >= PRECISION_GOAL)}")
    print(f"goal recall    >= {RECALL_GOAL}: {goal.recall:.4f} {verdict(goal.recall >= RECALL_GOAL)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
