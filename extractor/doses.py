"""Parse drug doses, body weight and body-surface area from short clinical text.

Model
-----
The screener finds a drug mention with its rule matcher and passes the text that follows the
mention (up to the end of its sentence or line) to :func:`parse_dose`. A *dose expression* is

    [N tabs (of) | N x] AMOUNT[-AMOUNT2] UNIT[/m2|/kg][/day|/week|/month] [route] [frequency] [x N days] ...

* ``AMOUNT`` accepts ``1500``, ``1,000`` (thousands), ``1,5`` (decimal comma), ``0.75``.
* ``UNIT`` is mg, g or mcg (g and mcg are converted to mg), optionally per m2 or per kg.
  A unit followed by any other denominator (mg/dL, mg/mg, mg/g, g/L, mcg/mL ...) is a lab
  value, never a dose.
* The tail after the unit is a run of route, frequency, duration ("x3 days") and
  "divided doses" tokens, in any order; the span of the dose ends after the last of them.
  The first frequency found decides ``per_day``; "x N days" alone means once daily.
* ``/day`` in the unit ("2 g/day", "1 mg/kg/day") and "in divided doses" mean the amount is
  already a daily total: ``per_day`` is 1 and later frequency words are not multiplied in.
* Ranges ("1000-1500 mg") give the upper bound with ``is_range=True``.
* Changes ("tapered from 40 mg to 20 mg daily", "40 -> 20 mg", "increased from 1 g BID to
  1.5 g BID", "increased to 20 mg") give the dose after "to"/arrow, the current one; the
  earlier dose is left out of :func:`parse_doses` as well.
* "2 tabs of 500 mg" multiplies tablets by strength (1000 mg per administration).

Everything is stdlib ``re``; patterns are compiled once at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .numbers import spelled_numbers

__all__ = ["Dose", "parse_dose", "parse_doses", "parse_weight_kg", "parse_bsa_m2", "route_before"]


@dataclass(frozen=True)
class Dose:
    start: int  # offsets of the whole dose expression within the text passed in
    end: int
    text: str  # == text[start:end]
    amount: float  # per administration, in `unit`
    unit: str  # "mg" | "mg/m2" | "mg/kg"
    per_day: float | None  # administrations per day; None when no frequency is stated
    daily_amount: float | None  # amount * per_day, in unit per day
    route: str | None  # "iv" | "oral" | "sc" | "im" | None
    is_range: bool  # "1000-1500 mg": amount is the upper bound


_F = re.IGNORECASE
_END = r"(?![a-z0-9])"  # end of a word token (used with IGNORECASE)

# A number: thousands with commas, decimal comma (1-2 digits), plain decimal.
# "1,000 mg"; "1.500 mg" (Spanish and German thousands: a dose is never 1.5 mg written with three
# decimals; "0.125 mg" keeps its point); "1,5 g"; "0.75"
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|[1-9]\d{0,2}(?:\.\d{3})+(?![\d.])|\d+,\d{1,2}(?!\d)|\d+(?:\.\d+)?|\.\d+)"
_DOTTED_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
_WORD_NUMBERS = {
    "half": 0.5, "½": 0.5, "1/2": 0.5, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "eight": 8, "twelve": 12, "once": 1, "twice": 2, "thrice": 3,
}

_UNIT = r"mcg|µg|μg|ug|micrograms?|microgramos?|milligrams?|miligramos?|mg|grams?|gramos?|gm|gr|g"

_DOSE_RE = re.compile(
    r"(?<![\w.,/])"
    # optional tablet count: "2 tabs of", "1 tab (", "2 x"
    r"(?:(?P<ntab>\d+(?:\.\d+)?|one|two|three|four|half|½|1/2)\s*"
    r"(?:tabs?|tablets?|caps?|capsules?|pills?|comprimidos?|comps?|cp)\.?\s*(?P<open>\()?\s*"
    r"(?:of\s+|x\s*|×\s*|@\s*|de\s+)?"
    r"|(?P<nx>\d+)\s*[x×]\s*)?"
    # amount or range
    rf"(?P<amt>{_NUM})(?:\s*(?P<rsep>-|–|to)\s*(?P<amt2>{_NUM}))?\s*"
    rf"(?P<unit>{_UNIT})"
    r"(?:\s*(?:/|per\s)\s*(?P<denom>m2|m²|m\^2|sq\.?\s*m|kg))?"
    r"(?:\s*/\s*(?P<per>day|d[ií]a|d|j|die|dag|tag|24\s*h(?:rs?|ours?|oras)?|dose|w(?:ee)?k|month|mo))?"
    # "mg/dL", "mg/mg", "g/L" ... are not doses; "mg/12 h" (every 12 hours) is
    r"(?![\w%])(?!\s*/(?!\s*\d+\s*(?:h|hrs?|hours?|horas?)\b))"
    r"(?(open)\s*\))",
    _F,
)

_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iv", re.compile(
        r"(?:i\.v\.|e\.v\.|iv|ev|intravenous(?:ly)?|intravenos[oa]|endovenos[oa]"
        r"|infusions?|pulses?|bolos?|bolus(?:es)?|pulsos?)" + _END, _F)),
    ("oral", re.compile(
        r"(?:p\.o\.|v\.o\.|po|vo|per\s+os|by\s+mouth|oral(?:ly)?|v[ií]a\s+oral"
        r"|tabs?|tablets?|caps?|capsules?|g[ée]lules?|comprim[ée]s?|comprimidos?|comps?|cpr|compresse|Tabl\.?|Kps\.?)"
        + _END, _F)),
    ("sc", re.compile(
        r"(?:s\.c\.|s\.q\.|sc|sq|subcut(?:aneous(?:ly)?)?|sub-?q)" + _END, _F)),
    ("im", re.compile(r"(?:i\.m\.|im|intramuscular(?:ly)?)" + _END, _F)),
)

_N = r"(?P<n>\d+|two|three|four|six|eight|twelve)"
_FIXED_FREQS: tuple[tuple[float, re.Pattern[str]], ...] = (
    # b.d./t.d.s./q.d.s. (UK, Commonwealth); "2dd" (Dutch: twice a day)
    (2.0, re.compile(r"(?:b\.i\.d\.?|bid|b\.d\.?|bd|bds|b\.d\.s\.?|2\s*dd|2\s*x\s*(?:tgl\.?|t[äa]e?glich))" + _END, _F)),
    (3.0, re.compile(r"(?:t\.i\.d\.?|tid|t\.d\.s\.?|tds|3\s*dd|3\s*x\s*(?:tgl\.?|t[äa]e?glich))" + _END, _F)),
    (4.0, re.compile(r"(?:q\.i\.d\.?|qid|q\.d\.s\.?|qds|4\s*dd)" + _END, _F)),
    (0.5, re.compile(
        r"(?:q\.o\.d\.?|qod|every\s+other\s+day|(?:on\s+)?alternate\s+days)" + _END, _F)),
    (1 / 14, re.compile(
        r"(?:bi-?weekly|fortnightly|every\s+other\s+week|q\.?\s*other\s+week)" + _END, _F)),
    (1 / 7, re.compile(
        r"(?:once\s+weekly|weekly|once\s+(?:a|per)\s+week|(?:a|per|each|every)\s+week"
        r"|/\s*w(?:ee)?k|semanal(?:mente)?)" + _END, _F)),
    (1 / 28, re.compile(
        r"(?:monthly|once\s+(?:a|per)\s+month|(?:a|per|each|every)\s+month|/\s*month"
        r"|mensual(?:mente)?|cada\s+mes)" + _END, _F)),
    (1.0, re.compile(
        r"(?:once\s+daily|once\s+(?:a\s+|per\s+)?day|daily|a\s+day|per\s+day|/\s*day|/\s*d"
        r"|q\.d\.?|qd|o\.d\.?|od|q\.?\s?(?:a\.m\.|am|p\.m\.|pm|h\.s\.|hs)|h\.s\.|hs|q\.?\s?morning"
        r"|nightly|at\s+(?:night|bedtime)|every\s+(?:day|morning|evening|night)"
        r"|each\s+(?:day|morning|evening|night)|in\s+the\s+(?:morning|evening)"
        r"|mane|nocte|diari[oa]s?|al\s+d[ií]a"
        # French, Italian, German, Dutch: "2,5 g/j", "par jour", "/die", "al giorno", "täglich", "1dd"
        r"|/\s*j|par\s+jour|/\s*die|al\s+giorno|pro\s+tag|1\s*x\s*(?:tgl\.?|t[äa]e?glich)|tgl\.?|t[äa]e?glich|1\s*dd|per\s+dag|/\s*dag"
        r"|(?-i:OM|ON))" + _END, _F)),
)
# "twice daily", "2x/day", "three times a week", "once a month"
_MULT_FREQ = re.compile(
    r"(?P<n>once|twice|thrice|one|two|three|four|\d+)[\s-]*(?P<times>times?|x|×)?[\s-]*"
    r"(?:(?:a|an|per|each|every)\s+|/\s*)?"
    r"(?P<p>days?|daily|d|weeks?|weekly|wk|months?|monthly|mo)" + _END, _F)
# "2 cp x 3 times/die", "1 tab x 2/día", "x 3 times daily": so many doses a day, the "x" a multiplier, not
# a course ("500 mg x 3 d" is three days)
_X_PER_DAY = re.compile(
    r"x\s*(?P<n>\d)\s*(?:times?\s*|veces\s*)?(?:/\s*(?:die|day|d[ií]a|d)|daily|a\s+day|per\s+day|al\s+d[ií]a)" + _END, _F)
# morning-noon-night schedule (India, German-speaking countries, also "1-0-0-1"): units taken at
# each time, so "500 mg 2-0-2" is four 500 mg doses a day, "1.5 g 1-0-1" two of 1.5 g and
# "250 mg gélules 5-0-5" ten capsules
_SCHEDULE = re.compile(r"(?<![\d.-])(?P<slots>(?:[0-9](?:\.5)?|½)(?:-(?:[0-9](?:\.5)?|½)){2,3})(?![\d-])", _F)
_EVERY = r"(?:(?:once\s+)?(?:q\.?\s*|every\s+)|cada\s+|c/\s*|/\s*)"  # "once every 2 weeks"
_HOURLY = re.compile(_EVERY + _N + r"\s*(?:-\s*\d+\s*)?(?:h|hrs?|hours?|horas?)" + _END, _F)
# Spanish and Portuguese "de 12/12 h", "8/8h": every 12 (8) hours
_SLASH_HOURLY = re.compile(r"(?:de\s+)?(?P<n>\d{1,2})\s*/\s*(?P=n)\s*(?:h|hrs?|horas?)" + _END, _F)
_N_DAYS = re.compile(_EVERY + _N + r"\s*(?:d|days?|d[ií]as)" + _END, _F)
_N_WEEKS = re.compile(_EVERY + r"(?:" + _N + r"\s*)?(?:w|wks?|weeks?|semanas?)" + _END, _F)
_N_MONTHS = re.compile(_EVERY + r"(?:" + _N + r"\s*)?(?:mos?|months?|meses)" + _END, _F)

_DURATION = re.compile(
    r"(?:(?P<x>x|×)|for)\s*(?P<n>\d+)"
    r"(?:\s*(?P<u>(?:consecutive\s+)?(?:days?|d)|doses?|weeks?|wks?|months?|mos?|cycles?"
    r"|pulses?|infusions?))?" + _END, _F)
_DIVIDED = re.compile(
    r"(?:in\s+)?(?:\d+\s+|two\s+|three\s+|four\s+)?divided(?:\s+doses?)?" + _END, _F)
_TAB_COUNT = re.compile(
    r"(?:(?:take|takes|tomar|toma)\s+)?(?:x\s*)?(?P<n>\d+|one|two|three|four|half)\s*"
    r"(?:tabs?|tablets?|caps?|capsules?|comps?|comprimidos?|cp)\.?" + _END,
    _F)
# "360 mg: 3 comp/12 h", "500 MG COMP ........ 2-0-2" (dot leaders), "5 mg 60 comp | 3-0-0" (a table cell)
# ... or a dash between a strength and its count: "CellCept 500 mg - 3 cp de 12/12 h", "500MG TAB - TAKE THREE TABLETS"
_SEP = re.compile(r"\s*(?:[,:|]\s*|\.{3,}\s*|-\s+)?")
# a schedule alone in brackets: "Micofenolato de mofetilo 500 mg 150 comp (3-0-3): 09/01/2025"
_BRACKET_SCHEDULE = re.compile(r"\s*\(\s*(?=[0-9½](?:\.5)?-)")
_MAX_TABS_PER_DOSE = 10

# Between an earlier dose and the current one: "to", arrows, "now", "reduced to" ...
_CHANGE_GAP = re.compile(
    r"\s*(?:,\s*)?(?:(?:and\s+)?(?:was\s+)?(?:reduced|decreased|increased|tapered|titrated"
    r"|changed|weaned|lowered|raised)\s+)?"
    r"(?:to|→|->|-->|=>|⇒|now|currently)(?:\s+on)?\s*(?:,\s*)?",
    _F)
_FROM_BEFORE = re.compile(
    r"(?:from|taper(?:ed|ing)?|decreased|reduced|increased|weaned|lowered|titrated)\s*$", _F)


def _to_float(raw: str) -> float:
    """'1,000' -> 1000.0; '1,5' -> 1.5; '0.75' -> 0.75; words -> their value."""
    raw = raw.strip().lower()
    if raw in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[raw])
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        return float(raw.replace(",", ""))
    if _DOTTED_THOUSANDS.fullmatch(raw):
        return float(raw.replace(".", ""))
    return float(raw.replace(",", "."))


def _to_mg(value: float, unit: str) -> float:
    u = unit.lower()
    if u in ("mcg", "µg", "μg", "ug") or u.startswith("microgram"):
        return value / 1000.0
    if u.startswith("m"):  # mg, milligram(s)
        return value
    return value * 1000.0  # g, gm, gr, gram(s), gramo(s)


def _match_route(text: str, pos: int) -> tuple[str, int] | None:
    for route, pattern in _ROUTES:
        m = pattern.match(text, pos)
        if m:
            return route, m.end()
    return None


def _match_frequency(text: str, pos: int) -> tuple[float, int] | None:
    """A frequency token starting exactly at ``pos``: (administrations per day, end)."""
    for per_day, pattern in _FIXED_FREQS:
        m = pattern.match(text, pos)
        if m:
            return per_day, m.end()
    m = _SCHEDULE.match(text, pos)
    if m:
        total = sum(0.5 if x == "½" else float(x) for x in m.group("slots").split("-"))
        return (total, m.end()) if total > 0 else None
    m = _X_PER_DAY.match(text, pos)
    if m:
        return float(m.group("n")), m.end()
    m = _MULT_FREQ.match(text, pos)
    # "twice daily" needs no "times"; "2 daily" / "two days" are not frequencies
    if m and (m.group("times") or m.group("n").lower() in ("once", "twice", "thrice")):
        period = m.group("p").lower()
        days = 7.0 if period.startswith("w") else 28.0 if period.startswith("mo") else 1.0
        return _to_float(m.group("n")) / days, m.end()
    for pattern, days_per_unit in ((_HOURLY, None), (_SLASH_HOURLY, None), (_N_DAYS, 1.0), (_N_WEEKS, 7.0),
                                   (_N_MONTHS, 28.0)):
        m = pattern.match(text, pos)
        if m:
            n = _to_float(m.group("n")) if m.group("n") else 1.0
            if n <= 0:
                return None
            per_day = 24.0 / n if days_per_unit is None else 1.0 / (n * days_per_unit)
            return per_day, m.end()
    return None


@dataclass
class _Tail:
    end: int
    per_day: float | None = None
    route: str | None = None
    daily_locked: bool = False  # amount is already per day ("/day", "divided doses")
    tab_multiplier: float = 1.0


def _scan_tail(text: str, tail: _Tail) -> _Tail:
    """Consume route / frequency / duration / 'divided' tokens after the unit."""
    while True:
        p = _SEP.match(text, tail.end).end()
        bracket = _BRACKET_SCHEDULE.match(text, tail.end)
        if bracket and _SCHEDULE.match(text, bracket.end()):
            p = bracket.end()
        freq = _match_frequency(text, p)
        if freq:
            if tail.per_day is None and not tail.daily_locked:
                tail.per_day = freq[0]
            tail.end = freq[1]
            continue
        route = _match_route(text, p)
        if route:
            tail.route = tail.route or route[0]
            tail.end = route[1]
            continue
        m = _DURATION.match(text, p)
        if m and (m.group("x") or m.group("u")):
            unit = (m.group("u") or "").lower()
            if tail.per_day is None and (unit.endswith("days") or unit.endswith("day")
                                         or unit == "d"):
                tail.per_day = 1.0
            tail.end = m.end()
            continue
        m = _DIVIDED.match(text, p)
        if m:
            if tail.per_day is None:
                tail.per_day = 1.0
            tail.daily_locked = True
            tail.end = m.end()
            continue
        m = _TAB_COUNT.match(text, p)
        if m and tail.tab_multiplier == 1.0:
            # "3 tabs" per dose; "60 comp" in a dispensing record is the box, not the dose
            count = _to_float(m.group("n"))
            if count <= _MAX_TABS_PER_DOSE:
                tail.tab_multiplier = count
            tail.route = tail.route or "oral"
            tail.end = m.end()
            continue
        return tail


def route_before(text: str, lo: int, hi: int) -> str | None:
    """Route word in the text just before ``hi``: before a dose ("pulses 500 mg", "IV 750 mg/m2") or
    before and inside a drug's name ("Bolos MP", "IV methylprednisolone")."""
    window_start = max(lo, hi - 40)
    found: str | None = None
    for m in re.finditer(r"[\w.]+", text[window_start:hi]):
        hit = _match_route(text, window_start + m.start())
        if hit and hit[1] == window_start + m.end():
            found = hit[0]
    return found


