import time

import pytest

from newsflow import places
from newsflow.places import Gazetteer, Place, PlaceMention, build_gazetteer, get_gazetteer

# A short report written for these tests, after the events of late
# November / early December 2024 in northern Syria.
SYRIA_REPORT_AR = (
    "فصائل المعارضة تقتحم سجن حلب المركزي وتفرج عن مئات المعتقلين\n"
    "بثت حسابات المعارضة صباح اليوم الاثنين مشاهد من داخل سجن حلب المركزي بعد السيطرة عليه. "
    "وسيطر المقاتلون كذلك على قرى الجوبة والشيخ كيف وأم الحوش والوحشية في محافظة حلب. "
    "وفي وسط سوريا قالت غرفة العمليات إنها استهدفت بطائرة مسيرة ضابطا كبيرا في بلدة قمحانة بريف حماة. "
    "وكانت المواجهات قد بدأت في ريف حلب الغربي، قبل أن تدخل قوات المعارضة حلب يوم الجمعة "
    "وتسيطر على مبنى المحافظة ومراكز الشرطة وقلعة حلب. "
    "وفي اليوم التالي أحكمت الفصائل قبضتها على محافظة إدلب بما فيها معرة النعمان وخان شيخون ومدينة سراقب. "
    "وقالت إدارة العمليات إن قوات الأمن انسحبت من عدة مواقع بين حماة وإدلب. "
    "ونزح آلاف إلى لبنان خلال الأسابيع الماضية."
)

SYRIA_REPORT_EN = (
    "Syrian opposition fighters stormed Aleppo's central prison on Monday, freeing detainees. "
    "A drone strike in Qamhana, north of Hama, targeted a security chief, the group said. "
    "Fighters earlier swept through Idlib province, taking Saraqib and Khan Sheikhoun. "
    "Mobile phone footage showed Russian jets striking the western Aleppo countryside. "
    "Said one resident: Of course we are afraid."
)


@pytest.fixture(scope="module")
def index_path(tmp_path_factory):
    # An explicit build into a fresh directory (about a minute).
    target = tmp_path_factory.mktemp("gazetteer") / "gazetteer.pickle"
    assert build_gazetteer(target) == target and target.stat().st_size > 0
    return target


@pytest.fixture(scope="module")
def gazetteer(index_path):
    return Gazetteer.load(index_path)


def _resolved(mentions):
    return {(m.text, m.place.name, m.place.country, m.place.precision) for m in mentions}


def test_seed_places_resolve_inside_syria(gazetteer):
    mentions = gazetteer.find_places(SYRIA_REPORT_AR, "ar")
    assert mentions and all(isinstance(m, PlaceMention) for m in mentions)
    by_text = {}
    for mention in mentions:
        assert SYRIA_REPORT_AR[mention.start:mention.end] == mention.text
        by_text.setdefault(mention.text, mention.place)
    assert by_text["حلب"].name == "Aleppo" and by_text["حلب"].precision == "city"
    assert by_text["محافظة حلب"].precision == "admin1" and by_text["محافظة حلب"].name == "Aleppo"
    assert by_text["ريف حلب الغربي"].precision == "admin1"
    assert by_text["محافظة إدلب"].name == "Idlib" and by_text["محافظة إدلب"].precision == "admin1"
    assert by_text["قمحانة"].admin1 == "Hama" and by_text["قمحانة"].precision == "village"
    for surface, name in [("الجوبة", "al-Jubba"), ("والشيخ كيف", "al-Sheikh Kif"),
                          ("وأم الحوش", "Umm al-Housh"), ("والوحشية", "al-Wahshiyya")]:
        assert by_text[surface].name == name
        assert by_text[surface].admin1 == "Aleppo"
    assert by_text["معرة النعمان"].admin1 == "Idlib"
    assert by_text["وخان شيخون"].admin1 == "Idlib"
    assert by_text["سراقب"].admin1 == "Idlib"
    assert by_text["سوريا"].precision == "country"
    assert by_text["لبنان"].country == "LB"
    # Every place is in Syria, except Lebanon named as a country.
    abroad = {m.text for m in mentions if m.place.country != "SY"}
    assert abroad == {"لبنان"}


def test_common_words_are_not_places(gazetteer):
    mentions = gazetteer.find_places(SYRIA_REPORT_AR, "ar")
    texts = {m.text for m in mentions}
    for word in ("قوات", "إدارة", "مبنى", "ومراكز", "وقلعة", "الأمن", "بين", "عدة", "المحافظة"):
        assert word not in texts
    neutral = "قال المتحدث بين الحين والآخر إن الأمن مستتب في عدة أحياء وإن المدينة هادئة."
    assert gazetteer.find_places(neutral, "ar") == []


def test_english_text(gazetteer):
    mentions = gazetteer.find_places(SYRIA_REPORT_EN, "en")
    resolved = _resolved(mentions)
    assert ("Aleppo", "Aleppo", "SY", "city") in resolved
    assert ("Qamhana", "Qamhana", "SY", "village") in resolved
    assert ("Hama", "Hama", "SY", "city") in resolved
    assert ("Idlib province", "Idlib", "SY", "admin1") in resolved
    assert ("Aleppo countryside", "Aleppo", "SY", "admin1") in resolved
    assert {m.text for m in mentions}.isdisjoint({"Mobile", "Said", "Of", "Syrian", "Russian"})
    assert all(m.place.country == "SY" for m in mentions)


