"""Where a section really ends.

medspaCy's sectionizer runs a section from its header to the next header it recognises, so one
"Allergies: NKDA" line can swallow the rest of a note whose other headers it does not know
("S:", "Vaccines (per registry):", "INFECTIOUS SEROLOGY"). A section here ends at the first
blank line or at the first line that looks like any header, known or not. A header that is
itself a list item ("- Allergies: NAMC." under "Background") is that item only: it ends where
the next item of the list starts.
"""

from __future__ import annotations

import re

__all__ = ["bounded_sections", "section_at"]

# "Header:" at a line start (up to 6 words), or an ALL-CAPS line of its own.
_HEADER_LINE = re.compile(
    r"^[ \t]*(?:(?:\d{1,2}[.)][ \t]*)?[A-Za-zÁÉÍÓÚÑáéíóúñ][\w /&()'.+-]{0,45}?:(?!\d)|[A-Z][A-Z0-9 /&()'-]{3,60}[ \t]*$)",
    re.MULTILINE,
)
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_BULLET = re.compile(r"[ \t]*[-*•][ \t]")
_BULLET_LINE = re.compile(r"^[ \t]*[-*•][ \t]", re.MULTILINE)


def bounded_sections(text: str, sections: list[tuple[str, int, int, int]],
                     one_line: frozenset[str] | set[str] = frozenset(),
                     to_end: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, int, int]]:
    """(category, start, end) for sections given as (category, title_start, title_end, body_end);
    a section of a ``one_line`` category ("Subject: ...") ends with its header's line (or the lines
    that line wraps onto, :func:`_field_end`), one of a
    ``to_end`` category ("[Copied from previous notes]") runs to the end of the note, over the
    headers of the text it copies."""
    out = []
    for category, title_start, title_end, body_end in sections:
        end = body_end
        if category in to_end:
            out.append((category, title_start, len(text)))
            continue
        if category in one_line:
            out.append((category, title_start, _field_end(text, title_end, end)))
            continue
        blank = _BLANK_LINE.search(text, title_end, body_end)
        if blank:
            end = blank.start()
        line_end = text.find("\n", title_end, end)
        if line_end != -1:
            header = _HEADER_LINE.search(text, line_end + 1, end)
            if header:
                end = header.start()
            if _BULLET.match(text, title_start, title_end):
                item = _BULLET_LINE.search(text, line_end + 1, end)
                if item:
                    end = item.start()
        out.append((category, title_start, end))
    return out


_WRAPPED = 60  # a shorter line ends where it ends ("Subject: Hib shot"); a longer one may be wrapped
_SENTENCE_END = re.compile(r"[.:;!?][ \t\r]*$")


def _field_end(text: str, start: int, end: int) -> int:
    """End of a one-line field: its line, or the lines it wraps onto (a long line that ends mid-sentence,
    followed by one that goes on in lower case and is no header): "AF: padre con ERC ..., trasplantado
    renal de donante vivo (su hermano, tío\npaterno del paciente) en 2015; falleció en 2021 por cáncer"."""
    line_end = text.find("\n", start, end)
    while line_end != -1:
        next_end = text.find("\n", line_end + 1, end)
        following = text[line_end + 1:end if next_end == -1 else next_end]
        line_start = text.rfind("\n", 0, line_end) + 1
        if (line_end - line_start < _WRAPPED or _SENTENCE_END.search(text, start, line_end)
                or not following.strip()[:1].islower() or _HEADER_LINE.match(following)):
            return line_end
        start, line_end = line_end + 1, next_end
    return end


def section_at(bounded: list[tuple[str, int, int]], offset: int) -> str | None:
    """Category of the bounded section containing ``offset``, or None."""
    for category, start, end in bounded:
        if start <= offset < end:
            return category
    return None
