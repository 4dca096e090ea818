"""Tables for extractor.doses: dose expressions, non-dose lab units, weight and BSA."""

from __future__ import annotations

import pytest

from extractor.doses import Dose, parse_bsa_m2, parse_dose, parse_doses, parse_weight_kg

W, M = 1 / 7, 1 / 28

# text, expected span text, start, amount, unit, per_day, daily_amount, route, is_range
DOSE_CASES: list[tuple[str, str, int, float, str, float | None, float | None, str | None, bool]] = [
    (" 1500 mg BID", "1500 mg BID", 1, 1500, "mg", 2, 3000, None, False),
    # UK/Commonwealth and continental-European frequencies
    (" 1500mg BD", "1500mg BD", 1, 1500, "mg", 2, 3000, None, False),
    (" 200 mg TDS", "200 mg TDS", 1, 200, "mg", 3, 600, None, False),
    (" 20mg OM", "20mg OM", 1, 20, "mg", 1, 20, None, False),
    (" 1000 mg 2dd", "1000 mg 2dd", 1, 1000, "mg", 2, 2000, None, False),
    (" 2,5 g/j", "2,5 g/j", 1, 2500, "mg", 1, 2500, None, False),
    (" 500 mg/die", "500 mg/die", 1, 500, "mg", 1, 500, None, False),
    (" 7,5 mg tgl.", "7,5 mg tgl.", 1, 7.5, "mg", 1, 7.5, None, False),
    (" 400 mg 2x täglich", "400 mg 2x täglich", 1, 400, "mg", 2, 800, None, False),
    (" 250 mg gélules 5-0-5", "250 mg gélules 5-0-5", 1, 250, "mg", 10, 2500, "oral", False),
    (" 1.5 g twice daily", "1.5 g twice daily", 1, 1500, "mg", 2, 3000, None, False),
    # Spanish thousands: "1.500 mg" is 1500 mg; a point before three decimals that start with 0 stays one
    (" 1.500 mg/12 h", "1.500 mg/12 h", 1, 1500, "mg", 2, 3000, None, False),
    (" 0.125 mg daily", "0.125 mg daily", 1, 0.125, "mg", 1, 0.125, None, False),
    (" 1 g bid", "1 g bid", 1, 1000, "mg", 2, 2000, None, False),
    (" 5 g qhs.", "5 g qhs", 1, 5000, "mg", 1, 5000, None, False),  # the sentence's full stop is not the dose's
    (" 500 mg q.a.m.", "500 mg q.a.m.", 1, 500, "mg", 1, 500, None, False),
    (" 1 g twice-daily", "1 g twice-daily", 1, 1000, "mg", 2, 2000, None, False),
    (" 500 mg once every 2 weeks", "500 mg once every 2 weeks", 1, 500, "mg", 1 / 14, 500 / 14, None, False),
    (" 500mg", "500mg", 1, 500, "mg", None, None, None, False),
    (" 1,000 mg", "1,000 mg", 1, 1000, "mg", None, None, None, False),
    (" 2 g/day", "2 g/day", 1, 2000, "mg", 1, 2000, None, False),
    (" 2g/d", "2g/d", 1, 2000, "mg", 1, 2000, None, False),
    (" 2.5 g/d", "2.5 g/d", 1, 2500, "mg", 1, 2500, None, False),
    (" 1000 mg twice a day.", "1000 mg twice a day", 1, 1000, "mg", 2, 2000, None, False),
    (" sodium 360 mg BID", "360 mg BID", 8, 360, "mg", 2, 720, None, False),
    (" 720mg bid", "720mg bid", 1, 720, "mg", 2, 1440, None, False),
    (" 60 mg daily", "60 mg daily", 1, 60, "mg", 1, 60, None, False),
    (" 60mg qd", "60mg qd", 1, 60, "mg", 1, 60, None, False),
    (" 5 mg", "5 mg", 1, 5, "mg", None, None, None, False),
    (" 40 mg PO daily", "40 mg PO daily", 1, 40, "mg", 1, 40, "oral", False),
    (" 500 mg IV x3 days", "500 mg IV x3 days", 1, 500, "mg", 1, 500, "iv", False),
    (" 750 mg/m2", "750 mg/m2", 1, 750, "mg/m2", None, None, None, False),
    (" 750 mg/m²", "750 mg/m²", 1, 750, "mg/m2", None, None, None, False),
    (" 0.75 g/m2", "0.75 g/m2", 1, 750, "mg/m2", None, None, None, False),
    (" 500 mg IV every 2 weeks", "500 mg IV every 2 weeks", 1, 500, "mg", 1 / 14, 500 / 14,
     "iv", False),
    (" 1 mg/kg/day", "1 mg/kg/day", 1, 1, "mg/kg", 1, 1, None, False),
    (" 10 mg/kg", "10 mg/kg", 1, 10, "mg/kg", None, None, None, False),
    (" 10 mcg", "10 mcg", 1, 0.01, "mg", None, None, None, False),
    (" tapered from 40 mg to 20 mg daily", "20 mg daily", 23, 20, "mg", 1, 20, None, False),
    (" 40 → 20 mg", "20 mg", 6, 20, "mg", None, None, None, False),
    (" 40 mg -> 20 mg qd", "20 mg qd", 10, 20, "mg", 1, 20, None, False),
    (" increased from 1 g BID to 1.5 g BID", "1.5 g BID", 27, 1500, "mg", 2, 3000, None,
     False),
    (" increased to 20 mg", "20 mg", 14, 20, "mg", None, None, None, False),
    (" increased from 10 to 20 mg daily", "20 mg daily", 22, 20, "mg", 1, 20, None, False),
    (" 40 mg, now 20 mg daily", "20 mg daily", 12, 20, "mg", 1, 20, None, False),
    (" 1000-1500 mg BID", "1000-1500 mg BID", 1, 1500, "mg", 2, 3000, None, True),
    (" 1 to 1.5 g bid", "1 to 1.5 g bid", 1, 1500, "mg", 2, 3000, None, True),
    (" 3 g/day", "3 g/day", 1, 3000, "mg", 1, 3000, None, False),
    (" 2 tabs of 500 mg BID", "2 tabs of 500 mg BID", 1, 1000, "mg", 2, 2000, "oral", False),
    (" 1 tab (500 mg) bid", "1 tab (500 mg) bid", 1, 500, "mg", 2, 1000, "oral", False),
    (" 500 mg 2 tabs BID", "500 mg 2 tabs BID", 1, 1000, "mg", 2, 2000, "oral", False),
    (" 2 g daily in divided doses", "2 g daily in divided doses", 1, 2000, "mg", 1, 2000,
     None, False),
    (" 1 g IV daily x 3 days", "1 g IV daily x 3 days", 1, 1000, "mg", 1, 1000, "iv", False),
    (" pulses 500 mg x 3", "500 mg x 3", 8, 500, "mg", None, None, "iv", False),
    # "x 3 times/die": three doses a day, not a course of three
    ("Myfortic 360 mg: 2 cp x 3 times/die", "360 mg: 2 cp x 3 times/die", 9, 720, "mg", 3, 2160, "oral", False),
    ("MMF 500 mg 1 comp x 2/día", "500 mg 1 comp x 2/día", 4, 500, "mg", 2, 1000, "oral", False),
    (" 500 mg q8h", "500 mg q8h", 1, 500, "mg", 3, 1500, None, False),
    (" 1 g q12h", "1 g q12h", 1, 1000, "mg", 2, 2000, None, False),
    (" 100 mg q6h", "100 mg q6h", 1, 100, "mg", 4, 400, None, False),
    (" 200 mg q24h", "200 mg q24h", 1, 200, "mg", 1, 200, None, False),
    (" 200 mg TID", "200 mg TID", 1, 200, "mg", 3, 600, None, False),
    (" 100 mg QID", "100 mg QID", 1, 100, "mg", 4, 400, None, False),
    (" 5 mg qAM", "5 mg qAM", 1, 5, "mg", 1, 5, None, False),
    (" 10 mg qhs", "10 mg qhs", 1, 10, "mg", 1, 10, None, False),
    (" 5 mg by mouth once daily", "5 mg by mouth once daily", 1, 5, "mg", 1, 5, "oral", False),
    (" 10 mg a day", "10 mg a day", 1, 10, "mg", 1, 10, None, False),
    (" 10 mg per day", "10 mg per day", 1, 10, "mg", 1, 10, None, False),
    (" 20 mg every other day", "20 mg every other day", 1, 20, "mg", 0.5, 10, None, False),
    (" 5 mg qod", "5 mg qod", 1, 5, "mg", 0.5, 2.5, None, False),
    (" 15 mg weekly", "15 mg weekly", 1, 15, "mg", W, 15 * W, None, False),
    (" 15 mg once a week", "15 mg once a week", 1, 15, "mg", W, 15 * W, None, False),
    (" 15 mg q week", "15 mg q week", 1, 15, "mg", W, 15 * W, None, False),
    (" 500 mg IV q2wk", "500 mg IV q2wk", 1, 500, "mg", 1 / 14, 500 / 14, "iv", False),
    (" 1 g biweekly", "1 g biweekly", 1, 1000, "mg", 1 / 14, 1000 / 14, None, False),
    (" 500 mg/m2 monthly x6", "500 mg/m2 monthly x6", 1, 500, "mg/m2", M, 500 * M, None,
     False),
    (" 750 mg/m2 q4wk", "750 mg/m2 q4wk", 1, 750, "mg/m2", M, 750 * M, None, False),
    (" 1 g/m2 IV pulse", "1 g/m2 IV pulse", 1, 1000, "mg/m2", None, None, "iv", False),
    (" 40 mg SC every 2 weeks", "40 mg SC every 2 weeks", 1, 40, "mg", 1 / 14, 40 / 14, "sc",
     False),
    (" 80 mg IM once", "80 mg IM", 1, 80, "mg", None, None, "im", False),
    (" 2 x 500 mg BID", "2 x 500 mg BID", 1, 1000, "mg", 2, 2000, None, False),
    (" cyclophosphamide 6 x 500 mg completed", "6 x 500 mg", 18, 500, "mg", None, None, None, False),  # a count of doses
    (" 2,5 g/día", "2,5 g/día", 1, 2500, "mg", 1, 2500, None, False),
    (" 1 gr cada 12 horas", "1 gr cada 12 horas", 1, 1000, "mg", 2, 2000, None, False),
    (" 0.5 mg/kg/d", "0.5 mg/kg/d", 1, 0.5, "mg/kg", 1, 0.5, None, False),
    (" 250 mcg three times a week", "250 mcg three times a week", 1, 0.25, "mg", 3 / 7,
     0.75 / 7, None, False),
    # dose-like, parsed; the caller decides it is no drug
    ("proteinuria 3.5 g/day", "3.5 g/day", 12, 3500, "mg", 1, 3500, None, False),
    ("protein 2.1 g/24h", "2.1 g/24h", 8, 2100, "mg", 1, 2100, None, False),
    # morning-noon-night schedules: units at each time
    (" 1.5 g 1-0-1 - continue", "1.5 g 1-0-1", 1, 1500, "mg", 2, 3000, None, False),
    (" 500 mg 2-0-2", "500 mg 2-0-2", 1, 500, "mg", 4, 2000, None, False),
    # a legacy Spanish medication list: the form word and dot leaders before the schedule
    (" MMF 500 MG COMP ........ 2-0-2", "500 MG COMP ........ 2-0-2", 5, 500, "mg", 4, 2000, "oral", False),
    # a dispensing record: the box size is no dose, the schedule sits in the next cell
    (" Prednisona 5 mg 60 comp              | 3-0-0", "5 mg 60 comp              | 3-0-0", 12, 5, "mg", 3, 15, "oral", False),
    # ... or in brackets after the box: "Micofenolato de mofetilo 500 mg 150 comp (3-0-3): 09/01/2025"
    (" MFM 500 mg 150 comp (3-0-3): 09/01/2025", "500 mg 150 comp (3-0-3", 5, 500, "mg", 6, 3000, "oral", False),
    (" 200 mg 1-1-1", "200 mg 1-1-1", 1, 200, "mg", 3, 600, None, False),
    (" 500 mg on 12-08-2024", "500 mg", 1, 500, "mg", None, None, None, False),
    # numbers read out in words by voice recognition
    (" mil quinientos miligramos cada doce horas", "mil quinientos miligramos cada doce horas", 1, 1500, "mg", 2, 3000,
     None, False),
    (" quince miligramos al día", "quince miligramos al día", 1, 15, "mg", 1, 15, None, False),
    # a sum of tablets is one dose; a bracketed total that agrees gives its frequency
    (" 30 mg + 25 mg (55 mg/dia)", "30 mg + 25 mg", 1, 55, "mg", 1, 55, None, False),
    (" 500 mg + 250 mg BID", "500 mg + 250 mg BID", 1, 750, "mg", 2, 1500, None, False),
]

