"""Value readers by name, as the criteria file's ``concepts:`` section refers to them.

Each reader gets the note text, the mention's span and its sentence bounds, and the end of the
text it may read (the next mention of the same kind, so "MMF 1 g BID and prednisone 10 mg"
gives each drug its own dose). It returns ``(display, details)`` or None when no value is
written. ``details`` is a flat JSON-able dict the evaluator reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Callable

from .dates import find_dates, note_day_first
from .demographics import parse_age, parse_sex
from .doses import parse_doses, route_before
from .doses import parse_bsa_m2, parse_weight_kg
from .isn_class import base_key, find_ln_classes
from .lab_results import parse_lab_result
from .numbers import NUMBER_WORDS, spelled_numbers
from .scores import TABLE_REACH, parse_score, parse_score_table


@dataclass(frozen=True)
class Mention:
    """What a value reader may look at."""

    text: str  # the whole note
    start: int
    end: int
    sent_start: int
    sent_end: int
    limit: int  # reading stops here (next mention of the same kind or sentence end)
    note_date: date | None

    @property
    def after(self) -> str:
        return self.text[self.end : self.limit]

    @property
    def before(self) -> str:
        return self.text[self.sent_start : self.start]

    @property
    def span_text(self) -> str:
        return self.text[self.start : self.end]


Value = tuple[str, dict] | None

_BLOCK_LINE = re.compile(r"[ \t]*(?:result|results|interpretation|induration|reading|read|impression|value)\b[^\n]*", re.IGNORECASE)


def lab_block(text: str, start: int, max_lines: int = 4) -> list[str]:
    """Result lines right after a test's line, before a blank line ("Induration: 4 mm")."""
    lines = []
    pos = start + 1 if text.startswith("\n", start) else start + 2 if text.startswith("\r\n", start) else start
    for _ in range(max_lines):
        end = text.find("\n", pos)
        line = text[pos : end if end != -1 else len(text)]
        if not line.strip():
            break
        if _BLOCK_LINE.match(line):
            lines.append(line)
        if end == -1:
            break
        pos = end + 1
    return lines


MAX_DOSE_GAP = 40  # a dose is written right after its drug ("MMF (CellCept) 1 g BID")


# "taper prednisone to 50 mg", "plan: increase MMF to 1.5 g BID": the dose after "to" is a target
_PLANNED_CHANGE_BEFORE = re.compile(r"\b(?:taper|reduce|decrease|increase|wean|titrate|lower|raise|uptitrate|escalate)"
                                    r"(?:\s+(?:the|her|his|dose\s+of))?\s*$", re.IGNORECASE)
_TO_GAP = re.compile(r"\s*to\s*$", re.IGNORECASE)
# a threshold, not a dose: "dosis de MMF por encima de 2,5 g/día", "MMF above 2.5 g/day", "prednisone > 1 mg/kg"
_THRESHOLD_GAP = re.compile(r"(?:\b(?:above|over|exceeding|exceeds|more\s+than|greater\s+than|less\s+than|below|under"
                            r"|por\s+encima\s+de|por\s+debajo\s+de|superior\s+a|inferior\s+a|m[aá]s\s+de|menos\s+de"
                            r"|hasta\s+un\s+m[aá]ximo\s+de|acima\s+de|abaixo\s+de)|[<>≤≥])\s*$", re.IGNORECASE)


# a tablet's strength, then the schedule in its own words: "CellCept 500 mg comp, pauta prescrita 1.500 mg/12h",
# "Myfortic 360 mg tab; sig: 720 mg BID"
_SCHEDULE_GAP = re.compile(r"[^\S\n]*(?:comp(?:rimidos?)?|tabs?|tablets?|c[áa]ps(?:ulas?)?|caps(?:ules?)?)?\.?[^\S\n]*[,;(]?[^\S\n]*"
                           r"(?:pauta|posolog[ií]a|dosis|sig|dose|dosing)(?:[^\S\n]+(?:prescrita|pautada|actual|indicada|prescribed|current))?"
                           r"[^\S\n]*:?[^\S\n]*", re.IGNORECASE)


# ... or a pack of them, then the schedule's dose in brackets: "500 mg comp, 180 comp (1.500 mg c/12h)"
_PACK_THEN_BRACKET = re.compile(r"[^\S\n]*(?:comp(?:rimidos?)?|tabs?|tablets?|c[áa]ps(?:ulas?)?|caps(?:ules?)?)?\.?[^\S\n]*,?[^\S\n]*"
                                r"(?:\d+[^\S\n]*(?:comp(?:rimidos?)?|tabs?|tablets?|c[áa]ps(?:ulas?)?|caps(?:ules?)?)\.?[^\S\n]*)?\([^\S\n]*",
                                re.IGNORECASE)


