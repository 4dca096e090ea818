"""Every pattern file's documented examples, checked through the real pipeline, and the
rejection of deliberately broken rule files (tests/data/broken_rules/)."""

import json
from pathlib import Path

import pytest

from extractor.rules import (
    RuleFileError, target_examples, target_rule_files, validate_context_file, validate_section_file,
    validate_date_rules_file, validate_form_rules_file, validate_sentence_file, validate_target_file,
)

BROKEN = Path(__file__).parent / "data" / "broken_rules"
CATEGORIES = {p.name: {r["category"] for r in validate_target_file(p)["target_rules"]} for p in target_rule_files()}
EXAMPLES = target_examples()


def test_every_target_file_has_examples():
    files_with_examples = {ex.file for ex in EXAMPLES}
    assert files_with_examples == set(CATEGORIES)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda ex: f"{ex.file}:{ex.text[:40]}")
def test_target_file_examples(nlp, example):
    doc = nlp(example.text)
    found = [(e.label_, e.text) for e in doc.ents if e.label_ in CATEGORIES[example.file]]
    assert found == list(example.matches)


def test_packaged_context_and_section_files_are_valid():
    from extractor.rules import patterns_dir

    assert validate_context_file(patterns_dir() / "context_rules.json")["context_rules"]
    assert validate_section_file(patterns_dir() / "section_rules.json")["section_rules"]


@pytest.mark.parametrize("name, validator, message", [
    ("bad_regex.json", validate_target_file, "target_rules[1] (literal 'broken regex'): pattern is not a valid regular expression"),
    ("unknown_key.json", validate_target_file, "target_rules[0] (literal 'rituximab'): unknown keys ['synonyms']"),
    ("lower_category.json", validate_target_file, "target_rules[0] (literal 'belimumab'): category 'b_cell'"),
    ("not_json.json", validate_target_file, "not valid JSON"),
    ("duplicate_literal.json", validate_target_file, "target_rules[1] (literal 'Rituxan'): literal repeats target_rules[0]"),
    ("no_list.json", validate_target_file, 'expected an object with a "target_rules" list'),
    ("bad_direction.json", validate_context_file, "context_rules[0] (literal 'denies'): direction must be one of"),
    ("duplicate_trigger.json", validate_context_file, "context_rules[1] (literal 'To rule out'): literal repeats context_rules[0]"),
    ("pattern_shadows_literal.json", validate_context_file,
     "context_rules[1] (literal 'resolved <infection>'): its one-word pattern matches 'resolved', the literal of context_rules[0]"),
    ("bad_section.json", validate_section_file, "section_rules[0] (literal 'Allergies'): category 'Allergies'"),
    ("bad_section_context.json", validate_section_file, "section_context['message_subject']: expected true/false for keys among"),
    ("bad_keep_accents.json", validate_context_file, "keep_accents must be a list of strings"),
    ("bad_date_rules.json", validate_date_rules_file, "document_date_words[1] (' signed out'): expected a word or phrase"),
    ("bad_sentence_rules.json", validate_sentence_file, "open_line_ends.words[1] ('or else'): expected one word or sign"),
    ("bad_form_rules.json", validate_form_rules_file, "unsure_words[1] ('no'): already in no_words"),
    ("upper_form_rules.json", validate_form_rules_file, "yes_words[0] ('Yes'): expected lower case"),
    ("bad_status_words.json", validate_form_rules_file, "status_words[1] ('archived'): not in any answer list"),
    ("bad_result_words.json", validate_form_rules_file, "result_words.positive[0] ('detected'): not in any answer list"),
])
def test_broken_rule_files_are_rejected_with_file_and_entry(name, validator, message):
    with pytest.raises(RuleFileError) as err:
        validator(BROKEN / name)
    assert name in str(err.value)
    assert message in str(err.value)


