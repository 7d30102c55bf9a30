"""Benchmark of actor country coding on the English PLOVER gold sentences.

Reads ``$NEWSFLOW_DEVDATA`` (default ``../shared/devdata`` next to the
project) at run time; nothing from it is stored in the project. For every
gold source actor (``source[].actorText`` and ``code``) of
``events/plover_gsr_dev/plover_gsr_dev.json``:

- **span country accuracy**: ``find_actors(sentence, "en")``, the mention that
  overlaps the gold actor's text most, and its country against the country part
  of the gold code (the first three letters; CAMEO's ``JAP``/``ITL`` read as ISO
  ``JPN``/``ITA``; ``IGO``, ``NGO``, ``IMG`` ... have no country, and a found
  mention without a country is right there). No overlapping mention is a miss.
- **event source country accuracy** (as users get it): the country of ``actor1``
  of the sentence's first event from ``extract_events`` against the countries of
  the gold source actors; a sentence without an event or actor1 is a miss.

The same span figure is printed for the gold target actors, which nothing was
tuned on, and for the source actors of the Arabic gold spans
(``arabic_event_gsr_dev/*_spans.json``) that the coders gave a country. Sentences are split into 5 folds by a hash of their id; each figure
is printed per fold with mean and spread. Rules and word lists were written
looking only at the misses of folds 0-3 (``--misses`` lists those); fold 4 is
held out and printed apart.

Run: ``.venv/bin/python bench/actors/run.py [--misses]``
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "include"))

FOLDS = 5
HELD_OUT = 4  # never looked at while writing rules or lists
# CAMEO country codes that differ from ISO 3166-1 alpha-3.
CAMEO_TO_ISO = {"JAP": "JPN", "ITL": "ITA", "UKG": "GBR", "GMY": "DEU", "ROM": "ROU"}
# CAMEO codes of actors that belong to no country.
NO_COUNTRY = frozenset({"IGO", "NGO", "IMG", "ISM", "MNC", "UIS", "REG", "WST", "AFR", "ASA",
                        "EUR", "MEA", "SAM", "NAF", "SAF", "WAF", "EAF", "CAS", "SEA", "NMR"})


def devdata_root() -> Path:
    return Path(os.environ.get("NEWSFLOW_DEVDATA") or ROOT.parent / "shared" / "devdata")


def fold_of(record_id: str) -> int:
    return int(hashlib.sha1(record_id.encode()).hexdigest(), 16) % FOLDS


def gold_country(code: str) -> str | None:
    head = (code or "")[:3].upper()
    if head in NO_COUNTRY:
        return None
    return CAMEO_TO_ISO.get(head, head)


def locate(text: str, actor_text: str) -> tuple[int, int] | None:
    """Span of the gold actor text in the sentence (as written, else ignoring case);
    gold texts with runs of spaces are squeezed first."""
    wanted = " ".join(actor_text.split())
    index = text.find(wanted)
    if index < 0:
        index = text.lower().find(wanted.lower())
    if index < 0:
        return None
    return index, index + len(wanted)


def overlapping(mentions, span: tuple[int, int]):
    start, end = span
    best, best_overlap = None, 0
    for mention in mentions:
        overlap = min(end, mention.end) - max(start, mention.start)
        if overlap > best_overlap:
            best, best_overlap = mention, overlap
    return best


def score_spans(records, role: str, find_actors) -> tuple[list[list[int]], list[dict], int]:
    """Per fold [correct, total] over the gold actors of `role`, the misses, and
    how many gold actors could not be located in their sentence."""
    per_fold = [[0, 0] for _ in range(FOLDS)]
    misses, unlocated = [], 0
    for record in records:
        actors = record.get(role)
        if not isinstance(actors, list):
            continue
        mentions = find_actors(record["text"], "en")
        fold = fold_of(record["id"])
        for actor in actors:
            span = locate(record["text"], actor["actorText"])
            if span is None:
                unlocated += 1
                continue
            expected = gold_country(actor["code"])
            mention = overlapping(mentions, span)
            right = mention is not None and mention.country == expected
            per_fold[fold][0] += right
            per_fold[fold][1] += 1
            if not right:
                misses.append({"fold": fold, "id": record["id"], "gold": actor["actorText"],
                               "code": actor["code"], "found": None if mention is None else
                               (mention.text, mention.code), "text": record["text"]})
    return per_fold, misses, unlocated


def score_events(records, extract_events) -> tuple[list[list[int]], list[dict]]:
    per_fold = [[0, 0] for _ in range(FOLDS)]
    misses = []
    for record in records:
        actors = record.get("source")
        if not isinstance(actors, list) or not actors:
            continue
        expected = {gold_country(a["code"]) for a in actors}
        events = extract_events(record["text"], "en")
        actor1 = events[0]["actor1"] if events else None
        right = actor1 is not None and actor1["country"] in expected
        fold = fold_of(record["id"])
        per_fold[fold][0] += right
        per_fold[fold][1] += 1
        if not right:
            misses.append({"fold": fold, "id": record["id"], "gold": [a["actorText"] for a in actors],
                           "code": [a["code"] for a in actors],
                           "found": actor1 and (actor1["text"], actor1["code"]), "text": record["text"]})
    return per_fold, misses


def score_arabic(folder: Path, find_actors) -> tuple[list[list[int]], list[dict]]:
    """Arabic gold spans (``*_spans.json``): each coder's source actor with a country
    (``source_role.main``; unlabelled ``None``/``UNKNOWN`` left out, ``IMG``/``IGO``/
    ``NGO``/``INT`` meaning no country), once per sentence and actor text, the
    coders' most common label; the mention overlapping the actor's words."""
    per_fold = [[0, 0] for _ in range(FOLDS)]
    misses = []
    for name in ("assault_spans.json", "protest_spans.json"):
        path = folder / name
        if not path.exists():
            continue
        for record in json.loads(path.read_text(encoding="utf-8")):
            labels: dict[str, list[str]] = {}
            for span in record.get("spans") or []:
                role = span.get("source_role")
                main = role.get("main") if isinstance(role, dict) else None
                words = span.get("source_actor") or []
                if words and main and main not in ("None", "UNKNOWN"):
                    labels.setdefault(" ".join(words), []).append(main)
            if not labels:
                continue
            text = record["text"]
            mentions = find_actors(text, "ar")
            fold = fold_of(record["source"])
            for actor_text, codes in labels.items():
                span = locate(text, actor_text)
                if span is None:
                    continue
                code = max(set(codes), key=codes.count)
                expected = None if code in ("INT",) else gold_country(code)
                mention = overlapping(mentions, span)
                right = mention is not None and mention.country == expected
                per_fold[fold][0] += right
                per_fold[fold][1] += 1
                if not right:
                    misses.append({"fold": fold, "id": record["source"], "gold": actor_text, "code": code,
                                   "found": None if mention is None else (mention.text, mention.code),
                                   "text": text})
    return per_fold, misses


def summary(label: str, per_fold: list[list[int]]) -> None:
    rates = [c / n for c, n in per_fold if n]
    correct = sum(c for c, _ in per_fold)
    total = sum(n for _, n in per_fold)
    tuned = [per_fold[f] for f in range(FOLDS) if f != HELD_OUT]
    tuned_rate = sum(c for c, _ in tuned) / max(1, sum(n for _, n in tuned))
    held_c, held_n = per_fold[HELD_OUT]
    print(f"  {label:<34} all {correct / max(1, total):.3f} ({correct}/{total})  "
          f"folds mean {statistics.mean(rates):.3f} sd {statistics.pstdev(rates):.3f}  "
          f"[{' '.join(f'{r:.2f}' for r in rates)}]  "
          f"folds 0-3 {tuned_rate:.3f}  held-out fold {HELD_OUT} {held_c / max(1, held_n):.3f} ({held_c}/{held_n})")


def main(argv: list[str]) -> int:
    path = devdata_root() / "events" / "plover_gsr_dev" / "plover_gsr_dev.json"
    if not path.exists():
        print(f"skipped: {path} is absent (development data not available)")
        return 0
    from newsflow.actors import find_actors
    from newsflow.events import extract_events

    records = json.loads(path.read_text(encoding="utf-8"))
    print(f"English PLOVER gold: {len(records)} sentences, {FOLDS} folds by id hash, fold {HELD_OUT} held out")
    sources, source_misses, unlocated = score_spans(records, "source", find_actors)
    summary("source span country accuracy", sources)
    targets, _, target_unlocated = score_spans(records, "target", find_actors)
    summary("target span country accuracy", targets)
    events, event_misses = score_events(records, extract_events)
    summary("event actor1 country accuracy", events)
    print(f"  gold actors not found verbatim in their sentence: {unlocated} source, {target_unlocated} target")
    arabic, arabic_misses = score_arabic(devdata_root() / "events" / "arabic_event_gsr_dev", find_actors)
    if sum(n for _, n in arabic):
        print("Arabic gold spans (coders' source_role.main):")
        summary("source span country accuracy", arabic)
    if "--misses" in argv:
        print("\nMisses of folds 0-3 (source spans, event actor1, Arabic source spans):")
        for miss in source_misses + event_misses + arabic_misses:
            if miss["fold"] != HELD_OUT:
                print(f"  [{miss['fold']}] {miss['id']} gold {miss['gold']!r} {miss['code']} "
                      f"found {miss['found']!r}\n      {miss['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
