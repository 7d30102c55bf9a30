"""Extraction benchmark: newsflow.articles against plain trafilatura, in the same run.

Data: the fundus dev pages in ``../shared/devdata/extraction/fundus`` (override the devdata
root with NEWSFLOW_DEVDATA) and the Al Jazeera pages of the replay fixtures
(``include/replay/manifest.json``).  Body metric as in ``devdata/README.md``: tokens
``re.findall(r"\\w+")``, multisets of 4-token shingles, precision and recall per document,
averaged, F1 from the averages.  Titles: exact match after collapsing whitespace.  Dates:
same calendar day (the truth's own day or its UTC day).  Speed: the two extractors alternate
page by page (taking turns at going first) and their total times are compared.

Run: ``.venv/bin/python bench/extraction/run.py``
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "include"))

# Publishers that are news agencies (wire services) among the dev pages, by fundus name.
WIRE_PUBLISHERS = ("Reuters", "APNews", "VoiceOfAmerica", "AnadoluAjansi", "AFPFaktencheck")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
LETTER = re.compile(r"[^\W\d_]")
ALJAZEERA_HOSTS = ("aljazeera.com", "aljazeera.net")


def devdata_root() -> Path:
    return Path(os.environ.get("NEWSFLOW_DEVDATA") or REPO.parent / "shared" / "devdata")


def shingles(text: str | None) -> Counter:
    tokens = re.findall(r"\w+", text or "")
    return Counter(tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3))


def precision_recall(predicted: str | None, truth: str) -> tuple[float, float]:
    pred, gold = shingles(predicted), shingles(truth)
    overlap = sum((pred & gold).values())
    precision = overlap / sum(pred.values()) if pred else (1.0 if not gold else 0.0)
    recall = overlap / sum(gold.values()) if gold else (1.0 if not pred else 0.0)
    return precision, recall


def prf(pairs: list[tuple[float, float]]) -> tuple[float, float, float]:
    if not pairs:
        return 0.0, 0.0, 0.0
    p = sum(x for x, _ in pairs) / len(pairs)
    r = sum(y for _, y in pairs) / len(pairs)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def same_title(predicted: str | None, truth: str | None) -> bool:
    squash = lambda s: " ".join((s or "").replace("\u200b", "").split())  # noqa: E731
    return bool(truth) and squash(predicted) == squash(truth)


def truth_days(value: str | None) -> set:
    if not value:
        return set()
    try:
        stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return {str(value)[:10]}
    days = {stamp.date().isoformat()}
    if stamp.tzinfo is not None:
        days.add(stamp.astimezone(timezone.utc).date().isoformat())
    return days


def predicted_day(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)[:10]


def is_arabic(text: str) -> bool:
    letters = LETTER.findall(text[:3000])
    return bool(letters) and len(ARABIC_LETTER.findall(text[:3000])) / len(letters) > 0.5


def load_fundus(root: Path) -> list[dict]:
    base = root / "extraction" / "fundus"
    index = json.loads((base / "index.json").read_text(encoding="utf-8"))
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for name in sorted(truth):
        meta = index.get(name, {})
        body = truth[name]["articleBody"]
        pages.append({
            "name": name, "url": meta.get("url"), "publisher": meta.get("publisher", ""),
            "html": gzip.decompress((base / "test_data" / name).read_bytes()), "headers": None,
            "body": body, "title": meta.get("title"), "date": meta.get("publishing_date"),
            "wire": meta.get("publisher") in WIRE_PUBLISHERS, "arabic": is_arabic(body),
        })
    return pages


def load_replay() -> list[dict]:
    manifest_path = REPO / "include" / "replay" / "manifest.json"
    if not manifest_path.exists():
        return []
    from newsflow.replay import fixture_path

    root = REPO / "include" / "replay"
    pages = []
    for entry in json.loads(manifest_path.read_text(encoding="utf-8"))["articles"]:
        host = re.sub(r"^https?://([^/]+)/.*$", r"\1", entry["url"])
        if entry.get("status", 200) != 200 or not host.endswith(ALJAZEERA_HOSTS):
            continue
        path = fixture_path(entry["url"], root, entry.get("phase", 1))
        if path is None or not path.is_file():
            continue
        sidecar = path.with_name(path.name + ".headers.json")
        headers = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.is_file() else None
        pages.append({"name": entry["url"], "url": entry["url"], "publisher": "AlJazeera", "html": path.read_bytes(),
                      "headers": headers, "body": entry["body"], "title": entry["title"],
                      "date": entry["published_at"], "kind": entry.get("kind", "article"),
                      "agencies": entry.get("agencies", []), "wire": False, "arabic": entry.get("language") == "ar"})
    return pages


def plain_page(page: dict) -> str:
    import trafilatura

    return trafilatura.extract(page["html"], url=page["url"]) or ""


def ours_page(page: dict) -> dict:
    from newsflow.articles import extract_article

    return extract_article(page["html"], url=page["url"], headers=page["headers"])


def run_both(pages: list[dict]) -> tuple[list[dict], list[dict], float, float]:
    """Both extractors page by page, taking turns at going first, so that a slow spell of the
    machine or a warm cache favours neither; returns results and each side's total seconds."""
    import trafilatura

    from newsflow.articles import warm_up

    warm_up()  # one-off start-up cost outside the clock: rules and the language models
    plain_page(pages[0]), ours_page(pages[0])  # imports and first-call caches outside the clock
    plain_results, ours_results, plain_time, ours_time = [], [], 0.0, 0.0
    for i, page in enumerate(pages):
        for side in ((0, 1) if i % 2 == 0 else (1, 0)):
            start = time.perf_counter()
            out = plain_page(page) if side == 0 else ours_page(page)
            elapsed = time.perf_counter() - start
            if side == 0:
                plain_time += elapsed
                text = out
            else:
                ours_time += elapsed
                ours = out
        meta = trafilatura.bare_extraction(page["html"], url=page["url"], with_metadata=True)  # not timed
        plain_results.append({"text": text, "title": getattr(meta, "title", None), "date": getattr(meta, "date", None)})
        ours_results.append({"text": ours["text"], "title": ours["title"], "date": ours["published_at"],
                             "kind": ours["kind"], "agencies": ours["agencies"], "error": ours["error"]})
    return plain_results, ours_results, plain_time, ours_time


