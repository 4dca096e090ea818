"""Candidate windows: the only parts of a note the NLP pipeline needs to see.

Most of a note says nothing about the criteria. Every target and every section header the
pipeline can find is a medspaCy rule, and each rule names strings its matches must contain:

- a phrase (literal) rule matches token texts joined by "" or one space ("60 mg" also matches
  "60mg"), so its lower-cased spellings are searched for directly (Aho-Corasick, one pass);
- a regular-expression rule whose every match starts with one of a few literals of 2+ letters
  (:func:`~extractor.regex_literals.prefix_literals`) is tried only where one of them starts
  (``pattern.match(text, at)``, left to right as ``finditer`` would): Python's ``re`` otherwise
  tries a large alternation at every character of the note;
- any other one is searched for with the literals every match must contain
  (:func:`~extractor.regex_literals.required_literals`); where they occur the pattern itself
  is run. Either way it runs on the original text and its matches are handed to the pipeline
  as they are.

A window is every sentence such a match overlaps, plus what scispacy's abbreviation detector
reads around a parenthesis ("long form (SF)": up to 33 tokens before it, 8 after) and every
sentence that contains a short form defined in a window. ConText works within a sentence, so
it sees the same words as on the whole note.

:func:`masked_text` keeps the windows and replaces the rest with filler of the same length
(runs of ``x`` split every 64 characters): offsets into the note do not change, and the words
around each window (to the nearest space before it, through the next word after it) are kept so spaCy tokenises the window exactly as in
the full note. The pipeline then runs on the masked text with the note's own sentence
boundaries; evidence reads dates and values from the original text. A note with no window
yields no evidence and is not tokenised at all.

``tests/test_windows.py`` checks the result is the full-text pipeline's, row for row.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from itertools import product

from .regex_literals import prefix_literals, required_literals
from .spans import merge_spans

__all__ = ["WindowFinder", "NoteWindows", "masked_text"]

_MAX_VARIANTS = 16  # a literal of up to five tokens is searched for in every spacing
_LONG_FORM_TOKENS = 33  # scispacy: a short form of <= 27 chars looks back min(len+5, 2*len)+1 tokens
_PAREN_TOKENS = 9  # scispacy only reads "(...)" of at most 8 tokens
_FILL_RUN = 63
# Characters whose case-insensitive match differs from their lower case (Kelvin sign, long s,
# dotted/dotless i, ...): a note containing one is processed whole.
_SPECIAL_FOLD = re.compile("[\u0130\u0131\u017f\u212a\u212b\u1e9e\u03c2\u03d0\u03d1\u03d5\u03d6\u03f0\u03f1\u03f5\u1fbe]")
_PAREN_CONTENT = re.compile(r"\(([^()]{1,60})\)")
_WORD_BEFORE_PAREN = re.compile(r"(\S+)\s*\($")
_PAREN = re.compile(r"[()]")
_SPACE_THEN_WORD = re.compile(r"\s*\S*")
_ALNUM_RUN = re.compile(r"[^\W_]{2,}")
_GAP = re.compile(r"[^\S\n]*\n[^\S\n]*|[^\S\n]{2,}|[^\S\n ]")  # white space but one plain space


@dataclass
class NoteWindows:
    """Windows of one note: (start, end) character spans, sorted and disjoint, and the matches of
    every regular-expression rule, keyed by pattern text."""

    spans: list[tuple[int, int]]
    regex_matches: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    whole: bool = False  # True when the note must be processed whole
    sentences: list[tuple[int, int]] = field(default_factory=list)  # the whole-sentence windows

    def covered(self) -> int:
        return sum(end - start for start, end in self.spans)


class WindowFinder:
    """Built once from the pipeline's own matchers; :meth:`find` is a plain function of the text."""

    def __init__(self, literal_rules: list[tuple[list[str] | None, bool]], regexes: list[tuple[re.Pattern, bool]],
                 split_tokens: set[str]):
        """``literal_rules``: each phrase rule as its lower-case tokens (None for a token-pattern
        rule: notes are then processed whole) and whether a match needs its whole sentence (a target does; a section header needs only itself); ``regexes``: compiled
        patterns as the pipeline compiled them, with the same flag; ``split_tokens``: token texts
        (lower case) that the tokenizer can cut out of a longer word ("can" + "not")."""
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        self.exact = True
        for tokens, sentence in literal_rules:
            if tokens is None:
                self.exact = False  # a token-pattern rule has no spellings to search for (none today)
                continue
            if not tokens:
                continue
            if len(tokens) - 1 > 4:  # too many spellings: search the longest word, widen by the rest
                k = max(range(len(tokens)), key=lambda i: len(tokens[i]))
                before = sum(len(t) + 1 for t in tokens[:k])
                after = sum(len(t) + 1 for t in tokens[k + 1 :])
                self._add(tokens[k], True, True, before, after, sentence)
                continue
            free_left, free_right = tokens[0] in split_tokens, tokens[-1] in split_tokens
            for joins in product(("", " "), repeat=len(tokens) - 1):
                self._add(tokens[0] + "".join(j + t for j, t in zip(joins, tokens[1:])), free_left, free_right, 0, 0,
                          sentence)
        # each regex rule is tried where a match can start (starts_known), or run on notes holding
        # one of its required literals (its anchors), or run on every note (always)
        self.regex_anchors: list[tuple[re.Pattern, frozenset[str] | None]] = []
        self.regex_sentence: list[bool] = [sentence for _, sentence in regexes]
        anchors: dict[str, list[int]] = {}
        starts: dict[str, list[int]] = {}
        self.starts_known: set[int] = set()  # patterns tried only where a match can start
        for i, (pattern, _) in enumerate(regexes):
            prefixes = prefix_literals(pattern.pattern, pattern.flags)
            if prefixes is not None and min(map(len, prefixes)) >= 2:  # one letter ("a") starts too often
                self.starts_known.add(i)
                for literal in prefixes:
                    starts.setdefault(literal, []).append(i)
                self.regex_anchors.append((pattern, None))  # tried at its starts: no anchor scan needed
                continue
            needed = required_literals(pattern.pattern, pattern.flags)
            if needed is not None and min(map(len, needed)) < 3:
                needed = None  # "y", "st": in nearly every note; run the pattern itself
            self.regex_anchors.append((pattern, needed))
            for literal in needed or ():
                anchors.setdefault(literal, []).append(i)
        self.regex_automaton = ahocorasick.Automaton()
        for literal, ids in anchors.items():
            self.regex_automaton.add_word(literal, tuple(ids))
        self.always = [i for i, (_, needed) in enumerate(self.regex_anchors)
                       if needed is None and i not in self.starts_known]
        self.start_automaton = ahocorasick.Automaton()
        for literal, ids in starts.items():
            self.start_automaton.add_word(literal, (len(literal), tuple(ids)))
        self.automaton.make_automaton()
        for automaton in (self.regex_automaton, self.start_automaton):
            if len(automaton):
                automaton.make_automaton()

    def _add(self, spelling: str, free_left: bool, free_right: bool, before: int, after: int, sentence: bool) -> None:
        old = self.automaton.get(spelling, (len(spelling), False, False, 0, 0, False))
        self.automaton.add_word(spelling, (len(spelling), old[1] or free_left, old[2] or free_right,
                                           max(old[3], before), max(old[4], after), old[5] or sentence))

    def find(self, text: str, sentences: list[tuple[int, int]]) -> NoteWindows:
        """Windows of ``text`` given its sentence spans (contiguous, covering the text)."""
        lower = text.lower()
        if not self.exact or len(lower) != len(text) or (not text.isascii() and _SPECIAL_FOLD.search(text)):
            return NoteWindows([(0, len(text))], whole=True)
        starts = [s for s, _ in sentences]
        chosen: set[int] = set()
        headers: list[tuple[int, int]] = []

        def add(start: int, end: int, sentence: bool = True) -> None:
            start, end = max(start, 0), min(end, len(text))
            first = bisect.bisect_right(starts, start) - 1
            last = bisect.bisect_left(starts, max(end, start + 1)) - 1
            rows = range(max(first, 0), last + 1)
            if not sentence and not any(_has_paren(text, *sentences[i]) for i in rows):
                headers.append((start, end))  # a section header: its own words are enough
            else:
                chosen.update(rows)

        flat, origin = _close_gaps(lower)
        n = len(flat)
        for end_index, (length, free_left, free_right, before, after, sentence) in self.automaton.iter(flat):
            start, end = end_index + 1 - length, end_index + 1
            if not free_left and start > 0 and flat[start - 1].isalpha() and flat[start].isalpha():
                continue  # inside a word: no token starts here
            if not free_right and end < n and flat[end - 1].isalpha() and flat[end].isalpha():
                continue
            add(origin(start) - before, origin(end - 1) + 1 + after, sentence)
        run = set(self.always)
        if len(self.regex_automaton):
            for _, ids in self.regex_automaton.iter(lower):
                run.update(ids)
        at: dict[int, set[int]] = {}  # pattern -> where one of its prefixes starts
        if len(self.start_automaton):
            for end_index, (length, ids) in self.start_automaton.iter(lower):
                for i in ids:
                    at.setdefault(i, set()).add(end_index + 1 - length)
        regex_matches = {}
        for i, (pattern, _) in enumerate(self.regex_anchors):
            if i in self.starts_known:
                found = _matches_at(pattern, text, at.get(i, ()))
            else:
                found = [m.span() for m in pattern.finditer(text)] if i in run else []
            regex_matches[pattern.pattern] = found
            for start, end in found:
                add(start, end, self.regex_sentence[i])
        if chosen:
            self._abbreviation_context(text, sentences, chosen)
        sentence_spans = merge_spans([sentences[i] for i in sorted(chosen)])
        return NoteWindows(merge_spans(sorted(sentence_spans + headers)), regex_matches, sentences=sentence_spans)

    @staticmethod
    def _abbreviation_context(text: str, sentences: list[tuple[int, int]], chosen: set[int]) -> None:
        """Add what scispacy's detector reads around a parenthesis in a window, and every sentence
        holding a short form that a window may define; repeat until nothing is added."""
        starts = [s for s, _ in sentences]
        seen_forms: set[str] = set()
        todo = sorted(chosen)
        while todo:
            added: set[int] = set()
            for i in todo:
                s, e = sentences[i]
                sentence = text[s:e]
                if "(" not in sentence and ")" not in sentence:
                    continue
                for paren in _PAREN.finditer(text, s, e):
                    k = paren.start()
                    if paren.group() == "(":
                        added.update(_sentences_back(text, starts, k, _LONG_FORM_TOKENS))
                        added.update(_sentences_forward(text, starts, k, _PAREN_TOKENS))
                    else:
                        added.update(_sentences_back(text, starts, k, _PAREN_TOKENS))
                words = []
                for m in _PAREN_CONTENT.finditer(sentence):
                    words.extend(m.group(1).split())
                    before = _WORD_BEFORE_PAREN.search(sentence, 0, m.start() + 1)
                    if before:
                        words.append(before.group(1))
                forms = set(words)  # a short form is a token: a word or a part of one
                for word in words:
                    forms.update(_ALNUM_RUN.findall(word))
                for form in forms - seen_forms:
                    seen_forms.add(form)
                    if not 2 <= len(form) < 10:
                        continue  # scispacy's short-form filter
                    at = text.find(form)
                    while at != -1:
                        added.add(bisect.bisect_right(starts, at) - 1)
                        at = text.find(form, at + 1)
            todo = sorted(added - chosen)
            chosen.update(added)


