"""Strings that every match of a regular expression must contain.

``required_literals(r"\\b(?:kidney|renal)\\b[^.]{0,40}biops(?:y|ies)\\b")`` returns
``{"biopsy", "biopsies"}``: any text the pattern matches contains one of them (compared in
lower case). A cheap multi-string search for these literals then tells which notes can match the
pattern at all, the prefilter idea of RE2 and of Russ Cox's code search. ``None`` means no such
set was found (the pattern may match anything); callers must then run the pattern itself.

The analysis walks Python's own parse tree of the pattern (``re._parser``), so it reads exactly
the syntax ``re`` compiles. It is conservative: each construct either yields a set that is
provably necessary or nothing.
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

__all__ = ["required_literals", "prefix_literals"]

_CAP = 64  # largest set of alternatives kept exact
_ZERO_WIDTH = {_c.AT, _c.ASSERT, _c.ASSERT_NOT}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())


def required_literals(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Lower-case strings one of which occurs in every match of ``pattern``, or None."""
    exact, needs = _sequence(_p.parse(pattern, flags))
    return _best(needs + ([exact] if exact else []))


def prefix_literals(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Lower-case strings one of which every match of ``pattern`` starts with, or None.

    ``prefix_literals(r"(?<!no )\\b(?:start|stop)(?:ped)?\\s+\\w+")`` returns ``{"start", "stop",
    "started", "stopped"}``: zero-width assertions before the first character are skipped, so a
    match can only begin where one of these strings begins. Trying the pattern at just those
    places (``pattern.match(text, at)``) then finds what ``finditer`` finds, without running it
    at every position of the text.
    """
    prefixes = _prefixes(_p.parse(pattern, flags))
    return frozenset(prefixes) if _useful(prefixes) else None


def _zero_width(op, av) -> bool:
    if op in _ZERO_WIDTH:
        return True
    if op is _c.SUBPATTERN:
        return all(_zero_width(*item) for item in av[-1])
    if op is _c.BRANCH:
        return all(all(_zero_width(*item) for item in branch) for branch in av[1])
    return False


def _prefixes(items) -> set[str] | None:
    """Strings one of which every match of the sequence starts with ({""} when none is known)."""
    out = {""}
    for k, (op, av) in enumerate(items):
        if _zero_width(op, av):
            continue
        exact, _ = _node(op, av)
        if exact is not None:
            product = {a + b for a in out for b in exact}
            if len(product) > _CAP:
                return out
            out = product
            continue
        if op is _c.SUBPATTERN:
            inner = _prefixes(av[-1])
        elif op is _c.BRANCH:
            inner = _union(_prefixes(branch) for branch in av[1])
        elif op in _REPEATS:
            low, _, sub = av
            inner = _prefixes(sub)
            if low == 0:  # optional: the match starts with it or with what follows it
                inner = _union([inner, _prefixes(items[k + 1 :])])
        else:
            inner = None
        if _useful(inner) and len(out) * len(inner) <= _CAP:
            out = {a + b for a in out for b in inner}
        return out
    return out


def _union(parts) -> set[str] | None:
    """One set of prefixes for alternatives, None unless each has its own."""
    parts = list(parts)
    return set().union(*parts) if all(_useful(part) for part in parts) else None


def _useful(strings: set[str] | None) -> bool:
    return bool(strings) and "" not in strings


def _best(candidates: list) -> frozenset[str] | None:
    """The most selective set: longest shortest member, then fewest members."""
    usable = [c for c in candidates if _useful(c)]
    if not usable:
        return None
    return frozenset(max(usable, key=lambda s: (min(map(len, s)), -len(s))))


def _sequence(items) -> tuple[set[str] | None, list[set[str]]]:
    """(exact, needs): every string the sequence can match when that set is small (else None), and
    sets of which one member occurs in every match."""
    needs: list[set[str]] = []
    chain: set[str] | None = {""}  # strings matched by the contiguous run of exact nodes so far
    whole = True  # the chain covers the sequence from its start
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        exact, inner = _node(op, av)
        needs.extend(inner)
        if exact is None:
            if chain and chain != {""}:
                needs.append(chain)
            chain, whole = None, False
            continue
        if chain is None:
            chain = set(exact)
            continue
        product = {a + b for a in chain for b in exact}
        if len(product) <= _CAP:
            chain = product
        else:
            if chain != {""}:
                needs.append(chain)
            chain, whole = set(exact), False
    if chain and chain != {""} and not whole:
        needs.append(chain)
    return (chain if whole else None), needs


def _node(op, av) -> tuple[set[str] | None, list[set[str]]]:
    if op is _c.LITERAL:
        return {chr(av).lower()}, []
    if op is _c.IN:
        chars = set()
        for kind, value in av:
            if kind is not _c.LITERAL:
                return None, []
            chars.add(chr(value).lower())
        return (chars if len(chars) <= 8 else None), []
    if op is _c.SUBPATTERN:
        return _sequence(av[-1])
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _sequence(av)
    if op is _c.BRANCH:
        parts = [_sequence(branch) for branch in av[1]]
        exact = None
        if all(e is not None for e, _ in parts):
            union = set().union(*(e for e, _ in parts))
            exact = union if len(union) <= _CAP else None
        if exact is not None:
            return exact, []
        bests = [_best(needs + ([e] if e else [])) for e, needs in parts]
        return None, ([set().union(*bests)] if all(bests) else [])
    if op in _REPEATS:
        low, high, sub = av
        exact, needs = _sequence(sub)
        if low == 0:
            if exact is not None and high == 1 and len(exact) < _CAP:
                return exact | {""}, []  # optional: "classes?" -> {"class", "classes"}
            return None, []
        if exact is not None and low == high and len(exact) ** low <= _CAP:
            out = {""}
            for _ in range(low):
                out = {a + b for a in out for b in exact}
            return out, []
        best = _best(needs + ([exact] if exact else []))
        return None, ([set(best)] if best else [])
    return None, []  # any char, categories, negated literals, back-references
