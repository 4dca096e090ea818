"""Context flag names and reading flag cells back from any table."""

import math

import pytest

from extractor.flags import CONTEXT_FLAGS, is_true


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), ("True", True), ("False", False), (" true ", True), ("false", False),
    ("1", True), ("0", False), ("yes", True), ("", False), (None, False), (math.nan, False), (1, True), (0, False),
])
def test_is_true(value, expected):
    assert is_true(value) is expected


def test_the_evidence_sets_exactly_these_flags():
    from extractor.evidence import EVIDENCE_COLUMNS, _MODIFIER_FLAGS

    assert set(_MODIFIER_FLAGS.values()) == set(CONTEXT_FLAGS) <= set(EVIDENCE_COLUMNS)
