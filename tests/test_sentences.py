import pytest

from extractor.sentences import sentence_spans


@pytest.mark.parametrize("text, expected", [
    ("One. Two.", ["One. ", "Two."]),
    ("HPI: lupus.\nMEDS:\n- MMF 1 g BID\n- pred 5 mg", ["HPI: lupus.\n", "MEDS:\n", "- MMF 1 g BID\n", "- pred 5 mg"]),
    ("Seen by Dr. Smith today. Stable.", ["Seen by Dr. Smith today. ", "Stable."]),
    ("INFORME AP (bx renal 03/10/2024, ref. B24-1877): CLASE IV. Estable.", ["INFORME AP (bx renal 03/10/2024, ref. B24-1877): CLASE IV. ", "Estable."]),
    ("Hib: se ofrece; el pac. la rechaza. Gripe puesta.", ["Hib: se ofrece; el pac. la rechaza. ", "Gripe puesta."]),
    ("Renal biopsy showed class IV\nlupus nephritis with crescents.", ["Renal biopsy showed class IV\nlupus nephritis with crescents."]),
    ("e.g. MMF or CYC. Next.", ["e.g. MMF or CYC. ", "Next."]),
    ("Labs\r\nHBsAg negative\r\n", ["Labs\r\n", "HBsAg negative\r\n"]),
    # a form flattened onto one line: a run of spaces before a second field label ends a sentence
    ("Period:  {Not Entered}  Menstrual History:  POST-MENOPAUSAL",
     ["Period:  {Not Entered}  ", "Menstrual History:  POST-MENOPAUSAL"]),
    ("MEASUREMENTS:  *** Not Obtainable ***   REFERRING DIAGNOSIS: chest pain",
     ["MEASUREMENTS:  *** Not Obtainable ***   ", "REFERRING DIAGNOSIS: chest pain"]),
    ("SLEDAI-2K   Score: 12", ["SLEDAI-2K   Score: 12"]),  # one label: a table row
    ("Doppler negative   for DVT at 10:30  today", ["Doppler negative   for DVT at 10:30  today"]),
    ("HBsAg ........ Non-reactive\nAnti-HBs .... 3 mIU/mL", ["HBsAg ........ Non-reactive\n", "Anti-HBs .... 3 mIU/mL"]),
    # a line ending in a word or sign that cannot end a sentence was hard-wrapped
    ("Uses condoms only, no hormonal or\nIUD.", ["Uses condoms only, no hormonal or\nIUD."]),
    ("hematuria 4 + proteinuria 4 +\nDNA binding 2 = 10", ["hematuria 4 + proteinuria 4 +\nDNA binding 2 = 10"]),
    ("Meds:\nMMF 1 g BID\nPred 5 mg", ["Meds:\n", "MMF 1 g BID\n", "Pred 5 mg"]),
    ("- HTN\nCKD 3", ["- HTN\n", "CKD 3"]),
    ("Discussed about Inj. Reditux as add-on. Tab. Wysolone 40 mg OD.", ["Discussed about Inj. Reditux as add-on. ", "Tab. Wysolone 40 mg OD."]),
    ("Last dose of study medication taken\n14/02/2025; withdrawn.", ["Last dose of study medication taken\n14/02/2025; withdrawn."]),
    ("Plan\n2 tabs daily", ["Plan\n", "2 tabs daily"]),
    # a table row starts a row of its own, whatever the line before it ends with
    ("   comment: low mitogen response - recommend repeat\nQuantiFERON-TB Gold Plus     Negative     11/08/2024",
     ["   comment: low mitogen response - recommend repeat\n", "QuantiFERON-TB Gold Plus     Negative     11/08/2024"]),
    ("IVIG (Gammunex-C)   ITP   Plt response, then HCQ/AZA\nadalimumab (Humira)   hidradenitis   2019 - 06/2021",
     ["IVIG (Gammunex-C)   ITP   Plt response, then HCQ/AZA\n", "adalimumab (Humira)   hidradenitis   2019 - 06/2021"]),
    # a hanging indent continues its entry; an indented list item stands alone
    ("Belimumab (Benlysta) 400 mg IV\n   First administration 20/07/2020, last 08/03/2024.\nRituximab 1 g",
     ["Belimumab (Benlysta) 400 mg IV\n   First administration 20/07/2020, last 08/03/2024.\n", "Rituximab 1 g"]),
    ("MEDICATIONS\n  - MMF 1 g BID\n  - Pred 5 mg", ["MEDICATIONS\n", "  - MMF 1 g BID\n", "  - Pred 5 mg"]),
    # punctuation spoken into a dictation is a stop only in a note dictated so ('new paragraph')
    ("ANA 1 to 320 and alopecia period anti DNA has been negative period new paragraph Plan colon labs",
     ["ANA 1 to 320 and alopecia period ", "anti DNA has been negative period new paragraph ", "Plan colon labs"]),
    ("Menstrual period 2 weeks ago, no rash.", ["Menstrual period 2 weeks ago, no rash."]),
    ("sedimento con diez hematíes punto respuesta parcial punto pero tiene artritis punto y aparte plan",
     ["sedimento con diez hematíes punto ", "respuesta parcial punto ", "pero tiene artritis punto y aparte ", "plan"]),
    ("estaba a punto de iniciar rituximab punto y aparte", ["estaba a punto de iniciar rituximab punto y aparte"]),
    ("rash for a period of two weeks period new paragraph labs", ["rash for a period of two weeks period new paragraph ", "labs"]),
    # prose hard-wrapped at a fixed width (three or more lines near the longest) goes on with any
    # word; one long line alone, a table row or a list item after it does not
    ("   Your kidney numbers are better this month and the swelling should keep going down, as expected.\n   We'll repeat a TB blood test (T-SPOT) once your prednisone is lower. No symptoms of active\n   TB from what you describe, but do call us if you get fevers, night sweats or a bad cough.",
     ['   Your kidney numbers are better this month and the swelling should keep going down, as expected.\n', "   We'll repeat a TB blood test (T-SPOT) once your prednisone is lower. ", 'No symptoms of active\n   TB from what you describe, but do call us if you get fevers, night sweats or a bad cough.']),
    ("Patient doing well overall with decreased swelling in both legs and no rash\nPrednisone 10 mg daily", ["Patient doing well overall with decreased swelling in both legs and no rash\n", "Prednisone 10 mg daily"]),
    ("HBcAb total | REACTIVE | A |            | Non-reactive          | 11/26/2024 08:12\nHBsAb | 212",
     ["HBcAb total | REACTIVE | A |            | Non-reactive          | 11/26/2024 08:12\n", "HBsAb | 212"]),
    # ... measured on prose lines: a longer table row elsewhere in the note is no wrap width
    ("Influenza, trivalent, PF (2024-2025) | FLUZONE TRIVALENT / UT8392JA | 0.5 mL | IM / L deltoid | given by RN\n\n"
     "persistently active nephritis and rising proteinuria - partial response at best,\n"
     "no further improvement since August. Options discussed at length: add belimumab\n"
     "(Benlysta) vs voclosporin vs referral for research protocols. She prefers to try\n"
     "Benlysta first; prior auth submitted today.",
     ["Influenza, trivalent, PF (2024-2025) | FLUZONE TRIVALENT / UT8392JA | 0.5 mL | IM / L deltoid | given by RN\n", "\n",
      "persistently active nephritis and rising proteinuria - partial response at best,\nno further improvement since August. ",
      "Options discussed at length: add belimumab\n(Benlysta) vs voclosporin vs referral for research protocols. ",
      "She prefers to try\nBenlysta first; prior auth submitted today."]),
    # a line ending in a verb still waiting for its object goes on: "se le ofrecen\nDIU o implante"
    ("Se le ofrecen\nDIU o implante; lo pensará.", ["Se le ofrecen\nDIU o implante; lo pensará."]),
    # "H." before a capital is a hospital's abbreviation; "24 h." and "hepatitis B." end sentences
    ("Ingresada en el H. Infanta Leonor: recibió IgIV. Plaquetas bien.",
     ["Ingresada en el H. Infanta Leonor: recibió IgIV. ", "Plaquetas bien."]),
    ("Proteinuria 3 g/24 h. Inicia MMF.", ["Proteinuria 3 g/24 h. ", "Inicia MMF."]),
    ("HEMATURIA AUTOLIMITADA EN 12 H. INFORME AP: NL CLASE IV.", ["HEMATURIA AUTOLIMITADA EN 12 H. ", "INFORME AP: NL CLASE IV."]),
    ("", []),
])
def test_sentence_spans(text, expected):
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == expected


@pytest.mark.parametrize("text", ["A. B. C.\n\nD", "x" * 50, "a\nb\nc.", "  lead. Trail  "])
def test_spans_cover_text_contiguously(text):
    spans = sentence_spans(text)
    assert "".join(text[s:e] for s, e in spans) == text
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


def _sentence_rule_examples():
    from extractor.rules import patterns_dir, validate_sentence_file

    return validate_sentence_file(patterns_dir() / "sentence_rules.json")["examples"]


@pytest.mark.parametrize("example", _sentence_rule_examples(), ids=lambda e: e["text"][:30])
def test_sentence_rule_file_examples(example):
    spans = sentence_spans(example["text"])
    assert [example["text"][s:e] for s, e in spans] == example["sentences"]
