"""Property-based tests (hypothesis): dates, dose arithmetic, evidence offsets end to end, and
note files in random encodings. Each property states what must hold for every input, not one
example; the tables in the other test files pin the exact expected values."""

from __future__ import annotations

import calendar
import codecs
import re
from datetime import date, timedelta
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from extractor.criteria import load_criteria
from extractor.dates import find_dates, find_dates_in, parse_iso_date
from extractor.doses import parse_dose, parse_doses
from extractor.evaluator import MET, NOT_MET, Patient, evaluate_patient
from extractor.evidence import Evidence
from extractor.readers import read_notes

FAST = settings(max_examples=60, deadline=None, database=None)
PIPELINE = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# ------------------------------------------------------------------------------------------ text

MONTHS = [calendar.month_name[i] for i in range(1, 13)] + [calendar.month_abbr[i] for i in range(1, 13)]
DATE_TOKENS = MONTHS + [
    "/", "-", ".", ",", " ", "\n", "\r\n", "\t", "2024", "1999", "03", "15", "31", "12", "0", "'24",
    "ago", "days", "weeks", "months", "years", "last", "this", "in", "since", "on", "the", "spring",
    "winter", "hace", "meses", "de", "of", "today", "yesterday", "dd/mm/yyyy", "mm/dd", "mg", "x",
]
# unicode, digits, punctuation and date words, glued in any order
date_like_text = st.lists(
    st.one_of(st.text(max_size=6), st.sampled_from(DATE_TOKENS), st.integers(0, 3000).map(str)),
    max_size=30,
).map("".join)


def _check_mentions(text, mentions):
    previous_end = 0
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.date_min <= m.date_max
        assert m.precision in ("day", "week", "month", "season", "year")
        assert m.kind in ("absolute", "relative")
        assert m.start >= previous_end  # sorted and non-overlapping
        previous_end = m.end


# ----------------------------------------------------------------------------------- 1. dates


@FAST
@given(text=date_like_text, reference=st.none() | st.dates(date(1900, 1, 1), date(2100, 12, 31)),
       day_first=st.sampled_from([None, True, False]))
def test_find_dates_offsets_and_ranges_hold_for_any_text(text, reference, day_first):
    mentions = find_dates(text, reference, day_first)
    _check_mentions(text, mentions)
    if reference is None:
        assert all(m.kind == "absolute" for m in mentions)


WRITTEN_DATES = ["2024-03-15", "03/15/2024", "15/03/2024", "March 3, 2024", "3 Mar 2024", "03/2024", "in 2019",
                 "since 2021", "spring 2023", "last winter", "3 months ago", "two weeks ago", "hace 2 meses",
                 "on 3/15", "yesterday", "07/02, 07/03, 07/04/2024", "03/01/2024-03/15/2024", "(dd/mm/yyyy)"]
long_date_like_text = st.lists(
    st.one_of(st.text(max_size=6), st.sampled_from(DATE_TOKENS), st.sampled_from(WRITTEN_DATES),
              st.integers(0, 3000).map(str)),
    max_size=120,
).map(" ".join)


def _spans(text, cuts):
    bounds = sorted({round(c * len(text)) for c in cuts})
    return [(a, b) for a, b in zip(bounds[::2], bounds[1::2]) if a < b]


@FAST
@given(text=long_date_like_text, reference=st.none() | st.dates(date(1950, 1, 1), date(2050, 12, 31)),
       cuts=st.lists(st.floats(0, 1), max_size=6))
def test_find_dates_in_offsets_point_into_the_whole_text(text, reference, cuts):
    for m in find_dates_in(text, _spans(text, cuts), reference):
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.date_min <= m.date_max
    # one span over the whole text reads exactly what find_dates reads
    assert find_dates_in(text, [(0, len(text))], reference) == find_dates(text, reference)


# dates that tell opposite orders (15/03 is day-first, 03/15 month-first): the note as a whole
# does not say (note_day_first is None), so 07/04/2024 is read month-first on the whole text
CONFLICTING_ORDERS = "07/04/2024 15/03/2024" + " " * 70 + "03/15/2024"


