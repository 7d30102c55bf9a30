"""Actor matching on invented sentences: words and multi-word names, clitics,
punctuation, and results that do not depend on what was matched before."""

import pytest

from newsflow import actors
from newsflow.actors import LexiconMatcher, find_actors, get_actor_coder

SENTENCE_AR = ("قالت قوات الأمن العراقية إن سيارة مفخخة انفجرت، وأعلن حزب الله (في بيان) "
               "أن الولايات المتحدة تتحمل المسؤولية.")
SENTENCE_EN = "The United Nations said Hezbollah fighters left the town; (United Nations) staff stayed."


def _codes(mentions):
    return [(m.text, m.code) for m in mentions]


def test_multi_word_names_after_punctuation_and_clitics():
    assert _codes(find_actors(SENTENCE_AR, "ar")) == [
        ("قوات الأمن العراقية", "IRQCOP"), ("حزب الله", "LBNREB"), ("الولايات المتحدة", "USAGOV")]
    assert _codes(find_actors("وقال الحزب إن وحزب الله لم يرد", "ar"))[-1] == ("حزب الله", "LBNREB")
    found = _codes(find_actors(SENTENCE_EN, "en"))
    assert found.count(("United Nations", "IGOUNO")) == 2
    assert ("Hezbollah fighters", "LBNREB") in found


def test_scan_reports_hits_in_text_order():
    matcher = get_actor_coder()._matcher("ar")
    atoms = matcher.scan(SENTENCE_AR)
    assert atoms and [(a.fend, a.fstart) for a in atoms] == sorted((a.fend, a.fstart) for a in atoms)


def test_results_do_not_depend_on_remembered_pieces(monkeypatch):
    expected = [_codes(find_actors(SENTENCE_AR, "ar")), _codes(find_actors(SENTENCE_EN, "en"))]
    monkeypatch.setattr(actors, "_PIECE_CACHE_SIZE", 1)  # forget after every new piece
    again = [_codes(find_actors(SENTENCE_AR, "ar")), _codes(find_actors(SENTENCE_EN, "en"))]
    assert again == expected


def test_matcher_with_words_only_or_phrases_only():
    words = LexiconMatcher()
    words.add("army", "ARMY")
    words.build()
    assert [a.payload for a in words.scan("The army left; army units stayed.")] == ["ARMY", "ARMY"]
    phrases = LexiconMatcher()
    phrases.add("security forces", "FORCES")
    phrases.build()
    assert [(a.start, a.payload) for a in phrases.scan("Security forces, then (security forces) left.")] == [
        (0, "FORCES"), (23, "FORCES")]


# --- occupation, foreign forces, aircraft ------------------------------------------

def _coded(text, language):
    return [(m.text, m.code) for m in find_actors(text, language)]


