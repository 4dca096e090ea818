"""Answers of tick-box forms: what a box ticked beside (or under) a topic says about it.

Forms and checklists exported to text name a topic and answer it with boxes. ConText reads
words, not columns, so "Organ transplant recipient:  [ ] Yes  [X] No" would be an affirmed
transplant. :func:`form_answer` reads the row a mention sits in, in one of these shapes:

- option words beside the boxes on the same line: "[ ] Yes  [X] No", "Yes [x]  No [ ]",
  "( ) Sí (x) No";
- boxes in columns under a header line above: "Yes    No    Not sure" over "[ ]  [X]  [ ]", each
  box read as the header cell nearest to it;
- a box before the topic in a "check all that apply" list: "[ ] rituximab    [X] NONE";
- no boxes: "Y / N:  N" (nothing written is a blank), an answer in the next cell ("Hx of organ
  transplant ...... N", "HIV:  Negative"), a date or a mark under a header's column
  ("Belimumab dose 1 ... 11/04/2024" under "Scheduled"), or a later cell that is a status word
  ("Prevnar 20   11/15/2024   Administered", "| Belimumab IV | 610 mg | Anulado");
- a label wrapped onto the next line takes that line's boxes.

The answer is one of :data:`ANSWERS` (yes, done, no, not_done, unsure, planned, stopped,
not_applicable) or ``blank`` (no box ticked, nothing written), with the word that gave it;
``None`` when the mention is not a form's topic (prose, or the free-text comment after a row's
boxes). The words of each answer are data: ``patterns/form_rules.json``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["FormAnswer", "form_answer", "ANSWERS", "result_of", "later_result", "test_done_after"]

ANSWERS = ("yes", "done", "no", "not_done", "unsure", "planned", "stopped", "not_applicable")
_BOX = re.compile(r"\[ ?[xXvV✓✔*] ?\]|\[ ?\]|\( ?[xX] ?\)|\( \)|\(\)|[☐☒☑]|_[xX]_")
_TICKED = re.compile(r"[xXvV✓✔*☒☑]")
_GAP_BEFORE = re.compile(r"(?:[ \t]{2,}|\t|\.{3,}[ \t]*|:[ \t]*|\|[ \t]*)$")
_YN = re.compile(r"\b[YS][ \t]*/[ \t]*N[ \t]*:?[ \t]*(?:(\S+)|$)", re.IGNORECASE)
_BLANK_LINE = re.compile(r"(?:^|:|[ \t]{2,})[ \t]*_{3,}[ \t]*$")
_CELL_SEP = re.compile(r"[ \t]*(?:\.{3,}|:|\|)[ \t]*|[ \t]{2,}|\t")  # "Hx of TB ...... N", "TB:  N", "| N"
_CELL_END = re.compile(r"[ \t]{2,}|\t|[ \t]*[(,;]|[ \t]+[-–][ \t]|[ \t]*$")
_OPEN_LABEL = re.compile(r"(?:,|\([^)]*)[ \t]*$")  # "Biológicos previos (anti-TNF, abatacept,"
_SENTENCE_END = re.compile(r"\w\.[ \t]+\S")  # a full stop, not a dot leader
_CELL_SPLIT = re.compile(r"[ \t]{2,}|\t")
_ROW_CELLS = re.compile(r"[ \t]{2,}|\t|[ \t]*\|[ \t]*")
_HEADER_LOOKBACK = 40  # lines
_MAX_ROW = 400  # characters: a longer line is prose, not a form row
# the first cell after a row's label, when it is a date or a mark ("Belimumab dose 1      11/04/2024")
_VALUE_CELL = re.compile(r"(?:[ \t]{2,}|\t)(\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{4}|[xX✓✔])"
                         r"(?=[ \t]{2,}|\t|[ \t]*$)")


@dataclass(frozen=True)
class FormAnswer:
    answer: str  # one of ANSWERS, or "blank"
    word: str  # the option word, header cell or mark that gave it
    how: str  # "option", "yes_no", "column", "list", "cell", "status"


@functools.lru_cache(maxsize=1)
def _rules() -> dict:
    from .rules import patterns_dir, validate_form_rules_file

    return validate_form_rules_file(patterns_dir() / "form_rules.json")


@functools.lru_cache(maxsize=1)
def _words() -> dict[str, str]:
    """Answer word (lower case) -> answer, from ``patterns/form_rules.json``."""
    data = _rules()
    return {word: answer for answer in ANSWERS for word in data[f"{answer}_words"]}


@functools.lru_cache(maxsize=1)
def _status_words() -> frozenset[str]:
    return frozenset(_rules()["status_words"])


@functools.lru_cache(maxsize=1)
def _result_words() -> dict[str, str]:
    return {word: kind for kind, words in _rules()["result_words"].items() for word in words}


@functools.lru_cache(maxsize=1)
def _test_done() -> re.Pattern[str]:
    words = "|".join(map(re.escape, sorted(_rules()["test_done_words"], key=len, reverse=True)))
    return re.compile(rf"(?:/[\w-]+)?[ \t]+(?:{words})(?!\w)", re.IGNORECASE)


def test_done_after(text: str, end: int) -> bool:
    """A test name at ``end`` followed by a word that the test was done ("[X] HBV/HCV screening
    within 12 mo"): a tick there says it was done, not that it was positive."""
    return _test_done().match(text, end) is not None


def result_of(word: str) -> str | None:
    """"positive" or "negative" when an answer word is a lab's result ("Negativo", "Reactive")."""
    return _result_words().get(word.strip().lower())


def later_result(text: str, end: int) -> str | None:
    """The first result word among the cells of the row after ``end`` ("| Realizada | No reactivo")."""
    line_end = text.find("\n", end)
    row = text[end:len(text) if line_end == -1 else line_end]
    return next((r for r in map(result_of, _ROW_CELLS.split(row)) if r is not None), None)


def _answer_of(word: str) -> str | None:
    return _words().get(word.strip().lower())


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end == -1 else line_end


def _column(line: str, at: int) -> int:
    return len(line[:at].expandtabs())


_WORD_AFTER = re.compile(r"[ \t]?(\(\w\)|\?|[^\W\d][\w/’']*(?: [a-z][\w’']*)?)")
_WORD_BEFORE = re.compile(r"(\(\w\)|[^\W\d][\w/’']*(?: [a-z][\w’']*)?)[ \t]?$")


def _option_word(line: str, box_start: int, box_end: int, after: bool) -> tuple[str, int] | None:
    """The answer word written right after (or before) a box, and where it starts."""
    m = _WORD_AFTER.match(line, box_end) if after else _WORD_BEFORE.search(line, 0, box_start)
    if not m:
        return None
    phrase = m.group(1)
    last = phrase.split(" ")[0] if after else phrase.split(" ")[-1]
    for word in (phrase, last):
        if _answer_of(word) is not None:
            at = m.start(1) if after or word == phrase else m.end(1) - len(word)
            return word, at
    return None


def _header_cells(line: str) -> list[tuple[int, int, str]]:
    """(first column, last column, word) of each cell of a header line: cells are split by two or
    more spaces, so "Not sure" and "No cumple" stay whole."""
    cells, at = [], 0
    for part in _CELL_SPLIT.split(line):
        at = line.find(part, at)
        if part.strip():
            left = _column(line, at)
            cells.append((left, left + len(part) - 1, part.strip()))
        at += len(part)
    return cells


def _header_above(text: str, line_start: int, block: bool = False) -> list[tuple[int, int, str]] | None:
    """The nearest line above with no box and cells naming two or more different answers
    ("Yes  No", "Given  Scheduled"; a result row "Negative  Negative" is not a header);
    ``block``: only within the row's block of lines (no blank line between)."""
    end = line_start - 1
    for _ in range(_HEADER_LOOKBACK):
        if end <= 0:
            return None
        start = text.rfind("\n", 0, end) + 1
        if end - start > _MAX_ROW or (block and not text[start:end].strip()):
            return None
        line = text[start:end]
        if not _BOX.search(line):
            cells = _header_cells(line)
            if len({_answer_of(w) for _, _, w in cells} - {None}) >= 2:
                return cells
        end = start - 1
    return None


def form_answer(text: str, start: int, end: int) -> FormAnswer | None:
    """How the form row around ``text[start:end]`` answers it (see the module docstring)."""
    line_start, line_end = _line_bounds(text, start, end)
    if line_end - line_start > _MAX_ROW:
        return None
    line = text[line_start:line_end]
    s, e = start - line_start, end - line_start
    boxes = [(m.start(), m.end(), bool(_TICKED.search(m.group()))) for m in _BOX.finditer(line)]
    before = [b for b in boxes if b[1] <= s]
    if before:
        return _list_item(line, s, before[-1])
    after = [b for b in boxes if b[0] >= e]
    if after:
        return _boxes_after(text, line_start, line, e, after)
    return _without_boxes(text, line_start, line_end, line, e)


def _list_item(line: str, s: int, box: tuple[int, int, bool]) -> FormAnswer | None:
    """A "check all that apply" item: the box right before the topic, in the same cell; else the
    topic is the comment after a row's boxes, or a later cell (None)."""
    b0, b1, ticked = box
    between = line[b1:s]
    if "  " not in between and "\t" not in between and (not line[:b0].strip() or not between.strip()):
        return FormAnswer("yes" if ticked else "blank", line[b0:b1], "list")
    return None


def _boxes_after(text: str, line_start: int, line: str, e: int,
                 after: list[tuple[int, int, bool]]) -> FormAnswer | None:
    """Boxes after the topic: with option words beside them, or under a header's columns."""
    b0 = after[0][0]
    word_first = _option_word(line, b0, after[0][1], after=False)
    lead = line[e: word_first[1] if word_first else b0]
    if not _GAP_BEFORE.search(lead) or _SENTENCE_END.search(lead):
        return None  # prose that happens to hold a box
    box_first = None if word_first else _option_word(line, *after[0][:2], after=True)
    ticked = [b for b in after if b[2]]
    if box_first is not None or word_first is not None:  # option words on the line
        if not ticked:
            return FormAnswer("blank", "", "option")
        found = _option_word(line, ticked[0][0], ticked[0][1], after=box_first is not None)
        answer = _answer_of(found[0]) if found else None
        return FormAnswer(answer, found[0], "option") if answer else None
    header = _header_above(text, line_start)
    if header is None:
        if len(after) == 1:
            return FormAnswer("yes" if ticked else "blank", line[after[0][0]:after[0][1]], "list")
        return FormAnswer("blank", "", "column") if not ticked else None
    if not ticked:
        return FormAnswer("blank", "", "column")
    found = _column_answer(header, line, ticked[0][0], ticked[0][1], e)
    return FormAnswer(found[0], found[1], "column") if found else None


def _without_boxes(text: str, line_start: int, line_end: int, line: str, e: int) -> FormAnswer | None:
    """A row without boxes: "Y / N:  N", a blank "____", an answer in the next cell, a date or a
    mark under a header's column, a status cell, or a label that goes on to a line with boxes."""
    rest = line[e:]
    yes_no = _YN.search(rest)
    if yes_no and (not rest[: yes_no.start()].strip() or _GAP_BEFORE.search(rest, 0, yes_no.start())) \
            and not _SENTENCE_END.search(rest, 0, yes_no.start()):
        word = yes_no.group(1)
        answer = _answer_of(word) if word else None
        return FormAnswer(answer or "blank", word or "", "yes_no") if answer or not word else None
    if _BLANK_LINE.search(rest) and not _SENTENCE_END.search(rest):
        return FormAnswer("blank", "", "cell")
    sep = _CELL_SEP.search(rest)
    if sep and not _SENTENCE_END.search(rest, 0, sep.start()):
        word = _CELL_END.split(rest[sep.end():], 1)[0]
        answer = _answer_of(word) if word else None
        if answer is not None:
            return FormAnswer(answer, word, "cell")
    value = _VALUE_CELL.search(rest)
    if value is not None and not _SENTENCE_END.search(rest, 0, value.start()):
        header = _header_above(text, line_start, block=True)  # "Belimumab dose 1   11/04/2024" under "Scheduled"
        if header is not None:
            found = _column_answer(header, line, e + value.start(1), e + value.end(1), e)
            if found is not None and found[0] in ("yes", "done", "no", "not_done", "planned"):
                return FormAnswer(found[0], found[1], "column")
    status = _status_cell(rest)
    if status is not None:
        return status
    if _OPEN_LABEL.search(rest, max(0, len(rest) - 80)) and line_end < len(text):  # the row's label goes on below
        following = line_end + 1
        next_end = text.find("\n", following)
        if _BOX.search(text, following, len(text) if next_end == -1 else next_end):
            return form_answer(text, following, following)
    return None


def _status_cell(rest: str) -> FormAnswer | None:
    """A later cell of a table row that is a status word ("Prevnar 20   11/15/2024   Administered",
    "| Belimumab IV | 610 mg | Anulado"): the row's text after the topic has two or more cells."""
    cells = [c.strip() for c in _ROW_CELLS.split(rest)]
    if len(cells) < 3:  # the topic's own cell, then at least two more
        return None
    for cell in cells[1:]:
        word = _CELL_END.split(cell, 1)[0]  # "Due - no dose ever recorded"
        if word.lower() in _status_words():  # not a result word: a later cell may be a reference range
            return FormAnswer(_answer_of(word), word, "status")
    return None


def _column_answer(header: list[tuple[int, int, str]], line: str, start: int, end: int,
                   label_end: int) -> tuple[str, str] | None:
    """The answer of the header cell nearest to ``line[start:end]`` (a box or a value), not
    counting the title of the row labels' own column."""
    centre = (_column(line, start) + _column(line, end - 1)) / 2
    label_column = _column(line, label_end)
    columns = [c for c in header if c[1] >= label_column] or header
    left, right, word = min(columns, key=lambda c: abs((c[0] + c[1]) / 2 - centre))
    answer = _answer_of(word)
    return (answer, word) if answer else None
