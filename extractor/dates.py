"""Find and resolve date expressions in clinical notes.

Model
-----
A date mention is a *range of possible days*, not a single day. Every expression found in a note is
resolved to ``[date_min, date_max]`` (both inclusive) plus the *precision* of the words that named it:

=========  ==============================================================  ===========================
precision  examples                                                        range
=========  ==============================================================  ===========================
day        2024-03-15, 03/15/2024, 15 March 2024, yesterday, 3 days ago    one day (min == max)
week       2 weeks ago, last week                                          about a week
month      March 2024, 03/2024, 2024-03, last month, 3 months ago          a calendar month or +/-15 d
season     spring 2023, last winter, in the spring                         three calendar months
year       in 2015, since 2019, last year, 2 years ago                     a calendar year or +/-6 mo
=========  ==============================================================  ===========================

A window rule (criteria.md, decision rule 2) then decides on the whole range: wholly inside or
wholly outside a window decides, a range that straddles the boundary is ``unknown``.

``kind`` is ``"absolute"`` when the text itself names the date and ``"relative"`` when it had to be
resolved against the note's ``reference_date`` ("3 months ago", "last spring", "on March 15"
without a year). Relative expressions are skipped when no reference date is given.

Numeric dates are read month-first (US) unless the note says otherwise: a header such as
``Fecha: 25/03/2024 (dd/mm/yyyy)`` or any unambiguously day-first date (first field > 12) makes the
whole note day-first (see :func:`note_day_first`). A date that is valid in only one reading is read
that way whatever the note says (``15/03/2024`` is always 15 March); ``day_first`` on the mention
records how it was read.

Design: one compiled regular expression per pattern family, one ``finditer`` pass each; candidates
of all families are then reduced to a sorted, non-overlapping list where the longest match wins
(ties: earlier start, then the family listed first in :func:`find_dates`). No module state changes.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from types import MappingProxyType

from .admissions import NO_ANCHORS, Anchors, admission_anchors, admission_ranges
from .numbers import COUNT_WORDS, NUMBER_WORDS, number_runs, spelled_numbers, written_in_digits
from .spans import merge_spans

__all__ = ["DateMention", "find_dates", "find_dates_in", "note_day_first", "other_reading", "dash_ranges", "parse_iso_date",
           "days_between", "add_months"]


@dataclass(frozen=True)
class DateMention:
    start: int  # char offset into the text passed in
    end: int
    text: str  # == text[start:end]
    date_min: date  # earliest possible day (inclusive)
    date_max: date  # latest possible day (inclusive); == date_min for a precise day
    precision: str  # "day" | "week" | "month" | "season" | "year"
    kind: str  # "absolute" (the text names the date) | "relative" (resolved against reference_date)
    day_first: bool  # True when a numeric date was read day-first


# --------------------------------------------------------------------------------------------------
# Vocabulary (read-only)

# Every month name the patterns read, with its number: English, Spanish, Portuguese, Catalan, and the
# French, German, Italian and Dutch left in notes translated from European hospitals (not the
# three-letter Portuguese "set", "out", "ago": English words before a year, "ruled out 2019").
# <MONTH> is built from it.
_MONTH_NAMES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("january", "jan", "enero", "ene", "janvier", "janv", "januar", "jänner", "jaenner", "janner", "gennaio",
         "januari", "janeiro", "gener")),
    (2, ("february", "feb", "febrero", "février", "fevrier", "févr", "fevr", "februar", "febbraio", "februari",
         "fevereiro", "fev", "febrer")),
    (3, ("march", "mar", "marzo", "mars", "märz", "maerz", "marz", "maart", "março", "marco", "març")),
    (4, ("april", "apr", "abril", "abr", "avril", "avr", "aprile")),
    (5, ("may", "mayo", "mai", "maggio", "mei", "maio", "maig")),
    (6, ("june", "jun", "junio", "juin", "juni", "giugno", "junho", "juny")),
    (7, ("july", "jul", "julio", "juillet", "juil", "juli", "luglio", "julho", "juliol")),
    (8, ("august", "aug", "agosto", "août", "aout", "augustus")),
    (9, ("september", "sept", "sep", "septiembre", "setiembre", "septembre", "settembre", "setembro", "setembre")),
    (10, ("october", "oct", "octubre", "octobre", "oktober", "okt", "ottobre", "outubro")),
    (11, ("november", "nov", "noviembre", "novembre", "novembro")),
    (12, ("december", "dec", "diciembre", "dic", "décembre", "decembre", "déc", "dezember", "dez", "dicembre",
         "dezembro", "desembre")),
)
_MONTH_BY_NAME = MappingProxyType({name: number for number, names in _MONTH_NAMES for name in names})
_MONTH_ALTERNATION = "|".join(map(re.escape, sorted(_MONTH_BY_NAME, key=len, reverse=True)))
# month names of 4+ letters, for other modules' patterns (three-letter ones, "mar", "may", are words too)
MONTH_WORDS = tuple(sorted((name for name in _MONTH_BY_NAME if len(name) >= 4), key=len, reverse=True))

# Month tokens that are ordinary English words when written in lower case ("values may 2...");
# they are not accepted in the year-less forms, which have no year to confirm them.
_AMBIGUOUS_LOWER_MONTHS = frozenset({"may", "mar", "march", "dec", "mai", "mei", "mars", "dez"})

_SEASON_CANONICAL = MappingProxyType({
    "spring": "spring", "primavera": "spring", "summer": "summer", "verano": "summer",
    "fall": "fall", "autumn": "fall", "otoño": "fall", "otono": "fall",
    "winter": "winter", "invierno": "winter",
})

# first month of each season; winter labelled Y runs Dec (Y-1) .. Feb (Y)
_SEASON_START_MONTH = MappingProxyType({"spring": 3, "summer": 6, "fall": 9, "winter": 12})

_NUMBER_WORDS = MappingProxyType({"a": 1, "an": 1, **NUMBER_WORDS})

# --------------------------------------------------------------------------------------------------
# Regular expressions. Placeholders are expanded by _rx(); <UNIT> goes first because it uses <S>.

_PLACEHOLDERS: tuple[tuple[str, str], ...] = (
    # a unit or count noun right after a number: "2000 mg", "2019 patients", "3/2024 ..." never a date
    ("<UNIT>", r"(?:<S>*(?:[/%]|(?:mg|mcg|µg|ug|ng|pg|g|gm|grams?|kg|lbs?|ml|l|dl|cc|mm|cm|mmol|meq"
               r"|iu|units?|u|cells?|copies|patients?|subjects?|cases?|doses?|tabs?|tablets?|pills?"
               r"|caps?|capsules?|times|days?|weeks?|months?|years?|hours?|hrs?|minutes?|mins?|ns"
               r"|strength|kcal|mmhg|bpm)\b))"),
    ("<S>", r"[ \t\xa0]"),
    # not glued to a preceding word, number, '/', '.', or 'digit-' (keeps "HIV-1/2", "555-..." out),
    # except a year and a dash: the second date of "03/01/2024-03/15/2024"
    ("<NB>", r"(?<![\w./])(?:(?<!\d-)|(?<=(?:19|20)\d\d-))"),
    ("<MONTH>", "(?P<mon>" + _MONTH_ALTERNATION + r")\b"),
    ("<MONTH1>", "(?P<mon1>" + _MONTH_ALTERNATION + r")\b"),  # a first month of two ("Aug/Sept 2024")
    ("<SEASON>", r"(?P<season>spring|summer|fall|autumn|winter|primavera|verano|oto[ñn]o|invierno)\b"),
    ("<Y4>", r"(?:19|20)\d{2}"),
    ("<SUF>", r"(?:st|nd|rd|th|er|\.)?"),  # 1st; French "1er mars"; German "3. März"
)


def _rx(pattern: str) -> re.Pattern[str]:
    """Compile a case-insensitive pattern after expanding the <PLACEHOLDERS>."""
    for token, value in _PLACEHOLDERS:
        pattern = pattern.replace(token, value)
    return re.compile(pattern, re.IGNORECASE)


_END = r"(?!\d|[/.]\d)"  # a numeric date ends here: no further digit or '/5', '.5'

# -- absolute, day precision
_ISO_RE = _rx(r"<NB>(?P<y><Y4>)(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})" + _END)
_NUM_DATE_RE = _rx(r"<NB>(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y><Y4>|\d{2})" + _END)
# a day, a month name and a year are a date whatever follows ("January 5, 2024 patient presented")
_NAMED_MDY_RE = _rx(r"\b<MONTH>(?:\.<S>*|<S>+|-)(?P<d>\d{1,2})<SUF>(?:<S>*,<S>*|<S>+|-)"
                    r"(?P<y><Y4>)(?!\d)")
_NAMED_DMY_RE = _rx(r"<NB>(?P<d>\d{1,2})<SUF>(?:<S>+(?:of|de)<S>+|<S>+d['’]|<S>+)<MONTH>\.?"
                    r"(?:<S>*,<S>*|<S>+)(?:(?:del?<S>+)?(?P<y><Y4>)|del<S>+(?P<y2>\d{2}))(?!\d|<S>*(?:%|:\d))")
_DASHED_DMY_RE = _rx(r"<NB>(?P<d>\d{1,2})(?P<sep>[-/])<MONTH>\.?(?P=sep)(?P<y><Y4>|\d{2})(?!\d)")
# a day that could not be read in a scanned or copied record: "[illegible].11.2023", "??/11/2023",
# "XX/11/2023", "__/11/2023", "11/??/2023" (month-first). Its month and year still date it: a month range.
_UNREAD = r"(?:\[[^\]\n]{1,20}\]|\?{1,2}|[xX]{2}|_{1,2})"
# Chinese and Japanese dates: "2024年9月15日", "2024年9月" and a day left unread "2024年9月[illegible]日"
_CJK_DATE_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[ \t]*年[ \t]*(?P<m>\d{1,2})[ \t]*月"
                          r"(?:[ \t]*(?:(?P<d>\d{1,2})|\[[^\]\n]{1,20}\]|\?{1,2})[ \t]*日)?")
_UNREAD_FIRST_RE = _rx(r"(?<![\w./])" + _UNREAD + r"(?P<sep>[-/.])(?P<a>\d{1,2})(?P=sep)(?P<y><Y4>)" + _END)
_UNREAD_MIDDLE_RE = _rx(r"<NB>(?P<a>\d{1,2})(?P<sep>[-/.])" + _UNREAD + r"(?P=sep)(?P<y><Y4>)" + _END)

# -- absolute, month precision
_ISO_MONTH_RE = _rx(r"<NB>(?P<y><Y4>)-(?P<m>\d{2})(?!\d|[-/.]\d|<UNIT>)")
_NUM_MONTH_RE = _rx(r"<NB>(?P<m>\d{1,2})[/.-](?P<y><Y4>)(?!\d|[/.]\d|<UNIT>)")  # 03/2024, 03.2024, 03-2024
# two months of one year: "rituximab 2 x 1 g (02-03/2022)"
_NUM_MONTH_RANGE_RE = _rx(r"(?<![\d/.])(?P<m1>\d{1,2})<S>*[-–]<S>*(?P<m>\d{1,2})/(?P<y><Y4>)(?!\d|[/.]\d|<UNIT>)")
# ... across one hard line break too: "rituximab (two doses in November\n2018, for ITP)"
# ... and with a two-digit year after Spanish "del": "lo dejó en marzo del 24"
_NAMED_MONTH_RE = _rx(r"\b<MONTH>\.?(?:<S>*,<S>*|<S>+(?:(?:of|del?)<S>+)?|<S>*[-/]<S>*|<S>*\r?\n<S>*)"
                      r"(?:(?P<y><Y4>)|'(?P<yy>\d{2})|(?<=del<S>)(?P<yy2>\d{2}))(?!\d|<UNIT>|<S>*(?:%|:\d))")
_RATIO_BEFORE_RE = _rx(r"(?:\btit(?:er|re)s?|\bana|\bdilution|\bratio|[<>≥≤])<S>*$")

# -- absolute, season and year precision
# two months, either or both, then one year: "outside bx Aug/Sept 2024", "Dec or early Jan 2025"
_MONTH_OR_MONTH = r"<S>*(?:/|-|–|or|to|o|ou)<S>*(?:(?:early|late|mid-?|principios<S>+de|finales<S>+de|mediados<S>+de)<S>*)?"
_MONTH_PAIR_YEAR_RE = _rx(r"\b<MONTH1>\.?" + _MONTH_OR_MONTH + r"<MONTH>\.?(?:<S>*,<S>*|<S>+(?:(?:of|del?)<S>+)?)"
                          r"(?P<y><Y4>)(?!\d|<UNIT>)")
_MONTH_OR_MONTH_RE = _rx(_MONTH_OR_MONTH)
# from one month to another, one year after both: "Belimumab de enero a agosto de 2024", "from Jan through Aug 2024"
_MONTH_RANGE_YEAR_RE = _rx(r"\b(?:from|de|desde|entre|between|du|von|dal)<S>+<MONTH1>\.?<S>+"
                           r"(?:to|until|till|through|thru|a|al|hasta|y|and|bis|au|à|e)<S>+<MONTH>\.?"
                           r"(?:<S>*,<S>*|<S>+(?:(?:of|del?)<S>+)?)(?P<y><Y4>)(?!\d|<UNIT>)")
_SEASON_YEAR_RE = _rx(r"\b<SEASON>(?:<S>*,<S>*|<S>+(?:(?:of|del?)<S>+)?)(?P<y><Y4>)(?!\d|<UNIT>)")
_YEAR_RE = _rx(r"(?<![\w./$#+])(?P<y><Y4>)(?![\w%]|[.,/:]\d|[-–]\d{1,2}(?!\d)|<UNIT>)")
# a bare year after a cue word, or qualifying a noun after a determiner ("older 2016 bx was class II")
_YEAR_CUE_BEFORE_RE = _rx(
    r"(?:\b(?:in|since|from|until|till|through|thru|during|circa|ca\.|c\.|before|after|early|late"
    r"|around|year|dx|diagnosed|en|desde|hasta|del?|the|between|entre"
    r"|older|prior|previous|earlier|initial|original|first|her|his|their)(?:<S>+|<S>*\r?\n<S>*)|\b(?:middle|end|beginning|start|half|course|summer|spring|autumn|fall|winter)<S>+of<S>+|\bmid-?<S>*|\(<S>*"
    r"|\b<Y4><S>*(?:[-–,&]|to|through|and|or)<S>*)$")
_YEAR_LINE_LEAD_RE = _rx(r"<S>*(?:(?:[-*•]|\d{1,2}[.)])<S>*)?")
# a year that closes a clause: "appendectomy 2005.", "kidney transplant 2012, on tacrolimus"
_QUANTITY_BEFORE_RE = _rx(r"(?:\b(?:dose|doses|total|count|volume|level|titer|titre|value|score|weight)<S>+(?:of<S>+)?|=<S>*|\bx<S>*)$")
_YEAR_CUE_AFTER_RE = _rx(r"(?:<S>*:(?!\d)|[ \t]*(?:[.;,)](?!\d)|\((?!\d|<UNIT>)|(?=\r?\n)|\Z)"
                         r"|[ \t]+(?:with|without|for|complicated|via|due|after|before|at|then|and|only|-)\b|[ \t]+s/p\b)")

# -- month and day without a year (need reference_date)
_MD_NOYEAR_RE = _rx(r"\b<MONTH>(?:\.<S>*|<S>+)(?P<d>\d{1,2})<SUF>"
                    r"(?!\w|[.,/:]\d|<S>*[-–/]<S>*\d|<S>*,?<S>*(?:<Y4>|'\d{2})\b|<UNIT>)")
_DM_NOYEAR_RE = _rx(r"<NB>(?P<d>\d{1,2})<SUF>(?:<S>+(?:of|de)<S>+|<S>+|-)<MONTH>"
                    r"(?!\.?<S>*[-,/.]?<S>*(?:(?:del?|of)<S>+)?(?:<Y4>|'?\d{2})\b)")
# a month with no year after a cue: "started in May", "since September", "in early March", "desde abril",
# or alone in brackets: "during that admit (March)"
_ANY_MONTH_RE = _rx(r"<MONTH>")  # every pattern with a month name contains one
# Spanish also "el pasado (mes de) febrero", "a finales / principios / mediados de enero", "la revisión de febrero"
_MONTH_NOYEAR_RE = _rx(r"(?:\b(?:in|since|during|from|until|through|last|this|early|late|mid-?|en|desde|hasta|durante|de|the"
                       r"|pasado|mes<S>+de|(?:a<S>+)?(?:finales|principios|mediados|primeros)<S>+de)"
                       r"(?:<S>+(?:early|late|mid-?))?<S>+|\()<MONTH>\b(?!\.?<S>*(?:\d|'\d|(?:of|del?)<S>+\d))")
# a month then "past": "augment de losartan el desembre passat", "en diciembre pasado", "en mars dernier"
_MONTH_PAST_AFTER_RE = _rx(r"\b<MONTH><S>+(?:passat|pasado|passado|dernier)\b")
# a deadline or a next occurrence looks ahead: "taper to 20 mg by April", "recheck next March"
_MONTH_AHEAD_RE = _rx(r"\b(?:by|next)<S>+(?:(?:early|late|mid-?|the<S>+end<S>+of)<S>+)?<MONTH>\b"
                      r"(?!\.?<S>*(?:\d|'\d|(?:of|del?)<S>+\d))")
# ... also right after a biopsy's name, as terse notes date it: "PBR 13/9 (AP definitiva 20/9)"
# (not a count of glomeruli: "biopsy 12/20 glomeruli")
_NUM_NOYEAR_RE = _rx(r"\b(?:on|since|dated|as<S>+of|starting|started|until|through|effective|el|del|desde|hasta|d[ií]a|fecha"
                     r"|pbr|rebiopsia|biopsia(?:<S>+renal)?|biopsy|bx"
                     r"|ces[áa]rea|c-section|cesarean|cirug[íi]a|surgery|intervenida|intervenido|operada|operado|operated"
                     r"|laparosc[óo]pica|lap\.?)<S>+"
                     r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/]|\.\d|<UNIT>|<S>+of\b|<S>*(?:glom|cilindr|cores?\b|fragment))")

# a day range with no year: "IV MP 5/6-5/8", "pulses 05/06 - 05/08"
_MD_RANGE_NOYEAR_RE = _rx(r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})<S>*[-–]<S>*(?P<c>\d{1,2})/(?P<d>\d{1,2})"
                          r"(?![\d/]|\.\d|<UNIT>)")

# -- relative (need reference_date)
_AGO_RE = _rx(r"(?:(?<![\w.,/-])(?P<n>\d{1,3})<S>*-?<S>*"
              r"|\b(?P<w>an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)(?:<S>+|-))"
              r"(?P<unit>days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y)<S>+"
              r"(?P<dir>ago|back|prior|earlier|before)\b")
# "3 days prior to admission", "2 weeks before the biopsy": anchored to another event, not the note
_ANCHOR_AFTER_RE = _rx(r"<S>+(?:to|than|the|a|an|this|that|these|those|her|his|their|its|our|my"
                       r"|admission|presentation|discharge|surgery|biopsy|transplant|diagnosis|onset"
                       r"|delivery|initiation|\w+ing)\b")
# Spanish "hace 3 meses", "hace dos años"; Portuguese "há 3 meses", "há dois anos"
_SPANISH_NUMBERS = {w: n for w, n in COUNT_WORDS.items() if w not in NUMBER_WORDS}
_HACE_RE = _rx(r"(?:\bhace|(?<!\w)h[áa])<S>+(?:(?:unos|unas|uns|umas|aproximadamente|aprox\.?|alrededor<S>+de|cerca<S>+de"
               r"|casi|quase|m[áa]s<S>+de|mais<S>+de)<S>+)?(?:(?P<n>\d{1,3})|(?P<w>"
               + "|".join(sorted(_SPANISH_NUMBERS, key=len, reverse=True)) + r"))<S>+"
               r"(?P<unit>d[ií]as?|semanas?|mes(?:es)?|meses|años?|anos?)\b")
_SPANISH_UNITS = {"d": "d", "s": "w", "m": "m", "a": "y"}
# a month name right after a number read out in words: "doce de febrero", "twelfth of February"
_MONTH_AFTER_RE = _rx(r"<S>*(?:de<S>+|of<S>+)?<MONTH>")
# a day of the note's own month: "El día 18 Nefro le subió el enalapril", "no dia 3", "on the 18th"
_DAY_OF_MONTH_RE = _rx(r"(?:\b(?:el|este|no|o)<S>+d[ií]a<S>+(?P<d>\d{1,2})|\bon<S>+the<S>+(?P<d2>\d{1,2})(?:st|nd|rd|th))(?![\d/.-]\d|\d)")
# "el día 18 de mayo" is the named date's; "el día 10 de tratamiento", "día 5 post", a count
_MONTH_FOLLOWS_RE = _rx(r"<S>*(?:[/.-]<S>*\d|<MONTH>|(?:de|del|of|post|tras|after|from|desde|do|da)\b)")
# month/day items sharing the year of the last one: "07/02, 07/03, 07/04/2024"
_MD_LIST_RE = _rx(r"(?<![\d/.])(?P<items>(?:\d{1,2}/\d{1,2}<S>*(?:,|and|&|y)<S>*)+)"
                  r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?!\d)")
_MD_ITEM_RE = re.compile(r"(\d{1,2})/(\d{1,2})")
# days of one month, day-first: "3 pulsos de MP (20, 21 y 22/12/2024)", "los días 19, 20 y 21/4"
_DAY_LIST_RE = _rx(r"(?<![\d/.,])(?P<first>\d{1,2})(?:<S>*,<S>*\d{1,2})*<S>*(?:,|y|and|e|et|&)<S>*"
                   r"(?P<last>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/]|\.\d|<UNIT>)")
_DAY_LIST_CUE_RE = _rx(r"\b(?:d[ií]as|days|el|los|the|on|les|jours|dias)<S>+$")
_LAST_UNIT_RE = _rx(r"(?<!the )\blast<S>+(?P<unit>week|month|year)\b(?!<S>+of\b)")
_THIS_UNIT_RE = _rx(r"(?<!later )\b(?:earlier<S>+)?this<S>+(?P<unit>year|month)\b")
# Spanish "el mes pasado", "la semana pasada", "el año pasado"
_LAST_UNIT_ES_RE = _rx(r"\b(?:el|la)<S>+(?P<unit>semana|mes|año|ano)<S>+pasad[oa]\b")
_ES_UNITS = {"semana": "week", "mes": "month", "año": "year", "ano": "year"}
# also in German, French, Italian, Dutch and Spanish notes
_TODAY_RE = _rx(r"\b(?P<w>today|yesterday|heute|gestern|aujourd'hui|aujourd’hui|hier|oggi|ieri|vandaag|gisteren|hoy|ayer)\b")
_YESTERDAY = frozenset({"yesterday", "gestern", "hier", "ieri", "gisteren", "ayer"})
_REL_SEASON_RE = _rx(r"\b(?:(?P<last>last|this<S>+past|(?:la|el)<S>+pasad[oa])<S>+|(?:in|during)<S>+the<S>+)<SEASON>"
                     r"(?!<S>*,?<S>*(?:(?:of|del?)<S>+)?(?:<Y4>|last|this|the|next)\b)")
# ... Spanish with the adjective after: "la primavera pasada", "el verano pasado"
_REL_SEASON_AFTER_RE = _rx(r"\b(?:la|el)<S>+<SEASON><S>+(?P<last>pasad[oa])\b")

# -- day-first declarations ("(dd/mm/yyyy)", "DD.MM.YYYY", "dd-mm-aaaa")
_DECL_DAY_FIRST_RE = _rx(r"\b(?:dd|jj|tt|gg)<S>*[/.\-]<S>*mm\b")  # French jj/mm, German TT.MM., Italian gg/mm
_DECL_MONTH_FIRST_RE = _rx(r"\bmm<S>*[/.\-]<S>*dd\b")

_ISO_CELL_RE = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{2})(?P=sep)(?P<d>\d{2})"
    r"(?:[ T](?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?", re.ASCII)
_ISO_CELL_FORMAT = "YYYY-MM-DD (optionally 'YYYY-MM-DD HH:MM[:SS]') or YYYY/MM/DD"


# --------------------------------------------------------------------------------------------------
# Public API


@functools.cache
def _month_automaton():
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for name in _MONTH_BY_NAME:
        automaton.add_word(name, len(name))
    automaton.make_automaton()
    return automaton


# a year in words: "dos mil quince", "mil novecientos noventa y ocho", "two thousand and nine"
_YEAR_WORDS_RE = re.compile(r"\b(?:dos\s+mil|mil\s+novecientos|two\s+thousand)\b", re.IGNORECASE)


def _is_year(value: int) -> bool:
    return 1900 <= value <= 2099


def _has_month_name(text: str) -> bool:
    """``_ANY_MONTH_RE.search(text) is not None``, by one multi-string scan: Python's ``re`` tries
    the 89-name alternation at every character."""
    lower = text.lower()
    if len(lower) != len(text):
        return _ANY_MONTH_RE.search(text) is not None  # a character whose lower case is longer
    n = len(lower)
    for end, _ in _month_automaton().iter(lower):
        after = end + 1  # the name ends at a word boundary: "\b" after its last letter
        if after == n or not (lower[after].isalnum() or lower[after] == "_"):
            return True
    return False


def find_dates(text: str, reference_date: date | None = None,
               day_first: bool | None = None, *, _decided: bool = False,
               _anchors: Anchors | None = None) -> list[DateMention]:
    """All date expressions in text, sorted by start, non-overlapping (longest wins).

    ``day_first=None`` asks :func:`note_day_first`; True/False overrides it. Relative and year-less
    expressions are only returned when ``reference_date`` is given. Phrases counted from a
    hospital admission ("al quinto día de ingreso") are dated from the admission the text's
    header gives (:mod:`extractor.admissions`).
    """
    if day_first is None and not _decided:
        day_first = note_day_first(text)
    if _YEAR_WORDS_RE.search(text):
        # a year read out as dictated: "rituximab en dos mil quince", "el treinta y uno de mayo de dos
        # mil veinticuatro"; the years written in digits (offsets unchanged), the mentions' text the note's
        runs = number_runs(text, keep=_is_year)
        if runs:
            # a mention ending on the digits ends on the words
            run_end = {start + len(str(value)): end for start, end, value in runs}
            return [replace(d, end=run_end.get(d.end, d.end), text=text[d.start:run_end.get(d.end, d.end)])
                    for d in find_dates(written_in_digits(text, runs), reference_date, day_first, _decided=True)]
    if _anchors is None:
        _anchors = admission_anchors(text, day_first)
    prefer_day_first = bool(day_first)
    ref = _as_date(reference_date) if reference_date is not None else None

    found: list[DateMention] = []
    # dotted dates ("17.05.2023") are written day-first unless the note says month-first
    found.extend(_find_numeric_dates(text, prefer_day_first, ref, dotted_day_first=day_first is not False))
    named = _has_month_name(text)  # one scan spares eight month-name patterns
    if named:
        found.extend(_find_named_dates(text))
        # a day read out in words: "la tomó el doce de febrero", "on the twelfth of February"
        spelled = spelled_numbers(text, _MONTH_AFTER_RE)
        if spelled != text:
            found.extend(replace(d, text=text[d.start:d.end]) for d in _find_named_dates(spelled))
            if ref is not None:
                found.extend(replace(d, text=text[d.start:d.end])
                             for d in _find_yearless(spelled, prefer_day_first, ref, named))
    found.extend(_find_month_years(text, named))
    if named:
        found.extend(_find_month_pairs(text))
    found.extend(_find_season_years(text))
    found.extend(_find_years(text))
    found.extend(_find_md_lists(text, prefer_day_first))
    if prefer_day_first:
        found.extend(_find_day_lists(text, ref))
    found.extend(_find_pair_ranges(text, prefer_day_first))
    found.extend(_find_day_ranges(text))
    if _anchors != NO_ANCHORS:
        found.extend(_mention(text, start, end, lo, hi, "day", "relative")
                     for start, end, lo, hi in admission_ranges(text, _anchors))
    if ref is not None:
        found.extend(_find_hace(text, ref))
        found.extend(_find_day_of_month(text, ref))
        found.extend(_find_yearless(text, prefer_day_first, ref, named))
        if prefer_day_first:
            found.extend(_find_day_ranges_noyear(text, ref))
        found.extend(_find_ago(text, ref))
        found.extend(_find_calendar_relative(text, ref))
        found.extend(_find_relative_seasons(text, ref))
    return _joined_ranges(text, _longest_non_overlapping(found))


# "from May 2018 to March 2019", "de mayo de 2018 a marzo de 2019", "desde 2019 hasta 2021": one span
_RANGE_OPEN_RE = _rx(r"\b(?:from|de|desde|del|entre|between|von|du|dal)<S>*$")
_RANGE_JOIN_RE = _rx(r"<S>*(?:to|until|till|through|a|al|hasta|y|and|bis|au|al)(?:<S>+(?:el|the|le|il|zum))?<S>*")
# two days of one course in a bracket: "rituximab 1 g x2 (04/10/2022 and 18/10/2022)"
_DAY_PAIR_JOIN_RE = _rx(r"<S>*(?:and|y|e|et|und|&)<S>*")
_DAY_PAIR_OPEN_RE = _rx(r"\(<S>*$")
_DAY_PAIR_CLOSE_RE = _rx(r"<S>*\)")


_DASH_JOIN_RE = _rx(r"<S>*(?:-|–|—|->|→)<S>*")


def _joined(text: str, first: DateMention, last: DateMention, date_max: date, precision: str, kind: str) -> DateMention:
    """One mention from the start of ``first`` to the end of ``last``, dated from ``first``'s first day."""
    return DateMention(first.start, last.end, text[first.start:last.end], first.date_min, date_max, precision, kind,
                       kind == "absolute" and (first.day_first or last.day_first))


