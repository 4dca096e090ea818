"""Evidence rows: offsets exact into the note as read, dates resolved with their source."""

from datetime import date

import pytest

from extractor.dates import find_dates
from extractor.evidence import EVIDENCE_COLUMNS, Evidence, resolve_date

NOTE = date(2024, 7, 15)


def bare(text, start, end, sent=(0, None), historical=False):
    return Evidence("e", "P", "N", NOTE, "X", start, end, text[start:end], "X", sent[0], sent[1] or len(text),
                    historical=historical)


@pytest.mark.parametrize("text, target, historical, event_date, source", [
    ("Rituximab 1 g on 2024-01-10.", "Rituximab", False, "2024-01-10", "sentence"),
    ("In March 2023 she received rituximab.", "rituximab", False, "2023-03", "sentence"),
    ("Rituximab 3 months ago.", "Rituximab", False, "2024-03-31..2024-04-30", "sentence_relative"),
    ("Received rituximab.", "rituximab", False, "2024-07-15", "note_date"),
    ("History of rituximab.", "rituximab", True, "<=2024-07-15", "before_note_date"),
    ("Biopsy 2019. Rituximab given.", "Rituximab", False, "2024-07-15", "note_date"),   # other sentence's date
    ("Rituximab today.", "Rituximab", False, "2024-07-15", "sentence_relative"),
])
def test_resolve_date(text, target, historical, event_date, source):
    start = text.index(target)
    sent_start = text.rfind(". ", 0, start)
    ev = bare(text, start, start + len(target), (sent_start + 2 if sent_start >= 0 else 0, None), historical)
    resolve_date(ev, find_dates(text, NOTE))
    assert (ev.event_date, ev.date_source) == (event_date, source)


def test_evidence_text_equals_note_slice_and_schema(screener):
    from extractor.evidence import doc_evidence

    text = ("HPI\r\n34 y/o F. Renal biopsy 02/20/2024: ISN/RPS class IV-G (A).\r\nMMF 1500 mg BID since 02/25/2024.\r\n"
            "ALLERGIES: abatacept\r\nHIV 1/2 Ab: non-reactive; anti-HBs <10 mIU/mL\r\n")
    rows = doc_evidence(screener.nlp(text), "P", "N", NOTE, screener.concepts, screener.section_flags,
                        screener.concept_criteria)
    assert rows
    for ev in rows:
        assert text[ev.start:ev.end] == ev.text
        assert list(ev.row()) == list(EVIDENCE_COLUMNS)
    by_text = {ev.text: ev for ev in rows}
    assert by_text["MMF"].details["daily_amount"] == 3000
    assert by_text["MMF"].event_date == "2024-02-25"
    assert by_text["ISN/RPS class IV"].value == "IV-G (A)"
    assert by_text["anti-HBs"].details["number"] == 10.0
    assert "immunosuppression_over_limit" in by_text["MMF"].criterion_id


@pytest.mark.parametrize("text, mention, label", [
    ("Cancer: no hx of cancer", "Cancer", True),
    ("- TB: BCG as infant", "TB", True),
    ("Past surgery / anaesthesia: Lap. tubectomy 2012", "surgery", True),  # topics listed, "past"
    ("Prior biologics & trials: none", "biologics", True),
    ("She had surgery: a lap appendectomy", "surgery", False),
    ("Partial renal response: continue MMF", "response", False),  # a value-bearing phrase, not a field name
    # a table row's first cell answered in words in the next; not a drug row with its dose
    ("Cancer                 | pt denies any personal history of cancer. | phone", "Cancer", True),
    ("Lactation | not breastfeeding, confirmed again by phone", "Lactation", True),
    ("Rituximab | 1000 mg IV | 03/12/2024", "Rituximab", False),
    ("Rituximab | Truxima 1 g IV", "Rituximab", False),
    # an upper-case heading of its own line
    ("1) ENSAYOS CLÍNICOS PREVIOS\n- Protocolo LN-2-0447", "ENSAYOS CLÍNICOS", True),
    ("RITUXIMAB 1 G IV 12/03/2024\n", "RITUXIMAB", False),
    ("3) The research study\nI told you about a study at Lakeshore.", "research study", True),
    ("3) Rituximab 1 g on 12/03/2024\n", "Rituximab", False),
    ("C) CLINICAL TRIALS SECTION\nProtocol (phase II) - last dose 14/06/2020.", "CLINICAL TRIALS", True),
    ("- Gestación/lactancia: nuligesta, no lactancia.", "lactancia", True),  # a field naming two topics
    ("Rituximab previous\n", "Rituximab", False),
    ("PMHx / Operations\n- LLETZ 2018\n- LSCS 03/2020\n", "Operations", True),  # a heading over a list
    ("Ensayo clínico (Cardiología): la retiraron del estudio.", "Ensayo clínico", True),  # a bracket before the colon
    ("Rituximab\n1 g IV on 12/03\n", "Rituximab", False),
])
def test_field_labels(text, mention, label):
    from extractor.evidence import _is_label

    start = text.index(mention)
    assert _is_label(text, start, start + len(mention)) is label


