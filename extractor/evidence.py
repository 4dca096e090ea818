"""Evidence: one row per concept mention, born with everything that explains it.

A row carries the rule that matched (``rule_id``), the text and offsets into the note as read,
the ConText flags and the triggers that set them, the section, the value read next to it, and
its date with how that date was resolved (``date_source``):

- ``sentence``: an absolute date written in the mention's sentence (the nearest one);
- ``sentence_relative``: a relative expression in the sentence ("3 months ago"), resolved
  against the note date;
- ``sentence_last_dose``: for a drug dated by its last administration (criteria.yaml
  ``last_dose_words``), the date its sentence gives after such a word ("last infusion 01/10/2024",
  "stopped 3/2024"), rather than the nearest one (often the start);
- ``specimen_date``: a biopsy or class mention with no date of its own (criteria.yaml
  ``specimen_dated``) in a report whose header says when the specimen was taken ("Collected:
  19-JUL-2024", "Fecha de toma: 14.12.2024"): that day, not the report's;
- ``operation_date``: an operation with no date of its own (criteria.yaml ``operation_dated``) in
  a report whose header gives the operation's day ("Cirurgia: 12/11/2024   Alta: 14/11/2024");
- ``note_date``: no date of its own; the note's date is used, or in a note made of dated
  entries (a "curso clínico" printout) the date of the entry it was written in, and inside another
  service's report quoted with its date ('Informe de Nefro (consulta 05/02/2025): "..."') that
  report's date (:mod:`extractor.entries`, kept in ``details["entry_date"]``);
- ``before_note_date``: a historical mention with no date of its own ("history of …"): any
  day up to the note (or entry) date.

A ``sentence_relative`` date may also count from a hospital admission whose date the report's
header gives ("al quinto día de ingreso": :mod:`extractor.admissions`), and a mention that is a
form row's topic takes the row's answer ("[ ] Yes  [X] No": :mod:`extractor.forms`).

Later steps (the evaluator) add decisions that point at evidence ids; they never edit rows.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ._extensions import DATE_SPANS_KEY, TEXT_KEY
from .admissions import NO_ANCHORS
from .dates import DateMention, dash_ranges, find_dates, find_dates_in, note_day_first, other_reading
from .demographics import age_at_event
from .entries import entry_at, entry_dates, quote_at, quoted_reports
from .forms import FormAnswer, form_answer, later_result, result_of, test_done_after
from .sections import bounded_sections, section_at
from .values import READERS, Mention

# The contract other tools read: these columns first, in this order.
EVIDENCE_COLUMNS = (
    "evidence_id", "patient_id", "note_id", "note_date", "criterion_id", "concept", "start", "end",
    "text", "negated", "hypothetical", "historical", "family", "uncertain", "event_date",
    "date_source", "section",
    # explanation columns
    "rule_id", "value", "context_triggers", "date_text", "date_min", "date_max",
    "sentence_start", "sentence_end", "details",
)
_MODIFIER_FLAGS = {
    "NEGATED_EXISTENCE": "negated", "POSSIBLE_EXISTENCE": "uncertain", "HISTORICAL": "historical",
    "HYPOTHETICAL": "hypothetical", "FAMILY": "family",
}
NOT_EVIDENCE = {"IGNORE"}  # look-alike captures: matched so they can't be mistaken, never reported


@dataclass
class Evidence:
    evidence_id: str
    patient_id: str
    note_id: str
    note_date: date | None
    concept: str
    start: int
    end: int
    text: str
    rule_id: str
    sentence_start: int
    sentence_end: int
    section: str | None = None
    negated: bool = False
    hypothetical: bool = False
    historical: bool = False
    family: bool = False
    uncertain: bool = False
    context_triggers: str = ""
    event_date: str = ""
    date_source: str = "note_date"
    date_text: str = ""
    date_min: date | None = None
    date_max: date | None = None
    value: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    criterion_id: str = ""
    sentence_text: str = field(default="", repr=False)  # for rules that read the sentence; not an output column

    def row(self) -> dict[str, Any]:
        out = {c: getattr(self, c) for c in EVIDENCE_COLUMNS if c != "details"}
        out["details"] = json.dumps(self.details, sort_keys=True, default=str) if self.details else ""
        return out

    @property
    def sort_date(self) -> tuple[date, date]:
        """Oldest possible day first (an open start sorts before everything), then latest."""
        return (self.date_min or date.min, self.date_max or date.min)


_LABEL_COLON = re.compile(r"[ \t]*:")  # "Cribado (extracción del 7 de octubre): VIH negativo, HBsAg negativo"


def _without_items_brackets(text: str, dates: list, clause: tuple[int, int], start: int) -> list:
    """``dates`` without those in a bracket of another item of a list: in "ITP (2015), LN class IV
    (09/2024), uterine fibroids s/p hysterectomy", neither date is the hysterectomy's, whose own
    item has none. A bracket that holds the mention too is its own ("(desde diciembre, sustituye a
    enalapril)"), and so is one of an item that goes on from the one before (``continuing_words``:
    "Hysterectomy, for fibroids (2012)"), or from which the mention's item goes on
    (``accompanying_words``: "ciclofosfamida IV (del 20/12/2024 al 28/02/2025), con bolos de
    metilprednisolona"), and one of the label the list follows ("Cribado (extracción del 7 de
    octubre): VIH negativo, HBsAg negativo"). An item is read back to the comma before it, even in an
    earlier sentence: bounded by the sentence, a sentence's first item ("S: ... w/ SLE (2019, ITP)
    + LN class IV", "Biopsia cutánea (punch, 26/09/2023): ... lupus cutáneo") would be judged by
    its own words and 35 evidence dates of the held-out notes moved, both ways."""
    kept = []
    for d in dates:
        open_at = text.rfind("(", 0, d.start)
        close_at = text.find(")", d.end)
        if (open_at == -1 or close_at == -1 or "\n" in text[open_at:close_at] or ")" in text[open_at:d.start]
                or clause[0] <= open_at < clause[1] or open_at < start < close_at
                or (close_at < start and _LABEL_COLON.match(text, close_at + 1))):
            kept.append(d)
            continue
        item = _last_break(text, 0, open_at) + 1
        if _date_words().continuing.match(text, item):
            kept.append(d)
            continue
        # the mention's own item goes on from the bracket's, right after it: "ciclofosfamida IV (...,
        # del 20/12/2024 al 28/02/2025), con bolos de metilprednisolona al comienzo"
        own = _last_break(text, 0, start) + 1
        if (close_at < own and not text[close_at + 1:own - 1].strip(" \t")
                and _date_words().accompanying.match(text, own)):
            kept.append(d)
    return kept


_CLAUSE_BREAK = re.compile(r";|,(?!\d)|(?<!\d),")  # not the comma of a decimal ("IV 0,4 g/kg/dia")


def _last_break(text: str, lo: int, hi: int) -> int:
    """Offset of the last comma or semicolon in ``text[lo:hi]`` that breaks a clause, else -1
    (read backwards from ``hi``: this runs for every date of every mention)."""
    at = max(text.rfind(",", lo, hi), text.rfind(";", lo, hi))
    while at != -1 and not _CLAUSE_BREAK.match(text, at):
        at = max(text.rfind(",", lo, at), text.rfind(";", lo, at))
    return at


def clause_bounds(text: str, start: int, end: int, sent_start: int, sent_end: int) -> tuple[int, int]:
    """The comma/semicolon-delimited part of the sentence around a mention (a decimal comma
    breaks nothing)."""
    left = _last_break(text, sent_start, start) + 1 or sent_start
    right = _CLAUSE_BREAK.search(text, end, sent_end)
    return max(left, sent_start), (right.start() if right else sent_end)


# a label may list topics and say "past": "Past surgery / anaesthesia:", "Prior biologics & trials:"
_LABEL_AFTER = re.compile(r"(?:[ \t]*[/&][ \t]*[A-Za-z][A-Za-z'-]*)*(?:[ \t]*\([^()\n]{1,40}\))?[ \t]*:")  # "Ensayo clínico (Cardiología):"
# a table row's first cell, answered in words in the next: "Cancer | pt denies any personal history"
_CELL_AFTER = re.compile(r"(?:[ \t]*[/&][ \t]*[A-Za-z][A-Za-z'-]*)*[ \t]*\|[ \t]*(?=[a-z])")
# ... after a bullet or number, "past", or other topics of the same field ("Gestación/lactancia:")
_LABEL_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:[-*•]|\d{1,2}[.)]|[A-Za-z]\))?[ \t]*(?:(?:past|previous|prior)[ \t]+)?"
                           r"(?:[^\W\d_][\w'-]*[ \t]*[/&][ \t]*)*$", re.IGNORECASE)


# an upper-case heading the mention opens: "1) ENSAYOS CLÍNICOS PREVIOS", "CANCER HISTORY"
_HEADING_AFTER = re.compile(r"(?:[ \t]+[A-ZÁÉÍÓÚÑÜ/&-]+){0,2}[ \t]*:?[ \t]*(?:\r?\n|$)")
# ... or a numbered heading in any case: "3) The research study", "2. Vaccines"
_NUMBERED_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:\d{1,2}[.)]|[A-Za-z]\))[ \t]*(?:(?:the|your|a|an|el|la|los|las)[ \t]+)?$", re.IGNORECASE)
_LINE_END_AFTER = re.compile(r"[ \t]*:?[ \t]*(?:\r?\n|$)")
# ... or a heading of its own line over a bulleted list: "PMHx / Operations\n- LLETZ 2018"
_LIST_HEADING_AFTER = re.compile(r"[ \t]*\r?\n[ \t]*[-*•·][ \t]")


# a line or sentence that is nothing but a denial of the mention, as histories list what a patient has
# not had: "· No neoplasias (colonoscopia 2022: ...)", "No transfusiones. No neoplasias (madre: ...).",
# "- Denies malignancies"; not "No malignancy identified"
_DENIAL_ITEM_BEFORE = re.compile(r"(?:^|\n|[.;][ \t])[ \t]*(?:[-*•·]|\d{1,2}[.)])?[ \t]*"
                                 r"(?:no|niega|denies|sin|nega|kein|keine|pas[ \t]+de)[ \t]+$", re.IGNORECASE)
_DENIAL_ITEM_AFTER = re.compile(r"[ \t]*(?:[.;,(]|\r?\n|$)")


def _is_denial_item(text: str, start: int, end: int, section: str | None) -> bool:
    """The mention is a line or sentence of its own that only denies it (``_DENIAL_ITEM_BEFORE``), in a
    history section or in the plural of a history list ("No neoplasias"): a pathology report's
    "... unremarkable. No malignancy." denies a finding in the specimen, not a history."""
    return ((section == "past_medical_history" or text[end - 1] in "sS")
            and bool(_DENIAL_ITEM_BEFORE.search(text, max(0, start - 30), start))
            and bool(_DENIAL_ITEM_AFTER.match(text, end)))


# between two names of one test, nothing but a dash or colon: the second names the first ("TB screening -
# QuantiFERON indeterminate"), and the dash is no minus sign
_RESTATED_BY = re.compile(r"[ \t]*[-–:][ \t]*")


def _is_label(text: str, start: int, end: int) -> bool:
    """A field name at a line start followed by a colon ("Cancer: no hx of cancer", "TB: BCG as
    infant"), a table row's first cell answered in words ("Cancer | pt denies any personal
    history"; not "Rituximab | 1000 mg IV" nor "Rituximab | Truxima 1 g"), or a heading of its
    own line, upper-case, numbered or over a bulleted list ("1) ENSAYOS CLÍNICOS PREVIOS", "3) The
    research study", "PMHx / Operations\n- LLETZ 2018"): not an assertion of its own; only a negated
    label ("Contraception: none") says something."""
    if _NUMBERED_BEFORE.search(text, max(0, start - 40), start) and _LINE_END_AFTER.match(text, end):
        return True
    if not _LABEL_BEFORE.search(text, max(0, start - 40), start):
        return False
    return (bool(_LABEL_AFTER.match(text, end)) or bool(_CELL_AFTER.match(text, end))
            or (text[start:end].isupper() and bool(_HEADING_AFTER.match(text, end)))
            or bool(_LIST_HEADING_AFTER.match(text, end)))


@dataclass(frozen=True)
class _DateWords:
    """The word lists of ``patterns/date_rules.json``, compiled once."""

    document_date_before: re.Pattern[str]  # the date after it dates the document
    specimen_before: re.Pattern[str]  # the date after it is when the specimen was taken
    operation_before: re.Pattern[str]  # the date after it is the day of the operation
    comparison: re.Pattern[str]  # a date after it belongs to the compared value
    current: re.Pattern[str]  # a value read after it is today's: a date before it is an earlier value's
    earlier_value: re.Pattern[str]  # after a value, it opens an earlier value with its own date
    continuing: re.Pattern[str]  # a list item starting with it (or with a count of doses) goes on from the item before
    accompanying: re.Pattern[str]  # a mention's item starting with it shares the bracket of the item before
    edition_before: re.Pattern[str]  # a year after it is a classification's edition
    other_dose: re.Pattern[str]  # a bracket starting with it tells of another dose


# a weekday before a header's date: "Fecha de la biopsia: martes 2 de abril de 2024", "Collected: Tue, 03/12/2024"
_WEEKDAY = (r"(?:(?:lunes|martes|mi[ée]rcoles|jueves|viernes|s[áa]bado|domingo|monday|tuesday|wednesday|thursday|friday"
            r"|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?[ \t]+)?")


@functools.cache
def _date_words() -> _DateWords:
    from .rules import patterns_dir, validate_date_rules_file

    data = validate_date_rules_file(patterns_dir() / "date_rules.json")

    def alternation(phrases: list[str]) -> str:
        return "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True))

    return _DateWords(
        document_date_before=re.compile(rf"\b(?:{alternation(data['document_date_words'])})(?:[ \t]+(?:on|at|of|el|del|de|le|du|il|am|op))?[ \t]*[:(]?[ \t]*$",
                                        re.IGNORECASE),
        specimen_before=re.compile(rf"(?<![\w-])(?:{alternation(data['specimen_date_words'])})(?:[ \t]+(?:on|el|le|il|am|op))?[ \t]*[:=]?[ \t]*"
                                   + _WEEKDAY, re.IGNORECASE),
        operation_before=re.compile(rf"(?<![\w-])(?:{alternation(data['operation_date_words'])})[ \t]*[:=]?[ \t]*" + _WEEKDAY,
                                    re.IGNORECASE),
        comparison=re.compile(rf"\b(?:{alternation(data['comparison_words'])})(?!\w)", re.IGNORECASE),
        current=re.compile(rf"\b(?:{alternation(data['current_words'])})(?!\w)", re.IGNORECASE),
        earlier_value=re.compile(rf"\b(?:{alternation(data['earlier_value_words'])})(?!\w)", re.IGNORECASE),
        continuing=re.compile(rf"[ \t]*(?:(?:{alternation(data['continuing_words'])})\b|(?:x[ \t]*)?\d{{1,2}}[ \t]*(?:x[ \t]*)?"
                              rf"(?:{alternation(data['dose_count_words'])})\b|x[ \t]*\d{{1,2}}\b)", re.IGNORECASE),
        accompanying=re.compile(rf"[ \t]*(?:{alternation(data['accompanying_words'])})\b", re.IGNORECASE),
        edition_before=re.compile(rf"\b(?:{alternation(data['edition_words'])})(?:[ \t]+(?:de|del|of|von|du|di))?[ \t]*\(?[ \t]*$",
                                  re.IGNORECASE),
        other_dose=re.compile(rf"\([ \t]*(?:{alternation(data['other_dose_words'])})(?!\w)[^()\n]*\)", re.IGNORECASE),
    )


def is_document_date(text: str, d: DateMention) -> bool:
    """A date that dates the document, not an event: "histology of repeat bx (reported
    25/01/2023): class IV-G" is a biopsy of another day."""
    return _date_words().document_date_before.search(text, max(0, d.start - 40), d.start) is not None


_HEADER_CHARS = 800


def specimen_date(text: str, note_date: date | None) -> DateMention | None:
    """The day a report's specimen was taken, from its header ("Collected: 19-JUL-2024",
    "Fecha de toma: 14.12.2024"), or None. Read from the text itself, so windows and the full text agree."""
    return _header_date(text, note_date, _date_words().specimen_before)


def operation_date(text: str, note_date: date | None) -> DateMention | None:
    """The day of the operation a report's header gives ("Cirurgia: 12/11/2024   Alta: 14/11/2024"), or None."""
    return _header_date(text, note_date, _date_words().operation_before)


def _header_date(text: str, note_date: date | None, cues: re.Pattern[str]) -> DateMention | None:
    """The absolute date right after one of ``cues`` in the first 800 characters of ``text``."""
    day_first, decided = None, False
    for cue in cues.finditer(text, 0, _HEADER_CHARS):
        if not decided:  # read as the whole note reads its dates ("08/01/2025" in a Spanish report)
            day_first, decided = note_day_first(text), True
        found = find_dates(text[cue.end():cue.end() + 40], note_date, day_first, _decided=True, _anchors=NO_ANCHORS)
        if found and found[0].start == 0 and found[0].kind == "absolute":
            d = found[0]
            return replace(d, start=d.start + cue.end(), end=d.end + cue.end())
    return None


def is_edition_year(text: str, d: DateMention) -> bool:
    """A bare year that names a classification's edition, not an event: "clase IV-G (A) de la
    ISN/RPS 2003", "ACR 1997 criteria"."""
    return (d.precision == "year" and d.kind == "absolute"
            and _date_words().edition_before.search(text, max(0, d.start - 40), d.start) is not None)


# the date sources that come from the mention's own text, not from its note
SELF_DATED_SOURCES = frozenset({"sentence", "sentence_relative", "sentence_last_dose", "specimen_date", "operation_date"})
_OWN_HISTORY = re.compile(r"\b(?:personal|personales|personals|personnels?|pessoais|own|propi[oa]s?)\b", re.IGNORECASE)
SECTION_SHAPES = {"one_line", "to_end"}  # section_context keys that shape a section rather than flag its mentions
_ARROW = re.compile(r"→|-->|->|=>")
_BRACKET = re.compile(r"\([^()\n]*\)")
_APPOSITION_OPEN = re.compile(r"[ \t]*\([^()\n]{0,12}")
_APPOSITION_CLOSE = re.compile(r"[^()\n]{0,40}\)")


def _drug_of(span) -> str | None:
    rule = span._.target_rule
    return (rule.metadata or {}).get("drug") if rule is not None else None


def is_apposition(text: str, head, ent) -> bool:
    """``ent`` names ``head`` again in the bracket right after it ("Inj. Reditux (rituximab)",
    "abatacept (ORENCIA) 125 mg"): it shares the head's context ("Discussed about Inj. Reditux
    (rituximab)" is a discussion of both)."""
    opening = _APPOSITION_OPEN.fullmatch(text, head.end_char, ent.start_char)
    return opening is not None and _APPOSITION_CLOSE.match(text, ent.end_char) is not None


def effective_modifiers(ent, sent_start: int | None = None) -> list:
    """ConText modifiers of a target, minus any that lie inside the target itself, and minus
    forward triggers shut inside a parenthetical that closes before the target.

    medspaCy 1.3.1's ``tuple_overlaps`` misses a modifier wholly inside a longer target, so the
    "no" of "no response" (a RESPONSE target) or of "NO LYMPHADENOPATHY" negated its own span.
    The "no" of "(no SLE per rheum), h/o Hodgkin lymphoma" does not reach the lymphoma; the
    "negative" of "dsDNA (Crithidia) negative" is outside the parenthesis and still applies.
    ``sent_start``: the token index where the target's sentence starts, when the caller knows it.
    """
    doc = ent.doc
    kept = []
    for m in ent._.modifiers:
        start, end = m.modifier_span
        if ent.start <= start and end <= ent.end:
            continue
        if end <= ent.start and sent_start is None:
            sent_start = ent.sent.start  # walked once, and only when a trigger stands before the target
        if end <= ent.start and _closes_between(doc, sent_start, start, end, ent.start):
            continue
        if start >= ent.end and _opens_on_another(doc, ent, start, end):
            continue
        kept.append(m)
    return kept


def _opens_on_another(doc, ent, mod_start: int, mod_end: int) -> bool:
    """True when a trigger after the target sits in a parenthesis opened after it that names
    another target first: "Transplant: none (the kidney transplant in the family was her
    uncle's)" tells of the bracket's transplant; "anti-dsDNA (negative)" and "Hib (Hiberix):
    indicada" (the trigger closes the bracket) still of the target."""
    depth, opened = 0, None
    for token in doc[ent.end:mod_end]:
        for char in token.text:  # "):" may be one token
            if char == "(":
                depth += 1
                if depth == 1:
                    opened = token.i
            elif char == ")":
                depth -= 1
                if depth <= 0:
                    depth, opened = 0, None
    if opened is None:
        return False
    return any(opened < other.start and other.end <= mod_start for other in doc.ents if other is not ent)


def _closes_between(doc, sent_start: int, mod_start: int, mod_end: int, target_start: int) -> bool:
    """True when the modifier sits inside an open parenthesis that closes before the target."""
    depth = sum(1 if t.text == "(" else -1 if t.text == ")" else 0 for t in doc[sent_start:mod_start])
    if depth <= 0:
        return False
    for token in doc[mod_end:target_start]:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
            if depth == 0:
                return True
    return False


def _nearest_date(dates: list[DateMention], start: int, end: int, sent_start: int, sent_end: int,
                  blockers: list[tuple[int, int]] = (), clause: tuple[int, int] | None = None) -> DateMention | None:
    """The date nearest to the mention: in its own clause when there is one ("cholecystectomy
    2010, ORIF 11/10/2024") and not another mention's, else in its sentence, never across another mention of the same
    kind ("MMF 1 g BID, prednisone 15 mg, valsartan 80 mg (since 2023)": 2023 is valsartan's)."""
    in_clause = [d for d in dates if clause[0] <= d.start and d.end <= clause[1]] if clause else []
    if in_clause:
        found = _nearest_date(in_clause, start, end, sent_start, sent_end, blockers)
        if found is not None:
            return found
        # every date of the clause is another mention's: "(AIHA refractory to steroids -> rituximab
        # 375 mg/m2 x 4, Mar-Apr 2019;" is dated by the next clause
    best, best_gap = None, None
    for d in dates:
        if d.end <= sent_start or d.start >= sent_end:
            continue
        if start <= d.start and d.end <= end:
            continue  # inside the mention itself: "ISN/RPS (2003) class IV" names the 2003 classification
        lo, hi = (end, d.start) if d.start >= end else (d.end, start)
        if any(lo <= b_start and b_end <= hi for b_start, b_end in blockers):
            continue
        gap = d.start - end if d.start >= end else (start - d.end if d.end <= start else 0)
        if best_gap is None or gap < best_gap:
            best, best_gap = d, gap
    return best


@functools.lru_cache(maxsize=None)
def _last_dose_cue(words: tuple[str, ...]) -> re.Pattern:
    """One of ``words`` ending at most six words before the end of the searched text ("last dose
    of the study drug on", "última dosis de la medicación del estudio el")."""
    alternatives = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w/])(?:{alternatives})(?![\w/])(?:[ \t]*(?:\r?\n)?[ \t]*[^\s;.]+){{0,6}}?[ \t]*(?:\r?\n)?[ \t]*:?[ \t]*$",
                      re.IGNORECASE)


