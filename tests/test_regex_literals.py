"""required_literals: strings every match of a pattern contains."""

import re

import pytest

from extractor.regex_literals import prefix_literals, required_literals


@pytest.mark.parametrize("pattern, expected", [
    (r"\bbiopsy\b", {"biopsy"}),
    (r"\bRituximab", {"rituximab"}),
    (r"\b(?:kidney|renal)\b[^.\n]{0,40}?\bbiops(?:y|ies)\b", {"biopsy", "biopsies"}),
    (r"\bclass(?:es)?\s+IV\b", {"class", "classes"}),
    (r"\bclasse?s?\b", {"class", "classe", "classs", "classes"}),  # every spelling the pattern accepts
    (r"(?im)^[ \t]*(?:Family history|FHx)[ \t]*:", {"family history", "fhx"}),
    (r"\b(?-i:AIDS)\b", {"aids"}),
    (r"\b(?:influenza|flu)(?=\s+given)", {"influenza", "flu"}),
    (r"\d{1,3}\s*years?\s+old", {"year", "years"}),  # the most selective of the required runs
    (r"(?:ab){2}c", {"ababc"}),
])
def test_required_literals(pattern, expected):
    assert required_literals(pattern) == expected


@pytest.mark.parametrize("pattern", [r"\d+", r"[a-z]+", r"(?:abc)?\d", r"abc|\d+", r".*", r"(?:a|\d)b?"])
def test_patterns_that_can_match_without_a_literal_give_none(pattern):
    assert required_literals(pattern) is None


@pytest.mark.parametrize("pattern, text", [
    (r"\b(?:kidney|renal)\b[^.\n]{0,40}?\bbiops(?:y|ies)\b", "Renal core needle BIOPSIES were done"),
    (r"\bclass(?:es)?\s+(?:IV|V)\b", "ISN/RPS CLASSES IV"),
    (r"(?:enrolled|randomi[sz]ed)\s+(?:in|into)\s+(?:a\s+)?(?:trial|study)", "was Randomised into a study"),
])
def test_every_match_contains_a_required_literal(pattern, text):
    match = re.search(pattern, text, re.IGNORECASE)
    assert match
    assert any(literal in match.group().lower() for literal in required_literals(pattern))


@pytest.mark.parametrize("pattern, expected", [
    (r"\bgripe\b", {"gripe"}),
    (r"(?<!no )\b(?:start|stop)(?:ped)?\s+\w+", {"start", "stop", "startped", "stopped"}),
    (r"(?:(?<=\bvacunas: )|(?<=\bde la ))gripe\b|\bgripe(?=\s*\()", {"gripe"}),  # zero-width first
    (r"\b(?:(?:legal|court\s+appointed)\s+)?(?:guardian|conservator)", {"legal", "court", "guardian", "conservator"}),
    (r"\b(?-i:AIDS)\b", {"aids"}),
    (r"(?:ab){2}\d", {"abab"}),
    (r"(?im)^[ \t]*x:", {" ", "\t", "x:"}),  # an optional run: it or what follows it
])
def test_prefix_literals(pattern, expected):
    assert prefix_literals(pattern) == expected


@pytest.mark.parametrize("pattern", [r"\d+ mg", r"abc|\d+", r"(?:a\d)?\d", r"\w+ induced"])
def test_a_match_that_can_start_anywhere_gives_no_prefixes(pattern):
    assert prefix_literals(pattern) is None


@pytest.mark.parametrize("pattern, text", [
    (r"(?<!no )\b(?:start|stop)(?:ped)?\s+\w+", "Stopped MMF; no start date; started HCQ, stop stop it"),
    (r"\b(?:(?:final\s+)?(?:biopsy|path)\s+report|(?:awaiting|pending)\s+path)", "awaiting final biopsy report, pending path"),
    (r"(?<=\bde la )gripe\b|\bgripe(?=\s*\()", "vacuna de la gripe; gripe (2023); gripes"),
])
def test_trying_a_pattern_at_its_prefixes_finds_what_finditer_finds(pattern, text):
    from extractor.windows import _matches_at

    compiled = re.compile(pattern, re.IGNORECASE)
    lower = text.lower()
    starts = {i for literal in prefix_literals(pattern) for i in range(len(lower)) if lower.startswith(literal, i)}
    assert _matches_at(compiled, text, starts) == [m.span() for m in compiled.finditer(text)]
