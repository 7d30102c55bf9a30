from newsflow.text import (
    FOLD_TABLE,
    Sentence,
    detect_language,
    fold_offsets,
    fold_with_offsets,
    normalize_arabic,
    normalize_for_match,
    split_sentences,
    strip_clitics,
    tokenize,
)


def test_detect_language_arabic_english_french():
    assert detect_language("سيطرت فصائل المعارضة على مدينة حلب شمالي سوريا يوم الجمعة") == "ar"
    assert detect_language("Opposition fighters took control of most of Aleppo on Friday.") == "en"
    assert detect_language("Les combattants de l'opposition ont pris le contrôle de la ville vendredi.") == "fr"


def test_detect_language_empty_or_symbols():
    assert detect_language("") is None
    assert detect_language("  123 -- !! ") is None


def test_normalize_arabic_folds_variants():
    assert normalize_arabic("إدلبُ") == "ادلب"
    assert normalize_arabic("أَمْس") == "امس"
    assert normalize_arabic("آمال") == "امال"
    assert normalize_arabic("حماة") == "حماه"
    assert normalize_arabic("مستشفى") == "مستشفي"
    assert normalize_arabic("مؤسسة") == "موسسه"
    assert normalize_arabic("رئيس") == "رييس"
    assert normalize_arabic("مســـيّرة") == "مسيره"


def test_normalize_arabic_presentation_forms():
    # U+FEFB is the lam-alef ligature presentation form.
    assert normalize_arabic("\ufefb") == "لا"


def test_normalize_for_match_by_language():
    assert normalize_for_match("ALEPPO", "en") == "aleppo"
    assert normalize_for_match("قرى إدلب", "ar") == "قري ادلب"


def test_strip_clitics_prefixes():
    assert "الجوبة" in strip_clitics("والجوبة")
    assert "حلب" in strip_clitics("بحلب")
    assert "المدينة" in strip_clitics("للمدينة")
    assert strip_clitics("حلب")[0] == "حلب"
    # never strip down to a single letter
    assert all(len(stem) >= 2 for stem in strip_clitics("وب"))


def test_fold_with_offsets_maps_back():
    text = "Ma‘arrat al-Numan قصفتْ"
    folded, offsets = fold_with_offsets(text)
    assert folded == "ma arrat al numan قصفت"
    assert len(folded) == len(offsets)
    start = folded.index("numan")
    assert text[offsets[start]:offsets[start + 4] + 1] == "Numan"


def test_fold_with_offsets_marks_and_ligatures_twice():
    # Harakat and tatweel fold to nothing, the lam-alef ligature to two
    # letters; words seen before fold the same way again.
    text = "قصفَ الطيرانُ مواقعَ ﻻذقية\tوقصفـــت «الطائرات» مواقع-أخرى  فجرَ ﻻذقية"
    expected_offsets = [index for index, ch in enumerate(text) for _ in FOLD_TABLE[ord(ch)]]
    for _ in range(2):
        folded, offsets = fold_with_offsets(text)
        assert folded == text.translate(FOLD_TABLE)
        assert list(offsets) == expected_offsets
        assert list(fold_offsets(text)) == expected_offsets
    start = folded.index("لاذقيه")
    assert text[offsets[start]:offsets[start + 5] + 1] == "ﻻذقية"
    plain, plain_offsets = fold_with_offsets("Idlib and Hama")
    assert plain == "idlib and hama" and plain_offsets == range(14)


def test_tokenize_keeps_arabic_marks_in_words():
    tokens = tokenize("طائرة مسيّرة hit U.S. base")
    assert [t[2] for t in tokens] == ["طائرة", "مسيّرة", "hit", "U", "S", "base"]
    for start, end, token in tokens:
        assert "طائرة مسيّرة hit U.S. base"[start:end] == token


def test_split_sentences_arabic_punctuation():
    text = "دخلت الفصائل المدينة. هل انسحب الجيش؟ نعم؛ انسحب سريعا!\nبيان جديد"
    sentences = split_sentences(text, "ar")
    assert [s.text for s in sentences] == [
        "دخلت الفصائل المدينة.", "هل انسحب الجيش؟", "نعم؛", "انسحب سريعا!", "بيان جديد"]
    for sentence in sentences:
        assert isinstance(sentence, Sentence)
        assert text[sentence.start:sentence.end] == sentence.text


def test_split_sentences_english_abbreviations_and_decimals():
    text = "Mr. Haddad met U.S. envoys on Dec. 3 in Amman. About 16.7 million people need aid. Dr. Lee agreed."
    sentences = [s.text for s in split_sentences(text, "en")]
    assert sentences == [
        "Mr. Haddad met U.S. envoys on Dec. 3 in Amman.",
        "About 16.7 million people need aid.",
        "Dr. Lee agreed.",
    ]


def test_fold_possessive_keeps_name_whole():
    folded, offsets = fold_with_offsets("Aleppo's prison")
    assert folded.split(" ")[0] == "aleppo"
    assert list(offsets) == list(range(len("Aleppo's prison")))
