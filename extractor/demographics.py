"""Age, sex and date of birth as written in notes ("34-year-old female", "27 y/o F",
"Age: 41", "Sex: F", "DOB 02/03/1990"), and age arithmetic at an index date."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["parse_age", "parse_sex", "age_on"]

_AGE = re.compile(r"(\d{1,3})")
_SEX = re.compile(r"\b(female|woman|lady|girl|mujer|F|male|man|gentleman|boy|var[oó]n|hombre|M)\b\s*$", re.IGNORECASE)
_FEMALE = {"female", "woman", "lady", "girl", "mujer", "f"}


def parse_sex(text: str) -> str | None:
    """'F' or 'M' from the last word of an age or sex phrase, else None."""
    match = _SEX.search(text.strip())
    if not match:
        return None
    word = match.group(1)
    if len(word) == 1 and word not in "FM":  # lower-case single letters are not sex codes
        return None
    return "F" if word.lower() in _FEMALE else "M"


# a gendered noun opening an age phrase: "varón de 52 años", "Homme de 52 ans", "Mujer de 26 años"
_SEX_FIRST = re.compile(r"^\s*(mujer|var[oó]n|hombre|femme|homme|donna|uomo|vrouw|frau|patientin|patiente|patiënte)\b",
                        re.IGNORECASE)
_FEMALE_FIRST = {"mujer", "femme", "donna", "vrouw", "frau", "patientin", "patiente", "patiënte"}


def parse_age(text: str) -> tuple[int, str | None] | None:
    """(age in years, sex or None) from an age phrase; None for implausible ages."""
    match = _AGE.search(text)
    if not match:
        return None
    age = int(match.group(1))
    if not 0 < age < 120:
        return None
    sex = parse_sex(text)
    if sex is None and (first := _SEX_FIRST.match(text)):
        sex = "F" if first.group(1).lower() in _FEMALE_FIRST else "M"
    return age, sex


def age_on(birth: date, on: date) -> int:
    """Whole years between a birth date and a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