def _candidate(text: str, m: re.Match[str], prev_end: int) -> Dose:
    amount = _to_float(m.group("amt"))
    start = m.start()
    is_range = False
    if m.group("amt2"):
        upper = _to_float(m.group("amt2"))
        if upper < amount or _FROM_BEFORE.search(text, max(0, start - 25), start):
            amount, start = upper, m.start("amt2")  # "40 to 20 mg": a change, not a range
        else:
            amount, is_range = upper, True
    amount = _to_mg(amount, m.group("unit"))
    unit = "mg"
    denom = (m.group("denom") or "").lower()
    if denom == "kg":
        unit = "mg/kg"
    elif denom:
        unit = "mg/m2"

    tail = _Tail(end=m.end())
    per = (m.group("per") or "").lower()
    if per:
        if per.startswith("w"):
            tail.per_day = 1 / 7
        elif per.startswith("mo"):
            tail.per_day = 1 / 28
        elif per != "dose":
            tail.per_day = 1.0
        tail.daily_locked = per != "dose"
    tail = _scan_tail(text, tail)

    multiplier = tail.tab_multiplier
    if m.group("ntab"):
        multiplier = _to_float(m.group("ntab"))
    elif m.group("nx") and tail.per_day is not None:
        # "2 x 500 mg BD" is two units a dose; with no frequency "6 x 500 mg" (Euro-Lupus) and
        # "3 x 1 g" (pulses) count the doses, each of the amount written
        multiplier = _to_float(m.group("nx"))
    amount = round(amount * multiplier, 6)

    route = tail.route
    if m.group("ntab"):
        route = route or "oral"
    route = route or route_before(text, prev_end, m.start())
    daily = round(amount * tail.per_day, 6) if tail.per_day is not None else None
    return Dose(start=start, end=tail.end, text=text[start:tail.end], amount=amount,
                unit=unit, per_day=tail.per_day, daily_amount=daily, route=route,
                is_range=is_range)


