"""The per-page layer gate (``newsflow.layer_gate``): trained and scored on 5 folds by site.

Every dev page is extracted once, traced: for each gated layer that changed the page, the trace
holds the layer's features and the body without it, so that each (page, layer) pair's gain (the
page's score with the layer minus without it) costs no second extraction.  A logistic model
predicts whether the gain is positive: pairs weighted by |gain| and by 1 / their set's pages (each
dev set counts the same, as in run.py), L2 strength chosen by an inner 4-fold split of the training
sites.  Per fold: trained on four folds' sites, applied to the fifth's.  Printed per set: plain
trafilatura, newsflow with every layer applied wherever it fires (the gate off), the gate held
out, the gate trained on every page (in-sample); pages below plain for each; per layer the pairs,
the held-out gain of the gate against applying the layer everywhere.

Layers whose held-out gain is not positive are left out of the shipped model (they apply wherever
they fire, as configured).  ``--write`` writes the model trained on every dev page to
``include/newsflow/data/extraction/layer_gate.json`` (the one command that retrains it).

Then the removal gate (``link_lists`` and ``boilerplate_elements``, per element, before trafilatura's
run): on every page where switching one of those layers off changes the score, each element it
removes (with words, not inside another removed one) is undone alone and the page read again;
the element's gain is the score with it removed minus kept.  The same logistic fit on 5 folds by
site; the shipped gate (``data/extraction/removal_gate.json``) decides only the layers whose folds'
gates gain held out and lose on no fold.  ``--removal-rows FILE`` keeps the scored elements.

Run: ``.venv/bin/python bench/extraction/layer_gate.py [--write] [--sets fundus,trafilatura_eval,readability]``
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402  (the dev sets, scorers and folds of the extraction benchmark)

from newsflow import articles  # noqa: E402  (run.py put include/ on the path)
from newsflow.layer_gate import (FEATURES, GATED_LAYERS, MODEL_PATH, REMOVAL_FEATURES, REMOVAL_LAYERS,  # noqa: E402
                                 REMOVAL_MODEL_PATH, LayerGate)

L2_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def traced_pages(sets: set) -> list[tuple[dict, dict]]:
    """Every page of the wanted sets, extracted once with a trace (the configured rules without a
    gate: every layer applies wherever it fires), with plain trafilatura's body next to it."""
    root = bench.devdata_root()
    loaders = {"fundus": lambda: bench.load_fundus(root), "trafilatura_eval": lambda: bench.load_trafilatura_eval(root),
               "readability": lambda: bench.load_readability(root), "replay": bench.load_replay}
    rules = untuned_rules()
    traced = []
    for name in [n for n in loaders if n in sets]:
        for page in loaders[name]():
            trace = {}
            try:
                text = articles._extract(page["html"], page["url"], page["headers"], trace, rules)["text"]
            except Exception:  # noqa: BLE001 - as extract_article: a page that fails has no body
                text = ""
            trace.update(text=text, plain_text=bench.plain_page(page))
            traced.append((page, trace))
    return traced


def untuned_rules():
    """The configured rules without either gate: every layer applies wherever it fires."""
    return replace(articles.load_rules(), gate=None, removal_gate=None)


def pairs_of(traced: list[tuple[dict, dict]]) -> list[dict]:
    """One row per (page, gated layer that changed it): features, gain, the page's set weight."""
    set_pages = Counter(page["set"] for page, _ in traced)
    rows = []
    for index, (page, trace) in enumerate(traced):
        gate = trace.get("gate")
        if not gate:
            continue
        full = bench.page_score(page, gate["full"])
        for layer, record in gate["layers"].items():
            rows.append({"page": index, "layer": layer, "features": record["features"],
                         "gain": full - bench.page_score(page, record["without"]),
                         "weight": 1 / set_pages[page["set"]], "fold": bench.fold_of(page)})
    return rows


def matrix(rows: list[dict], features: tuple = FEATURES) -> np.ndarray:
    return np.array([[row["features"].get(name, 0.0) for name in features] for row in rows], dtype=float)


