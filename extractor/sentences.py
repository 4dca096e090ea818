"""Sentence boundaries for clinical notes, as a plain function over text.

Clinical notes are mostly lines: list items, "Header: value" rows, table rows. A newline ends a
sentence unless the next line visibly continues the previous one: the previous line has no
closing punctuation and either the next line starts in lower case or the previous one ends in a
word or sign that cannot end a sentence ("or", "with", "+", ","): hard-wrapped text. In a note
whose prose is wrapped at a fixed width (three or more lines near its longest), a line that long
also goes on with any word ("No symptoms of active\n   TB from what you describe"), unless either
line is a table row, a list item or a field. A line indented deeper than the one before it (a
hanging indent under a drug or a test) continues it. Inside a line, ``.``,
``!`` or ``?`` followed by white space and an upper-case letter, digit or bracket ends a
sentence, except after common abbreviations ("Dr.", "e.g.", "vs.") and after dot leaders
("HBsAg ........ Non-reactive" is one table row). In a form flattened onto one line, a run of
spaces before a second "Label:" also ends a sentence. A note dictated with its punctuation
spoken ("... alopecia period anti DNA negative period new paragraph") ends a sentence at each
spoken stop. The word lists are data, in
``patterns/sentence_rules.json`` (read and validated once, on first use).

This replaces PyRuSH (pure Python, ~46 k chars/s) with one compiled regex pass; the spaCy
component in :mod:`extractor.pipeline` only copies these boundaries onto tokens.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

# A candidate boundary: end punctuation followed by spaces and a sentence-like start, a newline,
# or (in exports that flattened a form onto one line) a run of two or more spaces before a field
# label, once the sentence already holds one: "Menstrual Period:  {Not Entered}  Menstrual
# History:  ...". A single label is a table row, not a form: "SLEDAI-2K   Score: 12" stays whole.
_LABEL = r"[A-Z][\w/#&'()-]*(?: [\w/#&'()-]+){0,4}:(?=\s|$)"
_BOUNDARY = re.compile(rf"(?<=[.!?])[ \t]+(?=[A-Z0-9(\[\"'])|\r?\n|(?P<label>(?<=\S)[ \t]{{2,}}(?={_LABEL}))")
_HAS_LABEL = re.compile(r"[A-Za-z)]:(?=\s)")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\.$")
_INITIALISM = re.compile(r"(?:[A-Z]\.)+[A-Z]")
_CAPITAL_NEXT = re.compile(r"[ \t]*[A-ZÁÉÍÓÚÑ]")


@dataclass(frozen=True)
class _Words:
    """The word lists of ``patterns/sentence_rules.json``, compiled once."""

    abbreviations: frozenset[str]
    name_abbreviations: frozenset[str]  # "H." before a capital, after "el" or "(": a place's name, case as written
    name_before: re.Pattern[str]  # ... the words one of them must follow
    open_end: re.Pattern[str]  # a line ending so was hard-wrapped
    sig_end: re.Pattern[str]  # ... and a sig ending so goes on even into a row of columns
    before_number: re.Pattern[str]  # ... and so is one ending so when the next starts with a number
    dictated: re.Pattern[str]  # a spoken paragraph mark: the note was dictated, punctuation and all
    spoken_stop: re.Pattern[str]  # in such a note, a spoken stop or paragraph mark ends a sentence


@functools.cache
def _words() -> _Words:
    from .rules import patterns_dir, validate_sentence_file

    data = validate_sentence_file(patterns_dir() / "sentence_rules.json")
    ends = data["open_line_ends"]

    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

    def phrases(items: list[str]) -> str:
        return "|".join(r"\s+".join(map(re.escape, p.split())) for p in sorted(items, key=len, reverse=True))

    signs = "".join(re.escape(x) for x in ends["signs"])
    after = data["name_abbreviations"]["after"]
    spoken = data["spoken_punctuation"]
    return _Words(
        abbreviations=frozenset(w.lower() for w in data["abbreviations"]),
        name_abbreviations=frozenset(data["name_abbreviations"]["words"]),
        name_before=re.compile("(?:" + "|".join([rf"\b(?:{alternation([w for w in after if w[0].isalnum()])})[ \t]+"]
                                                + [re.escape(w) for w in after if not w[0].isalnum()]) + ")$",
                               re.IGNORECASE),
        open_end=re.compile(rf"(?:\b(?:{alternation(ends['words'])})|[{signs}])$", re.IGNORECASE),
        sig_end=re.compile(rf"\b(?:{alternation(data['sig_line_ends'])})$", re.IGNORECASE),
        before_number=re.compile(rf"\b(?:{alternation(data['before_number'])})$", re.IGNORECASE),
        dictated=re.compile(rf"(?<!\w)(?:{phrases(spoken['paragraphs'])})(?!\w)", re.IGNORECASE),
        # "period of two weeks", "a punto de iniciar": a stop word followed by "of"/"de" is no stop
        spoken_stop=re.compile(rf"(?<!\w)(?:{phrases(spoken['paragraphs'])}|(?:{phrases(spoken['stops'])})"
                               rf"(?![ \t]+(?:of|de|del)\b))(?!\w)"
                               rf"(?:[ \t]+(?:{phrases(spoken['paragraphs'])})(?!\w))*[ \t]*", re.IGNORECASE),
    )


_ITEM_START = re.compile(r"(?:[-*•>#]|\d{1,2}[.)]\s|[A-Z][\w/#&'()-]*(?: [\w/#&'()-]+){0,4}:(?=\s|$))")
_NOT_PROSE = re.compile(r"\||\S[ \t]{3,}\S|\.\.\.")  # table cells, aligned columns, dot leaders
_WRAP_MIN = 60  # a wrapped line is at least this long, and near the longest line of the note


def _wrap_width(text: str) -> int:
    """The width a note's prose was hard-wrapped at: its longest prose line (a table row of 128
    characters is no prose), when at least three lines come within a few characters of it (one
    long line alone is no wrapping); else 0."""
    if "\n" not in text:
        return 0
    lengths = [len(line.rstrip()) for line in text.split("\n") if not _NOT_PROSE.search(line.strip())]
    widest = max(lengths, default=0)
    if widest < _WRAP_MIN or sum(n >= widest - 12 for n in lengths) < 3:
        return 0
    return widest


def _continues(prev_line: str, next_line: str, wrap_width: Callable[[], int] = lambda: 0) -> bool:
    """True when next_line is a wrapped continuation of prev_line (``wrap_width()``: the note's
    longest line, when its prose looks hard-wrapped at a fixed width; asked only when needed)."""
    stripped_next = next_line.lstrip()
    if not stripped_next or not prev_line.strip():
        return False
    prev = prev_line.rstrip()
    if prev[-1] in ".:;!?":
        return False
    words = _words()
    if words.sig_end.search(prev) is not None and stripped_next[0].isalnum():
        return True  # a sig wrapped before its columns: "TAKE THREE TABLETS BY MOUTH TWICE\n   A DAY   Qty: 540"
    if _NOT_PROSE.search(stripped_next):
        return False  # a table row (aligned columns, cells, dot leaders) starts a row of its own
    if stripped_next[0].isdigit() and words.before_number.search(prev):
        return True  # "Last dose of study medication taken\n14/02/2025"
    # a wrapped line may also go on with a bracket: "under RNTCP\n  (Cat I), declared cured."
    if stripped_next[0].islower() or stripped_next[0] == "(" or words.open_end.search(prev) is not None:
        return True
    # a hanging indent continues an entry: "Belimumab (Benlysta) 400 mg IV\n   First administration
    # 20/07/2020 … last administration 08/03/2024"; an indented list item is an item of its own
    indent_prev, indent_next = len(prev_line) - len(prev_line.lstrip()), len(next_line) - len(stripped_next)
    if (indent_next > indent_prev and stripped_next[0].isalnum() and not _ITEM_START.match(stripped_next)
            and not _NOT_PROSE.search(prev.strip())):
        return True
    # prose wrapped at a fixed width goes on with any word: "No symptoms of active\n   TB from what
    # you describe", when the line is as long as the note's longest and neither line is a table
    # row, a list item or a field
    if not (len(prev) >= _WRAP_MIN and (prev[-1].isalnum() or prev[-1] in ",)-") and stripped_next[0].isalnum()
            and not _NOT_PROSE.search(prev.strip())  # (a table row as the next line returned above)
            and not _ITEM_START.match(stripped_next) and not _ITEM_START.match(prev.lstrip())):
        return False
    width = wrap_width()
    return width >= _WRAP_MIN and len(prev) >= width - 12


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) character spans of sentences covering ``text``.

    Spans are contiguous: together they cover the whole text, so every character belongs to
    exactly one sentence (white space stays attached to the sentence before it).
    """
    spans: list[tuple[int, int]] = []
    start = 0
    widths: list[int] = []  # the note's wrap width, measured on first need

    def wrap_width() -> int:
        if not widths:
            widths.append(_wrap_width(text))
        return widths[0]

    for match in _BOUNDARY.finditer(text):
        cut = match.end()
        if match.group().endswith("\n"):
            line_start = text.rfind("\n", 0, match.start()) + 1
            next_end = text.find("\n", cut)
            prev_line = text[line_start : match.start()]
            next_line = text[cut : next_end if next_end != -1 else len(text)]
            if _continues(prev_line, next_line, wrap_width):
                continue
        elif match.group("label") is not None:
            if not _HAS_LABEL.search(text, start, match.start()):
                continue
        else:
            before = text[max(0, match.start() - 2) : match.start()]
            if before == ".." or before == " .":
                continue  # dot leaders of a table row ("HBsAg ........ Non-reactive") or an ellipsis
            word = _WORD_BEFORE.search(text, max(0, match.start() - 12), match.start())
            if word and (word.group(1).lower() in _words().abbreviations or _INITIALISM.fullmatch(word.group(1))
                         or (word.group(1) in _words().name_abbreviations and _CAPITAL_NEXT.match(text, match.end())
                             and _words().name_before.search(text, max(0, word.start() - 6), word.start()))):
                continue  # "Dr. Smith"; an initialism: "en el H.U. Donostia", "C.S. O Ventorrillo"; "el H. Infanta Leonor"
        if cut > start:
            spans.append((start, cut))
            start = cut
    if start < len(text):
        spans.append((start, len(text)))
    words = _words()
    if words.dictated.search(text):
        spans = _split_at(spans, [m.end() for m in words.spoken_stop.finditer(text)])
    return spans


def _split_at(spans: list[tuple[int, int]], cuts: list[int]) -> list[tuple[int, int]]:
    """``spans`` cut again at each offset of ``cuts`` (sorted) that falls strictly inside one."""
    out, i = [], 0
    for start, end in spans:
        while i < len(cuts) and cuts[i] <= start:
            i += 1
        while i < len(cuts) and cuts[i] < end:
            out.append((start, cuts[i]))
            start = cuts[i]
            i += 1
        out.append((start, end))
    return out