NOT_DOSES = [
    "Cr 1.2 mg/dL",
    "Cr 1.2 mg / dL",
    "UPCR 2.1 mg/mg",
    "eGFR 45 mL/min",
    "eGFR 45 mL/min/1.73 m2",
    "K 4.1 mmol/L",
    "UACR 300 mg/g",
    "Hb 11 g/dL",
    "albumin 32 g/L",
    "vitamin B12 400 pg/mL",
    "CRP 5 mg/L",
    "urine protein 150 mg/mmol",
    "x3 days",
    "no dose documented",
]


@pytest.mark.parametrize(
    "text,span,start,amount,unit,per_day,daily,route,is_range", DOSE_CASES,
    ids=[c[0].strip() for c in DOSE_CASES])
def test_parse_dose(text: str, span: str, start: int, amount: float, unit: str,
                    per_day: float | None, daily: float | None, route: str | None,
                    is_range: bool) -> None:
    d = parse_dose(text)
    assert d is not None
    assert (d.start, d.end, d.text) == (start, start + len(span), span)
    assert d.text == text[d.start:d.end]
    assert d.amount == pytest.approx(amount)
    assert d.unit == unit
    assert d.per_day == (None if per_day is None else pytest.approx(per_day))
    assert d.daily_amount == (None if daily is None else pytest.approx(daily, rel=1e-5))
    assert d.route == route
    assert d.is_range is is_range


