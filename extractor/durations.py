"""Durations as written in clinical text ("6 weeks", "for three months", "a 3-day course",
"48 hours", "the last two years"), normalised to ISO 8601 periods (P6W, P3M, P3D, PT48H, P2Y).

Relative dates ("3 months ago") are dates, not durations, and are left to :mod:`extractor.dates`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .numbers import NUMBER_WORDS

__all__ = ["Duration", "find_durations"]

_WORDS = {"a": 1, "an": 1, **NUMBER_WORDS, "several": None, "few": None, "couple": 2}
_UNITS = {"minute": "TM", "min": "TM", "hour": "TH", "hr": "TH", "h": "TH", "day": "D", "week": "W", "wk": "W",
          "month": "M", "mo": "M", "year": "Y", "yr": "Y", "y": "Y"}
_NUMBER = r"(?P<n>\d+(?:\.\d+)?|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")"
_DURATION = re.compile(
    r"\b" + _NUMBER + r"(?:\s+|\s*-\s*|(?<=\d))(?P<unit>minutes?|mins?|hours?|hrs?|h|days?|weeks?|wks?|months?|mos?|years?|yrs?)\b"
    r"(?!\s+(?:ago|prior|earlier|before|later|back)\b)(?!\s*-?\s*old\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Duration:
    start: int
    end: int
    text: str
    value: str  # ISO 8601 period; "PXD" style with X when the count is vague ("several days")
    amount: float | None
    unit: str  # "D", "W", "M", "Y", "TH", "TM"


def _iso(amount: float | None, unit: str) -> str:
    count = "X" if amount is None else (f"{amount:g}")
    return f"PT{count}{unit[1]}" if unit.startswith("T") else f"P{count}{unit}"


def find_durations(text: str) -> list[Duration]:
    """Every duration in ``text``, in order."""
    out = []
    for m in _DURATION.finditer(text):
        raw = m.group("n").lower()
        amount = _WORDS[raw] if raw in _WORDS else float(raw)
        unit_word = m.group("unit").lower().rstrip("s") or "h"
        unit = _UNITS.get(unit_word, _UNITS.get(unit_word[:2], "D"))
        if unit_word == "h" and not m.group("n").isdigit():
            continue  # "an h" is not a duration
        out.append(Duration(m.start(), m.end(), m.group(), _iso(amount, unit), amount, unit))
    return out
