"""When an event happened: the date an expression of its sentence gives (newsflow.dates), and
whether the sentence tells an act of an earlier year rather than one of the publication day."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from newsflow.events.document import bare_word
from newsflow.events.lexicon import WORD_PUNCTUATION, grammar, grammar_words

if TYPE_CHECKING:
    from newsflow.events.document import Document

_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20\d\d)(?!\d)")
# A year told as the time of the act ("adopted in 2015", "عام 2015"), not as a start ("since 2016").
# (data/events/grammar.yaml, dates: the markers of such a year, the words of a start, the relatives)
_ACT_YEAR = re.compile(r"(?:(\S+) )?(?:" + "|".join(map(re.escape, (
    *grammar()["dates"]["act_year_markers"].get("en", ()), *grammar()["dates"]["act_year_markers"].get("ar", ()))))
    + r")\s+(19[4-9]\d|20\d\d)(?!\d)")
_YEAR_STARTS = grammar_words("dates", "year_starts")
_RELATIVES = grammar_words("dates", "relatives")
_APPOSITION_BREAKS = re.compile(r"[،,;؛:()\"«»“”]")


def _background_years(folded: str) -> Iterator[str]:
    """The years of a sentence that may be the time of its act: not a year inside a relative
    clause or an apposition ("the conflict that began after the 2011 revolution", "الصراع الذي
    بدأ في أعقاب ثورة 2011") nor one after "since" ("for the first time since 2016"): those
    date another thing, and the act may well be of the day."""
    for match in _YEAR.finditer(folded):
        clause = _APPOSITION_BREAKS.split(folded[:match.start()])[-1].split()
        words = {bare_word(w.strip(WORD_PUNCTUATION)) for w in clause} | set(clause)
        if words.isdisjoint(_RELATIVES) and not (clause and (
                clause[-1] in _YEAR_STARTS or len(clause) > 1 and clause[-2] in _YEAR_STARTS)):
            yield match.group()


def event_date(doc: Document, sentence) -> tuple[str | None, str, bool, bool]:
    """The event's date, its precision, whether an expression of the sentence gave it, and whether
    the sentence names an earlier year (before the publication's; any year when it is unknown)."""
    from newsflow.dates import resolve_event_date

    start, end = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
    folded = doc.folded[start:end]
    resolved = resolve_event_date(sentence.text, doc.language, doc.published_at, folded, doc.date_rules(start, end))
    has_year = "19" in folded or "20" in folded  # most sentences name no year: skip the searches
    earlier_year = has_year and any(doc.published_at is None or int(year) < doc.published_at.year
                                    for year in _background_years(folded))
    if resolved is None or resolved.date is None:
        return None, "unknown", bool(resolved and resolved.expression), earlier_year
    if resolved.expression is None and earlier_year and doc.published_at is not None and any(
            int(year) < doc.published_at.year and before not in _YEAR_STARTS
            for before, year in _ACT_YEAR.findall(folded)):
        # "the resolution adopted in 2015 calls for ...": an act of an earlier year told as
        # background is not one of the publication day (a year alone is no event date).
        return None, "unknown", False, earlier_year
    return resolved.date.isoformat(), resolved.precision, resolved.expression is not None, earlier_year