def last_dose_date(text: str, dates: list[DateMention], start: int, end: int, blockers: list[tuple[int, int]],
                   words: tuple[str, ...]) -> DateMention | None:
    """The first date of the sentence (``dates``) after the mention at ``start:end`` that follows a
    last-dose word, not across another drug (``blockers``): "abatacept weekly 01/2024 -> last
    injection 03/12/2024" and "last rituximab dose: 02/2024" are last given on the date after."""
    cue = _last_dose_cue(words)
    for d in dates:
        if d.start < end:
            continue
        if any(end <= b_start and b_end <= d.start for b_start, b_end in blockers):
            return None
        if cue.search(text, max(0, d.start - 80), d.start):
            return d
    return None


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def display_date(d_min: date | None, d_max: date | None) -> str:
    """2024-03-15 for a day, 2024-03 for a calendar month, 2024 for a calendar year, else a range."""
    if d_min is None and d_max is not None:
        return f"<={d_max.isoformat()}"
    if d_min is None:
        return ""
    if d_min == d_max:
        return d_min.isoformat()
    if d_min.day == 1 and d_max == _month_end(d_min):
        return d_min.isoformat()[:7]
    if (d_min.month, d_min.day, d_max.month, d_max.day) == (1, 1, 12, 31) and d_min.year == d_max.year:
        return str(d_min.year)
    return f"{d_min.isoformat()}..{d_max.isoformat()}"


