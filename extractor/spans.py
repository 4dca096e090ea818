"""Character spans (start, end) of a note: merging sorted spans that overlap or touch."""

from __future__ import annotations

__all__ = ["merge_spans"]


def merge_spans(spans, margin: int = 0, limit: int | None = None) -> list[tuple[int, int]]:
    """Spans sorted by start, each widened by ``margin`` (clipped to ``0..limit``), merged where
    they overlap or touch."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        start, end = max(0, start - margin), end + margin if limit is None else min(limit, end + margin)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