@FAST
@given(text=long_date_like_text, reference=st.none() | st.dates(date(1950, 1, 1), date(2050, 12, 31)),
       cuts=st.lists(st.floats(0, 1), max_size=6))
@example(text=CONFLICTING_ORDERS, reference=None, cuts=[0.0, 0.05])
def test_find_dates_in_agrees_with_find_dates_on_the_spans(text, reference, cuts):
    spans = _spans(text, cuts)

    def touching(ms):
        return [m for m in ms if any(m.start < b and a < m.end for a, b in spans)]

    # reading only the spans and their context finds what reading the whole note finds there
    assert touching(find_dates_in(text, spans, reference)) == touching(find_dates(text, reference))


def _ordinal(day: int) -> str:
    return str(day) + ("th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th"))


def _month_word(draw, month: int) -> str:
    name = draw(st.sampled_from([calendar.month_name[month], calendar.month_abbr[month],
                                 calendar.month_abbr[month] + "."]))
    return draw(st.sampled_from([name, name.upper(), name.lower()]))


@st.composite
def written_dates(draw):
    """(text of a real day in one of several formats, that day)."""
    day = draw(st.dates(date(1900, 1, 1), date(2099, 12, 31)))  # the patterns read years 19xx/20xx only
    fmt = draw(st.sampled_from(["iso", "iso_slash", "mdy", "dmy_dotted", "dmy_named", "mdy_named",
                                "dmy_dashed", "dmy_of"]))
    d = draw(st.sampled_from([str(day.day), _ordinal(day.day)]))
    month = _month_word(draw, day.month)
    if fmt == "iso":
        return day.isoformat(), day
    if fmt == "iso_slash":
        return f"{day.year}/{day.month:02d}/{day.day:02d}", day
    if fmt in ("mdy", "dmy_dotted"):
        assume(day.day > 12)  # unambiguous whatever the note declares
        m = draw(st.sampled_from([f"{day.month:02d}", str(day.month)]))
        return (f"{m}/{day.day}/{day.year}" if fmt == "mdy" else f"{day.day}.{m}.{day.year}"), day
    if fmt == "dmy_named":
        return f"{d} {month} {day.year}", day
    if fmt == "mdy_named":
        return f"{month} {d}{draw(st.sampled_from([', ', ' ', ',']))}{day.year}", day
    if fmt == "dmy_dashed":
        return f"{day.day:02d}-{calendar.month_abbr[day.month]}-{day.year}", day
    return f"{_ordinal(day.day)} of {calendar.month_name[day.month]} {day.year}", day


FILLER = ["seen", "biopsy", "started", "labs", "reviewed", "clinic", "follow-up", "and",
          "the", "was", "on", "dated", "Pt", "renal", "(", ")", ":", "-", "—", "é", "naïve", "年",
          "\n", "\r\n", "\t"]
filler = st.lists(st.sampled_from(FILLER), max_size=6).map(" ".join)


@FAST
@given(written=written_dates(), before=filler, after=filler,
       reference=st.none() | st.dates(date(1950, 1, 1), date(2050, 12, 31)))
@example(written=("2024-02-29", date(2024, 2, 29)), before="", after="", reference=None)
@example(written=("12/31/1900", date(1900, 12, 31)), before="on", after="", reference=None)
def test_a_written_day_is_found_as_exactly_that_day(written, before, after, reference):
    written_text, day = written
    text = f"{before} {written_text} {after}"
    start = len(before) + 1
    mentions = find_dates(text, reference)
    _check_mentions(text, mentions)
    found = [m for m in mentions if m.start == start and m.end == start + len(written_text)]
    assert found, f"{written_text!r} not found in {text!r}: {mentions}"
    assert (found[0].date_min, found[0].date_max, found[0].precision) == (day, day, "day")
    assert found[0].kind == "absolute"


