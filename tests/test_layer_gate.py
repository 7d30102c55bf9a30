"""The per-page layer gate: a layer applies where the model predicts a gain, the body without it
costs no second trafilatura run, and the model file is validated on load."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from newsflow.articles import LAYERS, _extract, load_rules
from newsflow.config import ConfigError
from newsflow.layer_gate import (FEATURES, GATED_LAYERS, REMOVAL_FEATURES, REMOVAL_LAYERS, LayerGate, PageFacts,
                                 layer_features, load_gate, load_removal_gate, parse_gate)

STORY = [
    "The harbour authority closed the northern pier on Friday after storm waves cracked its concrete deck.",
    "Ferry crews moved their boats to the southern basin, where engineers checked the moorings overnight.",
    "Repairs are expected to take three weeks, and the authority has asked fishing crews to use the old slipway.",
]
SUMMARY = "Storm waves cracked the northern pier, and ferries moved south while engineers assess the damage."
URL = "https://harbour.example.net/pier"


def harbour_page() -> str:
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='description' content='{SUMMARY}'><title>Storm closes the northern pier</title></head><body>"
            f"<header><h1>Storm closes the northern pier</h1><div class='article-standfirst'>{SUMMARY}</div></header>"
            "<article>" + "".join(f"<p>{line}</p>" for line in STORY) + "<p>Advertisement</p></article></body></html>")


def gate(layers, bias: float, **weights) -> LayerGate:
    return LayerGate(layers=frozenset(layers), bias=bias, weights=weights)


def test_a_layer_the_gate_predicts_a_loss_for_is_left_off_that_page():
    rules = replace(load_rules(), layers=frozenset(LAYERS))
    applied = _extract(harbour_page(), URL, None, None, replace(rules, gate=gate(GATED_LAYERS, 1.0)))
    assert applied["text"].splitlines() == [SUMMARY, *STORY]
    # the standfirst alone predicted to lower the page's score: the rest stays as it was
    trace = {}
    gated = _extract(harbour_page(), URL, None, trace,
                     replace(rules, gate=gate(GATED_LAYERS, 1.0, **{"layer:standfirst": -2.0})))
    assert gated["text"].splitlines() == STORY
    seen = trace["gate"]["layers"]
    assert set(seen) == {"standfirst", "line_rules"} and trace["gate"]["full"] == applied["text"]
    assert seen["standfirst"]["gain"] == pytest.approx(-1.0) and seen["line_rules"]["gain"] == pytest.approx(1.0)
    assert seen["standfirst"]["without"].splitlines() == STORY
    assert seen["line_rules"]["without"].splitlines() == [SUMMARY, *STORY, "Advertisement"]
    # both predicted to lose: the body is composed once more without either
    both = _extract(harbour_page(), URL, None, None, replace(rules, gate=gate(GATED_LAYERS, -1.0)))
    assert both["text"].splitlines() == [*STORY, "Advertisement"]
    # a layer the gate does not decide applies wherever it fires
    undecided = _extract(harbour_page(), URL, None, None, replace(rules, gate=gate({"standfirst"}, -1.0)))
    assert undecided["text"].splitlines() == STORY


def test_the_features_describe_what_the_layer_changed():
    facts = PageFacts(descriptions=(frozenset(SUMMARY.casefold().replace(",", "").rstrip(".").split()),),
                      headlines=(frozenset("storm closes the northern pier".split()),), language="en")
    features = layer_features("standfirst", [SUMMARY, *STORY], STORY, facts, other_layers=1)
    assert set(features) <= set(FEATURES)
    assert features["description_overlap"] == 1.0 and features["at_start"] == 1.0 and features["at_end"] == 0.0
    assert features["words_removed_log"] == 0.0 and features["words_added_log"] > 0
    assert features["layer:standfirst"] == 1.0 and features["other_layers"] == 1.0 and features["lang_en"] == 1.0
    removed = layer_features("line_rules", STORY, [*STORY, "Advertisement"], replace(facts, language=None), 0)
    assert removed["at_end"] == 1.0 and removed["at_start"] == 0.0 and removed["description_overlap"] == 0.0
    assert removed["lang_undeclared"] == 1.0 and removed["words_added_log"] == 0.0
    assert 0 < removed["changed_share"] < 0.1
    # a line shortened in place (a trailing credit) still counts the words it lost
    credit = layer_features("credit_lines", ["The pier reopens in May."], ["The pier reopens in May. (Reuters)"], facts, 0)
    assert credit["words_removed_log"] == pytest.approx(math.log1p(1)) and credit["words_added_log"] == 0.0
    assert credit["changed_lines_log"] == pytest.approx(math.log1p(2))


def test_the_shipped_gate_loads_and_a_bad_one_is_named(tmp_path):
    shipped = load_gate()
    assert shipped.layers <= set(GATED_LAYERS) and set(shipped.weights) <= set(FEATURES)
    assert load_rules().gate == shipped
    good = {"layers": ["standfirst"], "bias": 0.5, "weights": {"changed_share": -1.0}}
    assert parse_gate(good, "gate").gain({"changed_share": 0.25}) == pytest.approx(0.25)
    for bad, message in (
        ({**good, "layers": ["boilerplate_elements"]}, r"layers: expected a list among"),
        ({**good, "bias": "high"}, r"bias: expected a number"),
        ({**good, "weights": {"share": 1.0}}, r"weights: unknown feature\(s\) share"),
        ({**good, "weights": {"changed_share": float("nan")}}, r"weights\.changed_share: expected a number"),
        ({"layers": []}, r"expected a mapping with layers, bias and weights"),
    ):
        with pytest.raises(ConfigError, match=message):
            parse_gate(bad, "gate")
    broken = tmp_path / "gate.json"
    broken.write_text(json.dumps({**good, "weights": {"changed_share": True}}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"gate\.json: weights\.changed_share: expected a number"):
        load_gate(str(broken))
    broken.write_text("{", encoding="utf-8")
    for path in (broken, tmp_path / "missing.json"):
        with pytest.raises(ConfigError, match=r"cannot read the extraction layer gate"):
            load_gate(str(path))


SITES = ["The old customs house on the quay", "The lighthouse keeper's cottage", "The net lofts above the slipway"]
MENU = ["Home", "Local news", "Sport", "Weather", "Letters"]


def harbour_walk_page() -> str:
    """A menu list before the story and a list of linked sites inside it, part of the story's text."""
    menu = "".join(f"<li><a href='/{i}'>{item}</a></li>" for i, item in enumerate(MENU))
    sites = "".join(f"<li><a href='/walk/{i}'>{site}</a>, restored in {1990 + i}</li>" for i, site in enumerate(SITES))
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>A walk round the harbour</title>"
            f"</head><body><div class='top'><ul>{menu}</ul></div><article><h1>A walk round the harbour</h1>"
            f"<p>{STORY[0]}</p><p>{STORY[1]}</p><p>The walk passes three buildings the society restored:</p>"
            f"<ul>{sites}</ul><p>{STORY[2]}</p></article></body></html>")