# number words are read as digits only before a unit or "horas" ("cada doce horas"), not in "once daily"
_UNIT_AFTER_WORDS = re.compile(rf"\s*(?:(?:{_UNIT})\b|horas|hours)", _F)


def parse_doses(text: str) -> list[Dose]:
    """All dose expressions in ``text``, in order; a dose changed "to" another is left out.
    Numbers read out in words count ("mil quinientos miligramos cada doce horas")."""
    spelled = spelled_numbers(text, _UNIT_AFTER_WORDS)
    if spelled == text:
        return _summed(text, _parse_doses(text))
    return [replace(d, text=text[d.start:d.end]) for d in _summed(text, _parse_doses(spelled))]


_PLUS_GAP = re.compile(r"[ \t]*\+[ \t]*")
_TOTAL_OPEN = re.compile(r"[ \t]*\((?:[ \t]*(?:total|=)[ \t]*:?)?[ \t]*")


def _summed(text: str, doses: list[Dose]) -> list[Dose]:
    """Doses written as a sum of tablets ("Dacortin 30 mg + 25 mg (55 mg/día)") as one dose of the
    sum; a total in brackets right after it that agrees gives its frequency."""
    out: list[Dose] = []
    i = 0
    while i < len(doses):
        d = doses[i]
        while (i + 1 < len(doses) and doses[i + 1].unit == d.unit and d.per_day is None
               and _PLUS_GAP.fullmatch(text, d.end, doses[i + 1].start)):
            nxt = doses[i + 1]
            amount = round(d.amount + nxt.amount, 6)
            daily = round(amount * nxt.per_day, 6) if nxt.per_day is not None else None
            d = replace(d, end=nxt.end, text=text[d.start:nxt.end], amount=amount, per_day=nxt.per_day,
                        daily_amount=daily, route=d.route or nxt.route)
            i += 1
            if (i + 1 < len(doses) and d.per_day is None and doses[i + 1].amount == d.amount
                    and doses[i + 1].unit == d.unit and _TOTAL_OPEN.fullmatch(text, d.end, doses[i + 1].start)):
                total = doses[i + 1]
                d = replace(d, per_day=total.per_day, daily_amount=total.daily_amount)
                i += 1
        out.append(d)
        i += 1
    return out