def fit(rows: list[dict], l2: float, layers=GATED_LAYERS, features: tuple = FEATURES) -> LayerGate:
    """Weighted L2 logistic regression of ``gain > 0`` on standardised features (pairs whose gain is
    0 carry no weight), returned on the features' own scale."""
    from scipy.optimize import minimize

    rows = [row for row in rows if abs(row["gain"]) > 1e-9]
    if not rows:
        return LayerGate(layers=frozenset(layers), bias=1.0, weights={})
    x = matrix(rows, features)
    y = np.array([row["gain"] > 0 for row in rows], dtype=float)
    w = np.array([abs(row["gain"]) * row["weight"] for row in rows])
    w = w / w.mean()
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    z = (x - mu) / sd

    def loss(theta):
        margin = theta[0] + z @ theta[1:]
        p = 1 / (1 + np.exp(-margin))
        value = np.sum(w * (np.logaddexp(0, margin) - y * margin)) + 0.5 * l2 * np.sum(theta[1:] ** 2)
        grad_margin = w * (p - y)
        return value, np.concatenate([[grad_margin.sum()], z.T @ grad_margin + l2 * theta[1:]])

    theta = minimize(loss, np.zeros(z.shape[1] + 1), jac=True, method="L-BFGS-B").x
    beta = theta[1:] / sd
    return LayerGate(layers=frozenset(layers), bias=float(theta[0] - np.sum(beta * mu)),
                     weights={name: float(b) for name, b in zip(features, beta) if abs(b) > 1e-12})


def decided_gain(gate: LayerGate, rows: list[dict]) -> float:
    """Weighted gain of the layers the gate applies minus that of applying them everywhere."""
    return sum(row["weight"] * row["gain"] * ((gate.gain(row["features"]) > 0) - 1)
               for row in rows if row["layer"] in gate.layers)


def choose(rows: list[dict], layers: tuple = GATED_LAYERS, features: tuple = FEATURES) -> LayerGate:
    """The gate for ``rows``' sites: the L2 strength with the best gain on an inner split of their
    sites by fold (ties to the stronger penalty), and the layers whose gate gains on that split
    (the others apply wherever they fire); then trained on all of ``rows``."""
    folds = sorted({row["fold"] for row in rows})
    best = None
    for l2 in L2_GRID:
        per_layer = Counter()
        for fold in folds:
            gate = fit([row for row in rows if row["fold"] != fold], l2, layers, features)
            for layer in layers:
                per_layer[layer] += decided_gain(gate, [r for r in rows if r["fold"] == fold and r["layer"] == layer])
        key = (round(sum(per_layer.values()), 9), l2)
        if best is None or key > best[0]:
            best = (key, l2, [layer for layer in layers if per_layer[layer] > 1e-9])
    _, l2, kept = best
    return replace(fit(rows, l2, layers, features), layers=frozenset(kept)), l2


def gated_text(page: dict, trace: dict, gate: LayerGate | None) -> str:
    """The page's body under ``gate`` (None: every layer applied), from the trace where it holds it."""
    record = trace.get("gate")
    if not record:
        return trace["text"]
    rejected = [layer for layer, seen in record["layers"].items()
                if gate is not None and layer in gate.layers and gate.gain(seen["features"]) <= 0]
    if not rejected:
        return record["full"]
    if len(rejected) == 1:
        return record["layers"][rejected[0]]["without"]
    return bench.extract_with(page, replace(articles.load_rules(), gate=gate))


def fold_gates(rows: list[dict]) -> dict:
    """The gate each fold chooses and trains on the other four; per layer its pairs (gain above /
    below 0), the held-out gain of the folds' gates over applying the layer everywhere, and the
    pages where it was not applied."""
    gates, l2s = {}, []
    for fold in range(bench.FOLDS):
        gates[fold], l2 = choose([row for row in rows if row["fold"] != fold])
        l2s.append(l2)
    print(f"  L2 chosen per fold {l2s}")
    print(f"  {'layer':<15} {'pairs':>5} {'+':>4} {'-':>4} | folds gating it | held-out gain of the gate over "
          f"always applying (sets weighted the same), per fold")
    for layer in GATED_LAYERS:
        part = [row for row in rows if row["layer"] == layer]
        per_fold = [decided_gain(gates[f], [r for r in part if r["fold"] == f]) for f in range(bench.FOLDS)]
        rejected = sum(layer in gates[row["fold"]].layers and gates[row["fold"]].gain(row["features"]) <= 0
                       for row in part)
        print(f"  {layer:<15} {len(part):>5} {sum(r['gain'] > 1e-9 for r in part):>4} "
              f"{sum(r['gain'] < -1e-9 for r in part):>4} | {sum(layer in g.layers for g in gates.values())}/"
              f"{bench.FOLDS} | {sum(per_fold):+.5f} [{', '.join(f'{g:+.5f}' for g in per_fold)}]; "
              f"not applied on {rejected} pages")
    return gates