def dash_ranges(text: str, dates: list[DateMention]) -> list[DateMention]:
    """``dates`` with two absolute dates joined by a dash as one range from the first to the second:
    what a drug's mention reads ("Biologics: belimumab 28/07/2022 - 27/07/2023, ceased" was last
    given on the second). Not done by :func:`find_dates`: a dash between two dates may join two
    things ("HBsAg 03/2023 - 11/2024 both negative"), so only a drug's reader asks for it."""
    out: list[DateMention] = []
    for d in dates:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == d.kind == "absolute" and prev.precision in ("day", "month")
                and d.precision in ("day", "month") and prev.date_max < d.date_min
                and _DASH_JOIN_RE.fullmatch(text, prev.end, d.start)):
            out[-1] = _joined(text, prev, d, d.date_max, d.precision, "absolute")
            continue
        out.append(d)
    return out


def _joined_ranges(text: str, found: list[DateMention]) -> list[DateMention]:
    """Two absolute dates written as a range ("from May 2018 to March 2019", "de mayo de 2018 a
    marzo de 2019") become one mention from the first one's start to the second one's end: a
    drug taken over that range was last taken at its end. Two days alone in a bracket ("rituximab
    1 g x2 (04/10/2022 and 18/10/2022)") are the days of one course, a run of days."""
    out: list[DateMention] = []
    for d in found:
        prev = out[-1] if out else None
        if (prev is not None and prev.kind == "absolute" and d.kind == "absolute" and prev.date_min <= d.date_min
                and _RANGE_JOIN_RE.fullmatch(text, prev.end, d.start)
                and _RANGE_OPEN_RE.search(text, max(0, prev.start - 10), prev.start)):
            out[-1] = _joined(text, prev, d, max(prev.date_max, d.date_max), d.precision, "absolute")
            continue
        if (prev is not None and prev.precision == d.precision == "day" and prev.kind == d.kind == "absolute"
                and prev.date_min < d.date_min and _DAY_PAIR_JOIN_RE.fullmatch(text, prev.end, d.start)
                and _DAY_PAIR_OPEN_RE.search(text, max(0, prev.start - 5), prev.start)
                and _DAY_PAIR_CLOSE_RE.match(text, d.end)):
            # "(04/10/2022 and 18/10/2022)": both days happened, a run of days from the first to the last
            out[-1] = _joined(text, prev, d, d.date_max, "day", "absolute")
            continue
        if (prev is not None and prev.precision == d.precision == "month" and prev.kind == d.kind == "relative"
                and (d.date_min - prev.date_max).days == 1 and _MONTH_OR_MONTH_RE.fullmatch(text, prev.end, d.start)):
            # "late Aug or early Sept" (no year): either month
            out[-1] = _joined(text, prev, d, d.date_max, "month", "relative")
            continue
        out.append(d)
    return out