def resolve_date(ev: Evidence, dates: list[DateMention], blockers: list[tuple[int, int]] = (),
                 clause: tuple[int, int] | None = None, at: tuple[int, int] | None = None,
                 last_dose: DateMention | None = None, header: DateMention | None = None,
                 entry: DateMention | None = None, order_guessed: bool = False,
                 header_source: str = "specimen_date") -> None:
    """Set the evidence date from its sentence, else from the report's specimen (or operation) date
    in its header (``header``, source ``header_source``), else from the dated entry it was written
    in (:mod:`extractor.entries`), else from the note (see module doc).
    ``order_guessed``: nothing in the note told whether its numeric dates are day-first."""
    start, end = at or (ev.start, ev.end)
    found = last_dose or _nearest_date(dates, start, end, ev.sentence_start, ev.sentence_end, blockers, clause)
    if found is None and header is not None and not ev.historical:
        found = header
    if (order_guessed and found is not None and found is not last_dose and not ev.hypothetical
            and ev.note_date is not None and found.date_min > ev.note_date):
        # where the order of day and month was a guess, a date after the note is read the other
        # way when that gives one before it: "Date of biopsy: 07/03/2023" in a report of 10/03/2023
        other = other_reading(found)
        if other is not None and other.date_max <= ev.note_date:
            found = other
    if found is not None:
        ev.date_min, ev.date_max = found.date_min, found.date_max
        ev.date_text = found.text
        if found.precision == "day" and found.date_min < found.date_max:
            # days that all happened ("pulsos 20, 21 y 22/12/2024", "5/6-5/8"), not a vague date
            ev.details["date_span"] = True
        ev.date_source = ("sentence_last_dose" if last_dose is not None else header_source if found is header
                          else "sentence_relative" if found.kind == "relative" else "sentence")
        ev.event_date = display_date(found.date_min, found.date_max)
        return
    # undated: written on the note's date, or on its entry's in a note of dated entries (the
    # source stays the note's: the evaluator reads both as "told on the day it was written")
    written = entry.date_max if entry is not None else ev.note_date
    if entry is not None:
        ev.date_text = entry.text
        ev.details["entry_date"] = entry.date_max.isoformat()
    if ev.historical and written is not None:
        ev.date_min, ev.date_max = None, written
        ev.date_source = "before_note_date"
        ev.event_date = display_date(None, written)
    else:
        ev.date_min = ev.date_max = written
        ev.date_source = "note_date"
        ev.event_date = written.isoformat() if written else ""