def scores(pages: list[dict], results: list[dict], elapsed: float) -> dict:
    pairs = [precision_recall(r["text"], p["body"]) for p, r in zip(pages, results)]
    pick = lambda flag: [pr for pr, p in zip(pairs, pages) if p[flag]]  # noqa: E731
    titled = [(p, r) for p, r in zip(pages, results) if p["title"]]
    dated = [(p, r) for p, r in zip(pages, results) if p["date"]]
    return {
        "all": prf(pairs), "wire": prf(pick("wire")), "arabic": prf(pick("arabic")),
        "n_wire": len(pick("wire")), "n_arabic": len(pick("arabic")),
        "title": sum(same_title(r["title"], p["title"]) for p, r in titled) / max(1, len(titled)),
        "date": sum(predicted_day(r["date"]) in truth_days(p["date"]) for p, r in dated) / max(1, len(dated)),
        "pps": len(pages) / elapsed if elapsed else float("inf"),
        "exact": sum(r["text"] == p["body"] for p, r in zip(pages, results)) / max(1, len(pages)),
    }


def show(label: str, s: dict) -> None:
    print(f"  {label:<24} body P/R/F1 {s['all'][0]:.4f} {s['all'][1]:.4f} {s['all'][2]:.4f} | "
          f"wire ({s['n_wire']}) F1 {s['wire'][2]:.4f} | arabic ({s['n_arabic']}) F1 {s['arabic'][2]:.4f} | "
          f"title {s['title']:.3f} | date {s['date']:.3f} | {s['pps']:.1f} pages/s")