@pytest.mark.parametrize("text, mention, section, item", [
    ("· No neoplasias (colonoscopia 2022: pólipo adenoma tubular, resecado).", "neoplasias", None, True),
    ("No transfusiones ni trasplantes. No neoplasias (madre: ca. de mama a los 52 a).", "neoplasias", None, True),
    ("- Denies malignancies\n", "malignancies", None, True),
    ("PMH:\n- No cancer.\n", "cancer", "past_medical_history", True),
    ("Pathology: leiomyomas, benign; tubes unremarkable. No malignancy.", "malignancy", None, False),  # a specimen's finding
    ("No malignancies identified in the sample.", "malignancies", None, False),
    ("Screening colonoscopy, no neoplasias.", "neoplasias", None, False),
])
def test_denial_items(text, mention, section, item):
    from extractor.evidence import _is_denial_item

    start = text.index(mention)
    assert _is_denial_item(text, start, start + len(mention), section) is item


WORDS = ("last dose", "last infusion", "last injection", "stopped", "discontinued", "until")


@pytest.mark.parametrize("text, target, others, expected", [
    ("abatacept 125 mg SC weekly 01/2024 -> last injection 03/12/2024", "abatacept", [], "03/12/2024"),
    ("study drug for ITP; last dose of the study drug on 18/10/2024", "study drug", [], "18/10/2024"),  # five words between
    ("Abatacept from Sept 2022; last dose self-injected on\n  26/08/2024, discontinued", "Abatacept", [], "26/08/2024"),
    ("belimumab (stopped 1/2024) then abatacept (stopped 3/2024)", "abatacept", ["belimumab"], "3/2024"),
    ("belimumab (stopped 1/2024) then abatacept (stopped 3/2024)", "belimumab", ["abatacept"], "1/2024"),
    ("belimumab since 2019, then abatacept stopped 3/2024", "belimumab", ["abatacept"], None),  # another drug's stop
    ("rituximab 1 g on 02/05/2024 and 02/19/2024", "rituximab", [], None),                     # no last-dose word
    ("last infusion 01/10/2024 of belimumab", "belimumab", [], None),                         # a date before the drug
    ("infliximab 2019, 2020 and 2021 until the end of the long trial in 05/2024", "infliximab", [], None),  # too far
])
def test_last_dose_date(text, target, others, expected):
    from extractor.evidence import last_dose_date

    start = text.index(target)
    blockers = [(text.index(o), text.index(o) + len(o)) for o in others]
    found = last_dose_date(text, find_dates(text, NOTE), start, start + len(target), blockers, WORDS)
    assert (found.text if found else None) == expected


