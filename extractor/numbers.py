"""Number words as clinicians write them ("six ACR criteria", "two weeks ago", "three months")."""

from types import MappingProxyType

NUMBER_WORDS = MappingProxyType({
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30,
})