DATE_CONTEXT = 64  # characters around a span that date patterns may read (longest match, look-behinds)


def find_dates_in(text: str, spans: list[tuple[int, int]], reference_date: date | None = None,
                  day_first: bool | None = None, *, _decided: bool = False) -> list[DateMention]:
    """The dates :func:`find_dates` finds in the whole text that overlap ``spans`` (sorted,
    disjoint), reading only the spans and ``DATE_CONTEXT`` characters around each. Whether the
    note is day-first is still decided from the whole text."""
    if day_first is None and not _decided:
        day_first = note_day_first(text)
    anchors = admission_anchors(text, day_first)  # the header may lie outside every span
    out: list[DateMention] = []
    for start, end in merge_spans(spans, DATE_CONTEXT, len(text)):
        for found in find_dates(text[start:end], reference_date, day_first, _decided=True, _anchors=anchors):
            out.append(replace(found, start=found.start + start, end=found.end + start))
    return out


def note_day_first(text: str) -> bool | None:
    """Whether numeric dates in this note are day-first.

    True when the note declares day-first ("dd/mm/yyyy", "DD.MM.YYYY", "dd-mm-aaaa") or when some
    numeric date is unambiguously day-first (first field > 12, second <= 12) and none is
    unambiguously month-first, or, with no numeric evidence either way, when the note is written
    in a language whose countries write day-first (three different function words such as "le",
    "und", "della", "het"); False for a month-first declaration or month-first evidence only;
    None when nothing tells (or the evidence conflicts).
    """
    declares_day = _DECL_DAY_FIRST_RE.search(text) is not None
    declares_month = _DECL_MONTH_FIRST_RE.search(text) is not None
    if declares_day != declares_month:
        return declares_day
    day_evidence = month_evidence = False
    for m in _NUM_DATE_RE.finditer(text):
        if len(m["y"]) == 2 and m["sep"] == ".":
            continue
        a, b = int(m["a"]), int(m["b"])
        if 12 < a <= 31 and 1 <= b <= 12:
            day_evidence = True
        elif 12 < b <= 31 and 1 <= a <= 12:
            month_evidence = True
    if day_evidence != month_evidence:
        return day_evidence
    if not (day_evidence or month_evidence) and len(_day_first_language() & set(_WORD_RUN.findall(text.lower()))) >= 3:
        return True  # written (or left) in French, German, Italian, Dutch or Spanish: Europe writes day-first
    return None


