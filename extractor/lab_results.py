"""Result of a lab test named just before (or after) the text: polarity, number, comparator.

The screener matches a test name ("HBsAg", "QuantiFERON-TB Gold", "PPD") and passes the text
after it (up to the next test or the end of the sentence) and the text before it in the same
sentence. The result is the first polarity word after the name ("non-reactive", "(+)",
"not detected"), else a number with a unit ("< 10 mIU/mL", "12 mm"), else a polarity phrase
just before the name ("negative for HIV, HCV and HBsAg", "positive QuantiFERON").
Negation by ConText is not used for labs: "HIV negative" is a result, not an absent test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LabResult", "parse_lab_result"]


@dataclass(frozen=True)
class LabResult:
    result: str | None  # "positive" | "negative" | "indeterminate" | "pending" | None
    number: float | None
    comparator: str | None  # "<", "<=", ">", ">=" or None
    unit: str | None
    text: str  # the words the result was read from


_POLARITY = [
    # English, Spanish; German, French, Italian and Dutch words left in translated notes
    ("negative", r"no\s+(?:[\w-]+\s+){0,3}detected|non[\s-]?reactive|not\s+reactive|no\s+reactiv[oa]s?|not\s+detected|undetected|undetectable|"
                 r"negative(?![ \t]+control)|negativ[oa](?![ \t]+control)|neg\b|\(\s*-\s*\)|absent|nonreactive|(?-i:\bNR\b)|"
                 r"negativ\b|n[ée]gati(?:f|ve)|negatief|nicht\s+reaktiv|non[\s-]r[ée]acti(?:f|ve)|niet\s+reactief|non\s+reattiv[oa]|"
                 r"nicht\s+nachweisbar|non\s+d[ée]tect[ée]e?|niet\s+aantoonbaar|assente|"
                 # Catalan and Portuguese
                 r"negatiu\b|no\s+reactiu\b|n[ãa]o\s+rea(?:c)?tiv[oa]\b|n[ãa]o\s+reagente\b|no\s+detectat\b"),
    # a test's own controls are no result: "result not reportable (positive control low)"
    ("positive", r"positive(?![ \t]+control)|positiv[oa](?![ \t]+control)|pos\b|reactive|reactivo|detected|\(\s*\+\s*\)|present(?!ation)|"
                 r"positiv\b|positif|positief|reaktiv|r[ée]acti(?:f|ve)|reactief|reattiv[oa]|nachweisbar|d[ée]tect[ée]e?|aantoonbaar|"
                 r"positiu\b|reactiu\b|rea(?:c)?tiv[oa]\b|reagente\b|detectat\b"),
    ("indeterminate", r"indeterminate|indeterminado|equivocal|borderline|inconclusive|not[ \t]+reportable|uninterpretable|no[ \t]+valorable|"
                      r"ind[ée]termin[ée]e?|unbestimmt|grenzwertig|indeterminat[oa]?\b|onbepaald|[ée]quivoque|douteu(?:x|se)"),
    ("pending", r"pending|pendiente|ordered|sent|in\s+process|to\s+follow|not\s+done|not\s+available|not\s+performed|(?-i:TNP|QNS)\b|"
                r"ausstehend|angefordert|en\s+cours|en\s+attente|demand[ée]e?|in\s+corso|in\s+attesa|richiest[oa]|aangevraagd|"
                r"pendent\b|pendente|sol[·.]?licitad[ae]s?"),
]
# a result word starts a word: "HCV (anticuerpos) no reactivo" holds no "pos"
_POLARITY_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<{name}>{pattern})" for name, pattern in _POLARITY) + ")", re.IGNORECASE
)
# A bare "+" or "-" right after the name: "HBsAg -", "anti-HBc +".
_SIGN_RE = re.compile(r"^[ \t:=]*(?P<sign>[+-])[ \t]*(?=[,;.)]|$|\r?\n)")  # not "T-SPOT - repeat"
# a comparator before a number, as a sign or in words ("anti-HBs below 10 mIU/mL", "inferior a 10 mUI/mL")
_CMP = {"≤": "<=", "≥": ">=", "below": "<", "under": "<", "less than": "<", "inferior a": "<", "menor de": "<",
        "above": ">", "over": ">", "greater than": ">", "superior a": ">", "mayor de": ">"}
_CMP_WORDS = "|".join(r"\b" + r"\s+".join(w.split()) + r"\b" for w in _CMP if w[0].isalpha())
_NUMBER_RE = re.compile(
    r"(?P<cmp><=|>=|≤|≥|<|>|" + _CMP_WORDS + r")?\s*(?P<num>\d+(?:[.,]\d+)?)[\s|]*(?P<unit>mIU\s*/\s*mL|mUI\s*/\s*mL|mIE\s*/\s*mL|IU\s*/\s*L|IE\s*/\s*L|UI\s*/\s*L|"
    r"U\s*/\s*L|IU\s*/\s*mL|mm\b|copies\s*/\s*mL|cp\s*/\s*mL)",
    re.IGNORECASE,
)
_BEFORE_RE = re.compile(
    r"(?P<word>negative|positive|reactive|non[\s-]?reactive|nonreactive|indeterminate|equivocal)\s*(?:for|to)?\s*[:\-]?\s*"
    r"(?:(?!but\b|however\b|except\b|although\b|pero\b|\()[\w/().+-]+[\s,;]+(?:and\s+|or\s+|y\s+)?){0,8}$",
    re.IGNORECASE,
)
_MAX_AFTER = 60
# "HEPATITIS B SURFACE AB, QN | <3.1 | >=10 mIU/mL (immune) | L": the first cell after the name is the value
# (an empty one, as HL7's "||", is no cell of a table)
_BARE_NUMBER = re.compile(r"[ \t]*(?P<cmp><=|>=|<|>)?[ \t]*(?P<num>\d+(?:[.,]\d+)?)[ \t]*")
_PIPE_CELL = re.compile(r"[^|\n]{0,12}\|([^|\n]*)\|")
# A parenthesis right after the name that says when or how the sample was taken, and holds no
# result: "QuantiFERON-TB Gold Plus (drawn 14/11/2024, repeated after a clotted sample): NEGATIVE".
_ASIDE_RE = re.compile(r"[ \t:]*\((?P<inner>[^()\n]{1,200})\)")


def _polarity_name(match: re.Match[str]) -> str:
    return next(name for name, value in match.groupdict().items() if value is not None)


def parse_lab_result(after: str, before: str = "") -> LabResult | None:
    """Result for a test whose name ends where ``after`` begins and starts where ``before`` ends."""
    aside = _ASIDE_RE.match(after)
    if aside and not _POLARITY_RE.search(aside.group()) and not _NUMBER_RE.search(aside.group()):
        after = after[aside.end():]
    window = after[:_MAX_AFTER]
    cell = _PIPE_CELL.match(window)
    if cell and cell.group(1).strip():
        window = cell.group(1)  # a table row: the value cell only, not the reference range after it
        bare = _BARE_NUMBER.fullmatch(window)
        unit = _NUMBER_RE.search(after[cell.end():after.find("\n") if "\n" in after else len(after)]) if bare else None
        if bare and unit:  # "HBV SURFACE AB, QUANT | 88 | >=10 mIU/mL |": the row's unit is the value's
            cmp = bare.group("cmp")
            return LabResult(None, float(bare.group("num").replace(",", ".")), _CMP.get(cmp, cmp) if cmp else None,
                             re.sub(r"\s+", "", unit.group("unit")), window.strip())
    sign = _SIGN_RE.match(window)
    if sign:
        result = "positive" if sign.group("sign") == "+" else "negative"
        return LabResult(result, None, None, None, sign.group().strip())
    polarity = _POLARITY_RE.search(window)
    number = _NUMBER_RE.search(window)
    if number and (not polarity or number.start() < polarity.start()):
        cmp = number.group("cmp")
        value = float(number.group("num").replace(",", "."))
        unit = re.sub(r"\s+", "", number.group("unit"))
        between = window[number.end() : polarity.start()] if polarity else ""
        pol = _polarity_name(polarity) if polarity and len(between) < 25 and not re.search(r"[;,]", between) else None
        return LabResult(pol, value, _CMP.get(" ".join(cmp.lower().split()), cmp) if cmp else cmp, unit, window[number.start():polarity.end() if pol else number.end()].strip())
    if polarity:
        return LabResult(_polarity_name(polarity), None, None, None, polarity.group())
    tail = before[-120:]
    previous = _BEFORE_RE.search(tail)
    if previous:
        word = previous.group("word").lower().replace(" ", "").replace("-", "")
        result = ("negative" if word in ("negative", "nonreactive") else
                  "indeterminate" if word in ("indeterminate", "equivocal") else "positive")
        return LabResult(result, None, None, None, previous.group("word"))
    return None
