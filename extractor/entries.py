"""Notes made of dated entries: a "curso clínico", a progress-note printout, a nursing flowsheet.

One exported file may hold many time-stamped entries by different authors over weeks
("19/01/2024 12:30  Dr. Gómez - Nefrología", then the entry's lines; "27/02/2024 09:40  Enf.
Hospital de Día", ...), and its note date is the day it was printed. A mention inside an entry
with no date of its own happened on the entry's day, not on the print date: a rituximab infusion
entered on 27/02/2024 in a file printed on 20/03/2024 is three weeks older than the file.

:func:`entry_dates` finds the entry headers - a line that starts with a full date followed by a
time or a separator ("12/03/2024 10:05  Enf. ...", "03/12/2024 - Dr. Patel") - when a note has
at least two of them, and :func:`entry_at` gives the entry a position falls in.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from datetime import date

from .admissions import NO_ANCHORS
from .dates import DateMention, find_dates

__all__ = ["entry_dates", "entry_at", "quoted_reports", "quote_at"]

_HEADER = re.compile(r"(?m)^[ \t]*(?P<date>\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))"
                     r"(?:[ \t]+\d{1,2}[:.h]\d{2}(?::\d{2})?h?(?=[ \t]|$)|[ \t]*[-–|](?=[ \t]))")
_MIN_ENTRIES = 2  # one dated line is a heading; two or more make a note of entries


def entry_dates(text: str, day_first: bool | None, reference_date: date | None = None) -> list[tuple[int, DateMention]]:
    """(offset of the header line, its date) of each entry of a note made of dated entries, in
    text order; [] for any other note."""
    out = []
    for m in _HEADER.finditer(text):
        found = find_dates(m["date"], reference_date, day_first, _decided=True, _anchors=NO_ANCHORS)
        if found and found[0].start == 0 and found[0].end == len(m["date"]) and found[0].precision == "day":
            out.append((m.start(), replace(found[0], start=m.start("date"), end=m.end("date"))))
    return out if len(out) >= _MIN_ENTRIES else []


def entry_at(entries: list[tuple[int, DateMention]], offset: int) -> DateMention | None:
    """The DateMention of the entry holding ``offset`` (the last header at or before it), or None."""
    k = bisect.bisect_right(entries, offset, key=lambda entry: entry[0]) - 1
    return entries[k][1] if k >= 0 else None


# another service's report quoted with its date: 'Informe de Nefro HURH (consulta 05/02/2025):\n"..."',
# 'Nephrology letter (03/02/2025): "..."'; the quotation runs to its closing mark
_QUOTED = re.compile(r"\((?:[^()\n]{0,40}?[ \t])?(?P<date>\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2}))\)[ \t]*:[ \t]*\r?\n?[ \t]*"
                     r"(?P<open>[\"“«])")
_CLOSE = {'"': '"', "“": "”", "«": "»"}
_QUOTE_REACH = 4000  # a quotation longer than this is no quotation of one report


def quoted_reports(text: str, day_first: bool | None, reference_date: date | None = None) -> list[tuple[int, int, DateMention]]:
    """(start, end, date) of each report quoted after a label that dates it; a mention inside one
    with no date of its own was written on the quoted report's day, not the note's."""
    out = []
    for m in _QUOTED.finditer(text):
        close = text.find(_CLOSE[m["open"]], m.end(), m.end() + _QUOTE_REACH)
        if close == -1:
            continue
        found = find_dates(m["date"], reference_date, day_first, _decided=True, _anchors=NO_ANCHORS)
        if found and found[0].start == 0 and found[0].end == len(m["date"]) and found[0].precision == "day":
            out.append((m.end(), close, replace(found[0], start=m.start("date"), end=m.end("date"))))
    return out


def quote_at(quotes: list[tuple[int, int, DateMention]], offset: int) -> DateMention | None:
    """The date of the quoted report holding ``offset``, or None."""
    return next((d for start, end, d in quotes if start <= offset < end), None)