@pytest.mark.parametrize("text, head, other, expected", [
    ("Inj. Reditux (rituximab) as add-on", "Reditux", "rituximab", True),
    ("abatacept (ORENCIA) 125 mg SC weekly", "abatacept", "ORENCIA", True),
    ("Abatacept (Inj. Orencia 125 mg SC weekly) from 2022", "Abatacept", "Orencia", True),
    ("rituximab, then belimumab (stopped)", "rituximab", "belimumab", False),     # a list, not a bracket
    ("IVIG (given monthly from March to June at the infusion centre, with rituximab)", "IVIG", "rituximab", False),
    ("belimumab (BLM", "belimumab", "BLM", False),                                  # never closed
])
def test_is_apposition(text, head, other, expected):
    from types import SimpleNamespace

    from extractor.evidence import is_apposition

    def span(word):
        start = text.index(word)
        return SimpleNamespace(start_char=start, end_char=start + len(word))

    assert is_apposition(text, span(head), span(other)) is expected


@pytest.mark.parametrize("text, document", [
    ("Histology of repeat bx (reported 25/01/2023): class IV-G", True),
    ("Procedure date: 09/10/2024        Final: 09/16/2024 14:48", True),
    ("Electronically signed on 03/02/2024", True),
    ("Renal biopsy 21/01/2023: class IV-G", False),
    ("rituximab received 02/05/2024", False),  # an administration, not a document
])
def test_document_dates(text, document):
    from extractor.evidence import is_document_date

    last = find_dates(text, NOTE)[-1]
    assert is_document_date(text, last) is document