@pytest.mark.parametrize("text, expected", [
    # The occupation: Israel unless the phrase names another country; its sector from the phrase.
    ("اقتحمت قوات الاحتلال الإسرائيلي بلدة بيتا فجر اليوم.", [("قوات الاحتلال الإسرائيلي", "ISRMIL")]),
    ("وقصف جيش الاحتلال منازل في خان يونس.", [("جيش الاحتلال", "ISRMIL")]),
    ("واعتقلت سلطات الاحتلال ثلاثة صحفيين.", [("سلطات الاحتلال", "ISRGOV"), ("صحفيين", "MED")]),
    ("وقال الاحتلال إنه سيواصل العملية.", [("الاحتلال", "ISRMIL")]),
    ("وداهمت قوات الاحتلال الأمريكي حيا في الفلوجة.", [("قوات الاحتلال الأمريكي", "USAMIL")]),
    # Feminine and plural adjectives, both spellings of American, clitics on the noun.
    ("وانسحبت القوات الروسية والقوات الأميركية من المنطقة.",
     [("القوات الروسية", "RUSMIL"), ("القوات الأميركية", "USAMIL")]),
    ("وشنت الطائرات الحربية الروسية غارات، وقصف الطيران الروسي البلدة.",
     [("الطائرات الحربية الروسية", "RUSMIL"), ("الطيران الروسي", "RUSMIL")]),
    ("وأعلنت القوات التركية أن مقاتلات تركية قصفت مواقع للمسلحين.",
     [("القوات التركية", "TURMIL"), ("مقاتلات تركية", "TURMIL"), ("مسلحين", "REB")]),
    # Drones: with طائرة, or مسيّرة written with its shadda; مسيرة alone is a march.
    ("واستهدفت طائرة مسيرة إسرائيلية سيارة، وأسقطت الدفاعات مسيّرة أوكرانية.",
     [("طائرة مسيرة إسرائيلية", "ISRMIL"), ("مسيّرة أوكرانية", "UKRMIL")]),
    ("وخرج المتظاهرون في مسيرة سلمية.", [("المتظاهرون", "CVL")]),
    # A country's adjective derived by rule from its name (كينيا -> كيني), led coalitions.
    ("وقالت الشرطة الكينية إن قوات التحالف بقيادة الولايات المتحدة انسحبت.",
     [("الشرطة الكينية", "KENCOP"), ("قوات التحالف بقيادة الولايات المتحدة", "USAMIL")]),
    # Clitics on the noun: لل، ف، ب، ول.
    ("وتصدت الدفاعات للقوات التركية، فالطيران الروسي قصف المدينة، وقصفوا بالطائرات الإسرائيلية ولجيش الاحتلال.",
     [("قوات التركية", "TURMIL"), ("الطيران الروسي", "RUSMIL"), ("الطائرات الإسرائيلية", "ISRMIL"),
      ("جيش الاحتلال", "ISRMIL")]),
    # A phrase with its country does not take the object that follows the verb's subject.
    ("وقصفت القوات الأمريكية بغداد.", [("القوات الأمريكية", "USAMIL"), ("بغداد", "IRQGOV")]),
])
def test_arabic_occupation_and_foreign_forces(text, expected):
    assert _coded(text, "ar") == expected


@pytest.mark.parametrize("text, expected", [
    ("Israeli occupation forces raided the camp as Russian warplanes struck Idlib.",
     [("Israeli occupation forces", "ISRMIL"), ("Russian warplanes", "RUSMIL")]),
    ("The US-led coalition and Saudi-led forces denied it; Turkish drones hit a convoy.",
     [("US-led coalition", "USAMIL"), ("Saudi-led forces", "SAUMIL"), ("Turkish drones", "TURMIL")]),
    # Capitals and seats of power for their governments, demonyms of every country.
    ("Washington condemned the raid; the Kremlin and Ankara rejected it, the Pentagon said.",
     [("Washington", "USAGOV"), ("the Kremlin", "RUSGOV"), ("Ankara", "TURGOV"), ("the Pentagon", "USAGOV")]),
    ("Ghanaian police and Bolivian troops arrived in Nairobi.",
     [("Ghanaian police", "GHACOP"), ("Bolivian troops", "BOLMIL")]),
    # Possessives, U.S. with its stop, apostrophes inside names.
    ("Romania's new government and U.S. border patrol agents met the Kurdistan Workers' Party.",
     [("Romania's new government", "ROUGOV"), ("U.S. border patrol", "USACOP"),
      ("Kurdistan Workers' Party", "TURREB")]),
    # A title takes the person's name; the name's country comes from the sentence or "of".
    ("President Kofi Mensah said on Monday that Ghanaian exports would rise.",
     [("President Kofi Mensah", "GHAGOV"), ("Ghanaian", "GHA")]),
    # A headline in title case has no names to read from capitals.
    ("Foreign Minister Resigns After Arms Scandal\nThe minister left.",
     [("Foreign Minister", "GOV"), ("minister", "GOV")]),
    ("King Hassan of Morocco met Defence Secretary Tom King.",
     [("King Hassan of Morocco", "MARGOV"), ("Defence Secretary Tom King", "MIL")]),
    # The official of another country is no hint, nor a country the act is done to or with.
    ("President Jean Dupont welcomed South African leader Thabo Nkosi.",
     [("President Jean Dupont", "GOV"), ("South African leader Thabo Nkosi", "ZAFGOV")]),
    ("President Ana Lima flew home from the United States.",
     [("President Ana Lima", "GOV"), ("United States", "USAGOV")]),
    ("Opposition groups in Zimbabwe are demanding new elections.", [("Opposition groups", "ZWEOPP")]),
    # Forces and services known by name.
    ("The IDF, the Revolutionary Guards and the Rapid Support Forces denied it.",
     [("IDF", "ISRMIL"), ("Revolutionary Guards", "IRNMIL"), ("Rapid Support Forces", "SDNREB")]),
])
def test_english_countries_of_actors(text, expected):
    assert _coded(text, "en") == expected