def read_dose(m: Mention) -> Value:
    doses = parse_doses(m.after)
    dose = doses[0] if doses else None
    if (dose is not None and dose.per_day is None and len(doses) > 1 and doses[1].per_day is not None
            and (_SCHEDULE_GAP.fullmatch(m.after, dose.end, doses[1].start)
                 or _PACK_THEN_BRACKET.fullmatch(m.after, dose.end, doses[1].start))):
        dose = replace(doses[1], route=doses[1].route or dose.route, start=dose.start)
    if dose is None or dose.start > MAX_DOSE_GAP or ";" in m.after[: dose.start]:
        return None  # "steroids; persistent proteinuria ~2 g" is not a steroid dose
    if _THRESHOLD_GAP.search(m.after[: dose.start]):
        return None
    if _TO_GAP.fullmatch(m.after[: dose.start]) and _PLANNED_CHANGE_BEFORE.search(m.before):
        return None  # a planned dose, not the current one
    # a route named before the drug holds for its dose: "Bolos MP 500 mg", "IV methylprednisolone 500 mg"
    route = dose.route or route_before(m.text, max(m.sent_start, m.start - 20), m.end)
    daily = dose.daily_amount
    shown = f"{dose.amount:g} {dose.unit}"
    if daily is not None and dose.per_day not in (None, 1):
        shown += f" x{dose.per_day:g}/day = {daily:g} {dose.unit}/day"
    elif daily is not None:
        shown += "/day" if dose.per_day == 1 and not dose.text.lower().endswith("day") else ""
    if route:
        shown += f" {route}"
    return shown, {
        "amount": dose.amount, "unit": dose.unit, "per_day": dose.per_day, "daily_amount": daily,
        "route": route, "dose_text": dose.text,
    }


def read_ln_class(m: Mention) -> Value:
    sentence = m.text[m.sent_start : m.sent_end]
    offset = m.start - m.sent_start
    for found in find_ln_classes(sentence):
        if found.start <= offset < found.end or offset <= found.start < m.end - m.sent_start:
            return found.label, {"classes": list(found.classes), "class_key": base_key(found),
                                 "label": found.label, "scheme": found.scheme}
    return None


# "SLEDAI-2K (27/05/2025)", "SLEDAI-2K WORKSHEET (12/03/2025):" alone on its line
_HEADING_REST = re.compile(r"[ \t]*(?:-?2K)?[ \t]*(?:(?:worksheet|score|calculation|scoring|hoja|tabla|c[áa]lculo|puntuaci[óo]n)[ \t]*)?"
                           r"(?:\([\d/.-]{4,10}\))?[ \t]*:?[ \t]*\r?\n?", re.IGNORECASE)


def read_score(m: Mention) -> Value:
    found = parse_score(m.after)
    if found is None and _HEADING_REST.fullmatch(m.text, m.end, m.sent_end):
        found = parse_score_table(m.text[m.end : m.end + TABLE_REACH])  # a heading, its table of items below: read at the total row
    if found is None:
        return None
    return str(found[0]), {"number": found[0], "value_offset": m.end + found[1]}


def read_lab_result(m: Mention) -> Value:
    found = parse_lab_result(m.after, m.before)
    if found is None or (found.result is None and found.number is None):
        # "TUBERCULIN SKIN TEST\nRead: 08/22/2025\nInduration: 4 mm\nInterpretation: NEGATIVE": a
        # line's polarity word, else the first line's number
        read = [r for r in map(parse_lab_result, lab_block(m.text, m.sent_end)) if r is not None]
        polar = next((r for r in read if r.result is not None), None)
        measured = next((r for r in read if r.number is not None), None)
        if polar is not None and measured is not None and measured is not polar:
            found = replace(measured, result=polar.result, text=f"{measured.text}; {polar.text}")
        else:
            found = polar or measured or found
    if found is None:
        return None
    shown = found.result or ""
    if found.number is not None:
        shown = f"{found.comparator or ''}{found.number:g} {found.unit or ''}".strip() + (f" {shown}" if shown else "")
    return shown, {"result": found.result, "number": found.number, "comparator": found.comparator, "unit": found.unit}


def read_age(m: Mention) -> Value:
    found = parse_age(m.span_text)
    if found is None:
        return None
    age, sex = found
    return f"{age}" + (f" {sex}" if sex else ""), {"age": age, "sex": sex}


def read_dob(m: Mention) -> Value:
    # the note decides day-first ("DOB 03/04/1990" in a letter dated 25/03/2024); dots are day-first
    dates = [d for d in find_dates(m.span_text, day_first=note_day_first(m.text)) if d.precision == "day"]
    if not dates:
        return None
    return dates[0].date_min.isoformat(), {"birth_date": dates[0].date_min.isoformat()}


def read_sex(m: Mention) -> Value:
    sex = parse_sex(m.span_text)
    return (sex, {"sex": sex}) if sex else None


def read_weight(m: Mention) -> Value:
    found = parse_weight_kg(m.span_text)
    return (f"{found[0]:g} kg", {"weight_kg": found[0]}) if found else None


def read_bsa(m: Mention) -> Value:
    found = parse_bsa_m2(m.span_text)
    return (f"{found[0]:g} m2", {"bsa_m2": found[0]}) if found else None


_COUNT = re.compile(r"\b(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)


def read_count(m: Mention) -> Value:
    match = _COUNT.search(spelled_numbers(m.span_text))  # "siete de los once criterios"
    if not match:
        return None
    raw = match.group(1).lower()
    number = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    return str(number), {"number": number}


READERS: dict[str, Callable[[Mention], Value]] = {
    "dose": read_dose,
    "ln_class": read_ln_class,
    "score": read_score,
    "lab_result": read_lab_result,
    "age": read_age,
    "dob": read_dob,
    "sex": read_sex,
    "weight": read_weight,
    "bsa": read_bsa,
    "count": read_count,
}
