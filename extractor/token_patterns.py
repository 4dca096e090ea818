"""Token patterns matched only where they can start.

spaCy's Matcher starts every one of its patterns at every token it is given and checks each in
C: a cheap step, but ConText holds about 1,100 token patterns (after
:func:`extractor.pipeline.expanded_pattern`), so a 20-token sentence costs some 22,000 steps,
and that was a quarter of the windowed pipeline's time. Two facts make most of them cheap:

- about half are a fixed sequence of lower-case words (``[{"LOWER": "no"}, {"LOWER": "longer"}]``)
  or of exact texts: such a pattern matches exactly where spaCy's PhraseMatcher on ``LOWER`` (or
  ``ORTH``) matches the same words, one hash lookup per token for all of them;
- nearly all the others name the word their first token must be (after a leading optional token
  is written out as two patterns, :func:`required_starts`). They are grouped by that word, one
  small Matcher each, and a sentence runs only the groups whose word it contains.

:class:`SplitMatcher` answers like the Matcher it replaces: the same ``(key, start, end)``
matches, offsets relative to the span it is given. Their order can differ, and ConText's
matcher sorts them by ``(start, end)`` before pruning, so order only decides between two rules
that match the very same tokens: when that happens, the sentence goes through the original
Matcher, whose order is then the one medspaCy always saw.
"""

from __future__ import annotations

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

__all__ = ["SplitMatcher", "phrase_words", "required_starts", "first_words"]

_PHRASE_ATTRS = {"LOWER": "LOWER", "TEXT": "ORTH", "ORTH": "ORTH"}
_ALWAYS = ("", "")  # the bucket of patterns that may start at any token


def phrase_words(pattern: list[dict]) -> tuple[str, list[str]] | None:
    """``(PhraseMatcher attr, words)`` when ``pattern`` is a plain sequence of words on one text
    attribute (no operators, sets or other attributes), else None. A ``LOWER`` value that is not
    lower-case never matches, so it stays a token pattern."""
    attrs = {attr for token in pattern for attr in token}
    if len(attrs) != 1 or not pattern:
        return None
    (attr,) = attrs
    if attr not in _PHRASE_ATTRS:
        return None
    words = [token[attr] for token in pattern]
    if not all(isinstance(word, str) and word and not any(c.isspace() for c in word) for word in words):
        return None
    if attr == "LOWER" and any(word != word.lower() for word in words):
        return None
    return _PHRASE_ATTRS[attr], words


def required_starts(pattern: list[dict]) -> list[list[dict]]:
    """``pattern`` as patterns whose first token is required, with the same matches: a leading
    ``"?"`` token becomes one pattern without it and one with it required, a leading ``"*"`` one
    without it and one with it as ``"+"``. spaCy's Matcher returns every match of every path, so
    the union of the two is the original's matches."""
    if not pattern or pattern[0].get("OP") not in ("?", "*"):
        return [pattern]
    first, rest = pattern[0], pattern[1:]
    required = {k: v for k, v in first.items() if k != "OP"}
    if first["OP"] == "*":
        required["OP"] = "+"
    return ([] if not rest else required_starts(rest)) + [[required, *rest]]


def first_words(pattern: list[dict]) -> list[tuple[str, str]]:
    """The ``(attr, word)`` pairs one of which the first token of a match must have (``LOWER`` or
    ``ORTH``), or ``[_ALWAYS]`` when the pattern may start at any token."""
    first = pattern[0]
    if first.get("OP") not in (None, "+"):
        return [_ALWAYS]
    for attr in ("LOWER", "TEXT", "ORTH"):
        value = first.get(attr)
        if isinstance(value, str):
            return [(_PHRASE_ATTRS[attr], value)]
        if isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
            return [(_PHRASE_ATTRS[attr], v) for v in value["IN"]]
    return [_ALWAYS]


class SplitMatcher:
    """A spaCy Matcher's patterns split into PhraseMatchers (plain word sequences) and a Matcher
    for the rest; called like the Matcher, with the same matches (see the module docstring)."""

    def __init__(self, matcher: Matcher):
        vocab = matcher.vocab
        self.original = matcher
        self.buckets: dict[tuple[str, str], Matcher] = {}  # first word -> the other patterns
        self.phrases = {attr: PhraseMatcher(vocab, attr=attr) for attr in set(_PHRASE_ATTRS.values())}
        self.phrase_count = 0
        self.callbacks = any(matcher.get(key)[0] is not None for key in matcher._patterns)
        for key in () if self.callbacks else matcher._patterns:  # callbacks see the Matcher's matches
            on_match, patterns = matcher.get(key)
            name = vocab.strings[key]
            rest = []
            for pattern in patterns:
                phrase = phrase_words(pattern)
                if phrase is None:
                    rest.append(pattern)
                else:
                    self.phrases[phrase[0]].add(name, [Doc(vocab, words=phrase[1])])
                    self.phrase_count += 1
            for pattern in (p for r in rest for p in required_starts(r)):
                for word in first_words(pattern):
                    bucket = self.buckets.get(word)
                    if bucket is None:
                        bucket = self.buckets[word] = Matcher(vocab, validate=False)
                    bucket.add(name, [pattern])
        self.phrases = {attr: m for attr, m in self.phrases.items() if len(m)}
        self.always = self.buckets.pop(_ALWAYS, None)

    def __len__(self) -> int:
        return len(self.original)

    def __call__(self, doclike: Doc | Span) -> list[tuple[int, int, int]]:
        if self.callbacks:
            return self.original(doclike)
        offset = doclike.start if isinstance(doclike, Span) else 0
        found = dict.fromkeys(self.always(doclike) if self.always is not None else [])
        first: dict[tuple[str, str], int] = {}  # where each word first occurs: a match of its group starts there or later
        for i, token in enumerate(doclike):
            first.setdefault(("LOWER", token.lower_), i)
            first.setdefault(("ORTH", token.text), i)
        for word in first.keys() & self.buckets.keys():
            at = first[word]
            matches = self.buckets[word](doclike[at:] if at else doclike)
            found.update(dict.fromkeys((key, start + at, end + at) for key, start, end in matches))
        for phrase_matcher in self.phrases.values():
            found.update(dict.fromkeys((key, start - offset, end - offset) for key, start, end in phrase_matcher(doclike)))
        spans: dict[tuple[int, int], int] = {}
        for key, start, end in found:
            if spans.setdefault((start, end), key) != key:
                return self.original(doclike)  # two rules on the same tokens: keep the Matcher's order
        return list(found)