_FORM_FLAGS = {"no": "negated", "not_done": "negated", "unsure": "uncertain", "planned": "hypothetical",
               "stopped": "historical"}


def apply_form_answer(ev: Evidence, form: FormAnswer, lab: bool = False, text: str = "") -> None:
    """What a form's tick says about a mention (:mod:`extractor.forms`), added to its evidence:
    "No" negates it, "Not sure" makes it uncertain, "Scheduled" hypothetical; an empty row or
    "N/A" asserts nothing (a field label); "not done" or "cancelled" negates, "discontinued" or
    "resolved" makes it historical. A lab row answered yes or no is read as its result:
    a result column ("Positivo  Negativo") gives it, "No" makes it negative ("HBsAg positivo
    [ ] [X]", "Anti-HBs >= 10 [ ] [X]"), "Yes" to a bare test name positive."""
    ev.details["form_answer"] = form.answer
    word = form.word.lower()
    if lab and form.answer in ("yes", "no", "done"):
        result = result_of(word)
        if result is not None:
            ev.details["result"] = result
        elif form.answer == "no":  # "HBsAg positivo  [ ] [X]", "Anti-HBs >= 10  [ ] [X]": not so
            ev.details["result"] = "negative"
        elif (form.answer == "yes" and ev.details.get("result") is None and ev.details.get("number") is None
              and not test_done_after(text, ev.end)):
            ev.details["result"] = "positive"  # "Anti-HBc total  [X] [ ]" under "Sí  No"
        elif form.answer == "done" and ev.details.get("result") is None and ev.details.get("number") is None:
            # "Serología VIH | Realizada | No reactivo": done says nothing of the result; the next
            # cell that is a result word does
            result = later_result(text, ev.end)
            if result is not None:
                ev.details["result"] = result
        return
    if form.answer in ("blank", "not_applicable") or (lab and form.answer == "not_done"):
        ev.details["field_label"] = True
        return
    flag = _FORM_FLAGS.get(form.answer)
    if flag and not ev.negated and not getattr(ev, flag):  # "No" to "no transplant" is not read
        setattr(ev, flag, True)
        ev.context_triggers = "; ".join(filter(None, [ev.context_triggers, f"{flag}:form {form.word or form.how}"]))