@FAST
@given(year=st.integers(1900, 2099), month=st.integers(1, 12), before=filler, after=filler,
       style=st.sampled_from(["name", "abbr", "of", "numeric", "iso"]))
def test_a_written_month_is_the_whole_calendar_month(year, month, before, after, style):
    written = {"name": f"{calendar.month_name[month]} {year}", "abbr": f"{calendar.month_abbr[month]}-{year}",
               "of": f"{calendar.month_name[month]} of {year}", "numeric": f"{month:02d}/{year}",
               "iso": f"{year}-{month:02d}"}[style]
    text = f"{before} {written} {after}"
    found = [m for m in find_dates(text) if m.start == len(before) + 1]
    assert found and found[0].text == written, (text, found)
    last = calendar.monthrange(year, month)[1]
    assert (found[0].date_min, found[0].date_max, found[0].precision) == (
        date(year, month, 1), date(year, month, last), "month")


AGO_UNITS = {"days": "d", "day": "d", "d": "d", "weeks": "w", "wks": "w", "months": "m", "mos": "m",
             "years": "y", "yrs": "y"}


@FAST
@given(n=st.integers(1, 99), unit=st.sampled_from(sorted(AGO_UNITS)), before=filler,
       reference=st.dates(date(1950, 1, 1), date(2099, 12, 31)))
def test_n_units_ago_is_a_range_around_that_many_units_before_the_note(n, unit, before, reference):
    from dateutil.relativedelta import relativedelta

    written = f"{n} {unit} ago"
    text = f"{before} {written}."
    found = [m for m in find_dates(text, reference) if m.text == written]
    assert found, (text, find_dates(text, reference))
    m = found[0]
    kind = AGO_UNITS[unit]
    centre = reference - {"d": relativedelta(days=n), "w": relativedelta(weeks=n),
                          "m": relativedelta(months=n), "y": relativedelta(years=n)}[kind]
    assert m.kind == "relative"
    assert m.date_min <= centre <= m.date_max <= reference
    if kind == "d":
        assert m.date_min == m.date_max == centre
    assert all(x.text != written for x in find_dates(text))  # no note date, no relative dates


@settings(max_examples=10, deadline=None, database=None)
@given(written=written_dates().filter(lambda w: any(c.isalpha() for c in w[0])),  # month names
       after=st.sampled_from(["patient presented with edema.", "patients were seen.", "days after the flare."]))
@example(written=("January 5, 2024", date(2024, 1, 5)), after="patient presented with edema.")
def test_a_written_day_before_a_count_noun_is_still_found(written, after):
    written_text, day = written
    text = f"On {written_text} {after}"
    assert [(m.text, m.date_min, m.date_max) for m in find_dates(text)] == [(written_text, day, day)]


@FAST
@given(day=st.dates(date(1, 1, 1), date(9999, 12, 31)),
       time=st.none() | st.times().map(lambda t: t.strftime("%H:%M:%S")),
       sep=st.sampled_from(["-", "/"]), pad=st.sampled_from(["", " ", "\t", "\n "]))
def test_parse_iso_date_round_trips(day, time, sep, pad):
    assume(day.year >= 1000 or sep == "-")  # four-digit years only
    text = f"{day.year:04d}{sep}{day.month:02d}{sep}{day.day:02d}"
    if time is not None and sep == "-":
        text += " " + time
    assert parse_iso_date(pad + text + pad) == day
    assert parse_iso_date(day.isoformat()) == day


@st.composite
def impossible_days(draw):
    year = draw(st.integers(1000, 9999))
    month = draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    if draw(st.booleans()):
        return f"{year:04d}-{month:02d}-{draw(st.integers(last + 1, 99)):02d}"
    return f"{year:04d}-{draw(st.sampled_from([0, 13, 20, 99])):02d}-{draw(st.integers(1, 28)):02d}"


@FAST
@given(value=impossible_days()
       | st.text(max_size=12).filter(lambda s: not re.fullmatch(r"\s*\d{4}[-/]\d\d[-/]\d\d.*", s)))