_WORD_RUN = re.compile(r"\w+")


@functools.cache
def _day_first_language() -> frozenset[str]:
    """Function words of languages whose countries write dates day-first and that are not
    English words ("le", "und", "della", "het", "los"): ``patterns/date_rules.json``. A note's
    words are compared as a set (one pass), not searched for as a case-insensitive alternation
    that ``re`` tries at every character."""
    from .rules import patterns_dir, validate_date_rules_file

    words = validate_date_rules_file(patterns_dir() / "date_rules.json")["day_first_language_words"]
    return frozenset(word.lower() for word in words)


def parse_iso_date(value: str) -> date:
    """Strict parser for table cells.

    Accepts 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS]' (also with 'T') and 'YYYY/MM/DD'; surrounding
    whitespace is ignored. Anything else, including impossible days such as '2023-02-30', raises
    ValueError naming the value and the expected format.
    """
    if not isinstance(value, str):
        raise ValueError(f"invalid date {value!r}: expected a string in format {_ISO_CELL_FORMAT}")
    m = _ISO_CELL_RE.fullmatch(value.strip())
    if m is None:
        raise ValueError(f"invalid date {value!r}: expected format {_ISO_CELL_FORMAT}")
    try:
        parsed = date(int(m["y"]), int(m["m"]), int(m["d"]))
        if m["H"] is not None:
            datetime(parsed.year, parsed.month, parsed.day, int(m["H"]), int(m["M"]), int(m["S"] or 0))
    except ValueError as exc:
        raise ValueError(f"invalid date {value!r}: {exc}; expected format {_ISO_CELL_FORMAT}") from None
    return parsed