@pytest.mark.parametrize("text", NOT_DOSES)
def test_not_a_dose(text: str) -> None:
    assert parse_dose(text) is None
    assert parse_doses(text) == []


def test_parse_doses_lists_all_in_order() -> None:
    text = "prednisone 20 mg daily; MMF 1 g BID; cyclophosphamide IV 500 mg/m2"
    doses = parse_doses(text)
    assert [(d.text, d.daily_amount, d.route) for d in doses] == [
        ("20 mg daily", 20, None), ("1 g BID", 2000, None), ("500 mg/m2", None, "iv")]
    assert all(d.text == text[d.start:d.end] for d in doses)


def test_parse_doses_drops_the_dose_changed_from() -> None:
    doses = parse_doses(" tapered from 40 mg to 20 mg daily, MMF 1 g BID")
    assert [d.text for d in doses] == ["20 mg daily", "1 g BID"]


def test_dose_is_frozen() -> None:
    d = parse_dose("1500 mg BID")
    assert isinstance(d, Dose)
    with pytest.raises(AttributeError):
        d.amount = 1.0  # type: ignore[misc]


# text, kg, start, end
WEIGHT_CASES = [
    ("Weight: 70 kg", 70.0, 0, 13),
    ("Wt 154 lb", 69.85, 0, 9),
    ("She weighs 60 kg today", 60.0, 4, 16),
    ("62.5kg", 62.5, 0, 6),
    ("BW 58 kg", 58.0, 0, 8),
    ("wt: 130 lbs", 58.97, 0, 11),
    ("lost 5 kg, weight 61 kg", 61.0, 11, 23),
]