def held_out(traced: list[tuple[dict, dict]]) -> dict:
    """run.py's view: the folds' gates, the per-set figures next to the configured gate's."""
    gates = fold_gates(pairs_of(traced))
    report(traced, gates, articles.load_rules().gate, "configured gate")
    return gates


def report(traced: list[tuple[dict, dict]], held: dict, in_sample: LayerGate, label: str) -> None:
    """Per set: plain, every layer applied, the gate held out, the gate in-sample; pages below plain."""
    columns = {"plain": lambda p, t: t["plain_text"], "every layer": lambda p, t: gated_text(p, t, None),
               "gate held out": lambda p, t: gated_text(p, t, held[bench.fold_of(p)]),
               label: lambda p, t: gated_text(p, t, in_sample)}
    texts = {name: [make(page, trace) for page, trace in traced] for name, make in columns.items()}
    print(f"  {'set':<17} {'pages':>5} | " + " | ".join(f"{name:>22}" for name in columns))
    below_rows = {}
    for name in ("fundus", "trafilatura_eval", "readability", "replay"):
        idx = [i for i, (page, _) in enumerate(traced) if page["set"] == name]
        if not idx:
            continue
        pages = [traced[i][0] for i in idx]
        cells = []
        for column in columns:
            folds = []
            for fold in range(bench.FOLDS):
                part = [i for i in idx if bench.fold_of(traced[i][0]) == fold]
                if part:
                    folds.append(bench.set_f1([traced[i][0] for i in part], [texts[column][i] for i in part]))
            figure = bench.set_f1(pages, [texts[column][i] for i in idx])
            below = [i for i in idx if bench.page_score(traced[i][0], texts[column][i])
                     < bench.page_score(traced[i][0], texts["plain"][i]) - 1e-9]
            below_rows.setdefault(column, []).extend(below)
            cells.append(f"{figure:.4f} ±{bench.spread(folds):.3f}" + ("" if column == "plain" else f" ({len(below)}<)"))
        print(f"  {name:<17} {len(idx):>5} | " + " | ".join(f"{cell:>22}" for cell in cells))
    print("  (a cell: the set's figure, ± the spread of its five folds' figures, (n<): pages below plain)")
    before, after = set(below_rows["every layer"]), set(below_rows["gate held out"])
    for label, part in (("below plain with every layer, not with the gate held out", before - after),
                        ("below plain with the gate held out, not with every layer", after - before)):
        print(f"  {label}: {len(part)}")
        for i in sorted(part, key=lambda i: (traced[i][0]["set"], traced[i][0]["name"])):
            page, trace = traced[i]
            plain = bench.page_score(page, texts["plain"][i])
            print(f"    {page['set']} {page['name']}: plain {plain:.3f}, every layer "
                  f"{bench.page_score(page, texts['every layer'][i]):.3f}, "
                  f"gate {bench.page_score(page, texts['gate held out'][i]):.3f}")


def flipped_score(page: dict, rules, layer: str, key: str) -> float:
    """The page's score with one removal decision turned round (that element kept, or removed)."""
    try:
        text = articles._extract(page["html"], page["url"], page["headers"], {"flip_removal": (layer, key)},
                                 rules)["text"]
    except Exception:  # noqa: BLE001 - as extract_article
        text = ""
    return bench.page_score(page, text)


def removal_rows(traced: list[tuple[dict, dict]], rules, changed) -> list[dict]:
    """One row per element a removal layer found (trace ``removals``) on a page where
    ``changed(page, trace, layer)``: its features and the gain of removing it (the page's score
    with it removed minus kept, the page's other decisions as traced), the set weight and fold.
    Each element costs one extraction, so only pages where the layer matters are read again."""
    set_pages = Counter(page["set"] for page, _ in traced)
    rows = []
    for index, (page, trace) in enumerate(traced):
        score = None
        for layer in REMOVAL_LAYERS:
            found = [record for record in trace.get("removals", ()) if record["layer"] == layer]
            if not found or not changed(page, trace, layer):
                continue
            score = bench.page_score(page, trace["text"]) if score is None else score
            removed = [record["key"] + "/" for record in found if record["removed"]]
            for record in found:
                if record["features"]["words_log"] == 0 or any(record["key"].startswith(k) for k in removed):
                    continue  # no words, or inside an element removed anyway: switching it changes nothing
                other = flipped_score(page, rules, layer, record["key"])
                rows.append({"page": index, "layer": layer, "features": record["features"],
                             "gain": (score - other) if record["removed"] else (other - score),
                             "weight": 1 / set_pages[page["set"]], "fold": bench.fold_of(page)})
    print(f"  {len(rows)} elements with words on the pages where a removal layer changes the score")
    return rows


