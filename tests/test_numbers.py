"""spelled_numbers: number words read out by voice recognition, as digits at the same offsets."""

import pytest

from extractor.numbers import spelled_numbers


@pytest.mark.parametrize("text, expected", [
    ("SLEDAI-2K hoy doce", "SLEDAI-2K hoy 12  "),
    ("cuatro hoy ocho", "4      hoy 8   "),
    ("mil quinientos miligramos cada doce horas", "1500           miligramos cada 12   horas"),
    ("treinta y dos", "32           "),
    ("treinta y uno de mayo", "31            de mayo"),         # "uno" only after a ten and "y"
    ("twenty-one days", "21         days"),
    ("treinta uno", "30      uno"),
    ("una vez", "una vez"),
    ("dos mil quince", "2015          "),
    ("mil novecientos noventa y siete", "1997                           "),
    ("two hundred and fifty mg", "250".ljust(len("two hundred and fifty")) + " mg"),
    ("twenty-five", "25         "),
    ("cinco y seis", "5     y 6   "),            # a list, not 11
    ("una tía, un hijo, one dose", "una tía, un hijo, one dose"),  # articles stay words
    ("blood and urine", "blood and urine"),
])
def test_spelled_numbers(text, expected):
    assert spelled_numbers(text) == expected
    assert len(spelled_numbers(text)) == len(text)