def days_between(later: date, earlier: date) -> int:
    """Whole days from ``earlier`` to ``later`` (negative when ``later`` is before ``earlier``)."""
    return (_as_date(later) - _as_date(earlier)).days


# --------------------------------------------------------------------------------------------------
# Calendar helpers


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later (negative: earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), _month_end(year, month)


def _season_range(season: str, year: int) -> tuple[date, date]:
    """Northern-hemisphere season; winter of ``year`` is Dec (year-1) .. Feb (year)."""
    if season == "winter":
        return date(year - 1, 12, 1), _month_end(year, 2)
    first = _SEASON_START_MONTH[season]
    return date(year, first, 1), _month_end(year, first + 2)


def _recent_season(season: str, ref: date, *, ended: bool) -> tuple[date, date]:
    """Most recent season that started on or before ``ref`` (or, with ``ended``, ended before it)."""
    for year in (ref.year + 1, ref.year, ref.year - 1):
        start, end = _season_range(season, year)
        if (end < ref) if ended else (start <= ref):
            return start, end
    raise AssertionError("unreachable: a season of each kind ends every year")


def _expand_year(two_digits: int, ref: date | None) -> int:
    """Two-digit year: the century that puts it at most 10 years after ``ref``; else 00-49 -> 20xx."""
    if ref is None:
        return 2000 + two_digits if two_digits < 50 else 1900 + two_digits
    year = 2000 + two_digits
    return year if year <= ref.year + 10 else year - 100


def _month_number(token: str) -> int:
    return _MONTH_BY_NAME[token.lower()]


def _read_numeric(a: int, b: int, year: int, prefer_day_first: bool) -> tuple[date, bool] | None:
    """Read fields a/b as month/day or day/month; the preferred order first, else the only valid one."""
    orders = ((b, a, True), (a, b, False)) if prefer_day_first else ((a, b, False), (b, a, True))
    for month, day, read_day_first in orders:
        parsed = _safe_date(year, month, day)
        if parsed is not None:
            return parsed, read_day_first
    return None


