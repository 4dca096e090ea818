"""Number words as clinicians write them ("six ACR criteria", "two weeks ago", "three months")."""

import re
from types import MappingProxyType

NUMBER_WORDS = MappingProxyType({
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30,
})
# Small counts in Spanish and Portuguese, their articles for one included ("hace un año", "há dois
# anos", "los tres primeros días"): read only where a pattern expects a count.
COUNT_WORDS = MappingProxyType({
    **NUMBER_WORDS,
    "un": 1, "una": 1, "um": 1, "dos": 2, "dois": 2, "duas": 2, "tres": 3, "três": 3, "cuatro": 4, "quatro": 4,
    "cinco": 5, "seis": 6, "siete": 7, "sete": 7, "ocho": 8, "oito": 8, "nueve": 9, "nove": 9, "diez": 10,
    "dez": 10, "once": 11, "onze": 11, "doce": 12, "doze": 12,
})
# Ordinal words of a day's count ("al quinto día de ingreso", "on the third day of admission").
ORDINAL_WORDS = MappingProxyType({
    "primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4, "quinto": 5, "sexto": 6,
    "séptimo": 7, "septimo": 7, "octavo": 8, "noveno": 9, "décimo": 10, "decimo": 10,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
})


# Cardinal words, English and Spanish, for numbers read out by voice recognition ("SLEDAI-2K hoy
# doce", "mil quinientos miligramos cada doce horas"). "one", "un", "una", "uno" are left alone:
# alone they are articles far more often than numbers.
_UNITS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
    "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
    "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciséis": 16, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veintiuno": 21, "veintidós": 22, "veintidos": 22,
    "veintitrés": 23, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiséis": 26, "veintiseis": 26,
    "veintisiete": 27, "veintiocho": 28, "veintinueve": 29,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
         "veinte": 20, "treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
         "noventa": 90}
_HUNDREDS = {"cien": 100, "ciento": 100, "doscientos": 200, "trescientos": 300, "cuatrocientos": 400, "quinientos": 500,
             "seiscientos": 600, "setecientos": 700, "ochocientos": 800, "novecientos": 900}
_ONE = frozenset({"uno", "una", "one"})  # only after a ten and "y"/"-": "treinta y uno", "twenty-one"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_JOINS_BEFORE = frozenset(_TENS) | {"hundred", "thousand"}  # the words "y" / "and" may follow
_JOIN = re.compile(r"[ \t]*(?:-|[ \t]|(?<=[ \t])(?:y|and)[ \t]+)[ \t]*")


def _value(words: list[str]) -> int | None:
    total = current = 0
    for w in words:
        if w in ("mil", "thousand"):
            total += max(current, 1) * 1000
            current = 0
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w in _HUNDREDS:
            current += _HUNDREDS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w in _UNITS:
            current += _UNITS[w]
        elif w in _ONE:
            current += 1
        else:
            return None
    return total + current


def _is_number_word(word: str) -> bool:
    return word in _UNITS or word in _TENS or word in _HUNDREDS or word in ("mil", "thousand", "hundred")


def number_runs(text: str, before: re.Pattern[str] | None = None, keep=None) -> list[tuple[int, int, int]]:
    """(start, end, value) of each run of number words ("treinta y uno", "dos mil quince"). With
    ``before``, only runs that it matches right after (a unit: "cada doce horas", but not English
    "once daily"); with ``keep``, only values it accepts (a year)."""
    runs = []
    words = [w for w in _WORD.finditer(text) if w.group().lower() not in ("y", "and")]  # joiners: see _JOIN
    i = 0
    while i < len(words):
        if not _is_number_word(words[i].group().lower()):
            i += 1
            continue
        j = i
        while j + 1 < len(words) and (_is_number_word(words[j + 1].group().lower())
                                      or (words[j + 1].group().lower() in _ONE and words[j].group().lower() in _TENS)):
            gap = _JOIN.fullmatch(text, words[j].end(), words[j + 1].start())
            if not gap or (gap.group().strip(" \t-") and words[j].group().lower() not in _JOINS_BEFORE):
                break  # "treinta y dos", "two hundred and fifty"; but "cinco y seis" is a list
            if words[j + 1].group().lower() in _ONE and not gap.group().strip(" \t"):
                break  # "treinta y uno", "twenty-one"; not "treinta uno"
            j += 1
        start, end = words[i].start(), words[j].end()
        value = _value([w.group().lower() for w in words[i : j + 1]])
        if (value is not None and len(str(value)) <= end - start and (before is None or before.match(text, end))
                and (keep is None or keep(value))):
            runs.append((start, end, value))
        i = j + 1
    return runs


def spelled_numbers(text: str, before: re.Pattern[str] | None = None, keep=None) -> str:
    """``text`` with each run of number words (:func:`number_runs`) replaced by its digits, padded
    with spaces to the run's length, so offsets do not move: "hoy doce" -> "hoy 12  ", "mil
    quinientos mg" -> "1500           mg"."""
    return written_in_digits(text, number_runs(text, before, keep))


def written_in_digits(text: str, runs: list[tuple[int, int, int]]) -> str:
    """``text`` with each run (:func:`number_runs`) written in digits, padded to its length."""
    out = list(text)
    for start, end, value in runs:
        out[start:end] = list(str(value).ljust(end - start))
    return "".join(out)
