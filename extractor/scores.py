"""Disease-activity scores written after the instrument's name ("SLEDAI-2K 12", "SLEDAI-2K
score of 8 on 03/01/2024", "SLEDAI 4 -> 10", "SLEDAI-2K increased from 4 to 10"). A sequence
of scores is read to its last value: the latest one is the current score. A score written as a
sum of its descriptors ("SLEDAI-2K: hematuria 4 + proteinuria 4 = 8") or as a table of items
under the name is read at its total."""

from __future__ import annotations

import re

from .dates import MONTH_WORDS
from .numbers import spelled_numbers

__all__ = ["TABLE_REACH", "parse_score", "parse_score_table"]

_LEAD = (
    r"(?:\s*(?:-?2K|-?2000|[:=(\[|-]|date|value|result|fecha|valor|score|scores|total|index|was|is|were|of|at|today|now|currently|calculated|"
    r"increased|decreased|rose|fell|went|worsened|improved|from|up|down|del|de|estimated|calculated|to|be|at|according|noted|documented|has|have|had|fallen|dropped|risen|climbed|gone|puntuaci[oó]n|hoy|actual|ahora|al|egreso|ingreso|es|fue|era|que|calculado|hoje|agora|atual|heute|oggi|\d{1,2}/\d{1,2}/\d{2,4}(?!\d)|"
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{4}|on|\)|,|"
    # a checklist's threshold before the value: "[x] SLEDAI-2K >= 6 -- 12 on 04/15/2025"
    r"(?:>=|≥)\s*\d{1,2}\s*(?:--|—|–|:)|"
    # when it was scored: "at diagnosis (December 2024) 16", "al diagnóstico (diciembre de 2024) 16"
    r"diagnosis|diagn[oó]stico|baseline|basal|onset|debut|inicio|admission|discharge|alta|presentation|screening|"
    # where and when it was scored, as dictated: "en la consulta de junio cuatro, hoy ocho"
    r"en|in|la|the|consulta|visita|visit|clinic|review|revisi[oó]n|reumatolog[ií]a|rheumatology|"
    + "|".join(map(re.escape, MONTH_WORDS)) + "|"
    r"\([^()\n\d]{0,30}(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{4})?[^()\n\d]{0,10}\))\s*)*"
)
_SCORE = re.compile(
    r"^" + _LEAD + r"\s*(?P<first>\d{1,3})(?![\d/A-Za-z]|\.\d)(?P<chain>(?:\s*(?:\([^()\n]{1,30}\)\s*"
    r"|[^\d\n.;()]{1,40}?\s+(?=to\s+\d)"
    # "10 on 09/10/2024 -> 4", "10 in January -> 16": a date or words before an arrow
    r"|(?:\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|(?<!\d)(?:19|20)\d{2}(?!\d)|\([^()\n]{1,30}\)|[^\d\n;()]){1,40}?"
    r"\s*(?=→|->|-->|=>)"
    # "16 at diagnosis; today 12", "16; hoy 12"
    # "que en enero era de 4 ahora es de 10", "now it is 10"
    r"|(?:\([^()\n]{1,30}\)|[^\d\n.;()]){0,40}?(?:[;,]\s*|\s+)(?:today|now|currently|hoy|ahora|actualmente|actual)\s*:?\s*"
    r"(?:(?:it|is|es|est[áa]|de|en|of|at|a)\s+)*(?=\d{1,3}(?![\d/]))"
    # "4 at the August review; 10 today"
    r"|[^\d\n.;()]{0,40}?[;,]\s*(?=\d{1,3}\s+(?:today|now|currently|at\s+this\s+visit)\b)"
    # "was 10 in June 2024 and is 4 today"
    r"|(?:[^\d\n.;()]|(?<!\d)(?:19|20)\d{2}(?!\d)){0,40}?\s+(?:and\s+)?(?:is|it\s+is|now)\s+"
    r"(?=\d{1,3}\s+(?:today|now|currently|at\s+this\s+visit)\b))?"
    r"(?:→|->|-->|=>|to|a|,\s*now|now|then|(?<=[;,])|(?<=[;,]\s)|(?<=[^\W\d_]\s)|(?<=[^\W\d_]:\s))\s*\d{1,3}(?![\d/]|\.\d))*)",
    re.IGNORECASE,
)
# the score written out as a sum of its descriptors (one or more: "SLEDAI-2K today: proteinuria 4 = 4"):
# "SLEDAI-2K (today): hematuria 4 + proteinuria 4 +
# low complement 2 + increased DNA binding 2 = 12" is 12, and so is a list of them ("proteinuria 4,
# haematuria 4, ... = 18")
_SUM = re.compile(
    r"^" + _LEAD + r"(?:[^\d=;\n]{1,40}?\d{1,2}\s*[+,]\s*)*[^\d=;\n]{1,40}?\d{1,2}\s*=\s*(?P<total>\d{1,3})(?![\d/]|\.\d)",
    re.IGNORECASE,
)
# the score as a table under the name, read at its total row: "SLEDAI-2K (27/05/2025)\n| Ítem | Puntos |\n
# |---|---|\n| Hematuria | 4 |\n...\n| TOTAL | 10 |"
_TABLE_TOTAL = re.compile(
    r"^[^\n]{0,60}\n(?:[ \t]*[^\s][^\n]*\n){1,25}?[ \t|]*(?:total|puntuaci[oó]n\s+total|suma)(?:[ \t]+(?:score|sledai(?:-2k)?|puntos|points))?"
    r"[ \t.:|=-]*(?P<total>\d{1,3})(?![\d/]|\.\d)",
    re.IGNORECASE,
)
TABLE_REACH = 1500  # characters after the name a table of items may fill, up to its total row
_NUMBERS = re.compile(r"\d{1,3}")
MAX_SCORE = 105  # SLEDAI-2K's maximum


def parse_score(after: str) -> tuple[int, int, int] | None:
    """(score, start, end) of the current score in the text after an instrument name, or None."""
    after = spelled_numbers(after[:400])  # "hoy doce" as dictated; offsets unchanged
    table = parse_score_table(after)
    if table is not None:
        return table
    total = _SUM.match(after)
    if total and int(total.group("total")) <= MAX_SCORE:
        return int(total.group("total")), total.start("total"), total.end("total")
    match = _SCORE.match(after[:80])
    if not match:
        return None
    chain = match.group("chain")
    if chain:
        last = list(_NUMBERS.finditer(chain))[-1]
        value = int(last.group())
        start = match.start("chain") + last.start()
        end = match.start("chain") + last.end()
    else:
        value = int(match.group("first"))
        start, end = match.start("first"), match.end("first")
    if value > MAX_SCORE:
        return None
    return value, start, end


def parse_score_table(after: str) -> tuple[int, int, int] | None:
    """(total, start, end) of a table of items written under an instrument's name, or None."""
    table = _TABLE_TOTAL.match(after[:TABLE_REACH])
    if table and int(table.group("total")) <= MAX_SCORE:
        return int(table.group("total")), table.start("total"), table.end("total")
    return None
