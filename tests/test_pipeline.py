"""The pipeline as a whole: components, note-defined abbreviations, no per-token logging."""

import pytest


def test_components_in_order(nlp):
    assert nlp.pipe_names == ["ln_sentences", "ln_target_matcher", "abbreviation_detector",
                              "ln_abbreviation_targets", "medspacy_sectionizer", "medspacy_context"]


@pytest.mark.parametrize("text, short, concept", [
    ("She received belimumab (BLM) in 2023. BLM was stopped in 2024.", "BLM", "B_CELL_BIOLOGIC"),
    ("Cyclophosphamide (CPM) 500 mg IV in May. CPM repeated in June.", "CPM", "INDUCTION_AGENT"),
])
def test_note_defined_abbreviations_become_the_concept(screener, text, short, concept):
    from extractor.evidence import doc_evidence

    rows = doc_evidence(screener.nlp(text), "P", "N", None, screener.concepts, screener.section_flags, {})
    later = [ev for ev in rows if ev.text == short and ev.start > text.index(short)]
    assert later and later[0].concept == concept


def test_a_phrase_in_parentheses_is_not_an_abbreviation(screener):
    from extractor.evidence import doc_evidence

    text = "QuantiFERON-TB Gold Plus: no TB infection detected (negative). HIV negative, HBsAg negative."
    rows = doc_evidence(screener.nlp(text), "P", "N", None, screener.concepts, screener.section_flags, {})
    assert "negative" not in [ev.text for ev in rows]
    assert {ev.concept: ev.value for ev in rows}["HIV_TEST"] == "negative"


def test_digit_letter_split(nlp):
    assert [t.text for t in nlp.tokenizer("pred 60mg/d, 34yo F")][:3] == ["pred", "60", "mg"]


@pytest.mark.parametrize("text, words", [
    ("tipo b.", ["tipo", "b", "."]),          # an initial's period is a sentence's end here
    ("hepatitis B.", ["hepatitis", "B", "."]),
    ("e.g. this", ["e.g.", "this"]),
    ("U.S. citizen", ["U.S.", "citizen"]),
])
def test_a_letter_keeps_no_period(nlp, text, words):
    assert [t.text for t in nlp.tokenizer(text)] == words


@pytest.mark.parametrize("text, words", [
    ("d'abatacept", ["d'", "abatacept"]),           # French and Catalan elisions are words of their own
    ("N'allaite pas", ["N'", "allaite", "pas"]),
    ("l’usager", ["l’", "usager"]),
    ("O'Brien", ["O'Brien"]),                       # a name, not an elision
    ("don't", ["do", "n't"]),
])
def test_elisions_are_words(nlp, text, words):
    assert [t.text for t in nlp.tokenizer(text)] == words


def test_a_phrase_ending_in_a_letter_matches_before_a_full_stop(nlp):
    doc = nlp("Sin dosis de Haemophilus influenzae tipo b.")
    assert [(e.label_, e.text) for e in doc.ents] == [("VACCINE", "Haemophilus influenzae tipo b")]


def test_hl7_separators_split(nlp):
    words = [t.text for t in nlp.tokenizer("OBX|3|ST|HBSAG^Hepatitis B surface Ag^L||Nonreactive")]
    assert words[:9] == ["OBX", "|", "3", "|", "ST", "|", "HBSAG", "^", "Hepatitis"]
    assert {e.text: e.label_ for e in nlp("OBX|3|ST|HBSAG^Hepatitis B surface Ag^L||Nonreactive").ents}[
        "Hepatitis B surface Ag"] == "HBSAG"


