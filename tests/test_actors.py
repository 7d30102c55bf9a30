"""Actor matching on invented sentences: words and multi-word names, clitics,
punctuation, and results that do not depend on what was matched before."""

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
