"""The temporal evaluator without spaCy: hand-made evidence -> status, per rule, including
both sides of every window boundary and the traps of criteria.md."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from extractor.criteria import load_criteria
from extractor.evaluator import (
    LIKELY_ELIGIBLE, MET, NEEDS_REVIEW, NOT_ELIGIBLE, NOT_MET, UNKNOWN, Decision, Patient,
    evaluate_patient, patient_status, window_position,
)
from extractor.evidence import Evidence

INDEX = date(2024, 11, 6)
CRITERIA = load_criteria()


def ev(concept, text="x", days=0, *, undated_before=False, note="N1", start=0, sent=(0, 200), **kw):
    """Evidence dated `days` before INDEX (a day), or 'any day up to' with undated_before."""
    flags = {k: kw.pop(k) for k in ("negated", "hypothetical", "historical", "family", "uncertain") if k in kw}
    day = INDEX - timedelta(days=days)
    lo = kw.pop("date_min", None if undated_before else day)
    hi = kw.pop("date_max", day)
    source = kw.pop("date_source", "before_note_date" if undated_before else "sentence")
    triggers = kw.pop("triggers", "")
    return Evidence(evidence_id=f"{note}:{start}-{start + len(text)}-{concept}", patient_id="P", note_id=note,
                    note_date=kw.pop("note_date", day), concept=concept, start=start, end=start + len(text), text=text,
                    rule_id=concept, sentence_start=sent[0], sentence_end=sent[1], date_min=lo, date_max=hi,
                    date_source=source, context_triggers=triggers, details=kw, **flags)


def decide(criterion, evidence, **patient):
    p = Patient("P", INDEX, patient.get("birth_date"), patient.get("sex"))
    return evaluate_patient(evidence, p, CRITERIA)[criterion]


@pytest.mark.parametrize("lo, hi, days, expected", [
    (INDEX - timedelta(183), INDEX - timedelta(183), 183, "inside"),
    (INDEX - timedelta(184), INDEX - timedelta(184), 183, "outside"),
    (date(2024, 5, 1), date(2024, 5, 31), 183, "straddles"),   # 'May 2024' against 2024-05-07
    (None, INDEX, 365, "straddles"),                            # undated history
    (INDEX + timedelta(1), INDEX + timedelta(1), 365, "after"),
])
def test_window_position(lo, hi, days, expected):
    e = ev("X", date_min=lo, date_max=hi)
    assert window_position(e, INDEX, days) == expected


@pytest.mark.parametrize("lo, hi, expected", [
    (INDEX - timedelta(374), INDEX - timedelta(360), "inside"),   # dose 2 of 2 inside the 365 days
    (INDEX - timedelta(380), INDEX - timedelta(366), "outside"),
    (INDEX - timedelta(3), INDEX + timedelta(3), "inside"),
])
def test_window_position_of_days_that_all_happened(lo, hi, expected):
    e = ev("X", date_min=lo, date_max=hi, date_span=True)
    assert window_position(e, INDEX, 365) == expected


@pytest.mark.parametrize("evidence, patient, status", [
    ([], {"birth_date": date(2000, 1, 1)}, MET),
    ([], {"birth_date": date(2006, 11, 7)}, NOT_MET),                   # 17 the day before the birthday
    ([ev("AGE", "34-year-old", 400, age=34)], {}, MET),
    ([ev("AGE", "her 60-year-old mother", 0, age=60, family=True)], {}, UNKNOWN),
    ([ev("AGE", "16 yo", 0, age=16)], {}, NOT_MET),
    ([ev("AGE", "17 yo", 400, age=17)], {}, MET),                        # a year later she is 18
    ([ev("DOB", "DOB 02/03/1990", 0, birth_date="1990-02-03")], {}, MET),
    ([], {}, UNKNOWN),
])
def test_adult(evidence, patient, status):
    assert decide("adult", evidence, **patient).status == status


ITEMS = [ev("ACR_ITEM", t, 10, item=i, start=n * 10) for n, (t, i) in enumerate(
    [("malar rash", "malar_rash"), ("arthritis", "arthritis"), ("ANA", "ana"), ("anti-dsDNA", "immunologic")])]


@pytest.mark.parametrize("evidence, status", [
    ([ev("SLE_DX", "SLE")] + ITEMS, MET),
    ([ev("SLE_DX", "SLE")] + ITEMS[:3], UNKNOWN),
    ([ev("SLE_DX", "SLE"), ev("ACR_COUNT", "meets 5/11 ACR criteria", number=5)], MET),
    ([ev("SLE_DX", "SLE"), ev("ACR_ITEM", "alopecia-free", item=None)], UNKNOWN),
    ([ev("SLE_DX", "SLE", uncertain=True)] + ITEMS, UNKNOWN),              # "rule out SLE" only
    ([ev("DRUG_INDUCED_LUPUS", "drug-induced lupus")] + ITEMS, NOT_MET),
    ([ev("CUTANEOUS_LUPUS_ONLY", "discoid lupus")], NOT_MET),
    # cutaneous lupus named in a note that states SLE is a manifestation; beside a denial it is the other form
    ([ev("SLE_DX", "LES", start=5), ev("CUTANEOUS_LUPUS_ONLY", "Lupus cutáneo subagudo", start=90)] + ITEMS, MET),
    ([ev("SLE_DX", "LES", start=5), ev("SLE_DX", "SLE", negated=True, start=40),
      ev("CUTANEOUS_LUPUS_ONLY", "lupus discoide", start=90)] + ITEMS, NOT_MET),
    ([ev("SLE_DX", "lupus nephritis", 200, item="renal")] + ITEMS + [ev("SLE_DX", "SLE", 10, negated=True, start=90)], NOT_MET),  # later ruled out
    ([ev("SLE_DX", "SLE", 10, negated=True, start=90), ev("SLE_DX", "SLE", 0, start=95)] + ITEMS, MET),  # later affirmed
    ([ev("SLE_DX", "lupus", family=True)] + ITEMS, UNKNOWN),              # mother's lupus
])
def test_sle_acr(evidence, status):
    assert decide("sle_acr", evidence).status == status


def cls(key, days, **kw):
    kw.setdefault("note_date", INDEX)  # quoted at the screening visit, dated in its sentence
    return ev("LN_CLASS", f"class {key}", days, class_key=key, **kw)


@pytest.mark.parametrize("evidence, status", [
    ([cls("IV", 183)], MET),
    ([cls("IV", 184)], NOT_MET),
    ([cls("III+V", 30)], MET),
    ([cls("V", 30)], NOT_MET),
    ([cls("II", 30)], NOT_MET),
    ([cls("III", 700), cls("IV", 20, start=50)], MET),                     # repeat biopsy decides
    ([cls("IV", 20), cls("V", 5, start=50)], NOT_MET),                     # latest is class V
    ([cls("IV", 20), cls("V", 20, start=50)], MET),                        # "IV-G ... with membranous features (class V)"
    ([cls("IV", 30), cls("III", 5, undated_before=True, historical=True, start=60)], MET),  # quoted older biopsy
    ([cls("IV", 30, hypothetical=True)], UNKNOWN),                         # scheduled, not performed
    ([cls("IV", 300), ev("LN_BIOPSY_PENDING", "final report pending", 10)], UNKNOWN),
    ([cls("IV", 150), ev("LN_BIOPSY_PENDING", "preliminary report", 149, historical=True)], MET),  # superseded
    # the final report (a later note) dates the class by the procedure, before the preliminary note
    ([cls("IV", 150, note="N3", note_date=INDEX - timedelta(144)),
      ev("LN_BIOPSY_PENDING", "PRELIMINARY REPORT", 149, note="N2")], MET),
    ([cls("IV", 0, date_min=date(2024, 5, 1), date_max=date(2024, 5, 31))], UNKNOWN),  # straddles 183
    # a class restated without a date in a later clinic note is not a new biopsy ...
    ([cls("IV", 190), cls("IV", 20, date_source="note_date", note="N2")], NOT_MET),
    # ... but the same words in a note that reports a biopsy are one
    ([cls("IV", 190), cls("IV", 20, date_source="note_date", note="N2"),
      ev("RENAL_BIOPSY", "renal biopsy", 20, note="N2", date_source="note_date")], MET),
    # a class dated by the visit ("Class IV LN - start induction today") takes its report's biopsy
    # date, a relative one too ("biopsy during that admit (March)"): March straddles 183 days
    ([cls("IV", 0, note="N2", date_source="sentence_relative"),
      ev("RENAL_BIOPSY", "renal biopsy", 0, note="N2", date_source="sentence_relative",
         date_min=INDEX - timedelta(200), date_max=INDEX - timedelta(170))], UNKNOWN),
    # a newer biopsy with only a preliminary report: the earlier biopsy's class no longer decides (rule 8) ...
    ([cls("III", 900), ev("RENAL_BIOPSY", "native kidney biopsy", 57, note="N3"),
      ev("LN_BIOPSY_PENDING", "classification will follow", 55, note="N3"),
      cls("III", 900, note="N6", note_date=INDEX, start=80)], UNKNOWN),
    # ... but a report header's procedure date alone may be any operation's ("Date of surgery")
    ([cls("IV", 126), ev("PROCEDURE_DATE", "Date of surgery", 98, note="N4")], MET),
    # a biopsy dated after the note that names it was not done when it was written: the class
    # restated in that note stays a restatement of the old biopsy
    ([cls("IV", 190), cls("IV", 0, date_source="note_date", note="N2"),
      ev("RENAL_BIOPSY", "biopsia renal", -30, note="N2", note_date=INDEX)], NOT_MET),
    ([], UNKNOWN),
])
def test_ln_biopsy_recent(evidence, status):
    assert decide("ln_biopsy_recent", evidence).status == status


def agent(days, **kw):
    return ev("INDUCTION_AGENT", "MMF", days, drug="mycophenolate_mofetil", agent_class="mycophenolate", **kw)


def response(level, days=0, text="partial renal response", **kw):
    return ev("RESPONSE", text, days, level=level, start=100, **kw)


@pytest.mark.parametrize("evidence, status", [
    ([agent(120), response("partial")], MET),
    ([agent(90), response("none", text="refractory lupus nephritis")], MET),
    ([agent(89), response("none", text="refractory lupus nephritis")], NOT_MET),   # < 90 days of induction
    ([agent(200), response("complete", text="complete renal response")], NOT_MET),
    ([agent(200), response("not_assessable", text="too early to assess response")], UNKNOWN),
    ([agent(200), response("partial", text="partial response")], MET),       # an explicit response phrase counts
    ([agent(200), response("partial", text="partial response"),
      ev("ACR_ITEM", "arthritis", 0, item="arthritis", start=130)], UNKNOWN),     # "partial response of the arthritis"
    ([agent(200), replace(response("partial", text="respuesta parcial"),
                          sentence_text="Las artralgias de manos muestran solo respuesta parcial a la hidroxicloroquina.")],
     UNKNOWN),                                                                               # ... in Spanish
    ([agent(200), response("none", text="refractory", needs_anchor=True)], UNKNOWN),  # a generic word needs a renal anchor
    ([agent(200, hypothetical=True), response("partial")], UNKNOWN),                   # planned induction
    ([agent(200)], UNKNOWN),
    # an old course (2017) is not the start of this one: more than a year between mentions
    ([agent(2600), agent(60, start=40), response("partial")], NOT_MET),
    ([agent(400), agent(200, start=40), response("partial")], MET),
    # a response dated before this course began is an earlier course's: "complete renal response in 2020"
    ([agent(160), response("complete", days=1700, text="complete renal response")], UNKNOWN),
    ([agent(160), response("complete", days=1700, text="complete renal response"), response("partial", text="partial response")], MET),
    # IV pulses long after the course began start a re-induction: the maintenance before them is the old course's
    ([agent(700), agent(400, start=40), ev("INDUCTION_AGENT", "MP", 85, drug="methylprednisolone",
                                             agent_class="glucocorticoid", amount=500.0, route="iv", start=60),
      response("partial")], NOT_MET),
    ([agent(700), agent(400, start=40), ev("INDUCTION_AGENT", "MP", 120, drug="methylprednisolone",
                                             agent_class="glucocorticoid", amount=500.0, start=60),
      response("partial")], MET),    # a 500 mg dose is a pulse even with no route; 120 days of re-induction
    # ... pulses in the first months of the course belong to it (an intensification)
    ([agent(200), ev("INDUCTION_AGENT", "MP", 60, drug="methylprednisolone", agent_class="glucocorticoid",
                     amount=500.0, route="iv", start=60), response("partial")], MET),
    # a denied level is a lower one: "PARTIAL RESPONSE, not complete response", "no alcanza respuesta parcial"
    ([agent(160), response("complete", text="complete renal response", negated=True)], MET),
    ([agent(160), response("partial", text="respuesta renal parcial", negated=True)], MET),
    ([agent(160), response("complete", text="complete renal response", negated=True, family=True)], UNKNOWN),
    # pulses on days that all happened ("los días 19, 20 y 21/4") began on the first one; a vague date did not
    ([agent(88, date_min=INDEX - timedelta(days=91), date_span=True), response("partial")], MET),
    ([agent(88, date_min=INDEX - timedelta(days=91)), response("partial")], UNKNOWN),
])
def test_induction_nonresponse(evidence, status):
    evidence = [e for e in evidence]
    # the response statements sit in another note than the agent
    for e in evidence:
        if e.concept == "RESPONSE" and e.text in ("partial response", "refractory") or e.concept == "ACR_ITEM":
            e.note_id = "N2"
    assert decide("induction_nonresponse", evidence).status == status


def sledai(n, days, start=0):
    return ev("SLEDAI", "SLEDAI-2K", days, number=n, start=start)


@pytest.mark.parametrize("evidence, status", [
    ([sledai(10, 90)], MET), ([sledai(10, 91)], UNKNOWN), ([sledai(4, 10)], NOT_MET), ([sledai(6, 0)], MET),
    ([sledai(12, 60), sledai(4, 5, start=30)], NOT_MET),   # the latest decides
    ([sledai(12, 700)], UNKNOWN),                          # a score from years ago
])
def test_sledai(evidence, status):
    assert decide("sledai_2k_ge6", evidence).status == status


def exposure(concept, text, days, **kw):
    return ev(concept, text, days, **kw)


def said_after(concept, sentence, text, days, note, **kw):
    """An undated mention (its note's date) inside ``sentence``."""
    start = sentence.index(text)
    e = ev(concept, text, days, note=note, start=start, sent=(0, len(sentence)), date_source="note_date", **kw)
    return replace(e, sentence_text=sentence)


def denied_since(sentence, text):
    """A negated belimumab in ``sentence`` of the index date's note, dated June 2023 by its own words."""
    return replace(said_after("B_CELL_BIOLOGIC", sentence, text, 0, "N3", drug="belimumab", negated=True),
                   date_source="sentence", date_min=INDEX - timedelta(days=410), date_max=INDEX - timedelta(days=380))


def seen_after(sentence, days):
    """A surgery after "after her" in a sentence dated by an earlier date of its own (the visit's)."""
    e = said_after("MAJOR_SURGERY", sentence, "appendicectomy", days, "N2")
    return replace(e, date_source="sentence", date_text="27/09/2024", details={**e.details, "major_surgery": True})


@pytest.mark.parametrize("criterion, evidence, status", [
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 365)], MET),
    # "rituximab 1 g x2 (04/10/2022 and 18/10/2022)": dose 2 is inside even where another note gives only dose 1's day
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 374, drug="rituximab", date_span=True,
                                       date_max=INDEX - timedelta(days=360)),
                              exposure("B_CELL_BIOLOGIC", "rituximab", 374, drug="rituximab", note="N2")], MET),
    # "low IgG after RTX" in a later note tells the earlier infusion again
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 370, drug="rituximab"),
                              said_after("B_CELL_BIOLOGIC", "Low IgG after RTX - recheck.", "RTX", 100, "N2",
                                         drug="rituximab")], NOT_MET),
    ("b_cell_biologic_12mo", [said_after("B_CELL_BIOLOGIC", "Low IgG after RTX - recheck.", "RTX", 100, "N2",
                                         drug="rituximab")], UNKNOWN),        # no earlier date: any day up to the note
    # a later note: "en la hoja de Hospital de Día del 01/10/2024 figura por error 'RITUXIMAB 1000 mg'"
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "RITUXIMAB", 132, drug="rituximab", date_source="note_date"),
                              exposure("B_CELL_BIOLOGIC", "RITUXIMAB", 132, drug="rituximab", note="N2", negated=True,
                                       triggers="negated:figura por error")], NOT_MET),
    # "el periodo de lavado del fármaco del ensayo previo": a history mention after the washout word tells the dated dose again
    ("investigational_agent_3mo", [exposure("INVESTIGATIONAL", "medicación del ensayo", 120),
                                   replace(said_after("INVESTIGATIONAL", "Revisar el periodo de lavado del fármaco del ensayo previo.",
                                                      "fármaco del ensayo", 10, "N2", historical=True),
                                           date_source="before_note_date", date_min=None)], NOT_MET),
    # "Prior trial participation noted (last study drug 06/14/2022)": the undated history is the dated study drug
    ("investigational_agent_3mo", [replace(said_after("INVESTIGATIONAL", "Prior trial participation noted (last study drug 06/14/2022).",
                                                      "trial participation", 10, "N2", historical=True),
                                           date_source="before_note_date", date_min=None),
                                   replace(said_after("INVESTIGATIONAL", "Prior trial participation noted (last study drug 06/14/2022).",
                                                      "study drug", 890, "N2"), date_source="sentence")], NOT_MET),
    # "has discontinued study treatment" in a letter that dates the doses: the latest dated one of the note
    ("investigational_agent_3mo", [replace(said_after("INVESTIGATIONAL", "He has discontinued study treatment.", "study treatment",
                                                      10, "N3", historical=True), date_source="before_note_date", date_min=None),
                                   replace(exposure("INVESTIGATIONAL", "Investigational product", 97, note="N3", start=200),
                                           note_date=INDEX - timedelta(days=10))], NOT_MET),
    # "No other biologic therapy apart from belimumab" names the earlier course again
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "belimumab", 370, drug="belimumab"),
                              said_after("B_CELL_BIOLOGIC", "No other biologic therapy apart from belimumab.", "belimumab",
                                         0, "N2", drug="belimumab")], NOT_MET),
    # ... in the language of the note: "pós-rituximab", "tras rituximab"
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 371, drug="rituximab"),
                              said_after("B_CELL_BIOLOGIC", "IgG 480: hipogamaglobulinemia pós-rituximab.", "rituximab",
                                         49, "N2", drug="rituximab")], NOT_MET),
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 400, drug="rituximab"),
                              said_after("B_CELL_BIOLOGIC", "Hipogammaglobulinemia tras rituximab.", "rituximab",
                                         20, "N2", drug="rituximab")], NOT_MET),
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 370, drug="rituximab"),
                              said_after("B_CELL_BIOLOGIC", "Second course of RTX given.", "RTX", 100, "N2",
                                         drug="rituximab")], MET),            # a new administration
    # "never resumed after her June 2024 infusion" is no denial that it was ever given
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "belimumab", 364, note="N1", drug="belimumab"),
                              said_after("B_CELL_BIOLOGIC", "Belimumab was never resumed after her June 17, 2024 infusion.",
                                         "Belimumab", 0, "N2", drug="belimumab", negated=True,
                                         triggers="negated:never")], MET),
    # "no ha vuelto a recibir BLM desde junio de 2023": later lists dated only by their notes are copies
    ("b_cell_biologic_12mo", [said_after("B_CELL_BIOLOGIC", "belimumab 200 mg sc/semanal", "belimumab", 100, "N2",
                                         drug="belimumab"),
                              denied_since("No ha vuelto a recibir BLM desde junio de 2023.", "BLM")], NOT_MET),
    # ... but a dose dated by its own words after that date is not corrected, nor is a clause that opens with "since"
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "belimumab", 100, note="N2", drug="belimumab"),
                              denied_since("No ha vuelto a recibir BLM desde junio de 2023.", "BLM")], MET),
    ("b_cell_biologic_12mo", [said_after("B_CELL_BIOLOGIC", "belimumab 200 mg sc/semanal", "belimumab", 100, "N2",
                                         drug="belimumab"),
                              denied_since("Since belimumab was stopped in June 2023 the DNA is negative.", "belimumab")],
     MET),
    # a plan declined is no denial of the year before: "de momento no IGIV", "no IVIG indicated for now"
    ("immunoglobulin_12mo", [said_after("IMMUNOGLOBULIN_THERAPY", "IgG 520 mg/dl: de momento no IGIV.", "IGIV", 10, "N1",
                                        negated=True, drug="immunoglobulin")], UNKNOWN),
    ("immunoglobulin_12mo", [said_after("IMMUNOGLOBULIN_THERAPY", "No IVIG indicated for now.", "IVIG", 10, "N1",
                                        negated=True, drug="immunoglobulin")], UNKNOWN),
    ("immunoglobulin_12mo", [said_after("IMMUNOGLOBULIN_THERAPY", "No IVIG.", "IVIG", 10, "N1",
                                        negated=True, drug="immunoglobulin")], NOT_MET),
    ("immunoglobulin_12mo", [said_after("IMMUNOGLOBULIN_THERAPY", "Never received IVIG and none indicated now.", "IVIG", 10,
                                        "N1", negated=True, drug="immunoglobulin", triggers="negated:Never received")],
     NOT_MET),
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 366)], NOT_MET),
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 0, negated=True)], NOT_MET),   # rituximab-naive
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 0, hypothetical=True)], UNKNOWN),  # will consider
    ("b_cell_biologic_12mo", [exposure("BIOLOGIC_CLASS", "biologics", 0, negated=True)], NOT_MET),
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 0, undated_before=True, historical=True)], UNKNOWN),
    ("abatacept_12mo", [exposure("B_CELL_BIOLOGIC", "rituximab", 0, negated=True)], UNKNOWN),  # naive settles only B-cell
    ("immunoglobulin_12mo", [exposure("BIOLOGIC_CLASS", "biologics", 0, negated=True)], UNKNOWN),
    ("immunoglobulin_12mo", [exposure("IMMUNOGLOBULIN_THERAPY", "IVIG", 100)], MET),
    ("tnf_inhibitor_12mo", [exposure("TNF_INHIBITOR", "Humira", 400)], NOT_MET),
    # a denial written before the window opened says nothing of it; within a year a short window's stands
    ("tnf_inhibitor_12mo", [exposure("TNF_INHIBITOR", "anti-TNF", 3000, negated=True)], UNKNOWN),
    ("tnf_inhibitor_12mo", [exposure("TNF_INHIBITOR", "anti-TNF", 200, negated=True)], NOT_MET),
    ("investigational_agent_3mo", [exposure("INVESTIGATIONAL", "clinical trial", 150, negated=True)], NOT_MET),
    ("investigational_agent_3mo", [exposure("INVESTIGATIONAL", "clinical trial", 400, negated=True)], UNKNOWN),
    ("investigational_agent_3mo", [exposure("INVESTIGATIONAL", "study drug", 90)], MET),
    # a study letter naming the study drug on its day, with "Last dose of IP: 11/19/2024" (94 days back)
    ("investigational_agent_3mo", [exposure("INVESTIGATIONAL", "Study drug", 40, note="N7", date_source="note_date"),
                                   exposure("INVESTIGATIONAL", "investigational product", 94, note="N7", start=80,
                                            note_date=INDEX - timedelta(days=40), date_source="sentence_last_dose")],
     NOT_MET),
    # "Biológicos: nunca recibió rituximab ni belimumab" denies the two drugs, not every biologic
    ("abatacept_12mo", [exposure("BIOLOGIC_CLASS", "Biológicos", 0, negated=True, field_label=True),
                        exposure("B_CELL_BIOLOGIC", "rituximab", 0, negated=True, start=30)], UNKNOWN),
    ("b_cell_biologic_12mo", [exposure("BIOLOGIC_CLASS", "Biológicos", 0, negated=True, field_label=True),
                              exposure("B_CELL_BIOLOGIC", "rituximab", 0, negated=True, start=30)], NOT_MET),
    ("abatacept_12mo", [exposure("BIOLOGIC_CLASS", "Biológicos", 0, negated=True, field_label=True)], NOT_MET),  # "Biológicos: nunca"
    ("investigational_agent_3mo", [exposure("INVESTIGATIONAL", "study drug", 91)], NOT_MET),
    ("investigational_agent_3mo", [exposure("INVESTIGATIONAL", "enrolled in any trial", 0, negated=True)], NOT_MET),
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "cholecystectomy", 183)], MET),
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "cholecystectomy", 184)], NOT_MET),
    # "Seen on <date>, three weeks after her appendicectomy": the visit's date is not the operation's
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "appendicectomy", 190, note="N1"),
                           seen_after("Seen in clinic on 27/09/2024, three weeks after her appendicectomy.", 168)], NOT_MET),
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "knee replacement", 0, hypothetical=True)], UNKNOWN),
    # a note that tells both the plan and the operation ("cesárea programada ...; cesárea ... el 10/09/2024")
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "cesárea", 182, hypothetical=True, note="N1", date_source="note_date"),
                           exposure("MAJOR_SURGERY", "cesárea", 185, note="N1", start=300,
                                    note_date=INDEX - timedelta(days=182))], NOT_MET),
    # a plan with its own date ("colecistectomía programada para julio") done later, postponed
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "colecistectomía", 300, hypothetical=True, note="N1",
                                    note_date=INDEX - timedelta(days=170)),
                           exposure("MAJOR_SURGERY", "Colecistectomía laparoscópica", 187, note="N2")], NOT_MET),
    # a curso clínico: the caesarean recorded in the entry of day 185, named again in the entry of day 181
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "cesárea", 185, date_source="note_date", entry_date="a"),
                           exposure("MAJOR_SURGERY", "cesárea", 181, start=900, date_source="note_date", entry_date="b")],
     NOT_MET),
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "cesárea", 181, start=900, date_source="note_date", entry_date="b")], MET),
    # planned, then reported done on the planned day outside the window
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "colecistectomía", 200, hypothetical=True, note="N3"),
                           exposure("MAJOR_SURGERY", "colecistectomía", 200, note="N7")], NOT_MET),
    ("major_surgery_6mo", [exposure("MINOR_PROCEDURE", "dental extraction", 10)], UNKNOWN),   # not a surgical history
    # "apendicectomía a los 12 años", undated otherwise: dated by the birth date (or a stated age)
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "apendicectomía", 0, undated_before=True, historical=False,
                                    at_age=[12, 12])], UNKNOWN),
    # a pre-op note's plan, dated by its note, then "Underwent lap chole 12/02/2024" (outside the window)
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "Laparoscopic cholecystectomy", 217, hypothetical=True,
                                    date_source="note_date", note="N5"),
                           exposure("MAJOR_SURGERY", "lap chole", 210, note="N6")], NOT_MET),
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "knee replacement", 217, hypothetical=True,
                                    date_source="note_date", note="N5"),
                           exposure("MAJOR_SURGERY", "lap chole", 210, note="N6")], UNKNOWN),
    ("major_surgery_6mo", [exposure("SURGICAL_HISTORY", "PSH", 10, field_label=True)], NOT_MET),  # "PSH: BTL 2018" documents it
    ("major_surgery_6mo", [exposure("NOT_CHILDBEARING_POTENTIAL", "hysterectomy", 30, major_surgery=True)], MET),
    # "TAH + BSO April 2024" holds the day another note gives the operation ("29/04/2024", 184 days): that day
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "TAH", 0, date_min=INDEX - timedelta(days=212),
                                    date_max=INDEX - timedelta(days=183), note="N5"),
                           exposure("MAJOR_SURGERY", "hysterectomy", 184, note="N3")], NOT_MET),
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "TAH", 0, date_min=INDEX - timedelta(days=212),
                                    date_max=INDEX - timedelta(days=183), note="N5")], UNKNOWN),
    ("major_surgery_6mo", [exposure("NOT_CHILDBEARING_POTENTIAL", "postmenopausal", 30)], UNKNOWN),
    ("major_surgery_6mo", [], UNKNOWN),
    ("major_surgery_6mo", [exposure("SURGERY_UNSPECIFIED", "knee surgery", 30)], UNKNOWN),      # kind unstated: review
    ("major_surgery_6mo", [exposure("SURGERY_UNSPECIFIED", "surgery", 3000)], NOT_MET),
    ("major_surgery_6mo", [exposure("SOLID_ORGAN_TRANSPLANT", "kidney transplant", 3000)], NOT_MET),  # her own, long ago
    # a denied transplant, a relative's or a planned one documents no surgical history of hers
    ("major_surgery_6mo", [exposure("SOLID_ORGAN_TRANSPLANT", "organ transplantation", 30, negated=True)], UNKNOWN),
    ("major_surgery_6mo", [exposure("SOLID_ORGAN_TRANSPLANT", "kidney transplant", 300, family=True)], UNKNOWN),
    ("major_surgery_6mo", [exposure("SOLID_ORGAN_TRANSPLANT", "transplant list", 30, hypothetical=True)], UNKNOWN),
    # a past minor operation documents a surgical history; a procedure that is no operation does not
    ("major_surgery_6mo", [exposure("MINOR_PROCEDURE", "tonsillectomy", 5000, surgery=True)], NOT_MET),
    ("major_surgery_6mo", [exposure("MINOR_PROCEDURE", "colonoscopy", 500)], UNKNOWN),
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "appendectomy", 3000, major_surgery=True)], NOT_MET),
    # "after her surgery" refers back to the operation the note names: that one's date decides
    ("major_surgery_6mo", [exposure("SURGERY_UNSPECIFIED", "her surgery", 30, refers_back=True, start=10, sent=(0, 40)),
                           exposure("MAJOR_SURGERY", "appendectomy", 187, start=60, sent=(41, 120))], NOT_MET),
    ("major_surgery_6mo", [exposure("SURGERY_UNSPECIFIED", "surgery", 30, start=10, sent=(0, 40)),
                           exposure("MAJOR_SURGERY", "appendectomy", 187, start=60, sent=(41, 120))], UNKNOWN),
    # "desde la cirugía" in a later note refers back to the operation an earlier note dated
    ("major_surgery_6mo", [exposure("SURGERY_UNSPECIFIED", "la cirugía", 30, refers_back=True, note="N2"),
                           exposure("MAJOR_SURGERY", "histerectomía", 189, note="N1")], NOT_MET),
    # "Intervenida en octubre" holds the day a dated operation was done: the same one, less precisely (rule 5)
    ("major_surgery_6mo", [exposure("SURGERY_UNSPECIFIED", "Intervenida", 0, note="N2", date_min=INDEX - timedelta(193),
                                    date_max=INDEX - timedelta(163)),
                           exposure("MAJOR_SURGERY", "endarterectomía", 186, note="N1")], NOT_MET),
    # the more specific of two mentions of one operation decides (11/2024 vs 11/10/2024)
    ("major_surgery_6mo", [exposure("MAJOR_SURGERY", "ORIF", 0, date_min=date(2024, 4, 1), date_max=date(2024, 4, 30)),
                           exposure("MAJOR_SURGERY", "ORIF", 190, start=40)], NOT_MET),
    # ... and so for one drug written two ways ("belimumab (stopped 1/2024)", "belimumab IV ... 01/10/2024")
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "belimumab", 0, drug="belimumab", date_min=INDEX - timedelta(380),
                                       date_max=INDEX - timedelta(350)),
                              exposure("B_CELL_BIOLOGIC", "belimumab IV", 371, drug="belimumab", start=40)], NOT_MET),
    ("b_cell_biologic_12mo", [exposure("B_CELL_BIOLOGIC", "belimumab", 0, drug="belimumab", date_min=INDEX - timedelta(380),
                                       date_max=INDEX - timedelta(350)),
                              exposure("B_CELL_BIOLOGIC", "rituximab", 371, drug="rituximab", start=40)], UNKNOWN),
])
def test_exposure_windows(criterion, evidence, status):
    assert decide(criterion, evidence).status == status


