"""Deduplication: canonical URLs, exact and near-duplicate articles, deterministic ids, events."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
import uuid

import numpy as np
import pytest

from newsflow import dedup
from newsflow.dedup import (
    NearDuplicateIndex,
    canonical_url,
    cluster_id_for,
    content_hash,
    dedup_batch,
    estimate_jaccard,
    event_key,
    lsh_band_keys,
    minhash_signature,
    normalize_text,
    signature_from_bytes,
    signature_to_bytes,
)

FLOOD_EN = (
    "Heavy rain flooded low-lying districts of the coastal city on Sunday, forcing hundreds of "
    "families to leave their homes. Civil defence teams used boats to reach residents trapped on "
    "rooftops, and the local council opened three schools as temporary shelters. The weather office "
    "warned that more storms could arrive before the end of the week, and asked drivers to avoid the "
    "main bridge over the river until engineers have inspected it."
)
# A republished copy: dateline added, a few facts updated, one word dropped, a closing line added.
FLOOD_EN_EDITED = (
    "PORT CITY (Agency) - Heavy rain flooded low-lying districts of the coastal city on Monday, "
    "forcing dozens of families to leave their homes. Civil defence teams used boats to reach "
    "residents trapped on rooftops, and the council opened four schools as temporary shelters. The "
    "weather office warned that more storms could arrive before the end of the week, and asked "
    "drivers to avoid the main bridge over the river until engineers have inspected it.\n"
    "Read more: our coverage of the storms."
)
FOOTBALL_EN = (
    "The national football team named a new coach on Thursday after a run of poor results in the "
    "qualifying rounds. The federation said the former midfielder signed a two-year contract and "
    "would take charge of the squad before next month's friendly matches. Supporters gathered "
    "outside the stadium to welcome the decision, and the captain thanked the outgoing staff."
)
BUILDING_AR = (
    "أعلنت وزارة الصحة في المدينة أن حصيلة ضحايا انهيار المبنى السكني ارتفعت إلى اثني عشر قتيلا، "
    "بينما تواصل فرق الإنقاذ البحث عن مفقودين تحت الأنقاض. وقال مسؤول في الدفاع المدني إن الفرق "
    "تعمل منذ ساعات الفجر باستخدام معدات ثقيلة، وإن الأمطار الغزيرة تعيق عمليات البحث. وطالب سكان "
    "الحي بفتح تحقيق في أسباب الانهيار ومحاسبة المسؤولين عن ترخيص البناء."
)
# Same story: two facts changed, diacritics and tatweel added, hamza dropped, agency line appended.
BUILDING_AR_EDITED = (
    "اعلنت وزارة الصحـة في المدينة أن حصيلة ضحايا انهيار المبنى السكني ارتفعت إلى خمسة عشر قتيلاً، "
    "بينما تواصل فرق الانقاذ البحث عن مفقودين تحت الأنقاض. وقال مسؤول في الدفاع المدني إن الفرق "
    "تعمل منذ ساعات الصباح باستخدام معدات ثقيلة، وإن الأمطار الغزيرة تعيق عمليات البحث. وطالب سكان "
    "الحيّ بفتح تحقيق في أسباب الانهيار ومحاسبة المسؤولين عن ترخيص البناء.\nالمصدر: وكالات"
)
BOOKFAIR_AR = (
    "افتتح معرض الكتاب الدولي أبوابه أمام الزوار صباح اليوم بمشاركة مئات دور النشر من الدول العربية "
    "والأجنبية. ويتضمن برنامج المعرض ندوات فكرية وأمسيات شعرية وورشا لتعليم الأطفال الرسم والكتابة، "
    "ويستمر عشرة أيام في القاعة الكبرى وسط العاصمة."
)


def line(**record) -> str:
    return json.dumps(record, ensure_ascii=False)


# --- canonical URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant, expected",
    [
        # tracking parameters dropped, the rest sorted
        ("https://www.aljazeera.com/news/2024/12/2/story?utm_source=rss&utm_medium=feed",
         "https://www.aljazeera.com/news/2024/12/2/story"),
        ("https://www.bbc.co.uk/news/world-123?at_medium=RSS&at_campaign=KARANGA&xtor=AL-1",
         "https://www.bbc.co.uk/news/world-123"),
        ("https://example.org/item?page=2&fbclid=abc&gclid=x&id=7&mc_cid=1&ocid=feed",
         "https://example.org/item?id=7&page=2"),
        # scheme, case, default port, fragment, trailing slash
        ("HTTP://WWW.AlJazeera.com:80/news/2024/12/2/story/#comments",
         "https://www.aljazeera.com/news/2024/12/2/story"),
        ("https://www.aljazeera.com:443/news/2024/12/2/story",
         "https://www.aljazeera.com/news/2024/12/2/story"),
        # AMP mirrors: path segment, query flags, .amp.html, amp host
        ("https://www.aljazeera.com/amp/news/2024/12/2/story",
         "https://www.aljazeera.com/news/2024/12/2/story"),
        ("https://www.aljazeera.com/news/2024/12/2/story/amp",
         "https://www.aljazeera.com/news/2024/12/2/story"),
        ("https://www.aljazeera.com/news/2024/12/2/story?amp", "https://www.aljazeera.com/news/2024/12/2/story"),
        ("https://www.aljazeera.com/news/2024/12/2/story?outputType=amp",
         "https://www.aljazeera.com/news/2024/12/2/story"),
        ("https://www.example.com/world/story.amp.html", "https://www.example.com/world/story.html"),
        ("https://amp.example.com/world/story", "https://www.example.com/world/story"),
        # mobile hosts
        ("https://m.aljazeera.net/news/2024/12/2/story", "https://www.aljazeera.net/news/2024/12/2/story"),
        ("http://mobile.example.com/a/b/", "https://www.example.com/a/b"),
    ],
)
def test_canonical_url_variants(variant, expected):
    assert canonical_url(variant) == expected


def test_canonical_url_is_idempotent_and_encodes_arabic_paths_one_way():
    raw = "https://www.aljazeera.net/news/2024/12/2/حلب-السجن/?utm_campaign=x"
    encoded = "https://www.aljazeera.net/news/2024/12/2/%D8%AD%D9%84%D8%A8-%D8%A7%D9%84%D8%B3%D8%AC%D9%86"
    assert canonical_url(raw) == encoded
    assert canonical_url(encoded) == encoded
    assert canonical_url(canonical_url(raw)) == canonical_url(raw)


def test_canonical_url_keeps_what_identifies_an_article():
    assert canonical_url("https://example.com/item?id=1") != canonical_url("https://example.com/item?id=2")
    assert canonical_url("https://example.com:8080/a") == "https://example.com:8080/a"
    # a host merely starting with "m" is not a mobile host
    assert canonical_url("https://mail.example.com/a") == "https://mail.example.com/a"
    assert canonical_url("https://example.com/") == "https://example.com/"
    assert canonical_url("https://example.com") == "https://example.com/"


@pytest.mark.parametrize("bad", ["", "ftp://example.com/file", "mailto:desk@example.com", "https:///nohost"])
def test_canonical_url_rejects_non_web_urls(bad):
    with pytest.raises(ValueError):
        canonical_url(bad)


# --- normalisation and exact duplicates -------------------------------------------------------


def test_normalize_text_folds_arabic_variants_case_and_punctuation():
    assert normalize_text("أَعلنَ  إدارةُ آلـــيةٍ مستشفى غزة!") == normalize_text("اعلن ادارة اليه مستشفي غزه")
    assert normalize_text("أَعلنَ") == "اعلن"
    assert normalize_text("٢٠٢٤ - ۱۲") == "2024 12"
    assert normalize_text("  The U.N.'s  Envoy—SAID:\n\t“talks”  ") == "the u n s envoy said talks"
    assert normalize_text("...") == ""


def test_content_hash_matches_exact_duplicates_only():
    assert content_hash(FLOOD_EN) == content_hash(FLOOD_EN.upper().replace(",", " ,  "))
    assert content_hash(BUILDING_AR) == content_hash(BUILDING_AR.replace("قتيلا", "قتيلاً"))
    assert content_hash(FLOOD_EN) != content_hash(FLOOD_EN_EDITED)
    assert len(content_hash("x")) == 64


# --- near duplicates --------------------------------------------------------------------------


@pytest.mark.parametrize("original, edited", [(FLOOD_EN, FLOOD_EN_EDITED), (BUILDING_AR, BUILDING_AR_EDITED)])
def test_edited_copies_are_near_duplicates(original, edited):
    similarity = estimate_jaccard(minhash_signature(original), minhash_signature(edited))
    assert similarity >= dedup.settings().similarity_threshold
    index = NearDuplicateIndex()
    index.add("original", minhash_signature(original))
    index.add("other", minhash_signature(FOOTBALL_EN))
    matches = index.query(minhash_signature(edited))
    assert [doc for doc, _ in matches] == ["original"]
    assert matches[0][1] == pytest.approx(similarity)


@pytest.mark.parametrize("a, b", [(FLOOD_EN, FOOTBALL_EN), (BUILDING_AR, BOOKFAIR_AR), (FLOOD_EN, BUILDING_AR)])
def test_unrelated_texts_are_not_merged(a, b):
    assert estimate_jaccard(minhash_signature(a), minhash_signature(b)) < 0.2
    index = NearDuplicateIndex()
    index.add("a", minhash_signature(a))
    assert index.query(minhash_signature(b)) == []


def test_signature_shape_bytes_and_datasketch_agreement():
    from datasketch import MinHash

    config = dedup.settings()
    signature = minhash_signature(FLOOD_EN)
    assert signature.dtype == np.uint64 and signature.shape == (config.num_perm,)
    assert np.array_equal(signature_from_bytes(signature_to_bytes(signature)), signature)
    assert len(signature_to_bytes(signature)) == 8 * config.num_perm
    with pytest.raises(ValueError):
        signature_from_bytes(b"123")
    # The vectorised signature equals datasketch's own MinHash over the same shingle hashes.
    reference = MinHash(num_perm=config.num_perm, seed=config.seed, scheme="affine32", hashfunc=int)
    reference.update_batch(dedup.shingle_hashes(FLOOD_EN).tolist())
    assert np.array_equal(reference.hashvalues.astype(np.uint64), signature)
    assert dedup.to_datasketch(signature).jaccard(dedup.to_datasketch(signature)) == 1.0
    # the permutations are datasketch's for other sizes and seeds too (drawn without importing it)
    for num_perm, seed in ((16, 0), (256, 12345)):
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
        ours = dedup._permutations(num_perm, seed)
        assert np.array_equal(ours[0][:, 0], a.astype(np.uint32)) and np.array_equal(ours[1][:, 0], b.astype(np.uint32))


def test_shingle_hashes_follow_the_normalised_text():
    assert np.array_equal(dedup.shingle_hashes("Hello, World!"), dedup.shingle_hashes("hello world"))
    assert dedup.shingle_hashes("hello world").size == len("hello world") - 5 + 1
    assert dedup.shingle_hashes("abc").size == 1  # shorter than a shingle: one shingle
    assert dedup.shingle_hashes("").size == 0


def test_band_keys_are_signed_64_bit_and_mix_in_the_band():
    config = dedup.settings()
    keys = lsh_band_keys(minhash_signature(FLOOD_EN))
    assert len(keys) == config.bands
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert keys == lsh_band_keys(minhash_signature(FLOOD_EN))
    constant = np.full(config.num_perm, 12345, dtype=np.uint64)  # every band holds the same rows
    assert len(set(lsh_band_keys(constant))) == config.bands
    assert lsh_band_keys(minhash_signature("")) == []  # an empty text matches nothing
    assert estimate_jaccard(minhash_signature(""), minhash_signature("")) == 0.0


def test_index_refuses_an_id_twice():
    index = NearDuplicateIndex()
    index.add(1, minhash_signature(FLOOD_EN))
    with pytest.raises(KeyError):
        index.add(1, minhash_signature(FOOTBALL_EN))


# --- deterministic ids ------------------------------------------------------------------------


def test_cluster_ids_are_deterministic_uuids():
    assert cluster_id_for("article-1") == cluster_id_for("article-1")
    assert cluster_id_for("article-1") != cluster_id_for("article-2")
    assert uuid.UUID(cluster_id_for("article-1")).version == 5
    with pytest.raises(ValueError):
        cluster_id_for("")


def test_event_key_merges_same_day_and_normalises_fields():
    same = event_key("2024-12-02", "day", "ASSAULT", "SY", "Idlib", "Idlib", "RUSMIL", "SYRCIV")
    assert same == event_key(dt.date(2024, 12, 2), "day", "assault", "sy", "IDLIB", " idlib ", "rusmil", "SYRCIV")
    assert same == event_key("2024-12-02T22:10:00+03:00", "day", "ASSAULT", "SY", "Idlib", "Idlib", "RUSMIL", "SYRCIV")
    assert same != event_key("2024-12-03", "day", "ASSAULT", "SY", "Idlib", "Idlib", "RUSMIL", "SYRCIV")
    assert same != event_key("2024-12-02", "day", "PROTEST", "SY", "Idlib", "Idlib", "RUSMIL", "SYRCIV")
    assert same != event_key("2024-12-02", "day", "ASSAULT", "SY", "Aleppo", "Aleppo", "RUSMIL", "SYRCIV")
    # actor order matters: who acted on whom
    assert same != event_key("2024-12-02", "day", "ASSAULT", "SY", "Idlib", "Idlib", "SYRCIV", "RUSMIL")
    # Arabic place names match across spelling variants
    assert event_key("2024-12-02", "day", "ASSAULT", "SY", "إدلب", None, None, None) == event_key(
        "2024-12-02", "day", "ASSAULT", "SY", "ادلب", None, None, None)


def test_event_key_month_precision_keys_on_the_month():
    first = event_key("2024-12-02", "month", "PROTEST", "KR", None, "Seoul", "KORCVL", None)
    assert first == event_key("2024-12-30", "month", "PROTEST", "KR", None, "Seoul", "KORCVL", None)
    assert first == event_key("2024-12", "month", "PROTEST", "KR", None, "Seoul", "KORCVL", None)
    assert first != event_key("2025-01-02", "month", "PROTEST", "KR", None, "Seoul", "KORCVL", None)
    # a day-precise mention is another event than a month-precise one
    assert first != event_key("2024-12-02", "day", "PROTEST", "KR", None, "Seoul", "KORCVL", None)
    # unknown precision ignores the date
    assert event_key(None, "unknown", "PROTEST", "KR", None, None, None, None) == event_key(
        "2024-12-02", "unknown", "PROTEST", "KR", None, None, None, None)


@pytest.mark.parametrize("args", [
    ("2024-12-02", "week", "PROTEST"),
    ("12/02/2024", "day", "PROTEST"),
    ("2024-12", "day", "PROTEST"),
    ("2024-12-02", "day", " "),
])
def test_event_key_rejects_bad_input(args):
    with pytest.raises(ValueError):
        event_key(*args, None, None, None, None, None)


# --- batch ------------------------------------------------------------------------------------


def test_dedup_batch_clusters_exact_near_and_url_duplicates():
    lines = [
        line(id="a2", text=FLOOD_EN_EDITED, published_at="2024-12-02T09:00:00Z"),
        line(id="a1", text=FLOOD_EN, published_at="2024-12-02T08:00:00+00:00"),
        line(id="a3", text=FLOOD_EN.upper(), published_at="2024-12-02T10:00:00Z"),
        line(id="b1", text=FOOTBALL_EN, url="https://m.example.com/sport/coach/?utm_source=rss"),
        line(id="b2", text="Updated: " + FOOTBALL_EN[:60], url="https://www.example.com/amp/sport/coach"),
        line(id="c1", text=BUILDING_AR, language="ar"),
        line(id="c2", text=BUILDING_AR_EDITED, language="ar"),
        line(id="d1", text=BOOKFAIR_AR, language="ar", title="معرض الكتاب"),
    ]
    out = list(dedup_batch(lines))
    assert [o["id"] for o in out] == ["a2", "a1", "a3", "b1", "b2", "c1", "c2", "d1"]
    by_id = {o["id"]: o for o in out}
    # the earliest published article is the cluster's first member
    assert by_id["a1"]["duplicate_of"] is None
    assert by_id["a2"]["duplicate_of"] == "a1" and by_id["a3"]["duplicate_of"] == "a1"
    assert by_id["a1"]["cluster_id"] == by_id["a2"]["cluster_id"] == by_id["a3"]["cluster_id"]
    assert by_id["a1"]["cluster_id"] == cluster_id_for("a1")
    # same canonical URL, different text: the same article
    assert by_id["b2"]["duplicate_of"] == "b1" and by_id["b2"]["cluster_id"] == by_id["b1"]["cluster_id"]
    # without dates, input order decides
    assert by_id["c1"]["duplicate_of"] is None and by_id["c2"]["duplicate_of"] == "c1"
    clusters = {o["cluster_id"] for o in out}
    assert len(clusters) == 4  # flood, football, building, book fair
    assert by_id["d1"]["duplicate_of"] is None
    assert all("error" not in o for o in out)
    assert out == list(dedup_batch(lines))  # deterministic: a rerun gives the same ids


def test_dedup_batch_reports_bad_lines_and_goes_on():
    lines = [
        line(id="a1", text=FLOOD_EN),
        "{not json",
        line(text="no id here"),
        json.dumps(["a", "list"]),
        line(id="e1", text=""),
        line(id="p1", text=FOOTBALL_EN, published_at="yesterday"),
        line(id="a1", text=FOOTBALL_EN),
        "",
        line(id="a2", text=FLOOD_EN_EDITED),
    ]
    out = list(dedup_batch(lines))
    assert len(out) == 8  # the blank line is skipped
    errors = [o for o in out if "error" in o]
    assert [o["id"] for o in errors] == [None, None, None, "e1", "p1", "a1"]
    assert all(o["cluster_id"] is None and o["duplicate_of"] is None and o["error"] for o in errors)
    assert out[0] == {"id": "a1", "cluster_id": cluster_id_for("a1"), "duplicate_of": None}
    assert out[-1] == {"id": "a2", "cluster_id": cluster_id_for("a1"), "duplicate_of": "a1"}


# --- configuration ----------------------------------------------------------------------------


def test_config_loads_and_validates(tmp_path):
    import yaml

    config = dedup.load_config()
    assert config.bands * config.rows == config.num_perm
    assert "utm_*" in config.tracking_parameters

    raw = yaml.safe_load(dedup.DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    raw["lsh"]["bands"] = 30
    bad = tmp_path / "dedup.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(dedup.DedupConfigError, match="bands x lsh.rows"):
        dedup.load_config(bad)

    raw["lsh"]["bands"] = 32
    raw["similarity_threshold"] = 1.5
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(dedup.DedupConfigError, match="similarity_threshold"):
        dedup.load_config(bad)

    raw["similarity_threshold"] = 0.5
    raw["containment"]["min_key_share"] = 1.5
    with pytest.raises(dedup.DedupConfigError, match="containment: min_key_share"):
        dedup.parse_config(raw)
    del raw["containment"]["min_key_share"]
    with pytest.raises(dedup.DedupConfigError, match="missing setting 'min_key_share'"):
        dedup.parse_config(raw)
    del raw["containment"]
    with pytest.raises(dedup.DedupConfigError, match="missing setting 'containment'"):
        dedup.parse_config(raw)

    del raw["minhash"]["num_perm"]
    with pytest.raises(dedup.DedupConfigError, match="num_perm"):
        dedup.parse_config(raw)
    with pytest.raises(dedup.DedupConfigError, match="cannot read"):
        dedup.load_config(tmp_path / "missing.yaml")


def test_a_stricter_threshold_changes_the_batch_result():
    config = dedup.settings()
    strict = dataclasses.replace(config, similarity_threshold=0.99,
                                 containment=dataclasses.replace(config.containment, threshold=0.99))
    out = list(dedup_batch([line(id="a1", text=FLOOD_EN), line(id="a2", text=FLOOD_EN_EDITED)], strict))
    assert out[1]["duplicate_of"] is None


# --- containment: a text inside a longer one --------------------------------------------------

# A wire story as the agency sent it.
PORT_WIRE = (
    "The port of the northern city reopened to cargo ships on Tuesday, four days after a storm tore "
    "cranes from their rails and sank two tugboats in the harbour basin.\n"
    "Harbour officials said the first container vessel berthed shortly after dawn and that divers had "
    "cleared the wrecks from the main channel overnight. Smaller quays remain closed while engineers "
    "check their foundations.\n"
    "Exporters had warned that fruit and vegetables were rotting in refrigerated trucks queued along "
    "the coastal road, and the chamber of commerce estimated their losses at several million dollars.\n"
    "The transport ministry said repairs to the damaged cranes would take at least a month."
)
# A newspaper's longer article built around that wire story: its own opening, the wire text with
# one figure changed, and its own background and reactions after it.
PORT_REWRITE = (
    "Lorry drivers who had slept in their cabs for most of the week cheered as the gates opened.\n"
    "Our correspondent on the waterfront counted more than two hundred trucks still waiting at noon, "
    "many of them carrying citrus from the farms of the plain south of the city.\n"
    + PORT_WIRE.replace("several million dollars", "nearly ten million dollars") + "\n"
    "The storm was the strongest to hit the coast in twenty years. Fishermen in the old harbour said "
    "they had lost nets and boats worth a season's income and asked the government for compensation.\n"
    "Opposition deputies demanded an inquiry into why the port authority had not moved the cranes "
    "into their storm locks when the weather office issued its warning two days earlier.\n"
    "The port handles most of the country's fruit exports, and shipping agents said the backlog "
    "would take another week to clear even if the weather stayed calm. Two shipping lines have "
    "already diverted their vessels to a smaller harbour further along the coast.\n"
    "Insurers said claims for the lost cranes and tugboats were likely to be among the largest "
    "the port has ever made, and that the authority's own policy did not cover storm damage to "
    "vessels moored outside the inner basin."
)
# A statement quoted whole in two different stories.
SHARED_QUOTE = (
    "\"We call on all parties to respect international humanitarian law and to allow aid convoys to "
    "reach civilians without delay,\" the United Nations spokesperson said in a statement."
)
CLINIC_STORY = (
    "Doctors at the only working clinic in the eastern district said they had run out of insulin and "
    "antibiotics, and that patients with chronic illnesses were being sent home without treatment.\n"
    + SHARED_QUOTE + "\n"
    "The clinic's director said a delivery promised for last week had been stopped at a checkpoint, "
    "and that the generator would run out of fuel within three days if no tanker arrived."
)
BRIDGE_STORY = (
    "Engineers began rebuilding the bridge over the western river on Thursday, a month after it was "
    "destroyed, reopening the shortest route between the capital and the farming towns of the valley.\n"
    + SHARED_QUOTE + "\n"
    "Local officials said the new span would carry trucks of up to forty tonnes and that the work "
    "should be finished before the harvest, when grain must reach the mills in the capital."
)

# An Arabic agency item, and a website's longer report that carries it with its own lines
# around it (hamza and ta marbuta spelt differently, as sites do).
WATER_WIRE_AR = (
    "أعلنت وزارة الموارد المائية اليوم الأحد بدء تشغيل محطة تحلية جديدة على الساحل الجنوبي، "
    "تنتج مئة ألف متر مكعب من مياه الشرب يوميا وتخدم نحو نصف مليون نسمة في المدن القريبة.\n"
    "وقال وزير الموارد المائية في مؤتمر صحفي إن المحطة ستخفف من أزمة انقطاع المياه التي تعاني "
    "منها الأحياء الشرقية منذ الصيف الماضي، وإن محطة ثانية ستفتتح في الشمال قبل نهاية العام."
)
WATER_REPORT_AR = (
    "استقبل سكان الأحياء الشرقية الخبر بارتياح بعد أشهر من الانتظار أمام صهاريج المياه.\n"
    + WATER_WIRE_AR.replace("أعلنت", "اعلنت").replace("المائية", "المائيه") + "\n"
    "وكانت أسعار صهاريج المياه قد تضاعفت خلال الصيف، واشتكى أصحاب المطاعم والمخابز من توقف "
    "أعمالهم لأيام متتالية بسبب نقص المياه.\n"
    "ويقول خبراء إن البلاد تحتاج إلى خمس محطات مماثلة على الأقل لسد العجز المتزايد في مياه "
    "الشرب، في ظل تراجع منسوب الأنهار وارتفاع عدد السكان في المدن الكبرى.\n"
    "ودعت جمعيات أهلية الحكومة إلى إصلاح شبكات الأنابيب القديمة التي يضيع فيها جزء كبير من "
    "المياه قبل وصولها إلى المنازل.\n"
    "وتعتمد المدن الساحلية منذ سنوات على الآبار الجوفية التي ارتفعت ملوحتها، ما دفع كثيرا من "
    "العائلات إلى شراء مياه الشرب المعبأة رغم غلاء أسعارها."
)


def test_an_agency_copy_inside_a_longer_article_is_contained():
    wire, rewrite = dedup.fingerprint(PORT_WIRE), dedup.fingerprint(PORT_REWRITE)
    comparison = dedup.compare(wire, rewrite)
    config = dedup.settings()
    # Too little resemblance for a near duplicate: the rewrite has as much again of its own.
    assert comparison.resemblance < config.similarity_threshold
    assert comparison.containment >= config.containment.threshold
    assert dedup.judge(comparison) == ("contained", comparison.containment)
    assert dedup.link(rewrite, wire) == dedup.judge(comparison)  # the shortcut decides alike
    index = dedup.ArticleIndex()
    index.add("wire", wire)
    index.add("clinic", dedup.fingerprint(CLINIC_STORY))
    assert [(m.doc_id, m.kind) for m in index.query(rewrite)] == [("wire", "contained")]


def test_a_quote_shared_by_two_stories_does_not_link_them():
    clinic, bridge = dedup.fingerprint(CLINIC_STORY), dedup.fingerprint(BRIDGE_STORY)
    comparison = dedup.compare(clinic, bridge)
    assert comparison.containment < dedup.settings().containment.threshold
    assert dedup.judge(comparison) is None and dedup.link(clinic, bridge) is None
    index = dedup.ArticleIndex()
    index.add("clinic", clinic)
    assert index.query(bridge) == []


def test_a_one_paragraph_summary_inside_another_article_does_not_link():
    summary = PORT_WIRE.split("\n")[0]  # a one-paragraph brief of the port story
    longer = "\n".join([FLOOD_EN, summary, CLINIC_STORY, BRIDGE_STORY])
    comparison = dedup.compare(dedup.fingerprint(summary), dedup.fingerprint(longer))
    assert comparison.containment == 1.0  # the whole brief is in there
    assert dedup.judge(comparison) is None  # but it is a small part of another article


def test_containment_keys_are_a_content_chosen_sample():
    config = dedup.settings()
    wire, rewrite = dedup.fingerprint(PORT_WIRE), dedup.fingerprint(PORT_REWRITE)
    rate = config.containment.sample_one_in
    assert len(wire.containment_keys) == np.count_nonzero(wire.shingles % rate == 0)
    # the keys of the wire story are found among those of the article it sits in
    shared = set(wire.containment_keys) & set(rewrite.containment_keys)
    assert len(shared) >= 0.6 * len(wire.containment_keys)
    assert dedup.containment_candidate(len(shared), len(wire.containment_keys), len(rewrite.containment_keys))
    assert not set(wire.containment_keys) & set(wire.band_keys)
    assert wire.index_keys == [*wire.band_keys, *wire.containment_keys]


def test_dedup_batch_links_the_rewrite_to_the_agency_copy():
    lines = [
        line(id="rewrite", text=PORT_REWRITE, published_at="2024-12-03T10:00:00Z"),
        line(id="wire", text=PORT_WIRE, published_at="2024-12-03T07:00:00Z"),
        line(id="clinic", text=CLINIC_STORY, published_at="2024-12-03T08:00:00Z"),
        line(id="bridge", text=BRIDGE_STORY, published_at="2024-12-03T09:00:00Z"),
        line(id="water-report", text=WATER_REPORT_AR, language="ar"),
        line(id="water-wire", text=WATER_WIRE_AR, language="ar"),
    ]
    by_id = {o["id"]: o for o in dedup_batch(lines)}
    # undated: the longer report comes first in the input, so the wire item joins its cluster
    assert by_id["water-wire"]["duplicate_of"] == "water-report"
    assert dedup.link(dedup.fingerprint(WATER_WIRE_AR), dedup.fingerprint(WATER_REPORT_AR))[0] == "contained"
    del by_id["water-wire"], by_id["water-report"]
    assert by_id["rewrite"]["duplicate_of"] == "wire"
    assert by_id["rewrite"]["cluster_id"] == by_id["wire"]["cluster_id"] == cluster_id_for("wire")
    assert by_id["clinic"]["duplicate_of"] is None and by_id["bridge"]["duplicate_of"] is None
    assert len({o["cluster_id"] for o in by_id.values()}) == 3


def test_warehouse_links_the_rewrite_as_contained_like_the_batch(warehouse):
    from newsflow import pipeline
    from newsflow.warehouse import fetch_dicts, sql

    published = dt.datetime(2024, 12, 3, 7, tzinfo=dt.timezone.utc)
    with warehouse.cursor() as cur:
        cur.execute("INSERT INTO core.source (source_id, name, url, host, language, kind, enabled)"
                    " VALUES ('desk', 'Desk', 'https://news.example.org', 'news.example.org', 'en', 'publisher', true)")
        ids = {}
        for hour, (slug, text) in enumerate([("wire", PORT_WIRE), ("clinic", CLINIC_STORY),
                                             ("bridge", BRIDGE_STORY), ("rewrite", PORT_REWRITE)]):
            url = f"https://news.example.org/{slug}"
            page = {"canonical_url": url, "final_url": url, "feed_id": "desk", "content_sha256": slug,
                    "fetched_at": published + dt.timedelta(hours=hour), "feed_published_at": None}
            result = {"text": text, "title": slug, "published_at": published + dt.timedelta(hours=hour)}
            ids[slug], _ = pipeline._load_extracted(cur, page, result)
            # loading the same page again changes nothing (idempotent)
            assert pipeline._load_extracted(cur, page, result) == (ids[slug], 1)
        cur.execute("SELECT article_id, cluster_id, duplicate_of, duplicate_kind, similarity FROM core.article")
        rows = {row[0]: row[1:] for row in cur.fetchall()}
        cur.execute("SELECT count(*) FROM core.article_lsh WHERE article_id = %s", (ids["wire"],))
        stored_keys = cur.fetchone()[0]
        # a text too short for any containment key still finds its band-key candidates
        wire = dedup.fingerprint(PORT_WIRE)
        params = dedup.stored_candidate_params(wire, ids["wire"], dt.date(2024, 12, 3))
        found = fetch_dicts(cur, sql("lsh_candidates"), {**params, "containment_keys": [], "query_keys": 0})
        assert all(row["shares_band"] and row["shared_keys"] == 0 for row in found)
    wire, rewrite = rows[ids["wire"]], rows[ids["rewrite"]]
    assert rewrite[0] == wire[0] and rewrite[1] == ids["wire"] and rewrite[2] == "contained"
    expected = dedup.compare(dedup.fingerprint(PORT_REWRITE), dedup.fingerprint(PORT_WIRE)).containment
    assert rewrite[3] == pytest.approx(expected, abs=1e-4)
    assert rows[ids["clinic"]][2] is None and rows[ids["bridge"]][2] is None
    assert len({r[0] for r in rows.values()}) == 3  # the same clusters as dedup_batch finds
    assert stored_keys == len(set(dedup.fingerprint(PORT_WIRE).index_keys))


# A longer wire story, and a feature that carries it whole among three times as much of its own.
HARBOUR_WIRE = PORT_WIRE + "\n" + (
    "Customs officers said they would work double shifts until the queue of trucks had cleared, and "
    "the ministry of agriculture promised cold-storage space at two inland depots for exporters whose "
    "produce could not be loaded this week. A spokesman for the shipping agents' association said "
    "freight rates from the port had risen by a fifth since the storm."
)
HARBOUR_FEATURE = "\n".join([
    FLOOD_EN, CLINIC_STORY, HARBOUR_WIRE, BRIDGE_STORY,
    "A decade of underinvestment left the harbour exposed, engineers told a parliamentary committee last "
    "year, when they asked for new storm locks, a breakwater extension and a second channel for tugs. "
    "None of the works was funded, and the committee's report was never debated.",
    PORT_REWRITE.split("\n")[-1], PORT_REWRITE.split("\n")[-2],
    "Along the seafront promenade, cafe owners swept broken glass from their terraces and counted the "
    "cost of a season cut short. Many had borrowed to renovate before the summer and said their banks "
    "had so far refused to defer repayments. The municipality opened a register for damaged businesses "
    "but has not said how much money it can offer, or when.",
    "Meteorologists say storms of this strength will come more often as the sea warms, and that ports "
    "built for the climate of the last century will need higher quays and stronger moorings. A study "
    "by the national university found that a third of the country's coastal infrastructure sits less "
    "than two metres above the highest tides recorded in the past decade, and that several fishing "
    "villages could lose their harbours altogether within a generation unless breakwaters are raised.",
    "In the old town, volunteers carried sandbags to the doors of the market hall, where traders had "
    "lost stock to the flooding of its cellars. The hall's roof, repaired only two years ago, held, "
    "but its electrical system was ruined and the stalls will stay shut until inspectors approve new "
    "wiring. Traders said they would set up in the square outside rather than lose another week.",
    "Schools along the coast reopened on Monday, except for two whose playgrounds were still under "
    "water, and the regional health office said it had treated dozens of people for injuries from "
    "falling debris but recorded no deaths in the city itself.",
    "Farther inland, the railway company ran extra freight trains to carry grain that would normally "
    "leave by sea, and a cement works upriver lent two of its barges to move containers between the "
    "damaged quays. Economists at the central bank said the closure would shave a little off the "
    "quarter's exports but that the damage to the harbour's reputation with shipping lines could last "
    "longer, since several had already asked about insurance terms for calls at the port next winter. "
    "The chamber of commerce plans a conference in the spring on how the coast should prepare.",
    "Residents of the fishermen's quarter, whose narrow lanes flooded to knee height, spent the weekend "
    "pumping water from ground floors and hanging carpets and bedding over balconies to dry. Charities "
    "handed out blankets, bread and drinking water from a church hall, and a mobile clinic parked by "
    "the lighthouse treated children with coughs and fevers. Several families said they would not "
    "return to their homes until the walls had dried out and an engineer had checked the foundations.",
])


def test_a_long_story_found_whole_in_a_much_longer_one_is_contained():
    wire, feature = dedup.fingerprint(HARBOUR_WIRE), dedup.fingerprint(HARBOUR_FEATURE)
    comparison = dedup.compare(wire, feature)
    config = dedup.settings()
    verbatim = config.containment.verbatim
    assert comparison.containment == 1.0 and comparison.shorter_chars >= verbatim.min_chars
    # The feature adds so much of its own that the main rule's Jaccard floor refuses the pair...
    assert comparison.containment_resemblance < config.containment.min_resemblance
    without = dataclasses.replace(config, containment=dataclasses.replace(config.containment, verbatim=None))
    assert dedup.judge(comparison, without) is None
    # ... and the verbatim rule links it: the whole long story is in there.
    assert dedup.judge(comparison) == ("contained", 1.0)
    index = dedup.ArticleIndex()
    index.add("wire", wire)
    assert [(m.doc_id, m.kind) for m in index.query(feature)] == [("wire", "contained")]


def test_the_verbatim_rule_is_validated():
    import yaml

    raw = yaml.safe_load(dedup.DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    raw["containment"]["verbatim"]["threshold"] = 0
    with pytest.raises(dedup.DedupConfigError, match="containment.verbatim: threshold"):
        dedup.parse_config(raw)
    raw["containment"]["verbatim"] = [0.99]
    with pytest.raises(dedup.DedupConfigError, match="containment.verbatim: expected a mapping"):
        dedup.parse_config(raw)
    del raw["containment"]["verbatim"]
    assert dedup.parse_config(raw).containment.verbatim is None  # the rule is optional


def _port_wire_edited(edits: int) -> str:
    """PORT_WIRE with its first `edits` changes: fewer shared band keys the more it is edited."""
    changes = [("Tuesday", "Wednesday"), ("four days", "five days"), ("two tugboats", "three tugboats"),
               ("shortly after dawn", "before noon"), ("overnight", "in the night"),
               ("fruit and vegetables", "crops"), ("at least a month", "six weeks or more")]
    text = PORT_WIRE
    for old, new in changes[:edits]:
        text = text.replace(old, new)
    return text


def test_candidates_are_bounded_to_those_sharing_most_keys_in_the_index_and_the_warehouse(warehouse):
    """max_candidates keeps the candidates sharing the most band keys, in memory and in the warehouse
    alike; the best match is among them."""
    from newsflow import pipeline
    from newsflow.warehouse import fetch_dicts, sql

    copies = {f"edit{n}": _port_wire_edited(n) for n in (1, 3, 7)}
    query = dedup.fingerprint(PORT_WIRE)
    shared = {slug: len(set(query.band_keys) & set(dedup.fingerprint(text).band_keys))
              for slug, text in copies.items()}
    ranked = sorted(shared, key=shared.get, reverse=True)
    assert len(set(shared.values())) == 3 and shared[ranked[-1]] > 0  # three candidates, no ties

    bounded = dataclasses.replace(dedup.settings(), max_candidates=2)
    for config, expected in ((dedup.settings(), set(copies)), (bounded, set(ranked[:2]))):
        index = dedup.ArticleIndex(config)
        for slug, text in copies.items():
            index.add(slug, dedup.fingerprint(text, config))
        index.add("clinic", dedup.fingerprint(CLINIC_STORY, config))
        assert set(index.candidates(query)) == expected
        assert index.query(query)[0].doc_id == "edit1"

    published = dt.datetime(2024, 12, 3, 7, tzinfo=dt.timezone.utc)
    with warehouse.cursor() as cur:
        cur.execute("INSERT INTO core.source (source_id, name, url, host, language, kind, enabled)"
                    " VALUES ('desk', 'Desk', 'https://news.example.org', 'news.example.org', 'en', 'publisher', true)")
        ids = {}
        for hour, (slug, text) in enumerate([*copies.items(), ("clinic", CLINIC_STORY)]):
            url = f"https://news.example.org/{slug}"
            page = {"canonical_url": url, "final_url": url, "feed_id": "desk", "content_sha256": slug,
                    "fetched_at": published + dt.timedelta(hours=hour), "feed_published_at": None}
            result = {"text": text, "title": slug, "published_at": published + dt.timedelta(hours=hour)}
            ids[pipeline._load_extracted(cur, page, result)[0]] = slug
        for config, expected in ((dedup.settings(), set(copies)), (bounded, set(ranked[:2]))):
            params = dedup.stored_candidate_params(query, uuid.uuid4(), dt.date(2024, 12, 3), config)
            found = fetch_dicts(cur, sql("lsh_candidates"), params)
            assert {ids[row["article_id"]] for row in found} == expected
            assert [row["article_id"] for row in found] == sorted(row["article_id"] for row in found)


def test_max_candidates_must_be_positive(tmp_path):
    import yaml

    raw = yaml.safe_load(dedup.DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    raw["max_candidates"] = 0
    with pytest.raises(dedup.DedupConfigError, match="max_candidates must be at least 1"):
        dedup.parse_config(raw)
    del raw["max_candidates"]
    with pytest.raises(dedup.DedupConfigError, match="missing setting 'max_candidates'"):
        dedup.parse_config(raw)


def test_event_ids_fold_text_as_dedup_does_for_every_code_point():
    """Event ids fold place names without numpy (event_ids.fold_text); stored ids stay the same only
    while that folding is dedup's normalize_text, code point for code point."""
    from newsflow.event_ids import fold_text

    step = 1000
    for start in range(0, 0x20000 + step, step):
        text = "a".join(chr(cp) for cp in range(start, start + step) if not 0xD800 <= cp < 0xE000)
        assert fold_text(text) == normalize_text(text), hex(start)
    for text in ["  Idlib ", "إِدْلِب", "حلب الشهباء", "Straße", "A\tB\n\n C ", "", "ـــ", "٣٤ ۵", "x\u200bY", "!!", "ﷺ"]:
        assert fold_text(text) == normalize_text(text), text


def test_an_event_coding_process_does_not_import_numpy_for_event_ids():
    code = ("import sys; from newsflow.event_ids import event_key; "
            "event_key('2024-12-02', 'day', 'ASSAULT', 'SY', 'إدلب', 'Idlib', 'RUSMIL', None); "
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
