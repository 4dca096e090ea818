"""Load and validate the criteria file (``patterns/criteria.yaml`` by default).

YAML is read with ``yaml.safe_load`` (no code execution). Each criterion is validated against
the parameters of its rule; unknown keys, unknown rules, wrong types and concepts that no
pattern file defines are rejected with the file, the criterion id and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .rules import patterns_dir

FLAG_NAMES = Literal["negated", "family", "hypothetical", "uncertain", "historical"]


class CriteriaError(ValueError):
    """The criteria file is unreadable or one of its entries is invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """One alternative of a ``conditions`` rule: mentions of ``concepts`` (with metadata
    ``where``), with ``flags`` set and none of ``exclude_flags``; or a patient's sex."""

    concepts: list[str] = Field(default_factory=list)
    where: dict[str, Any] = Field(default_factory=dict)
    flags: list[FLAG_NAMES] = Field(default_factory=list)
    exclude_flags: list[FLAG_NAMES] | None = None
    result: Literal["positive", "negative"] | None = None
    triggers: list[str] = Field(default_factory=list)  # the flag was set by one of these words, or the mention names one
    patient_sex: Literal["F", "M"] | None = None
    # the mention's date must lie wholly inside this many days before the index date
    # (an active illness dated years back is a past episode, not a current one)
    within_days: int | None = Field(default=None, ge=0)
    # mentions grouped by this metadata key ("method"): a group whose latest mention is negated or
    # historical ("IUD removed in 2023", "no quiere volver al DIU") no longer counts its older ones
    current_by: str | None = None
    # the mention's sentence must hold one of these words ("condoms only", "sigue con preservativo")
    words: list[str] = Field(default_factory=list)
    # mentions found here no longer count once a note at least as recent says this
    # ("Contraception: condoms only" after "copper IUD" or "IUD offered"): rule 5
    ended_by: Condition | None = None
    # the notes must also speak of one of these concepts, however flagged ("menopausia a los 45 años"
    # decides a breastfeeding question only where the notes tell of breastfeeding, even a past one)
    also_mentioned: list[str] = Field(default_factory=list)


class _Criterion(_Strict):
    kind: Literal["inclusion", "exclusion"]
    core: bool | None = None  # inclusions: default from core_inclusions


class AgeAtLeast(_Criterion):
    rule: Literal["age_at_least"]
    min_years: int
    concepts: list[str]


class DiagnosisWithItems(_Criterion):
    rule: Literal["diagnosis_with_items"]
    diagnosis: list[str]
    alternatives: list[str] = Field(default_factory=list)
    # alternatives that are a manifestation when their note affirms the diagnosis and denies it nowhere
    manifestation_beside_diagnosis: list[str] = Field(default_factory=list)
    count: list[str] = Field(default_factory=list)
    items: list[str]
    min_items: int


class LatestClassInWindow(_Criterion):
    rule: Literal["latest_class_in_window"]
    concepts: list[str]
    pending: list[str] = Field(default_factory=list)
    performed: list[str] = Field(default_factory=list)
    # mentions that name a biopsy itself (not a report's "Procedure date:" header, which any
    # operation note has): a dated one newer than every class is a biopsy with no class yet
    biopsies: list[str] = Field(default_factory=list)
    window_days: int
    eligible_classes: list[str]


class StartedAndResponse(_Criterion):
    rule: Literal["started_and_response"]
    start: list[str]
    start_drugs: list[str] = Field(default_factory=list)
    course_gap_days: int = 365
    # an agent with this metadata (IV glucocorticoid pulses) restarts the course when the course's
    # first agent is more than ``restart_after_days`` older: a re-induction of a relapse on maintenance
    restart_by: dict[str, Any] = Field(default_factory=dict)
    restart_route: str | None = None  # ... given by this route, or
    restart_min_mg: float | None = None  # ... in a single dose this large (a pulse)
    restart_after_days: int = 180
    min_days: int
    response: list[str]
    met_levels: list[str]
    not_met_levels: list[str]
    unknown_levels: list[str] = Field(default_factory=list)
    # a denied level is a lower one: "not complete response" is at best partial, "no alcanza
    # respuesta parcial" is none
    negated_levels: dict[str, str] = Field(default_factory=dict)
    anchors: list[str] = Field(default_factory=list)
    anchor_items: list[str] = Field(default_factory=list)
    weak_anchors: list[str] = Field(default_factory=list)
    non_renal_words: list[str] = Field(default_factory=list)
    anchor_words: list[str] = Field(default_factory=list)


class LatestValueInWindow(_Criterion):
    rule: Literal["latest_value_in_window"]
    concepts: list[str]
    window_days: int
    min_value: float