def _close_gaps(text: str):
    """``text`` with every gap the matchers read as one space (a line break or a run of spaces
    and tabs, see :func:`extractor.pipeline.is_gap`) written as one space, and a function from an
    offset in it back to ``text``. Closing a gap at a sentence break too only widens the windows."""
    pieces, starts, origins = [], [0], [0]
    at = flat_at = 0
    for match in _GAP.finditer(text):
        pieces.append(text[at : match.start()])
        flat_at += match.start() - at + 1
        pieces.append(" ")
        at = match.end()
        starts.append(flat_at)
        origins.append(at)
    if len(starts) == 1:
        return text, lambda offset: offset
    pieces.append(text[at:])

    def origin(offset: int) -> int:
        k = bisect.bisect_right(starts, offset) - 1
        return origins[k] + offset - starts[k]

    return "".join(pieces), origin


def _matches_at(pattern: re.Pattern, text: str, starts) -> list[tuple[int, int]]:
    """``[m.span() for m in pattern.finditer(text)]`` for a pattern whose every match starts at one
    of ``starts``: left to right, each match tried where the previous one ended or later."""
    found: list[tuple[int, int]] = []
    pos = 0
    for start in sorted(starts):
        if start < pos:
            continue
        match = pattern.match(text, start)
        if match:
            found.append(match.span())
            pos = match.end()  # never empty: a match starts with a literal
    return found


