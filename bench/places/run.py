"""Gazetteer figures: index load time, resident memory, mentions per second.

Texts: article bodies of ../shared/devdata/extraction/fundus (ground truth)
and the Arabic event sentences of ../shared/devdata/events/arabic_event_gsr_dev,
read at run time. Beside newsflow's matcher, a baseline in the same process:
every raw name match resolved to its most populous candidate (no word
frequency filter, no context, no cue words).

Usage: python bench/places/run.py
"""

from __future__ import annotations

import csv
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

DEVDATA = Path(__file__).resolve().parents[3] / "shared" / "devdata"


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load_texts() -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {"fundus articles": [], "arabic event sentences": []}
    truth = DEVDATA / "extraction" / "fundus" / "ground-truth.json"
    if truth.exists():
        texts["fundus articles"] = [
            entry.get("articleBody", "") for entry in json.loads(truth.read_text()).values()
            if entry.get("articleBody")]
    for name in ("assault_gsr.csv", "protest_gsr.csv"):
        path = DEVDATA / "events" / "arabic_event_gsr_dev" / name
        if path.exists():
            with open(path, encoding="utf-8") as handle:
                texts["arabic event sentences"] += [row["text"] for row in csv.DictReader(handle)]
    return {key: value for key, value in texts.items() if value}


def baseline_find(gazetteer, text: str) -> list:
    """Raw matches, each given its most populous candidate."""
    from newsflow.text import fold_with_offsets

    folded, offsets = fold_with_offsets(text)
    spans = gazetteer._raw_spans(folded, text, offsets, all_names=True)
    population = gazetteer._columns["population"]
    return [gazetteer.place(max(span.candidates, key=lambda p: population[p])) for span in spans]


def run(label: str, find, texts: list[str]) -> None:
    started = time.perf_counter()
    mentions = [find(text) for text in texts]
    elapsed = time.perf_counter() - started
    count = sum(len(found) for found in mentions)
    countries = Counter(
        (m.place.country if hasattr(m, "place") else m.country) for found in mentions for m in found)
    print(f"  {label:<10} {len(texts) / elapsed:8.0f} texts/s {count / elapsed:9.0f} mentions/s "
          f"{count / len(texts):6.2f} mentions/text  top countries {countries.most_common(5)}")


def main() -> int:
    if not DEVDATA.exists():
        print(f"skipped: {DEVDATA} is absent (development data not available)")
        return 0
    from newsflow.places import Gazetteer, _cache_dir, _data_fingerprint

    path = _cache_dir() / f"gazetteer-{_data_fingerprint()}.pickle"
    if not path.exists():
        # Built in a child process so that the build's memory does not count.
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from newsflow.places import build_gazetteer; build_gazetteer()"],
                       check=True)
        print(f"index built in {time.perf_counter() - started:.1f} s -> {path}")
    before = resident_mb()
    started = time.perf_counter()
    gazetteer = Gazetteer.load(path)
    load_seconds = time.perf_counter() - started
    print(f"index file {path.stat().st_size / 1e6:.1f} MB; load {load_seconds:.3f} s "
          f"(goal < 0.5 s); resident {resident_mb():.0f} MB (+{resident_mb() - before:.0f} MB for the index, "
          f"goal < 150 MB)")

    for name, texts in load_texts().items():
        print(f"{name}: {len(texts)} texts")
        run("newsflow", gazetteer.find_places, texts)
        run("baseline", lambda text: baseline_find(gazetteer, text), texts)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
