"""Tables for extractor.isn_class: LN class expressions and other "class" scales."""

from __future__ import annotations

import pytest

from extractor.isn_class import LNClass, base_key, find_ln_classes

# text, span text, start, classes, label, scheme, activity, segmental_global, base key
CLASS_CASES: list[tuple[str, str, int, tuple[str, ...], str, str, str | None, str | None, str]] = [
    ("ISN/RPS class IV-G (A)", "ISN/RPS class IV-G (A)", 0, ("IV",), "IV-G (A)", "ISN/RPS",
     "A", "G", "IV"),
    ("Renal biopsy: class IV-S (A/C)", "class IV-S (A/C)", 14, ("IV",), "IV-S (A/C)",
     "unspecified", "A/C", "S", "IV"),
    ("Biopsy: Class III (A/C) + V", "Class III (A/C) + V", 8, ("III", "V"), "III (A/C) + V",
     "unspecified", "A/C", None, "III+V"),
    ("Kidney biopsy: class III (A) + V", "class III (A) + V", 15, ("III", "V"), "III (A) + V",
     "unspecified", "A", None, "III+V"),
    ("LN class III/V", "class III/V", 3, ("III", "V"), "III + V", "unspecified", None, None,
     "III+V"),
    ("biopsy: mixed class IV and V", "mixed class IV and V", 8, ("IV", "V"), "IV + V",
     "unspecified", None, None, "IV+V"),
    ("renal biopsy class IV + V", "class IV + V", 13, ("IV", "V"), "IV + V", "unspecified",
     None, None, "IV+V"),
    ("class IV-G(A)+V lupus nephritis", "class IV-G(A)+V", 0, ("IV", "V"), "IV-G (A) + V",
     "unspecified", "A", "G", "IV+V"),
    ("Renal biopsy: WHO class IV", "WHO class IV", 14, ("IV",), "IV", "WHO", None, None, "IV"),
    ("Biopsy 2019: WHO class 4", "WHO class 4", 13, ("IV",), "IV", "WHO", None, None, "IV"),
    ("class 4 lupus nephritis", "class 4", 0, ("IV",), "IV", "unspecified", None, None, "IV"),
    ("class III LN", "class III", 0, ("III",), "III", "unspecified", None, None, "III"),
    # German, French, Dutch
    ("Nierenbiopsie: WHO-Klasse IV", "WHO-Klasse IV", 15, ("IV",), "IV", "WHO", None, None, "IV"),
    ("néphropathie lupique classe 4", "classe 4", 21, ("IV",), "IV", "unspecified", None, None, "IV"),
    ("nierbiopsie: klasse IV-G (A) + klasse V", "klasse IV-G (A) + klasse V", 13, ("IV", "V"), "IV-G (A) + V",
     "unspecified", "A", "G", "IV+V"),
    ("proliferative LN class IV", "class IV", 17, ("IV",), "IV", "unspecified", None, None,
     "IV"),
    ("Class II (mesangial proliferative)", "Class II", 0, ("II",), "II", "unspecified", None,
     None, "II"),
    ("class V membranous", "class V", 0, ("V",), "V", "unspecified", None, None, "V"),
    ("Repeat biopsy showed class VI", "class VI", 21, ("VI",), "VI", "unspecified", None, None,
     "VI"),
    ("Biopsia renal: Clase IV", "Clase IV", 15, ("IV",), "IV", "unspecified", None, None,
     "IV"),
    ("nefritis lúpica clase IV-G (A) y V", "clase IV-G (A) y V", 16, ("IV", "V"),
     "IV-G (A) + V", "unspecified", "A", "G", "IV+V"),
    ("LN class III-IV", "class III-IV", 3, ("III", "IV"), "III/IV", "unspecified", None, None,
     "III+IV"),
    ("class IV-G (A) lupus nephritis with superimposed class V",
     "class IV-G (A) lupus nephritis with superimposed class V", 0, ("IV", "V"),
     "IV-G (A) + V", "unspecified", "A", "G", "IV+V"),
    ("ISN/RPS 2003: IV-G (A/C)", "ISN/RPS 2003: IV-G (A/C)", 0, ("IV",), "IV-G (A/C)",
     "ISN/RPS", "A/C", "G", "IV"),
    ("Renal biopsy (ISN/RPS 2003) showed class III (A)", "class III (A)", 35, ("III",),
     "III (A)", "ISN/RPS", "A", None, "III"),
    ("lupus nephritis class IV with 3 crescents", "class IV", 16, ("IV",), "IV",
     "unspecified", None, None, "IV"),
    ("LN class IV-G (A/C), activity index 12", "class IV-G (A/C)", 3, ("IV",), "IV-G (A/C)",
     "unspecified", "A/C", "G", "IV"),
    ("biopsy: class iv lupus nephritis", "class iv", 8, ("IV",), "IV", "unspecified", None,
     None, "IV"),
    ("glomerulonephritis, class IV segmental (active)", "class IV segmental (active)", 20,
     ("IV",), "IV-S (A)", "unspecified", "A", "S", "IV"),
]

