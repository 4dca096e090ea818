"""Ages, sexes and events dated by the patient's age at the time (extractor.demographics)."""

import pytest

from extractor.demographics import age_at_event


@pytest.mark.parametrize("after, before, expected", [
    (" a los 12 años.", "", (12, 12)),
    (" at 16; no other operations", "", (16, 16)),     # a bare age closing the event's clause
    (" at 16:00 today", "", None),                       # a time
    (" at 16 weeks", "", None),                          # a gestation
    (" de los 12 años", "", (12, 12)),
    (" at age 20 for ruptured appendix", "", (20, 20)),
    (" con 35 años de edad", "", (35, 35)),
    (" en la infancia", "", (0, 12)),
    (", as a child.", "", (0, 12)),
    (" in her teens", "", (12, 19)),
    ("", "A los 9 años, ", (9, 9)),
    (" 2016", "", None),
    (" con 35 mg", "", None),          # a dose, not an age
    (" at age 20/20 vision", "", None),
    (". A los 12 años", "", None),      # another sentence's age
])
def test_age_at_event(after, before, expected):
    assert age_at_event(after, before) == expected


@pytest.mark.parametrize("text, expected", [
    ("34-year-old female", (34, "F")),
    ("Varón de 52 años", (52, "M")),
    ("Varón de veintiocho años", (28, "M")),              # dictated, the number in words
    ("Mujer de cuarenta y cuatro años", (44, "F")),
    ("Mujer de 130 años", None),                          # implausible
])
def test_parse_age(text, expected):
    from extractor.demographics import parse_age

    assert parse_age(text) == expected