def test_adjective_without_an_actor_noun_is_the_country_not_an_actor_phrase():
    # "Russian" qualifies a proposal: no sector, and nothing military or governmental is invented.
    assert _coded("A Russian proposal on grain exports was discussed.", "en") == [("Russian", "RUS")]
    assert _coded("ناقش المجلس المقترح الروسي بشأن الحبوب.", "ar") == [("روسي", "RUS")]
    # A place after the preposition is no actor ("in Idlib", "في إدلب" are places, not forces),
    # nor is a currency.
    assert _coded("Fighting continued in Syria.", "en") == []
    assert _coded("He embezzled US $50 million and HK$2 million.", "en") == []


def test_arabic_adjectives_follow_the_regular_rule():
    assert actors.arabic_nisba("سوريا") == "سوري"
    assert actors.arabic_nisba("فرنسا") == "فرنسي"
    assert actors.arabic_nisba("العراق") == "عراقي"
    assert actors.arabic_nisba("إسرائيل") == "إسرائيلي"
    assert actors.arabic_nisba("السعودية") == "سعودي"
    assert actors.arabic_nisba("جنوب السودان") is None  # several words: from the data
    assert actors.english_plural("Syrian") == "Syrians"
    assert actors.english_plural("Chinese") is None and actors.english_plural("Czech") == "Czechs"


def test_government_forces_take_the_country_of_their_sentence_or_none():
    assert _coded("اشتبكت قوات النظام مع مسلحين في ريف حماة.", "ar") == [("قوات النظام", "MIL"), ("مسلحين", "REB")]
    assert _coded("وقصفت قوات النظام السوري مدينة درعا.", "ar") == [("قوات النظام السوري", "SYRMIL")]
    assert _coded("Government forces retook the town, Sudanese officials said.", "en") == [
        ("Government forces", "SDNMIL"), ("Sudanese officials", "SDNGOV")]
    assert _coded("Lt. Gen. Omar Bashir resigned to allow Sudan's first free elections.", "en")[0] == (
        "Lt. Gen. Omar Bashir", "SDNMIL")


def test_leading_actor_is_the_subject_that_opens_an_english_sentence():
    text = "Talks stalled. Syria says it is willing to withdraw. In Iraq, officials said nothing."
    mentions = find_actors(text, "en")
    starts = [text.index(part) for part in ("Talks", "Syria", "In Iraq")] + [len(text)]
    found = [actors.leading_actor(mentions, text, start, end, "en") for start, end in zip(starts, starts[1:])]
    assert [m and m.code for m in found] == [None, "SYRGOV", None]
    assert actors.leading_actor(find_actors("قالت سوريا إنها مستعدة", "ar"), "قالت سوريا إنها مستعدة", 0, 22, "ar") is None


def test_a_quantity_opens_the_actor_phrase():
    # "عدد من المشايخ" is one actor, so that the verb before it has its subject right after it.
    assert _coded("ندد عدد من المشايخ والدعاة باقتحام قوات الاحتلال الإسرائيلي باحات المسجد.", "ar")[:3] == [
        ("عدد من المشايخ", "CVL"), ("الدعاة", "CVL"), ("قوات الاحتلال الإسرائيلي", "ISRMIL")]
    assert _coded("Hundreds of students marched; a number of was all he said.", "en") == [
        ("Hundreds of students", "CVL")]