_AMBIGUOUS_NUMERIC_RE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")


def other_reading(mention: DateMention) -> DateMention | None:
    """The same numeric day read the other way round ("04/09/2025": 9 April for 4 September), when
    both readings are days and differ; None for any other mention."""
    m = _AMBIGUOUS_NUMERIC_RE.fullmatch(mention.text)
    if m is None or mention.precision != "day" or mention.kind != "absolute":
        return None
    a, b = int(m[1]), int(m[3])
    if a == b or not (1 <= a <= 12 and 1 <= b <= 12):
        return None
    year = int(m[4]) if len(m[4]) == 4 else _expand_year(int(m[4]), None)
    # read day-first now: a is the day; read the other way a is the month
    month, day = (a, b) if mention.day_first else (b, a)
    other = _safe_date(year, month, day)
    if other is None:
        return None
    return replace(mention, date_min=other, date_max=other, day_first=not mention.day_first)


def _latest_on_or_before(month: int, day: int, ref: date) -> date | None:
    """Latest ``month``/``day`` not after ``ref`` (Feb 29 goes back to the last leap year)."""
    for year in range(ref.year, ref.year - 8, -1):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= ref:
            return candidate
    return None


_AHEAD_DAYS, _BEHIND_DAYS = 60, 300


@functools.cache
def _past_cue() -> re.Pattern[str]:
    """A past-tense word just before a yearless day keeps it in the past ("started on 7/4"):
    ``past_tense_words`` of ``patterns/date_rules.json``."""
    from .rules import patterns_dir, validate_date_rules_file

    words = validate_date_rules_file(patterns_dir() / "date_rules.json")["past_tense_words"]
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b[^.;\n]{0,25}$", re.IGNORECASE)


def _nearest_yearless(month: int, day: int, ref: date, past_only: bool = False) -> date | None:
    """The day ``month``/``day`` a note means without a year: the latest one on or before ``ref``,
    unless that is most of a year back and the next one is within two months ahead ("taper: 25 mg
    on 12/6" in a note of 11/20 is a plan for December, not last December)."""
    past = _latest_on_or_before(month, day, ref)
    ahead = _safe_date(ref.year, month, day)
    if ahead is None or ahead <= ref:
        ahead = _safe_date(ref.year + 1, month, day)
    if (not past_only and ahead is not None and (ahead - ref).days <= _AHEAD_DAYS
            and (past is None or (ref - past).days >= _BEHIND_DAYS)):
        return ahead
    return past


def _mention(text: str, start: int, end: int, lo: date, hi: date, precision: str, kind: str,
             day_first: bool = False) -> DateMention:
    return DateMention(start, end, text[start:end], lo, hi, precision, kind, day_first)


# --------------------------------------------------------------------------------------------------
# Pattern families (each one pass over the text)


def _find_numeric_dates(text: str, prefer_day_first: bool, ref: date | None,
                        dotted_day_first: bool = False) -> Iterator[DateMention]:
    """2024-03-15, 2024/03/15, 03/15/2024, 3/15/24, 15/03/2024, 15.03.2024, 15-03-2024."""
    for m in _ISO_RE.finditer(text):
        day = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if day is not None:
            yield _mention(text, m.start(), m.end(), day, day, "day", "absolute")
    for m in _NUM_DATE_RE.finditer(text):
        year_text = m["y"]
        if len(year_text) == 2 and m["sep"] == "." and (len(m["a"]) < 2 or len(m["b"]) < 2):
            continue  # "1.2.25" is more likely a version or a list number than a date; "14.03.24" is one
        year = int(year_text) if len(year_text) == 4 else _expand_year(int(year_text), ref)
        read = _read_numeric(int(m["a"]), int(m["b"]), year,
                             prefer_day_first or (dotted_day_first and m["sep"] == "."))
        if read is not None:
            yield _mention(text, m.start(), m.end(), read[0], read[0], "day", "absolute", read[1])
    for m in _CJK_DATE_RE.finditer(text) if "年" in text else ():
        day = _safe_date(int(m["y"]), int(m["m"]), int(m["d"])) if m["d"] else None
        if day is not None:
            yield _mention(text, m.start(), m.end(), day, day, "day", "absolute")
        elif 1 <= int(m["m"]) <= 12 and not m["d"]:
            lo, hi = _month_range(int(m["y"]), int(m["m"]))
            yield _mention(text, m.start(), m.end(), lo, hi, "month", "absolute")
    # whichever side the unread field is on, it is the day: a writer who knows the day knows the month
    for regex in (_UNREAD_FIRST_RE, _UNREAD_MIDDLE_RE):
        for m in regex.finditer(text):
            if 1 <= int(m["a"]) <= 12:
                lo, hi = _month_range(int(m["y"]), int(m["a"]))
                yield _mention(text, m.start(), m.end(), lo, hi, "month", "absolute", regex is _UNREAD_FIRST_RE)


def _find_named_dates(text: str) -> Iterator[DateMention]:
    """March 15, 2024; Mar. 15th, 2024; 15 March 2024; 15-Mar-2024; 15 de marzo de 2024."""
    for regex in (_NAMED_MDY_RE, _NAMED_DMY_RE, _DASHED_DMY_RE):
        for m in regex.finditer(text):
            year_text = m["y"] or m.groupdict().get("y2")
            year = int(year_text) if len(year_text) == 4 else _expand_year(int(year_text), None)
            day = _safe_date(year, _month_number(m["mon"]), int(m["d"]))
            if day is not None:
                yield _mention(text, m.start(), m.end(), day, day, "day", "absolute")


def _find_month_years(text: str, named: bool = True) -> Iterator[DateMention]:
    """March 2024, Mar-2024, March of 2024, marzo de 2024, March '24, 03/2024, 3/2024, 2024-03, 02-03/2022.
    ``named=False``: the text has no month name, only the numeric forms are looked for."""
    for m in _NAMED_MONTH_RE.finditer(text) if named else ():
        year = int(m["y"]) if m["y"] else _expand_year(int(m["yy"] or m["yy2"]), None)
        lo, hi = _month_range(year, _month_number(m["mon"]))
        yield _mention(text, m.start(), m.end(), lo, hi, "month", "absolute")
    for m in _NUM_MONTH_RANGE_RE.finditer(text):
        first, last = int(m["m1"]), int(m["m"])
        if 1 <= first < last <= 12:
            lo, hi = _month_range(int(m["y"]), first)[0], _month_range(int(m["y"]), last)[1]
            yield _mention(text, m.start(), m.end(), lo, hi, "month", "absolute")
    for regex in (_NUM_MONTH_RE, _ISO_MONTH_RE):
        for m in regex.finditer(text):
            if regex is _NUM_MONTH_RE and _RATIO_BEFORE_RE.search(text, max(0, m.start() - 16), m.start()):
                continue  # "ANA titer 1/2000"
            month = int(m["m"])
            if 1 <= month <= 12:
                lo, hi = _month_range(int(m["y"]), month)
                yield _mention(text, m.start(), m.end(), lo, hi, "month", "absolute")


def _find_month_pairs(text: str) -> Iterator[DateMention]:
    """'Aug/Sept 2024', 'Dec or early Jan 2025', 'de enero a agosto de 2024': from the first month's
    start to the second's end (a first month after the second is of the year before)."""
    for m in (*_MONTH_PAIR_YEAR_RE.finditer(text), *_MONTH_RANGE_YEAR_RE.finditer(text)):
        first, second, year = _month_number(m["mon1"]), _month_number(m["mon"]), int(m["y"])
        if m["mon1"] in _AMBIGUOUS_LOWER_MONTHS or first == second:
            continue
        lo = _month_range(year if first < second else year - 1, first)[0]
        yield _mention(text, m.start("mon1"), m.end(), lo, _month_range(year, second)[1], "month", "absolute")


