"""The ConText flags an evidence row carries, and how to read them back from any table.

``evidence.csv`` writes them as ``True``/``False``; read with ``dtype=str`` they are strings, and
``bool("False")`` is true. Every reader of evidence rows (partition round trip, report, exports,
adjudication) goes through :func:`is_true`.
"""

from __future__ import annotations

CONTEXT_FLAGS = ("negated", "family", "hypothetical", "historical", "uncertain")


def is_true(value: object) -> bool:
    """A flag cell: a bool, a number, or text ("True"/"false"/"1"/"yes"); missing (None, NaN) is false."""
    if value is None or value != value:  # None or NaN
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