class Conditions(_Criterion):
    rule: Literal["conditions"]
    met_any: list[Condition]
    not_met_any: list[Condition] = Field(default_factory=list)
    review_any: list[Condition] = Field(default_factory=list)
    conflict: Literal["latest", "review", "met_wins"] = "review"
    # evidence to review outweighs a denial: "not a kidney transplant candidate" beside a stem-cell transplant
    review_over_not_met: bool = False


class AllGroups(_Criterion):
    rule: Literal["all_groups"]
    concepts: list[str]
    group_by: str
    groups: list[str]
    # a negated plan ("SCHEDULED 12/03 (ordered, not given)") is a refusal only when its negation holds one of these
    refusal_words: list[str] = Field(default_factory=list)
    # a plain negation in a sentence naming the record is no record, not a refusal ("No Hib dose on record")
    not_recorded_words: list[str] = Field(default_factory=list)
    # a negation in a sentence saying the dose is not needed is neither a dose nor a refusal ("Prevenar 20 - not
    # required (PCV13 + PPV23 series complete)", "No procede VNP23 tras VNC20")
    not_needed_words: list[str] = Field(default_factory=list)


class DoseLimit(_Criterion):
    rule: Literal["dose_limit"]
    concepts: list[str]
    current_days: int
    weight: list[str] = Field(default_factory=list)
    bsa: list[str] = Field(default_factory=list)
    limits: dict[str, dict[Literal["max_mg_per_day", "max_mg_per_m2"], float]]
    glucocorticoids: dict[str, Any]
    medication_sections: list[str] = Field(default_factory=list)
    # agent classes (mycophenolate) of which one drug is taken at a time: the latest mention of the class is current
    one_current_per_class: list[str] = Field(default_factory=list)


class ExposureInWindow(_Criterion):
    rule: Literal["exposure_in_window"]
    concepts: list[str]
    window_days: int
    negated_by: list[str] = Field(default_factory=list)
    documented_by: list[str] = Field(default_factory=list)
    # metadata a documenting mention of ``documented_where_concepts`` must carry ("surgery": a
    # tonsillectomy is surgical history, a colonoscopy is not)
    documented_where: dict[str, Any] = Field(default_factory=dict)
    documented_where_concepts: list[str] = Field(default_factory=list)
    where: dict[str, Any] = Field(default_factory=dict)
    where_concepts: list[str] = Field(default_factory=list)
    review_concepts: list[str] = Field(default_factory=list)
    specified_by: list[str] = Field(default_factory=list)  # a vague mention next to one of these is specified
    planned_is_unknown: bool = False
    events: bool = False  # one-off events (operations): an undated later mention restates a dated one
    # an undated mention right after one of these words refers back to an earlier administration
    # ("low IgG after RTX"): it is viewed with the latest earlier dated mention of the same drug
    refers_back_words: list[str] = Field(default_factory=list)
    # a negated mention whose sentence holds one of these words denies the drug was ever given:
    # it corrects the earlier mentions of it (rule 5; evaluator.corrected_later)
    never_words: list[str] = Field(default_factory=list)
    # a negated mention dated by its sentence with one of these words denies the drug from that
    # date on ("no ha vuelto a recibir BLM desde junio de 2023"): later copied-forward mentions are not doses
    since_words: list[str] = Field(default_factory=list)
    # a never-word followed by one of these speaks of a repeat, not of a first dose ("never resumed")
    again_words: list[str] = Field(default_factory=list)
    # a denial further down the same note corrects a dated mention above it when one of these words
    # stands between them ("CORRECTION: ... This is incorrect ... She has never received rituximab")
    correction_words: list[str] = Field(default_factory=list)
    # a last dose told where the drug is stopped ("Se suspende Cimzia (última dosis 13/06/2024)") caps
    # the same note's undated mentions of it ("En tratamiento con Cimzia" above): they are that course
    stopped_words: list[str] = Field(default_factory=list)
    # a negated mention whose sentence holds one of these words declines a plan, it does not deny the
    # window's past ("no IVIG indicated for now", "de momento no IGIV; si infecciones, valorar")
    plan_words: list[str] = Field(default_factory=list)


class DoseChangeInWindow(_Criterion):
    rule: Literal["dose_change_in_window"]
    concepts: list[str]
    change: list[str]
    stable: list[str]
    drugs: list[str]
    window_days: int
    # a denial with one of these words ("she has never taken one") says there was no dose to change
    never_words: list[str] = Field(default_factory=list)
    # a change named after one of these ("K 4.9 after ramipril increase") is an earlier dated change told again
    retold_after_words: list[str] = Field(default_factory=list)


class LabPanel(_Criterion):
    rule: Literal["lab_panel"]
    met_any: list[dict[str, str]]
    not_met_all: list[dict[str, Any]]
    diagnosis_any: list[Condition] = Field(default_factory=list)
    review_any: list[Condition] = Field(default_factory=list)