@example(value="2023-02-30")
@example(value="2023-02-29")
@example(value="2024-02-29 24:00")
def test_parse_iso_date_rejects_impossible_days(value):
    with pytest.raises(ValueError):
        parse_iso_date(value)


# ------------------------------------------------------------------------------------- 2. doses

DOSE_TOKENS = ["mg", "g", "mcg", "/", "m2", "kg", "day", "BID", "tid", "q12h", "x", "3", "days", "po",
               "IV", "twice", "daily", "tabs", "of", "to", "->", "1,000", "1,5", ".5", "-", "(", ")",
               "every", "2", "weeks", "divided doses", "mg/dL", "from", "tapered", "½", "µg"]
dose_like_text = st.lists(
    st.one_of(st.text(max_size=4), st.sampled_from(DOSE_TOKENS), st.integers(0, 5000).map(str),
              st.just(" ")),
    max_size=30,
).map("".join)


@FAST
@given(text=dose_like_text)
def test_parse_doses_offsets_and_arithmetic_hold_for_any_text(text):
    doses = parse_doses(text)
    previous_end = 0
    for d in doses:
        assert 0 <= d.start < d.end <= len(text)
        assert text[d.start:d.end] == d.text
        assert re.search(r"\d", d.text), d  # the span holds the amount it was read from
        assert d.start >= previous_end  # in order, not overlapping
        previous_end = d.end
        assert d.amount >= 0
        assert d.unit in ("mg", "mg/m2", "mg/kg")
        assert d.route in (None, "iv", "oral", "sc", "im")
        if d.per_day is None:
            assert d.daily_amount is None
        else:
            assert d.per_day > 0
            assert d.daily_amount == pytest.approx(d.amount * d.per_day, rel=1e-6, abs=1e-6)
    assert parse_dose(text) == (doses[0] if doses else None)


FREQUENCIES = {  # frequency as written -> administrations per day
    "daily": 1, "once daily": 1, "once a day": 1, "qd": 1, "QD": 1, "q.d.": 1, "every morning": 1,
    "nightly": 1, "at bedtime": 1, "qhs": 1, "BID": 2, "bid": 2, "b.i.d.": 2, "twice daily": 2,
    "twice a day": 2, "2x/day": 2, "2 times a day": 2, "TID": 3, "t.i.d.": 3, "three times daily": 3,
    "3 times a day": 3, "QID": 4, "four times daily": 4, "q24h": 1, "q12h": 2, "Q12H": 2, "q 12 h": 2,
    "every 12 hours": 2, "q8h": 3, "every 8 hours": 3, "q6h": 4, "q4h": 6, "every other day": 0.5,
    "qod": 0.5, "weekly": 1 / 7, "once weekly": 1 / 7, "every week": 1 / 7, "every 2 weeks": 1 / 14,
    "biweekly": 1 / 14, "monthly": 1 / 28, "every 4 weeks": 1 / 28, "every 3 days": 1 / 3,
}
UNITS = {"mg": 1.0, "milligrams": 1.0, "g": 1000.0, "gm": 1000.0, "grams": 1000.0, "mcg": 0.001, "µg": 0.001}
amounts = st.one_of(
    st.integers(1, 5000).map(lambda n: (str(n), float(n))),
    st.decimals(min_value="0.05", max_value="99.95", places=2).map(lambda d: (str(d), float(d))),
    st.integers(1, 9).map(lambda n: (f"{n},000", n * 1000.0)),  # thousands separator
    st.tuples(st.integers(0, 99), st.integers(1, 9)).map(lambda t: (f"{t[0]},{t[1]}", t[0] + t[1] / 10)),  # decimal comma
)
DRUG_LEAD = st.sampled_from(["", "MMF ", "prednisone ", "Mycophenolate mofetil (CellCept) ", "Plan: "])
TRAIL = st.sampled_from(["", ".", ", tolerating well.", " since March.", "\nNext line"])


