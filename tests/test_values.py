"""Lab results, scores and demographics: plain functions, text -> value."""

import pytest

from extractor.demographics import age_on, parse_age, parse_sex
from extractor.lab_results import parse_lab_result
from extractor.scores import parse_score


@pytest.mark.parametrize("after, before, result, number", [
    (": non-reactive.", "", "negative", None),
    (" (anticuerpos) no reactivo; HBsAg no reactivo", "", "negative", None),  # no "pos" inside a word
    (": no reactiva. HBsAg: no reactivo.", "", "negative", None),  # "Prueba rápida VIH: no reactiva"
    (" (-), anti-HBc (+)", "", "negative", None),
    (" +", "", "positive", None),
    (" <10 mIU/mL", "", None, 10.0),
    (" 150 mIU/mL (immune)", "", None, 150.0),
    (" 12 mm induration", "", None, 12.0),
    (" ........ Non-reactive", "", "negative", None),
    (" Gold Plus: negative (05/2024)", "", "negative", None),
    (": POSITIVE", "", "positive", None),
    (" not detected", "", "negative", None),
    (" detected, 1.2 million copies/mL", "", "positive", None),
    (" indeterminate", "", "indeterminate", None),
    (" ordered.", "", "pending", None),
    (", HCV and HBsAg.", "Negative for ", "negative", None),
    (" was reactive", "", "positive", None),
    (" risk factors", "", None, None),
    (" Ag/Ab NR, HCV Ab NR", "", "negative", None),
    (" Gold Plus: no TB infection detected (negative)", "", "negative", None),
    (" was not included", "HIV, HBsAg and HCV antibody negative but the ", None, None),
    # words left untranslated in notes from German, French, Italian and Dutch hospitals
    (" nicht reaktiv, HCV-Ak nicht reaktiv", "", "negative", None),
    (" negativ (14.05.2024)", "", "negative", None),
    (" négatif", "", "negative", None),
    (" negatief (10-2-2022)", "", "negative", None),
    (" non reattivo", "", "negative", None),
    (" positif", "", "positive", None),
    (" nicht nachweisbar", "", "negative", None),
    (" indéterminé", "", "indeterminate", None),
    (" en cours", "", "pending", None),
    (" 85 IE/l", "", None, 85.0),
    # an aside about the sample before the result; an aside that holds the result is read
    (" (extracción 14/11/2024, validado 07/01/2025 tras repetir la muestra por coágulo): NEGATIVO.", "", "negative", None),
    (" (drawn on 3/4/2024 at the outside lab, reported two weeks later) positive", "", "positive", None),
    (" (negative) on 3/4/2024; repeat sent", "", "negative", None),
    # an HL7 v2 result segment: the value and its unit in their own fields
    ("^L||Nonreactive||Nonreactive|N|||F|||202409061702", "", "negative", None),
    (", quant^L||4|mIU/mL|>=10|L|||F|||202409061702", "", None, 4.0),
    # Catalan and Portuguese result words, whole words only ("sin anti-HBs protector; riesgo de reactivación")
    (": negatiu", "", "negative", None), (" no reactiu", "", "negative", None), (": positiu", "", "positive", None),
    (" não reativo", "", "negative", None), (" indeterminat", "", "indeterminate", None), (" pendent", "", "pending", None),
    (" protector; riesgo de reactivación", "", None, None),
    # a comparator in words: "anti-HBs below 10 mIU/mL" is under the cutoff, not 10
    (" below 10 mIU/mL, HBV DNA not detected", "", None, 10.0),
    # the test's own controls are no result
    (": result not reportable (positive control low) - indeterminate", "", "indeterminate", None),
    (": positive control adequate; negative", "", "negative", None),
    # a table row: the value cell, not the reference range after it; "TNP" is a test not performed
    (", QN | <3.1 | >=10 mIU/mL (immune) | L", "", None, 3.1),
    (", TOTAL | TNP | Non-Reactive |", "", "pending", None),
    (" | 245 mIU/mL | >10 |", "", None, 245.0),
    (", QUANT | 88 | >=10 mIU/mL |", "", None, 88.0),  # the row's unit is the value's
])
def test_lab_result(after, before, result, number):
    found = parse_lab_result(after, before)
    if result is None and number is None:
        assert found is None
    else:
        assert (found.result, found.number) == (result, number)