def test_money_and_unity_governments_are_not_forces():
    assert _coded("بلغت القيمة 908 آلاف ريال عماني، وتراجع الدولار الأمريكي بين القوات الروسية.", "ar") == [
        ("القوات الروسية", "RUSMIL")]
    assert _coded("The US dollar and the Syrian pound fell.", "en") == []
    assert _coded("Israeli artillery pounds Gaza.", "en") == [("Israeli artillery", "ISRMIL")]
    assert _coded("وشكلت حكومة وحدة وطنية، وهاجمت قوات الحكومة المدينة.", "ar") == [
        ("حكومة وحدة", "GOV"), ("قوات الحكومة", "MIL")]


def test_malformed_word_lists_are_reported_clearly(monkeypatch):
    monkeypatch.setattr(actors, "_read_yaml", lambda name: {"sectors": {}, "quantities": ["hundreds of"]})
    with pytest.raises(actors.ActorDataError, match="sectors.yaml: quantities must be a mapping"):
        actors._load_sectors({"ar": [], "en": []})
    monkeypatch.setattr(actors, "_read_yaml", lambda name: {"exclude": ["Male"]})
    with pytest.raises(actors.ActorDataError, match="exclude must be a mapping"):
        actors._load_countries({"ar": [], "en": []})


def test_function_words_are_data_and_a_malformed_file_is_reported_clearly(tmp_path):
    grammar = actors.load_actor_grammar()
    # Words are folded on load ("إلى" -> "الي"), names kept as written.
    assert "الي" in grammar["places"]["locative"]["ar"]
    assert "March" in grammar["names"]["not_names"]["en"]
    broken = tmp_path / "grammar.yaml"
    broken.write_text("phrases: {}\nplaces: {}\nsubjects: {}\n", encoding="utf-8")
    with pytest.raises(actors.ActorDataError, match=r"grammar.yaml: expected the sections .*names"):
        actors.load_actor_grammar(broken)
    # YAML reads a bare `on` as true: the word must be quoted, and the error says where.
    source = actors.resources.files("newsflow").joinpath("data/actors/grammar.yaml").read_text(encoding="utf-8")
    broken.write_text(source.replace('"on"', "on", 1), encoding="utf-8")
    with pytest.raises(actors.ActorDataError, match=r"subjects.prepositions.en: expected a list of non-empty strings"):
        actors.load_actor_grammar(broken)
    broken.write_text("phrases: [of]\nplaces: {}\nsubjects: {}\nnames: {}\n", encoding="utf-8")
    with pytest.raises(actors.ActorDataError, match=r"grammar.yaml: phrases: expected the lists"):
        actors.load_actor_grammar(broken)


def test_sector_classes_are_checked_against_the_known_sectors(tmp_path):
    assert actors.load_sector_classes()["armed"] == actors.ARMED_SECTORS
    broken = tmp_path / "sectors.yaml"
    broken.write_text("classes:\n  armed: [MIL, ARMY]\n  victims: [CVL]\n  not_placed: []\n", encoding="utf-8")
    with pytest.raises(actors.ActorDataError, match=r"classes.armed: unknown sector 'ARMY'"):
        actors.load_sector_classes(broken)
    broken.write_text("classes:\n  armed: [MIL]\n", encoding="utf-8")
    with pytest.raises(actors.ActorDataError, match=r"expected the classes \['armed', 'not_placed', 'victims'\]"):
        actors.load_sector_classes(broken)


def test_phrase_rules_read_the_function_words():
    # joiners, led_after_leader / led_before_leader, locative, placed_in (data/actors/grammar.yaml)
    assert _codes(find_actors("The army of the regime shelled the town.", "en"))[0] == ("army of the regime", "MIL")
    assert ("US-led coalition", "USAMIL") in _codes(find_actors("The US-led coalition struck the bridge.", "en"))
    assert _codes(find_actors("He flew to Moscow.", "en")) == []
    assert _codes(find_actors("Opposition groups in Zimbabwe protested.", "en")) == [("Opposition groups", "ZWEOPP")]
    assert _codes(find_actors("قصفت قوات التحالف بقيادة الولايات المتحدة الجسر.", "ar"))[0][1] == "USAMIL"
