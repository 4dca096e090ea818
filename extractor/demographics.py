"""Age, sex and date of birth as written in notes ("34-year-old female", "27 y/o F",
"Age: 41", "Sex: F", "DOB 02/03/1990"), and age arithmetic at an index date."""

from __future__ import annotations

import re
from datetime import date

from .numbers import spelled_numbers

__all__ = ["parse_age", "parse_sex", "age_on", "age_at_event"]

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
_SEX_FIRST = re.compile(r"^\s*(mujer|var[oó]n|hombre|femme|homme|donna|uomo|vrouw|frau|patientin|patiente|patiënte|dona|home)\b",
                        re.IGNORECASE)
_FEMALE_FIRST = {"mujer", "femme", "donna", "vrouw", "frau", "patientin", "patiente", "patiënte", "dona"}


def parse_age(text: str) -> tuple[int, str | None] | None:
    """(age in years, sex or None) from an age phrase ("Varón de veintiocho años" as dictated
    too); None for implausible ages."""
    match = _AGE.search(spelled_numbers(text))
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


# an event dated by the patient's age at the time: "apendicectomía a los 12 años", "at age 20",
# "tonsillectomy as a child", "en la infancia"
_AT_AGE_AFTER = re.compile(
    r"^[^.;\n]{0,25}?\b(?:(?:at\s+age|aged|at\s+the\s+age\s+of|idade\s+de)\s+(\d{1,2})(?![\d/.,])|"
    # "appendectomy at 16; no other operations": a bare age right after the event, closing its clause
    r"(?<=^\s)at\s+(\d{1,2})(?=\s*(?:[;,)]|\.(?!\d)|$))|"
    r"(?:a\s+los|cuando\s+ten[ií]a|when\s+(?:she|he)\s+was|de\s+los|con|aos|com)\s+(\d{1,2})\s*(?:años|anos|years?|yrs?|y/?o)\b)",
    re.IGNORECASE)
_AT_AGE_BEFORE = re.compile(
    r"\b(?:a\s+los|at\s+age|aged|at\s+the\s+age\s+of|aos)\s+(\d{1,2})\s*(?:años|anos|years?|yrs?)?\s*[,:]?\s*$", re.IGNORECASE)
_CHILDHOOD = re.compile(
    r"^[^.;\n]{0,25}?\b(?:(?:en|durante)\s+la\s+(?:infancia|niñez)|in\s+(?:early\s+)?childhood|as\s+a\s+(?:child|kid|toddler)|"
    r"de\s+(?:niñ[oa]|pequeñ[oa]|chic[oa])|na\s+inf[aâ]ncia|in\s+infancy|as\s+an\s+infant)\b", re.IGNORECASE)
_ADOLESCENCE = re.compile(
    r"^[^.;\n]{0,25}?\b(?:(?:en|durante)\s+la\s+adolescencia|as\s+a\s+teenager|in\s+(?:her|his)\s+teens|"
    r"in\s+adolescence|na\s+adolesc[eê]ncia)\b", re.IGNORECASE)


def age_at_event(after: str, before: str = "") -> tuple[int, int] | None:
    """(youngest, oldest) age in years at which the event told around a mention happened, or None:
    "a los 12 años" -> (12, 12), "as a child" -> (0, 12), "in her teens" -> (12, 19)."""
    match = _AT_AGE_AFTER.match(after) or _AT_AGE_BEFORE.search(before[-30:])
    if match:
        age = int(next(g for g in match.groups() if g))
        return (age, age) if 0 < age < 120 else None
    if _CHILDHOOD.match(after):
        return 0, 12
    if _ADOLESCENCE.match(after):
        return 12, 19
    return None
