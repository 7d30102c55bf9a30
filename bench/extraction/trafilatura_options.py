"""trafilatura's own precision / recall options as layers newsflow could switch per page.

newsflow calls trafilatura with its default balance (``newsflow.articles._trafilatura_options``).
This script reads every dev page three times through ``newsflow.articles`` (the options as
configured, with ``favor_recall``, with ``favor_precision``), scores each body as run.py does, and
prints per set the mean change and the pages better / worse, by the signal the option would be
chosen on at run time: the body's characters over the page's long-paragraph text
(``_paragraph_chars``).  Then the option as a fold-chosen layer: applied when that ratio is under
a threshold chosen on 4 folds by site (sets weighted the same, ties to the lower threshold,
0 = never), scored on the fifth.

Run: ``.venv/bin/python bench/extraction/trafilatura_options.py``
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the dev sets, scorers and folds of the extraction benchmark)

from newsflow import articles  # noqa: E402

OPTIONS = {"default": {}, "favor_recall": {"favor_recall": True}, "favor_precision": {"favor_precision": True}}
BINS = ((0, 0.3), (0.3, 0.5), (0.5, 0.8), (0.8, 1.2), (1.2, 2.0), (2.0, float("inf")))
THRESHOLDS = (0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)


def read_all(pages: list[dict]) -> list[dict]:
    configured = articles._trafilatura_options
    rows = []
    for page in pages:
        row = {"set": page["set"], "fold": bench.fold_of(page)}
        for name, extra in OPTIONS.items():
            # the options every trafilatura run of the page gets, for this reading only
            articles._trafilatura_options = lambda url, extra=extra: {**configured(url), **extra}
            try:
                text = articles._extract(page["html"], page["url"], page["headers"], {})["text"]
            except Exception:  # noqa: BLE001 - as extract_article: a page that fails has no body
                text = ""
            finally:
                articles._trafilatura_options = configured
            row[name], row[name + "_chars"] = bench.page_score(page, text), len(text)
        tree, _ = articles._parse(page["html"], page["headers"])
        row["ratio"] = row["default_chars"] / max(1, articles._paragraph_chars(tree)) if tree is not None else 0.0
        rows.append(row)
    return rows


def main() -> int:
    root = bench.devdata_root()
    if not (root / "extraction" / "fundus" / "index.json").exists():
        print(f"skipped: dev data not found at {root} (set NEWSFLOW_DEVDATA)")
        return 0
    rows = read_all(bench.load_fundus(root) + bench.load_trafilatura_eval(root) + bench.load_readability(root))
    set_pages = Counter(row["set"] for row in rows)
    for option in ("favor_recall", "favor_precision"):
        print(f"\n{option}: option - default, per set and by body chars / paragraph chars")
        for name in set_pages:
            part = [r for r in rows if r["set"] == name]
            diffs = [r[option] - r["default"] for r in part]
            print(f"  {name:<17} all {len(part):>4} pages: mean {bench.mean(diffs):+.4f}, better "
                  f"{sum(d > 1e-9 for d in diffs)}, worse {sum(d < -1e-9 for d in diffs)}")
            for low, high in BINS:
                diffs = [r[option] - r["default"] for r in part if low <= r["ratio"] < high]
                if diffs:
                    print(f"    ratio {low}-{high}: {len(diffs):>4} pages, mean {bench.mean(diffs):+.4f}, better "
                          f"{sum(d > 1e-9 for d in diffs)}, worse {sum(d < -1e-9 for d in diffs)}")

        def gain(threshold: float, part: list[dict]) -> float:
            return sum((r[option] - r["default"]) / set_pages[r["set"]] for r in part if r["ratio"] < threshold)

        chosen, held = [], []
        for fold in range(bench.FOLDS):
            train = [r for r in rows if r["fold"] != fold]
            best = max(THRESHOLDS, key=lambda t: (round(gain(t, train), 9), -t))
            chosen.append(best)
            held.append(gain(best, [r for r in rows if r["fold"] == fold]))
        print(f"  as a layer under a chosen ratio: thresholds chosen {chosen}; held-out gain per fold (sets weighted "
              f"the same) [{', '.join(f'{h:+.5f}' for h in held)}], total {sum(held):+.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
