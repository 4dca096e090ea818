"""Dates counted from a hospital admission: the header's dates, then each phrase as a range."""

from datetime import date

import pytest

from extractor.admissions import Anchors, admission_anchors, admission_ranges
from extractor.dates import find_dates, find_dates_in

SPANISH = "INFORME DE ALTA\nFecha de ingreso: 13/05/2024   Fecha de alta: 27/05/2024\n"
ENGLISH = "DISCHARGE SUMMARY\nAdmission date: 05/13/2024\nDischarge date: 05/20/2024\n"


@pytest.mark.parametrize("text, day_first, expected", [
    (SPANISH, True, Anchors(date(2024, 5, 13), date(2024, 5, 27))),
    (ENGLISH, False, Anchors(date(2024, 5, 13), date(2024, 5, 20))),
    ("F. ingreso: 02/03/2025\n", True, Anchors(date(2025, 3, 2), None)),
    ("Ingreso hospitalario en 2019 por nefritis.\n", True, Anchors(None, None)),  # no colon: not a header field
    ("Admission: pending bed\n", False, Anchors(None, None)),
])
def test_admission_anchors(text, day_first, expected):
    assert admission_anchors(text, day_first) == expected


@pytest.mark.parametrize("phrase, first, last", [
    ("Al quinto día de ingreso se realizó biopsia renal.", "2024-05-17", "2024-05-17"),  # day 1 = admission
    ("El 3er día de ingreso, fiebre.", "2024-05-15", "2024-05-15"),
    ("A las 48 horas del ingreso, colecistectomía.", "2024-05-15", "2024-05-15"),
    ("Bolos de metilprednisolona los tres primeros días del ingreso.", "2024-05-13", "2024-05-15"),
    ("SLEDAI-2K al ingreso: 14.", "2024-05-13", "2024-05-13"),
    ("El día previo al ingreso, fiebre.", "2024-05-12", "2024-05-12"),
    ("Al alta, prednisona 30 mg.", "2024-05-27", "2024-05-27"),
    ("Durante el ingreso, sin incidencias.", "2024-05-13", "2024-05-27"),
    ("On hospital day 3 she had a renal biopsy.", "2024-05-15", "2024-05-15"),
    ("Creatinine 2.1 on admission.", "2024-05-13", "2024-05-13"),
    ("48 hours after admission, pulses began.", "2024-05-15", "2024-05-15"),
])
def test_admission_phrases(phrase, first, last):
    anchors = Anchors(date(2024, 5, 13), date(2024, 5, 27))
    start, end, lo, hi = max(admission_ranges(phrase, anchors), key=lambda r: r[1] - r[0])  # the longest, as find_dates keeps
    assert (lo.isoformat(), hi.isoformat()) == (first, last)


def test_a_phrase_without_a_header_dates_nothing():
    assert admission_ranges("Al quinto día de ingreso se realizó biopsia.", Anchors(None, None)) == []
    assert [d.text for d in find_dates("Al quinto día de ingreso se realizó biopsia.", date(2024, 6, 1))] == []


@pytest.mark.parametrize("reader", ["whole", "windows"])
def test_the_header_dates_the_narrative_in_both_readers(reader):
    text = SPANISH + "Antecedentes sin interés.\n" * 20 + "Al quinto día de ingreso se realizó biopsia renal.\n"
    at = text.index("Al quinto")
    found = (find_dates(text, date(2024, 5, 27)) if reader == "whole"
             else find_dates_in(text, [(at, len(text))], date(2024, 5, 27)))
    [biopsy_day] = [d for d in found if d.text == "Al quinto día de ingreso"]
    assert biopsy_day.date_min == date(2024, 5, 17)