class NeverFromNotes(_Criterion):
    rule: Literal["never_from_notes"]


Criterion = Union[
    AgeAtLeast, DiagnosisWithItems, LatestClassInWindow, StartedAndResponse, LatestValueInWindow,
    Conditions, AllGroups, DoseLimit, ExposureInWindow, DoseChangeInWindow, LabPanel, NeverFromNotes,
]
_RULES = {m.model_fields["rule"].annotation.__args__[0]: m for m in Criterion.__args__}


class ConceptConfig(_Strict):
    value: Literal["dose", "ln_class", "score", "lab_result", "age", "dob", "sex", "weight", "bsa", "count"] | None = None
    required: bool = False
    # a mention is dated by the last administration its sentence states, after one of these words
    last_dose_words: list[str] = Field(default_factory=list)
    # a mention with no date of its own in a report that states when its specimen was taken
    # ("Collected: 19-JUL-2024") is dated by that day, not by the report's date
    specimen_dated: bool = False
    # an operation with no date of its own in a report whose header gives the operation's day
    # ("Cirurgia: 12/11/2024   Alta: 14/11/2024") is dated by that day
    operation_dated: bool = False
    # its rules state the finding ("Respuesta renal parcial:"): a field label of it asserts it
    label_asserts: bool = False


class CriteriaFile(_Strict):
    version: int
    trial: str = ""
    affirmed_excludes: list[FLAG_NAMES]
    ignore_sections: list[str] = Field(default_factory=list)
    concepts: dict[str, ConceptConfig] = Field(default_factory=dict)
    lab_cutoffs: dict[str, float] = Field(default_factory=dict)
    core_inclusions: list[str]
    criteria: dict[str, Any]


class Criteria:
    """A validated criteria file: ``criteria`` maps id -> rule parameters (pydantic models)."""

    def __init__(self, spec: CriteriaFile, criteria: dict[str, Any], path: Path):
        self.spec = spec
        self.criteria = criteria
        self.path = path

    def is_core(self, criterion_id: str) -> bool:
        c = self.criteria[criterion_id]
        if c.kind != "inclusion":
            return False
        return c.core if c.core is not None else criterion_id in self.spec.core_inclusions

    def concept_criteria(self) -> dict[str, list[str]]:
        """Which criteria read each concept (for the evidence table's criterion_id column)."""
        out: dict[str, list[str]] = {}
        for cid, c in self.criteria.items():
            for concept in sorted(_concepts_of(c)):
                out.setdefault(concept, []).append(cid)
        return out


def _concepts_of(c: Any) -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                if name in ("where", "groups", "drugs", "anchors", "weak_anchors", "met_levels", "not_met_levels", "unknown_levels",
                            "eligible_classes", "anchor_items", "anchor_words", "triggers", "non_renal_words", "start_drugs"):
                    continue
                walk(getattr(value, name))
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and k.isupper():
                    found.add(k)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                if isinstance(v, str) and v.isupper() and len(v) > 2:
                    found.add(v)
                else:
                    walk(v)

    walk(c)
    return found


def default_criteria_path() -> Path:
    return patterns_dir() / "criteria.yaml"


def load_criteria(path: Path | str | None = None, known_concepts: set[str] | None = None) -> Criteria:
    """Validated criteria; ``known_concepts`` (from the pattern files) catches typos."""
    path = Path(path) if path else default_criteria_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CriteriaError(f"{path}: criteria file not found") from None
    except yaml.YAMLError as exc:
        raise CriteriaError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from None
    if not isinstance(raw, dict):
        raise CriteriaError(f"{path}: expected a mapping with 'criteria'")
    try:
        spec = CriteriaFile.model_validate(raw)
    except ValidationError as exc:
        raise CriteriaError(f"{path}: {_first_error(exc)}") from None
    criteria: dict[str, Any] = {}
    for cid, entry in spec.criteria.items():
        if not isinstance(entry, dict) or entry.get("rule") not in _RULES:
            rule = entry.get("rule") if isinstance(entry, dict) else None
            raise CriteriaError(f"{path}: criteria.{cid}: unknown rule {rule!r}; one of {sorted(_RULES)}")
        try:
            criteria[cid] = _RULES[entry["rule"]].model_validate(entry)
        except ValidationError as exc:
            raise CriteriaError(f"{path}: criteria.{cid}: {_first_error(exc)}") from None
        if known_concepts is not None:
            unknown = _concepts_of(criteria[cid]) - known_concepts
            if unknown:
                raise CriteriaError(f"{path}: criteria.{cid}: concepts {sorted(unknown)} are defined by no pattern file")
    for cid in spec.core_inclusions:
        if cid not in criteria:
            raise CriteriaError(f"{path}: core_inclusions names {cid!r}, which is not a criterion")
    return Criteria(spec, criteria, path)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" + (f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict) else "")