def denial(sentence, text, days, note, concept="B_CELL_BIOLOGIC", **kw):
    """A negated mention in ``sentence``, with its trigger."""
    return said_after(concept, sentence, text, days, note, negated=True, **kw)


def below(e, at=900):
    """``e`` moved further down its note, its sentence with it."""
    return replace(e, start=e.start + at, end=e.end + at, sentence_start=e.sentence_start + at,
                   sentence_end=e.sentence_end + at)


def planned_in(note, days, **kw):
    """An undated order or copied-forward list line naming belimumab, dated by its note."""
    return exposure("B_CELL_BIOLOGIC", "belimumab", days, note=note, date_source="note_date", drug="belimumab", **kw)


@pytest.mark.parametrize("evidence, status", [
    # "Belimumab was never given (PA denied)" in a later note corrects the earlier order (rule 5)
    ([planned_in("N1", 100), denial("Belimumab was never given (PA denied).", "Belimumab", 20, "N2",
                                    drug="belimumab", triggers="negated:never given")], NOT_MET),
    # an addendum further down the same note names the drug and denies it ever given: the dated line above is wrong
    ([exposure("B_CELL_BIOLOGIC", "rituximab", 108, note="N7", drug="rituximab", start=10),
      below(said_after("B_CELL_BIOLOGIC", "CORRECTION: The fellow note above states rituximab was given 03/14/2025.",
                       "rituximab", 108, "N7", drug="rituximab"), at=500),
      below(denial("She has never received rituximab or any other B-cell targeted agent.", "rituximab", 90, "N7",
                   drug="rituximab", triggers="negated:never received"))], NOT_MET),
    # ... the correction told in a sentence about another drug: the record checked against its source
    ([exposure("B_CELL_BIOLOGIC", "rituximab", 108, note="N7", drug="rituximab", start=10),
      below(said_after("IMMUNOGLOBULIN_THERAPY", "Revisada la epikriz original, lo que se administró fue inmunoglobulina IV.",
                       "inmunoglobulina IV", 108, "N7", drug="ivig"), at=500),
      below(denial("La paciente NO ha recibido nunca rituximab ni belimumab.", "rituximab", 90, "N7",
                   drug="rituximab", triggers="negated:NO ha recibido nunca"))], NOT_MET),
    # ... but with no correction between, it is the history before the dose ("No había recibido nunca rituximab")
    ([exposure("B_CELL_BIOLOGIC", "rituximab", 108, note="N7", drug="rituximab", start=10),
      below(denial("No había recibido nunca rituximab; tampoco anti-CD20.", "rituximab", 108, "N7",
                   drug="rituximab", triggers="negated:nunca"))], MET),
    ([exposure("B_CELL_BIOLOGIC", "rituximab", 108, note="N7", drug="rituximab", start=10),
      below(denial("She has never received a biologic.", "biologic", 90, "N7", concept="BIOLOGIC_CLASS",
                   drug="biologic_class", triggers="negated:never received"))], MET),   # a class denial
    ([exposure("B_CELL_BIOLOGIC", "rituximab", 108, note="N7", drug="rituximab", start=10),
      below(denial("Él nunca se ha puesto la de la gripe y no quiere antes del rituximab.", "rituximab", 90, "N7",
                   drug="rituximab", triggers="negated:no"))], MET),   # the never is the flu vaccine's
    # ... the same words in an earlier note do not: the drug was given afterwards
    ([planned_in("N2", 20), denial("Belimumab was never given (PA denied).", "Belimumab", 100, "N1",
                                   drug="belimumab", triggers="negated:never given")], MET),
    # "did not receive ianalumab at any point": the word follows the drug closely
    ([planned_in("N1", 100), denial("He did not receive belimumab at any point.", "belimumab", 20, "N2",
                                    drug="belimumab", triggers="negated:did not receive")], NOT_MET),
    # a plain "no belimumab" or "not since" is no denial that it was ever given
    ([planned_in("N1", 100), denial("No belimumab since March.", "belimumab", 20, "N2", drug="belimumab",
                                    triggers="negated:No")], MET),
    # "should never receive another ..." is about the future
    ([planned_in("N1", 100), denial("She should never receive belimumab again.", "belimumab", 20, "N2",
                                    drug="belimumab", hypothetical=True, triggers="negated:never")], MET),
    # a denial of another drug leaves this one alone
    ([planned_in("N1", 100), denial("Rituximab was never given.", "Rituximab", 20, "N2", drug="rituximab",
                                    triggers="negated:never given")], MET),
    # "biologic-naive" covers every drug of the class, but not one its own sentence affirms
    ([planned_in("N1", 100), denial("She has never received a biologic.", "biologic", 20, "N2",
                                    concept="BIOLOGIC_CLASS", triggers="negated:has never received")], NOT_MET),
    # a later note's last dose corrects an earlier note's mention after it (a copied medication list)
    ([planned_in("N1", 100, note_date=INDEX - timedelta(100)),
      exposure("B_CELL_BIOLOGIC", "Benlysta", 370, note="N2", note_date=INDEX - timedelta(10),
               date_source="sentence_last_dose", drug="belimumab")], NOT_MET),
    # ... but not a mention of its own note ("given today; last dose 3 weeks ago")
    ([planned_in("N2", 10), exposure("B_CELL_BIOLOGIC", "Benlysta", 370, note="N2", note_date=INDEX - timedelta(10),
                                     date_source="sentence_last_dose", drug="belimumab")], MET),
    # ... unless its own sentence stops the drug: "On Benlysta ... Benlysta stopped (last dose 13/06/2024)"
    ([planned_in("N2", 10), replace(exposure("B_CELL_BIOLOGIC", "Benlysta", 370, note="N2", note_date=INDEX - timedelta(10),
                                             start=100, date_source="sentence_last_dose", drug="belimumab"),
                                    sentence_text="Benlysta stopped (last dose 13/06/2024).")], NOT_MET),
])
def test_later_corrections(evidence, status):
    decision = decide("b_cell_biologic_12mo", evidence)
    assert decision.status == status
    if status == NOT_MET:
        assert "corrected by a later note" in decision.reason