def _find_season_years(text: str) -> Iterator[DateMention]:
    """spring 2023, summer of 2022, winter 2023 (Dec 2022 - Feb 2023), primavera de 2023."""
    for m in _SEASON_YEAR_RE.finditer(text):
        lo, hi = _season_range(_SEASON_CANONICAL[m["season"].lower()], int(m["y"]))
        yield _mention(text, m.start(), m.end(), lo, hi, "season", "absolute")


def _year_has_cue(text: str, start: int, end: int) -> bool:
    """A bare 4-digit number is a year only with a cue: 'in 2015', '(2015)', '2019:', a list lead."""
    if _YEAR_CUE_BEFORE_RE.search(text, max(0, start - 40), start):
        return True
    if _YEAR_CUE_AFTER_RE.match(text, end) and not _QUANTITY_BEFORE_RE.search(text, max(0, start - 20), start):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    return start - line_start <= 8 and _YEAR_LINE_LEAD_RE.fullmatch(text, line_start, start) is not None


def _find_years(text: str) -> Iterator[DateMention]:
    """in 2015, since 2019, (2015), 2019:, mid-2018, 2015-2019 (1900-2099, never a count or dose)."""
    for m in _YEAR_RE.finditer(text):
        if _year_has_cue(text, m.start(), m.end()):
            year = int(m["y"])
            yield _mention(text, m.start(), m.end(), date(year, 1, 1), date(year, 12, 31), "year", "absolute")


def _find_yearless(text: str, prefer_day_first: bool, ref: date, named: bool = True) -> Iterator[DateMention]:
    """'on 3/15', 'March 15', '15 March': the latest such day on or before ``ref``, or the next one
    when that is within two months and the last one most of a year back (:func:`_nearest_yearless`).
    ``named=False``: the text has no month name, only the numeric forms are looked for."""
    for regex in (_MD_NOYEAR_RE, _DM_NOYEAR_RE) if named else ():
        for m in regex.finditer(text):
            if m["mon"] in _AMBIGUOUS_LOWER_MONTHS:
                continue
            day = _nearest_yearless(_month_number(m["mon"]), int(m["d"]), ref,
                                    _past_cue().search(text, max(0, m.start() - 40), m.start()) is not None)
            if day is not None:
                yield _mention(text, m.start(), m.end(), day, day, "day", "relative")
    ahead = set()
    for m in _MONTH_AHEAD_RE.finditer(text) if named else ():
        if m["mon"] in _AMBIGUOUS_LOWER_MONTHS:
            continue
        ahead.add(m.start("mon"))
        month = _month_number(m["mon"])
        year = ref.year if month >= ref.month else ref.year + 1
        lo, hi = _month_range(year, month)
        yield _mention(text, m.start("mon"), m.end(), max(lo, ref), hi, "month", "relative")
    for m in _MONTH_PAST_AFTER_RE.finditer(text) if named else ():
        month = _month_number(m["mon"])  # the last such month before this one
        lo, hi = _month_range(ref.year if month < ref.month else ref.year - 1, month)
        yield _mention(text, m.start("mon"), m.end(), lo, hi, "month", "relative")
    for m in _MONTH_NOYEAR_RE.finditer(text) if named else ():
        if m["mon"] in _AMBIGUOUS_LOWER_MONTHS or m.start("mon") in ahead:
            continue  # "in may" is a verb; "by late May" looks ahead
        month = _month_number(m["mon"])
        year = ref.year if month <= ref.month else ref.year - 1
        lo, hi = _month_range(year, month)
        yield _mention(text, m.start("mon"), m.end(), lo, min(hi, ref), "month", "relative")
    for m in _MD_RANGE_NOYEAR_RE.finditer(text):
        found = _yearless_range(int(m["a"]), int(m["b"]), int(m["c"]), int(m["d"]), prefer_day_first, ref)
        if found is not None:
            yield _mention(text, m.start(), m.end(), found[0], found[1], "day", "relative", found[2])
    for m in _NUM_NOYEAR_RE.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if prefer_day_first and 1 <= a <= 12 and 12 < b <= ref.year % 100:
            # no day-first day: a month and a two-digit year ("colecistectomía lap. 5/23" is May 2023)
            lo, hi = _month_range(2000 + b, a)
            yield _mention(text, m.start("a"), m.end("b"), lo, hi, "month", "absolute", True)
            continue
        orders = ((b, a, True), (a, b, False)) if prefer_day_first else ((a, b, False), (b, a, True))
        for month, day_of_month, read_day_first in orders:
            if 1 <= month <= 12 and 1 <= day_of_month <= 31:
                day = _nearest_yearless(month, day_of_month, ref,
                                        _past_cue().search(text, max(0, m.start() - 40), m.start()) is not None)
                if day is not None:
                    yield _mention(text, m.start("a"), m.end("b"), day, day, "day", "relative",
                                   read_day_first)
                break


def _yearless_range(a: int, b: int, c: int, d: int, prefer_day_first: bool, ref: date) -> tuple[date, date, bool] | None:
    """Two yearless days "a/b-c/d", both read in the same order, ending on or before ``ref``,
    at most a year apart, first before last."""
    orders = (True, False) if prefer_day_first else (False, True)
    for day_first in orders:
        (m1, d1), (m2, d2) = ((b, a), (d, c)) if day_first else ((a, b), (c, d))
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            continue
        last = _latest_on_or_before(m2, d2, ref)
        first = _safe_date(last.year, m1, d1) if last else None
        if first is not None and first > last:
            first = _safe_date(last.year - 1, m1, d1)
        if first is not None and last is not None:
            return first, last, day_first
    return None


def _ago_range(count: int, unit: str, ref: date) -> tuple[date, date, str]:
    """N days -> that day; N weeks -> +/-3 days; N months -> +/-15 days; N years -> +/-6 months."""
    if unit == "d":
        day = ref - timedelta(days=count)
        return day, day, "day"
    if unit == "w":
        centre = ref - timedelta(weeks=count)
        lo, hi, precision = centre - timedelta(days=3), centre + timedelta(days=3), "week"
    elif unit == "m":
        centre = add_months(ref, -count)
        lo, hi, precision = centre - timedelta(days=15), centre + timedelta(days=15), "month"
    else:
        centre = add_months(ref, -12 * count)
        lo, hi, precision = add_months(centre, -6), add_months(centre, 6), "year"
    hi = min(hi, ref)
    return min(lo, hi), hi, precision


def _find_ago(text: str, ref: date) -> Iterator[DateMention]:
    """3 days ago, two weeks ago, a month ago, 2 years prior/earlier/before/back."""
    for m in _AGO_RE.finditer(text):
        if m["dir"].lower() in ("prior", "earlier", "before") and _ANCHOR_AFTER_RE.match(text, m.end()):
            continue
        count = int(m["n"]) if m["n"] is not None else _NUMBER_WORDS[m["w"].lower()]
        try:
            lo, hi, precision = _ago_range(count, m["unit"][0].lower(), ref)
        except (OverflowError, ValueError):
            continue
        yield _mention(text, m.start(), m.end(), lo, hi, precision, "relative")


def _find_hace(text: str, ref: date) -> Iterator[DateMention]:
    """hace 3 meses, hace dos años: the same ranges as "3 months ago"."""
    for m in _HACE_RE.finditer(text):
        count = int(m["n"]) if m["n"] is not None else _SPANISH_NUMBERS[m["w"].lower()]
        try:
            lo, hi, precision = _ago_range(count, _SPANISH_UNITS[m["unit"][0].lower()], ref)
        except (OverflowError, ValueError):
            continue
        yield _mention(text, m.start(), m.end(), lo, hi, precision, "relative")


