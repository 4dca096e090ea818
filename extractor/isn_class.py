"""Find lupus nephritis classes (ISN/RPS 2003, WHO) in clinical text.

Model
-----
A class expression is

    [ISN/RPS | WHO] [mixed] class|clase ITEM (CONNECTOR ITEM)*
    ISN/RPS ITEM (CONNECTOR ITEM)*                      (no "class" word needed after ISN/RPS)

    ITEM      = numeral [-S | -G | segmental | global] [(A) | (C) | (A/C)]
    numeral   = I..VI, or 1..6 (Arabic is read as Roman)
    CONNECTOR = + / - & and plus y | [lupus nephritis] with [superimposed] class

so "class IV-G (A/C)", "Class III (A) + V", "class III/V", "mixed class IV and V",
"class IV-G (A) lupus nephritis with superimposed class V", "WHO class 4", "Clase IV".
"IV-G"/"IV-S" is a subclass, never a range; "III-IV" (and "III/IV") is both classes, labelled
"III/IV"; combinations with V are labelled with " + ". A continuation item cannot be
class I, and an Arabic continuation needs the word "class" (or an Arabic first item), so
"class IV and 3 crescents" stops after IV.

Other "class" scales are rejected in two ways:

* a blocklist around the expression (NYHA, Mallampati, Child-Pugh, ASA, HLA ... before it;
  obesity, antiarrhythmic, pulmonary hypertension, heart failure ... after it); always applied;
* with ``require_cue=True`` (default) an LN cue (lupus nephritis, LN, nephritis, ISN/RPS,
  biopsy, glomerulonephritis, GN, proliferative, membranous, mesangial, kidney, renal, and
  Spanish equivalents) must occur within 80 characters either side, inside the same sentence,
  unless the expression itself starts with ISN/RPS.

Everything is stdlib ``re``; patterns are compiled once at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LNClass", "find_ln_classes", "base_key", "with_membranous"]


@dataclass(frozen=True)
class LNClass:
    start: int
    end: int
    text: str  # == text[start:end] of the text passed in
    classes: tuple[str, ...]  # base classes, Roman, sorted I..VI
    label: str  # canonical label, e.g. "IV-G (A/C)", "III (A) + V"
    scheme: str  # "ISN/RPS" | "WHO" | "unspecified"
    activity: str | None  # "A" | "C" | "A/C"
    segmental_global: str | None  # "S" | "G" (class IV only)


_F = re.IGNORECASE
_ROMAN_ORDER = ("I", "II", "III", "IV", "V", "VI")
_ARABIC = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V", "6": "VI"}
_WINDOW = 80

_ISN = r"(?:ISN\s*/\s*RPS|RPS\s*/\s*ISN|ISN\s*-\s*RPS|ISN)(?:\s*\(?\s*(?:19|20)\d\d\s*\)?)?"
_WHO = r"(?-i:WHO|OMS)(?:\s*\(?\s*(?:19|20)\d\d\s*\)?)?[-\s]?"  # "WHO-Klasse", French "classe OMS"
_KW = r"(?:classes|classe|class|clase|klasse|Klasse)\b\.?\s*:?\s*"  # German, Dutch "Klasse IV"

_HEAD_RE = re.compile(
    r"(?<![\w/])(?:"
    rf"(?:(?P<scheme>{_ISN}|{_WHO})\s*:?\s*)?(?:(?P<mixed>mixed|mixta?)\s+)?(?P<kw>{_KW})"
    rf"|(?P<isn_bare>{_ISN})\s*:?\s*(?=(?:VI|IV|V|III|II|I)(?![A-Za-z]))"
    r")",
    _F,
)

# One class item. Subclass letters must be upper case ("class is" is not I-S).
_ITEM_TAIL = (
    r"(?:(?:\s*[-–]\s*|\s?)(?P<sg>(?-i:[SG]))(?![A-Za-z])"
    r"|(?![A-Za-z0-9])(?:\s*[-–]?\s*(?P<sgw>segmental|global)\b)?)"
    r"(?:\s*\(\s*(?P<act>A\s*(?:/|\+|and|&)\s*C|active\s*(?:/|and|&)\s*chronic"
    r"|A|C|active|chronic)\s*\))?"
)
_FIRST_ITEM_RE = re.compile(r"(?P<num>VI|IV|V|III|II|I|[1-6])(?!\d)" + _ITEM_TAIL, _F)
_NEXT_ITEM_RE = re.compile(r"(?P<num>VI|IV|V|III|II|[2-6])(?!\d)" + _ITEM_TAIL, _F)

_ADJ = r"(?:superimposed|concomitant|coexisting|co-existing|associated|additional|overlapping)"
_CONN_RE = re.compile(
    r"(?:"
    rf"\s*(?P<sym>\+|&|/|-|–|\band\b|\bplus\b|\by\b)\s*(?:{_ADJ}\s+)?"
    rf"(?:(?:{_ISN}|{_WHO})\s*)?(?P<kw1>{_KW})?"
    r"|(?:\s+(?:lupus\s+nephritis|(?-i:LN)|nephritis|glomerulonephritis|(?-i:GN)"
    r"|nefritis\s+l[uú]pica))?"
    rf"\s*,?\s+(?:with|con)\s+(?:(?:a|an)\s+)?(?:{_ADJ}\s+)?"
    r"(?:(?:membranous|membranosa)\s+(?:\(\s*)?)?(?P<kw2>" + _KW + r")?"
    r")",
    _F,
)

_CUE_RE = re.compile(
    r"lupus\s+nephritis|lupus\s+nephropathy|nephritis|(?-i:\bLN\b)|ISN|RPS|biops(?:y|ies|ied)"
    r"|glomerulonephritis|(?-i:\bGN\b)|proliferative|membranous|mesangial|kidney|renal"
    r"|nefritis|nefropat[ií]a|(?-i:\bNL\b)|biopsia|glomerulonefritis|proliferativa"
    r"|membranosa"
    # German, French, Italian, Dutch
    r"|lupusnephritis|nephritis|n[ée]phrite|n[ée]phropathie\s+lupique|glom[ée]rulon[ée]phrite|(?-i:\bPBR\b)|biopsie"
    r"|r[ée]nale?|nefrite|lupica|renale|nier(?:biopsie)?|nieren?biopsie|prolif[ée]rative?|membraneuse|membran[öo]s",
    _F,
)
_BLOCK_BEFORE_RE = re.compile(
    r"(?:NYHA|New\s+York\s+Heart(?:\s+Association)?|Mallampati|Child[-\s]*Pugh|Child|ASA"
    r"|Killip|Forrest|CCS|Fontaine|Rutherford|Wagner|Clavien(?:[-\s]*Dindo)?|Dindo|GOLD"
    r"|Angle|Steinbrocker|ACR|AHA|ACC/AHA|Hunt(?:\s+and\s+Hess)?|Gustilo|Tanner|Fitzpatrick"
    r"|Cormack(?:[-\s]*Lehane)?|Hinchey|Salter(?:[-\s]*Harris)?|HLA|MHC|Vaughan[-\s]*Williams"
    r"|Sarnat|Ann\s+Arbor|Spetzler(?:[-\s]*Martin)?|Breslow|Kennedy|Medicaid|Berlin|Seattle"
    r"|functional|NYHA\s*FC|WHO[-\s]*FC|WHO[-\s]*functional|weight|obesity|antiarrhythmic)"
    r"(?:[\s-]+(?:functional|FC))?[\s:,-]*$",
    _F,
)
_BLOCK_AFTER_RE = re.compile(
    r"^[\s,-]*(?:obes(?:ity|e)|antiarrhythmics?|anti-arrhythmics?|anti-?arrhythmic"
    r"|drugs?|agents?|antibiotics?|medications?|recommendations?|evidence|indications?"
    r"|pulmonary\s+(?:arterial\s+)?hypertension|(?-i:PAH|PH)\b|heart\s+failure|(?-i:C?HF)\b"
    r"|angina|dyspn(?:o)?ea|symptoms|airway|malocclusion|cirrhosis|liver|hemorrhage"
    r"|haemorrhage|shock|HLA|MHC|antigens?|molecules?|restriction|integron|division"
    r"|(?:functional\s+)?(?:status|capacity)|heart\s+disease|cardiac)",
    _F,
)
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s+[A-Z¿¡])|\n\s*\n")
_SCHEME_BEFORE_RE = re.compile(r"(?P<isn>ISN|RPS)|(?-i:\bWHO\b|\bOMS\b)|(?P<kw>\bclase?s?\b|\bklasse\b)", _F)


@dataclass
class _Item:
    roman: str
    sg: str | None
    activity: str | None
    joiner: str  # how this item is joined to the previous one in the label ("" for the first)


def _roman(num: str) -> str:
    return _ARABIC.get(num, num.upper())


def _activity(raw: str | None) -> str | None:
    if not raw:
        return None
    low = raw.lower()
    has_a = low.startswith("a")
    has_c = "c" in low.replace("active", "")
    if has_a and has_c:
        return "A/C"
    return "A" if has_a else "C"


def _item_from(m: re.Match[str], joiner: str) -> _Item:
    roman = _roman(m.group("num"))
    sg = m.group("sg") or (m.group("sgw") or "")[:1].upper() or None
    return _Item(roman=roman, sg=sg if roman == "IV" else None,
                 activity=_activity(m.group("act")), joiner=joiner)


def _parse_items(text: str, pos: int) -> tuple[list[_Item], int] | None:
    """Items of one class expression starting at ``pos``: (items, end)."""
    m = _FIRST_ITEM_RE.match(text, pos)
    if not m:
        return None
    first_arabic = m.group("num").isdigit()
    items = [_item_from(m, "")]
    end = m.end()
    while True:
        c = _CONN_RE.match(text, end)
        if not c:
            break
        nxt = _NEXT_ITEM_RE.match(text, c.end())
        if not nxt:
            break
        has_kw = bool(c.group("kw1") or c.group("kw2"))
        num = nxt.group("num")
        if num.isdigit() and not (has_kw or first_arabic):
            break
        if c.group("sym") is None and not has_kw and num != "V":
            break  # "with <numeral>" needs "class" unless it is a superimposed V
        roman = _roman(num)
        sym = (c.group("sym") or "").strip()
        slash = sym in ("/", "-", "–") and "V" not in (roman, items[-1].roman)
        items.append(_item_from(nxt, "/" if slash else " + "))
        end = nxt.end()
    return items, end


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo, hi = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
    for m in _SENTENCE_END_RE.finditer(text, lo, start):
        lo = m.end()
    m = _SENTENCE_END_RE.search(text, end, hi)
    if m:
        hi = m.start()
    return lo, hi


def _blocked(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 40):start]
    after = text[end:end + 40]
    return bool(_BLOCK_BEFORE_RE.search(before) or _BLOCK_AFTER_RE.match(after))


def _scheme_before(text: str, lo: int, start: int) -> str:
    """Nearest ISN/RPS or WHO mention earlier in the sentence with no other "class" between."""
    scheme = "unspecified"
    for m in _SCHEME_BEFORE_RE.finditer(text, lo, start):
        if m.group("kw"):
            scheme = "unspecified"
        else:
            scheme = "ISN/RPS" if m.group("isn") else "WHO"
    return scheme


def _label(items: list[_Item]) -> str:
    parts: list[str] = []
    for it in items:
        piece = it.roman + (f"-{it.sg}" if it.sg else "")
        if it.activity:
            piece += f" ({it.activity})"
        parts.append(it.joiner + piece)
    return "".join(parts)


def find_ln_classes(text: str, require_cue: bool = True) -> list[LNClass]:
    """All lupus nephritis class expressions in ``text``, in order."""
    found: list[LNClass] = []
    pos = 0
    while True:
        head = _HEAD_RE.search(text, pos)
        if not head:
            break
        pos = head.end() if head.end() > head.start() else head.start() + 1
        parsed = _parse_items(text, head.end())
        if parsed is None:
            continue
        items, end = parsed
        start = head.start()
        if _blocked(text, start, end):
            pos = end
            continue
        raw_scheme = head.group("scheme") or head.group("isn_bare") or ""
        lo, hi = _sentence_bounds(text, start, end)
        isn_written = raw_scheme.upper().startswith(("ISN", "RPS"))
        if require_cue and not isn_written and not _CUE_RE.search(text, lo, hi):
            pos = end
            continue
        if raw_scheme:
            scheme = "ISN/RPS" if isn_written else "WHO"
        else:
            scheme = _scheme_before(text, lo, start)
        classes = tuple(sorted({it.roman for it in items}, key=_ROMAN_ORDER.index))
        found.append(LNClass(
            start=start, end=end, text=text[start:end], classes=classes, label=_label(items),
            scheme=scheme,
            activity=next((it.activity for it in items if it.activity), None),
            segmental_global=next((it.sg for it in items if it.sg), None),
        ))
        pos = end
    return found


def base_key(c: LNClass) -> str:
    """Base classes joined by "+": "IV", "III+V", "III+IV" ..."""
    return "+".join(c.classes)


def with_membranous(key: str, others: list[str]) -> str:
    """``key`` read together with the other classes of its sentence when one side is class V
    alone and the other III or IV: "class IV-G (A/C), diffuse proliferative, with superimposed
    membranous features (class V)" is IV+V whichever mention is taken. ISN/RPS combines only V
    with III or IV, so nothing else is merged (a class change "III, now IV" stays as written)."""
    parts = set(key.split("+")) if key else set()
    proliferative = {"III", "IV"}
    if parts == {"V"}:
        partners = [set(o.split("+")) for o in others if o and set(o.split("+")) & proliferative]
        if not partners:
            return key
        parts |= partners[-1]
    elif "V" in others and parts & proliferative:
        parts.add("V")
    else:
        return key
    return "+".join(sorted(parts, key=_ROMAN_ORDER.index))