def test_console_script_is_installed():
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    script = shutil.which("ln-screener") or str(Path(sys.executable).parent / "ln-screener")
    out = subprocess.run([script, "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "python -m extractor run" in out.stdout


def test_sentence_boundaries_reach_the_doc(nlp):
    doc = nlp("HPI: lupus.\nMEDS:\n- MMF 1 g BID\n- pred 5 mg. Next one.")
    assert [s.text.strip() for s in doc.sents] == ["HPI: lupus.", "MEDS:", "- MMF 1 g BID", "- pred 5 mg.", "Next one."]


@pytest.mark.parametrize("text, matched", [
    # a hard wrap or a run of spaces inside a sentence is read as one space
    ("Biopsy-proven lupus\nnephritis.", [("lupus\nnephritis", "SLE_DX")]),
    ("Biopsy-proven lupus   nephritis.", [("lupus   nephritis", "SLE_DX")]),
    ("Biopsy-proven lupus\u00a0nephritis.", [("lupus\u00a0nephritis", "SLE_DX")]),
    ("Known inflammatory\n   arthritis.", [("inflammatory\n   arthritis", "ACR_ITEM")]),
    # a blank line or a sentence break is not a gap
    ("Biopsy-proven lupus\n\nnephritis.", [("lupus", "SLE_DX"), ("nephritis", "ACR_ITEM")]),
    ("History: lupus\nNephritis clinic letter.", [("lupus", "SLE_DX"), ("Nephritis", "ACR_ITEM")]),
])
def test_phrases_match_across_gaps(nlp, text, matched):
    assert [(ent.text, ent.label_) for ent in nlp(text).ents] == matched


@pytest.mark.parametrize("text, trigger, category", [
    ("She wants\nto restart rituximab.", "wants\nto", "HYPOTHETICAL"),
    ("Doppler negative   for tuberculosis.", "negative   for", "NEGATED_EXISTENCE"),
])
def test_context_triggers_match_across_gaps(nlp, text, trigger, category):
    doc = nlp(text)
    found = [(doc[m.modifier_span[0]:m.modifier_span[1]].text, m.category) for m in doc.ents[0]._.modifiers]
    assert (trigger, category) in found


@pytest.mark.parametrize("text, word, section", [
    ("Familienanamnese: Mutter mit Lupus.\n", "Lupus", "family_history"),
    ("Antécédents familiaux : lupus chez la tante.\n", "lupus", "family_history"),
    ("Anamnesi familiare: lupus nella zia.\n", "lupus", "family_history"),
    ("Allergien: Abatacept (Exanthem).\n", "Abatacept", "allergies"),
    ("Allergieën: infliximab.\n", "infliximab", "allergies"),
    ("Antécédents :\n- lupus nephritis 2019\n", "lupus nephritis", "past_medical_history"),
    ("Terapia in atto:\n- CellCept 1000 mg\n", "CellCept", "medications"),
    ("Allergies (dossier): penicilline; adalimumab (Humira)\n", "adalimumab", "allergies"),   # a note in brackets
    ("- Allergies: penicillin; adalimumab\n", "adalimumab", "allergies"),   # a list bullet before the header
])
def test_european_section_headers(screener, text, word, section):
    from extractor.evidence import doc_evidence

    rows = doc_evidence(screener.nlp(text), "P", "N", None, screener.concepts, screener.section_flags, {})
    assert [ev.section for ev in rows if ev.text == word] == [section]


@pytest.mark.parametrize("text, target, negated", [
    ("Not on any study drug.", "on any study", True),                    # the trigger's "on" begins the target
    ("She is not taking part in any clinical trial.", "taking part in any clinical trial", True),
    ("No response to MMF.", "No response", False),                      # a trigger inside its target never applies
])
def test_trigger_sharing_a_word_with_its_target(screener, text, target, negated):
    from extractor.evidence import doc_evidence

    rows = doc_evidence(screener.nlp(text), "P", "N", None, screener.concepts, screener.section_flags, {})
    assert [ev.negated for ev in rows if ev.text == target] == [negated]


@pytest.mark.parametrize("pattern, expanded", [
    ([{"LOWER": {"IN": ["was", "is"]}}, {"LOWER": "not"}],
     [[{"LOWER": "was"}, {"LOWER": "not"}], [{"LOWER": "is"}, {"LOWER": "not"}]]),
    ([{"LOWER": {"IN": ["may", "might"]}, "OP": "?"}, {"LOWER": "rule"}],        # optional: left as it is
     [[{"LOWER": {"IN": ["may", "might"]}, "OP": "?"}, {"LOWER": "rule"}]]),
    ([{"LIKE_NUM": True}, {"LOWER": {"IN": ["dd"]}}], [[{"LIKE_NUM": True}, {"LOWER": "dd"}]]),
    ([{"LOWER": {"REGEX": "^d'"}}], [[{"LOWER": {"REGEX": "^d'"}}]]),             # not a set
    # past the cap, the start is written out and the later sets stay predicates
    ([{"LOWER": {"IN": ["is", "are"]}}, {"LOWER": {"IN": [str(i) for i in range(40)]}}],
     [[{"LOWER": "is"}, {"LOWER": {"IN": [str(i) for i in range(40)]}}],
      [{"LOWER": "are"}, {"LOWER": {"IN": [str(i) for i in range(40)]}}]]),
])
def test_set_predicates_written_out(pattern, expanded):
    from extractor.pipeline import expanded_pattern

    assert expanded_pattern(pattern) == expanded


def test_written_out_patterns_match_the_same(nlp):
    from spacy.matcher import Matcher

    from extractor.pipeline import expand_set_predicates

    text = "He was not seen. It is not clear whether she did not appear; cause for concern."
    doc = nlp.make_doc(text)
    before, after = Matcher(nlp.vocab), Matcher(nlp.vocab)
    patterns = [[{"LOWER": {"IN": ["was", "is", "did"]}}, {"LOWER": {"IN": ["not", "n't"]}}],
                [{"LOWER": {"IN": ["cause", "reason"]}}, {"LOWER": "for"}]]
    for i, p in enumerate(patterns):
        before.add(f"r{i}", [p])
        after.add(f"r{i}", [p])
    expand_set_predicates(after)
    assert len(after.get("r0")[1]) == 6
    assert after(doc) == before(doc)