def _find_day_of_month(text: str, ref: date) -> Iterator[DateMention]:
    """"el día 18" with no month: the 18th of the note's month, or of the month before when the
    note was written before the 18th."""
    for m in _DAY_OF_MONTH_RE.finditer(text):
        if _MONTH_FOLLOWS_RE.match(text, m.end()):
            continue
        day = int(m["d"] or m["d2"])
        month_start = ref.replace(day=1)
        if day > ref.day:
            month_start = add_months(month_start, -1)
        found = _safe_date(month_start.year, month_start.month, day)
        if found is not None:
            yield _mention(text, m.start(), m.end(), found, found, "day", "relative")


# days of one month written as a range: "bolos 13-15/01/2025", "pulses 3-5 March 2024"
_DAY_RANGE_RE = _rx(r"(?<![\d/.])(?P<a>\d{1,2})<S>*[-–]<S>*(?P<b>\d{1,2})(?:(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})"
                    r"|<S>+<MONTH><S>+(?P<y2><Y4>))(?!\d)")


# ... with no year, day-first, after a bracket or a cue: "MP 500 mg x3 (28-30/08)", "los días 13-15/1"
# (not "for 2-3/12", months in UK shorthand)
_DAY_RANGE_NOYEAR_RE = _rx(r"(?:\(<S>*|\b(?:d[ií]as|el|del|los|on|from|de)<S>+)(?P<a>\d{1,2})<S>*[-–]<S>*(?P<b>\d{1,2})/(?P<m>\d{1,2})"
                           r"(?![\d/]|\.\d|<UNIT>)")


_PAIR_RANGE_RE = _rx(r"(?<![\d/.])(?P<a1>\d{1,2})/(?P<b1>\d{1,2})<S>*[-–]<S>*(?P<a2>\d{1,2})/(?P<b2>\d{1,2})/(?P<y>\d{4})(?!\d)")


def _find_day_ranges(text: str) -> Iterator[DateMention]:
    """A range of days in one month: from the first day to the last."""
    for m in _DAY_RANGE_RE.finditer(text):
        month = int(m["m"]) if m["m"] else _month_number(m["mon"])
        year = int(m["y"] or m["y2"])
        lo, hi = _safe_date(year, month, int(m["a"])), _safe_date(year, month, int(m["b"]))
        if lo is not None and hi is not None and lo < hi:
            yield _mention(text, m.start(), m.end(), lo, hi, "day", "absolute", True)


def _find_day_ranges_noyear(text: str, ref: date) -> Iterator[DateMention]:
    """A range of days of one month with no year, in a day-first note: the latest such run on or
    before the reference date."""
    for m in _DAY_RANGE_NOYEAR_RE.finditer(text):
        a, b, month = int(m["a"]), int(m["b"]), int(m["m"])
        hi = _nearest_yearless(month, b, ref, past_only=True) if 1 <= month <= 12 and a < b else None
        lo = _safe_date(hi.year, month, a) if hi is not None else None
        if lo is not None:
            yield _mention(text, m.start("a"), m.end(), lo, hi, "day", "relative", True)


def _find_pair_ranges(text: str, prefer_day_first: bool) -> Iterator[DateMention]:
    """Two days of one year written as a range, the year given once: "03/30-03/31/2022",
    "30/03-02/04/2022" (each pair read as the note reads its dates)."""
    for m in _PAIR_RANGE_RE.finditer(text):
        pairs = ((int(m["a1"]), int(m["b1"])), (int(m["a2"]), int(m["b2"])))
        day_first = prefer_day_first or any(a > 12 for a, _ in pairs)  # one pair tells for both
        lo, hi = (_safe_date(int(m["y"]), b if day_first else a, a if day_first else b) for a, b in pairs)
        if lo is not None and hi is not None and lo < hi:
            yield _mention(text, m.start(), m.end(), lo, hi, "day", "absolute", day_first)


def _find_md_lists(text: str, prefer_day_first: bool) -> Iterator[DateMention]:
    """Each leading item of "07/02, 07/03, 07/04/2024" takes the year of the last item."""
    for m in _MD_LIST_RE.finditer(text):
        year = int(m["y"])
        base = m.start("items")
        for item in _MD_ITEM_RE.finditer(m["items"]):
            a, b = int(item.group(1)), int(item.group(2))
            month, day = (b, a) if (prefer_day_first or a > 12) else (a, b)
            found = _safe_date(year, month, day)
            if found is not None:
                yield _mention(text, base + item.start(), base + item.end(), found, found, "day", "absolute",
                               prefer_day_first or a > 12)


def _find_day_lists(text: str, ref: date | None) -> Iterator[DateMention]:
    """Days of one month written day-first, its month once: "(24, 25 y 26/09/2024)" runs from the
    24th to the 26th; without a year ("los días 19, 20 y 21/4") after a cue, the latest such days
    up to ``ref``."""
    for m in _DAY_LIST_RE.finditer(text):
        first, last, month = int(m["first"]), int(m["last"]), int(m["m"])
        if not (1 <= month <= 12 and first < last <= 31):
            continue
        if m["y"]:
            year = int(m["y"]) if len(m["y"]) == 4 else _expand_year(int(m["y"]), ref)
        elif ref is not None and _DAY_LIST_CUE_RE.search(text, max(0, m.start() - 12), m.start()):
            end = _latest_on_or_before(month, last, ref)
            if end is None:
                continue
            year = end.year
        else:
            continue
        lo, hi = _safe_date(year, month, first), _safe_date(year, month, last)
        if lo is not None and hi is not None:
            yield _mention(text, m.start(), m.end(), lo, hi, "day", "absolute" if m["y"] else "relative", True)


def _find_calendar_relative(text: str, ref: date) -> Iterator[DateMention]:
    """today, yesterday, last week/month/year (Spanish "el mes pasado"), (earlier) this month/year."""
    for m in _TODAY_RE.finditer(text):
        day = ref - timedelta(days=1) if m["w"].lower() in _YESTERDAY else ref
        yield _mention(text, m.start(), m.end(), day, day, "day", "relative")
    last_units = [(m, m["unit"].lower()) for m in _LAST_UNIT_RE.finditer(text)]
    last_units += [(m, _ES_UNITS[m["unit"].lower()]) for m in _LAST_UNIT_ES_RE.finditer(text)]
    for m, unit in last_units:
        if unit == "week":
            lo, hi = ref - timedelta(days=13), ref - timedelta(days=7)
        elif unit == "month":
            previous = add_months(ref.replace(day=1), -1)
            lo, hi = previous, _month_end(previous.year, previous.month)
        else:
            lo, hi = date(ref.year - 1, 1, 1), date(ref.year - 1, 12, 31)
        yield _mention(text, m.start(), m.end(), lo, hi, unit, "relative")
    for m in _THIS_UNIT_RE.finditer(text):
        unit = m["unit"].lower()
        lo = ref.replace(month=1, day=1) if unit == "year" else ref.replace(day=1)
        yield _mention(text, m.start(), m.end(), lo, ref, unit, "relative")


def _find_relative_seasons(text: str, ref: date) -> Iterator[DateMention]:
    """last spring / this past summer (ended before ref); in/during the spring (started by ref)."""
    for m in (*_REL_SEASON_RE.finditer(text), *_REL_SEASON_AFTER_RE.finditer(text)):
        season = _SEASON_CANONICAL[m["season"].lower()]
        is_last = m["last"] is not None
        lo, hi = _recent_season(season, ref, ended=is_last)
        start = m.start() if is_last else m.start("season")
        yield _mention(text, start, max(m.end("season"), m.end("last") if is_last else 0), lo, hi, "season", "relative")


def _longest_non_overlapping(candidates: list[DateMention]) -> list[DateMention]:
    """Keep the longest candidates that do not overlap a longer (or earlier equal) one; sort by start."""
    chosen: list[DateMention] = []
    starts: list[int] = []
    for cand in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
        i = bisect.bisect_left(starts, cand.start)
        if i > 0 and chosen[i - 1].end > cand.start:
            continue
        if i < len(chosen) and chosen[i].start < cand.end:
            continue
        starts.insert(i, cand.start)
        chosen.insert(i, cand)
    return chosen
