"""``fast_first``'s keep-or-rerun decision learned instead of its hand thresholds (not kept).

With ``fast_first`` on, newsflow keeps trafilatura's run without fallbacks unless its text is under
0.8 of the page's long-paragraph characters (or 1000), over ``max_growth`` times them, or one
block per 2500 characters (``articles._trafilatura_lines``).  This script reads every dev page
through ``newsflow.articles`` with trafilatura's fast and full runs both made on the tree
newsflow hands it, records features of the fast text known before the full run (its length
against the page's paragraph text, its lines, the share of its words found in the page's links,
the share of the description's words in it, the hand rule's own verdict) and scores both texts
as run.py does.  A logistic model of "the full run scores higher" (``layer_gate.fit``: pairs
weighted by |gain| and 1 / the set's pages) is trained on 4 folds by site and scored on the
fifth against the hand rule, with the pages where both runs agree counted as losses of a small
``cost`` (a full run that buys nothing costs time), and the reruns counted (speed).

Run: ``.venv/bin/python bench/extraction/fast_first.py``
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import layer_gate  # noqa: E402  (the gates' logistic fit)
import run as bench  # noqa: E402  (the dev sets, scorers and folds of the extraction benchmark)

from newsflow import articles  # noqa: E402
from newsflow.layer_gate import tokens  # noqa: E402

L2_GRID = (0.3, 3.0, 30.0)
COSTS = (0.0, 0.0005, 0.002)


def fast_features(tree, fast: str, expected_chars: int, rule_reruns: bool) -> dict:
    links = set(tokens(" ".join(a.text_content() for a in tree.iter("a"))))
    words = tokens(fast)
    described = set(tokens(" ".join(tree.xpath("//meta[@name='description' or @property='og:description']/@content"))))
    lines = fast.count("\n") + 1 if fast else 0
    return {
        "fast_chars_log": math.log1p(len(fast)), "expected_log": math.log1p(expected_chars),
        "ratio": min(5.0, len(fast) / max(expected_chars, 1)), "lines_log": math.log1p(lines),
        "chars_per_line_log": math.log1p(len(fast) / max(lines, 1)), "short": float(len(fast) < 1000),
        "link_word_share": sum(word in links for word in words) / max(len(words), 1),
        "description_overlap": len(described & set(words)) / len(described) if described else 0.0,
        "no_description": float(not described), "rule_rerun": float(rule_reruns), "fast_empty": float(not fast),
    }


def read_all() -> list[dict]:
    """Per page: the fast run's features, the hand rule's verdict, both runs' scores."""
    import trafilatura

    configured = articles._trafilatura_lines
    seen = {}

    def both_runs(tree, url, expected_chars, max_growth):
        options = articles._trafilatura_options(url)
        fast = trafilatura.extract(tree, fast=True, **options) or ""
        full = trafilatura.extract(tree, fast=False, **options) or fast
        runs = []  # the hand rule's own runs: fast=True / fast=False
        extract = trafilatura.extract
        trafilatura.extract = lambda *args, **kwargs: (runs.append(kwargs.get("fast")), extract(*args, **kwargs))[1]
        try:
            kept = configured(tree, url, expected_chars, max_growth)
        finally:
            trafilatura.extract = extract
        seen.update(fast=fast, full=full, features=fast_features(tree, fast, expected_chars, False in runs))
        return kept

    root = bench.devdata_root()
    rows = []
    articles._trafilatura_lines = both_runs
    try:
        for load in (bench.load_fundus, bench.load_trafilatura_eval, bench.load_readability):
            for page in load(root):
                seen.clear()
                try:
                    articles._extract(page["html"], page["url"], page["headers"], None)
                except Exception:  # noqa: BLE001 - as extract_article: a page that fails has no body
                    pass
                if seen:
                    rows.append({"set": page["set"], "fold": bench.fold_of(page), "layer": "fast_first",
                                 "features": seen["features"], "rule": bool(seen["features"]["rule_rerun"]),
                                 "gain": bench.page_score(page, seen["full"]) - bench.page_score(page, seen["fast"])})
    finally:
        articles._trafilatura_lines = configured
    pages = Counter(row["set"] for row in rows)
    for row in rows:
        row["weight"] = 1 / pages[row["set"]]
    return rows


def realised(rows: list[dict], reruns) -> float:
    return sum(row["weight"] * row["gain"] for row in rows if reruns(row))


def main() -> int:
    if not (bench.devdata_root() / "extraction" / "fundus" / "index.json").exists():
        print(f"skipped: dev data not found at {bench.devdata_root()} (set NEWSFLOW_DEVDATA)")
        return 0
    rows = read_all()
    names = tuple(rows[0]["features"])
    keeps = [row for row in rows if not row["rule"]]
    print(f"{len(rows)} pages: full run better on {sum(r['gain'] > 1e-9 for r in rows)}, worse on "
          f"{sum(r['gain'] < -1e-9 for r in rows)}; the hand rule reruns {sum(r['rule'] for r in rows)}")
    print(f"gain of the full run (sets weighted the same): where the hand rule reruns "
          f"{realised(rows, lambda r: r['rule']):+.5f}, everywhere {realised(rows, lambda r: True):+.5f}, "
          f"where it keeps the fast run {realised(keeps, lambda r: True):+.5f} "
          f"(+{sum(r['weight'] * r['gain'] for r in keeps if r['gain'] > 0):.5f} / "
          f"{sum(r['weight'] * r['gain'] for r in keeps if r['gain'] < 0):+.5f})")
    for label, part, base in (("the model deciding every page", rows, lambda r: r["rule"]),
                              ("the model adding reruns to the hand rule's", keeps, lambda r: False)):
        print(f"\n{label}: held-out gain over the hand rule per fold, reruns the model adds (+) or drops (-)")
        for l2 in L2_GRID:
            for cost in COSTS:
                per_fold, extra = [], 0
                for fold in range(bench.FOLDS):
                    train = [dict(r, gain=r["gain"] if abs(r["gain"]) > 1e-9 else -cost)
                             for r in part if r["fold"] != fold]
                    gate = layer_gate.fit(train, l2, ("fast_first",), names)
                    test = [r for r in part if r["fold"] == fold]
                    model = lambda r, gate=gate: gate.gain(r["features"]) > 0  # noqa: E731
                    per_fold.append(realised(test, model) - realised(test, base))
                    extra += sum(model(r) for r in test) - sum(base(r) for r in test)
                print(f"  L2 {l2:<5} cost {cost:<6} {sum(per_fold):+.5f} [{', '.join(f'{g:+.5f}' for g in per_fold)}] "
                      f"reruns {extra:+d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