def layer_changes_score(rules):
    """``changed`` for ``removal_rows``: the page's score differs with the layer switched off."""
    def changed(page: dict, trace: dict, layer: str) -> bool:
        off = trace.setdefault("off", {})
        if layer not in off:
            off[layer] = bench.page_score(page, bench.extract_with(page, replace(rules, layers=rules.layers - {layer})))
        return abs(off[layer] - bench.page_score(page, trace["text"])) > 1e-9
    return changed


def removal_decisions(trace: dict, gate: LayerGate | None) -> list[bool]:
    """Whether ``gate`` removes each element the trace recorded (every one without a gate)."""
    return [gate is None or record["layer"] not in gate.layers or gate.gain(record["features"]) > 0
            for record in trace.get("removals", ())]


def removal_folds(rows: list[dict]) -> tuple[dict, set]:
    """The removal gate each fold chooses and trains on the other four; per layer its elements
    (gain above / below 0) and the held-out gain over removing every element.  Returns the folds'
    gates and the layers whose gate held out gains in total and loses on no fold (the only ones
    the shipped gate may decide: a removal layer pays on average, its gate must not cost it)."""
    gates, l2s, holding = {}, [], set()
    for fold in range(bench.FOLDS):
        gates[fold], l2 = choose([row for row in rows if row["fold"] != fold], REMOVAL_LAYERS, REMOVAL_FEATURES)
        l2s.append(l2)
    print(f"  L2 chosen per fold {l2s}")
    for layer in REMOVAL_LAYERS:
        part = [row for row in rows if row["layer"] == layer]
        per_fold = [decided_gain(gates[f], [r for r in part if r["fold"] == f]) for f in range(bench.FOLDS)]
        kept = sum(layer in gates[row["fold"]].layers and gates[row["fold"]].gain(row["features"]) <= 0 for row in part)
        if sum(per_fold) > 1e-9 and min(per_fold) >= -1e-9:
            holding.add(layer)
        print(f"  {layer:<21} {len(part):>5} elements ({sum(r['gain'] > 1e-9 for r in part)} gain, "
              f"{sum(r['gain'] < -1e-9 for r in part)} lose) | folds gating it "
              f"{sum(layer in g.layers for g in gates.values())}/{bench.FOLDS} | held-out gain over removing "
              f"every element {sum(per_fold):+.5f} [{', '.join(f'{g:+.5f}' for g in per_fold)}]; kept {kept} elements")
    return gates, holding


def removal_held_out(traced: list[tuple[dict, dict]]) -> dict:
    """run.py's view: elements scored on the pages where a removal layer changes the score (its
    layer folds' reads, ``on`` / ``off``) or where the configured gate kept an element; the folds'
    gates, each deciding only the layers that the shipped gate may decide."""
    rules = articles.load_rules()

    def changed(page: dict, trace: dict, layer: str) -> bool:
        kept = any(not record["removed"] for record in trace.get("removals", ()) if record["layer"] == layer)
        return kept or abs(trace.get("on", {}).get(layer, 0.0) - trace.get("off", {}).get(layer, 0.0)) > 1e-9

    gates, holding = removal_folds(removal_rows(traced, rules, changed))
    # as shipped: a fold's gate decides only the layers whose gates held out (none on the dev sets)
    return {fold: replace(gate, layers=gate.layers & holding) for fold, gate in gates.items()}


def removal_report(traced: list[tuple[dict, dict]], rules, held: dict, in_sample: LayerGate) -> None:
    """Per set: plain, every element removed, the removal gate held out and in-sample; pages below plain."""
    def text(page, trace, gate):
        if removal_decisions(trace, gate) == [record["removed"] for record in trace.get("removals", ())]:
            return trace["text"]
        return bench.extract_with(page, replace(rules, removal_gate=gate))

    columns = {"plain": lambda p, t: t["plain_text"], "every element": lambda p, t: t["text"],
               "gate held out": lambda p, t: text(p, t, held[bench.fold_of(p)]),
               "gate in-sample": lambda p, t: text(p, t, in_sample)}
    texts = {name: [make(page, trace) for page, trace in traced] for name, make in columns.items()}
    print(f"  {'set':<17} {'pages':>5} | " + " | ".join(f"{name:>22}" for name in columns))
    for name in ("fundus", "trafilatura_eval", "readability", "replay"):
        idx = [i for i, (page, _) in enumerate(traced) if page["set"] == name]
        if not idx:
            continue
        cells = []
        for column in columns:
            folds = [bench.set_f1([traced[i][0] for i in part], [texts[column][i] for i in part])
                     for part in ([i for i in idx if bench.fold_of(traced[i][0]) == f] for f in range(bench.FOLDS)) if part]
            figure = bench.set_f1([traced[i][0] for i in idx], [texts[column][i] for i in idx])
            below = sum(bench.page_score(traced[i][0], texts[column][i])
                        < bench.page_score(traced[i][0], texts["plain"][i]) - 1e-9 for i in idx)
            cells.append(f"{figure:.4f} ±{bench.spread(folds):.3f}" + ("" if column == "plain" else f" ({below}<)"))
        print(f"  {name:<17} {len(idx):>5} | " + " | ".join(f"{cell:>22}" for cell in cells))
    for i, (page, trace) in enumerate(traced):
        every, held_score = (bench.page_score(page, texts[c][i]) for c in ("every element", "gate held out"))
        if abs(every - held_score) > 1e-9:
            print(f"    {page['set']} {page['name']}: plain {bench.page_score(page, texts['plain'][i]):.3f}, "
                  f"every element {every:.3f}, gate held out {held_score:.3f}")


