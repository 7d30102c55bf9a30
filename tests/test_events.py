"""Actor coding and PLOVER event extraction (newsflow.actors, newsflow.events)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from newsflow import actors as actors_module
from newsflow import events as events_module
from newsflow.events import lexicon as lexicon_module
from newsflow.events.clause_words import TOKEN, token_profiles
from newsflow.events.document import Document
from newsflow.actors import ActorDataError, find_actors
from newsflow.config import load_event_policy
from newsflow.events import (LEGACY_TYPES, PLOVER_TYPES, coded_mentions, events_batch, extract_events,
                             load_event_lexicon)

FIXTURES = Path(__file__).parent / "fixtures"
SEED = Path(__file__).resolve().parents[1] / ".." / "shared" / "seeds" / "000_3c51288ea4cd26af.txt"
PUBLISHED = datetime(2024, 12, 2, 9, 0)  # Monday
CUT = load_event_policy().cut  # events (is_event) from this confidence on


@pytest.fixture(scope="module")
def fixture_events() -> list[dict]:
    text = (FIXTURES / "events_ar.txt").read_text(encoding="utf-8")
    return extract_events(text, "ar", PUBLISHED)


def _find(events, event_type, *, trigger_words=(), sentence_words=()):
    """Events of a type whose sentence holds every word in `sentence_words`."""
    return [
        e for e in events
        if e["event_type"] == event_type
        and all(w in e["sentence"] for w in sentence_words)
        and all(w in e["trigger"] for w in trigger_words)
    ]


# --- actors ---------------------------------------------------------------------

@pytest.mark.parametrize("text, language, expected", [
    ("قوات المعارضة السورية", "ar", "SYRREB"),
    ("هيئة تحرير الشام", "ar", "SYRREB"),
    ("إدارة العمليات العسكرية", "ar", "SYRREB"),
    ("الجيش السوري", "ar", "SYRMIL"),
    ("والحكومة السورية", "ar", "SYRGOV"),
    ("للجيش الروسي", "ar", "RUSMIL"),
    ("مجلس الأمن", "ar", "IGOUNO"),
    ("حلف شمال الأطلسي", "ar", "IGONAT"),
    ("Syrian rebels", "en", "SYRREB"),
    ("Russian forces", "en", "RUSMIL"),
    ("Poland's parliament", "en", "POLLEG"),
    ("the European Union", "en", "IGOEUR"),
    ("NATO", "en", "IGONAT"),
])
def test_actor_codes(text, language, expected):
    mentions = find_actors(text, language)
    assert [m.code for m in mentions] == [expected]
    mention = mentions[0]
    assert text[mention.start:mention.end] == mention.text


def test_actor_offsets_and_coordination_in_arabic():
    text = "ودعت الولايات المتحدة وألمانيا وفرنسا إلى التهدئة"
    mentions = find_actors(text, "ar")
    assert [m.code for m in mentions] == ["USAGOV", "DEUGOV", "FRAGOV"]
    assert [m.text for m in mentions] == ["الولايات المتحدة", "ألمانيا", "فرنسا"]


def test_acronyms_match_case_sensitively():
    assert [m.code for m in find_actors("The WHO warned the US", "en")] == ["IGOWHO", "USAGOV"]
    assert find_actors("who told us about it", "en") == []


def test_country_used_as_a_place_is_not_an_actor():
    assert find_actors("Demonstrators gathered in Moscow", "en")[0].sector == "CVL"
    assert [m.code for m in find_actors("اجتمع الوزراء في سوريا", "ar")] == ["GOV"]


def test_invalid_actor_data_is_reported_clearly(monkeypatch):
    def broken(name):
        return {"actors": [{"code": "SYRXXX", "country": "SYR", "sector": "NOPE", "en": ["x"]}]}

    monkeypatch.setattr(actors_module, "_read_yaml", broken)
    with pytest.raises(ActorDataError, match="unknown sector 'NOPE'"):
        actors_module._load_named({"ar": [], "en": []})


# --- lexicon ----------------------------------------------------------------

def test_lexicon_covers_all_plover_types_in_both_languages():
    lexicon = load_event_lexicon()
    for language in ("ar", "en"):
        types = {entry.event_type for _, entry in lexicon["triggers"][language]}
        assert types == set(PLOVER_TYPES), language
    assert LEGACY_TYPES["FIGHT"] == "ASSAULT" and LEGACY_TYPES["DEMAND"] == "REQUEST"


def test_invalid_event_data_is_reported_clearly(monkeypatch, tmp_path):
    bad = tmp_path / "plover.yaml"
    bad.write_text("types:\n  ASSAULT:\n    modes: [aerial]\n    triggers:\n      - mode: naval\n        en: [x]\n")

    class FakeFiles:
        def __truediv__(self, other):
            return self

        def read_text(self, encoding="utf-8"):
            return bad.read_text(encoding=encoding)

    monkeypatch.setattr(lexicon_module.resources, "files", lambda package: FakeFiles())
    with pytest.raises(events_module.EventDataError, match="missing types"):
        load_event_lexicon()


# --- events from the Arabic fixture ------------------------------------------

def test_fixture_prison_seizure_and_release(fixture_events):
    seized = _find(fixture_events, "COERCE", sentence_words=("سجن حلب",))
    released = _find(fixture_events, "RETREAT", sentence_words=("سجن حلب",))
    assert seized and released
    for event in seized + released:
        assert event["actor1"]["country"] == "SYR" and event["actor1"]["sector"] in ("REB", "OPP")
        assert event["location"]["name"] == "Aleppo" and event["location"]["country"] == "SY"
        assert event["event_date"] == "2024-12-02"
        assert event["is_root"] is True
    assert seized[0]["mode"] == "seize" and released[0]["mode"] == "release"


def test_fixture_villages_seized_in_aleppo_governorate(fixture_events):
    (event,) = _find(fixture_events, "COERCE", sentence_words=("الجوبة",))
    assert event["location"]["country"] == "SY" and event["location"]["admin1"] == "Aleppo"
    assert event["actor1"]["code"] == "SYRREB"
    assert event["actor2"] is None or event["actor2"]["code"] != "SYRGOV"  # "شمالي سوريا" is a place


def test_fixture_drone_strike_in_qamhana(fixture_events):
    (event,) = _find(fixture_events, "ASSAULT", sentence_words=("قمحانة",))
    assert event["mode"] == "drone"
    assert event["location"]["name"] == "Qamhana"
    assert event["location"]["admin1"] == "Hama" and event["location"]["precision"] == "village"
    assert event["actor1"]["code"] == "SYRREB"
    assert event["actor2"]["country"] == "SYR"


def test_fixture_entering_aleppo_friday_and_idlib_saturday(fixture_events):
    (entered,) = _find(fixture_events, "COERCE", sentence_words=("دخلت", "الجمعة"))
    assert entered["event_date"] == "2024-11-29" and entered["location"]["name"] == "Aleppo"
    (idlib,) = _find(fixture_events, "COERCE", sentence_words=("السبت", "إدلب"))
    assert idlib["event_date"] == "2024-11-30"
    assert idlib["location"]["admin1"] == "Idlib" and idlib["location"]["precision"] == "admin1"
    assert idlib["actor1"]["sector"] == "REB"


def test_fixture_russian_air_strikes_on_aleppo_and_negation(fixture_events):
    strikes = _find(fixture_events, "ASSAULT", sentence_words=("غارات",))
    assert len(strikes) == 1
    assert strikes[0]["mode"] == "aerial" and strikes[0]["actor1"]["code"] == "RUSMIL"
    assert strikes[0]["location"]["name"] == "Aleppo"
    # "ولم تقصف ..." is negated: no event from that sentence.
    assert not [e for e in fixture_events if "ولم تقصف" in e["sentence"]]


def test_fixture_western_call_for_de_escalation_is_request(fixture_events):
    calls = _find(fixture_events, "REQUEST", sentence_words=("خفض التصعيد",))
    assert {e["actor1"]["code"] for e in calls} == {"USAGOV", "FRAGOV", "DEUGOV", "GBRGOV"}
    for event in calls:
        assert event["event_date"] == "2024-12-01"
        assert event["location"]["country"] == "SY"
    assert not _find(fixture_events, "CONSULT", sentence_words=("خفض التصعيد",))


def test_fixture_has_no_place_outside_syria_and_consistent_spans(fixture_events):
    text = (FIXTURES / "events_ar.txt").read_text(encoding="utf-8")
    assert fixture_events
    for event in fixture_events:
        assert event["location"] is None or event["location"]["country"] == "SY"
        assert text[event["sentence_start"]:event["sentence_end"]] == event["sentence"]
        assert event["trigger"] in event["sentence"]
        assert 0.0 <= event["confidence"] <= 1.0
        assert event["event_type"] in PLOVER_TYPES
        assert event["language"] == "ar"
    # The headline and the section heading are not coded as events.
    assert all("تقتحم سجن" not in e["sentence"] for e in fixture_events)


# --- English ------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected_type, source, target", [
    ("Russian warplanes bombed rebel positions near Idlib on Sunday.", "ASSAULT", "RUSMIL", "REB"),
    ("Syrian rebels captured the town of Saraqib on Saturday.", "COERCE", "SYRREB", None),
    ("The United Nations called for an immediate ceasefire in Syria.", "REQUEST", "IGOUNO", None),
    ("Turkey rejected a Russian proposal for talks.", "REJECT", "TURGOV", "RUS"),
    ("Thousands of students protested in Cairo against the government.", "PROTEST", "CVL", "GOV"),
    ("Three soldiers were killed by militants in northern Iraq.", "ASSAULT", "REB", "MIL"),
    ("Iran threatened to close the Strait of Hormuz.", "THREATEN", "IRNGOV", None),
    ("Israel said it would withdraw its troops from Lebanon.", "AGREE", "ISRGOV", None),
])
def test_english_event_types_and_roles(sentence, expected_type, source, target):
    events = extract_events(sentence, "en", PUBLISHED)
    assert events, sentence
    top = events[0]  # the primary (first) event of the sentence
    assert top["event_type"] == expected_type
    assert top["actor1"] is not None and top["actor1"]["code"].endswith(source)
    if target is not None:
        assert top["actor2"] is not None and top["actor2"]["code"].endswith(target)


def test_unpunctuated_single_sentence_is_coded():
    events = extract_events("Police arrested dozens of protesters in Cairo", "en")
    assert events and events[0]["event_type"] == "COERCE" and events[0]["is_root"] is True


def test_english_negation_suppresses_event():
    assert not [e for e in extract_events("The army did not attack the town.", "en") if e["event_type"] == "ASSAULT"]


@pytest.mark.parametrize("text, language", [
    ("قصفت الطائرات الروسية حلب.\nوسيطرت قوات المعارضة على ريف-إدلب\nوحماة أمس، واعتقلت الشرطة-العسكرية عشرة.", "ar"),
    ("Russian jets struck Aleppo.\nRebel fighters seized Idlib--then Hama's\noutskirts on Saturday; security forces-arrested ten.", "en"),
])
def test_document_finds_what_each_stage_finds_in_the_text_alone(text, language):
    """Pieces of text joined by line breaks or hyphens fold to several pieces: the
    document still finds each stage's words, places and date rules where the stage
    alone does."""
    from newsflow.dates import rules_in
    from newsflow.places import get_gazetteer
    from newsflow.text import fold_with_offsets

    doc = Document(text, language, None)
    folded, offsets = fold_with_offsets(text)
    assert doc.folded == folded and list(doc.offsets) == list(offsets)
    atoms = events_module.get_event_lexicon().matchers[language].scan(text)
    triggers = actors_module.longest_non_overlapping(
        a for a in atoms if isinstance(a.payload, events_module.TriggerEntry))
    assert doc.triggers and doc.triggers == triggers
    actor_words = actors_module.longest_non_overlapping(
        a for a in atoms if isinstance(a.payload, actors_module.ActorEntry))
    assert doc.actor_words == {(a.start, a.end) for a in actor_words}
    assert any(" " in doc.folded[a.fstart:a.fend] for a in actor_words)  # a phrase among them
    places = [(m.start, m.end, m.place.name) for m in get_gazetteer().find_places(text, language)]
    assert len(places) >= 3 and [(m.start, m.end, m.place.name) for m in doc.places] == places
    found_rules = []
    for sentence in doc.sentences:
        start, end = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
        found_rules.append(rules_in(doc.folded[start:end], language == "ar"))
        assert found_rules[-1] <= doc.date_rules(start, end)
    assert any(found_rules)
    if language == "ar":
        starts, flags = doc.clause_tokens()
        profiles = token_profiles(events_module.get_event_lexicon().clauses)
        expected = [(m.start(), profiles[m.group()]) for m in TOKEN.finditer(doc.folded)]
        assert list(zip(starts, flags)) == expected and any(flags)


def test_unsupported_language_and_empty_text():
    assert extract_events("", "ar") == []
    assert extract_events("Les manifestants ont défilé à Paris.", "fr") == []


# --- batch ---------------------------------------------------------------------

def test_events_batch_keeps_going_after_a_bad_line():
    lines = [
        json.dumps({"id": "a", "text": "قصفت طائرات روسية مدينة حلب أمس.", "language": "ar",
                    "published_at": "2024-12-02T08:00:00+00:00"}),
        "{not json",
        json.dumps({"id": "c", "text": 42}),
        json.dumps({"id": "d", "text": "Police arrested 12 protesters in Baghdad.", "language": "en"}),
    ]
    results = list(events_batch(lines, candidates=True))
    assert [r["id"] for r in results] == ["a", None, "c", "d"]
    assert results[0]["error"] is None and results[0]["events"][0]["event_type"] == "ASSAULT"
    assert results[0]["events"][0]["event_date"] == "2024-12-01"
    assert results[1]["error"] and results[2]["error"]
    assert results[3]["events"][0]["event_type"] == "COERCE"


def test_default_batch_emits_events_and_candidates_add_the_rest():
    text = ("Police arrested 12 protesters in Baghdad on Monday, officials said. "
            "The resolution adopted in 2015 calls for talks between the parties. "
            "Rebels may attack the town if the talks fail.")
    line = json.dumps({"id": "a", "text": text, "language": "en", "published_at": "2024-12-02T08:00:00+00:00"})
    (default,) = events_batch([line])
    (everything,) = events_batch([line], candidates=True)
    assert default["events"] and all(e["is_event"] and e["confidence"] >= CUT for e in default["events"])
    below = [e for e in everything["events"] if not e["is_event"]]
    assert below and all(e["confidence"] < CUT for e in below)
    assert [e for e in everything["events"] if e["is_event"]] == default["events"]
    # extract_events itself returns every mention with its flag: the warehouse keeps candidates too.
    assert all(e["is_event"] == (e["confidence"] >= CUT) for e in extract_events(text, "en", PUBLISHED))


def test_cli_candidates_flag_adds_mentions_below_the_cut(tmp_path):
    import subprocess
    import sys

    text = "Rebels may attack the town if the talks fail. Police arrested 12 protesters in Baghdad on Monday."
    batch = tmp_path / "in.jsonl"
    batch.write_text(json.dumps({"id": "x", "text": text, "language": "en"}) + "\n", encoding="utf-8")
    runs = {}
    for flags in ((), ("--candidates",)):
        done = subprocess.run([sys.executable, "-m", "newsflow.cli", "events", "--batch", str(batch), *flags],
                              capture_output=True, text=True, check=True)
        runs[flags] = json.loads(done.stdout.splitlines()[0])["events"]
    assert all(e["is_event"] for e in runs[()])
    assert len(runs[("--candidates",)]) > len(runs[()])


# --- the confidence model -----------------------------------------------------

def test_confidence_model_loads_from_its_data_file_and_rejects_a_bad_one(tmp_path):
    model = events_module.load_confidence_model()
    assert model.weights and model.scale > 0
    bad = tmp_path / "confidence.json"
    bad.write_text(json.dumps({"weights": {"type:ASSAULT": "high"}, "bias": 0, "platt": {"scale": 1, "shift": 0}}))
    with pytest.raises(events_module.EventDataError, match="finite numbers"):
        events_module.load_confidence_model(bad)
    bad.write_text(json.dumps({"weights": {}, "bias": 0}))
    with pytest.raises(events_module.EventDataError, match="platt"):
        events_module.load_confidence_model(bad)


def test_confidence_is_monotone_in_evidence():
    """Evidence of a report never lowers a confidence, evidence against one never raises it:
    the shipped weights keep their signs, and adding evidence to a mention moves it the right way."""
    model = events_module.load_confidence_model()
    for name in ("evidence:source", "evidence:target", "evidence:place", "clause:predicate", "clause:time",
                 "clause:count"):
        assert model.weights.get(name, 0.0) >= 0.0, name
    for name in ("evidence:hedged", "clause:reference", "clause:irrealis", "clause:figurative", "clause:cumulative"):
        assert model.weights.get(name, 0.0) <= 0.0, name
    assert model.weights["clause:predicate"] > 0 and model.weights["clause:irrealis"] < 0
    base = {"type:ASSAULT", "lang_type:ar:ASSAULT", "clause:predicate"}
    assert model.confidence(base | {"clause:time"}) > model.confidence(base)
    assert model.confidence(base | {"clause:time", "clause:count"}) > model.confidence(base | {"clause:time"})
    assert model.confidence(base | {"clause:irrealis"}) < model.confidence(base)
    # End to end: the same report with a time is more confident than without one.
    assert _best_confidence("قصفت طائرات روسية مدينة حلب أمس.", "ASSAULT") \
        > _best_confidence("قصفت طائرات روسية مدينة حلب.", "ASSAULT")


# --- word sense and tense --------------------------------------------------------

@pytest.mark.parametrize("text, language, trigger_type", [
    ("Arsenal beat Chelsea 2-1 in the league match on Sunday.", "en", "ASSAULT"),       # sports "beat"
    ("The coach said the rushing attack won the cup final.", "en", "ASSAULT"),
    ("Both teams will meet again in the tournament semifinal.", "en", "CONSULT"),
    ("The rally is planned for March 3 in the capital.", "en", None),                 # the month
    ("Elections were held in March and the results came in April.", "en", "PROTEST"),
    ("The ministry did not respond to a request for comment.", "en", "REQUEST"),
    ("The company released a statement on Monday.", "en", "RETREAT"),
    ("The mother won custody of her children after the hearing.", "en", "COERCE"),
    ("He works for a consulting firm in Dubai.", "en", "CONSULT"),
    ("وارتفعت صادرات النفط إلى الصين خلال الشهر الماضي.", "ar", "COERCE"),             # exports
    ("واحتلت الجامعة المرتبة الأولى في التصنيف العربي.", "ar", "COERCE"),              # ranked first
    ("ورسم الفنان لوحة كبيرة للمدينة القديمة.", "ar", "THREATEN"),                    # a tableau
    ("وأكد المتحدث على الطبيعة السلمية للمسيرة.", "ar", "RETREAT"),
    ("ويسعى الفريق إلى تحقيق النصر في الموسم المقبل.", "ar", "ACCUSE"),               # achieving
    # a standing state of control is no seizure
    ("The valley has been under the control of the militia since the last war.", "en", "COERCE"),
    ("Most of the border crossings remain under the control of the army.", "en", "COERCE"),
    ("ووصلت القافلة إلى القرى الخاضعة لسيطرة الجيش في الريف الشمالي.", "ar", "COERCE"),
    # ... with words between the verb of the state and "تحت سيطرة" / "under the control of"
    ("وتقع القرية منذ ثلاث سنوات تحت سيطرة الفصائل المسلحة.", "ar", "COERCE"),
    ("ويقع المعبر الحدودي حاليا تحت سيطرة قوات النظام.", "ar", "COERCE"),
    ("وتخضع البلدة الساحلية منذ الصيف لسيطرة الجيش.", "ar", "COERCE"),
    ("The old port still remains firmly under the control of the navy.", "en", "COERCE"),
    # more senses met on news never seen in development
    ("The statement, released by the mayor's office, gave no new figures.", "en", "RETREAT"),
    ("He later set up a consulting business that advises city councils.", "en", "CONSULT"),
    ("A family court gave the father custody of the girl in June.", "en", "COERCE"),
    ("The pair have been fighting over custody of their son for a year.", "en", "ASSAULT"),
    ("The home side beat the league leaders with a late goal from the substitute.", "en", "ASSAULT"),
    ("وتسعى الشركة إلى تحقيق أرباح أعلى خلال العام المقبل.", "ar", "ACCUSE"),        # achieving
    ("وحقق المنتخب فوزا مهما على ضيفه مساء أمس.", "ar", "ACCUSE"),
    ("The twins were left in the custody of their grandmother after the flood.", "en", "COERCE"),
    ("The consulting giant hired two hundred graduates this autumn.", "en", "CONSULT"),
    ("ودعا الحزب إلى تحسين الأوضاع الاجتماعية في الأرياف.", "ar", "CONSULT"),      # social, no meeting
    # talks to come are no talks held
    ("New talks are scheduled to open in Cairo on Sunday.", "en", "CONSULT"),
    ("The meeting, scheduled for Thursday, was postponed again.", "en", "CONSULT"),
])
def test_other_senses_are_no_events(text, language, trigger_type):
    coded = extract_events(text, language, PUBLISHED)
    if trigger_type is None:
        assert not [e for e in coded if "march" in e["trigger"].lower()]
    else:
        assert not [e for e in coded if e["event_type"] == trigger_type]


def test_strike_in_a_text_about_attacks_is_an_attack():
    text = ("Russian warplanes carried out air strikes on Idlib on Monday. "
            "Syrian jets also struck the town of Sarmin, killing four people.")
    coded = extract_events(text, "en", PUBLISHED)
    assert not [e for e in coded if e["event_type"] == "PROTEST"]
    assert [e for e in coded if e["event_type"] == "ASSAULT" and e["trigger"] == "struck"]
    # Without a word of attack in the text, a strike stays a strike of workers.
    strike = extract_events("Dock workers went on strike in Antwerp on Monday over pay.", "en", PUBLISHED)
    assert [e for e in strike if e["event_type"] == "PROTEST"]


@pytest.mark.parametrize("text, language, event_type", [
    ("Hezbollah said the attack was a warning over repeated Israeli violations of the ceasefire.", "en", "RETREAT"),
    ("وقال الحزب إن القصف جاء ردا على الخروقات الإسرائيلية المتكررة لاتفاق وقف إطلاق النار.", "ar", "RETREAT"),
    ("وأعلنت وزارة الصحة ارتفاع عدد الضحايا.", "ar", "CONSULT"),
    ("Video shared by opposition fighters shows detainees leaving the prison.", "en", "COOPERATE"),
])
def test_references_and_names_are_no_acts(text, language, event_type):
    assert not [e for e in extract_events(text, language, PUBLISHED) if e["event_type"] == event_type]


def test_the_senses_leave_the_acts_themselves():
    assert [e for e in extract_events("Thousands of protesters marched through the capital.", "en", PUBLISHED)
            if e["event_type"] == "PROTEST"]
    assert [e for e in extract_events("Gunmen beat a journalist outside his home in Mosul.", "en", PUBLISHED)
            if e["event_type"] == "ASSAULT"]
    assert [e for e in extract_events("وصادرت الشرطة أسلحة من المنزل.", "ar", PUBLISHED) if e["event_type"] == "COERCE"]
    # taking control is an act: "fell under the control of" stays a seizure
    assert [e for e in extract_events("The valley fell under the control of the militia on Sunday.", "en", PUBLISHED)
            if e["event_type"] == "COERCE"]
    assert [e for e in extract_events("وسقطت القرية يوم السبت تحت سيطرة الفصائل المسلحة.", "ar", PUBLISHED)
            if e["event_type"] == "COERCE"]
    # an investigation named with what it looks into, its opening or its committee
    for text in ("وفتحت النيابة تحقيقا في أسباب انهيار الجسر.", "وشكل البرلمان لجنة تحقيق في صفقة السلاح.",
                 "وقالت الشرطة إنها تحقق في ملابسات الحادث."):
        assert [e for e in extract_events(text, "ar", PUBLISHED) if e["event_type"] == "ACCUSE"], text
    # custody by the police stays an arrest, a strike of workers and a visit outside sports stay acts
    assert [e for e in extract_events("Police took the two suspects into custody on Sunday.", "en", PUBLISHED)
            if e["event_type"] == "COERCE"]
    assert [e for e in extract_events("The foreign minister is visiting Cairo for talks on the border.", "en",
                                      PUBLISHED) if e["event_type"] == "CONSULT"]


def test_habitual_statement_is_less_confident_than_a_report():
    report = _confidence_of("In the village gunmen end up attacking teachers.", "en", "ASSAULT")
    habitual = _confidence_of("In the village gunmen usually end up attacking teachers.", "en", "ASSAULT")
    assert habitual < report


@pytest.mark.parametrize("text, language, event_type", [
    ("Gunmen often attacked teachers in the village.", "en", "ASSAULT"),
    ("Aid workers are routinely detained at the checkpoint.", "en", "COERCE"),
    ("Local reporters are frequently the target of threats.", "en", "ASSAULT"),
    ("وكثيرا ما اعتقلت الشرطة الطلاب في الجامعة.", "ar", "COERCE"),
])
def test_a_habit_word_right_before_the_trigger_makes_no_event(text, language, event_type):
    assert not [e for e in extract_events(text, language, PUBLISHED) if e["event_type"] == event_type]
    # the same sentence without the habit word reports an act
    bare = text.replace(" often", "").replace(" routinely", "").replace(" frequently", "").replace("وكثيرا ما ", "و")
    assert [e for e in extract_events(bare, language, PUBLISHED) if e["event_type"] == event_type]


def test_an_act_told_in_a_relative_clause_with_its_year_keeps_that_year():
    text = "The militia, which seized the airport in 2019, has since lost most of its fighters."
    seized = [e for e in extract_events(text, "en", PUBLISHED) if e["event_type"] == "COERCE"]
    assert seized and all(e["event_date"] is None for e in seized)
    text = "وقصفت الطائرات أمس البلدة التي سيطرت عليها المعارضة عام 2016."
    coded = extract_events(text, "ar", PUBLISHED)
    assert [e for e in coded if e["event_type"] == "COERCE" and e["event_date"] is None]
    # the act of the main clause keeps its day: the year dates only what the relative clause tells
    assert [e for e in coded if e["event_type"] == "ASSAULT" and e["event_date"] == "2024-12-01"]
    # the act the relative clause describes: "the shooting, which ... in 2018"
    text = "The shooting, which left nine dead at a school in 2018, is still being heard in court."
    assert [e for e in extract_events(text, "en", PUBLISHED) if e["event_type"] == "ASSAULT"
            and e["event_date"] is None]
    text = "Rebels, who first took up arms in 2011, attacked an army post on Sunday."
    assert [e for e in extract_events(text, "en", PUBLISHED) if e["event_type"] == "ASSAULT"
            and e["event_date"] == "2024-12-01"]


def test_background_act_of_an_earlier_year_is_not_dated_on_the_publication_day():
    text = "وكان مجلس الأمن قد دعا عام 2015 إلى إجراء محادثات سلام بين الطرفين."
    requests = [e for e in extract_events(text, "ar", PUBLISHED) if e["event_type"] == "REQUEST"]
    assert requests and all(e["event_date"] is None and e["date_precision"] == "unknown" for e in requests)
    # "سنة" (year) as well as "عام": the marker is read in the folded text, where ة is ه.
    text = "وكان مجلس الأمن قد دعا سنة 2015 إلى إجراء محادثات سلام بين الطرفين."
    requests = [e for e in extract_events(text, "ar", PUBLISHED) if e["event_type"] == "REQUEST"]
    assert requests and all(e["event_date"] is None and e["date_precision"] == "unknown" for e in requests)
    # A year as a start ("since 2016") does not date the act: it stays on its day.
    text = "وشنت الطائرات غارات على المدينة أمس لأول مرة منذ عام 2016."
    strikes = [e for e in extract_events(text, "ar", PUBLISHED) if e["event_type"] == "ASSAULT"]
    assert strikes and strikes[0]["event_date"] == "2024-12-01"


def _confidence_of(text: str, language: str, event_type: str) -> float:
    return max(e["confidence"] for e in extract_events(text, language, PUBLISHED) if e["event_type"] == event_type)


@pytest.mark.parametrize("data, message", [
    ("contexts:\n  sports:\n    words: {en: [match]}\n", "contexts.sports"),
    ("not_acts:\n  en: [request for comment, 3]\n", "not_acts.en"),
    ("states:\n  gap: -1\n  verbs: {en: [remains]}\n", "states: .*gap"),
    ("states:\n  verb: {en: [remains]}\n", "states: expected"),
    ("states:\n  verbs: {en: [remains, 2]}\n", "states.verbs.en"),
])
def test_senses_data_is_validated(tmp_path, data, message):
    bad = tmp_path / "senses.yaml"
    bad.write_text(data, encoding="utf-8")
    with pytest.raises(events_module.EventDataError, match=message):
        events_module.load_senses(bad)


def test_senses_data_as_shipped():
    assert events_module.load_senses()["en"]["months"] == frozenset({"march"})
    states = events_module.load_senses()["ar"]["states"]
    assert "تحت" in states.frames and states.gap >= 1


def test_grammar_and_clause_word_lists_are_data_validated_on_load(tmp_path):
    """Every word list of the coder is a data file: a list that YAML reads as something else
    (an unquoted "on" is a boolean) or a missing list is an error naming the file and the list."""
    grammar = events_module.load_grammar()
    assert "on" in grammar["roles"]["prepositions"]["en"] and grammar["irregular_past"]["strike"] == ("struck",)
    source = (Path(events_module.__file__).parent.parent / "data" / "events" / "grammar.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "grammar.yaml"
    bad.write_text(source.replace('"on"', "on"), encoding="utf-8")
    with pytest.raises(events_module.EventDataError, match="roles.prepositions.en"):
        events_module.load_grammar(bad)
    bad.write_text(source.replace("places:", "elsewhere:"), encoding="utf-8")
    with pytest.raises(events_module.EventDataError, match="grammar.yaml: expected the sections"):
        events_module.load_grammar(bad)
    assert events_module.load_clause_words().dawn == frozenset({"فجر"})
    bad = tmp_path / "clauses.yaml"
    bad.write_text("ar:\n  relative: [الذي]\n", encoding="utf-8")
    with pytest.raises(events_module.EventDataError, match="missing lists .*casualties"):
        events_module.load_clause_words(bad)


def test_coder_version_covers_every_module_of_the_event_package():
    from newsflow.source import SOURCE_DIR, source_digests

    digests = source_digests()
    package = {f"events/{path.name}" for path in (SOURCE_DIR / "events").glob("*.py")}
    assert {"events/coder.py", "events/roles.py", "events/__init__.py"} <= package <= set(digests)
    assert {"text", "dates", "places", "actors"} <= set(digests)


# --- roles ----------------------------------------------------------------------

def test_subject_before_the_verb_is_the_source_and_the_actor_after_it_the_target():
    (strike,) = [e for e in extract_events("الجيش السوري قصف المعارضة في إدلب أمس.", "ar", PUBLISHED)
                 if e["event_type"] == "ASSAULT"]
    assert strike["actor1"]["code"] == "SYRMIL" and strike["actor2"]["code"] == "SYROPP"
    # Verb first, the subject after it, still reads as before.
    (strike,) = [e for e in extract_events("قصفت روسيا مواقع المعارضة في إدلب أمس.", "ar", PUBLISHED)
                 if e["event_type"] == "ASSAULT"]
    assert strike["actor1"]["code"].startswith("RUS")


def test_coordinated_subjects_before_the_verb_are_each_a_source():
    arrests = [e for e in extract_events("الجيش والشرطة اعتقلوا 20 مسلحا في الموصل.", "ar", PUBLISHED)
               if e["event_type"] == "COERCE"]
    assert {e["actor1"]["sector"] for e in arrests} == {"MIL", "COP"}


@pytest.mark.parametrize("text, source, target", [
    ("Syria says it is willing to withdraw its troops from Lebanon.", "Syria", None),
    ("Croatia is investigating alleged war crimes against Serb civilians.", "Croatia", "Serb civilians"),
    ("Two soldiers were shot near the border.", None, "soldiers"),
])
def test_english_passive_needs_a_participle(text, source, target):
    first = extract_events(text, "en", PUBLISHED)[0]
    assert (first["actor1"] or {}).get("text") == source
    if target:
        assert (first["actor2"] or {}).get("text") == target


@pytest.mark.parametrize("text, country", [
    ("British Defence Secretary Tom King has promised to continue military aid to Mozambique.", "GBR"),
    ("Russian aircraft including helicopter gunships killed 46 civilians in a village near Herat.", "RUS"),
])
def test_a_title_or_a_whole_before_the_subject_gives_its_country(text, country):
    first = extract_events(text, "en", PUBLISHED)[0]
    assert first["actor1"]["country"] == country


@pytest.mark.parametrize("text, language", [
    ("Israeli troops shot two Palestinian protesters near Nablus, Palestinian officials said.", "en"),
    ("Rebels attacked the town, according to the army.", "en"),
    ("Gunmen stormed the village, police said on Monday.", "en"),
    ("قصفت الطائرات البلدة أمس بحسب الجيش.", "ar"),
])
def test_a_reporting_actor_is_never_the_target(text, language):
    coded = extract_events(text, language, PUBLISHED)
    assert coded
    for event in coded:
        target = (event["actor2"] or {}).get("text") or ""
        assert not any(word in target for word in ("officials", "army", "police", "الجيش")), event


# --- the real seed article (only where the shared seeds exist) ---------------

@pytest.mark.skipif(not SEED.exists(), reason="shared seed article not available")
def test_seed_article_events():
    events = extract_events(SEED.read_text(encoding="utf-8"), None, PUBLISHED)
    assert all(e["location"] is None or e["location"]["country"] == "SY" for e in events)

    def one(event_type, **where):
        found = [e for e in events if e["event_type"] == event_type
                 and all(getattr_location(e, k) == v for k, v in where.items())]
        assert found, (event_type, where)
        return found

    prison = one("COERCE", name="Aleppo")
    assert any(e["is_root"] and e["event_date"] == "2024-12-02" for e in prison)
    assert one("RETREAT", name="Aleppo")[0]["mode"] == "release"
    assert any(e["location"]["precision"] == "village" for e in one("COERCE", admin1="Aleppo"))
    drone = one("ASSAULT", name="Qamhana")
    assert drone[0]["mode"] == "drone" and drone[0]["location"]["admin1"] == "Hama"
    assert any(e["event_date"] == "2024-11-29" for e in one("COERCE", name="Aleppo"))
    assert any(e["event_date"] == "2024-11-30" for e in one("COERCE", admin1="Idlib"))
    air = [e for e in one("ASSAULT", name="Aleppo") if e["mode"] == "aerial"]
    assert air and air[0]["actor1"]["country"] == "RUS"
    calls = [e for e in events if e["event_type"] == "REQUEST" and e["event_date"] == "2024-12-01"]
    assert {e["actor1"]["code"] for e in calls} >= {"USAGOV", "DEUGOV", "FRAGOV", "GBRGOV"}


def getattr_location(event, key):
    return (event["location"] or {}).get(key)


# --- coordinated subjects -------------------------------------------------------

def _pairs(events, event_type):
    return sorted(((e["actor1"] or {}).get("code"), (e["actor2"] or {}).get("code"))
                  for e in events if e["event_type"] == event_type)


@pytest.mark.parametrize("text, language, expected", [
    # Co-actors of the subject are sources, one event each; nothing after the trigger is an actor.
    ("Turkish and Iraqi army helicopters shelled the village of Sinjar on Monday.", "en",
     [("IRQMIL", None), ("TURMIL", None)]),
    ("Jordanian and Egyptian warplanes bombed positions near the border on Sunday.", "en",
     [("EGYMIL", None), ("JORMIL", None)]),
    # The target comes from after the trigger ("against").
    ("French and British troops launched attacks against Houthi rebels.", "en",
     [("FRAMIL", "YEMREB"), ("GBRMIL", "YEMREB")]),
    # Arabic: adjectives after the head noun, joined by و with or without the article.
    ("قصفت الطائرات التركية والعراقية قرية سنجار يوم الاثنين.", "ar", [("IRQMIL", None), ("TURMIL", None)]),
    ("شنت طائرات أردنية ومصرية غارات على مواقع قرب الحدود.", "ar", [("EGYMIL", None), ("JORMIL", None)]),
    ("قصفت الطائرات الحربية التركية والعراقية مواقع في جبل سنجار.", "ar", [("IRQMIL", None), ("TURMIL", None)]),
])
def test_coordinated_subject_is_never_the_target(text, language, expected):
    pairs = _pairs(extract_events(text, language, PUBLISHED), "ASSAULT")
    assert pairs == expected


def test_lone_country_adjective_shares_the_coordinated_head_noun():
    en = {a.text: a.code for a in find_actors("Turkish and Iraqi army helicopters", "en")}
    assert en == {"Turkish": "TURMIL", "Iraqi army helicopters": "IRQMIL"}
    ar = {a.text: a.code for a in find_actors("الطائرات الحربية التركية والعراقية", "ar")}
    assert sorted(ar.values()) == ["IRQMIL", "TURMIL"]
    # Not coordinated with the phrase: "a Turkish plan" stays the country itself.
    assert find_actors("a Turkish plan and Iraqi troops", "en")[0].code == "TUR"


# --- Arabic clause structure: a realised act, or a mention of one --------------

def _best_confidence(text: str, event_type: str) -> float:
    return max((e["confidence"] for e in extract_events(text, "ar", PUBLISHED) if e["event_type"] == event_type),
               default=0.0)

# Clause readings that tell a mention of an act from its report (the model weighs them; the
# tests of the reading itself look at the features, not at the learned weights).
AGAINST_REPORT = {"clause:reference", "clause:irrealis", "clause:generic", "clause:figurative", "clause:cumulative"}


def _reads_as_report(text: str, event_type: str) -> bool:
    """Some mention of the type is the predicate of its clause with nothing against a report."""
    return any(e["event_type"] == event_type and "clause:predicate" in e["features"]
               and not AGAINST_REPORT & set(e["features"]) for e in coded_mentions(text, "ar", PUBLISHED))


@pytest.mark.parametrize("text", [
    # A finite attack verb with a time and victims.
    "اغتال مسلحون مجهولون صباح أمس ضابطا في الشرطة قرب سوق المدينة.",
    # A noun made to happen by its verb, with a toll.
    "وقال مصدر في الشرطة إن سيارة مفخخة انفجرت مساء الثلاثاء قرب محطة الحافلات مما أدى إلى مقتل خمسة أشخاص.",
    # Victims as the predicate, the attack as their cause.
    "قتل تسعة جنود وأصيب أربعة آخرون أمس في هجوم على نقطة تفتيش.",
    # A suicide bomber opening the reported clause, then his verb.
    "وقالت الشرطة إن انتحاريا فجر نفسه صباح اليوم عند مدخل السوق المركزي.",
    # "قتل" as the verb: after its subject, coordinated with another harm.
    "وقال البيان إن أحد عناصر الحماية الخاصة قتل وجرح ثلاثة آخرون.",
    # Victims counted as the object of the act.
    "واختطف مسلحون 4 مهندسين على الطريق إلى المطار.",
    # "the first since" singles one act out; it counts nothing.
    "ونفذت الطائرات غارة على المعسكر مساء الأحد هي الأولى من نوعها منذ عام 2010.",
    # A death with its cause: the cause word is no reference to an earlier act.
    "وأعلن الجيش مقتل جندي إثر انفجار لغم أرضي قرب الحدود.",
])
def test_realised_arabic_attack_is_confident(text):
    assert _reads_as_report(text, "ASSAULT")


@pytest.mark.parametrize("text", [
    # Verbal criticism.
    "وشن النائب هجوما حادا على الحكومة بسبب قرار رفع الأسعار.",
    # The attack as the object of a condemnation, told elsewhere.
    "وأدانت الوزارة الهجوم الذي وقع في العاصمة.",
    # A plan, not an act.
    "وقالت الشرطة إن الخلية كانت تخطط لتنفيذ هجمات على مراكز تجارية.",
    # A statistic.
    "وتراجع عدد الهجمات في المنطقة خلال العام الماضي.",
    # "فجر" before a day is dawn, not a detonation.
    "واعتقلت الشرطة رجلين خلال محاولتهما إطلاق صواريخ فجر السبت.",
    # The toll belongs to a relative clause about an act told elsewhere.
    "وطالبت العائلات بتعويضات عن الاعتداء الذي خلف 30 قتيلا.",
    # Verbal nouns in construct with a noun head.
    "وارتكبت العصابات جرائم قتل وخطف في المنطقة.",
    # Verbal attack.
    "وشن الوزير هجوما قويا على خصومه في البرلمان.",
])
def test_mentioned_arabic_attack_is_not_confident(text):
    assert _best_confidence(text, "ASSAULT") < CUT


def test_arabic_protest_needs_a_happening_not_its_policing():
    assert _reads_as_report("تظاهر أمس مئات الطلاب أمام مبنى الوزارة للمطالبة بزيادة المنح.", "PROTEST")
    assert _best_confidence("ومنعت الشرطة مظاهرة دعت إليها أحزاب المعارضة.", "PROTEST") < CUT


def test_finite_verb_forms_are_marked_in_the_lexicon():
    triggers = dict((form, entry) for form, entry in load_event_lexicon()["triggers"]["ar"])
    assert triggers["اغتالوا"].finite and not triggers["اغتيال"].finite
    assert load_event_lexicon()["clauses"].relative


@pytest.mark.parametrize("text", [
    "وتجمع مئات المحتجين أمام مقر البرلمان.",
    "وخرج صباح أمس آلاف من المتظاهرين إلى شوارع العاصمة.",
])
def test_counted_arabic_crowd_is_a_protest(text):
    assert _reads_as_report(text, "PROTEST")


def test_counted_crowd_under_policing_is_not_a_protest():
    assert _best_confidence("وفرقت الشرطة آلافا من المتظاهرين أمام البرلمان.", "PROTEST") < CUT


@pytest.mark.parametrize("text, event_type", [
    # The clause opens with the verb; its subject follows a phrase of time or place.
    ("ووقعت صباح اليوم اشتباكات عنيفة في السوق القديم.", "ASSAULT"),
    ("واندلعت في شوارع المدينة مظاهرات غاضبة مساء الجمعة.", "PROTEST"),
    # "منذ" with a time of day dates the act; it does not count acts since then.
    ("وتدفق آلاف المحتجين على الساحة الرئيسية منذ الصباح الباكر.", "PROTEST"),
    # Slogans chanted against someone.
    ("ورددوا هتافات مناهضة للحكومة أمام مبنى الوزارة أمس.", "PROTEST"),
])
def test_postponed_subjects_and_slogans_are_reports(text, event_type):
    assert _reads_as_report(text, event_type)


def test_acts_counted_since_a_year_are_not_one_report():
    assert _best_confidence("وشن الطيران الحربي منذ عام 2015 مئات الغارات على المنطقة.", "ASSAULT") < CUT


def test_one_victim_as_the_object_of_the_verb_is_specific():
    assert _reads_as_report("وقالت الشرطة إن مسلحين قتلوا شرطيا عند الحاجز.", "ASSAULT")


def test_attack_told_on_a_source_word_is_more_confident():
    bare = _best_confidence("وهاجم مسلحون نقطة تفتيش للجيش.", "ASSAULT")
    attributed = _best_confidence("وقال مصدر عسكري إن مسلحين هاجموا نقطة تفتيش للجيش.", "ASSAULT")
    assert attributed > bare
    assert _reads_as_report("وقال مصدر عسكري إن مسلحين هاجموا نقطة تفتيش للجيش.", "ASSAULT")


def test_attack_named_deep_in_a_long_sentence_is_less_confident():
    lead = "قتل مسلحون خمسة جنود أمس عند حاجز على طريق المطار."
    buried = ("وأكد الوزير في كلمة طويلة ألقاها أمام أعضاء البرلمان خلال جلسة خصصت لمناقشة الموازنة "
              "العامة والخطط الاقتصادية للعام المقبل أن الحكومة ماضية في إصلاحاتها رغم الصعوبات، "
              "مشيرا إلى أن مسلحين قتلوا خمسة جنود أمس عند حاجز على طريق المطار.")
    assert _reads_as_report(lead, "ASSAULT")
    assert _best_confidence(buried, "ASSAULT") < _best_confidence(lead, "ASSAULT")


def test_counted_crowd_with_its_verb_later_in_the_clause_is_a_protest():
    gathered = "وقال شهود إن مئات المحتجين من سكان الأحياء الفقيرة في المدينة تجمعوا أمام مبنى البلدية."
    described = "وقال شهود إن مئات المحتجين من سكان الأحياء الفقيرة الذين تجمعوا أمام مبنى البلدية."
    assert _reads_as_report(gathered, "PROTEST")
    assert _best_confidence(described, "PROTEST") < CUT


def test_bare_detonated_is_an_attack_and_dawn_is_not():
    assert _reads_as_report("وقال مصدر أمني إن مهاجما فجر شاحنة محملة بالمتفجرات عند مدخل القاعدة مساء الأحد.", "ASSAULT")
    # "فجر" with the article, as an adverb or before a day is dawn.
    for text in ("واعتقلت الشرطة فجر أول من أمس ثلاثة مطلوبين في حي الميناء.",
                 "وداهمت الشرطة فجرا منزلا في حي الميناء.",
                 "وانطلقت القافلة عند الفجر نحو الحدود.",
                 "وداهمت الشرطة الحي فجراً، واعتقلت شابين.",  # the adverb before a comma
                 "وحاصرت الشرطة الحي منذ فجر ويوم الأحد."):   # before a day with a conjunction
        assert not [e for e in extract_events(text, "ar", PUBLISHED) if e["event_type"] == "ASSAULT"]


@pytest.mark.parametrize("text", [
    "* 3 يونيو 2010: اغتيال رئيس البلدية في مدينة الساحل.",
    "ـ 14: تفجير انتحاري في سوق المدينة القديمة.",
])
def test_chronology_line_reports_the_act_after_its_date(text):
    assert _reads_as_report(text, "ASSAULT")


def test_hostages_taken_by_a_verb_of_holding_are_an_abduction():
    taken = "وقال مسؤول إن مسلحين احتجزوا أربعة من حراس المصنع رهائن منذ مساء أمس."
    assert _reads_as_report(taken, "ASSAULT")
    assert _best_confidence("وطالبت العائلات بالإفراج عن الرهائن المحتجزين.", "ASSAULT") < CUT


def test_soldiers_lost_in_a_blast_are_its_victims():
    assert _reads_as_report("وقال المتحدث «فقدنا أمس ثلاثة من جنودنا في انفجار عبوة ناسفة».", "ASSAULT")


def test_protest_verb_with_its_counted_crowd_after_it():
    assert _reads_as_report("وتظاهر نحو مائة طالب أمام السفارة.", "PROTEST")


def test_protest_told_as_the_time_of_another_act_is_not_its_report():
    assert _best_confidence("وأطلق سراح الطلاب بعدما احتجوا أمس على قرار الجامعة.", "PROTEST") < CUT


def test_one_protester_is_no_crowd():
    # "أنهم" opens a clause: its verb is not the protester's act.
    assert _best_confidence("ونبه أحد المتظاهرين رفاقه من أنهم يرفعون أعلاما لا تمثلهم.", "PROTEST") < CUT


def test_protest_after_a_verbal_act_is_not_its_content():
    text = ("وتجمع أنصار الحزب أمام مقر المحافظة مساء أمس معلنين رفضهم لنتائج الانتخابات وتمسكهم بمرشحهم، "
            "مرددين هتافات مناهضة للحكومة.")
    types = {e["event_type"] for e in extract_events(text, "ar", PUBLISHED)}
    assert {"REJECT", "PROTEST"} <= types
    assert _reads_as_report(text, "PROTEST")


def test_crowd_that_went_out_in_marches_is_a_protest():
    assert _reads_as_report("وكان الآلاف من الطلاب قد خرجوا في مسيرات جابت شوارع العاصمة.", "PROTEST")
    assert _reads_as_report("وخرج مئات من العمال في مظاهرات ضد خفض الأجور.", "PROTEST")
    # The marchers described by a relative clause: someone else's act is told.
    assert _best_confidence("واعتقلت الشرطة عددا من الشبان الذين خرجوا في مسيرات ليلية.", "PROTEST") < CUT



@pytest.mark.parametrize("text, language, verb, city", [
    ("قصفت الطائرات الحربية مدينة حماة يوم الاثنين. ثم اقتحم المسلحون المدينة مساء.", "ar", "اقتحم", "Hama"),
    ("قصفت الطائرات الحربية مدينة حماة يوم الاثنين. ثم اقتحم المسلحون المدينة، وفق مصادر محلية.", "ar", "اقتحم",
     "Hama"),
    ("Government jets bombed Idlib on Monday. Rebel fighters later stormed the city.", "en", "stormed", "Idlib"),
])
def test_the_city_is_the_city_named_before(text, language, verb, city):
    """A sentence that says only "the city" (punctuation after it or not) happens in
    the last city named before it."""
    events = extract_events(text, language, PUBLISHED)
    stormed = [e for e in events if verb in e["sentence"]]
    assert stormed and all(e["location"] and e["location"]["name"] == city for e in stormed)


# --- sources, background years and documents (confidence features) --------------------

def test_english_sentence_subject_is_the_source_when_none_is_near_the_trigger():
    mentions = coded_mentions("Germany says the aid will be delivered to Sudan next month.", "en", PUBLISHED)
    assert mentions and all((m["actor1"] or {}).get("country") == "DEU" for m in mentions)


@pytest.mark.parametrize("text, language, background", [
    ("Hamas, the group that seized Gaza in 2007, fired rockets at Israel.", "en", False),
    ("The army shelled the town for the first time since 2016.", "en", False),
    ("وقصفت الطائرات، التي دخلت الحرب التي بدأت عام 2015، مواقع في المدينة.", "ar", False),
    ("The army shelled the town in 2016.", "en", True),
    ("وقصفت الطائرات مواقع في المدينة عام 2016.", "ar", True),
])
def test_a_year_of_a_relative_clause_or_after_since_is_not_the_acts(text, language, background):
    mentions = [m for m in coded_mentions(text, language, PUBLISHED) if m["event_type"] == "ASSAULT"]
    assert mentions
    assert ("shape:earlier_year" in mentions[0]["features"]) is background


@pytest.mark.parametrize("text, language", [
    ("The resolution adopted by the council calls for talks between the parties.", "en"),
    ("The 2018 agreement urges both sides to withdraw their forces.", "en"),
    ("وقد صدر القرار عام 2015، وهو يدعو إلى محادثات بين الطرفين.", "ar"),
])
def test_what_a_document_says_in_the_present_is_no_request_of_the_day(text, language):
    assert not [m for m in coded_mentions(text, language, PUBLISHED) if m["event_type"] == "REQUEST"]


@pytest.mark.parametrize("text, language, source", [
    ("On Sunday the resolution calls for talks between the parties.", "en", None),   # dated: told as news
    ("Under the agreement Egypt calls for talks between the parties.", "en", "EGY"),  # an actor speaks
    ("ودعت مصر في بيان مشترك إلى وقف إطلاق النار في غزة.", "ar", "EGY"),          # a past call of an actor
    ("The joint statement calls for calm in the capital.", "en", None),   # a statement is its issuer's act
    ("ويدعو البيان المشترك إلى التهدئة في العاصمة.", "ar", None),
])
def test_a_dated_or_spoken_call_stays_a_request(text, language, source):
    requests = [m for m in coded_mentions(text, language, PUBLISHED) if m["event_type"] == "REQUEST"]
    assert requests
    assert (requests[0]["actor1"] or {}).get("country") == source


@pytest.mark.parametrize("text, own_time", [
    ("وقصف الجيش القرية صباح اليوم.", True),
    ("وقال المسؤول اليوم إن الجيش قصف القرية.", False),  # the time of the saying, another clause
])
def test_a_time_word_in_the_attacks_own_clause_is_its_time(text, own_time):
    (attack,) = [m for m in coded_mentions(text, "ar", PUBLISHED) if m["event_type"] == "ASSAULT"]
    assert "clause:time" in attack["features"]
    assert ("clause:own_time" in attack["features"]) is own_time


def test_a_changed_actor_word_list_changes_the_coder_version(tmp_path, monkeypatch):
    """Actor coding's word lists are part of the coder: editing one recodes stored articles."""
    import shutil

    from newsflow import source

    copy = tmp_path / "newsflow"
    shutil.copytree(source.SOURCE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(source, "SOURCE_DIR", copy)
    version = events_module.coder_version.__wrapped__  # the fingerprint is computed once per process
    before = version()
    grammar = copy / "data" / "actors" / "grammar.yaml"
    grammar.write_text(grammar.read_text(encoding="utf-8").replace("[في]", "[في, داخل]", 1), encoding="utf-8")
    assert version() != before


def test_a_bare_an_is_no_according_to_but_naqlan_an_is():
    """"نقلا عن" (according to) is one phrase: a bare "عن" ("released ... عن the prisoners") leaves
    the actor after it the target, while "نقلا عن" still marks who tells of the act."""
    (release,) = extract_events("أفرجت السلطات الإسرائيلية عن الأسرى الفلسطينيين.", "ar", PUBLISHED)
    assert release["actor1"]["code"] == "ISRGOV" and release["actor2"]["code"] == "PSECVL"
    (concession,) = extract_events("تنازلت الحكومة عن المعارضة.", "ar", PUBLISHED)
    assert concession["actor2"]["sector"] == "OPP"
    from newsflow.events.roles import _is_reporter

    def opposition_reports(text):
        doc = Document(text, "ar", PUBLISHED)
        (opposition,) = [m for m in find_actors(text, "ar") if m.sector == "OPP"]
        return _is_reporter(doc, opposition)

    assert opposition_reports("قصفت الطائرات الروسية البلدة، نقلا عن المعارضة السورية.")
    assert opposition_reports("قصفت الطائرات الروسية البلدة، ونقلا عن المعارضة السورية.")
    assert not opposition_reports("أفرج الجيش عن المعارضة السورية.")
    # "صادر عن" (issued by) is a phrase of its own: who issued a statement tells of the act, it is
    # not its target
    assert opposition_reports("قصفت الطائرات الروسية البلدة، بحسب بيان صادر عن المعارضة السورية.")
    assert opposition_reports("قصفت الطائرات الروسية البلدة، وفق البيانات الصادرة عن المعارضة السورية.")
    (accusation,) = extract_events("واتهم بيان صادر عن النيابة العامة المسلحين بمهاجمة مركز الشرطة.", "ar", PUBLISHED)
    assert (accusation["actor2"] or {}).get("sector") != "JUD"


def test_the_content_of_a_verbal_act_runs_twelve_words_or_to_a_clause_break():
    """What was asked is the rest of the verbal trigger's word and at most twelve words after it,
    cut at a clause break (; : ؛) or the sentence end."""
    from newsflow.events.clauses import verbal_scope

    def content(text, language="en"):
        doc = Document(text, language, PUBLISHED)
        verbal = next(t for t in doc.triggers if t.payload.verbal)
        start, end = verbal_scope(doc, verbal, doc.sentences[0])
        return doc.folded[start:end]

    long_request = ("The envoy urged both sides to lay down their arms and return to the table at once "
                    "before the winter set in.")
    assert content(long_request) == " both sides to lay down their arms and return to the table at"
    assert content("The envoy urged calm; gunmen stormed the town hall.") == " calm"
    assert content("The envoy urged calm.") == " calm."
    # folded Arabic (ة read as ه), cut at the Arabic semicolon
    assert content("وطالبت الحكومة بوقف القصف؛ وقصفت الطائرات البلدة.", "ar") == " الحكومه بوقف القصف"