def _has_paren(text: str, start: int, end: int) -> bool:
    return _PAREN.search(text, start, end) is not None


def _sentences_back(text: str, starts: list[int], at: int, tokens: int) -> range:
    """Sentences from the one holding the ``tokens``-th word before ``at`` to the one holding ``at``
    (a token never spans two words, so words bound tokens)."""
    low = _words_back(text, at, tokens)
    last = bisect.bisect_right(starts, at) - 1
    return range(max(bisect.bisect_right(starts, low) - 1, 0), last + 1)


_WORD_RUN = re.compile(r"\S+")


def _words_back(text: str, at: int, tokens: int) -> int:
    """The white space just before the ``tokens``-th word back from ``at`` (a word cut by ``at``
    counts), or 0 when the text starts first: one scan of the words before ``at``, widened until
    it holds enough of them."""
    lo = max(0, at - 64 * tokens)
    while True:
        words = [m.start() for m in _WORD_RUN.finditer(text, lo, at)]
        # the first word found may be cut by ``lo``: count it only when nothing lies before it
        usable = words if lo == 0 else words[1:]
        if len(usable) >= tokens:
            return max(usable[-tokens] - 1, 0)
        if lo == 0:
            return 0
        lo = max(0, lo - 64 * tokens)


def _sentences_forward(text: str, starts: list[int], at: int, tokens: int) -> range:
    high = at
    for _ in range(tokens):
        m = _NEXT_WORD.search(text, high + 1)
        if not m:
            high = len(text)
            break
        high = m.start()
    first = bisect.bisect_right(starts, at) - 1
    return range(first, bisect.bisect_right(starts, max(high, at)))