@pytest.mark.parametrize("text, plain", [
    ("refusée", "refusee"), ("mycophénolate mofétil", "mycophenolate mofetil"), ("Jänner", "Janner"), ("rituximab", "rituximab"),
])
def test_unaccented(text, plain):
    from extractor.rules import unaccented

    assert unaccented(text) == plain


@pytest.mark.parametrize("text, spellings", [
    ("kein Anhalt für", ["kein Anhalt fur", "kein Anhalt fuer"]), ("Größe", ["Grosse", "Groesse"]),
    ("refusée", ["refusee"]), ("rituximab", []),
])
def test_plain_spellings(text, spellings):
    from extractor.rules import plain_spellings

    assert plain_spellings(text) == spellings


@pytest.mark.parametrize("text, spellings", [
    ("antecedentes oncológicos", ["antecedentes oncol?gicos", "antecedentes oncolÃ³gicos"]),
    ("años", ["a?os", "aÃ±os"]), ("rituximab", []),
    ("ó", []), ("tía", []),   # a short word would become a bare question mark or close to it
])
def test_damaged_spellings(text, spellings):
    from extractor.rules import damaged_spellings

    assert damaged_spellings(text) == spellings


@pytest.mark.parametrize("text, target", [
    ("NIEGA ANTECEDENTES ONCOL?GICOS PERSONALES", "ANTECEDENTES ONCOL?GICOS"),
    ("Mujer con nefropatÃ­a lÃºpica clase IV.", "nefropatÃ­a lÃºpica"),
])
def test_a_lost_encoding_still_matches(screener, text, target):
    assert target in [e.text for e in screener.nlp(text).ents]


def test_accented_phrase_rules_also_match_without_accents(tmp_path):
    from extractor.rules import load_context_rules

    path = tmp_path / "context.json"
    path.write_text(json.dumps({"context_rules": [
        {"literal": "refusée", "category": "NEGATED_EXISTENCE", "direction": "BIDIRECTIONAL"},
        {"literal": "proposée", "category": "HYPOTHETICAL", "direction": "BIDIRECTIONAL"},
        {"literal": "proposee", "category": "HYPOTHETICAL", "direction": "FORWARD"},   # the file's own spelling wins
        {"literal": "mère", "category": "FAMILY", "direction": "FORWARD"},            # "mere" is English
    ], "keep_accents": ["mère"]}), encoding="utf-8")
    rules = {(r.literal, r.direction) for r in load_context_rules(path)}
    assert rules == {("refusée", "BIDIRECTIONAL"), ("refusee", "BIDIRECTIONAL"), ("proposée", "BIDIRECTIONAL"),
                     ("proposee", "FORWARD"), ("mère", "FORWARD"),
                     # what an export that lost its encoding leaves is no English word: kept for all
                     ("refus?e", "BIDIRECTIONAL"), ("refusÃ©e", "BIDIRECTIONAL"), ("propos?e", "BIDIRECTIONAL"),
                     ("proposÃ©e", "BIDIRECTIONAL"), ("m?re", "FORWARD"), ("mÃ¨re", "FORWARD")}


def test_every_phrase_context_rule_can_fire(nlp):
    """medSpaCy keeps one of two triggers over the same words, the token pattern before the phrase
    (and a default before the project's rule): a phrase rule that a pattern also covers never fires.
    Each phrase rule of the file, read alone, must be the trigger found ('denied' BACKWARD lost
    every tie to the default FORWARD 'deny' pattern, so 'history of malignancy denied' stayed asserted)."""
    from extractor.rules import patterns_dir

    data = validate_context_file(patterns_dir() / "context_rules.json")
    hidden = []
    for entry in data["context_rules"]:
        if entry.get("pattern") is not None:
            continue
        doc = nlp(entry["literal"])
        graph = doc._.context_graph
        whole = [m for m in (graph.modifiers if graph else []) if m.modifier_span == (0, len(doc))]
        if not whole or (whole[0].rule.literal, whole[0].category) != (entry["literal"], entry["category"]):
            hidden.append((entry["literal"], [(m.rule.literal, m.category) for m in whole]))
    assert hidden == []