@pytest.mark.parametrize("after, value", [
    (" 4 -> 10 today", 10), (" 4 → 10", 10), (" score of 8 on 03/01/2024", 8), ("-2K: 12", 12),
    (" increased from 4 to 10", 10), (" (03/2024) 6", 6), (" was 2", 2), (" 2K 14", 14),
    ("-2K score 3/11", None), (" (08/04/2025): 8.", 8), (" was estimated to be 7 on admission", 7), (": 4 (03/12/2024) -> 14 (07/19/2024)", 14), (" has fallen from 16 at the time of the April flare to 10 today", 10), (" (12/02/2024): 16 (proteinuria 4, hematuria 4)", 16), (" not calculated", None), (" 250", None),
    ("-2K (today, 02/24/2025): hematuria 4 + proteinuria 4 + low complement 2 +\nincreased DNA binding 2 = 12.", 12),
    (": rash 2 + arthritis 4 = 6", 6), (" 4 + 2", 4),
    (": 10 in January -> 16 today", 16), (": 4 at the August review; 10 today", 10),
    (": 10 on 09/10/2024 -> 4 today", 4), (" 6; plan MMF", 6),
    ("-2K hoy: 8", 8), ("-2K al egreso: 4", 4),                        # Spanish
    (" que en enero era de cuatro ahora es de diez punto", 10), (" catorce punto", 14),  # dictated
    (": 4 in March, now it is 9", 9),
    ("-2K at admission (18/02/2025): 14 (proteinuria, hematuria, pyuria, low complement, anti-DNA).", 14),
    (" at discharge: 6", 6),
    (" del 10/04/2025: 12 (proteinuria 4, hematuria 4, hipocomplementemia 2, anti-DNA 2).", 12),
    (" >= 6 -- 12 on 04/15/2025 (prior 10 on 01/16/2025)", 12),
    ("-2K today: proteinuria 4, haematuria 4, pyuria (sterile) 4, rash 2, low complement 2, raised dsDNA 2 = 18.", 18),
    (" | Date: 02/11/2025 | Value: 10 | Components: proteinuria 4, hematuria 4, low complement 2", 10),  # a flowsheet row
    # a sequence whose earlier score carries its own date or a word: the last one is current
    (": 20 en octubre de 2024 → 8 el 17/03/2025.", 8), (": 16 at diagnosis (Dec 2024); today 12", 12),
    (": 16 al inicio de la inducción (11/11/2024) → 10 el 24/04/2025", 10),
    (": al diagnóstico (diciembre de 2024) 16; hoy 12 (proteinuria 4, hematuria 4)", 12),
    (" 6 2 weeks ago", 6), (" 16 en 2 semanas", 16), (": proteinuria 4, hematuria 4", None),
    (" en la visita de hoy: 12 (proteinuria 4, hematuria 4). En marzo era 4.", 12),
    ("-2K today: proteinuria 4 = 4.", 4), ("-2K hoje: 12", 12),        # a sum of one descriptor; Portuguese
    ("-2K al alta: 4 (solo proteinuria). En enero era de 16.", 4),   # the score at discharge
    ("-2K was 10 in June 2024 and is 4 today.", 4),                  # a dated old score, then today's
    # a table of items under the name, read at its total row
    ("-2K (27/05/2025)\n| Ítem | Puntos |\n|---|---|\n| Hematuria | 4 |\n| Proteinuria | 4 |\n| Úlceras mucosas | 2 |\n"
     "| TOTAL | 10 |\n(previos: 14 en 12/2024; 4 en 04/2025)", 10),
    ("-2K today:\n  proteinuria ........ 4\n  low complement ..... 2\n  TOTAL ............. 6\n", 6),
    (" 8 last visit.\n| Total proteins | 6.1 g/dL |", 8),
])
def test_score(after, value):
    found = parse_score(after)
    assert (found[0] if found else None) == value


@pytest.mark.parametrize("text, expected", [
    ("34-year-old female", (34, "F")), ("27 y/o F", (27, "F")), ("Age: 41", (41, None)),
    ("58-year-old man", (58, "M")), ("19 yo M", (19, "M")), ("150 year old", None),
    ("varón de 52 años", (52, "M")), ("Mujer de 26 años", (26, "F")), ("Homme de 52 ans", (52, "M")),
    ("paciente de 29 años", (29, None)),
])
def test_age(text, expected):
    assert parse_age(text) == expected


@pytest.mark.parametrize("text, sex", [("Sex: Female", "F"), ("Gender: M", "M"), ("Sexo: mujer", "F"), ("Sex: unknown", None)])
def test_sex(text, sex):
    assert parse_sex(text) == sex


def test_age_on_birthday_boundary():
    from datetime import date

    assert age_on(date(2006, 11, 25), date(2024, 11, 24)) == 17
    assert age_on(date(2006, 11, 25), date(2024, 11, 25)) == 18