@pytest.mark.parametrize("text, target, event_date", [
    ("SLEDAI-2K 4 (low complement 2, anti-dsDNA 2) - vs 12 in 2023.", "SLEDAI-2K", "2024-07-15"),
    ("SLEDAI-2K 4 (solo proteinuria) frente a 14 en marzo.", "SLEDAI-2K", "2024-07-15"),
    ("SLEDAI-2K 4 on 03/07/2024, previously 12 in 2023.", "SLEDAI-2K", "2024-03-07"),
    ("SLEDAI-2K 12 in 2023.", "SLEDAI-2K", "2023"),
    # a sequence: the last score is dated by its own date, not by the earlier one's before the arrow
    ("SLEDAI-2K: 20 en octubre de 2024 → 8 el 17/03/2025.", "SLEDAI-2K", "2025-03-17"),
    ("SLEDAI 4 (03/12/2024) -> 14 (07/19/2024)", "SLEDAI", "2024-07-19"),
    ("SLEDAI-2K (02/06/2024): 4 -> 10", "SLEDAI-2K", "2024-02-06"),
    ("SLEDAI-2K 16 (abril) -> 12 actual (proteinuria 4, hematuria 4).", "SLEDAI-2K", "2024-07-15"),
    ("SLEDAI-2K: 4 (previo 14 en agosto), solo por proteinuria.", "SLEDAI-2K", "2024-07-15"),
    ("SLEDAI-2K (17/06/2024): hematuria 4 + proteinuria 4 = 8 (en enero, al diagnóstico, 22).", "SLEDAI-2K", "2024-06-17"),
    ("SLEDAI-2K: 8 (proteinuria 4, hematuria 4); en 2021 era de 4.", "SLEDAI-2K", "2024-07-15"),
    # a value read after "hoy" / "now" is today's, whatever history the sentence tells before it
    ("SLEDAI-2K: al diagnóstico (diciembre de 2023) 16; hoy 12 (proteinuria 4, hematuria 4).", "SLEDAI-2K", "2024-07-15"),
    ("SLEDAI-2K at baseline 16, now 8.", "SLEDAI-2K", "2024-07-15"),
    ("Her SLEDAI-2K at baseline was 16.", "SLEDAI-2K", "<=2024-07-15"),
    # a score after "ahora"/"now" is today's; the month before it is the earlier score's
    ("el sledai dos k que en enero era de cuatro ahora es de diez punto", "sledai dos k", "2024-07-15"),
    ("SLEDAI-2K 4 in January, now 10.", "SLEDAI-2K", "2024-07-15"),
    # a drug class named between a date and a drug is no other drug of its own
    ("Marzo de 2019: lupus inducido por anti-TNF, se retiró el adalimumab.", "adalimumab", "2019-03"),
    # a drug in a bracket keeps the bracket's date; a bracket with no drug still dates what it follows
    ("Indication: LN class IV-S, after Euro-Lupus (6 pulses cyclophosphamide 500 mg, last one 13/03/2025).", "class IV", "2024-07-15"),
    ("Indication: LN class IV-S, after Euro-Lupus (6 pulses cyclophosphamide 500 mg, last one 13/03/2025).", "cyclophosphamide", "2025-03-13"),
    ("Renal biopsy (class IV, 03/2024).", "class IV", "2024-03"),
    # a clause whose only date is another drug's: the next clause's date is the mention's
    ("SLE 03/2019 (AIHA refractory to steroids -> rituximab 375 mg/m2 x 4, Mar-Apr 2019;", "rituximab", "2019-03-01..2019-04-30"),
    # an arrow in a later clause leads to another event; one in the mention's own clause does not
    ("LN treated with cyclophosphamide, MMF and rituximab; progressive CKD -> HD start 03/11/2024.", "rituximab", "2024-07-15"),
    ("Lisinopril 10 -> 20 mg on 03/11/2024.", "Lisinopril", "2024-03-11"),
    # a bracketed date is its own list item's: the hysterectomy's item has none
    ("ITP (2015, remission), LN class IV (09/2024), HTN, uterine fibroids (benign) s/p hysterectomy.", "hysterectomy", "<=2024-07-15"),
    ("Hysterectomy, for fibroids (2012).", "Hysterectomy", "2012"),
    ("Fechas dd/mm/aaaa. IGIV inespecíficas 0,4 g/kg/día x 5 días (del 03/06/2024 al 07/06/2024).", "IGIV", "2024-06-03..2024-06-07"),  # a decimal comma
    ("Completó ciclofosfamida IV (del 20/12/2024 al 28/02/2025), con bolos de metilprednisolona al inicio.",
     "bolos de metilprednisolona", "2024-12-20..2025-02-28"),
    ("Cribado (extracción del 25/09/2024): VIH negativo, HBsAg negativo.", "HBsAg", "2024-09-25"),  # the list's label
    ("Ciclofosfamida IV en bolos, 6 bolos (último 25/09/2024).", "Ciclofosfamida IV", "2024-09-25"),  # a count of its doses
    ("Methylprednisolone IV, x3 (15-17/01/2025), then prednisone.", "Methylprednisolone", "2025-01-15..2025-01-17"),
    ("lisinopril 20 mg daily (up from 10 mg on 12/13/24, no change since)", "no change", "2024-12-13"),
    # where nothing tells the order of day and month, a date after the note is read the other way
    ("Date of biopsy: 12/07/2024. Renal biopsy: class IV.", "Renal biopsy", "2024-07-12"),
    ("Renal biopsy 09/06/2024: class IV.", "Renal biopsy", "2024-06-09"),
    ("Renal biopsy planned 07/20/2024.", "Renal biopsy", "2024-07-20"),                  # no other reading
    # a bracket that tells of another dose keeps its date: the drug before it was given on the note's day
    ("DRUG: rituximab-pvvr (RUXIENCE) 1000 mg IV - DOSE 2 of 2 (dose 1 given 06/24/2024)", "RUXIENCE", "2024-07-15"),
    ("Truxima 1.000 mg IV - 2.ª dosis del ciclo (1.ª dosis administrada el 01/07/2024).", "Truxima", "2024-07-15"),
    ("Rituximab 1 g (first dose 03/2024), second dose 04/2024.", "Rituximab", "2024-04"),
    # an age closing the event's clause dates it, not the next clause's month
    ("- Surgical history: laparoscopic appendectomy at 16; no other operations apart from the kidney biopsy in May.",
     "appendectomy", "<=2024-07-15"),
    ("Fechas dd/mm/aaaa. Biopsia renal el 20/07/2024.", "Biopsia renal", "2024-07-20"),  # the order is known
])
def test_a_comparison_keeps_its_own_date(screener, text, target, event_date):
    from extractor.evidence import doc_evidence

    rows = doc_evidence(screener.nlp(text), "P", "N", NOTE, screener.concepts, screener.section_flags, {})
    assert [ev.event_date for ev in rows if ev.text == target] == [event_date]