def allergy(e):
    e.section = "allergies"
    return e


def test_drug_listed_only_under_allergies_is_no_administration():
    assert decide("abatacept_12mo", [allergy(exposure("ABATACEPT", "abatacept", 10))]).status == UNKNOWN


def lab(concept, result=None, number=None, comparator=None, days=0, start=0):
    return ev(concept, concept, days, result=result, number=number, comparator=comparator, start=start)


NEG_PANEL = [lab("HIV_TEST", "negative"), lab("HCV_TEST", "negative", start=10), lab("HBSAG", "negative", start=20)]


@pytest.mark.parametrize("evidence, status", [
    (NEG_PANEL + [lab("HBCAB", "negative", start=30)], NOT_MET),
    (NEG_PANEL + [lab("HBCAB", "positive", start=30), lab("HBSAB", number=120.0, start=40)], NOT_MET),
    (NEG_PANEL + [lab("HBCAB", "positive", start=30), lab("HBSAB", number=10.0, comparator="<", start=40)], MET),
    (NEG_PANEL + [lab("HBCAB", "positive", start=30), lab("HBSAB", number=8.0, start=40)], MET),
    (NEG_PANEL, UNKNOWN),                                   # core antibody missing
    ([lab("HIV_TEST", "positive")], MET),
    ([lab("HCV_TEST", "positive")], MET),
    ([lab("HEPATITIS_PANEL", "negative")], UNKNOWN),        # a vague panel is not enough
    ([ev("VIRAL_INFECTION", "HIV disease", 0, virus="hiv", historical=True)], MET),   # a known infection
    ([ev("VIRAL_INFECTION", "hepatitis C", 0, virus="hcv", family=True)], UNKNOWN),
])
def test_viral_serology(evidence, status):
    assert decide("viral_serology", evidence).status == status