@FAST
@given(amount=amounts, unit=st.sampled_from(sorted(UNITS)), freq=st.sampled_from(sorted(FREQUENCIES)),
       route=st.sampled_from(["", " PO", " IV", " orally"]), lead=DRUG_LEAD, trail=TRAIL,
       space=st.sampled_from([" ", ""]))
def test_daily_amount_is_amount_times_frequency(amount, unit, freq, route, lead, trail, space):
    written, value = amount
    dose_text = f"{written}{space}{unit}{route} {freq}"
    text = lead + dose_text + trail
    dose = parse_dose(text)
    assert dose is not None, text
    assert (dose.start, dose.text) == (len(lead), dose_text)
    assert dose.unit == "mg"
    assert dose.amount == pytest.approx(value * UNITS[unit], rel=1e-9)
    assert dose.per_day == pytest.approx(FREQUENCIES[freq])
    assert dose.daily_amount == pytest.approx(value * UNITS[unit] * FREQUENCIES[freq], rel=1e-6, abs=1e-6)
    assert dose.route == {"": None, " PO": "oral", " orally": "oral", " IV": "iv"}[route]


@FAST
@given(amount=amounts, per=st.sampled_from(["/day", "/d", " per day", "/24h"]),
       freq=st.sampled_from(["", " BID", " TID"]))
def test_a_per_day_amount_is_already_daily(amount, per, freq):
    written, value = amount
    dose = parse_dose(f"{written} g{per}{freq}")
    assert dose is not None
    assert dose.per_day == 1 and dose.daily_amount == pytest.approx(value * 1000, rel=1e-9)


@FAST
@given(amount=amounts, freq=st.sampled_from(["", " BID", " daily", " q8h"]))
def test_grams_are_a_thousand_milligrams(amount, freq):
    written, _ = amount
    in_g, in_mg = parse_dose(f"{written} g{freq}"), parse_dose(f"{written} mg{freq}")
    assert in_g.amount == pytest.approx(in_mg.amount * 1000, rel=1e-9)
    assert in_g.per_day == in_mg.per_day
    if in_mg.daily_amount is not None:
        assert in_g.daily_amount == pytest.approx(in_mg.daily_amount * 1000, rel=1e-9)


@FAST
@given(n=st.integers(1, 48))
def test_every_n_hours_is_24_over_n_per_day(n):
    for written in (f" q{n}h", f" every {n} hours", f" q {n} hrs", f"/{n} h", f"/{n}h"):
        dose = parse_dose(f"500 mg{written}")
        assert dose.per_day == pytest.approx(24 / n), written
        assert dose.daily_amount == pytest.approx(500 * 24 / n)


@pytest.mark.parametrize("freq, per_day", [("once every 2 weeks", 1 / 14), ("twice-daily", 2), ("q.a.m.", 1)])
def test_frequency_phrasings_with_hyphens_dots_and_once_every(freq, per_day):
    dose = parse_dose(f"500 mg {freq}")
    assert dose.per_day == pytest.approx(per_day)


@FAST
@given(tabs=st.integers(1, 4), strength=st.integers(1, 1000), freq=st.sampled_from(["daily", "BID", "TID"]))
def test_tablets_times_strength(tabs, strength, freq):
    dose = parse_dose(f"{tabs} tabs of {strength} mg {freq}")
    per_day = {"daily": 1, "BID": 2, "TID": 3}[freq]
    assert (dose.amount, dose.per_day, dose.route) == (tabs * strength, per_day, "oral")
    assert dose.daily_amount == pytest.approx(tabs * strength * per_day)


@FAST
@given(old=st.integers(1, 200), new=st.integers(1, 200),
       verb=st.sampled_from(["tapered from", "reduced from", "increased from"]),
       arrow=st.sampled_from([" to ", " -> ", " → "]))
