"""The criteria file loads safely, and deliberately broken ones (tests/data/broken_criteria/)
are rejected with the file, the criterion and the reason."""

from pathlib import Path

import pytest

from extractor.criteria import CriteriaError, load_criteria
from extractor.rules import target_rule_files, validate_target_file

BROKEN = Path(__file__).parent / "data" / "broken_criteria"
KNOWN = {r["category"] for p in target_rule_files() for r in validate_target_file(p)["target_rules"]}
IDS = ["adult", "sle_acr", "ln_biopsy_recent", "induction_nonresponse", "sledai_2k_ge6", "contraception",
       "vaccinations", "immunosuppression_over_limit", "b_cell_biologic_12mo", "abatacept_12mo",
       "tnf_inhibitor_12mo", "immunoglobulin_12mo", "acei_arb_change_2mo", "investigational_agent_3mo",
       "investigator_opinion", "transplant", "viral_serology", "tuberculosis", "cancer_history",
       "major_surgery_6mo", "lactating", "legal_incapacity"]


def test_packaged_criteria_cover_the_22_ids_of_criteria_md():
    criteria = load_criteria(known_concepts=KNOWN)
    assert list(criteria.criteria) == IDS
    assert [c for c in IDS if criteria.is_core(c)] == IDS[:5]


@pytest.mark.parametrize("name, message", [
    ("unknown_rule.yaml", "criteria.adult: unknown rule 'age_above'"),
    ("bad_window.yaml", "criteria.ln_biopsy_recent: window_days"),
    ("unknown_key.yaml", "criteria.sledai_2k_ge6: max_value: Extra inputs are not permitted"),
    ("unknown_concept.yaml", "criteria.abatacept_12mo: concepts ['ABATACEPTT'] are defined by no pattern file"),
    ("not_yaml.yaml", "not valid YAML"),
    ("python_tag.yaml", "not valid YAML"),          # safe_load: no code execution
    ("missing.yaml", "criteria file not found"),
])
def test_broken_criteria_rejected(name, message):
    with pytest.raises(CriteriaError) as err:
        load_criteria(BROKEN / name, known_concepts=KNOWN)
    assert name in str(err.value)
    assert message in str(err.value)
