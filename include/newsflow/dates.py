"""Event dates: the date a sentence's event happened, resolved against the
article's publication date (never the wall clock).

Handles weekday names (the most recent such day on or before publication),
today / yesterday / the day before yesterday / last night, explicit day-month
dates with standard, Levantine and English month names, month-only
expressions ("in September", "last month"), in Arabic and English.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from operator import itemgetter

from newsflow.text import FOLD_TABLE, fold_offsets, fold_with_offsets


@dataclass
class EventDate:
    date: dt.date | None
    precision: str  # 'day' | 'month' | 'unknown'
    expression: str | None  # None: fell back to the publication date


# Keys are normalised (normalize_arabic / lower case).
_ARABIC_MONTHS = {
    # Standard (Egyptian / Maghreb usage, Al Jazeera's first form)
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6,
    "يوليو": 7, "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "يونيه": 6, "يوليه": 7, "غشت": 8, "شتنبر": 9, "نونبر": 11, "دجنبر": 12,
    # Levantine / Iraqi (Syriac) names
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6,
    "تموز": 7, "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
}
_ENGLISH_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_ARABIC_WEEKDAYS = {  # Python weekday(): Monday = 0
    "الاثنين": 0, "الاتنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3,
    "الجمعه": 4, "السبت": 5, "الاحد": 6,
}
_ENGLISH_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


# Clitic prefixes allowed before Arabic date words (وفي، بـ، ل...).
_AR_PREFIX = r"(?:(?<=\s)|(?<=^)|(?<=[و]))"
_AR_MONTH = _alternation(_ARABIC_MONTHS)
_AR_WEEKDAY = _alternation(_ARABIC_WEEKDAYS)
_AR_END = r"(?![\u0621-\u064A])"

# Day + month (optionally "نوفمبر/تشرين الثاني") + optional year.
_AR_DAY_MONTH = re.compile(
    rf"(?<![\d])(\d{{1,2}})\s*(?:من\s+)?(?:شهر\s+)?({_AR_MONTH})(?:\s*[/\-(]\s*(?:{_AR_MONTH})\s*\)?)?{_AR_END}"
    rf"(?:\s+(?:عام\s+|سنه\s+)?(\d{{4}}))?(?:\s+(?:الماضي|المنصرم|الفايت|الجاري))?"
)
# Month without a day: "في سبتمبر/أيلول الماضي", "الشهر الماضي".
# A preposition or "شهر" is required: مارس is also a common verb.
_AR_MONTH_ONLY = re.compile(
    rf"(?<![\u0621-\u064A])(?:[وف]?(?:في|منذ|خلال|مطلع|اواخر|اوايل|منتصف|بدايه|نهايه|شهر)\s+)(?:شهر\s+)?"
    rf"({_AR_MONTH})(?:\s*[/\-(]\s*(?:{_AR_MONTH})\s*\)?)?{_AR_END}"
    rf"(?:\s+(?:عام\s+|سنه\s+)?(\d{{4}}))?(?:\s+(الماضي|المنصرم|الفايت|الجاري|المقبل|القادم))?"
)
_AR_LAST_MONTH = re.compile(r"الشهر\s+(?:الماضي|المنصرم|الفايت)")
_AR_THIS_MONTH = re.compile(r"(?:هذا\s+الشهر|الشهر\s+الجاري|الشهر\s+الحالي)")
_AR_DAY_BEFORE_YESTERDAY = re.compile(r"(?:اول\s+من\s+امس|اول\s+امس|قبل\s+يومين)")
_AR_YESTERDAY = re.compile(r"(?<![\u0621-\u064A])(?:[وف]?(?:امس|البارحه)|الليله\s+الماضيه|ليل\s+امس|مساء\s+امس|صباح\s+امس)(?![\u0621-\u064A])")
_AR_TODAY = re.compile(r"(?<![\u0621-\u064A])[وف]?(?:اليوم|الليله|هذا\s+الصباح|صباح\s+اليوم|مساء\s+اليوم)(?![\u0621-\u064A])")
_AR_WEEKDAY_RE = re.compile(
    rf"(?<![\u0621-\u064A])(?:[وف]?(?:ليل|ليله|مساء|صباح|عصر|ظهر|فجر|ظهيره)\s+)?(?:[وف]?(?:اليوم|يوم)\s+)?"
    rf"[وفب]?({_AR_WEEKDAY}){_AR_END}(?:\s+(?:الماضي|المنصرم|الفايت))?"
)

_EN_MONTH = _alternation(_ENGLISH_MONTHS)
_EN_WEEKDAY = _alternation(_ENGLISH_WEEKDAYS)
_EN_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_EN_MONTH})\b\.?(?:,?\s+(\d{{4}}))?", re.I)
_EN_MONTH_DAY = re.compile(rf"\b({_EN_MONTH})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?", re.I)
_EN_MONTH_ONLY = re.compile(rf"\b(?:in|since|during|early|late|mid-?|last|this|since\s+early|since\s+late)\s+({_EN_MONTH})\b(?:\s+(\d{{4}}))?", re.I)
_EN_LAST_MONTH = re.compile(r"\blast\s+month\b", re.I)
_EN_THIS_MONTH = re.compile(r"\b(?:this|earlier\s+this)\s+month\b", re.I)
_EN_DAY_BEFORE_YESTERDAY = re.compile(r"\b(?:the\s+)?day\s+before\s+yesterday\b", re.I)
_EN_YESTERDAY = re.compile(r"\b(?:yesterday|last\s+night|overnight)\b", re.I)
_EN_TODAY = re.compile(r"\b(?:today|this\s+(?:morning|afternoon|evening)|tonight)\b", re.I)
_EN_WEEKDAY_RE = re.compile(rf"\b(?:(?:on|last|late|early|since)\s+)?({_EN_WEEKDAY})\b", re.I)


def _publication_date(published_at) -> dt.date | None:
    if published_at is None:
        return None
    if isinstance(published_at, dt.datetime):
        return published_at.date()
    if isinstance(published_at, dt.date):
        return published_at
    return None


def _most_recent_weekday(reference: dt.date, weekday: int) -> dt.date:
    return reference - dt.timedelta(days=(reference.weekday() - weekday) % 7)


def _day_month(reference: dt.date, day: int, month: int, year: int | None) -> dt.date | None:
    """The date with that day and month; without a year, the latest one not
    after the publication date."""
    candidates = [year] if year else [reference.year, reference.year - 1]
    for candidate_year in candidates:
        try:
            date = dt.date(candidate_year, month, day)
        except ValueError:
            continue
        if year or date <= reference:
            return date
    return None


def _month_start(reference: dt.date, month: int, year: int | None) -> dt.date:
    if year:
        return dt.date(year, month, 1)
    year = reference.year if month <= reference.month else reference.year - 1
    return dt.date(year, month, 1)


def _previous_month(reference: dt.date) -> dt.date:
    first = reference.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def _resolve(text: str, reference: dt.date, arabic: bool, rules: frozenset[int] | None) -> EventDate | None:
    """First matching rule, from the most specific expression to the least;
    `rules`: see resolve_event_date."""
    for pattern, build in _rules_to_try(text, arabic, rules):
        for match in pattern.finditer(text):
            result = build(match, reference)
            if result is not None:
                # expression as a (start, end) span of `text` for the caller to map
                result.expression = _stripped_span(match)
                return result
    return None


def _stripped_span(match) -> tuple[int, int]:
    value = match.group()
    start = match.start() + (len(value) - len(value.lstrip()))
    return start, start + len(value.strip())


def _int(value) -> int | None:
    return int(value) if value else None


def _arabic_day_month(m, ref):
    month = _ARABIC_MONTHS[re.sub(r"\s+", " ", m.group(2))]
    date = _day_month(ref, int(m.group(1)), month, _int(m.group(3)))
    return EventDate(date, "day", m.group().strip()) if date else None


def _arabic_month_only(m, ref):
    month = _ARABIC_MONTHS[re.sub(r"\s+", " ", m.group(1))]
    if m.group(3) in ("المقبل", "القادم"):  # a coming month: a plan, not an event date
        return EventDate(None, "unknown", None)
    return EventDate(_month_start(ref, month, _int(m.group(2))), "month", m.group().strip())


def _english_day_month(m, ref):
    date = _day_month(ref, int(m.group(1)), _ENGLISH_MONTHS[m.group(2).lower()], _int(m.group(3)))
    return EventDate(date, "day", m.group().strip()) if date else None


def _english_month_day(m, ref):
    date = _day_month(ref, int(m.group(2)), _ENGLISH_MONTHS[m.group(1).lower()], _int(m.group(3)))
    return EventDate(date, "day", m.group().strip()) if date else None


def _english_month_only(m, ref):
    month = _ENGLISH_MONTHS[m.group(1).lower()]
    if month == 5 and m.group(1) == "may":  # the verb "may"
        return None
    return EventDate(_month_start(ref, month, _int(m.group(2))), "month", m.group().strip())


def _offset(days: int, precision: str = "day"):
    return lambda m, ref: EventDate(ref - dt.timedelta(days=days), precision, m.group().strip())


def _weekday(table):
    return lambda m, ref: EventDate(
        _most_recent_weekday(ref, table[m.group(1).lower()]), "day", m.group().strip())


# Every rule needs one of its words (plain substrings of the folded text):
# only the rules whose words occur are run, and most sentences have none.
_MONTH_WORDS_AR = [m.split()[0] for m in _ARABIC_MONTHS if m != "اب"]
_ENGLISH_MONTH_WORDS = list(_ENGLISH_MONTHS)
_ARABIC_RULES = [
    (_AR_DAY_MONTH, _arabic_day_month, _MONTH_WORDS_AR),
    (_AR_DAY_BEFORE_YESTERDAY, _offset(2), ["امس", "يومين"]),
    (_AR_YESTERDAY, _offset(1), ["امس", "البارحه", "الليله"]),
    (_AR_WEEKDAY_RE, _weekday(_ARABIC_WEEKDAYS), list(_ARABIC_WEEKDAYS)),
    (_AR_TODAY, _offset(0), ["اليوم", "الليله", "الصباح"]),
    (_AR_MONTH_ONLY, _arabic_month_only, _MONTH_WORDS_AR),
    (_AR_LAST_MONTH, lambda m, ref: EventDate(_previous_month(ref), "month", m.group()), ["الشهر"]),
    (_AR_THIS_MONTH, lambda m, ref: EventDate(ref.replace(day=1), "month", m.group()), ["الشهر"]),
]
_ENGLISH_RULES = [
    (_EN_DAY_MONTH, _english_day_month, _ENGLISH_MONTH_WORDS),
    (_EN_MONTH_DAY, _english_month_day, _ENGLISH_MONTH_WORDS),
    (_EN_DAY_BEFORE_YESTERDAY, _offset(2), ["yesterday"]),
    (_EN_YESTERDAY, _offset(1), ["yesterday", "night"]),
    (_EN_WEEKDAY_RE, _weekday(_ENGLISH_WEEKDAYS), list(_ENGLISH_WEEKDAYS)),
    (_EN_TODAY, _offset(0), ["today", "tonight", "morning", "afternoon", "evening"]),
    (_EN_MONTH_ONLY, _english_month_only, _ENGLISH_MONTH_WORDS),
    (_EN_LAST_MONTH, lambda m, ref: EventDate(_previous_month(ref), "month", m.group()), ["month"]),
    (_EN_THIS_MONTH, lambda m, ref: EventDate(ref.replace(day=1), "month", m.group()), ["month"]),
]
# "اب" (August) is also part of many words: it is tested as a whole word,
# for the rules that take a month name.
_ARABIC_AUGUST = re.compile(r"(?<![\u0621-\u064A])[وفب]?اب(?![\u0621-\u064A])")
_AUGUST_RULES = frozenset(i for i, (_, _, words) in enumerate(_ARABIC_RULES) if words is _MONTH_WORDS_AR)


def _rule_words(rules):
    """Aho-Corasick automaton from each rule word to the indexes of the rules needing it."""
    import ahocorasick

    needed_by: dict[str, set[int]] = {}
    for index, (_, _, words) in enumerate(rules):
        for word in words:
            needed_by.setdefault(word, set()).add(index)
    automaton = ahocorasick.Automaton()
    for word, indexes in needed_by.items():
        automaton.add_word(word, frozenset(indexes))
    automaton.make_automaton()
    return automaton


_ARABIC_WORDS = _rule_words(_ARABIC_RULES)
_FOUND = itemgetter(1)  # the rule indexes of an automaton hit
_ENGLISH_WORDS = _rule_words(_ENGLISH_RULES)


def rules_in(text: str, arabic: bool) -> frozenset[int]:
    """The date rules whose words occur in `text` (folded), as indexes. Rule words
    hold no space: the rules of a text are those of its space-separated pieces."""
    if arabic:
        indexes = set().union(*map(_FOUND, _ARABIC_WORDS.iter(text)))
        if "اب" in text and not _AUGUST_RULES <= indexes and _ARABIC_AUGUST.search(text) is not None:
            indexes |= _AUGUST_RULES
    else:
        indexes = set().union(*map(_FOUND, _ENGLISH_WORDS.iter(text.lower())))
    return frozenset(indexes)


def _rules_to_try(text: str, arabic: bool, indexes: frozenset[int] | None = None) -> list[tuple]:
    """(pattern, build) of the rules, in order, whose words occur in `text`
    (or of `indexes`, from rules_in)."""
    if indexes is None:
        indexes = rules_in(text, arabic)
    rules = _ARABIC_RULES if arabic else _ENGLISH_RULES
    return [rules[index][:2] for index in sorted(indexes)]


def resolve_event_date(sentence: str, language: str | None, published_at,
                       folded: str | None = None, rules: frozenset[int] | None = None) -> EventDate:
    """The event date of `sentence` relative to the publication date.

    Without a date expression the publication date is used (precision 'day',
    expression None). Without a publication date nothing relative can be
    resolved: precision 'unknown'. Years alone ("in 2016") are not event dates.
    `folded` is the sentence folded, when the caller has it; `rules`, the rules
    found in it by ``rules_in`` (or in its pieces: more rules only cost time).
    """
    reference = _publication_date(published_at)
    if reference is None:
        return EventDate(None, "unknown", None)
    arabic = language == "ar" or (language is None and re.search(r"[\u0621-\u064A]", sentence) is not None)
    # Rules run on folded text (no diacritics, one alef, lower case); the
    # reported expression is the matching stretch of the original sentence.
    if folded is None:
        folded = sentence.translate(FOLD_TABLE)
    result = _resolve(folded, reference, arabic, rules)
    if result is not None and result.expression is not None:
        start, end = result.expression
        # Only now: most sentences have no expression. Its characters are
        # known from folding it, so the offsets need no second folding.
        offsets = fold_offsets(sentence)
        if len(offsets) != len(folded):  # folded by other means than FOLD_TABLE
            offsets = fold_with_offsets(sentence)[1]
        result.expression = sentence[offsets[start]:offsets[end - 1] + 1]
    if result is not None and result.date is not None and result.date > reference:
        # Expressions never point after the publication date in news reports
        # of past events; a future date is a plan, not the event's date.
        return EventDate(None, "unknown", result.expression)
    return result or EventDate(reference, "day", None)