@pytest.mark.parametrize("evidence, status", [
    ([lab("IGRA", "negative")], NOT_MET),
    ([lab("IGRA", "positive")], MET),
    ([lab("TST", number=12.0)], MET),
    ([lab("TST", number=4.0)], NOT_MET),
    ([lab("IGRA", "indeterminate")], UNKNOWN),
    ([ev("IGRA", "TB screening", 0, hypothetical=True)], UNKNOWN),     # ordered
    ([ev("TB_DISEASE", "TB", 0, negated=True, historical=True)], UNKNOWN),  # "no history of TB"
    ([ev("LTBI", "isoniazid", 30)], MET),
    ([ev("TB_DISEASE", "pulmonary TB", 365)], MET),                    # a year back: may still be on treatment
    ([ev("TB_DISEASE", "pulmonary Koch's", 366)], UNKNOWN),            # "Koch's in 2014, treated": a past episode
    ([ev("TB_DISEASE", "TB", 200, date_min=INDEX - timedelta(400))], UNKNOWN),  # may be older than a year
    ([lab("IGRA", "negative", days=400), lab("IGRA", "positive", days=10, start=5)], MET),  # latest wins
])
def test_tuberculosis(evidence, status):
    assert decide("tuberculosis", evidence).status == status


@pytest.mark.parametrize("criterion, evidence, patient, status", [
    ("cancer_history", [ev("MALIGNANCY", "thyroid carcinoma", 3000, historical=True)], {}, MET),
    ("cancer_history", [ev("MALIGNANCY", "breast cancer", 0, family=True)], {}, UNKNOWN),
    ("cancer_history", [ev("MALIGNANCY", "malignancy", 0, uncertain=True)], {}, UNKNOWN),
    ("cancer_history", [ev("MALIGNANCY", "cancer", 0, negated=True, historical=True,
                           triggers="negated:No; historical:history of")], {}, NOT_MET),   # no history of cancer
    ("cancer_history", [ev("MALIGNANCY", "malignancy", 0, negated=True, historical=True,
                           triggers="negated:No; historical:prior")], {}, NOT_MET),         # no prior malignancy
    # a negative histology of an old excision is no denial: "Z.n. lymph node excision (kein Anhalt fuer Lymphom)"
    ("cancer_history", [ev("MALIGNANCY", "Lymphom", 1000, negated=True, historical=True,
                           triggers="historical:Z.n.; negated:kein Anhalt fuer")], {}, UNKNOWN),
    ("cancer_history", [ev("MALIGNANCY", "cancer", 0, negated=True, triggers="negated:denies")], {}, NOT_MET),
    ("cancer_history", [ev("MALIGNANCY", "malignancy", 0, negated=True)], {}, UNKNOWN),   # "no atypia or malignancy"
    ("cancer_history", [said_after("MALIGNANCY", "- Sin antecedente personal de trasplante ni de neoplasia.", "neoplasia", 0,
                                   "N5", negated=True, triggers="negated:ni")], {}, NOT_MET),   # the label names her history
    ("cancer_history", [ev("MALIGNANCY", "malignancy", 0, negated=True, triggers="negated:negative")], {}, UNKNOWN),
    ("cancer_history", [ev("MALIGNANCY", "neoplasie", 0, negated=True, triggers="negated:Nega")], {}, NOT_MET),  # Italian "denies"
    ("cancer_history", [ev("MALIGNANCY", "Cancer", 0, negated=True, triggers="negated:: none", field_label=True)], {},
     NOT_MET),  # "Cancer: none." in a history list
    ("cancer_history", [ev("MALIGNANCY", "malignancies", 0, negated=True,
                           triggers="negated:No; patient:of her own")], {}, NOT_MET),   # "no malignancies of her own"
    ("cancer_history", [said_after("MALIGNANCY", "Own history: no malignancies.", "malignancies", 0, "N1", negated=True,
                                   triggers="negated:: no")], {}, NOT_MET),
    ("cancer_history", [said_after("MALIGNANCY", "Family history: no malignancies.", "malignancies", 0, "N1", negated=True,
                                   triggers="negated:: no")], {}, UNKNOWN),
    ("cancer_history", [ev("MALIGNANCY", "antecedentes oncológicos", 0, negated=True, triggers="negated:Sin")], {}, NOT_MET),
    ("cancer_history", [ev("MALIGNANCY", "neoplasias", 0, negated=True, triggers="negated:No", denial_item=True)], {},
     NOT_MET),  # "No transfusiones. No neoplasias (madre: ca. de mama)." in a history list
    # a method's latest mention ends its earlier ones: the IUD of 2016 is gone after "IUD removed"
    ("contraception", [ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "IUD", 3000, method="iud"),
                       ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "IUD", 600, method="iud", historical=True)], {"sex": "F"}, UNKNOWN),
    ("contraception", [ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "IUD", 3000, method="iud", historical=True),
                       ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "IUD", 600, method="iud")], {"sex": "F"}, MET),  # reinserted
    ("contraception", [ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "implant", 300, method="implant"),
                       ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "IUD", 100, method="iud", negated=True)], {"sex": "F"}, MET),
    # a later note naming a less effective method as the one in use ends a highly effective one
    ("contraception", [ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "copper IUD", 300, method="iud"),
                       said_after("CONTRACEPTION_LESS_EFFECTIVE", "Contraception: condoms only.", "condoms", 20, "N2")],
     {"sex": "F"}, NOT_MET),
    ("contraception", [said_after("CONTRACEPTION_LESS_EFFECTIVE", "Usan solo preservativo.", "preservativo", 300, "N1"),
                       ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "DIU", 20, method="iud", note="N2")], {"sex": "F"}, MET),
    # "condoms" without "only" is no statement that nothing else is used
    ("contraception", [ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "implant", 300, method="implant"),
                       said_after("CONTRACEPTION_LESS_EFFECTIVE", "Uses condoms with new partners.", "condoms", 20, "N2")],
     {"sex": "F"}, MET),
    # the statement's own sentence names the highly effective method: no ending
    ("contraception", [said_after("CONTRACEPTION_HIGHLY_EFFECTIVE", "Condoms only until the IUD is fitted.", "IUD", 20,
                                  "N2", method="iud"),
                       said_after("CONTRACEPTION_LESS_EFFECTIVE", "Condoms only until the IUD is fitted.", "Condoms", 20,
                                  "N2")], {"sex": "F"}, MET),
    ("contraception", [said_after("CONTRACEPTION_LESS_EFFECTIVE", "Condoms only.", "Condoms", 20, "N2")], {"sex": "M"}, MET),
    # "not a transplant candidate": no transplant of hers, past or planned
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "transplant candidate", 0, negated=True, planned=True)], {}, NOT_MET),
    # ... unless a note documents one, or a stem-cell transplant is there to review
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "transplant candidate", 0, negated=True, planned=True),
                    ev("SOLID_ORGAN_TRANSPLANT", "kidney transplant", 3000)], {}, MET),
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "candidato a trasplante renal", 0, negated=True, planned=True),
                    ev("HSCT", "TAPH", 1500)], {}, UNKNOWN),
    # a transplant she might need one day is no plan; a listing or a work-up is
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "trasplante de riñón", 0, hypothetical=True)], {}, UNKNOWN),
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "kidney transplant", 4000)], {}, MET),
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "transplant list", 0, hypothetical=True, planned=True)], {}, MET),  # planned counts
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "kidney transplantation", 0, uncertain=True)], {}, MET),  # "evaluation for"
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "organ transplant", 0, negated=True, historical=True)], {}, NOT_MET),
    ("transplant", [ev("SOLID_ORGAN_TRANSPLANT", "kidney transplant", 0, family=True)], {}, UNKNOWN),
    ("transplant", [ev("HSCT", "stem cell transplant", 100)], {}, UNKNOWN),
    ("lactating", [ev("LACTATING", "breastfeeding", 0)], {"sex": "F"}, MET),
    ("lactating", [ev("LACTATING", "breastfed", 900, historical=True)], {"sex": "F"}, UNKNOWN),
    ("lactating", [ev("LACTATING", "breastfeeding", 365)], {"sex": "F"}, MET),
    ("lactating", [ev("LACTATING", "breastfeeding", 366)], {"sex": "F"}, UNKNOWN),   # a year back is not current
    ("lactating", [], {"sex": "M"}, NOT_MET),
    # a later note says it stopped: she is not breastfeeding now
    ("lactating", [ev("LACTATING", "lactancia materna", 120, note="N1"),
                   said_after("LACTATING", "Lactancia materna: suspendida desde febrero.", "Lactancia materna", 30, "N2",
                              historical=True)], {"sex": "F"}, NOT_MET),
    # ... unless a later note says she breastfeeds again (a second child)
    ("lactating", [said_after("LACTATING", "Lactancia materna: suspendida desde febrero.", "Lactancia materna", 300, "N1",
                              historical=True),
                   ev("LACTATING", "lactancia materna", 20, note="N2")], {"sex": "F"}, MET),
    # a breastfeeding told with its end, a weaning: ended
    ("lactating", [ev("LACTATING", "breastfed her son until", 900, ended=True)], {"sex": "F"}, NOT_MET),
    ("lactating", [ev("LACTATING", "destete", 30, ended=True)], {"sex": "F"}, NOT_MET),
    ("lactating", [ev("LACTATING", "destete", 30, ended=True, family=True)], {"sex": "F"}, UNKNOWN),
    # a past breastfeeding without its end says nothing of today
    ("lactating", [said_after("LACTATING", "Breastfed her first child.", "Breastfed", 900, "N1", historical=True)],
     {"sex": "F"}, UNKNOWN),
    # never pregnant: cannot be breastfeeding; a relative's obstetric history is not hers
    ("lactating", [ev("NEVER_PREGNANT", "G0P0", 10)], {"sex": "F"}, NOT_MET),
    ("lactating", [ev("NEVER_PREGNANT", "G0P0", 10, family=True)], {"sex": "F"}, UNKNOWN),
    ("lactating", [ev("NEVER_PREGNANT", "nuligesta", 400), ev("LACTATING", "lactancia materna", 10)], {"sex": "F"}, MET),
    # past the menopause: not breastfeeding (a warning about menopause is no menopause)
    ("lactating", [ev("NOT_CHILDBEARING_POTENTIAL", "menopausia", 900, historical=True, reason="menopause"),
                   said_after("LACTATING", "Dos hijos, a los que dio lactancia materna.", "lactancia materna", 900,
                              "N1", family=True)], {"sex": "F"}, NOT_MET),
    ("lactating", [ev("NOT_CHILDBEARING_POTENTIAL", "menopause", 30, hypothetical=True, reason="menopause"),
                   ev("LACTATING", "breastfed", 900, historical=True)], {"sex": "F"}, UNKNOWN),
    # ... and with no word of breastfeeding at all the question stays open
    ("lactating", [ev("NOT_CHILDBEARING_POTENTIAL", "postmenopausal", 30, reason="menopause")], {"sex": "F"}, UNKNOWN),
    ("lactating", [ev("NOT_CHILDBEARING_POTENTIAL", "hysterectomy", 30, reason="hysterectomy")], {"sex": "F"}, UNKNOWN),
    ("lactating", [ev("LACTATING", "breastfeeding", 30, note="N2"),
                   said_after("LACTATING", "Breastfed her first child for 6 months.", "Breastfed", 120, "N1",
                              historical=True)], {"sex": "F"}, MET),
    ("legal_incapacity", [ev("LEGAL_INCAPACITY", "guardianship", 0)], {}, MET),
    # the relative named with a guardianship is the guardian: "his sister and legal guardian"
    ("legal_incapacity", [ev("LEGAL_INCAPACITY", "legal guardian", 0, family=True)], {}, MET),
    # ... but a relative named with the measure is its ward: "Hermano con medida judicial de apoyo (curatela)"
    ("legal_incapacity", [ev("LEGAL_INCAPACITY", "curatela", 0, family=True, ward=True)], {}, UNKNOWN),
    ("legal_incapacity", [ev("LEGAL_INCAPACITY", "curatela", 0, ward=True)], {}, MET),
    ("legal_incapacity", [ev("LEGAL_INCAPACITY", "guardianship", 0, hypothetical=True)], {}, UNKNOWN),
    ("legal_incapacity", [ev("LEGAL_CAPACITY_INTACT", "makes her own decisions", 0)], {}, NOT_MET),
    # ... beside the relative who came along ("Came with her mother - pt ... makes her own decisions")
    ("legal_incapacity", [ev("LEGAL_CAPACITY_INTACT", "makes her own decisions", 0, family=True)], {}, NOT_MET),
    ("legal_incapacity", [ev("LEGAL_CAPACITY_INTACT", "makes her own decisions", 0, negated=True)], {}, UNKNOWN),
    ("contraception", [], {"sex": "M"}, MET),
    ("contraception", [ev("CONTRACEPTION_HIGHLY_EFFECTIVE", "IUD", 0)], {"sex": "F"}, MET),
    ("contraception", [ev("CONTRACEPTION_LESS_EFFECTIVE", "condoms only", 0)], {"sex": "F"}, NOT_MET),
    ("contraception", [ev("CONTRACEPTION_GENERAL", "contraception", 0, negated=True)], {"sex": "F"}, NOT_MET),
    ("contraception", [ev("NOT_CHILDBEARING_POTENTIAL", "postmenopausal", 0)], {"sex": "F"}, MET),
    ("investigator_opinion", [], {}, UNKNOWN),
])
def test_conditions(criterion, evidence, patient, status):
    assert decide(criterion, evidence, **patient).status == status