def _parse_doses(text: str) -> list[Dose]:
    found: list[Dose] = []
    pos = 0
    prev_end = 0
    while True:
        m = _DOSE_RE.search(text, pos)
        if not m:
            break
        dose = _candidate(text, m, prev_end)
        if found and _CHANGE_GAP.fullmatch(text, found[-1].end, dose.start):
            found.pop()  # the earlier dose was changed into this one
        found.append(dose)
        prev_end = pos = max(dose.end, m.end())
    return found


def parse_dose(text: str) -> Dose | None:
    """The first (current) dose expression in ``text``, or None."""
    doses = parse_doses(text)
    return doses[0] if doses else None


# ---------------------------------------------------------------- weight and BSA

_LB_TO_KG = 0.45359237
_WEIGHT_UNIT = r"(?P<unit>kgs?|kilograms?|kilos?|lbs?|pounds?)"
_WEIGHT_CUED = re.compile(
    r"(?<![\w])(?:body\s+weight|weight|weighs|weighing|wt|bw|peso|pesa)\b\.?\s*"
    r"(?:(?:is|of|was|today|now|=|:|-)\s*)*"
    rf"(?P<num>{_NUM})\s*{_WEIGHT_UNIT}(?![\w/])",
    _F)
_WEIGHT_BARE = re.compile(rf"(?<![\w.,/+-])(?P<num>{_NUM})\s*{_WEIGHT_UNIT}(?![\w/])", _F)
_WEIGHT_CHANGE_BEFORE = re.compile(
    r"(?:lost|loss\s+of|gained|gain\s+of|down|up|increase\s+of|decrease\s+of)\s*$", _F)