@pytest.mark.parametrize("text, mention, dose", [
    ("prednisone 60 mg PO daily", "prednisone", "60 mg/day oral"),
    ("Plan: taper prednisone to 50 mg; re-check in 4 wk.", "prednisone", None),     # a target, not today's dose
    ("increase MMF to 1.5 g BID next visit", "MMF", None),
    ("prednisone tapered to 10 mg daily", "prednisone", "10 mg/day"),               # done: the current dose
    ("T. CellCept (MMF) 1500mg BD", "MMF", "1500 mg x2/day = 3000 mg/day"),
    # a route named before the drug holds for its dose
    ("Bolos MP 500 mg los días 13, 14 y 15/1", "MP", "500 mg iv"),
    ("IV methylprednisolone 500 mg x3", "IV methylprednisolone", "500 mg iv"),
    # a threshold is no dose
    ("Para el ensayo preocupan: dosis de MMF por encima de 2,5 g/día.", "MMF", None),
    ("prednisone > 1 mg/kg is not allowed", "prednisone", None),
    ("MMF titrated up to 3 g/day", "MMF", "3000 mg"),
    # tablets counted after a dash, Spanish and Portuguese "de 12/12 h"
    ("CellCept 500 mg - 3 cp de 12/12 h", "CellCept", "1500 mg x2/day = 3000 mg/day oral"),
    ("MYCOPHENOLATE MOFETIL 500MG TAB - TAKE THREE TABLETS BY MOUTH TWICE A DAY", "MYCOPHENOLATE MOFETIL",
     "1500 mg x2/day = 3000 mg/day oral"),
    # a tablet's strength, then its schedule in words
    ("Dispensación: CellCept 500 mg comp, pauta prescrita 1.500 mg/12h = 3 g/día.", "CellCept", "1500 mg x2/day = 3000 mg/day oral"),
    ("Myfortic 360 mg tab; sig: 720 mg BID", "Myfortic", "720 mg x2/day = 1440 mg/day oral"),
    ("CellCept 500 mg comp; next visit 1000 mg bid", "CellCept", "500 mg oral"),
    # a pack count, then the schedule's dose in brackets
    ("Dispensación: micofenolato de mofetilo 500 mg comp, 180 comp (1.500 mg c/12h).", "micofenolato de mofetilo",
     "1500 mg x2/day = 3000 mg/day oral"),
])
def test_dose_reader(text, mention, dose):
    from extractor.values import Mention, read_dose

    start = text.index(mention)
    found = read_dose(Mention(text, start, start + len(mention), 0, len(text), len(text), None))
    assert (found[0] if found else None) == dose


@pytest.mark.parametrize("note, dob", [
    ("geb. 03.04.1990", "1990-04-03"),                                  # dotted: day-first
    ("Letter 25/03/2024. DOB 03/04/1990", "1990-04-03"),                # the note is day-first
    ("Seen 03/25/2024. DOB 03/04/1990", "1990-03-04"),
])
def test_birth_date_reads_the_note_order(note, dob):
    from extractor.values import Mention, read_dob

    start = note.index("03.04" if "03.04" in note else "DOB")
    found = read_dob(Mention(note, start - (5 if "geb" in note else 0), len(note), 0, len(note), len(note), None))
    assert found[1]["birth_date"] == dob


@pytest.mark.parametrize("text, result, number", [
    # a report's test line, then its result lines: the interpretation's word and the induration's size
    ("TUBERCULIN SKIN TEST (Mantoux, 5 TU PPD)\nPlaced: 08/20/2025 10:15 L volar forearm\n"
     "Read:   08/22/2025 10:40 (48 h)\nInduration: 4 mm   Erythema: 9 mm\n"
     "Interpretation (immunosuppressed, cutoff 5 mm): NEGATIVE\n", "negative", 4.0),
    ("PPD placed 8/20\nInduration: 12 mm\n", None, 12.0),
    ("QuantiFERON-TB Gold Plus\nResult: POSITIVE\n\nInterpretation: negative\n", "positive", None),  # not past a blank line
])
def test_result_lines_under_a_test(screener, text, result, number):
    from datetime import date
    [(_, rows)] = list(screener.note_evidence([("N", "P", date(2025, 8, 22), text)]))
    first = next(ev for ev in rows if ev.concept in ("TST", "IGRA"))
    assert (first.details.get("result"), first.details.get("number")) == (result, number)


@pytest.mark.parametrize("after, comparator", [
    (" below 10 mIU/mL", "<"), (" less than 10 mIU/mL", "<"), (" inferior a 10 mUI/mL", "<"), (" < 10 mIU/mL", "<"),
    (" above 1000 IU/mL", ">"), (" 250 mIU/mL", None),
])
def test_lab_comparator_in_words(after, comparator):
    assert parse_lab_result(after).comparator == comparator


@pytest.mark.parametrize("text, score", [
    ("SLEDAI-2K (27/05/2025)\n| Ítem | Puntos |\n|---|---|\n| Hematuria | 4 |\n| Proteinuria | 4 |\n| TOTAL | 8 |\n", 8),
    ("SLEDAI-2K:\n  proteinuria ........ 4\n  TOTAL ............. 4\n", 4),
    ("SLEDAI-2K WORKSHEET (12/03/2025)\n- Proteinuria  4\n- Haematuria   4\n- Low complement 2\nTOTAL = 10   (was 4 on 03/12/2024)\n", 10),
    ("SLEDAI-2K not scored today.\n| Total | 12 |\n", None),  # not a heading: the table is not its
])
def test_score_heading_over_its_table(text, score):
    from extractor.values import Mention, read_score

    end = len("SLEDAI-2K")
    sent_end = text.index("\n") + 1
    found = read_score(Mention(text, 0, end, 0, sent_end, sent_end, None))
    assert (found[1]["number"] if found else None) == score