def test_a_change_keeps_the_current_dose(old, new, verb, arrow):
    text = f"prednisone {verb} {old} mg{arrow}{new} mg daily"
    doses = parse_doses(text)
    assert [(d.amount, d.daily_amount) for d in doses] == [(new, new)]
    assert text[doses[0].start:doses[0].end] == f"{new} mg daily"


# prednisone equivalents: the glucocorticoid arm of dose_limit (evaluator.py, criteria.yaml)
CRITERIA = load_criteria()
INDEX = date(2024, 11, 6)
GC = CRITERIA.criteria["immunosuppression_over_limit"].glucocorticoids


def _steroid(drug, amount, per_day, daily, days_before=10):
    day = INDEX - timedelta(days=days_before)
    return Evidence(evidence_id=f"N:0-{len(drug)}", patient_id="P", note_id="N", note_date=day,
                    concept="INDUCTION_AGENT", start=0, end=len(drug), text=drug, rule_id="INDUCTION_AGENT",
                    sentence_start=0, sentence_end=80, date_min=day, date_max=day, date_source="sentence",
                    details={"drug": drug, "agent_class": "glucocorticoid", "amount": amount, "unit": "mg",
                             "per_day": per_day, "daily_amount": daily, "route": "oral"})


def _weight(kg):
    day = INDEX - timedelta(days=5)
    return Evidence(evidence_id="W:0-6", patient_id="P", note_id="W", note_date=day, concept="WEIGHT",
                    start=0, end=6, text="Weight", rule_id="WEIGHT", sentence_start=0, sentence_end=20,
                    date_min=day, date_max=day, date_source="sentence", details={"weight_kg": kg})


@FAST
@given(drug=st.sampled_from(sorted(GC["prednisone_equivalent"])), amount=st.integers(1, 200),
       per_day=st.sampled_from([None, 1, 2]), weight=st.none() | st.integers(30, 150).map(float))
def test_glucocorticoid_limit_uses_prednisone_equivalent(drug, amount, per_day, weight):
    daily = amount * per_day if per_day else None
    evidence = [_steroid(drug, amount, per_day, daily)] + ([_weight(weight)] if weight else [])
    decision = evaluate_patient(evidence, Patient("P", INDEX), CRITERIA)["immunosuppression_over_limit"]
    equivalent = amount * (per_day or 1) * GC["prednisone_equivalent"][drug]  # no frequency: once daily
    limit = GC["max_mg_per_kg_per_day"] * weight if weight else GC["max_mg_per_day_without_weight"]
    assert decision.status == (MET if equivalent > limit else NOT_MET), decision.reason
    assert f"{equivalent:g} mg/day prednisone-equivalent" in decision.reason


# ------------------------------------------------------------------------- 3. offsets end to end

SENTENCES = [
    "Renal biopsy 03/02/2024 showed ISN/RPS class IV-G lupus nephritis.",
    "No history of tuberculosis.",
    "Rituximab 1 g IV given 2024-01-10.",
    "Mother had breast cancer.",
    "MMF 1000 mg BID started 02/25/2024.",
    "She is breastfeeding.",
    "Prednisone tapered from 40 mg to 10 mg daily 3 months ago.",
    "SLEDAI-2K 4 -> 10 (07/2024).",
    "HBsAg: non-reactive. Anti-HBc negative. QuantiFERON indeterminate.",
    "History of Hodgkin lymphoma in 2010, in remission.",
    "Cyclophosphamide 500 mg IV every 2 weeks x6 (Euro-Lupus) in spring 2023.",
    "Belimumab (BLM) was considered; BLM not given.",
    "Allergies: penicillin, azathioprine.",
    "FAMILY HISTORY:\nMother: SLE. Father: kidney transplant 2015.",
    "Weight: 62 kg. BSA 1.7 m2. Urine protein/creatinine ratio 2.1 g/g.",
    "Pregnancy test negative; on contraception (IUD).",
    "Hace 3 meses inició micofenolato 1 g cada 12 h.",
]
JUNK = st.lists(
    st.one_of(st.characters(codec="utf-8", exclude_categories=["Cs"]),
              st.sampled_from(["\r\n", "\n", "\r", "\t", " ", ".", ":", "(", "é", "ß", "Ω", "ж", "中", "😀", "🩺",
                               "\u00a0", "\u2028", "\x85", "\x0c", "e\u0301", "\u200d", "\ufeff", "ﬁ", "İ"])),
    max_size=12,
).map("".join)
# words that mention nothing, so that most long notes are run on windows, not whole
NEUTRAL = ["Patient feels well today.", "Vitals stable.", "Discussed the plan with her.", "Follow up in clinic.",
           "Reviewed imaging, unremarkable", "Social history: lives with husband.", "Impression:",
           "Family History:", "Medications:", "Allergies:", "Assessment and Plan:", "(dd/mm/yyyy)", "no", "denies",
           "history of", "her mother", "3 months ago", "in 2019", "since 03/2024", "20 mg", "BID", "BLM"]