def title_split(pages: list[dict], results: list[dict]) -> None:
    """Title exact match apart for pages whose publisher has a title rule in sites.yaml and for
    the rest, where only the generic choice applies."""
    from newsflow.articles import load_rules, site_rules

    rules = load_rules()
    groups = {True: [], False: []}
    for page, result in zip(pages, results):
        if page["title"]:
            site = site_rules(page["url"], rules)
            groups[bool(site and site.title)].append(same_title(result["title"], page["title"]))
    for ruled, label in ((True, "publishers with a title rule"), (False, "generic title choice")):
        hits = groups[ruled]
        print(f"  title exact match, {label}: {sum(hits) / max(1, len(hits)):.3f} ({sum(hits)}/{len(hits)} pages)")


def goal(text: str, met: bool) -> bool:
    print(f"  [{'met' if met else 'NOT met'}] {text}")
    return met


def main() -> int:
    root = devdata_root()
    if not (root / "extraction" / "fundus" / "index.json").exists():
        print(f"skipped: dev data not found at {root} (set NEWSFLOW_DEVDATA)")
        return 0
    fundus = load_fundus(root)
    print(f"fundus dev pages: {len(fundus)}")
    plain_f, ours_f, plain_t, ours_t = run_both(fundus)
    plain, ours = scores(fundus, plain_f, plain_t), scores(fundus, ours_f, ours_t)
    show("plain trafilatura", plain)
    show("newsflow.articles", ours)
    title_split(fundus, ours_f)

    replay = load_replay()
    ours_r = None
    if replay:
        print(f"\nAl Jazeera replay fixtures: {len(replay)}")
        plain_r_res, ours_r_res, plain_r_t, ours_r_t = run_both(replay)
        plain_r, ours_r = scores(replay, plain_r_res, plain_r_t), scores(replay, ours_r_res, ours_r_t)
        show("plain trafilatura", plain_r)
        show("newsflow.articles", ours_r)
        print(f"  exact bodies: plain {plain_r['exact']:.3f}, ours {ours_r['exact']:.3f}")
        for page, result in zip(replay, ours_r_res):
            problems = [what for what, bad in (
                ("body", result["text"] != page["body"]), ("title", not same_title(result["title"], page["title"])),
                ("date", predicted_day(result["date"]) not in truth_days(page["date"])),
                ("kind", result["kind"] != page["kind"]), ("agencies", result["agencies"] != page["agencies"])) if bad]
            if problems:
                print(f"    differs ({', '.join(problems)}): {page['url']}")
    else:
        print("\nAl Jazeera replay fixtures: include/replay/manifest.json not found, skipped")

    print("\ngoals")
    met = [
        goal(f"body F1 >= plain + 0.02 overall ({ours['all'][2]:.4f} vs {plain['all'][2]:.4f})",
             ours["all"][2] >= plain["all"][2] + 0.02),
        goal(f"body F1 not below plain on wire publishers ({ours['wire'][2]:.4f} vs {plain['wire'][2]:.4f})",
             ours["wire"][2] >= plain["wire"][2]),
        goal(f"title exact match >= 0.95 (dev {ours['title']:.3f}"
             + (f", fixtures {ours_r['title']:.3f})" if ours_r else ")"), ours["title"] >= 0.95),
        goal(f"date day accuracy >= 0.95 (dev {ours['date']:.3f}"
             + (f", fixtures {ours_r['date']:.3f})" if ours_r else ")"), ours["date"] >= 0.95),
        goal(f"speed >= 0.8x plain ({ours['pps']:.1f} vs {plain['pps']:.1f} pages/s; total time plain/ours "
             f"{plain_t:.1f}/{ours_t:.1f} s = {plain_t / ours_t:.2f}x)", plain_t >= 0.8 * ours_t),
    ]
    if ours_r:
        met.append(goal(f"exact bodies on the Al Jazeera fixtures ({ours_r['exact']:.3f})", ours_r["exact"] == 1.0))
    print(f"\n{sum(met)}/{len(met)} goals met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
