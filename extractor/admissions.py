"""Dates told relative to a hospital admission: "al quinto día de ingreso", "a las 48 horas del
ingreso", "los tres primeros días del ingreso", "al alta", "on hospital day 3", "on admission".

A discharge report gives the admission and discharge dates once, in its header ("Fecha de
ingreso: 13/05/2024   Fecha de alta: 27/05/2024", "Admission date: 05/13/2024"), and its
narrative counts from them. Without the header's dates such a phrase dates nothing, and the
event took the report's date (the discharge): a biopsy "al quinto día de ingreso" of a
two-week stay was ten days late. :func:`admission_anchors` reads the header's dates (labels in
``patterns/date_rules.json``: ``admission_labels``, ``discharge_labels``); :func:`admission_ranges`
turns each phrase into a range of days, day 1 being the day of admission.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .numbers import COUNT_WORDS, ORDINAL_WORDS

__all__ = ["Anchors", "NO_ANCHORS", "admission_anchors", "admission_ranges"]

_ORD = r"(?P<ord>" + "|".join(sorted(ORDINAL_WORDS, key=len, reverse=True)) + r"|\d{1,2}(?:\.?º|°|er|o|st|nd|rd|th)?)"
_COUNT = r"(?P<count>" + "|".join(w for w, n in COUNT_WORDS.items() if 2 <= n <= 5) + r"|\d{1,2})"
_INGRESO = r"(?:de|del)\s+(?:su\s+)?ingreso"
# each form: (regex, what it anchors to, how its days are counted)
_FORMS = [
    (re.compile(r"\b(?:al|el|en\s+el)\s+" + _ORD + r"\s+d[ií]a\s+" + _INGRESO + r"\b", re.I), "admission", "day"),
    (re.compile(r"\b(?:on\s+)?(?:hospital\s+day|day)\s+(?P<ord>\d{1,2})\s+of\s+(?:the\s+|her\s+|his\s+)?(?:admission|stay)\b"
                r"|\bon\s+(?:hospital\s+day|HD)\s*#?\s*(?P<ord2>\d{1,2})\b|\bon\s+the\s+" + _ORD.replace("ord", "ord3")
                + r"\s+day\s+of\s+(?:the\s+|her\s+|his\s+)?admission\b", re.I), "admission", "day"),
    (re.compile(r"\b(?:a\s+las\s+)?(?P<hours>\d{1,3})\s+horas\s+(?:de|del|tras\s+el)\s+(?:su\s+)?ingreso\b"
                r"|\b(?P<hours2>\d{1,3})\s+(?:hours|h)\s+(?:after|into)\s+(?:the\s+|her\s+|his\s+)?admission\b", re.I),
     "admission", "hours"),
    (re.compile(r"\b(?:los|las|the)\s+" + _COUNT + r"\s+(?:primer[oa]s\s+d[ií]as\s+" + _INGRESO
                + r"|first\s+days\s+of\s+(?:the\s+|her\s+|his\s+)?admission)\b", re.I), "admission", "first_days"),
    (re.compile(r"\bel\s+d[ií]a\s+(?:previo|anterior)\s+al\s+ingreso\b|\bthe\s+day\s+before\s+admission\b", re.I),
     "admission", "day_before"),
    (re.compile(r"\b(?:al|en\s+el\s+momento\s+del)\s+ingreso\b|\b(?:on|at|upon)\s+admission\b", re.I), "admission", "same"),
    (re.compile(r"\b(?:al|en\s+el\s+momento\s+del)\s+alta\b|\b(?:on|at|upon)\s+discharge\b", re.I), "discharge", "same"),
    (re.compile(r"\bdurante\s+(?:el|su|este)\s+ingreso\b|\bduring\s+(?:the|this|her|his)\s+(?:admission|hospitali[sz]ation|stay)\b",
                re.I), "stay", "same"),
]


@dataclass(frozen=True)
class Anchors:
    admission: date | None
    discharge: date | None


NO_ANCHORS = Anchors(None, None)  # a text with no admission header (a date snippet, most notes)


@functools.lru_cache(maxsize=1)
def _labels() -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    """Per kind (admission, discharge): the label regex, and the last words of its labels (one
    of which a text must hold before the regex is tried)."""
    from .rules import patterns_dir, validate_date_rules_file

    data = validate_date_rules_file(patterns_dir() / "date_rules.json")
    return tuple((re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in data[key])
                             + r")[ \t]*:[ \t]*", re.IGNORECASE),
                  frozenset(w.split()[-1].lower() for w in data[key]))
                 for key in ("admission_labels", "discharge_labels"))


def admission_anchors(text: str, day_first: bool | None) -> Anchors:
    """The admission and discharge dates a report's header gives ("Fecha de ingreso: 13/05/2024"):
    the first date written right after the first such label."""
    from .dates import find_dates

    lower = text.lower()
    found = []
    for label, words in _labels():
        m = _first_label(label, words, text, lower)
        dates = find_dates(text[m.end(): m.end() + 24], None, day_first, _decided=True,
                           _anchors=NO_ANCHORS) if m else []
        found.append(dates[0].date_min if dates and dates[0].start == 0 and dates[0].precision == "day" else None)
    return Anchors(*found)


def _first_label(label: re.Pattern[str], words: frozenset[str], text: str, lower: str) -> re.Match[str] | None:
    """The first match of ``label`` in ``text``, tried only around its labels' last words
    ("ingreso", "alta", "admission"): a case-insensitive alternation scanned over a whole note
    costs more than finding those words."""
    best = None
    for word in words:
        at = lower.find(word)
        while at != -1 and (best is None or at < best.end()):
            m = label.search(text, max(0, at - 24), at + len(word) + 8)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
                break
            at = lower.find(word, at + 1)
    return best


def admission_ranges(text: str, anchors: Anchors) -> list[tuple[int, int, date, date]]:
    """(start, end, first day, last day) of each phrase in ``text`` that counts from the admission
    or the discharge of ``anchors``."""
    out = []
    for regex, anchor, count in _FORMS:
        base = anchors.discharge if anchor == "discharge" else anchors.admission
        if base is None or (anchor == "stay" and anchors.discharge is None):
            continue
        for m in regex.finditer(text):
            groups = {k: v for k, v in m.groupdict().items() if v}
            if anchor == "stay":
                lo, hi = base, anchors.discharge
            elif count == "day":
                n = next(iter(groups.values()))
                lo = hi = base + timedelta(days=_number(n, ORDINAL_WORDS) - 1)
            elif count == "hours":
                lo = hi = base + timedelta(days=int(next(iter(groups.values()))) // 24)
            elif count == "first_days":
                lo, hi = base, base + timedelta(days=_number(groups["count"], COUNT_WORDS) - 1)
            elif count == "day_before":
                lo = hi = base - timedelta(days=1)
            else:
                lo = hi = base
            if lo <= hi:
                out.append((m.start(), m.end(), lo, hi))
    return out


def _number(word: str, words: dict[str, int]) -> int:
    digits = re.match(r"\d+", word)
    return int(digits.group()) if digits else words[word.lower()]