filler_words = st.lists(st.sampled_from(NEUTRAL) | JUNK, max_size=12).map(" ".join)
SEPARATORS = st.sampled_from(["", " ", "\n", "\r\n", "\t", "  ", "\n\n"])
notes = st.lists(st.tuples(st.sampled_from(SENTENCES) | filler_words | filler_words, SEPARATORS),
                 min_size=1, max_size=20).map(lambda parts: "".join(p + sep for p, sep in parts))
note_dates = st.none() | st.dates(date(2000, 1, 1), date(2030, 12, 31))


@pytest.fixture(scope="module")
def full_text_screener():
    from extractor.screen import Screener

    return Screener(windowed=False)


def _evidence(screener, text, note_date):
    (note_id, evs), = list(screener.note_evidence([("n1", "p1", note_date, text)]))
    assert note_id == "n1"
    return evs


@PIPELINE
@given(text=notes, note_date=note_dates)
@example(text="\r\n".join(SENTENCES), note_date=date(2024, 6, 1))
@example(text="Vitals stable. " * 40 + "\r\n".join(SENTENCES) + "\nFollow up in clinic." * 40,
         note_date=date(2024, 6, 1))  # long enough to be run on windows
def test_evidence_offsets_point_into_the_note(screener, full_text_screener, text, note_date):
    evs = _evidence(screener, text, note_date)
    for ev in evs:
        assert text[ev.start:ev.end] == ev.text, ev
        assert ev.sentence_start <= ev.start < ev.end <= ev.sentence_end <= len(text), ev
        assert ev.date_min is None or ev.date_max is None or ev.date_min <= ev.date_max
        if ev.date_source == "sentence":  # the date is written in the note, inside the sentence
            assert ev.date_text and ev.date_text in text[ev.sentence_start:ev.sentence_end], ev
        if ev.date_source == "note_date":
            assert ev.date_min == ev.date_max == note_date
    # the windowed pipeline (the default) gives the full-text pipeline's rows, row for row
    full = _evidence(full_text_screener, text, note_date)
    assert [ev.row() for ev in evs] == [ev.row() for ev in full]


def test_windowed_pipeline_dates_like_full_text_when_orders_conflict(screener, full_text_screener):
    text = ("MMF 1000 mg BID started 07/04/2024 (labs 15/03/2024).\n" + "Patient feels well today. " * 20
            + "\nFollow up 03/15/2024.")
    windowed = {ev.text: ev.event_date for ev in _evidence(screener, text, date(2024, 11, 1))}
    full = {ev.text: ev.event_date for ev in _evidence(full_text_screener, text, date(2024, 11, 1))}
    assert full["MMF"] == "2024-07-04"
    assert windowed == full  # windowed gives MMF 2024-04-07


# ----------------------------------------------------------------------------- 4. note encodings

ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1"]


def _text_for(encoding):
    chars = st.characters(codec={"utf-8-sig": "utf-8"}.get(encoding, encoding), exclude_categories=["Cs"])
    return st.lists(st.one_of(chars, st.sampled_from(["\r\n", "\n", "\t", " ", "a", "é", "€"])),
                    max_size=40).map("".join)