def vac(kind, negated=False, hypothetical=False, start=0, triggers="", sentence=None):
    e = ev("VACCINE", kind, 100, vaccine=kind, negated=negated, hypothetical=hypothetical, start=start, triggers=triggers)
    return replace(e, sentence_text=sentence) if sentence is not None else e


@pytest.mark.parametrize("evidence, status", [
    ([vac("pneumococcal"), vac("hib", start=1), vac("influenza", start=2)], MET),
    ([vac("pneumococcal"), vac("influenza", start=2)], UNKNOWN),
    ([vac("pneumococcal"), vac("hib", start=1), vac("influenza", negated=True, start=2)], NOT_MET),  # declined
    ([vac("pneumococcal", hypothetical=True), vac("hib", start=1), vac("influenza", start=2)], UNKNOWN),  # advised
    ([vac("pneumococcal", hypothetical=True, negated=True, triggers="hypothetical:offered; negated:declined"),
      vac("hib", start=1), vac("influenza", start=2)], NOT_MET),  # offered, declined
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", hypothetical=True, negated=True, start=1, triggers="hypothetical:Se ofrece; negated:rechaza")], NOT_MET),
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", hypothetical=True, negated=True, start=1, triggers="hypothetical:if; negated:never had")], NOT_MET),
    # an ordered or scheduled dose not given yet is a plan, no refusal
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", hypothetical=True, negated=True, start=1, triggers="hypothetical:SCHEDULED; negated:not given")], UNKNOWN),
    # ... but one "still not given" after a stock-out has never been given
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", hypothetical=True, negated=True, start=1, triggers="negated:still not given; hypothetical:out of stock")], NOT_MET),
    # "no ... on record" is not documented, which is no refusal; "never given" in a record is
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", negated=True, start=1, triggers="negated:No", sentence="No Hib dose on record.")], UNKNOWN),
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", negated=True, start=1, triggers="negated:no", sentence="PCV20/Hib status: no records available.")], UNKNOWN),
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", negated=True, start=1, triggers="negated:Sin",
          sentence="Sin constancia de vacunación frente a Haemophilus influenzae tipo b.")], UNKNOWN),
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", negated=True, start=1, triggers="negated:never given", sentence="Registry: Hib never given.")], NOT_MET),
    ([vac("pneumococcal"), vac("influenza", start=2),
      vac("hib", negated=True, start=1, triggers="negated:not given", sentence="Hib: not given.")], NOT_MET),
    # a dose not needed is neither given nor refused: the series given before stands
    ([vac("pneumococcal"), vac("hib", start=1), vac("influenza", start=2),
      vac("pneumococcal", negated=True, start=3, triggers="negated:No", sentence="No procede VNP23 tras VNC20.")], MET),
    ([vac("pneumococcal"), vac("hib", start=1), vac("influenza", start=2),
      vac("pneumococcal", negated=True, start=3, triggers="negated:not required",
          sentence="[ ] Prevenar 20 - not required (PCV13 + PPV23 series complete)")], MET),
])
def test_vaccinations(evidence, status):
    assert decide("vaccinations", evidence).status == status


