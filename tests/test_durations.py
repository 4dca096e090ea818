import pytest

from extractor.durations import find_durations


@pytest.mark.parametrize("text, expected", [
    ("edema for 6 weeks", [("6 weeks", "P6W")]),
    ("a 3-day course of steroids", [("3-day", "P3D")]),
    ("after 48 hours", [("48 hours", "PT48H")]),
    ("over the last two years", [("two years", "P2Y")]),
    ("MMF for three months, then 12 months of maintenance", [("three months", "P3M"), ("12 months", "P12M")]),
    ("several days of fever", [("several days", "PXD")]),
    ("3 months ago", []),                      # a date, not a duration
    ("a 34-year-old woman", []),               # an age
    ("a 33-year old man", []),
    ("two days later", []),                    # anchored to another event
])
def test_find_durations(text, expected):
    assert [(d.text, d.value) for d in find_durations(text)] == expected