def test_look_alike_town_depends_on_context(gazetteer):
    syrian = gazetteer.find_places("Government troops in Syria reinforced Hama overnight.", "en")
    assert [m.place.country for m in syrian if m.text == "Hama"] == ["SY"]
    japanese = gazetteer.find_places("In Japan, the Hama festival near Tokyo and Osaka drew crowds.", "en")
    assert [m.place.country for m in japanese if m.text == "Hama"] == ["JP"]


def test_lower_case_words_and_acronyms(gazetteer):
    mentions = gazetteer.find_places("The US and the UK told us they would send aid to Gaza.", "en")
    assert [(m.text, m.place.country) for m in mentions] == [("US", "US"), ("UK", "GB"), ("Gaza", "PS")]


def test_document_focus(gazetteer):
    mentions = gazetteer.find_places(SYRIA_REPORT_AR, "ar")
    focus = gazetteer.document_focus(mentions)
    assert isinstance(focus, Place) and focus.country == "SY"
    assert gazetteer.document_focus([]) is None


def test_place_fields(gazetteer):
    [aleppo] = [m.place for m in gazetteer.find_places("وصل الوفد إلى حلب", "ar")]
    assert aleppo.country == "SY" and aleppo.admin1 == "Aleppo"
    assert 35.9 < aleppo.latitude < 36.5 and 36.9 < aleppo.longitude < 37.4
    assert aleppo.geonameid and aleppo.population > 1_000_000
    assert aleppo.name_ar


def test_names_between_punctuation(gazetteer):
    text = "وصلت القوات إلى (خان شيخون) ثم إلى حلب، ومنها إلى ريف إدلب."
    assert {(m.text, m.place.name) for m in gazetteer.find_places(text, "ar")} == {
        ("خان شيخون", "Khan Shaykhun"), ("حلب", "Aleppo"), ("ريف إدلب", "Idlib")}
    text = "Fighters reached Khan Sheikhoun, then Aleppo (Syria)."
    assert [m.text for m in gazetteer.find_places(text, "en")] == ["Khan Sheikhoun", "Aleppo", "Syria"]


def test_results_do_not_depend_on_remembered_words(gazetteer, monkeypatch):
    expected = [_resolved(gazetteer.find_places(SYRIA_REPORT_AR, "ar")),
                _resolved(gazetteer.find_places(SYRIA_REPORT_EN, "en"))]
    # Forget after every new piece of text and every place judged.
    monkeypatch.setattr(places, "_STARTS_CACHE_SIZE", 1)
    monkeypatch.setattr(places, "_FACTS_CACHE_SIZE", 1)
    again = [_resolved(gazetteer.find_places(SYRIA_REPORT_AR, "ar")),
             _resolved(gazetteer.find_places(SYRIA_REPORT_EN, "en"))]
    assert again == expected


def test_reload_is_fast(index_path):
    started = time.perf_counter()
    loaded = Gazetteer.load(index_path)
    elapsed = time.perf_counter() - started
    assert loaded.find_places("قصفت الطائرات سراقب", "ar")[0].place.name == "Saraqib"
    # generous bound for slow test machines; bench/places measures the real figure
    assert elapsed < 3.0


def test_singleton_is_shared():
    assert get_gazetteer() is get_gazetteer()


def test_stale_gazetteer_caches_are_removed(tmp_path):
    from newsflow.places import _remove_stale_caches

    current = tmp_path / "gazetteer-new.pickle"
    for name in ("gazetteer-old.pickle", "gazetteer-new.pickle", "other.txt"):
        (tmp_path / name).write_bytes(b"x")
    _remove_stale_caches(current)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gazetteer-new.pickle", "other.txt"]


def test_names_that_never_pass_are_dropped_as_found(gazetteer, index_path, monkeypatch):
    """Common words that are also names ("إن", "إلى") can pass the word-frequency
    filter in no document: they are dropped as they are found, which changes no mention."""
    from newsflow.text import fold_with_offsets

    folded, offsets = fold_with_offsets(SYRIA_REPORT_AR)
    every = {folded[s.start:s.end] for s in gazetteer._raw_spans(folded, SYRIA_REPORT_AR, offsets, all_names=True)}
    kept = {folded[s.start:s.end] for s in gazetteer._raw_spans(folded, SYRIA_REPORT_AR, offsets)}
    assert {"ان", "الي"} <= every - kept and {"حلب", "قمحانه", "حماه"} <= kept
    reports = ((SYRIA_REPORT_AR, "ar"), (SYRIA_REPORT_EN, "en"))
    filtered = [gazetteer.find_places(text, language) for text, language in reports]
    monkeypatch.setattr(Gazetteer, "_may_pass", lambda self, name_id: True)
    unfiltered = Gazetteer.load(index_path)  # a fresh instance: nothing remembered
    assert filtered == [unfiltered.find_places(text, language) for text, language in reports]