def drug(name, days, amount, unit="mg", per_day=None, daily=None, route=None, agent_class="mycophenolate", **kw):
    return ev("INDUCTION_AGENT", name, days, drug=name, agent_class=agent_class, amount=amount, unit=unit,
              per_day=per_day, daily_amount=daily, route=route, **kw)


@pytest.mark.parametrize("evidence, status", [
    ([drug("mycophenolate_mofetil", 10, 1500, per_day=2, daily=3000)], MET),      # 1500 mg BID = 3 g/day
    ([drug("mycophenolate_mofetil", 10, 1250, per_day=2, daily=2500)], NOT_MET),  # equal to the limit
    ([drug("mycophenolate_sodium", 10, 720, per_day=2, daily=1440)], NOT_MET),
    # "MMF 3 g/day 09/10-10/22/2024, then Myfortic 720 mg BID": one mycophenolate at a time, the latest dated is current
    ([drug("mycophenolate_mofetil", 10, 1500, per_day=2, daily=3000, start=10, note_date=INDEX - timedelta(days=10),
           date_min=INDEX - timedelta(days=150), date_max=INDEX - timedelta(days=110)),
      drug("mycophenolate_sodium", 10, 720, per_day=2, daily=1440, start=60)], NOT_MET),
    ([drug("mycophenolate_sodium", 10, 1080, per_day=2, daily=2160)], MET),
    ([drug("cyclophosphamide", 10, 1200, unit="mg/m2", agent_class="cyclophosphamide")], MET),
    ([drug("cyclophosphamide", 10, 750, unit="mg/m2", agent_class="cyclophosphamide")], NOT_MET),
    ([drug("prednisone", 10, 80, per_day=1, daily=80, agent_class="glucocorticoid")], MET),     # > 60 without weight
    ([drug("prednisone", 10, 60, per_day=1, daily=60, agent_class="glucocorticoid")], NOT_MET),
    ([drug("methylprednisolone", 10, 500, per_day=1, daily=500, route="iv", agent_class="glucocorticoid")], UNKNOWN),  # IV pulse
    ([drug("prednisone", 10, 60, per_day=1, daily=60, agent_class="glucocorticoid"),
      ev("WEIGHT", "Weight: 50 kg", 10, weight_kg=50.0, start=50)], MET),        # 60 mg > 1 mg/kg x 50 kg
    ([drug("mycophenolate_mofetil", 400, 1500, per_day=2, daily=3000)], UNKNOWN),  # past dose
    # "prednisona 0,5 mg/kg en descenso" with a weight: 0.5 x 66 = 33 mg/day; 1.5 mg/kg is above 1 mg/kg
    ([drug("prednisone", 10, 0.5, unit="mg/kg", agent_class="glucocorticoid"),
      ev("WEIGHT", "Peso: 66 kg", 10, weight_kg=66.0, start=50)], NOT_MET),
    ([drug("prednisone", 10, 1.5, unit="mg/kg", agent_class="glucocorticoid"),
      ev("WEIGHT", "Peso: 66 kg", 10, weight_kg=66.0, start=50)], MET),
    ([drug("prednisone", 10, 0.5, unit="mg/kg", agent_class="glucocorticoid")], UNKNOWN),   # no weight
    # pulses are IV: no oral dose
    ([drug("methylprednisolone", 10, 500, route="iv", agent_class="glucocorticoid")], UNKNOWN),
    ([drug("methylprednisolone", 10, 500, agent_class="glucocorticoid")], UNKNOWN),   # "MP 500 mg x3": a pulse by its size
    ([drug("mycophenolate_mofetil", 10, 1500, per_day=2, daily=3000, historical=True)], UNKNOWN),
    # a reduction planned after the index date is not the current dose
    ([drug("prednisone", 14, 50, per_day=1, daily=50, agent_class="glucocorticoid", note_date=INDEX),
      drug("prednisone", -7, 40, per_day=1, daily=40, agent_class="glucocorticoid", note_date=INDEX, start=90,
           sent=(80, 120)),
      ev("DOSE_CHANGE", "reduce", 0, start=82, sent=(80, 120)),
      ev("WEIGHT", "Weight: 41.5 kg", 0, weight_kg=41.5, start=50)], MET),
    # ... but a dose continued until a later date is current
    ([drug("mycophenolate_mofetil", -30, 1500, per_day=2, daily=3000, note_date=INDEX)], MET),
    # a current note denies the agents, and none is named as taken: "No glucocorticoids or other immunosuppressants"
    ([ev("INDUCTION_AGENT", "glucocorticoids", 20, agent_class="glucocorticoid", negated=True)], NOT_MET),
    ([ev("INDUCTION_AGENT", "glucocorticoids", 20, agent_class="glucocorticoid", negated=True),
      ev("INDUCTION_AGENT", "prednisone", 10, drug="prednisone", agent_class="glucocorticoid", start=40)], UNKNOWN),
    ([ev("INDUCTION_AGENT", "MMF", 400, drug="mycophenolate_mofetil", negated=True)], UNKNOWN),   # not a current note
    # a later note takes the dose back: "the 30 May entry recorded prednisone 60 mg in error"
    ([drug("prednisone", 16, 60, per_day=1, daily=60, agent_class="glucocorticoid", note="N9"),
      drug("prednisone", 0, 60, agent_class="glucocorticoid", note="N10", negated=True),
      ev("WEIGHT", "Current weight 58 kg", 0, weight_kg=58.0, start=50, note="N10")], UNKNOWN),  # no dose left
])
def test_dose_limits(evidence, status):
    assert decide("immunosuppression_over_limit", evidence).status == status