@pytest.mark.parametrize("text,kg,start,end", WEIGHT_CASES)
def test_parse_weight(text: str, kg: float, start: int, end: int) -> None:
    assert parse_weight_kg(text) == (pytest.approx(kg), start, end)


@pytest.mark.parametrize("text", ["BMI 24 kg/m2", "MMF 10 mg/kg", "lost 5 kg", "no weight"])
def test_no_weight(text: str) -> None:
    assert parse_weight_kg(text) is None


@pytest.mark.parametrize("text,m2,start,end", [
    ("BSA 1.72 m2", 1.72, 0, 11),
    ("BSA: 1.8 m²", 1.8, 0, 11),
    ("dose by BSA = 1.65", 1.65, 8, 18),
    ("body surface area 1.9 m^2", 1.9, 0, 25),
])
def test_parse_bsa(text: str, m2: float, start: int, end: int) -> None:
    assert parse_bsa_m2(text) == (pytest.approx(m2), start, end)


@pytest.mark.parametrize("text", ["BSA 172 m2", "no BSA given", "750 mg/m2"])
def test_no_bsa(text: str) -> None:
    assert parse_bsa_m2(text) is None


@pytest.mark.parametrize("text, daily", [(" 1000 mg/12 h", 2000.0), (" 1 g c/12h", 2000.0), (" 500 mg / 8 h", 1500.0)])
def test_per_hours_written_as_a_denominator(text, daily):
    assert parse_dose(text).daily_amount == daily


@pytest.mark.parametrize("text, kg", [("Weight 9 st 4 lb", 58.97), ("weight: 11 stone", 69.85)])
def test_weight_in_stones(text, kg):
    assert parse_weight_kg(text)[0] == kg


@pytest.mark.parametrize("text, daily", [(" 360 mg: 3 comp/12 h (1080 mg/12 h)", 2160.0), (" 2 comp 500 mg/12 h", 2000.0)])
def test_tablet_counts_with_hourly_frequency(text, daily):
    assert parse_dose(text).daily_amount == daily