def _expected(data: bytes):
    """What read_notes must give for these bytes: ("note", text) or ("error", reason)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    if b"\x00" in data or data.startswith((b"%PDF-", b"PK\x03\x04")):
        return "error", "file is not text (binary)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return ("note", text) if text.strip() else ("error", "empty note text")


@st.composite
def note_files(draw):
    """Up to four note files: (patient_id, date, encoding, original text)."""
    count = draw(st.integers(1, 4))
    out = []
    for i in range(count):
        encoding = draw(st.sampled_from(ENCODINGS))
        if encoding == "utf-8-sig" or draw(st.booleans()):
            text = draw(_text_for(encoding))
        else:  # a note-like text with the characters the encoding can hold
            text = draw(st.sampled_from(["Renal biopsy 03/02/2024: class IV.\r\n", "Café — naïve “quoted” ½ 5 µg",
                                         "", "  \r\n\t", "a\x00b", "%PDF-1.4 x"])) + draw(_text_for(encoding))
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            text = text.encode(encoding, errors="ignore").decode(encoding)
        patient = draw(st.sampled_from(["P001", "P002", "Pé"]))
        day = draw(st.dates(date(1990, 1, 1), date(2030, 12, 31)))
        out.append((patient, day, i, encoding, text))
    return out


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=note_files())
@example(files=[("P001", date(2024, 3, 1), 0, "cp1252", "Café 5 µg – “ok”\r\n")])
@example(files=[("P001", date(2024, 3, 1), 0, "utf-8", "")])
@example(files=[("P001", date(2024, 3, 1), 0, "latin-1", "\x00")])
@example(files=[("P001", date(2024, 3, 1), 0, "utf-8-sig", "\ufeffBOM twice"),
                ("P002", date(2024, 3, 2), 1, "utf-8", "\ufeffx")])
def test_note_files_in_any_encoding_are_read_or_listed_as_errors(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("notes")  # a new folder per example
    expected = {}
    for patient, day, i, encoding, text in files:
        data = text.encode(encoding)
        # a cp1252/latin-1 text starting with "ÿþ"/"þÿ" is a UTF-16 BOM by design; not this property
        assume(not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))
        (folder / patient).mkdir(exist_ok=True)
        name = f"{day.isoformat()}_{i}"
        (folder / patient / f"{name}.txt").write_bytes(data)
        expected[f"{patient}/{name}"] = (encoding, text, _expected(data))
    notes_df, errors_df = read_notes(folder)
    got_notes = dict(zip(notes_df["note_id"], notes_df["text"]))
    got_errors = dict(zip(errors_df["note_id"], errors_df["reason"]))
    # every file is exactly one note or one error row
    assert len(got_notes) == len(notes_df) and len(got_errors) == len(errors_df)
    assert set(got_notes).isdisjoint(got_errors)
    assert set(got_notes) | set(got_errors) == set(expected)
    for note_id, (encoding, text, (outcome, value)) in expected.items():
        if outcome == "error":
            assert got_errors.get(note_id) == value, (note_id, encoding, text)
            continue
        assert got_notes.get(note_id) == value, (note_id, encoding, text)
        data = text.encode(encoding)
        if encoding == "utf-8-sig":
            assert value == text  # exact: the BOM written is the one removed
        elif encoding == "utf-8":
            assert value == text.removeprefix("\ufeff")  # a leading U+FEFF is a BOM
        elif not _valid_utf8(data) and not data.startswith(codecs.BOM_UTF8):
            if encoding == "cp1252" or not re.search("[\x80-\x9f]", text):
                assert value == text  # the cp1252 fallback gives back the original
    row = notes_df.set_index("note_id")
    for note_id in got_notes:
        patient, name = note_id.split("/")
        assert row.loc[note_id, "patient_id"] == patient
        assert row.loc[note_id, "note_date"] == date.fromisoformat(name.split("_")[0])


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