def acei(days, amount, note, start=0, **kw):
    return ev("ACEI_ARB", "lisinopril", days, drug="lisinopril", amount=amount, unit="mg", per_day=1, daily_amount=amount,
              note=note, start=start, **kw)


@pytest.mark.parametrize("evidence, status", [
    ([acei(30, 20, "N1", sent=(0, 40)), ev("DOSE_CHANGE", "increased", 30, note="N1", start=12, sent=(0, 40))], MET),
    ([acei(90, 20, "N1", sent=(0, 40)), ev("DOSE_CHANGE", "increased", 90, note="N1", start=12, sent=(0, 40))], NOT_MET),
    ([acei(50, 10, "N1"), acei(20, 20, "N2")], MET),          # two dated lists inside the window differ
    ([acei(100, 10, "N1"), acei(20, 20, "N2")], UNKNOWN),     # change somewhere between day 100 and day 20
    ([acei(100, 10, "N1"), acei(20, 10, "N2")], NOT_MET),     # restated unchanged across the window
    # a sentence dated "two weeks ago" copied word for word into a later note is the first note's statement
    ([replace(said_after("ACEI_ARB", "Irbesartan increased to 300 mg two weeks ago.", "Irbesartan", 150, "N1",
                         drug="irbesartan", amount=300, daily_amount=300), date_source="sentence_relative"),
      replace(said_after("DOSE_CHANGE", "Irbesartan increased to 300 mg two weeks ago.", "increased", 150, "N1"),
              date_source="sentence_relative"),
      replace(said_after("ACEI_ARB", "Irbesartan increased to 300 mg two weeks ago.", "Irbesartan", 15, "N2",
                         drug="irbesartan", amount=300, daily_amount=300), date_source="sentence_relative"),
      replace(said_after("DOSE_CHANGE", "Irbesartan increased to 300 mg two weeks ago.", "increased", 15, "N2"),
              date_source="sentence_relative")], NOT_MET),
    # a discontinued line in the same list is a former dose, not the note's: "ramipril 5 mg ... Discontinued"
    ([acei(100, 10, "N1"), acei(20, 10, "N2"), acei(20, 5, "N2", start=50, historical=True)], NOT_MET),
    # one pharmacy note inside the window dates each dose: "8 mg hasta el 13/07; 16 mg el 14/07" (63/62 days)
    ([acei(63, 8, "N1", note_date=INDEX - timedelta(days=10)),
      acei(62, 16, "N1", start=30, note_date=INDEX - timedelta(days=10))], UNKNOWN),
    ([ev("OTHER_ANTIHYPERTENSIVE", "amlodipine", 10, note="N1", sent=(0, 40)),
      ev("DOSE_CHANGE", "increased", 10, note="N1", start=12, sent=(0, 40)), acei(10, 10, "N1", start=30, sent=(0, 40))], UNKNOWN),
    # "sin cambios desde que se subió en enero" (45-75 days) retells the increase dated to the day 63 days back
    ([acei(63, 5, "N1", sent=(0, 40)), ev("DOSE_CHANGE", "increased", 63, note="N1", start=12, sent=(0, 40)),
      acei(0, 5, "N2", sent=(0, 60)), ev("DOSE_CHANGE", "se subió", 0, note="N2", start=20, sent=(0, 60),
                                         date_min=INDEX - timedelta(days=75), date_max=INDEX - timedelta(days=45))], NOT_MET),
    ([acei(0, 5, "N2", sent=(0, 60)), ev("DOSE_CHANGE", "se subió", 0, note="N2", start=20, sent=(0, 60),
                                         date_min=INDEX - timedelta(days=75), date_max=INDEX - timedelta(days=45))], UNKNOWN),
    # the change told, dated, in the earlier dose's own note: "increased from 10 to 20 mg the 17/04" beside an old
    # box of 10 mg in the note of 18/04 (outside the window); 20 mg in a note inside it
    ([acei(64, 20, "N6", start=10, sent=(0, 40), note_date=INDEX - timedelta(days=63)),
      ev("DOSE_CHANGE", "increased", 64, note="N6", start=20, sent=(0, 40), note_date=INDEX - timedelta(days=63)),
      acei(63, 10, "N6", start=90, sent=(80, 120), date_source="note_date"),
      acei(0, 20, "N8", date_source="note_date")], NOT_MET),
    # never on one, and none named as taken: no dose to change; a plain "no ACEi" or a deferred start says less
    ([said_after("ACEI_ARB", "ACE inhibitor/ARB: she has never taken one.", "ACE inhibitor", 10, "N1", negated=True,
                 triggers="negated:never taken")], NOT_MET),
    ([said_after("ACEI_ARB", "No ACE inhibitor today.", "ACE inhibitor", 10, "N1", negated=True)], UNKNOWN),
    ([said_after("ACEI_ARB", "ACE inhibitor/ARB: she has never taken one.", "ACE inhibitor", 10, "N1", negated=True),
      acei(5, 10, "N2")], UNKNOWN),
    # an erratum names the note whose dose was wrong: "donde dice 'Enalapril 20 mg' debe decir ..." (N2's 20 mg is no dose)
    ([acei(80, 10, "N1"), acei(23, 20, "N2"),
      acei(10, 20, "N3", negated=True, note_date=INDEX - timedelta(days=10), date_min=INDEX - timedelta(days=23),
           date_max=INDEX - timedelta(days=23)),
      acei(10, 10, "N3", start=60)], NOT_MET),
    ([acei(80, 10, "N1"), acei(23, 20, "N2"), acei(10, 10, "N3", start=60)], MET),
    # "SUBO candesartán de 8 mg a 16 mg/día" in the note of 63 days back: the change is that note's, before the window
    ([acei(63, 8, "N6", start=10, sent=(0, 60), date_source="note_date"),
      ev("DOSE_CHANGE", "SUBO", 63, note="N6", start=0, sent=(0, 60), date_source="note_date"),
      acei(21, 16, "N7", date_source="note_date")], NOT_MET),
    # "BMP 2024-09-26: K 4.9 after ramipril increase" tells again the increase dated 63 days back
    ([acei(63, 10, "N1", sent=(0, 40)), ev("DOSE_CHANGE", "increased", 63, note="N1", start=12, sent=(0, 40)),
      replace(said_after("DOSE_CHANGE", "BMP 2024-09-26 K 4.9, Cr 85 after ramipril increase - OK.", "increase", 53, "N2"),
              date_source="sentence"),
      replace(said_after("ACEI_ARB", "BMP 2024-09-26 K 4.9, Cr 85 after ramipril increase - OK.", "ramipril", 53, "N2",
                         drug="lisinopril"), date_source="sentence")], NOT_MET),
])
def test_acei_arb_change(evidence, status):
    assert decide("acei_arb_change_2mo", evidence).status == status


