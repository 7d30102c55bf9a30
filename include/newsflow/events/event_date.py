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


def _background_years(folded: str, trigger_at: int | None = None) -> Iterator[tuple[str, bool]]:
    """The years of a sentence that may be the time of its act, each with whether it stands in a
    relative clause or an apposition: such a year ("the conflict that began after the 2011
    revolution", "الصراع الذي بدأ في أعقاب ثورة 2011") dates another thing, and the act may well
    be of the day, unless the act is told in that clause (`trigger_at`, its folded offset in the
    sentence: "the group, which attacked the embassy in 2012, ..."). Never a year after "since"
    ("for the first time since 2016")."""
    for match in _YEAR.finditer(folded):
        head = _APPOSITION_BREAKS.split(folded[:match.start()])[-1]
        clause = head.split()
        if clause and (clause[-1] in _YEAR_STARTS or len(clause) > 1 and clause[-2] in _YEAR_STARTS):
            continue
        words = {bare_word(w.strip(WORD_PUNCTUATION)) for w in clause} | set(clause)
        if words.isdisjoint(_RELATIVES):
            yield match.group(), False
        elif trigger_at is not None and \
                _relative_start(folded, head, match.start() - len(head)) <= trigger_at < match.start():
            yield match.group(), True  # the year of the act told in the relative clause
        else:
            yield "", True  # dates another thing than an act outside its clause


def _relative_start(sentence: str, head: str, offset: int) -> int:
    """Where the last relative clause of `head` (the stretch of the folded `sentence` at `offset`
    before a year) begins, with the word it describes ("the bombing, which killed 12 in 2014")."""
    position = len(head)
    for word in reversed(head.split()):
        position = head.rindex(word, 0, position)
        bare = word.strip(WORD_PUNCTUATION)
        if bare in _RELATIVES or bare_word(bare) in _RELATIVES:
            before = sentence[:offset + position].rstrip(" ,،")
            return before.rfind(" ") + 1 if before else offset + position
    return offset + len(head)


def event_date(doc: Document, sentence,
               trigger_fstart: int | None = None) -> tuple[str | None, str, bool, bool, bool]:
    """The event's date, its precision, whether an expression of the sentence gave it, whether
    the sentence names an earlier year (before the publication's; any year when it is unknown)
    for the act of the trigger at folded offset `trigger_fstart`, and whether another trigger of
    the sentence may read its years otherwise (a year of a relative clause)."""
    from newsflow.dates import resolve_event_date

    start, end = doc.fold_index(sentence.start), doc.fold_index(sentence.end)
    folded = doc.folded[start:end]
    resolved = resolve_event_date(sentence.text, doc.language, doc.published_at, folded, doc.date_rules(start, end))
    has_year = "19" in folded or "20" in folded  # most sentences name no year: skip the searches
    years = list(_background_years(folded, None if trigger_fstart is None else trigger_fstart - start)) \
        if has_year else []
    by_trigger = any(relative for _, relative in years)
    earlier_year = any(year and (doc.published_at is None or int(year) < doc.published_at.year)
                       for year, _ in years)
    if any(relative and year and doc.published_at is not None and int(year) < doc.published_at.year
           for year, relative in years):
        # "the town, which rebels took in 2016, ... yesterday": the day of the sentence is not
        # that of the act its relative clause tells with its own, earlier year.
        return None, "unknown", False, True, by_trigger
    if resolved is None or resolved.date is None:
        return None, "unknown", bool(resolved and resolved.expression), earlier_year, by_trigger
    if resolved.expression is None and earlier_year and doc.published_at is not None and any(
            int(year) < doc.published_at.year and before not in _YEAR_STARTS
            for before, year in _ACT_YEAR.findall(folded)):
        # "the resolution adopted in 2015 calls for ...": an act of an earlier year told as
        # background is not one of the publication day (a year alone is no event date).
        return None, "unknown", False, earlier_year, by_trigger
    return resolved.date.isoformat(), resolved.precision, resolved.expression is not None, earlier_year, by_trigger