_NEXT_WORD = re.compile(r"\s+\S")


def masked_text(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with everything outside ``spans`` (widened to the nearest space on each side)
    replaced by filler of the same length."""
    kept = merge_spans((text.rfind(" ", 0, start) + 1, _kept_end(text, end)) for start, end in spans)
    parts, at = [], 0
    for left, right in kept:
        parts.append(_filler(left - at, at > 0, True))
        parts.append(text[left:right])
        at = right
    parts.append(_filler(len(text) - at, at > 0, False))
    return "".join(parts)


def _kept_end(text: str, end: int) -> int:
    """Through the white space after a window and the word after it: a white-space token can
    run across the window's end, and the sentence ends where the next token starts."""
    right = text.find(" ", _SPACE_THEN_WORD.match(text, end).end())
    return len(text) if right == -1 else right


def _filler(length: int, space_before: bool, space_after: bool) -> str:
    """``length`` characters: a space where the original has the separating space (after a kept
    span, before the next), ``x`` runs split every 64 characters between."""
    if length <= 0:
        return ""
    lead = " " if space_before else ""
    tail = " " if space_after and length - len(lead) > 0 else ""
    middle = length - len(lead) - len(tail)
    if middle <= 0:
        return (lead + tail)[:length]
    block = "x" * _FILL_RUN + " "
    body = (block * (middle // len(block) + 1))[:middle]
    if body.endswith(" "):
        body = body[:-1] + "x"
    return lead + body + tail