def _current_value_not_historical(ev: Evidence, text: str, doc, modifiers) -> None:
    """A value read after a word for now, past every historical trigger of the mention, is the note
    day's: in "SLEDAI-2K: al diagnóstico (diciembre de 2024) 16; hoy 12" the 12 read is no history.
    The historical flag goes; its trigger stays in ``context_triggers`` with the word that overrode it."""
    anchor = ev.details.get("value_offset")
    if not ev.historical or anchor is None or anchor <= ev.end:
        return
    history = [doc[m.modifier_span[0]:m.modifier_span[1]] for m in modifiers if m.category == "HISTORICAL"]
    if not history:
        return  # historical by section or form: not a word of this sentence
    now = None
    for m in _date_words().current.finditer(text, ev.end, anchor):
        now = m
    if now is not None and all(span.end_char <= now.start() for span in history):
        ev.historical = False
        ev.context_triggers = "; ".join(filter(None, [ev.context_triggers, f"current:{now.group()} (value after it)"]))


def sentence_starts(doc) -> list[int]:
    """The token index of each sentence start, as ``doc.sents`` yields them, read from the
    SENT_START array instead of a Span per sentence (and a walk over the doc's tokens)."""
    flags = doc.to_array("SENT_START")
    return [0] + ((flags[1:] == 1).nonzero()[0] + 1).tolist()