NOT_LN_CLASSES = [
    "NYHA class III",
    "NYHA class III heart failure; history of lupus nephritis",
    "lupus nephritis; NYHA functional class III",
    "class II obesity",
    "class II obesity, lupus nephritis",
    "Mallampati class 2 before the renal biopsy",
    "ACR class III, lupus nephritis",
    "class I antiarrhythmic; lupus nephritis",
    "CKD stage 4 from lupus nephritis",
    "Child-Pugh class B",
    "Child-Pugh class 2 cirrhosis, kidney biopsy",
    "WHO class II pulmonary hypertension",
    "Lupus nephritis with WHO class II pulmonary hypertension",
    "HLA class II typing before kidney transplant",
    "class IV",  # no LN cue
    "the class is unknown; lupus nephritis",
]


@pytest.mark.parametrize(
    "text,span,start,classes,label,scheme,activity,sg,key", CLASS_CASES,
    ids=[c[0] for c in CLASS_CASES])
def test_find_ln_class(text: str, span: str, start: int, classes: tuple[str, ...], label: str,
                       scheme: str, activity: str | None, sg: str | None, key: str) -> None:
    found = find_ln_classes(text)
    assert len(found) == 1
    c = found[0]
    assert (c.start, c.end, c.text) == (start, start + len(span), span)
    assert c.text == text[c.start:c.end]
    assert c.classes == classes
    assert c.label == label
    assert c.scheme == scheme
    assert c.activity == activity
    assert c.segmental_global == sg
    assert base_key(c) == key


@pytest.mark.parametrize("text", NOT_LN_CLASSES)
def test_not_an_ln_class(text: str) -> None:
    assert find_ln_classes(text) == []


def test_cue_can_be_switched_off() -> None:
    assert [c.label for c in find_ln_classes("class IV", require_cue=False)] == ["IV"]
    # the blocklist still applies without the cue requirement
    assert find_ln_classes("NYHA class III", require_cue=False) == []
    assert find_ln_classes("WHO class II pulmonary hypertension", require_cue=False) == []


def test_cue_must_be_in_the_same_sentence() -> None:
    text = "History of lupus nephritis. Her class IV status at school was discussed."
    assert find_ln_classes(text) == []


def test_several_classes_in_order() -> None:
    text = ("Renal biopsy 2019: WHO class III. Repeat renal biopsy 03/2024: "
            "ISN/RPS class IV-G (A/C) + V.")
    found = find_ln_classes(text)
    assert [(c.label, c.scheme, base_key(c)) for c in found] == [
        ("III", "WHO", "III"), ("IV-G (A/C) + V", "ISN/RPS", "IV+V")]
    assert all(c.text == text[c.start:c.end] for c in found)


def test_ln_class_is_frozen() -> None:
    c = find_ln_classes("ISN/RPS class V")[0]
    assert isinstance(c, LNClass)
    with pytest.raises(AttributeError):
        c.label = "IV"  # type: ignore[misc]


@pytest.mark.parametrize("key, others, expected", [
    ("IV", ["V"], "IV+V"),          # "class IV-G (A/C) ... with membranous features (class V)"
    ("V", ["IV"], "IV+V"),          # whichever of the two mentions is the newest
    ("V", ["II"], "V"),
    ("III", ["V", "III"], "III+V"),
    ("IV+V", ["V"], "IV+V"),
    ("II", ["V"], "II"),            # ISN/RPS combines V only with III or IV
    ("IV", ["III"], "IV"),          # a class change is not a combination
    ("IV", [], "IV"),
    ("", ["V"], ""),
])
def test_with_membranous(key: str, others: list[str], expected: str) -> None:
    from extractor.isn_class import with_membranous

    assert with_membranous(key, others) == expected