@pytest.mark.parametrize("text, expected", [
    ("ANATOMICAL PATHOLOGY\nSurg. Path #: S24-1l842   Collected: 19-JUL-2024   Signed out: 24-JUL-2024\n", "2024-07-19"),
    ("Servicio de Anatomía Patológica\nN.º de estudio: B25-00212  Fecha de toma: 08/01/2025  Fecha de informe: 10/01/2025\n"
     "Biopsia del riñón izquierdo con 20 glomérulos, para estudio por brote.\n", "2025-01-08"),           # day-first, as the note reads
    ("Date of procedure: 03/14/2024\nKidney, needle biopsy: lupus nephritis class IV.\n", "2024-03-14"),
    ("HOSPITAL GENERAL - ANATOMÍA PATOLÓGICA\nBiopsia: B25/00412           F. obtención: 28/01/2025    F. informe: 04/02/2025\n", "2025-01-28"),
    ("INFORME DE BIOPSIA RENAL\nFecha de la biopsia: martes 2 de abril de 2024\nFecha del informe: 05/04/2024\n",
     "2024-04-02"),                                                                       # a weekday before the date
    ("Renal pathology report. Signed out 24-JUL-2024.\n", None),                          # no specimen date
    ("Labs collected after the visit.\n", None),                                          # no date after the cue
    ("x" * 900 + "\nCollected: 19-JUL-2024\n", None),                                   # not in the header
])
def test_specimen_date(text, expected):
    from extractor.evidence import specimen_date

    found = specimen_date(text, NOTE)
    assert (found.date_min.isoformat() if found else None) == expected
    if found:
        assert text[found.start:found.end] == found.text


@pytest.mark.parametrize("text, expected", [
    ("SUMÁRIO DE ALTA (datas no formato dd/mm/aaaa)\nInternação: 11/11/2024    Cirurgia: 12/11/2024    Alta: 14/11/2024\n",
     "2024-11-12"),
    ("OPERATION NOTE\nDate of surgery: 03/04/2024\nProcedure: laparoscopic cholecystectomy\n", "2024-03-04"),
    ("Servicio de Cirugía General\nFecha de intervención: 21/05/2024\n", "2024-05-21"),
    ("Serviço de Cirurgia Geral\nAlta: 14/11/2024\n", None),                 # a service's name, no date after it
])
def test_operation_date(text, expected):
    from extractor.evidence import operation_date

    found = operation_date(text, NOTE)
    assert (found.date_min.isoformat() if found else None) == expected


def test_an_operation_takes_its_reports_header_date(screener):
    from extractor.evidence import doc_evidence

    text = ("SUMÁRIO DE ALTA (datas no formato dd/mm/aaaa)\nInternação: 11/11/2024    Cirurgia: 12/11/2024    "
            "Alta: 14/11/2024\nProcedimento: apendicectomia videolaparoscópica sob anestesia geral.\n")
    rows = doc_evidence(screener.nlp(text), "P", "N", date(2024, 11, 14), screener.concepts, screener.section_flags, {})
    (ev,) = [ev for ev in rows if ev.concept == "MAJOR_SURGERY"]
    assert (ev.event_date, ev.date_source) == ("2024-11-12", "operation_date")


def test_report_class_takes_the_specimen_date(screener):
    from extractor.evidence import doc_evidence

    text = ("RENAL PATHOLOGY\nCollected: 19-JUL-2024   Signed out: 24-JUL-2024\n\nDIAGNOSIS:\n"
            "   - Lupus nephritis, ISN/RPS class IV-S (A/C) + V\nClinical information: class IV-G (A) on biopsy 06-JUL-2023.\n")
    rows = doc_evidence(screener.nlp(text), "P", "N", NOTE, screener.concepts, screener.section_flags, {})
    dated = {ev.text: (ev.event_date, ev.date_source) for ev in rows if ev.concept == "LN_CLASS"}
    assert dated == {"ISN/RPS class IV": ("2024-07-19", "specimen_date"), "class IV": ("2023-07-06", "sentence")}