def _sentence_finder(doc):
    """``span.sent`` by bisection over the doc's sentence starts: spaCy's ``Span.sent`` walks the
    tokens back to the sentence start and forward to its end on every call. Like it, a span that
    crosses a boundary gets the sentence of its first token."""
    starts = sentence_starts(doc)
    n = len(doc)

    def sentence_of(span):
        k = bisect.bisect_right(starts, span.start) - 1
        return doc[starts[k] : starts[k + 1] if k + 1 < len(starts) else n]

    return sentence_of


def doc_evidence(doc, patient_id: str, note_id: str, note_date: date | None,
                 concepts: dict[str, dict[str, Any]], section_flags: dict[str, dict[str, bool]],
                 concept_criteria: dict[str, list[str]]) -> list[Evidence]:
    """Evidence rows for every target span of a processed note (a window doc carries the note's
    own text: dates and values are read from it)."""
    text = doc.user_data[TEXT_KEY] if TEXT_KEY in doc.user_data else doc.text  # not .get(): doc.text walks every token
    date_spans = doc.user_data.get(DATE_SPANS_KEY)
    day_first = note_day_first(text)  # read once: dates, entries and windows all ask it
    dates = (find_dates(text, note_date, day_first, _decided=True) if date_spans is None
             else find_dates_in(text, date_spans, note_date, day_first, _decided=True))
    # "reported 25/01/2023" dates no event, nor does "ISN/RPS 2003"
    dates = [d for d in dates if not is_document_date(text, d) and not is_edition_year(text, d)]
    entries = entry_dates(text, day_first, note_date)  # a note of dated entries ("curso clínico")
    quotes = quoted_reports(text, day_first, note_date) if "(" in text else []  # another report quoted with its date
    sections = bounded_sections(text, [
        (s.category, doc[s.title_span[0]:s.title_span[1]].start_char if s.title_span[1] > s.title_span[0] else 0,
         doc[s.title_span[0]:s.title_span[1]].end_char if s.title_span[1] > s.title_span[0] else 0,
         doc[s.body_span[0]:s.body_span[1]].end_char if s.body_span[1] > s.body_span[0] else len(text))
        for s in (getattr(doc._, "sections", None) or []) if s.category],
        {category for category, flags in section_flags.items() if flags.get("one_line")},
        {category for category, flags in section_flags.items() if flags.get("to_end")})
    date_starts, date_ends = [d.start for d in dates], [d.end for d in dates]  # sorted, not overlapping
    ents = [e for e in doc.ents if e.label_ not in NOT_EVIDENCE]
    sentence_of = _sentence_finder(doc) if ents else None
    ent_sents = [sentence_of(e) for e in ents]  # ``e.sent``, without walking tokens each time
    by_sentence: dict[int, list] = {}  # only mentions of the same sentence can block a date
    for e, sent in zip(ents, ent_sents):
        by_sentence.setdefault(sent.start_char, []).append(e)
    rows: list[Evidence] = []
    context_of: dict[int, list[tuple[str, str]]] = {}  # a mention's ConText flags and triggers, by start
    comparisons: dict[int, list[tuple[int, int]]] = {}  # "vs", "previously" spans, by sentence start
    brackets: dict[int, list[tuple[int, int]]] = {}  # "(...)" spans, by sentence start

    def sentence_brackets(sent) -> list[tuple[int, int]]:
        if sent.start_char not in brackets:
            brackets[sent.start_char] = [m.span() for m in _BRACKET.finditer(text, sent.start_char, sent.end_char)]
        return brackets[sent.start_char]

    header_dates: dict[str, DateMention | None] = {}  # the report's specimen / operation date, read once if needed
    for i, ent in enumerate(ents):
        sent = ent_sents[i]
        rule = ent._.target_rule
        ev = Evidence(
            evidence_id=f"{note_id}:{ent.start_char}-{ent.end_char}",
            patient_id=patient_id, note_id=note_id, note_date=note_date, concept=ent.label_,
            start=ent.start_char, end=ent.end_char, text=ent.text,
            rule_id=(f"{ent.label_}:{rule.literal}" if rule is not None else ent.label_)
            + (f" (abbreviation of {ent._.abbreviation_of})" if ent._.abbreviation_of else ""),
            sentence_start=sent.start_char, sentence_end=sent.end_char,
            section=section_at(sections, ent.start_char), sentence_text=text[sent.start_char:sent.end_char],
        )
        triggers = []
        modifiers = effective_modifiers(ent, sent.start)
        for modifier in modifiers:
            flag = _MODIFIER_FLAGS.get(modifier.category)
            if flag:
                setattr(ev, flag, True)
                span = doc[modifier.modifier_span[0] : modifier.modifier_span[1]]
                triggers.append(f"{flag}:{span.text.strip()}")
        head = context_of.get(ents[i - 1].start_char) if i and is_apposition(text, ents[i - 1], ent) else None
        for flag, trigger in head or ():
            if flag == "negated" and ents[i - 1].label_ != ent.label_:
                continue  # a denial passes only to another name of the same thing: "no MMF/CYC (breastfeeding)"
            if not getattr(ev, flag):
                setattr(ev, flag, True)
                triggers.append(f"{flag}:{trigger} (of {ents[i - 1].text})")
        context_of[ent.start_char] = [tuple(t.split(":", 1)) for t in triggers]
        # after context_of is taken: an allergy is no ConText flag for the next mention's apposition to inherit
        for modifier in modifiers:
            if modifier.category == "ALLERGY":  # a drug an inline allergy field names: as under Allergies
                ev.details["allergy"] = True
                triggers.append(f"allergy:{doc[modifier.modifier_span[0]:modifier.modifier_span[1]].text.strip()}")
        own = [m for m in modifiers if m.category == "PATIENT"]  # "personal hx of", under FHx
        # ... or a mention whose own words name the patient's history ("antecedentes personales de neoplasia")
        own_words = _OWN_HISTORY.search(ev.text) is not None
        triggers += [f"patient:{doc[m.modifier_span[0]:m.modifier_span[1]].text}" for m in own[:1]]
        for flag, value in section_flags.get(ev.section or "", {}).items():
            if flag in SECTION_SHAPES:
                continue
            if value and not getattr(ev, flag) and not ((own or own_words) and flag == "family"):
                setattr(ev, flag, True)
                triggers.append(f"{flag}:section {ev.section}")
        ev.context_triggers = "; ".join(triggers)
        if rule is not None and rule.metadata:
            # "why" documents the rule in its file; it is no property of the mention
            ev.details.update((k, v) for k, v in rule.metadata.items() if k != "why")
        config = concepts.get(ev.concept, {})
        reader = READERS.get(config.get("value", ""))
        if reader is not None:
            limit = sent.end_char
            for later in ents[i + 1 :]:
                if later.start_char >= sent.end_char:
                    break
                if concepts.get(later.label_, {}).get("value") == config["value"]:
                    if later.label_ == ent.label_ and _RESTATED_BY.fullmatch(text, ev.end, later.start_char):
                        continue  # "TB screening - QuantiFERON indeterminate": the next name is the same test's
                    limit = later.start_char
                    break
            value = reader(Mention(text, ev.start, ev.end, sent.start_char, sent.end_char, limit, note_date))
            if value is None and config.get("required"):
                continue
            if value is not None:
                ev.value, parsed = value
                # what the text leaves unsaid does not erase what the rule states (a Solu-Medrol dose is IV)
                ev.details.update({k: v for k, v in parsed.items() if v is not None or k not in ev.details})
                _current_value_not_historical(ev, text, doc, modifiers)
        if ev.negated and _is_denial_item(text, ent.start_char, ent.end_char, ev.section):
            ev.details["denial_item"] = True
        if not ev.value and not config.get("label_asserts") and _is_label(text, ent.start_char, ent.end_char):
            ev.details["field_label"] = True  # a field name with no value of its own ("Cancer:", "TB:")
        form = form_answer(text, ent.start_char, ent.end_char)
        if form is not None:
            apply_form_answer(ev, form, lab=config.get("value") == "lab_result", text=text)
        kind = config.get("value") or ev.concept
        drug = ev.details.get("drug")
        blockers = [(o.start_char, o.end_char) for o in by_sentence[sent.start_char] if o is not ent
                    and (concepts.get(o.label_, {}).get("value") or o.label_) == kind
                    and not (drug and _drug_of(o) == drug)
                    and not (drug and (_drug_of(o) or "").endswith("_class"))]  # "anti-TNF" names no other drug
        colon = text.rfind(":", sent.start_char, ev.start) if kind == "lab_result" and blockers else -1
        if colon != -1 and not any(b0 < colon for b0, _ in blockers):
            # results listed after a label: the label's date is every result's ("Cribado (extracción
            # del 7 de octubre): VIH negativo, HBsAg negativo"); a result's own date still blocks the next one
            blockers = [b for b in blockers if b[0] > ev.start]
        # a comparison word opens another state: "SLEDAI-2K 4 ... vs 12 in 2023" is not of 2023
        if sent.start_char not in comparisons:
            comparisons[sent.start_char] = [m.span() for m in _date_words().comparison.finditer(
                text, sent.start_char, sent.end_char)]
        blockers += comparisons[sent.start_char]
        if not drug:
            # a drug in a bracket keeps the bracket's dates: "LN class IV-S, after Euro-Lupus (6 pulses
            # cyclophosphamide 500 mg, last one 13/03/2025)" does not date the class
            blockers += [(o.start_char, o.end_char) for o in by_sentence[sent.start_char] if o is not ent and _drug_of(o)
                         and any(b0 < o.start_char and o.end_char < b1 and not b0 <= ent.start_char < b1
                                 for b0, b1 in sentence_brackets(sent))]
        # a value read further on ("SLEDAI 4 (03/2024) -> 14 (07/2024)") is dated where it is written
        anchor = ev.details.get("value_offset")
        start, end = (anchor, anchor + 1) if anchor is not None else (ev.start, ev.end)
        in_sentence = dates[bisect.bisect_right(date_ends, sent.start_char):bisect.bisect_left(date_starts, sent.end_char)]
        if in_sentence:
            # a mention in a bracket, the bracket's next date its own, is of that date: "class III + V, biopsy
            # 14/09/2024 (class II in 2019)", "(prednisona desde el 28/01/2025 y MMF desde abril)"; not where
            # another mention or a semicolon stands between ("(bolos de MP + MMF desde 10/06)": the MMF's date)
            own_bracket = [(b0, b1) for b0, b1 in sentence_brackets(sent) if b0 < ev.start and ev.end < b1]
            if own_bracket:
                b0, b1 = max(own_bracket)
                inside = [d for d in in_sentence if ev.end <= d.start and d.end < b1 and ";" not in text[ev.end:d.start]
                          and not any(o is not ent and ev.end <= o.start_char < d.start for o in by_sentence[sent.start_char])]
                if inside:
                    in_sentence = inside[:1]
        if drug and in_sentence:
            # "DOSE 2 of 2 (dose 1 given 11/24/2023)": the bracket's date is the other dose's
            other = [m.span() for m in _date_words().other_dose.finditer(text, sent.start_char, sent.end_char)
                     if not m.start() <= ev.start < m.end()]
            if other:
                in_sentence = [d for d in in_sentence if not any(b0 <= d.start and d.end <= b1 for b0, b1 in other)]
        if anchor is not None and anchor > ev.end:
            # "SLEDAI que en enero era de 4, ahora es de 10": the value after "ahora" is not of January
            blockers = blockers + [m.span() for m in _date_words().current.finditer(text, ev.end, anchor)]
            # a date written with the instrument, before any number, is the score's: "SLEDAI-2K hoy
            # (17/02/2025): hematuria 4 + ... = 12 (en agosto, 22)"; not "SLEDAI 4 (03/2024) -> 14 (07/2024)"
            own = next((d for d in in_sentence if ev.end <= d.start < anchor
                        and not any(ch.isdigit() for ch in text[ev.end:d.start])), None)
            if own is not None:
                in_sentence = [own]
            else:
                # "SLEDAI-2K 16 (abril) -> 12 actual": the month before the arrow is the earlier score's
                blockers = blockers + [m.span() for m in _ARROW.finditer(text, ev.end, anchor)]
        if anchor is not None:
            # "SLEDAI-2K: 4 (previo 14 en agosto)": after the value, an earlier value with its own date
            blockers = blockers + [m.span() for m in _date_words().earlier_value.finditer(text, anchor, sent.end_char)]
            # "SLEDAI-2K: 8 (proteinuria 4, hematuria 4); en 2021 era de 4": past a semicolon, another score's date
            semi = text.find(";", anchor, sent.end_char)
            if semi != -1:
                blockers = blockers + [(semi, semi + 1)]
        if anchor is not None and any(d.start > anchor for d in in_sentence):
            # "20 en octubre de 2024 → 8 el 17/03/2025": a date before the arrow is the earlier score's
            blockers = blockers + [m.span() for m in _ARROW.finditer(text, sent.start_char, anchor)]
        last_dose = None
        if config.get("last_dose_words") and in_sentence:
            # "belimumab 28/07/2022 - 27/07/2023, ceased": taken over the range, last on its end
            in_sentence = dash_ranges(text, in_sentence)
        if config.get("last_dose_words"):
            # another drug of the sentence keeps its own stop date ("belimumab (stopped 1/2024) then abatacept")
            # (two generic names of one thing do not: "Ensayo clínico ... con fármaco en investigación
            # ...; última dosis en marzo de 2022")
            drugs = [(o.start_char, o.end_char) for o in by_sentence[sent.start_char] if o is not ent
                     and (_drug_of(o) or (o.label_ == ent.label_ and drug)) and not (drug and _drug_of(o) == drug)]
            last_dose = last_dose_date(text, in_sentence, ev.start, ev.end, drugs, tuple(config["last_dose_words"]))
        header_source = ("specimen_date" if config.get("specimen_dated")
                         else "operation_date" if config.get("operation_dated") else None)
        if header_source is not None and header_source not in header_dates:
            read = specimen_date if header_source == "specimen_date" else operation_date
            header_dates[header_source] = read(text, note_date)
        clause = clause_bounds(text, start, end, sent.start_char, sent.end_char)
        if in_sentence and clause[1] < sent.end_char:
            # an arrow in a later clause leads to another event: "refractory to MMF and rituximab;
            # progressive CKD -> HD start 03/11/2024" does not date the rituximab
            blockers = blockers + [m.span() for m in _ARROW.finditer(text, clause[1], sent.end_char)]
        if in_sentence and not any(clause[0] <= d.start and d.end <= clause[1] for d in in_sentence):
            if age_at_event(text[ev.end:min(ev.end + 60, sent.end_char)]) is not None:
                # "appendectomy at 16; no other operations apart from the kidney biopsy in August":
                # the age dates it, not the next clause's month
                in_sentence = []
            else:
                in_sentence = _without_items_brackets(text, in_sentence, clause, start)
        resolve_date(ev, in_sentence, blockers, clause, (start, end), last_dose,
                     header_dates.get(header_source), quote_at(quotes, ev.start) or entry_at(entries, ev.start),
                     order_guessed=day_first is None, header_source=header_source or "specimen_date")
        if ev.date_source not in SELF_DATED_SOURCES:
            # "apendicectomía a los 12 años": dated by the patient's age then (the evaluator knows the birth date)
            at_age = age_at_event(text[ev.end:min(ev.end + 60, sent.end_char)], text[max(sent.start_char, ev.start - 30):ev.start])
            if at_age is not None:
                ev.details["at_age"] = list(at_age)
        ev.criterion_id = ";".join(concept_criteria.get(ev.concept, []))
        rows.append(ev)
    return rows