def write_model(gate: LayerGate, l2: float, pages: int, pairs: int, removal: bool = False) -> None:
    features, layers = (REMOVAL_FEATURES, REMOVAL_LAYERS) if removal else (FEATURES, GATED_LAYERS)
    about = ("newsflow extraction removal gate: logistic weights over an element a removal layer would take out "
             "before trafilatura's run (newsflow.layer_gate.REMOVAL_FEATURES); the element is removed where bias + "
             "weights . features > 0" if removal else
             "newsflow extraction layer gate: logistic weights over what a gated layer changed on a page "
             "(newsflow.layer_gate.FEATURES); the layer applies where bias + weights . features > 0")
    document = {
        "about": about + "; written by bench/extraction/layer_gate.py --write from the dev sets",
        "trained_on": {"pages": pages, "elements" if removal else "pairs": pairs, "l2": l2},
        "layers": sorted(gate.layers, key=layers.index),
        "bias": round(gate.bias, 6),
        "weights": {name: round(gate.weights[name], 6) for name in features if name in gate.weights},
    }
    path = REMOVAL_MODEL_PATH if removal else MODEL_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"written: {path}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="fundus,trafilatura_eval,readability,replay")
    parser.add_argument("--write", action="store_true", help="write the models trained on every dev page")
    parser.add_argument("--removal-rows", metavar="FILE", help="keep the removal gate's scored elements in FILE "
                        "(read from it when it exists: the slow part, for trying features)")
    args = parser.parse_args()
    if not (bench.devdata_root() / "extraction" / "fundus" / "index.json").exists():
        print(f"skipped: dev data not found at {bench.devdata_root()} (set NEWSFLOW_DEVDATA)")
        return 0
    traced = traced_pages(set(args.sets.split(",")))
    rows = pairs_of(traced)
    print(f"{len(traced)} pages, {len(rows)} (page, gated layer) pairs; 5 folds by site")
    held = fold_gates(rows)
    in_sample, l2 = choose(rows)
    kept = sorted(in_sample.layers, key=GATED_LAYERS.index)
    print(f"\nper set (in-sample gate: trained on every page, L2 {l2}, gated layers {kept})")
    report(traced, held, in_sample, "gate in-sample")
    if args.write:
        write_model(in_sample, l2, len(traced), len(rows))

    print("\nthe removal gate (boilerplate_elements, link_lists per element, before trafilatura's run), 5 folds by site")
    rules = untuned_rules()
    cache = Path(args.removal_rows) if args.removal_rows else None
    if cache is not None and cache.exists():
        removals = json.loads(cache.read_text(encoding="utf-8"))
    else:
        removals = removal_rows(traced, rules, layer_changes_score(rules))
        if cache is not None:
            cache.write_text(json.dumps(removals), encoding="utf-8")
    held_removal, holding = removal_folds(removals)
    in_sample_removal, l2 = choose(removals, REMOVAL_LAYERS, REMOVAL_FEATURES)
    print(f"  in-sample: L2 {l2}, gated on the inner split {sorted(in_sample_removal.layers)}, held out without a "
          f"loss {sorted(holding)}: the shipped gate decides {sorted(in_sample_removal.layers & holding) or 'none'}")
    removal_report(traced, rules, held_removal, in_sample_removal)
    if args.write:
        write_model(replace(in_sample_removal, layers=in_sample_removal.layers & holding), l2, len(traced),
                    len(removals), removal=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
