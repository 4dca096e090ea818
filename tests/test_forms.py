"""Tick-box forms: the answer a row gives its topic, and what that adds to the evidence."""

import pytest

from extractor.forms import form_answer
from extractor.rules import patterns_dir, validate_form_rules_file

EXAMPLES = validate_form_rules_file(patterns_dir() / "form_rules.json")["examples"]


def _answer(text, mention):
    at = text.index(mention)
    found = form_answer(text, at, at + len(mention))
    return found.answer if found else None


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda ex: ex["text"][:40])
def test_form_rule_examples(example):
    assert _answer(example["text"], example["mention"]) == example["answer"]


@pytest.mark.parametrize("text, mention, answer", [
    # option words after or before the boxes, in English and Spanish, with the marks exports leave
    ("Breastfeeding:                   [ ] Yes  [X] No", "Breastfeeding", "no"),
    ("Are you breastfeeding?       (x) Yes   ( ) No     baby is 5 months", "breastfeeding", "yes"),
    ("Lactancia materna ................................ [ ] Sí  [X] No", "Lactancia materna", "no"),
    ("Trasplante previo ........ ☐ Sí  ☒ No", "Trasplante", "no"),
    ("Prior TB:  Yes _X_  No ___", "TB", "yes"),
    ("Organ transplant recipient?         Yes [ ]  No [x]", "Organ transplant", "no"),
    ("Organ transplant recipient?         Yes [ ]  No [ ]", "Organ transplant", "blank"),
    ("Research study right now?   Y / N:  Y", "Research study", "yes"),
    ("Hepatitis ....... S / N: N", "Hepatitis", "no"),
    # columns under a header, read by position; the header may sit above other rows
    ("VACUNAS        Sí    No    Programada   Fecha\nGripe          [ ]   [ ]   [X]          10/2024", "Gripe", "planned"),
    ("Criterion                  (Y)   (N)   (U)   Comment\nE8 Transplant              [ ]   [X]   [ ]\nE9 HIV       "
     "                  [ ]   [ ]   [X]", "HIV", "unsure"),
    ("SEROLOGÍAS      Positivo   Negativo   Pendiente\nHBsAg           [ ]        [X]        [ ]", "HBsAg", "no"),
    ("A9  Have you ever had cancer?       Yes    No\nA10 Transplant?                     ☐      ☒", "Transplant", "no"),
    # not a form's topic: prose, the comment after the boxes, a later cell
    ("She denies any transplant history.", "transplant", None),
    ("HTA           [X]   [ ]    losartán + amlodipino", "losartán", None),
    ("Mother had breast cancer [x] per intake.", "breast cancer", None),
    ("Pregnancy test [ ] Yes [X] No; lactation N/A", "lactation", None),
    ("Contraception                                    N/A - male", "Contraception", "not_applicable"),
    # an answer written in the cell after a dot leader, a colon or a column gap
    ("Hx of organ transplant ................ N", "organ transplant", "no"),
    ("Household TB contact .................. Y  (brother, treated 1998)", "TB", "yes"),
    ("HIV:  Negative", "HIV", "no"),
    ("Cancer: no hx of cancer", "Cancer", None),
    ("Lupus nephritis: biopsy 2023", "Lupus nephritis", None),
    # a date or a mark under a column, without boxes
    ("SCHEDULING                  Completed      Scheduled\nBelimumab dose 1                           11/04/2024",
     "Belimumab", "planned"),
    ("VACCINE          Given     Not given\nHib              X", "Hib", "done"),
    ("Test             Result    Date\nHBsAg            neg       11/04/2024", "HBsAg", None),
    # a status word in a later cell of a table row; a result word there may be a reference range
    ("Pneumococcal conj 20-valent (Prevnar 20)  11/15/2024   Administered   LL4471", "Prevnar 20", "done"),
    ("03/07/2024   | Belimumab IV     | 610 mg  | Anulado  | Suspendida por infección", "Belimumab IV", "not_done"),
    ("Mycophenolate mofetil    500 mg BID    Discontinued    2019", "Mycophenolate mofetil", "stopped"),
    ("Haemophilus influenzae type b (Hib)       --            Due - no dose ever recorded", "Hib", "planned"),
    ("QuantiFERON-TB Gold Plus| Indeterminate |        | Negative       | A", "QuantiFERON-TB Gold Plus", None),
    # a row label wrapped over two lines takes the boxes of the second
    ("                  Sí   No\nBiológicos previos (anti-TNF, abatacept,\n  anti-CD20, belimumab u otros)   [ ]  [X]",
     "abatacept", "no"),
])
def test_form_answer(text, mention, answer):
    assert _answer(text, mention) == answer


@pytest.mark.parametrize("text, concept, flags, result", [
    ("Organ transplant recipient:      [ ] Yes  [X] No\n", "SOLID_ORGAN_TRANSPLANT", {"negated": True}, None),
    ("                   Yes    No    Not sure\nTuberculosis       [ ]    [ ]    [X]\n", "TB_DISEASE", {"uncertain": True}, None),
    ("TRATAMIENTOS PREVIOS        Sí   No\nRituximab                   [ ]  [ ]\n", "B_CELL_BIOLOGIC", {"field_label": True}, None),
    ("SEROLOGÍAS      Positivo   Negativo   Pendiente\nHBsAg           [ ]        [X]        [ ]\n", "HBSAG", {}, "negative"),
    ("                 Sí   No\nHBsAg positivo   [ ]  [X]\n", "HBSAG", {}, "negative"),
    ("                       Sí    No\nAnti-HBs >= 10 mUI/mL  [ ]   [X]     4 mUI/mL\n", "HBSAB", {}, "negative"),
    ("26/08/2024 | Serología VIH 1/2 (Ag/Ac)   | Realizada   | No reactivo\n", "HIV_TEST", {}, "negative"),
])
def test_form_answers_reach_the_evidence(screener, text, concept, flags, result):
    [(_, rows)] = list(screener.note_evidence([("N", "P", None, text)]))
    ev = next(ev for ev in rows if ev.concept == concept)
    for flag, value in flags.items():
        assert (ev.details.get(flag) if flag == "field_label" else getattr(ev, flag)) == value
    if result:
        assert ev.details.get("result") == result
    assert "form_answer" in ev.details


def test_a_ticked_screening_is_done_not_positive(screener):
    """'[X] HBV/HCV screening within 12 mo': the screening was done; a ticked bare name is positive."""
    text = "Checklist:\n  [X] HBV/HCV screening within 12 mo\n  [X] Anti-HBc total\n"
    [(_, rows)] = list(screener.note_evidence([("N", "P", None, text)]))
    hcv = next(ev for ev in rows if ev.concept == "HCV_TEST")
    hbc = next(ev for ev in rows if ev.concept == "HBCAB")
    assert (hcv.details.get("result"), hbc.details.get("result")) == (None, "positive")