def test_the_removal_gate_keeps_a_list_inside_the_story_and_drops_a_menu():
    rules = replace(load_rules(), layers=frozenset(LAYERS), gate=None)
    url = "https://harbour.example.net/walk"
    # without the removal gate every candidate goes: the story's own list with the menu
    trace = {}
    every = _extract(harbour_walk_page(), url, None, trace, replace(rules, removal_gate=None))["text"]
    assert not any(site in every for site in SITES) and all(line in every for line in STORY)
    menu, story_list = [record["features"] for record in trace["removals"]]
    assert all(record["layer"] == "link_lists" and record["removed"] for record in trace["removals"])
    assert menu["story_around"] == 0.0 and menu["in_story"] == 0.0 and menu["link_density"] == 1.0
    assert menu["items_log"] == pytest.approx(math.log1p(len(MENU)))
    assert story_list["story_around"] > 0.3 and story_list["in_story"] == 1.0 and story_list["link_density"] < 1.0
    # a gate predicting a loss for removals from the middle of the story keeps the list there
    gate = LayerGate(layers=frozenset(REMOVAL_LAYERS), bias=1.0, weights={"story_around": -5.0})
    trace = {}
    gated = _extract(harbour_walk_page(), url, None, trace, replace(rules, removal_gate=gate))["text"]
    assert all(site in gated for site in SITES) and all(line in gated for line in STORY)
    assert not any(item in gated for item in MENU)
    assert [record["removed"] for record in trace["removals"]] == [True, False]
    # a layer the gate does not decide removes every candidate, as without a gate
    other = replace(gate, layers=frozenset({"boilerplate_elements"}))
    assert not any(site in _extract(harbour_walk_page(), url, None, None, replace(rules, removal_gate=other))["text"]
                   for site in SITES)


def test_the_shipped_removal_gate_loads_and_a_bad_one_is_named(tmp_path):
    shipped = load_removal_gate()
    assert shipped.layers <= set(REMOVAL_LAYERS) and set(shipped.weights) <= set(REMOVAL_FEATURES)
    assert load_rules().removal_gate == shipped
    bad = {"layers": ["standfirst"], "bias": 0.5, "weights": {}}
    with pytest.raises(ConfigError, match=r"layers: expected a list among boilerplate_elements, link_lists"):
        parse_gate(bad, "gate", REMOVAL_LAYERS, REMOVAL_FEATURES)
    broken = tmp_path / "removal.json"
    broken.write_text(json.dumps({"layers": ["link_lists"], "bias": 0.0, "weights": {"changed_share": 1.0}}),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"removal\.json: weights: unknown feature\(s\) changed_share"):
        load_removal_gate(str(broken))
    broken.write_text("[", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot read the extraction removal gate"):
        load_removal_gate(str(broken))
