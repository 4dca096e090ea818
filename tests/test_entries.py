"""Notes made of dated entries: each entry's header dates what the entry says without a date."""

from datetime import date

import pytest

from extractor.entries import entry_at, entry_dates, quote_at, quoted_reports

CURSO = """CURSO CLÍNICO
Fecha de emisión del documento: 20/03/2024 14:07
19/01/2024 12:30  Dr. Gómez - Nefrología
Se decide rituximab 1 g días 1 y 15.

27/02/2024 09:40  Enf. Hospital de Día
Se administra RITUXIMAB 1000 mg. Sin reacción.

03/12/2024 - Dr. Patel
Seen in clinic.
"""


def test_entry_headers_and_their_dates():
    found = [(CURSO[at:at + 10], d.date_min) for at, d in entry_dates(CURSO, True)]
    assert found == [("19/01/2024", date(2024, 1, 19)), ("27/02/2024", date(2024, 2, 27)), ("03/12/2024", date(2024, 12, 3))]


@pytest.mark.parametrize("phrase, day", [
    ("Se decide rituximab", date(2024, 1, 19)),
    ("Se administra RITUXIMAB", date(2024, 2, 27)),
    ("Seen in clinic", date(2024, 12, 3)),
    ("Fecha de emisión", None),  # before the first entry
])
def test_entry_at(phrase, day):
    entry = entry_at(entry_dates(CURSO, True), CURSO.index(phrase))
    assert (entry.date_min if entry else None) == day


@pytest.mark.parametrize("text", [
    "12/03/2024 10:05  Enf. López\nSin incidencias.\n",  # one dated line is a heading, not a note of entries
    "Labs 12/03/2024: Cr 1.2\nRituximab 1 g 27/02/2024 - tolerated\n",  # dates inside lines, not leading them
    "1/2 tab - twice daily\n3/4 tab - at night\n",  # fractions, not dates
])
def test_not_a_note_of_entries(text):
    assert entry_dates(text, True) == []


def test_an_undated_mention_takes_its_entrys_date(screener):
    [(_, rows)] = list(screener.note_evidence([("N", "P", date(2024, 3, 20), CURSO)]))
    given = next(ev for ev in rows if ev.text == "RITUXIMAB")
    assert (given.event_date, given.date_source, given.details["entry_date"]) == ("2024-02-27", "note_date", "2024-02-27")


@pytest.mark.parametrize("text, inside, expected", [
    ('S: Informe de Nefro HURH (consulta 05/02/2025):\n"NL refractaria. SLEDAI-2K 12."\nPlan: renovar.', "SLEDAI", "2025-02-05"),
    ('Nephrology letter (03/02/2025): "class IV on repeat biopsy" - reviewed today.', "class IV", "2025-02-03"),
    ('Nephrology letter (03/02/2025): "class IV on repeat biopsy" - reviewed today.', "reviewed", None),  # after the quote
    ('Informe (consulta 05/02/2025): "sin cierre de comillas', "sin", None),                           # never closed
    ('Seen 05/02/2025: "feels well".', "feels", None),                                                   # no label bracket
])
def test_quoted_reports(text, inside, expected):
    found = quote_at(quoted_reports(text, True), text.index(inside))
    assert (found.date_min.isoformat() if found else None) == expected