def D(status):
    return Decision(status)


@pytest.mark.parametrize("overrides, expected", [
    ({}, LIKELY_ELIGIBLE),
    ({"b_cell_biologic_12mo": MET}, NOT_ELIGIBLE),
    ({"sledai_2k_ge6": NOT_MET}, NOT_ELIGIBLE),
    ({"sledai_2k_ge6": UNKNOWN}, NEEDS_REVIEW),
    ({"contraception": NOT_MET, "vaccinations": NOT_MET}, LIKELY_ELIGIBLE),   # non-core never changes status
    ({"tuberculosis": UNKNOWN}, LIKELY_ELIGIBLE),                             # unknown exclusions never block
])
def test_patient_status(overrides, expected):
    decisions = {}
    for cid, c in CRITERIA.criteria.items():
        decisions[cid] = D(MET if CRITERIA.is_core(cid) else (UNKNOWN if c.kind == "inclusion" else NOT_MET))
    decisions["investigator_opinion"] = D(UNKNOWN)
    for cid, status in overrides.items():
        decisions[cid] = D(status)
    status, reasons = patient_status(decisions, CRITERIA)
    assert status == expected
    assert reasons


@pytest.mark.parametrize("birth, age, at_age, status", [
    (date(1980, 5, 1), None, [12, 12], NOT_MET),    # 1992-1993
    (None, 44, [12, 12], NOT_MET),                  # a stated age instead of a birth date
    (None, None, [12, 12], UNKNOWN),                # no birth date: the mention stays undated
    (date(1980, 8, 1), None, [44, 44], MET),        # at 44: 2024-08-01..2024-11-06, inside 183 days
    (date(1980, 5, 1), None, [44, 44], UNKNOWN),    # 2024-05-01..: straddles the window's start
])
def test_an_event_dated_by_the_patients_age(birth, age, at_age, status):
    evidence = [ev("MAJOR_SURGERY", "apendicectomía", 0, undated_before=True, date_source="note_date", at_age=at_age)]
    if age is not None:
        evidence.append(ev("AGE", f"{age} años", 0, age=age, start=100))
    assert decide("major_surgery_6mo", evidence, birth_date=birth).status == status