def _weight_value(m: re.Match[str]) -> float | None:
    value = _to_float(m.group("num"))
    unit = m.group("unit").lower()
    kg = value * _LB_TO_KG if unit.startswith(("lb", "pound")) else value
    kg = round(kg, 2)
    return kg if 2.0 <= kg <= 400.0 else None


_WEIGHT_STONES = re.compile(
    r"(?<![\w])(?:weight|wt|weighs|body\s+weight)\b\s*:?\s*(?P<st>\d{1,2})\s*(?:st|stone)s?\b(?:\s*(?P<lb>\d{1,2})\s*(?:lb|lbs|pounds)\b)?",
    _F)


def parse_weight_kg(text: str) -> tuple[float, int, int] | None:
    """(kg, start, end) of the first body weight; lb are converted (154 lb -> 69.85 kg).

    A cued weight ("Weight: 70 kg", "Wt 154 lb", "weighs 60 kg", "BW 58 kg") wins over a
    bare one ("62.5kg"); a bare weight after "lost"/"gained" is a change, not a weight.
    The span covers the cue word when there is one.
    """
    stones = _WEIGHT_STONES.search(text)  # UK: "Weight 9 st 4 lb"
    if stones:
        kg = (int(stones.group("st")) * 14 + int(stones.group("lb") or 0)) * 0.45359237
        if 25 <= kg <= 300:
            return round(kg, 2), stones.start(), stones.end()
    for m in _WEIGHT_CUED.finditer(text):
        kg = _weight_value(m)
        if kg is not None:
            return kg, m.start(), m.end()
    for m in _WEIGHT_BARE.finditer(text):
        if _WEIGHT_CHANGE_BEFORE.search(text, max(0, m.start() - 20), m.start()):
            continue
        kg = _weight_value(m)
        if kg is not None:
            return kg, m.start(), m.end()
    return None


_BSA_RE = re.compile(
    r"(?<![\w])(?:BSA|body\s+surface\s+area|superficie\s+corporal)\b\s*"
    r"(?:(?:is|of|was|=|:|-)\s*)*"
    rf"(?P<num>{_NUM})(?:\s*(?:m2|m²|m\^2|sq\.?\s*m|square\s+met(?:er|re)s?)(?![\w]))?",
    _F)


def parse_bsa_m2(text: str) -> tuple[float, int, int] | None:
    """(m2, start, end) from "BSA 1.72 m2", "BSA: 1.8 m²"; values outside 0.2-3.5 are ignored."""
    for m in _BSA_RE.finditer(text):
        value = _to_float(m.group("num"))
        if 0.2 <= value <= 3.5:
            return value, m.start(), m.end()
    return None