def _date_rule_examples():
    from extractor.rules import patterns_dir, validate_date_rules_file

    return validate_date_rules_file(patterns_dir() / "date_rules.json")["examples"]


@pytest.mark.parametrize("example", _date_rule_examples(), ids=lambda e: e["text"][:30])
def test_date_rule_file_examples(example):
    from extractor.evidence import is_document_date, is_edition_year

    date_mention = next(d for d in find_dates(example["text"], NOTE) if d.text == example["date"])
    if "document_date" in example:
        assert is_document_date(example["text"], date_mention) is example["document_date"]
    if "edition_year" in example:
        assert is_edition_year(example["text"], date_mention) is example["edition_year"]


@pytest.mark.parametrize("text, target, route", [
    ("Induction: Solu-Medrol 500 mg x 3 from 16/02/2025.", "Solu-Medrol", "iv"),  # made only for injection
    ("Methylprednisolone 500 mg IV daily x3.", "Methylprednisolone", "iv"),
    ("Prednisolone 40 mg daily.", "Prednisolone", None),
])
def test_a_rule_states_what_the_text_leaves_unsaid(screener, text, target, route):
    from extractor.evidence import doc_evidence

    rows = doc_evidence(screener.nlp(text), "P", "N", NOTE, screener.concepts, screener.section_flags, {})
    assert [ev.details.get("route") for ev in rows if ev.text == target] == [route]


@pytest.mark.parametrize("text, target, label", [
    ("Respuesta renal parcial: no alcanza respuesta completa a los 6 meses.", "Respuesta renal parcial", False),
    ("Cancer: no hx of cancer.", "Cancer", True),
])
def test_a_label_that_states_its_finding(screener, text, target, label):
    from extractor.evidence import doc_evidence

    rows = doc_evidence(screener.nlp(text), "P", "N", NOTE, screener.concepts, screener.section_flags, {})
    assert [bool(ev.details.get("field_label")) for ev in rows if ev.text == target] == [label]


@pytest.mark.parametrize("text, results", [
    # a generic name, a dash, then the same test named: the dash is no minus sign
    ("3. TB screening - QuantiFERON indeterminate (low mitogen). CXR clear.",
     [("TB screening", "indeterminate"), ("QuantiFERON", "indeterminate")]),
    # different tests in a row keep their own signs
    ("HBsAg - anti-HBc + anti-HBs 4 mIU/mL", [("HBsAg", "negative"), ("anti-HBc", "positive"), ("anti-HBs", None)]),
])
def test_a_test_named_twice_reads_one_result(screener, text, results):
    from extractor.evidence import doc_evidence

    rows = doc_evidence(screener.nlp(text), "P", "N", NOTE, screener.concepts, screener.section_flags, {})
    assert [(ev.text, ev.details.get("result")) for ev in rows] == results


@pytest.mark.parametrize("text, target, date_min", [
    # a mention in a bracket takes the bracket's next date, its own
    ("Lupus nephritis class III (A/C) + V, biopsy 14/09/2024 (class II in 2019).", "class II", "2019-01-01"),
    ("Respuesta parcial a la inducción (prednisona desde el 28/01/2025 y MMF desde abril).", "MMF", "2025-04-01"),
    # ... not past another mention: the date is the other drug's
    ("Inducción desde el 17/07/2024 (bolos de MP + MMF, cambiado a micofenolato sódico desde 10/09/2024).", "MP", "2024-07-17"),
])
def test_a_bracket_dates_its_mention(screener, text, target, date_min):
    from extractor.evidence import doc_evidence

    rows = doc_evidence(screener.nlp(text), "P", "N", date(2025, 6, 1), screener.concepts, screener.section_flags, {})
    assert [str(ev.date_min) for ev in rows if ev.text == target] == [date_min]
