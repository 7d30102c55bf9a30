import datetime as dt

import pytest

from newsflow.dates import EventDate, resolve_event_date

# Monday 2 December 2024, morning.
PUBLISHED = dt.datetime(2024, 12, 2, 8, 30, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("sentence, expected, expression", [
    ("وصلت الفصائل إلى أطراف المدينة عصر الجمعة بعد معارك عنيفة", dt.date(2024, 11, 29), "عصر الجمعة"),
    ("وأعلنت الفصائل، السبت، سيطرتها على المحافظة", dt.date(2024, 11, 30), "السبت"),
    ("وأصدر الوزراء بيانا مساء الأحد", dt.date(2024, 12, 1), "مساء الأحد"),
    ("بثت القناة صورا صباح اليوم الاثنين من داخل السجن", dt.date(2024, 12, 2), "صباح اليوم الاثنين"),
    ("وقعت الاشتباكات يوم الخميس الماضي", dt.date(2024, 11, 28), "يوم الخميس الماضي"),
    ("قصفت الطائرات البلدة أمس", dt.date(2024, 12, 1), "أمس"),
    ("اندلع الحريق أول أمس في السوق", dt.date(2024, 11, 30), "أول أمس"),
    ("سُمعت انفجارات الليلة الماضية", dt.date(2024, 12, 1), "الليلة الماضية"),
    ("تظاهر المئات اليوم أمام البرلمان", dt.date(2024, 12, 2), "اليوم"),
])
def test_arabic_relative_days(sentence, expected, expression):
    result = resolve_event_date(sentence, "ar", PUBLISHED)
    assert result == EventDate(expected, "day", expression)


def test_arabic_explicit_date_with_levantine_month():
    result = resolve_event_date("وفي 27 نوفمبر/تشرين الثاني المنصرم بدأ الهجوم", "ar", PUBLISHED)
    assert result.date == dt.date(2024, 11, 27)
    assert result.precision == "day"
    assert result.expression == "27 نوفمبر/تشرين الثاني المنصرم"


def test_arabic_levantine_month_alone_and_year_inference():
    # A day-month later than the publication date belongs to the previous year.
    assert resolve_event_date("في 15 كانون الأول", "ar", PUBLISHED).date == dt.date(2023, 12, 15)
    assert resolve_event_date("في 3 شباط", "ar", PUBLISHED).date == dt.date(2024, 2, 3)


def test_arabic_month_precision():
    result = resolve_event_date("عاد آلاف اللاجئين منذ سبتمبر/أيلول الماضي", "ar", PUBLISHED)
    assert (result.date, result.precision) == (dt.date(2024, 9, 1), "month")
    result = resolve_event_date("ارتفعت الأسعار الشهر الماضي", "ar", PUBLISHED)
    assert (result.date, result.precision) == (dt.date(2024, 11, 1), "month")


def test_year_alone_is_not_an_event_date():
    result = resolve_event_date("قصفت الطائرات المدينة لأول مرة منذ عام 2016", "ar", PUBLISHED)
    assert result == EventDate(PUBLISHED.date(), "day", None)


def test_verb_that_looks_like_a_month_is_ignored():
    result = resolve_event_date("مارس الوفد ضغوطا على الحكومة", "ar", PUBLISHED)
    assert result.expression is None


def test_coming_month_is_unknown():
    result = resolve_event_date("تعقد القمة في يناير المقبل", "ar", PUBLISHED)
    assert result.date is None and result.precision == "unknown"


@pytest.mark.parametrize("sentence, expected, precision", [
    ("Rebels entered the city on Friday.", dt.date(2024, 11, 29), "day"),
    ("The ministers met on Sunday evening.", dt.date(2024, 12, 1), "day"),
    ("Shelling was reported yesterday.", dt.date(2024, 12, 1), "day"),
    ("Explosions were heard last night.", dt.date(2024, 12, 1), "day"),
    ("Fighting began on Nov. 27 near the highway.", dt.date(2024, 11, 27), "day"),
    ("Fighting began on 27 November near the highway.", dt.date(2024, 11, 27), "day"),
    ("Prices rose sharply last month.", dt.date(2024, 11, 1), "month"),
    ("Refugees have returned since September.", dt.date(2024, 9, 1), "month"),
    ("Talks on Monday produced no deal.", dt.date(2024, 12, 2), "day"),
])
def test_english_expressions(sentence, expected, precision):
    result = resolve_event_date(sentence, "en", PUBLISHED)
    assert (result.date, result.precision) == (expected, precision)
    assert result.expression


@pytest.mark.parametrize("sentence, language, expected, expression", [
    # "آب" alone is August; inside "الانتخابات" it is no month.
    ("وصل الوفد في 5 آب إلى العاصمة", "ar", dt.date(2024, 8, 5), "5 آب"),
    ("جرت الانتخابات أمس في أجواء هادئة", "ar", dt.date(2024, 12, 1), "أمس"),
    # Of two expressions the more specific rule wins, wherever it stands.
    ("اندلعت المواجهات أمس بعد هدوء ساد منذ الخميس", "ar", dt.date(2024, 12, 1), "أمس"),
    ("منذ الخميس وحتى 30 نوفمبر تواصل القصف", "ar", dt.date(2024, 11, 30), "30 نوفمبر"),
    ("Protesters gathered overnight outside the ministry", "en", dt.date(2024, 12, 1), "overnight"),
    ("On Sunday, 1 December, troops withdrew", "en", dt.date(2024, 12, 1), "1 December"),
])
def test_rules_run_only_on_their_words(sentence, language, expected, expression):
    result = resolve_event_date(sentence, language, PUBLISHED)
    assert (result.date, result.expression) == (expected, expression)


def test_no_expression_falls_back_to_publication_date():
    result = resolve_event_date("The army said it repelled the attack.", "en", PUBLISHED)
    assert result == EventDate(dt.date(2024, 12, 2), "day", None)


def test_no_publication_date_is_unknown():
    assert resolve_event_date("Rebels entered the city on Friday.", "en", None).precision == "unknown"


def test_date_published_as_date_object():
    assert resolve_event_date("on Friday", "en", dt.date(2024, 12, 2)).date == dt.date(2024, 11, 29)
