"""Tests for extractor.dates: every family is a table of text -> expected mention."""

from __future__ import annotations

from datetime import date

import pytest

from extractor.dates import DateMention, days_between, find_dates, note_day_first, parse_iso_date

REF = date(2024, 6, 15)  # a Saturday; every table below is resolved against it

D = date  # short alias for the tables


def summary(m: DateMention) -> tuple[str, date, date, str, str]:
    return m.text, m.date_min, m.date_max, m.precision, m.kind


def only(text: str, ref: date | None = REF, day_first: bool | None = None) -> DateMention:
    found = find_dates(text, ref, day_first=day_first)
    assert len(found) == 1, f"expected one mention in {text!r}, got {[m.text for m in found]}"
    m = found[0]
    assert text[m.start:m.end] == m.text
    return m


def check(text: str, expected: tuple[str, date, date, str, str]) -> None:
    assert summary(only(text)) == expected


# --------------------------------------------------------------------------------------------------
# absolute numeric dates

@pytest.mark.parametrize("text, expected", [
    ("Biopsy 2024-03-15.", ("2024-03-15", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Biopsy 2024/03/15", ("2024/03/15", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Biopsy 2024.03.15", ("2024.03.15", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Biopsy 03/15/2024", ("03/15/2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Biopsy 3/15/24", ("3/15/24", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Biopsy 15/03/2024", ("15/03/2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Biopsy 15.03.2024", ("15.03.2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Biopsy 15-03-2024", ("15-03-2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Leap day 02/29/2024", ("02/29/2024", D(2024, 2, 29), D(2024, 2, 29), "day", "absolute")),
    ("DOB: 12/31/1999", ("12/31/1999", D(1999, 12, 31), D(1999, 12, 31), "day", "absolute")),
    ("DOB 1/2/65", ("1/2/65", D(1965, 1, 2), D(1965, 1, 2), "day", "absolute")),
    ("Labs 2024-03-15 10:30 drawn", ("2024-03-15", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Infusion 2024-03-15T08:00", ("2024-03-15", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("肾穿刺 2024年9月15日", ("2024年9月15日", D(2024, 9, 15), D(2024, 9, 15), "day", "absolute")),
])
def test_absolute_numeric(text: str, expected: tuple) -> None:
    check(text, expected)


# --------------------------------------------------------------------------------------------------
# month names (English and Spanish), day precision

@pytest.mark.parametrize("text, expected", [
    ("on March 15, 2024", ("March 15, 2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Mar 15 2024 visit", ("Mar 15 2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("Mar. 15th, 2024", ("Mar. 15th, 2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("15 March 2024", ("15 March 2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("15-Mar-2024", ("15-Mar-2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("15-Mar-24", ("15-Mar-24", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("the 15th of March, 2024", ("15th of March, 2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("SEPT 3, 2023", ("SEPT 3, 2023", D(2023, 9, 3), D(2023, 9, 3), "day", "absolute")),
    ("december 31 2023", ("december 31 2023", D(2023, 12, 31), D(2023, 12, 31), "day", "absolute")),
    ("15 de marzo de 2024", ("15 de marzo de 2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("3 d'abril de 2024", ("3 d'abril de 2024", D(2024, 4, 3), D(2024, 4, 3), "day", "absolute")),   # Catalan
    ("el 5 de marzo del 24", ("5 de marzo del 24", D(2024, 3, 5), D(2024, 3, 5), "day", "absolute")),
    ("15 de març de 2024", ("15 de març de 2024", D(2024, 3, 15), D(2024, 3, 15), "day", "absolute")),
    ("1 de enero del 2024", ("1 de enero del 2024", D(2024, 1, 1), D(2024, 1, 1), "day", "absolute")),
    ("12 dic 2023", ("12 dic 2023", D(2023, 12, 12), D(2023, 12, 12), "day", "absolute")),
    ("agosto 3, 2022", ("agosto 3, 2022", D(2022, 8, 3), D(2022, 8, 3), "day", "absolute")),
    # French, German, Italian and Dutch, as left in translated notes
    ("PBR le 3 mars 2024", ("3 mars 2024", D(2024, 3, 3), D(2024, 3, 3), "day", "absolute")),
    ("le 1er juillet 2023", ("1er juillet 2023", D(2023, 7, 1), D(2023, 7, 1), "day", "absolute")),
    ("am 3. März 2024", ("3. März 2024", D(2024, 3, 3), D(2024, 3, 3), "day", "absolute")),
    ("12. Dezember 2024", ("12. Dezember 2024", D(2024, 12, 12), D(2024, 12, 12), "day", "absolute")),
    ("il 5 giugno 2021", ("5 giugno 2021", D(2021, 6, 5), D(2021, 6, 5), "day", "absolute")),
    ("op 14 mei 2022", ("14 mei 2022", D(2022, 5, 14), D(2022, 5, 14), "day", "absolute")),
    ("en juin 2024", ("juin 2024", D(2024, 6, 1), D(2024, 6, 30), "month", "absolute")),
    ("a luglio 2025", ("luglio 2025", D(2025, 7, 1), D(2025, 7, 31), "month", "absolute")),
    ("seit Jänner 2024", ("Jänner 2024", D(2024, 1, 1), D(2024, 1, 31), "month", "absolute")),
    ("Kontrolle 14.03.24", ("14.03.24", D(2024, 3, 14), D(2024, 3, 14), "day", "absolute")),
    ("Biopsie am 03.04.2024", ("03.04.2024", D(2024, 4, 3), D(2024, 4, 3), "day", "absolute")),  # dots: day-first
])
def test_month_names(text: str, expected: tuple) -> None:
    check(text, expected)


# --------------------------------------------------------------------------------------------------
# month and year

@pytest.mark.parametrize("text, expected", [
    ("biopsy in March 2024", ("March 2024", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    ("Mar-2024", ("Mar-2024", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    ("in March of 2024", ("March of 2024", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    ("03/2024", ("03/2024", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    ("since 3/2024", ("3/2024", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    # dotted or dashed, as European notes write a month: "complete response 12.2019", "rituximab (03-2019)"
    ("complete response 12.2019", ("12.2019", D(2019, 12, 1), D(2019, 12, 31), "month", "absolute")),
    # a year read out as dictated
    ("tratada con rituximab en dos mil quince.", ("dos mil quince", D(2015, 1, 1), D(2015, 12, 31), "year", "absolute")),
    ("el treinta y uno de mayo de dos mil veinticuatro",
     ("treinta y uno de mayo de dos mil veinticuatro", D(2024, 5, 31), D(2024, 5, 31), "day", "absolute")),
    ("rituximab (03-2019)", ("03-2019", D(2019, 3, 1), D(2019, 3, 31), "month", "absolute")),
    ("2024-03", ("2024-03", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    ("Feb 2023", ("Feb 2023", D(2023, 2, 1), D(2023, 2, 28), "month", "absolute")),
    ("Sept. 2023", ("Sept. 2023", D(2023, 9, 1), D(2023, 9, 30), "month", "absolute")),
    ("marzo de 2024", ("marzo de 2024", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    ("febrero 2024", ("febrero 2024", D(2024, 2, 1), D(2024, 2, 29), "month", "absolute")),
    ("juny de 2024", ("juny de 2024", D(2024, 6, 1), D(2024, 6, 30), "month", "absolute")),
    ("lo dejó en marzo del 24", ("marzo del 24", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),  # colloquial year
    ("NOVEMBER, 2021", ("NOVEMBER, 2021", D(2021, 11, 1), D(2021, 11, 30), "month", "absolute")),
    ("March '24", ("March '24", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    ("two doses in November\n2018, for ITP", ("November\n2018", D(2018, 11, 1), D(2018, 11, 30), "month", "absolute")),
    # either of two months, one year
    ("outside bx Aug/Sept 2024 - report", ("Aug/Sept 2024", D(2024, 8, 1), D(2024, 9, 30), "month", "absolute")),
    ("bx late Aug/early Sept 2024.", ("Aug/early Sept 2024", D(2024, 8, 1), D(2024, 9, 30), "month", "absolute")),
    ("Dec or early Jan 2025", ("Dec or early Jan 2025", D(2024, 12, 1), D(2025, 1, 31), "month", "absolute")),
    ("MMF Jan-Mar 2024", ("Jan-Mar 2024", D(2024, 1, 1), D(2024, 3, 31), "month", "absolute")),
    # from one month to another, one year after both
    ("Belimumab de enero a agosto de 2024.", ("enero a agosto de 2024", D(2024, 1, 1), D(2024, 8, 31), "month", "absolute")),
    ("took it from Jan through Aug 2024", ("Jan through Aug 2024", D(2024, 1, 1), D(2024, 8, 31), "month", "absolute")),
    ("RTX entre noviembre y diciembre de 2023", ("noviembre y diciembre de 2023", D(2023, 11, 1), D(2023, 12, 31), "month", "absolute")),
    ("du novembre à janvier 2024", ("novembre à janvier 2024", D(2023, 11, 1), D(2024, 1, 31), "month", "absolute")),
    # a day that could not be read: the month still dates it, on either side
    ("Biopsia renal ([illegible].11.2023): clase IV", ("[illegible].11.2023", D(2023, 11, 1), D(2023, 11, 30), "month", "absolute")),
    ("biopsia ??/11/2023", ("??/11/2023", D(2023, 11, 1), D(2023, 11, 30), "month", "absolute")),
    ("bx XX/03/2024 outside", ("XX/03/2024", D(2024, 3, 1), D(2024, 3, 31), "month", "absolute")),
    ("bx 11/??/2023 class IV", ("11/??/2023", D(2023, 11, 1), D(2023, 11, 30), "month", "absolute")),
    ("rituximab 2 x 1 g (02-03/2022).", ("02-03/2022", D(2022, 2, 1), D(2022, 3, 31), "month", "absolute")),
    # Chinese and Japanese dates, with a day left unread
    ("biopsy was performed on 2024年9月[illegible]日 during this stay", ("2024年9月[illegible]日", D(2024, 9, 1), D(2024, 9, 30), "month", "absolute")),
    ("入院 2024年9月", ("2024年9月", D(2024, 9, 1), D(2024, 9, 30), "month", "absolute")),
])
def test_month_year(text: str, expected: tuple) -> None:
    check(text, expected)


# --------------------------------------------------------------------------------------------------
# seasons with a year (Northern hemisphere; winter Y = Dec Y-1 .. Feb Y)

@pytest.mark.parametrize("text, expected", [
    ("spring 2023", ("spring 2023", D(2023, 3, 1), D(2023, 5, 31), "season", "absolute")),
    ("in the spring of 2023", ("spring of 2023", D(2023, 3, 1), D(2023, 5, 31), "season", "absolute")),
    ("summer of 2022", ("summer of 2022", D(2022, 6, 1), D(2022, 8, 31), "season", "absolute")),
    ("fall 2021", ("fall 2021", D(2021, 9, 1), D(2021, 11, 30), "season", "absolute")),
    ("autumn of 2020", ("autumn of 2020", D(2020, 9, 1), D(2020, 11, 30), "season", "absolute")),
    ("winter 2023", ("winter 2023", D(2022, 12, 1), D(2023, 2, 28), "season", "absolute")),
    ("Winter 2024", ("Winter 2024", D(2023, 12, 1), D(2024, 2, 29), "season", "absolute")),
    ("primavera de 2023", ("primavera de 2023", D(2023, 3, 1), D(2023, 5, 31), "season", "absolute")),
])
def test_season(text: str, expected: tuple) -> None:
    check(text, expected)


# --------------------------------------------------------------------------------------------------
# year alone (needs a cue)

@pytest.mark.parametrize("text, expected", [
    ("diagnosed in 2015", ("2015", D(2015, 1, 1), D(2015, 12, 31), "year", "absolute")),
    ("SLE (2015), nephritis", ("2015", D(2015, 1, 1), D(2015, 12, 31), "year", "absolute")),
    ("on MMF since 2019", ("2019", D(2019, 1, 1), D(2019, 12, 31), "year", "absolute")),
    ("2019: renal biopsy class IV", ("2019", D(2019, 1, 1), D(2019, 12, 31), "year", "absolute")),
    ("History:\n- 2018 renal flare", ("2018", D(2018, 1, 1), D(2018, 12, 31), "year", "absolute")),
    ("Dx 2015", ("2015", D(2015, 1, 1), D(2015, 12, 31), "year", "absolute")),
    ("relapse in mid-2018", ("2018", D(2018, 1, 1), D(2018, 12, 31), "year", "absolute")),
    ("in early 2020", ("2020", D(2020, 1, 1), D(2020, 12, 31), "year", "absolute")),
    ("nefritis lúpica en 2016", ("2016", D(2016, 1, 1), D(2016, 12, 31), "year", "absolute")),
    ("In 1999", ("1999", D(1999, 1, 1), D(1999, 12, 31), "year", "absolute")),
    ("older 2016 bx was class II", ("2016", D(2016, 1, 1), D(2016, 12, 31), "year", "absolute")),
    ("cholecystectomy 2016 only", ("2016", D(2016, 1, 1), D(2016, 12, 31), "year", "absolute")),
    ("her prior 2019 biopsy", ("2019", D(2019, 1, 1), D(2019, 12, 31), "year", "absolute")),
    ("Laparoscopic appendicectomy 2011 (GA, uneventful)", ("2011", D(2011, 1, 1), D(2011, 12, 31), "year", "absolute")),
    ("no biologic since the 2015 rituximab", ("2015", D(2015, 1, 1), D(2015, 12, 31), "year", "absolute")),
])
def test_year(text: str, expected: tuple) -> None:
    check(text, expected)


@pytest.mark.parametrize("text, expected", [
    ("from 2015 to 2019", ["2015 to 2019"]),  # one mention: see test_a_range_of_two_dates_is_one_mention
    ("2015-2019", ["2015", "2019"]),
    ("in 2013, 2015 and 2017", ["2013", "2015", "2017"]),
    ("03/01/2024-03/15/2024", ["03/01/2024", "03/15/2024"]),
    ("12/2023-03/2024", ["12/2023", "03/2024"]),
    # two days of one course, alone in a bracket, are a run of days
    ("rituximab 1 g x2 (04/10/2022 and 18/10/2022)", ["04/10/2022 and 18/10/2022"]),
    ("biopsies 04/10/2022 and 18/10/2023", ["04/10/2022", "18/10/2023"]),
])
def test_ranges_give_both_ends(text: str, expected: list[str]) -> None:
    assert [m.text for m in find_dates(text, REF)] == expected


# --------------------------------------------------------------------------------------------------
# relative expressions (reference 2024-06-15)

@pytest.mark.parametrize("text, expected", [
    ("seen today", ("today", REF, REF, "day", "relative")),
    ("SLEDAI-2K 6 vandaag", ("vandaag", REF, REF, "day", "relative")),
    ("vu aujourd'hui", ("aujourd'hui", REF, REF, "day", "relative")),
    ("gestern Fieber", ("gestern", D(2024, 6, 14), D(2024, 6, 14), "day", "relative")),
    ("fever yesterday", ("yesterday", D(2024, 6, 14), D(2024, 6, 14), "day", "relative")),
    ("biopsy 3 days ago", ("3 days ago", D(2024, 6, 12), D(2024, 6, 12), "day", "relative")),
    ("started 2 weeks ago", ("2 weeks ago", D(2024, 5, 29), D(2024, 6, 4), "week", "relative")),
    ("two weeks ago", ("two weeks ago", D(2024, 5, 29), D(2024, 6, 4), "week", "relative")),
    ("a month ago", ("a month ago", D(2024, 4, 30), D(2024, 5, 30), "month", "relative")),
    ("3 months ago", ("3 months ago", D(2024, 2, 29), D(2024, 3, 30), "month", "relative")),
    ("a year ago", ("a year ago", D(2022, 12, 15), D(2023, 12, 15), "year", "relative")),
    ("2 years ago", ("2 years ago", D(2021, 12, 15), D(2022, 12, 15), "year", "relative")),
    ("ten years ago", ("ten years ago", D(2013, 12, 15), D(2014, 12, 15), "year", "relative")),
    ("rituximab 6 months prior.", ("6 months prior", D(2023, 11, 30), D(2023, 12, 30), "month", "relative")),
    ("2 weeks earlier she developed edema",
     ("2 weeks earlier", D(2024, 5, 29), D(2024, 6, 4), "week", "relative")),
    ("one year before, ", ("one year before", D(2022, 12, 15), D(2023, 12, 15), "year", "relative")),
    ("0 years ago", ("0 years ago", D(2023, 12, 15), REF, "year", "relative")),  # clipped to ref
    ("last week", ("last week", D(2024, 6, 2), D(2024, 6, 8), "week", "relative")),
    ("last month", ("last month", D(2024, 5, 1), D(2024, 5, 31), "month", "relative")),
    ("el mes pasado", ("el mes pasado", D(2024, 5, 1), D(2024, 5, 31), "month", "relative")),
    ("la semana pasada", ("la semana pasada", D(2024, 6, 2), D(2024, 6, 8), "week", "relative")),
    ("el año pasado", ("el año pasado", D(2023, 1, 1), D(2023, 12, 31), "year", "relative")),
    ("Last year", ("Last year", D(2023, 1, 1), D(2023, 12, 31), "year", "relative")),
    ("this year", ("this year", D(2024, 1, 1), REF, "year", "relative")),
    ("earlier this year", ("earlier this year", D(2024, 1, 1), REF, "year", "relative")),
    ("this month", ("this month", D(2024, 6, 1), REF, "month", "relative")),
    ("last spring", ("last spring", D(2024, 3, 1), D(2024, 5, 31), "season", "relative")),
    ("last winter", ("last winter", D(2023, 12, 1), D(2024, 2, 29), "season", "relative")),
    ("last fall", ("last fall", D(2023, 9, 1), D(2023, 11, 30), "season", "relative")),
    ("this past summer", ("this past summer", D(2023, 6, 1), D(2023, 8, 31), "season", "relative")),
    ("colecistectomía la pasada primavera", ("la pasada primavera", D(2024, 3, 1), D(2024, 5, 31), "season", "relative")),
    ("cesárea el verano pasado", ("el verano pasado", D(2023, 6, 1), D(2023, 8, 31), "season", "relative")),
    ("flare in the spring", ("spring", D(2024, 3, 1), D(2024, 5, 31), "season", "relative")),
    ("during the winter", ("winter", D(2023, 12, 1), D(2024, 2, 29), "season", "relative")),
    ("biopsy done during that admission (March).", ("March", D(2024, 3, 1), D(2024, 3, 31), "month", "relative")),
    ("biopsy (August)", ("August", D(2023, 8, 1), D(2023, 8, 31), "month", "relative")),
    ("En la revisión de febrero se calculó un SLEDAI-2K de 8.", ("febrero", D(2024, 2, 1), D(2024, 2, 29), "month", "relative")),
    ("at the August review SLEDAI-2K was 4", ("August", D(2023, 8, 1), D(2023, 8, 31), "month", "relative")),
    ("augment de losartan a 100 mg el desembre passat", ("desembre passat", D(2023, 12, 1), D(2023, 12, 31), "month", "relative")),
    ("lo subió en junio pasado", ("junio pasado", D(2023, 6, 1), D(2023, 6, 30), "month", "relative")),  # the June before this one
    ("Kidney bx: late April or early May, pt not sure", ("April or early May", D(2024, 4, 1), D(2024, 5, 31), "month", "relative")),
    # a day range with no year: the latest such days up to the note
    ("s/p IV MP 5/6-5/8 -> pred", ("5/6-5/8", D(2024, 5, 6), D(2024, 5, 8), "day", "relative")),
    ("pulses 12/30 - 1/2", ("12/30 - 1/2", D(2023, 12, 30), D(2024, 1, 2), "day", "relative")),
    # a deadline or a next occurrence looks ahead of the note
    ("taper prednisone to 20 mg by April", ("April", D(2025, 4, 1), D(2025, 4, 30), "month", "relative")),
    ("recheck next September", ("September", D(2024, 9, 1), D(2024, 9, 30), "month", "relative")),
    ("off steroids by June", ("June", REF, D(2024, 6, 30), "month", "relative")),
    ("repeat biopsy by late October", ("October", D(2024, 10, 1), D(2024, 10, 31), "month", "relative")),
])
def test_relative(text: str, expected: tuple) -> None:
    check(text, expected)


def test_last_month_across_year_boundary() -> None:
    m = only("last month", ref=D(2024, 1, 10))
    assert (m.date_min, m.date_max) == (D(2023, 12, 1), D(2023, 12, 31))


def test_last_spring_before_spring_ended() -> None:
    m = only("last spring", ref=D(2024, 4, 10))
    assert (m.date_min, m.date_max) == (D(2023, 3, 1), D(2023, 5, 31))


@pytest.mark.parametrize("text", [
    "3 days ago", "last month", "this year", "today", "in the spring", "on 3/15", "on March 15",
])
def test_relative_needs_reference_date(text: str) -> None:
    assert find_dates(text) == []


# --------------------------------------------------------------------------------------------------
# day-first: declared in a header, inferred from the note, or overridden by the caller

@pytest.mark.parametrize("text, day_first, expected", [
    ("Fecha: 25/03/2024 (dd/mm/yyyy)\nControl 04/05/2024", None, (D(2024, 5, 4), True)),
    ("Date format DD/MM/YYYY. Seen 03/04/2024", None, (D(2024, 4, 3), True)),
    ("Fecha (dd-mm-aaaa): 03-04-2024", None, (D(2024, 4, 3), True)),
    ("Seen 25/03/2024; follow-up 04/05/2024", None, (D(2024, 5, 4), True)),
    ("Seen 03/25/2024; follow-up 04/05/2024", None, (D(2024, 4, 5), False)),
    ("25/03/2024, 03/25/2024, follow-up 04/05/2024", None, (D(2024, 4, 5), False)),  # conflict -> US
    ("Follow-up 04/05/2024", None, (D(2024, 4, 5), False)),
    ("Follow-up 04/05/2024", True, (D(2024, 5, 4), True)),
    ("Fecha (dd/mm/yyyy): follow-up 04/05/2024", False, (D(2024, 4, 5), False)),
    ("Follow-up 03/15/2024", True, (D(2024, 3, 15), False)),  # only one valid reading
    ("Follow-up 15/03/2024", False, (D(2024, 3, 15), True)),  # only one valid reading
])
def test_day_first(text: str, day_first: bool | None, expected: tuple[date, bool]) -> None:
    last = find_dates(text, REF, day_first=day_first)[-1]
    assert (last.date_min, last.day_first) == expected
    assert (last.date_max, last.precision, last.kind) == (last.date_min, "day", "absolute")


@pytest.mark.parametrize("text, expected", [
    ("Fecha: 25/03/2024 (dd/mm/yyyy)", True),
    ("Formato DD.MM.YYYY", True),
    ("fecha dd-mm-aaaa", True),
    ("Format des dates dans ce compte rendu : jj/mm/aaaa", True),
    ("Datum (TT.MM.JJJJ)", True),
    ("DOB (mm/dd/yyyy): 04/05/1980", False),
    ("Seen 25/03/2024", True),
    ("Seen 03/25/2024", False),
    ("Seen 04/05/2024", None),
    ("Seen 25/03/2024 and 03/25/2024", None),
    ("No dates at all; BP 120/80", None),
    ("Prelevement: PBR gauche le 05/03/2025, protocole signe le 06/03/2025; pas de composante membraneuse dans les glomerules, avec croissants",
     True),                                                           # French: day-first
    ("Biopsie am 05/03/2025 bei Lupusnephritis und mit Halbmonden, nicht membranös", True),
    ("Biopsy on 05/03/2025 for lupus nephritis; the report is in the chart", None),   # English: undecided
    ("Biopsia renal percutánea realizada el 10/02/2025 con aguja 16G, que muestra proliferación", True),  # Spanish
    ("INFORME DE BIOPSIA RENAL\nPaciente: Varón, 70 años\nFecha de la biopsia: 07/11/2024", True),  # a terse Spanish report
])
def test_note_day_first(text: str, expected: bool | None) -> None:
    assert note_day_first(text) is expected


# --------------------------------------------------------------------------------------------------
# month and day without a year: the latest such day on or before the reference date, or the next
# one when that is within two months and the last one most of a year back, unless a past-tense word
# comes just before

@pytest.mark.parametrize("text, expected", [
    ("biopsy on 3/15", ("3/15", D(2024, 3, 15), D(2024, 3, 15), "day", "relative")),
    ("started on 7/4", ("7/4", D(2023, 7, 4), D(2023, 7, 4), "day", "relative")),
    ("on March 15", ("March 15", D(2024, 3, 15), D(2024, 3, 15), "day", "relative")),
    ("seen on 15 March", ("15 March", D(2024, 3, 15), D(2024, 3, 15), "day", "relative")),
    ("on June 15", ("June 15", REF, REF, "day", "relative")),
    ("seen on June 16th", ("June 16th", D(2023, 6, 16), D(2023, 6, 16), "day", "relative")),
    # most of a year back without a year is rarer than a plan within two months: "taper to 25 mg on 7/4"
    ("on June 16th", ("June 16th", D(2024, 6, 16), D(2024, 6, 16), "day", "relative")),
    ("taper: 25 mg on 7/4", ("7/4", D(2024, 7, 4), D(2024, 7, 4), "day", "relative")),
    ("infusion on 8/20", ("8/20", D(2023, 8, 20), D(2023, 8, 20), "day", "relative")),   # > 2 months ahead: past
    ("on Feb 29", ("Feb 29", D(2024, 2, 29), D(2024, 2, 29), "day", "relative")),
    ("inicio el 2/3 con MMF", ("2/3", D(2024, 2, 3), D(2024, 2, 3), "day", "relative")),   # a Spanish cue; read month-first here
    ("on the 2nd of May", ("2nd of May", D(2024, 5, 2), D(2024, 5, 2), "day", "relative")),
    # a terse biopsy line dates the biopsy: "PBR 13/9 (AP definitiva 20/9)"
    ("PBR 13/9 (AP definitiva 20/9)", ("13/9", D(2023, 9, 13), D(2023, 9, 13), "day", "relative")),
    # ... and so does a terse operation: "Puérpera de 5 semanas (cesárea 13/04)"
    ("Puérpera de 5 semanas (cesárea 13/04) con LES.", ("13/04", D(2024, 4, 13), D(2024, 4, 13), "day", "relative")),
    # in a day-first note a day over 12 cannot be a day-first day: a month and a two-digit year
    ("Fechas dd/mm/aaaa. Qx: colecistectomía lap. 5/23, no otras.", ("5/23", D(2023, 5, 1), D(2023, 5, 31), "month", "absolute")),
])
def test_no_year_with_reference(text: str, expected: tuple) -> None:
    check(text, expected)


def test_no_year_day_first() -> None:
    m = only("on 15/3")
    assert (m.date_min, m.day_first, m.kind) == (D(2024, 3, 15), True, "relative")
    m = only("on 4/5", day_first=True)
    assert (m.date_min, m.day_first) == (D(2024, 5, 4), True)


def test_no_year_feb_29_goes_back_to_leap_year() -> None:
    assert only("on Feb 29", ref=D(2025, 6, 1)).date_min == D(2024, 2, 29)


# --------------------------------------------------------------------------------------------------
# not dates

@pytest.mark.parametrize("text", [
    "treated for 3 months",
    "MMF x 6 months",
    "a 3-month course of steroids",
    "over 2 years",
    "rituximab q2 weeks",
    "every 4 weeks",
    "meets 5/11 ACR criteria",
    "4/11 criteria",
    "BP 120/80",
    "proteinuria 3+/4",
    "1/2 tab daily",
    "on 1/2 tab daily",
    "HIV-1/2 antibody negative",
    "mycophenolate 2000 mg daily",
    "MMF 2000 (mg) daily",
    "the 2000 mg dose",
    "cyclophosphamide 1000 mg/m2",
    "ISN/RPS class III/IV",
    "ANA 1:640",
    "ANA titer 1/2000",
    "seen at 10:30",
    "call 555-123-4567",
    "phone (617) 555-0123",
    "SLEDAI 2K score 8",
    "invalid 02/30/2024",
    "invalid 2024-02-30",
    "invalid 13/13/2024",
    "enrolled in 2000 patients",
    "a dose of 2000",
    "vitamin D 2000 IU",
    "eGFR 45 mL/min/1.73m2",
    "values >5 may indicate activity",
    "over the last year",
    "in the last month",
    "later this year",
    "3 days prior to admission",
    "2 weeks before the biopsy",
    "1.5 years ago",
    "the last week of life",
    "creatinine 1.2 mg/dL",
    "biopsy 12/20 glomeruli sclerosed",
    "marzo de 12 pacientes",
])
def test_not_dates(text: str) -> None:
    assert find_dates(text, REF) == []


# --------------------------------------------------------------------------------------------------
# offsets, order, overlap

NOTE = """Fecha de consulta: 2024-06-15
HPI: 34F with SLE (2015) and class IV LN on renal biopsy March 2023.
Induction with MMF 3000 mg since 04/10/2023; BP 120/80, meets 5/11 ACR criteria.
Rituximab 1000 mg x2 two years ago; last dose on 3/15.
Flare in the spring of 2023, admitted last month.
Labs 2024-05-01: Cr 1.2 mg/dL.
"""


def test_offsets_on_multiline_note() -> None:
    found = find_dates(NOTE, REF)
    assert [m.text for m in found] == [
        "2024-06-15", "2015", "March 2023", "04/10/2023", "two years ago", "3/15",
        "spring of 2023", "last month", "2024-05-01",
    ]
    for m in found:
        assert NOTE[m.start:m.end] == m.text
        assert m.date_min <= m.date_max


def test_sorted_and_non_overlapping() -> None:
    found = find_dates(NOTE * 3, REF)
    assert len(found) == 27
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start


def test_longest_match_wins() -> None:
    found = find_dates("on March 15, 2024 and in the spring of 2023", REF)
    assert [(m.text, m.precision, m.kind) for m in found] == [
        ("March 15, 2024", "day", "absolute"), ("spring of 2023", "season", "absolute")]


def test_mention_is_frozen() -> None:
    m = only("2024-03-15")
    with pytest.raises(AttributeError):
        m.start = 3  # type: ignore[misc]


# --------------------------------------------------------------------------------------------------
# table cells and day counts

@pytest.mark.parametrize("value, expected", [
    ("2024-03-15", D(2024, 3, 15)),
    ("2024-03-15 10:30", D(2024, 3, 15)),
    ("2024-03-15 10:30:59", D(2024, 3, 15)),
    ("2024/03/15", D(2024, 3, 15)),
    (" 2024-02-29 ", D(2024, 2, 29)),
])
def test_parse_iso_date_good(value: str, expected: date) -> None:
    assert parse_iso_date(value) == expected


@pytest.mark.parametrize("value", [
    "2023-02-30", "2024-13-01", "03/15/2024", "2024-3-15", "2024-03-15 25:00", "2024-03", "",
    "15 March 2024", "2024-03/15",
])
def test_parse_iso_date_bad(value: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_iso_date(value)
    assert repr(value) in str(err.value)
    assert "YYYY-MM-DD" in str(err.value)


def test_parse_iso_date_non_string() -> None:
    with pytest.raises(ValueError, match="nan"):
        parse_iso_date(float("nan"))  # type: ignore[arg-type]


@pytest.mark.parametrize("later, earlier, expected", [
    (D(2024, 3, 15), D(2024, 3, 1), 14),
    (D(2024, 3, 1), D(2024, 2, 1), 29),
    (D(2024, 1, 1), D(2024, 1, 1), 0),
    (D(2024, 1, 1), D(2024, 1, 2), -1),
])
def test_days_between(later: date, earlier: date, expected: int) -> None:
    assert days_between(later, earlier) == expected


@pytest.mark.parametrize("text, expected", [
    ("Methylprednisolone 500 mg IV daily 07/02, 07/03, 07/04/2024.", ["2024-07-02", "2024-07-03", "2024-07-04"]),
    ("pulses 4/9 and 4/10/2024", ["2024-04-09", "2024-04-10"]),
])
def test_month_day_lists_share_the_last_year(text, expected):
    assert [m.date_min.isoformat() for m in find_dates(text)] == expected


@pytest.mark.parametrize("text, lo, hi", [
    ("adalimumab de mayo de 2018 a marzo de 2019.", "2018-05-01", "2019-03-31"),
    ("MMF from 03/2019 to 06/2021", "2019-03-01", "2021-06-30"),
    ("desde enero de 2024 hasta el 15/03/2024", "2024-01-01", "2024-03-15"),
    ("ensayo clínico entre 2021 y 2022", "2021-01-01", "2022-12-31"),
    ("in a trial between 2019 and 2020", "2019-01-01", "2020-12-31"),
])
def test_a_range_of_two_dates_is_one_mention(text, lo, hi):
    (m,) = find_dates(text, date(2025, 6, 5))
    assert (m.date_min.isoformat(), m.date_max.isoformat()) == (lo, hi)


@pytest.mark.parametrize("text, expected", [
    ("belimumab 28/07/2022 - 27/07/2023, ceased", [("2022-07-28", "2023-07-27")]),
    ("MMF 03/2019 – 06/2021", [("2019-03-01", "2021-06-30")]),
    ("HBsAg 11/2024 - 03/2023 both negative", [("2024-11-01", "2024-11-30"), ("2023-03-01", "2023-03-31")]),  # not in order
])
def test_a_drug_reads_two_dates_joined_by_a_dash_as_a_range(text, expected):
    from extractor.dates import dash_ranges

    got = dash_ranges(text, find_dates(text, date(2025, 6, 5)))
    assert [(m.date_min.isoformat(), m.date_max.isoformat()) for m in got] == expected


@pytest.mark.parametrize("text, count", [
    ("aumentó de 10 mg a 20 mg en 2024", 1),
    ("de 2019 a 2018", 2),  # not a range: the second is earlier
    ("biopsy 2019, relapse 2021", 2),
    ("lymphoma ruled out 2019", 1),  # "out" is not Portuguese "outubro" here
])
def test_dates_that_are_not_a_range_stay_apart(text, count):
    assert len(find_dates(text, date(2025, 6, 5))) == count


@pytest.mark.parametrize("text", ["Lactancia materna hasta\n2021; actualmente no lacta", "seen in\n2019 for a flare"])
def test_a_year_cue_reads_across_a_hard_wrap(text):
    assert [m.text for m in find_dates(text)] == [text.split("\n")[1][:4]]


@pytest.mark.parametrize("text, lo, hi", [
    ("aumentado hace 3 meses", "2025-02-18", "2025-03-20"),
    ("aumentou há 3 meses", "2025-02-18", "2025-03-20"),  # Portuguese
    ("diagnosticada há dois anos", "2022-12-05", "2023-12-05"),
    ("diagnosticada hace dos años", "2022-12-05", "2023-12-05"),
    ("el pasado mes de febrero le pusieron 3 bolos", "2025-02-01", "2025-02-28"),
    ("el pasado enero", "2025-01-01", "2025-01-31"),
    ("a finales de marzo se suspende", "2025-03-01", "2025-03-31"),
    ("a principios de julio", "2024-07-01", "2024-07-31"),
    ("hace unos dos meses se le cambió", "2025-03-21", "2025-04-20"),
    ("há cerca de 3 meses", "2025-02-18", "2025-03-20"),
    ("El día 3 Nefro le subió el enalapril", "2025-06-03", "2025-06-03"),
    ("el día 18 se suspende", "2025-05-18", "2025-05-18"),  # written on the 5th: last month's 18th
    ("stopped on the 2nd", "2025-06-02", "2025-06-02"),
    ("la última dosis la tomó el doce de febrero", "2025-02-12", "2025-02-12"),  # a day read out in words
])
def test_spanish_relative_dates(text, lo, hi):
    (m,) = find_dates(text, date(2025, 6, 5))
    assert (m.date_min.isoformat(), m.date_max.isoformat(), m.kind) == (lo, hi, "relative")


@pytest.mark.parametrize("text, lo, hi", [
    ("biópsia renal em 12 de março de 2024", "2024-03-12", "2024-03-12"),
    ("rituximab em janeiro de 2024", "2024-01-01", "2024-01-31"),
    ("suspendeu em fev/2023", "2023-02-01", "2023-02-28"),
])
def test_portuguese_month_names(text, lo, hi):
    (m,) = find_dates(text, date(2025, 6, 5))
    assert (m.date_min.isoformat(), m.date_max.isoformat()) == (lo, hi)


@pytest.mark.parametrize("text, found", [
    ("transformation from the class II lesion of 2023.", ["2023"]),
    ("C-section 2020.", ["2020"]),
    ("a dose of 2000", []),
    ("total of 2000.", []),
])
def test_bare_year_closing_a_clause(text, found):
    assert [m.text for m in find_dates(text)] == found


@pytest.mark.parametrize("text, lo, hi", [
    ("losartan started in August", "2024-08-01", "2024-08-31"),
    ("in September her SLEDAI-2K was 12", "2024-09-01", "2024-09-30"),
    ("stopped her losartan in October", "2024-10-01", "2024-10-31"),
    ("biopsy in November", "2024-11-01", "2024-11-20"),   # this month, up to the note date
    ("stopped in the middle of 2022", "2022-01-01", "2022-12-31"),
])
def test_month_without_year_after_a_cue(text, lo, hi):
    (m,) = find_dates(text, date(2024, 11, 20))
    assert (m.date_min.isoformat(), m.date_max.isoformat()) == (lo, hi)


def test_may_the_verb_is_not_a_month():
    assert find_dates("values in may vary", date(2024, 11, 20)) == []


@pytest.mark.parametrize("text", ["seen in March", "Omar was seen", "el 3 de enero", "general review", "3mar2024",
                                  "MAYO clinic", "juin", "nothing here", "Sept.", "ßmarz"])
def test_month_name_scan_agrees_with_the_regex(text):
    from extractor.dates import _ANY_MONTH_RE, _has_month_name

    assert _has_month_name(text) == (_ANY_MONTH_RE.search(text) is not None)


@pytest.mark.parametrize("text, lo, hi", [
    ("Urbason 250 mg IV x 3 (13-15/01/2025)", "2025-01-13", "2025-01-15"),
    ("IVIG 2 g/kg split 03/30-03/31/2022", "2022-03-30", "2022-03-31"),  # two days, the year once
    ("bolos 30/03-02/04/2022", "2022-03-30", "2022-04-02"),
    ("pulses 3-5 March 2024", "2024-03-03", "2024-03-05"),
])
def test_a_range_of_days_in_one_month(text, lo, hi):
    (m,) = find_dates(text, date(2025, 6, 5))
    assert (m.date_min.isoformat(), m.date_max.isoformat()) == (lo, hi)


@pytest.mark.parametrize("text, lo, hi", [
    ("Inducción: MP 500 mg x3 (28-30/08) y Euro-Lupus", "2024-08-28", "2024-08-30"),  # no year: the latest before the note
    ("bolos de MP los días 13-15/1", "2025-01-13", "2025-01-15"),
])
def test_a_yearless_range_of_days_in_a_day_first_note(text, lo, hi):
    (m,) = find_dates(text, date(2025, 6, 5) if "13-15" in text else date(2024, 12, 19), True)
    assert (m.date_min.isoformat(), m.date_max.isoformat()) == (lo, hi)


@pytest.mark.parametrize("text", ["BP 120-130/80", "Hb 10-12 g/dL", "symptoms for 2-3/12"])
def test_number_ranges_are_not_day_ranges(text):
    assert find_dates(text, date(2025, 6, 5), True) == []


@pytest.mark.parametrize("text, day_first, other", [
    ("04/09/2025", True, D(2025, 4, 9)),     # read 4 September: the other way is 9 April
    ("04/09/2025", False, D(2025, 9, 4)),
    ("13/09/2025", True, None),              # no other reading
    ("04/04/2025", True, None),              # the same day either way
    ("September 4, 2025", False, None),      # not numeric
])
def test_other_reading(text, day_first, other):
    from extractor.dates import other_reading
    found = find_dates(text, REF, day_first=day_first)[0]
    got = other_reading(found)
    assert (got.date_min if got else None) == other


@pytest.mark.parametrize("text, lo, hi", [
    ("3 pulsos de MP (20, 21 y 22/12/2023)", D(2023, 12, 20), D(2023, 12, 22)),
    ("methylprednisolone 500 mg the 24, 25 and 26/01/2024", D(2024, 1, 24), D(2024, 1, 26)),
    ("bolos MP 250 mg los días 19, 20 y 21/4 -> PDN 30 mg/d", D(2024, 4, 19), D(2024, 4, 21)),   # no year: up to the note
])
def test_days_of_one_month(text, lo, hi):
    found = find_dates(text, REF, day_first=True)
    assert [(m.date_min, m.date_max) for m in found] == [(lo, hi)]


@pytest.mark.parametrize("text", ["tomar 1, 2 y 3/4 comprimidos", "TA 120/80, 3 y 4/5"])
def test_days_of_one_month_need_a_cue_without_a_year(text):
    assert find_dates(text, REF, day_first=True) == []
