"""The temporal criteria evaluator: evidence + patient facts -> a status per criterion and per
patient, each with the evidence ids that decided it and a one-line reason.

Everything here is plain Python over :class:`extractor.evidence.Evidence`; no spaCy. A date is
a range of possible days (``date_min``..``date_max``; an open start means "any day up to").
Against a window of N days before the index date a range is ``inside`` (wholly within),
``outside`` (wholly before), ``straddles`` (both: decides ``unknown``) or ``after`` (later than
the index date: not counted).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Callable, Iterable

from .criteria import Condition, Criteria
from .dates import add_months
from .demographics import age_on
from .evidence import SELF_DATED_SOURCES, Evidence, display_date
from .isn_class import with_membranous

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
LIKELY_ELIGIBLE, NOT_ELIGIBLE, NEEDS_REVIEW = "likely_eligible", "not_eligible", "needs_review"


@dataclass
class Decision:
    status: str
    evidence: list[Evidence] = field(default_factory=list)
    reason: str = ""

    @property
    def evidence_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for ev in self.evidence:
            seen.setdefault(ev.evidence_id, None)
        return list(seen)


@dataclass(frozen=True)
class Patient:
    patient_id: str
    index_date: date
    birth_date: date | None = None
    sex: str | None = None


# ---------------------------------------------------------------- generic predicates

def window_position(ev: Evidence, index: date, days: int) -> str:
    """inside / outside / straddles / after for a window of ``days`` before ``index``. A run of days
    that all happened (``date_span``) is inside when any of its days is."""
    start = index - timedelta(days=days)
    lo, hi = ev.date_min, ev.date_max
    if hi is None:
        return "straddles"
    if lo is not None and lo > index:
        return "after"
    if hi < start:
        return "outside"
    if (lo is not None and lo >= start) and hi <= index:
        return "inside"
    if ev.details.get("date_span") and lo is not None and lo <= index:
        return "inside"  # days that all happened ("x2 (04/10/2022 and 18/10/2022)"): one of them is inside
    return "straddles"


def days_before(index: date, ev: Evidence) -> str:
    if ev.date_min is None:
        return f"on or before {ev.date_max}"
    if ev.date_min == ev.date_max:
        return f"{(index - ev.date_min).days} days before index"
    return f"{(index - ev.date_max).days}-{(index - ev.date_min).days} days before index"


class View:
    """The evidence of one patient, with the filters every rule shares."""

    def __init__(self, evidence: Iterable[Evidence], criteria: Criteria, patient: Patient):
        self.patient = patient
        self.criteria = criteria
        ignore = set(criteria.spec.ignore_sections)
        # under Allergies, or named by an allergy field inside a line: never an administration or finding
        self.all = [ev for ev in evidence if (ev.section or "") not in ignore and not ev.details.get("allergy")]
        self.all = copies_dropped(dated_by_age(self.all, patient))
        self.default_excludes = tuple(criteria.spec.affirmed_excludes)

    def of(self, concepts: Iterable[str], where: dict[str, Any] | None = None,
           where_concepts: Iterable[str] | None = None) -> list[Evidence]:
        wanted = set(concepts)
        scoped = set(where_concepts) if where_concepts else wanted
        out = []
        for ev in self.all:
            if ev.concept not in wanted:
                continue
            if where and ev.concept in scoped and any(ev.details.get(k) != v for k, v in where.items()):
                continue
            out.append(ev)
        return out

    def affirmed(self, concepts: Iterable[str], excludes: Iterable[str] | None = None, **kw) -> list[Evidence]:
        """Mentions that assert the concept: none of the flags set, and not a bare field label
        ("Cancer: no hx of cancer", "TB: BCG as infant"), which documents a topic, not a finding."""
        flags = tuple(excludes) if excludes is not None else self.default_excludes
        return [ev for ev in self.of(concepts, **kw)
                if not any(getattr(ev, f) for f in flags) and not ev.details.get("field_label")]

    def negated(self, concepts: Iterable[str], **kw) -> list[Evidence]:
        """Denied mentions. A field name denied together with the things the field then names
        ("Biológicos: nunca recibió rituximab ni belimumab") denies those things, not the field's
        whole class (rule 4)."""
        return [ev for ev in self.of(concepts, **kw) if ev.negated and not ev.family
                and not (ev.details.get("field_label") and self._names_its_items(ev))]

    def _names_its_items(self, label: Evidence) -> bool:
        return any(ev.note_id == label.note_id and ev.concept != label.concept and ev.negated
                   and label.end <= ev.start < label.sentence_end for ev in self.all)


def birth_range(evidence: list[Evidence], patient: Patient) -> tuple[date, date] | None:
    """When the patient was born: patients.csv, else a DOB in a note, else the latest stated age
    ("45 años" on 2024-03-01: born between 1978-03-02 and 1979-03-01)."""
    if patient.birth_date:
        return patient.birth_date, patient.birth_date
    own = [ev for ev in evidence if not (ev.family or ev.negated or ev.hypothetical)]
    dob = latest(ev for ev in own if ev.details.get("birth_date"))
    if dob is not None:
        born = date.fromisoformat(dob.details["birth_date"])
        return born, born
    age = latest(ev for ev in own if ev.concept == "AGE" and ev.details.get("age") and ev.note_date)
    if age is None:
        return None
    years = int(age.details["age"])
    return add_months(age.note_date, -12 * (years + 1)) + timedelta(days=1), add_months(age.note_date, -12 * years)


def dated_by_age(evidence: list[Evidence], patient: Patient) -> list[Evidence]:
    """A mention dated only by the patient's age then ("apendicectomía a los 12 años", "as a
    child": ``details.at_age``) takes the days that age spans, from the birth date; the
    evidence itself is not changed, a dated copy is used (``date_source`` "at_age")."""
    marked = [ev for ev in evidence if ev.details.get("at_age")]
    born = birth_range(evidence, patient) if marked else None
    if born is None:
        return evidence
    out = []
    for ev in evidence:
        if ev.details.get("at_age"):
            youngest, oldest = ev.details["at_age"]
            lo = add_months(born[0], 12 * youngest)
            hi = add_months(born[1], 12 * (oldest + 1)) - timedelta(days=1)
            if ev.note_date is not None:
                hi = min(hi, ev.note_date)
            if lo <= hi:
                ev = replace(ev, date_min=lo, date_max=hi, date_source="at_age", event_date=display_date(lo, hi))
        out.append(ev)
    return out


def latest(evs: Iterable[Evidence]) -> Evidence | None:
    evs = list(evs)
    # the note id breaks a tie between two notes of one day: the choice must not follow input order
    return max(evs, key=lambda e: (e.sort_date, e.note_date or date.min, e.note_id, e.start)) if evs else None


def lab_result(ev: Evidence, cutoffs: dict[str, float]) -> str | None:
    """positive / negative from the result word, else the number against the concept's cut-off."""
    result = ev.details.get("result")
    if result in ("positive", "negative"):
        return result
    if result is not None:
        return None
    number, cutoff = ev.details.get("number"), cutoffs.get(ev.concept)
    if number is None or cutoff is None:
        return None
    if ev.details.get("comparator") in ("<", "<="):
        return "negative" if number <= cutoff else None
    return "positive" if number >= cutoff else "negative"


# ---------------------------------------------------------------- rules

def age_at_least(c, v: View) -> Decision:
    p = v.patient
    if p.birth_date:
        age = age_on(p.birth_date, p.index_date)
        return Decision(MET if age >= c.min_years else NOT_MET, [], f"age {age} at index from patients.csv birth date")
    dobs = [ev for ev in v.affirmed(c.concepts) if ev.details.get("birth_date")]
    if dobs:
        ev = latest(dobs)
        age = age_on(date.fromisoformat(ev.details["birth_date"]), p.index_date)
        return Decision(MET if age >= c.min_years else NOT_MET, [ev], f"age {age} at index from DOB in note")
    ages = [ev for ev in v.affirmed(c.concepts) if ev.details.get("age") is not None and ev.note_date]
    if not ages:
        return Decision(UNKNOWN, [], "no age or birth date")
    def bounds(ev):
        years = (p.index_date - ev.note_date).days // 365 if p.index_date >= ev.note_date else 0
        return ev.details["age"] + years, ev.details["age"] + years + 1
    best = max(ages, key=lambda ev: bounds(ev)[0])
    low, high = bounds(best)
    if low >= c.min_years:
        return Decision(MET, [best], f"stated age {best.details['age']} on {best.note_date}: at least {low} at index")
    if high < c.min_years:
        return Decision(NOT_MET, [best], f"stated age {best.details['age']}: under {c.min_years} at index")
    return Decision(UNKNOWN, [best], "stated age near the threshold")


def diagnosis_with_items(c, v: View) -> Decision:
    dx = v.affirmed(c.diagnosis)
    # a negated organ manifestation ("LN ...: no valid proteinuria", "no lupus nephritis") is the
    # absence of that item, not a ruled-out diagnosis
    denied = [ev for ev in v.negated(c.diagnosis) if not ev.details.get("item")]
    # "Lupus cutáneo subagudo" in a note that states the SLE is one of its manifestations; in a
    # note that rules SLE out ("Se descarta LES ... exclusively cutaneous") it is the other form
    alternatives = [ev for ev in v.affirmed(c.alternatives)
                    if not (ev.concept in c.manifestation_beside_diagnosis
                            and any(d.note_id == ev.note_id for d in dx)
                            and not any(n.note_id == ev.note_id for n in denied))]
    ruled_out = alternatives + denied
    last_dx, last_out = latest(dx), latest(ruled_out)
    if last_out is not None and (last_dx is None or last_out.sort_date >= last_dx.sort_date):
        return Decision(NOT_MET, [last_out] + ([last_dx] if last_dx else []),
                        f"SLE ruled out or another lupus form: '{last_out.text}' ({last_out.note_id})")
    if not dx:
        return Decision(UNKNOWN, [], "no affirmed SLE diagnosis")
    counts = [ev for ev in v.affirmed(c.count) if ev.details.get("number") is not None]
    best = max(counts, key=lambda ev: ev.details["number"], default=None)
    if best is not None and best.details["number"] >= c.min_items:
        return Decision(MET, [dx[0], best], f"SLE with an explicit count of {best.details['number']} ACR criteria")
    items: dict[str, Evidence] = {}
    for ev in v.affirmed(c.items):
        item = ev.details.get("item")
        if item and item not in items:
            items[item] = ev
    if len(items) >= c.min_items:
        return Decision(MET, [dx[0], *items.values()], f"SLE with {len(items)} ACR items: {', '.join(sorted(items))}")
    return Decision(UNKNOWN, [dx[0], *items.values()],
                    f"SLE with only {len(items)} ACR items found ({', '.join(sorted(items)) or 'none'})")


def _as_restatement(ev: Evidence) -> Evidence:
    """A view of the evidence dated 'any day up to its note' (the row itself is not changed)."""
    from dataclasses import replace

    return replace(ev, date_min=None, date_source="before_note_date", event_date=f"<={ev.note_date}")


def _dated_like(ev: Evidence, source: Evidence) -> Evidence:
    """A view of ``ev`` dated like ``source`` (a report's procedure date); the row is not changed."""
    from dataclasses import replace

    return replace(ev, date_min=source.date_min, date_max=source.date_max, date_source=source.date_source,
                   event_date=source.event_date, date_text=source.date_text)


def _class_view(ev: Evidence, performed: list[Evidence]) -> Evidence:
    """A class with no date of its own takes the procedure date its report states ("PROCEDURE DATE:
    09/08/2024", not the sign-out date); in a note that reports no biopsy it restates an old one."""
    # "I saw her today for follow-up of class IV LN": a date equal to the visit's is the visit's
    if ev.date_source != "note_date" and not (ev.date_min == ev.date_max == ev.note_date):
        return ev
    same_note = [b for b in performed if b.note_id == ev.note_id]
    if not same_note:
        return _as_restatement(ev)
    dated = [b for b in same_note if b.date_source in ("sentence", "sentence_relative", "specimen_date")]
    return _dated_like(ev, latest(dated)) if dated else ev


def latest_class_in_window(c, v: View) -> Decision:
    index = v.patient.index_date
    # report headers ("BIOPSY DATE: 08/19/2024") are field labels by nature: keep them here
    # ... and one dated after the note that tells it had not happened when it was written ("nueva
    # biopsia renal para marzo de 2025" in a note of February)
    performed = [ev for ev in v.of(c.performed) if not (ev.negated or ev.family or ev.hypothetical or ev.uncertain)
                 and not (ev.date_min is not None and ev.note_date is not None and ev.date_min > ev.note_date)]
    classes = [_class_view(ev, performed) for ev in v.affirmed(c.concepts, excludes=("negated", "family", "hypothetical"))]
    newest = latest(classes)
    # a superseded preliminary report ("supersedes preliminary report of 09/11") is history
    pending = latest(v.affirmed(c.pending, excludes=("negated", "family", "historical")))
    last_biopsy = latest(b for b in performed if b.date_source in ("sentence", "specimen_date"))
    if last_biopsy is not None and window_position(last_biopsy, index, c.window_days) == "outside" and (
            newest is None or newest.sort_date <= last_biopsy.sort_date):
        return Decision(NOT_MET, [last_biopsy] + ([newest] if newest else []),
                        f"latest biopsy {last_biopsy.event_date} ({days_before(index, last_biopsy)}): older than {c.window_days} days")
    if newest is None:
        if pending is not None or performed:
            found = [e for e in [pending] if e] + performed
            return Decision(UNKNOWN, found[:3], "biopsy documented but no class reported")
        return Decision(UNKNOWN, [], "no biopsy class found")
    # the latest biopsy performed has no class yet; the class found is of an earlier biopsy (rule 8)
    named = latest(b for b in performed if b.concept in c.biopsies and b.date_source in ("sentence", "specimen_date"))
    if (named is not None and named.date_min is not None and newest.date_max is not None
            and newest.date_max < named.date_min):
        return Decision(UNKNOWN, [named, newest] + ([pending] if pending else []),
                        f"latest biopsy {named.event_date} has no class reported; class {newest.value} is of an earlier one")
    # a class of the latest biopsy written in a later note than the preliminary one: the report came out
    reported_later = pending is not None and any(
        e.note_date and pending.note_date and e.note_date > pending.note_date
        and (last_biopsy is None or (e.date_max is not None and last_biopsy.date_min is not None
                                     and e.date_max >= last_biopsy.date_min))
        for e in classes)
    if pending is not None and ((pending.sort_date > newest.sort_date and not reported_later)
                                or pending.note_id == newest.note_id):
        return Decision(UNKNOWN, [pending, newest], "the latest biopsy report is preliminary or pending")
    position = window_position(newest, index, c.window_days)
    written = newest.details.get("class_key", "")
    siblings = [e.details.get("class_key", "") for e in classes if e is not newest and e.note_id == newest.note_id
                and e.sentence_start == newest.sentence_start and e.sort_date == newest.sort_date]
    key = with_membranous(written, siblings)
    eligible = key in c.eligible_classes
    merged = "" if key == written else f" read with class V in the same sentence: {key}"
    label = f"class {newest.value}{merged} ({days_before(index, newest)})"
    if position == "inside":
        return Decision(MET if eligible else NOT_MET, [newest], f"latest biopsy {label}" + ("" if eligible else ": class not eligible"))
    if position == "outside":
        return Decision(NOT_MET, [newest], f"latest biopsy {label}: older than {c.window_days} days")
    return Decision(UNKNOWN, [newest], f"latest biopsy {label}: date straddles the {c.window_days}-day window")


def _anchored(ev: Evidence, c, v: View) -> bool:
    """Whether a response statement is about the kidney (see the criteria file)."""
    sentence = f"{ev.text} {ev.sentence_text}".lower()
    if any(re.search(rf"\b{re.escape(w.lower())}\b", sentence) for w in c.anchor_words):
        return True
    neighbours = [o for o in v.all if o.note_id == ev.note_id and o is not ev
                  and ev.sentence_start <= o.start < ev.sentence_end]
    items = {o.details.get("item") for o in neighbours if o.details.get("item")}
    if items & set(c.anchor_items) or any(o.concept in c.anchors for o in neighbours):
        return True
    other_organ = bool(items - set(c.anchor_items)) or any(
        re.search(rf"\b{re.escape(w.lower())}\b", sentence) for w in c.non_renal_words)
    if other_organ:
        return False
    if ev.details.get("needs_anchor"):
        return any(o.concept in c.weak_anchors for o in neighbours)
    return True


def current_course(evs: list[Evidence], gap_days: int) -> list[Evidence]:
    """The latest run of mentions with no gap longer than ``gap_days`` between them: a course
    given years ago (a 2017 induction, steroids for ITP) is not the start of this one."""
    ordered = sorted(evs, key=lambda e: (e.date_max, e.start))
    run: list[Evidence] = []
    for ev in ordered:
        if run and (ev.date_min or ev.date_max) - run[-1].date_max > timedelta(days=gap_days):
            run = []
        run.append(ev)
    return run


def is_pulse(details: dict[str, Any], route: str | None, min_mg: float | None) -> bool:
    """A glucocorticoid pulse: given by ``route`` (IV), or in a single dose of at least ``min_mg``
    ("MP 500 mg x3" with no route written). One reading for the dose limit and the course restart."""
    return ((route is not None and details.get("route") == route)
            or (min_mg is not None and (details.get("amount") or 0) >= min_mg))


def restarted_course(evs: list[Evidence], c) -> list[Evidence]:
    """The course from its latest restart: IV glucocorticoid pulses given long after the course's
    first agent begin a re-induction ("relapse on maintenance MMF: MP 500 mg IV x3 on 15/02/2025"),
    so the agents before them belong to the earlier induction and its maintenance."""
    if not c.restart_by or not evs:
        return evs

    pulses = [e for e in evs if e.date_min is not None
              and all(e.details.get(k) == val for k, val in c.restart_by.items())
              and is_pulse(e.details, c.restart_route, c.restart_min_mg)]
    if not pulses:
        return evs
    last = max(pulses, key=lambda e: (e.date_min, e.start))
    first = min(evs, key=lambda e: (e.date_max, e.start))
    if (last.date_min - first.date_max).days <= c.restart_after_days:
        return evs
    return [e for e in evs if e.date_max >= last.date_min]


def started_and_response(c, v: View) -> Decision:
    index = v.patient.index_date
    starts = [ev for ev in v.affirmed(c.start) if ev.date_max is not None and ev.date_max <= index
              and (not c.start_drugs or ev.details.get("drug") in c.start_drugs)]
    starts = restarted_course(current_course(starts, c.course_gap_days), c)
    responses = [ev for ev in v.affirmed(c.response) if _anchored(ev, c, v)]
    responses += [ev for ev in v.affirmed(c.response, excludes=tuple(f for f in v.default_excludes if f != "negated"))
                  if ev.negated and ev.details.get("level") in c.negated_levels and _anchored(ev, c, v)]
    first = min(starts, key=lambda e: (e.date_max, e.start), default=None)
    if first is not None and first.date_min is not None:
        # a response dated before the current course began is an earlier course's ("class III that
        # reached complete renal response in 2020", beside a 2024 relapse)
        responses = [r for r in responses if r.date_max is None or r.date_max >= first.date_min]
    response = latest(responses)
    if first is None:
        return Decision(UNKNOWN, [response] if response else [], "no induction agent found")
    # a run of days that all happened (pulses "19, 20 y 21/4") began on its first day
    began = first.date_min if first.details.get("date_span") and first.date_min is not None else first.date_max
    earliest_days = (index - began).days
    started = f"{first.details.get('drug', first.text)} documented {earliest_days} days before index"
    if earliest_days < c.min_days:
        latest_possible = first.date_min is not None and (index - first.date_min).days < c.min_days
        if latest_possible:
            return Decision(NOT_MET, [first], f"induction started < {c.min_days} days before index ({started})")
    if response is None:
        return Decision(UNKNOWN, [first], f"{started}; no response statement")
    level = response.details.get("level")
    if response.negated:
        level = c.negated_levels[level]
    if level in c.not_met_levels:
        return Decision(NOT_MET, [first, response], f"{started}; response: {level}")
    if level in c.met_levels and earliest_days >= c.min_days:
        return Decision(MET, [first, response], f"{started}; response: {level}")
    if level in c.unknown_levels:
        return Decision(UNKNOWN, [first, response], f"{started}; response {level.replace('_', ' ')}")
    return Decision(UNKNOWN, [first, response], f"{started}; response: {level}")


def latest_value_in_window(c, v: View) -> Decision:
    index = v.patient.index_date
    scored = [ev for ev in v.affirmed(c.concepts) if ev.details.get("number") is not None
              and window_position(ev, index, c.window_days) != "after"]
    newest = latest(scored)
    if newest is None:
        return Decision(UNKNOWN, [], "no score found")
    position = window_position(newest, index, c.window_days)
    value = newest.details["number"]
    what = f"latest score {value} ({days_before(index, newest)})"
    if position == "inside":
        return Decision(MET if value >= c.min_value else NOT_MET, [newest], what)
    if position == "outside":
        return Decision(UNKNOWN, [newest], f"{what}: older than {c.window_days} days")
    return Decision(UNKNOWN, [newest], f"{what}: date straddles the window")


def _condition_matches(cond: Condition, v: View) -> tuple[bool, list[Evidence], str]:
    """(matched, evidence, reason) for one condition."""
    if cond.patient_sex:
        sex_ev = _sex_evidence(v)
        sex = v.patient.sex or (sex_ev.details.get("sex") if sex_ev else None)
        return sex == cond.patient_sex, [sex_ev] if (sex_ev and not v.patient.sex) else [], f"sex {sex}"
    if cond.result:  # a lab result: its polarity is the value, not the negation flag
        cutoffs = v.criteria.spec.lab_cutoffs
        found = [ev for ev in v.of(cond.concepts, where=cond.where)
                 if not ev.family and not ev.hypothetical and lab_result(ev, cutoffs) == cond.result]
    elif cond.flags:
        # whole words: Italian "nega" (denies) is not the start of "negative"; the word may be the
        # mention's own ("no oncologic history", "sin antecedentes oncológicos")
        words = _any_word(tuple(cond.triggers)) if cond.triggers else None
        found = [ev for ev in v.of(cond.concepts, where=cond.where)
                 if all(getattr(ev, f) for f in cond.flags) and not ev.family
                 and (words is None or words.search(ev.context_triggers) or words.search(ev.text))]
    else:
        found = v.affirmed(cond.concepts, excludes=cond.exclude_flags, where=cond.where)
        if cond.current_by:
            found = _still_current(found, v.of(cond.concepts, where=cond.where), cond.current_by)
    if cond.words:
        words = _any_word(tuple(cond.words))
        found = [ev for ev in found if words.search(ev.sentence_text)]
    if cond.within_days is not None:
        found = [ev for ev in found if window_position(ev, v.patient.index_date, cond.within_days) == "inside"]
    if cond.ended_by is not None and found:
        found = _not_ended(found, _condition_matches(cond.ended_by, v)[1])
    if cond.also_mentioned and found and not v.of(cond.also_mentioned):
        found = []
    return bool(found), found, ""


def _not_ended(found: list[Evidence], enders: list[Evidence]) -> list[Evidence]:
    """``found`` without the mentions that a statement in a note at least as recent ends ("condoms
    only" after "copper IUD"), unless that statement's own sentence names them too ("condoms only
    until the IUD is fitted" is no such statement)."""
    enders = [e for e in enders if e.note_date is not None
              and not any(f.note_id == e.note_id and f.sentence_start == e.sentence_start for f in found)]
    return [ev for ev in found if ev.note_date is None or not any(e.note_date >= ev.note_date for e in enders)]


def _self_dated(ev: Evidence) -> bool:
    """Dated by a date written in its own sentence, not by its note's date."""
    return ev.date_source in SELF_DATED_SOURCES and ev.date_min is not None and ev.date_max is not None


def _same_dated_event(a: Evidence, b: Evidence) -> bool:
    """Both mentions are dated by their own sentences, to overlapping days."""
    return _self_dated(a) and _self_dated(b) and a.date_min <= b.date_max and b.date_min <= a.date_max


def _stems(text: str) -> set[str]:
    return {w[:4] for w in re.findall(r"[^\W\d_]{4,}", text.lower())}


def _carried_out(plan: Evidence, done: Evidence) -> bool:
    """A plan ("Planned procedure: Laparoscopic cholecystectomy", "colecistectomía programada para
    julio") that a mention of the same procedure dated on or after the plan (its own date, else its
    note's) reports done ("Underwent lap chole 12/02/2024"; a postponed operation is still the one planned)."""
    planned_from = plan.date_min if _self_dated(plan) and plan.date_min is not None else plan.note_date
    if planned_from is None or done.date_min is None or not _stems(plan.text) & _stems(done.text):
        return False
    # ... or that its own note reports done ("cesárea programada ..." and "cesárea ... el 10/09/2024"
    # in the obstetric note of 13/09/2024)
    return done.date_min >= planned_from or (done.note_id == plan.note_id and _self_dated(done))


def _still_current(found: list[Evidence], every: list[Evidence], key: str) -> list[Evidence]:
    """``found`` without the mentions of a group (same ``details[key]``) that a later negated or
    historical mention of the group ends: the IUD of 2016 is not current after "IUD removed in 2023"."""
    ended: dict[Any, Evidence] = {}
    for ev in every:
        if ev.family or ev.hypothetical or not (ev.negated or ev.historical):
            continue
        group = ev.details.get(key)
        if group is not None and (group not in ended or ev.sort_date > ended[group].sort_date):
            ended[group] = ev
    return [ev for ev in found if ev.details.get(key) not in ended or ev.sort_date > ended[ev.details.get(key)].sort_date]


@functools.lru_cache(maxsize=None)
def _any_word(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(_whole_word, words)), re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def _word_before(words: tuple[str, ...]) -> re.Pattern:
    """One of ``words`` ending the text, perhaps with a hyphen ("post-") or a determiner ("after her")."""
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")(?:[\s-]+(?:her|his|their|the|a|an|its))?[\s-]*$",
                      re.IGNORECASE)


def _whole_word(word: str) -> str:
    """``word`` as a regex that does not start or end inside another word."""
    return ((r"(?<!\w)" if word[:1].isalnum() else "") + re.escape(word)
            + (r"(?!\w)" if word[-1:].isalnum() else ""))


def _sex_evidence(v: View) -> Evidence | None:
    return latest(ev for ev in v.all if ev.details.get("sex") and not ev.family)


def _any(conds: list[Condition], v: View) -> tuple[list[Evidence], list[str], bool]:
    evidence, reasons, matched = [], [], False
    for cond in conds:
        ok, found, reason = _condition_matches(cond, v)
        if ok:
            matched = True
            evidence += found
            if reason:
                reasons.append(reason)
    return evidence, reasons, matched


def conditions(c, v: View) -> Decision:
    met_ev, met_why, met = _any(c.met_any, v)
    not_ev, not_why, not_met = _any(c.not_met_any, v)
    if met and not not_met:
        return Decision(MET, met_ev, "; ".join(met_why) or _summ(met_ev))
    if not_met and not met:
        review_ev, _, review = _any(c.review_any, v) if c.review_over_not_met else ([], [], False)
        if review:
            return Decision(UNKNOWN, review_ev + not_ev, "evidence to review beside a denial: " + _summ(review_ev))
        return Decision(NOT_MET, not_ev, "; ".join(not_why) or _summ(not_ev, negative=True))
    if met and not_met:
        if c.conflict == "met_wins":
            return Decision(MET, met_ev, "; ".join(met_why) or _summ(met_ev))
        if c.conflict == "latest":
            a, b = latest(met_ev), latest(not_ev)
            if a is not None and b is not None and a.sort_date != b.sort_date:
                winner = MET if a.sort_date > b.sort_date else NOT_MET
                chosen = a if winner == MET else b
                return Decision(winner, [chosen], "latest statement wins: " + _summ([chosen], negative=winner == NOT_MET))
        return Decision(UNKNOWN, met_ev + not_ev, "conflicting statements: review")
    review_ev, _, review = _any(c.review_any, v)
    if review:
        return Decision(UNKNOWN, review_ev, "evidence to review: " + _summ(review_ev))
    return Decision(UNKNOWN, [], "no evidence")


def _summ(evs: list[Evidence], negative: bool = False) -> str:
    parts = []
    for ev in evs[:3]:
        parts.append(f"'{ev.text}'{' ' + ev.value if ev.value else ''} ({ev.note_id}, {ev.event_date})")
    return ("negative: " if negative else "") + ", ".join(parts)


def all_groups(c, v: View) -> Decision:
    have, declined, missing = [], [], []
    refusal = _any_word(tuple(c.refusal_words)) if c.refusal_words else None
    not_recorded = _any_word(tuple(c.not_recorded_words)) if c.not_recorded_words else None
    not_needed = _any_word(tuple(c.not_needed_words)) if c.not_needed_words else None

    def statement(ev: Evidence) -> bool:
        if ev.family or ev.uncertain:
            return False
        if not ev.negated:
            return not ev.hypothetical
        if not_needed is not None and not_needed.search(ev.sentence_text):
            return False
        # the whole trigger text: a negation trigger may itself hold "; " ("; after discussion she declined it")
        refused = refusal is None or refusal.search(ev.context_triggers) is not None
        if ev.hypothetical:
            return refused  # "offered ... declined" is a refusal; "scheduled, not given" a plan
        return refused or not_recorded is None or not_recorded.search(ev.sentence_text) is None

    for group in c.groups:
        statements = [ev for ev in v.of(c.concepts, where={c.group_by: group}) if statement(ev)]
        newest = latest(statements)
        if newest is None:
            missing.append(group)
        elif newest.negated:
            declined.append(newest)
        else:
            have.append(newest)
    if declined:
        return Decision(NOT_MET, declined, "declined or not given: " + ", ".join(ev.details.get(c.group_by, "") for ev in declined))
    if not missing:
        return Decision(MET, have, "all documented: " + ", ".join(c.groups))
    return Decision(UNKNOWN, have, "not documented: " + ", ".join(missing))


def dose_limit(c, v: View) -> Decision:
    index = v.patient.index_date
    # a dose in a note of the last `current_days` is current ("MMF 1 g BID (since 03/2024)")
    # ... and not a change planned after the index date ("Prednisolone: reduce to 40 mg from
    # 24/06/2025"); "continue MMF 1500 mg BID until 02/2025" is the current dose
    def recent(ev: Evidence) -> bool:
        return ev.note_date is not None and index - timedelta(days=c.current_days) <= ev.note_date <= index

    changes = {(e.note_id, e.sentence_start) for e in v.of(["DOSE_CHANGE"])}
    taken = [ev for ev in v.affirmed(c.concepts, excludes=tuple(v.default_excludes) + ("historical",)) if recent(ev)]
    denials = [ev for ev in v.of(c.concepts) if ev.negated and not (ev.family or ev.hypothetical)]
    current = [ev for ev in taken if ev.details.get("amount") is not None
               and not (ev.date_min is not None and ev.date_min > index
                        and (ev.note_id, ev.sentence_start) in changes)]
    # a later note that denies the same dose ("the 30 May entry recorded prednisone 60 mg in error",
    # "no longer on MMF 1500 mg BID") takes it back
    current = [ev for ev in current if not any(
        d.details.get("drug") == ev.details.get("drug") and d.details.get("amount") == ev.details.get("amount")
        and d.note_date is not None and d.note_date >= ev.note_date for d in denials)]
    weight_ev = latest(ev for ev in v.affirmed(c.weight) if ev.details.get("weight_kg"))
    bsa_ev = latest(ev for ev in v.affirmed(c.bsa) if ev.details.get("bsa_m2"))
    gc = c.glucocorticoids
    by_drug: dict[str, Evidence] = {}

    def when(e: Evidence) -> tuple:
        return e.note_date, min(e.date_max or e.note_date, e.note_date), e.start

    for ev in current:
        drug = ev.details.get("drug", "")
        agent_class = ev.details.get("agent_class")
        key = ("glucocorticoid" if agent_class == gc["agent_class"] else
               agent_class if agent_class in c.one_current_per_class else drug)
        if key not in by_drug or when(ev) > when(by_drug[key]):
            by_drug[key] = ev
    above, within, undecided = [], [], []
    for group, ev in sorted(by_drug.items()):
        key = group if group == "glucocorticoid" else ev.details.get("drug", "")
        d = ev.details
        if key == "glucocorticoid":
            if is_pulse(d, "iv", gc.get("pulse_min_mg")):
                continue
            per_day = d.get("per_day") or (1 if gc.get("assume_once_daily") else None)
            factor = gc["prednisone_equivalent"].get(d.get("drug"), 1.0)
            per_kg = d.get("unit") == "mg/kg" and weight_ev is not None  # "prednisona 0,5 mg/kg" with a weight
            if (d.get("unit") != "mg" and not per_kg) or per_day is None:
                undecided.append(ev)
                continue
            daily = (d["daily_amount"] if d.get("daily_amount") is not None else d["amount"] * per_day) * factor
            if per_kg:
                daily *= weight_ev.details["weight_kg"]
            if weight_ev is not None:
                limit = gc["max_mg_per_kg_per_day"] * weight_ev.details["weight_kg"]
                why = (f"{d.get('drug')} {daily:g} mg/day prednisone-equivalent vs {limit:g} "
                       f"({gc['max_mg_per_kg_per_day']:g} mg/kg x {weight_ev.details['weight_kg']:g} kg)")
            else:
                limit = gc["max_mg_per_day_without_weight"]
                why = f"{d.get('drug')} {daily:g} mg/day prednisone-equivalent vs {limit:g} (no weight)"
            (above if daily > limit else within).append((ev, why))
            continue
        limits = c.limits.get(key)
        if not limits:
            continue
        if "max_mg_per_day" in limits:
            daily = d.get("daily_amount")
            if daily is None and d.get("unit") == "mg" and d["amount"] > limits["max_mg_per_day"]:
                daily = d["amount"]
            if daily is None or d.get("unit") != "mg":
                undecided.append(ev)
                continue
            why = f"{key} {daily:g} mg/day vs {limits['max_mg_per_day']:g}"
            (above if daily > limits["max_mg_per_day"] else within).append((ev, why))
        elif "max_mg_per_m2" in limits:
            per_m2 = d["amount"] if d.get("unit") == "mg/m2" else (
                d["amount"] / bsa_ev.details["bsa_m2"] if (d.get("unit") == "mg" and bsa_ev) else None)
            if per_m2 is None:
                undecided.append(ev)
                continue
            why = f"{key} {per_m2:g} mg/m2 per dose vs {limits['max_mg_per_m2']:g}"
            (above if per_m2 > limits["max_mg_per_m2"] else within).append((ev, why))
    extra = [e for e in (weight_ev,) if e is not None]
    if not by_drug and c.medication_sections:
        listed = [ev for ev in v.all if ev.section in c.medication_sections and not ev.family
                  and window_position(ev, index, c.current_days) == "inside"]
        if listed:
            return Decision(NOT_MET, listed[:3], "current medication list names no glucocorticoid, mycophenolate or cyclophosphamide")
    if not by_drug:
        # "No glucocorticoids or other immunosuppressants given" in a current note, and no agent named as taken
        denied = [ev for ev in denials if recent(ev)]
        if denied and not taken:
            return Decision(NOT_MET, denied[:3], "current notes deny the agents: " + ", ".join(repr(e.text) for e in denied[:3]))
    if above:
        return Decision(MET, [e for e, _ in above] + extra, "above limit: " + "; ".join(w for _, w in above))
    if within:
        return Decision(NOT_MET, [e for e, _ in within] + extra, "within limits: " + "; ".join(w for _, w in within))
    return Decision(UNKNOWN, undecided, "no current dose that can be compared" if not undecided else "dose unit or frequency unclear")


def most_specific(evs: list[Evidence]) -> list[Evidence]:
    """Drop a mention whose date range contains a more precise dated mention of the same thing
    ("s/p ORIF 11/2024" and "ORIF L ankle 11/10/2024"; "belimumab (stopped 1/2024)" and
    "belimumab IV ... last infusion 01/10/2024"): the more specific statement wins. A run of days that
    all happened ("x2 (04/10/2022 and 18/10/2022)") is no vague date: it stays beside each of its days."""
    def same(a: Evidence, b: Evidence) -> bool:
        drug = a.details.get("drug")
        return a.text.lower() == b.text.lower() or (drug is not None and drug == b.details.get("drug"))

    def contains(a: Evidence, b: Evidence) -> bool:
        return (a is not b and a.concept == b.concept and same(a, b) and not a.details.get("date_span")
                and b.date_min is not None and b.date_max is not None
                and (a.date_min is None or a.date_min <= b.date_min) and a.date_max is not None
                and b.date_max <= a.date_max and (b.date_max - b.date_min) < (a.date_max - (a.date_min or date.min)))
    return [a for a in evs if not any(contains(a, b) for b in evs)]


def _told_again(ev: Evidence, dated: Iterable[Evidence]) -> Evidence | None:
    """``ev`` viewed with the date of the latest of ``dated`` up to its note, or None."""
    earlier = [d for d in dated if d.date_max is not None and ev.note_date is not None and d.date_max <= ev.note_date]
    return _dated_like(ev, latest(earlier)) if earlier else None


def restated_events(evs: list[Evidence]) -> list[Evidence]:
    """An undated mention of a one-off event in a note after a dated mention of the same kind
    ("knee replacement" in a clinic note after "total knee arthroplasty 04/27/2024") refers to
    that event: it is viewed with the latest earlier dated mention's date (or, in a note of
    dated entries, with the first entry that recorded it)."""
    dated = [e for e in evs if e.date_source in SELF_DATED_SOURCES]
    return [(ev.date_source == "note_date" and (_told_again(ev, dated) or _first_entry(ev, evs)))
            or _within_vague(ev, dated) or ev for ev in evs]


def _within_vague(ev: Evidence, dated: list[Evidence]) -> Evidence | None:
    """A vague date of a one-off event ("TAH + BSO April 2024") that holds the exact day another
    note gives an event of the same kind ("bilateral salpingo-oophorectomy, 29/04/2024") is that
    day: the same operation told less precisely."""
    if ev.date_min is None or ev.date_max is None or ev.date_min == ev.date_max or ev.details.get("date_span"):
        return None
    exact = [d for d in dated if d is not ev and d.concept == ev.concept and d.date_min is not None
             and d.date_min == d.date_max and ev.date_min <= d.date_min <= ev.date_max]
    return _dated_like(ev, exact[0]) if len({d.date_min for d in exact}) == 1 else None


def _first_entry(ev: Evidence, evs: list[Evidence]) -> Evidence | None:
    """In a note of dated entries, a one-off event that a later entry names again ("puérpera tras
    cesárea" the day after "se indica cesárea urgente") is the one its first entry recorded."""
    if "entry_date" not in ev.details:
        return None
    first = min((d for d in evs if d.note_id == ev.note_id and "entry_date" in d.details and d.concept == ev.concept
                 and d.date_max is not None and ev.date_max is not None and d.date_max < ev.date_max),
                key=lambda d: d.date_max, default=None)
    return _dated_like(ev, first) if first is not None else None


def _study_told_twice(evs: list[Evidence]) -> list[Evidence]:
    """A past mention of a study named by no drug, with no date of its own ("Prior trial participation
    noted - not in any study now (last study drug 06/14/2022)", "has discontinued study treatment" in a
    letter that lists the doses), is dated like the dated mention of the same concept in its sentence,
    else the latest in its note: one study told twice."""
    out = []
    for ev in evs:
        mate = None
        if ev.date_source == "before_note_date" and ev.details.get("drug") is None:
            dated = [d for d in evs if d is not ev and d.note_id == ev.note_id and d.concept == ev.concept
                     and d.details.get("drug") is None and d.date_source not in ("note_date", "before_note_date")
                     and d.date_min is not None]
            mate = next((d for d in dated if d.sentence_start == ev.sentence_start), None) or latest(dated)
        out.append(_dated_like(ev, mate) if mate is not None else ev)
    return out


def referred_back(evs: list[Evidence], words: list[str]) -> list[Evidence]:
    """An undated mention right after one of ``words`` ("low IgG after RTX", "post-rituximab
    hypogammaglobulinaemia") is an earlier administration told again: it is viewed with the latest
    dated mention of the same drug up to its note, else as any day up to its note."""
    if not words:
        return evs
    cue = _word_before(tuple(words))
    dated = [e for e in evs if e.date_source != "note_date"]
    out = []
    for ev in evs:
        before = ev.sentence_text[: max(0, ev.start - ev.sentence_start)]
        found = cue.search(before, max(0, len(before) - 30))
        # the sentence's date may be the later event's: "Seen on 27/09/2024, three weeks after her
        # appendicectomy" dates the visit, not the operation
        borrowed = (found is not None and ev.date_source == "sentence" and bool(ev.date_text)
                    and ev.date_text in before[: found.start()])
        if found is not None and (ev.date_source in ("note_date", "before_note_date") or borrowed):
            drug = ev.details.get("drug")
            out.append(_told_again(ev, (d for d in dated if d is not ev and d.details.get("drug") == drug))
                       or _as_restatement(ev))
        else:
            out.append(ev)
    return out


def _earlier(ev: Evidence, statement: Evidence, undated_in_same_note: bool) -> bool:
    """``ev`` was written before ``statement``: in an earlier note or, when asked, undated in the
    same note (copied-forward text below a correction)."""
    if ev.note_id == statement.note_id:
        return undated_in_same_note and ev.date_source == "note_date"
    return ev.note_date is not None and statement.note_date is not None and ev.note_date < statement.note_date


def _named_below(ev: Evidence, denial: Evidence, never_words: list[str], correction_words: list[str],
                 context: list[Evidence]) -> bool:
    """A correction further down the same note ("CORRECTION: The fellow note above states rituximab
    was given 03/14/2025. This is incorrect ... She has never received rituximab") corrects the
    dated mention above it: the denial names the drug itself right after a never-word, and a
    correction word stands between the two in a sentence that names anything (``context``: the
    patient's evidence; "Revisada la epikriz original, lo que se administró fue inmunoglobulina IV").
    "No había recibido nunca rituximab" under the infusion it reports is the history before it,
    not a correction."""
    drug = denial.details.get("drug")
    if not (ev.note_id == denial.note_id and ev.start < denial.start and drug is not None and never_words
            and correction_words and not drug.endswith("_class") and drug == ev.details.get("drug")):
        return False
    at = denial.start - denial.sentence_start
    if _any_word(tuple(never_words)).search(denial.sentence_text[max(0, at - 30):at]) is None:
        return False
    corrected = _any_word(tuple(correction_words))
    return any(o.note_id == ev.note_id and ev.start <= o.start <= denial.start and corrected.search(o.sentence_text)
               for o in context)


_NEVER_REACH = 25  # characters after a denied drug where "ever" may stand ("did not receive X at any point")


@functools.lru_cache(maxsize=None)
def _never_again(never_words: tuple[str, ...], again_words: tuple[str, ...]) -> re.Pattern:
    """A never-word followed within three words by an again-word: "never resumed", "nunca se retomó"."""
    never, again = ("|".join(map(_whole_word, words)) for words in (never_words, again_words))
    return re.compile(rf"(?:{never})\s+(?:\w+\s+){{0,2}}?(?:{again})", re.IGNORECASE)


def _denies_ever(ev: Evidence, never_words: list[str], again_words: list[str] = ()) -> bool:
    """A negated mention denies the drug was ever given: its trigger holds one of ``never_words``
    ("never given", "no llegó a administrarse") or one follows the drug closely ("no rituximab,
    ever"); a word further away belongs to another clause of a long sentence."""
    if not never_words:
        return False
    never = _any_word(tuple(never_words))
    # "Belimumab was never resumed after her June 17, 2024 infusion": given once, never again
    if again_words and _never_again(tuple(never_words), tuple(again_words)).search(ev.sentence_text):
        return False
    negations = [t for t in ev.context_triggers.split("; ") if t.startswith("negated:")]
    if any(never.search(t) for t in negations):
        return True
    at = ev.end - ev.sentence_start
    return never.search(ev.sentence_text[at : at + _NEVER_REACH]) is not None


def _same_agent(a: Evidence, b: Evidence) -> bool:
    """The same drug, or for a concept that names no drug (a study drug, "placebo") the same concept."""
    drug = a.details.get("drug")
    if drug is None and a.concept == b.concept and b.details.get("drug") is None:
        return True
    return drug is not None and drug == b.details.get("drug")


def _denies_since(ev: Evidence, since_words: list[str]) -> bool:
    """A negated, dated mention says the drug was not given from its date on: "No ha vuelto a
    recibir BLM desde junio de 2023", "no rituximab since 11/2018"."""
    if not since_words or not ev.negated or ev.date_max is None or ev.date_source == "note_date":
        return False
    # the word follows the drug closely: "Since adalimumab was stopped on October 15 ... is negative"
    # opens a clause about something else
    at = ev.end - ev.sentence_start
    return _any_word(tuple(since_words)).search(ev.sentence_text[at: at + _NEVER_REACH]) is not None


def corrected_later(hits: list[Evidence], every: list[Evidence], never_words: list[str],
                    drug_concepts: Iterable[str], since_words: list[str] = (),
                    again_words: list[str] = (), correction_words: list[str] = (),
                    context: list[Evidence] | None = None,
                    stopped_words: list[str] = ()) -> tuple[list[Evidence], list[Evidence]]:
    """Rule 5, a later correction over the earlier text: ``(hits kept, corrections used)``.

    - A denial that the drug was ever given ("Benlysta was never given", "no llegó a
      administrarse", "biologic-naive", "did not receive ianalumab at any point": a negated
      mention whose sentence holds one of ``never_words``) corrects every mention of that drug
      (or of any drug, for a class denial) in earlier notes, and the undated ones of its own
      note: plans, orders and copied-forward lists that were never carried out.
    - A later note's last dose ("last infusion 23/01/2024", "Last dose of IP: 11/19/2024")
      corrects an earlier note's mention dated after that dose (a medication list copied forward
      after the drug was stopped) and, for a study drug named by no drug, the undated ones of its
      own note (a study letter naming "Study drug" on the day it is written).
    - A denial since a date ("No ha vuelto a recibir BLM desde junio de 2023": a negated mention
      dated by its sentence, with one of ``since_words``) corrects the mentions of that drug dated
      only by their notes, written after that date and up to the denial's own note: copied-forward
      lists, not doses. It says nothing of the time before its date.
    - A last dose told where the drug is stopped (``stopped_words``: "Se suspende Cimzia (última
      dosis 13/06/2024)") also caps the undated mentions of that drug above it in the same note.
    - A dose a later note says was recorded in error (a negated mention of the drug dated to one
      day by its sentence, denied by one of ``correction_words``: "en la hoja de Hospital de Día
      del 01/10/2024 figura por error 'RITUXIMAB 1000 mg'") takes back that day's record of it.
    """
    if not hits:
        return hits, []
    drug_concepts = set(drug_concepts)
    corrected = _any_word(tuple(correction_words)) if correction_words else None
    stopped = _any_word(tuple(stopped_words)) if stopped_words else None
    errors = [ev for ev in every if ev.negated and not (ev.family or ev.hypothetical) and ev.date_source == "sentence"
              and ev.date_min is not None and ev.date_min == ev.date_max
              and corrected.search(ev.context_triggers)] if corrected else []
    denials = [ev for ev in every if ev.negated and not (ev.family or ev.hypothetical)
               and _denies_ever(ev, never_words, again_words)]
    last_doses = [ev for ev in every if ev.date_source == "sentence_last_dose" and ev.date_max is not None
                  and not (ev.negated or ev.hypothetical or ev.family or ev.uncertain)]
    since = [ev for ev in every if not (ev.family or ev.hypothetical) and _denies_since(ev, since_words)]
    kept, used = [], {}

    def covers(statement: Evidence, ev: Evidence) -> bool:
        drug = statement.details.get("drug")
        if drug is not None and not drug.endswith("_class"):
            return drug == ev.details.get("drug")
        # "anti-CD20", "biologics": every drug of the class but one its sentence affirms
        # ("Rituximab is his only biologic exposure - never abatacept")
        return ((statement.concept not in drug_concepts or statement.concept == ev.concept)
                and not any(o.note_id == statement.note_id and o.sentence_start == statement.sentence_start
                            and not o.negated and o.details.get("drug") == ev.details.get("drug") for o in every))

    for ev in hits:
        by = next((d for d in denials if covers(d, ev) and (
            _earlier(ev, d, True) or _named_below(ev, d, never_words, correction_words, every if context is None else context))),
            None)
        if by is None:
            # its own note's undated mentions only for a study drug named by no drug ("Study drug",
            # "placebo" in the letter that gives the last dose) or where the drug is stopped ("En
            # tratamiento con Cimzia ... Se suspende Cimzia (última dosis 13/06/2024)"); "Benlysta given
            # today; last dose 3 weeks ago" is a new dose
            by = next((d for d in last_doses if _same_agent(d, ev)
                       and _earlier(ev, d, d.details.get("drug") is None
                                    or (stopped is not None and ev.start < d.start
                                        and stopped.search(d.sentence_text) is not None))
                       and ev.date_min is not None and ev.date_min > d.date_max), None)
        if by is None:
            by = next((d for d in since if d.details.get("drug") == ev.details.get("drug") is not None
                       and ev.date_source == "note_date" and ev.note_date is not None and d.note_date is not None
                       and d.date_max < ev.note_date <= d.note_date), None)
        if by is None:
            by = next((d for d in errors if d.details.get("drug") == ev.details.get("drug") is not None
                       and ev.note_id != d.note_id and ev.date_min == ev.date_max == d.date_min), None)
        if by is None:
            kept.append(ev)
        else:
            used.setdefault(by.evidence_id, by)
    return kept, list(used.values())


def exposure_in_window(c, v: View) -> Decision:
    hits = most_specific(v.affirmed(c.concepts, where=c.where, where_concepts=c.where_concepts))
    if c.events:
        hits = restated_events(hits)
    hits = referred_back(hits, c.refers_back_words)
    hits = _study_told_twice(hits)
    hits, corrections = corrected_later(hits, v.of(set(c.concepts) | set(c.negated_by)), c.never_words, c.concepts,
                                        c.since_words, c.again_words, c.correction_words, context=v.all,
                                        stopped_words=c.stopped_words)
    decision = _exposure_decision(c, v, hits)
    if corrections:
        decision.evidence = decision.evidence + corrections
        decision.reason += "; earlier mentions corrected by a later note: " + _summ(corrections)
    return decision


def _exposure_decision(c, v: View, hits: list[Evidence]) -> Decision:
    index = v.patient.index_date
    by_pos: dict[str, list[Evidence]] = {}
    for ev in hits:
        by_pos.setdefault(window_position(ev, index, c.window_days), []).append(ev)
    if by_pos.get("inside"):
        evs = by_pos["inside"]
        return Decision(MET, evs, f"within {c.window_days} days: " + _when(evs, index))
    if by_pos.get("straddles"):
        evs = by_pos["straddles"]
        return Decision(UNKNOWN, evs, f"date may fall inside the {c.window_days}-day window: " + _when(evs, index))
    if c.review_concepts:
        specific = v.of(c.specified_by)
        # a vague mention is the specific one told in its sentence; one that refers back ("her
        # surgery", "morning of surgery") is a specific one named anywhere in its note
        # ... and a vague date holding the day a specific operation is dated to is that operation told less
        # precisely ("Intervenida en octubre" beside "histerectomía ... PROCEDIMIENTO (01/10/2024)"): rule 5
        dated = [d for d in specific if d.date_min is not None and d.date_min == d.date_max
                 and not (d.negated or d.family or d.hypothetical)]
        vague = [ev for ev in most_specific(v.affirmed(c.review_concepts))
                 if window_position(ev, index, c.window_days) in ("inside", "straddles")
                 and not any(s.note_id == ev.note_id and (ev.details.get("refers_back")
                                                          or ev.sentence_start <= s.start < ev.sentence_end)
                             for s in specific)
                 # "desde la cirugía" in a later note: the operation an earlier note named and dated
                 and not (ev.details.get("refers_back") and any(
                     d.note_date is not None and ev.note_date is not None and d.note_date < ev.note_date for d in dated))
                 and not (ev.date_min is not None and ev.date_min != ev.date_max
                          and any(ev.date_min <= d.date_min <= ev.date_max for d in dated))]
        if vague:
            return Decision(UNKNOWN, vague, f"unspecified procedure within {c.window_days} days, to review: " + _when(vague, index))
    if c.planned_is_unknown:
        # a plan that a note later reports done on its day ("prevista el 12/09/2024", then
        # "colecistectomía el 12/09/2024 sin complicaciones") is no longer a plan
        planned = [ev for ev in v.of(c.concepts, where=c.where, where_concepts=c.where_concepts)
                   if ev.hypothetical and not ev.negated and not ev.family
                   and not any(_same_dated_event(ev, done) or _carried_out(ev, done) for done in hits)]
        if planned:
            return Decision(UNKNOWN, planned, "planned, not performed: " + _summ(planned))
    if by_pos.get("outside"):
        evs = by_pos["outside"]
        return Decision(NOT_MET, evs, f"only before the {c.window_days}-day window: " + _when(evs, index))
    # a denial speaks for the time before it was written: one written before the window opened,
    # or more than a year before the index for a shorter window, says nothing of the window
    # ("never on an anti-TNF" in 2016 for 2023-2024); "no clinical trial" four months before a
    # 90-day window still stands
    opened = index - timedelta(days=max(c.window_days, 365))
    # "no IVIG indicated for now", "de momento no IGIV": a decision about now, no denial of the window's past
    plan = _any_word(tuple(c.plan_words)) if c.plan_words else None
    negatives = [ev for ev in v.negated(c.negated_by) if (ev.note_date or ev.date_max or index) >= opened
                 and not (plan is not None and plan.search(ev.sentence_text) and not _denies_ever(ev, c.never_words, c.again_words))]
    if negatives:
        return Decision(NOT_MET, negatives, "explicitly negative: " + _summ(negatives))
    # a relative's operation, a planned one or a denied transplant ("No previous organ transplantation")
    # documents no surgical history of hers; an old "no previous surgery" still does
    documented = [ev for ev in v.of(c.documented_by, where=c.documented_where,
                                    where_concepts=c.documented_where_concepts or None)
                  if not (ev.family or ev.hypothetical) and not (ev.negated and ev.concept not in c.negated_by)
                  ] if c.documented_by else []
    if documented:
        return Decision(NOT_MET, documented[:3], "documented history with nothing inside the window")
    return Decision(UNKNOWN, [], "no evidence")


def _when(evs: list[Evidence], index: date) -> str:
    return ", ".join(f"'{ev.text}' {ev.event_date} ({days_before(index, ev)})" for ev in evs[:3])


def _nearest_drug(ev: Evidence, drugs: list[Evidence]) -> Evidence | None:
    same = [d for d in drugs if d.note_id == ev.note_id and ev.sentence_start <= d.start < ev.sentence_end]
    if not same:
        return None
    return min(same, key=lambda d: (abs(d.start - ev.start), d.start))


def dose_change_in_window(c, v: View) -> Decision:
    index = v.patient.index_date
    start = index - timedelta(days=c.window_days)
    drugs = v.of(c.drugs)
    targets = v.affirmed(c.concepts)
    changes, stable = [], []
    for ev in v.affirmed(c.change) + v.affirmed(c.stable):
        drug = _nearest_drug(ev, drugs)
        if drug is None or drug.concept not in c.concepts or drug.hypothetical or drug.family:
            continue
        (changes if ev.concept in c.change else stable).append((ev, drug))
    # "(no change since started in Jan)": an undated change told inside a stability statement is not dated today
    stable_drugs = {id(d) for _, d in stable}
    changes = [(e, d) for e, d in changes if not (e.date_source == "note_date" and id(d) in stable_drugs)]
    # "sin cambios desde que se subió en enero" retells the change a note of 17/01 dated to the day
    changes = [(e, d) for e, d in changes if not _retold(e, d, changes)
               and not _told_after(e, d, changes, c.retold_after_words)]
    inside = [(e, d) for e, d in changes if window_position(e, index, c.window_days) == "inside"]
    if inside:
        return Decision(MET, [x for pair in inside for x in pair], "change within window: " + _when([d for _, d in inside], index))
    unsure = [(e, d) for e, d in changes if window_position(e, index, c.window_days) == "straddles"]
    if unsure:
        return Decision(UNKNOWN, [x for pair in unsure for x in pair], "change date may fall inside the window: " + _when([e for e, _ in unsure], index))
    # "unchanged since 2023" said in a note inside the window: stable across it
    since_before = [x for e, d in stable if e.note_date and start <= e.note_date <= index
                    and e.date_source != "note_date" and e.date_max is not None and e.date_max < start for x in (e, d)]
    if since_before:
        return Decision(NOT_MET, since_before, "dose documented unchanged since before the window")
    # Different doses of the same drug between dated mentions: the change lies between them.
    # a medication list states the dose as of its note's date (a fill date on the line is older)
    # an erratum in a later note denies the dose an earlier note recorded ("FE DE ERRATAS: en la nota de consulta
    # del 28/05/2025, donde dice 'Enalapril 20 mg/24 h' debe decir ..."): that note's record is no dose
    errata = [d for d in v.of(c.concepts) if d.negated and not (d.family or d.hypothetical) and d.date_source == "sentence"
              and d.date_min is not None and d.date_max is not None and _daily(d)]
    by_drug: dict[str, list[Evidence]] = {}
    for ev in targets:
        if ev.historical:
            continue  # a discontinued line or a former dose ("ramipril 5 mg ... Discontinued 14/06") is not the note's dose
        if any(d.details.get("drug") == ev.details.get("drug") and ev.note_date is not None and d.note_date is not None
               and d.note_date > ev.note_date and d.date_min <= ev.note_date <= d.date_max
               and _daily(d) == _daily(ev) for d in errata):
            continue
        amount = _daily(ev)
        if amount is not None and ev.note_date is not None and ev.note_date <= index:
            by_drug.setdefault(ev.details.get("drug", ev.text.lower()), []).append(ev)
    straddle, spans_window = [], []
    for drug, evs in by_drug.items():
        evs.sort(key=lambda e: (e.note_date, e.start))
        for a, b in zip(evs, evs[1:]):
            da, db = _daily(a), _daily(b)
            if da != db:
                # ... or told, dated, in the earlier dose's own note ("dose increased from 50 mg to 100 mg the
                # 17/11/2024" beside "old boxes of losartan 50 mg" in the note of 18/11)
                explained = [e for e, d in changes if d.details.get("drug") == drug
                             and (e.date_source != "note_date" or e.note_id == a.note_id)
                             and e.date_min is not None and e.date_max <= b.note_date
                             and (a.note_date <= e.date_min
                                  or (e.note_id == a.note_id and _daily(d) == db))]
                if explained and all(window_position(e, index, c.window_days) == "outside" for e in explained):
                    continue  # the change is dated, before the window ("raised at the 15/01 visit")
                if _self_dated(a) and _self_dated(b) and a.date_max <= b.date_min and b.date_max < start:
                    continue  # each dose dated by its own words: "8 mg hasta el 13/07; 16 mg el 14/07" changed then
                if a.note_date >= start:
                    return Decision(MET, [a, b], f"{drug} dose {da:g} -> {db:g} between notes of {a.note_date} and {b.note_date}")
                if b.note_date >= start:
                    straddle += [a, b]
            elif a.note_date < start <= b.note_date:
                spans_window += [a, b]
    if straddle:
        return Decision(UNKNOWN, straddle, "dose changed between a note before the window and one inside it")
    # "unchanged since 9/30" is said at the note's date: it documents the dose up to that day
    stable_inside = [x for e, d in stable if e.note_date and start <= e.note_date <= index for x in (e, d)]
    if stable_inside or spans_window:
        return Decision(NOT_MET, stable_inside + spans_window, "dose documented stable across the window")
    changes_outside = [x for e, d in changes if window_position(e, index, c.window_days) == "outside" for x in (e, d)]
    if changes_outside:
        return Decision(NOT_MET, changes_outside, "last documented change before the window")
    if not targets:
        # "ACE inhibitor/ARB: she has never taken one" (and none started since): no change to make
        never_word = _any_word(tuple(c.never_words)) if c.never_words else None
        never = [ev for ev in v.of(c.concepts) if never_word is not None and ev.negated and not (ev.family or ev.hypothetical)
                 and ev.note_date is not None and ev.note_date <= index
                 and never_word.search(f"{ev.context_triggers} {ev.sentence_text}")]
        if never:
            return Decision(NOT_MET, never[:3], "never on an ACE inhibitor or ARB: " + _summ(never[:3]))
    return Decision(UNKNOWN, targets[:3], "no dated dose history over the window" if targets else "no ACE inhibitor or ARB found")


def _daily(ev: Evidence) -> float | None:
    """A dose as a medication list states it: its daily amount, else the amount written."""
    return ev.details.get("daily_amount") or ev.details.get("amount")


def _told_after(change: Evidence, drug: Evidence, changes: list[tuple[Evidence, Evidence]], words: list[str]) -> bool:
    """A change, or its drug before it, right after one of ``words`` ("BMP 2024-09-26: K 4.9 after ramipril
    increase", "(since the increase on discharge 07/02/2025)") is an earlier change of the same drug told again, when one is dated to the day
    on or before the sentence's date."""
    if not words or change.date_min is None:
        return False
    cue = _word_before(tuple(words))
    starts = [change.start] + ([drug.start] if drug.note_id == change.note_id and drug.start < change.start else [])
    if not any(cue.search(change.sentence_text[: max(0, at - change.sentence_start)]) for at in starts):
        return False
    key = drug.details.get("drug", drug.text.lower())
    return any(e is not change and e.date_min is not None and e.date_min == e.date_max and e.date_max <= change.date_min
               and d.details.get("drug", d.text.lower()) == key for e, d in changes)


def _retold(change: Evidence, drug: Evidence, changes: list[tuple[Evidence, Evidence]]) -> bool:
    """A change dated only to a range ("en enero") that holds a change of the same drug dated to
    the day: the same change, retold less precisely (rule 5: the most specific statement wins)."""
    if change.date_min is None or change.date_max is None or change.date_min == change.date_max:
        return False
    key = drug.details.get("drug", drug.text.lower())
    return any(e is not change and e.date_min is not None and e.date_min == e.date_max
               and change.date_min <= e.date_min <= change.date_max
               and d.details.get("drug", d.text.lower()) == key for e, d in changes)


def lab_panel(c, v: View) -> Decision:
    cutoffs = v.criteria.spec.lab_cutoffs
    state: dict[str, tuple[str, Evidence]] = {}
    markers = {k for entry in c.met_any for k in entry} | {
        k for entry in c.not_met_all for k in (entry if "any" not in entry else {kk for e in entry["any"] for kk in e})}
    for marker in sorted(markers):  # a set's order changes with the hash seed: outputs must not
        results = [(lab_result(ev, cutoffs), ev) for ev in v.of([marker]) if not ev.family and not ev.hypothetical]
        results = [(r, ev) for r, ev in results if r]
        # a positive result stands even when a later test of another kind is negative
        # ("HCV Ab reactive, HCV RNA not detected" is HCV Ab positive)
        positives = [ev for r, ev in results if r == "positive"]
        newest = latest(positives) or latest(ev for _, ev in results)
        if newest is not None:
            state[marker] = (next(r for r, ev in results if ev is newest), newest)
    known, _, infected = _any(c.diagnosis_any, v)
    if infected:
        return Decision(MET, known, "known infection: " + _summ(known))
    for entry in c.met_any:
        if all(state.get(m, (None,))[0] == want for m, want in entry.items()):
            evs = [state[m][1] for m in entry]
            return Decision(MET, evs, "positive: " + ", ".join(f"{m} {state[m][0]}" for m in entry))
    used: list[Evidence] = []
    for entry in c.not_met_all:
        options = entry["any"] if "any" in entry else [entry]
        ok = next((opt for opt in options if all(state.get(m, (None,))[0] == want for m, want in opt.items())), None)
        if ok is None:
            review_ev, _, _ = _any(c.review_any, v)
            have = [ev for _, ev in state.values()]
            return Decision(UNKNOWN, have + review_ev, "incomplete panel: " + ", ".join(f"{m}={state[m][0]}" for m in sorted(state)) if state else "no serology results")
        used += [state[m][1] for m in ok]
    return Decision(NOT_MET, used, "all negative: " + ", ".join(f"{m}={state[m][0]}" for m in sorted(state)))


def never_from_notes(c, v: View) -> Decision:
    return Decision(UNKNOWN, [], "decided by the investigator at screening, never from notes")


RULES: dict[str, Callable[[Any, View], Decision]] = {
    "age_at_least": age_at_least,
    "diagnosis_with_items": diagnosis_with_items,
    "latest_class_in_window": latest_class_in_window,
    "started_and_response": started_and_response,
    "latest_value_in_window": latest_value_in_window,
    "conditions": conditions,
    "all_groups": all_groups,
    "dose_limit": dose_limit,
    "exposure_in_window": exposure_in_window,
    "dose_change_in_window": dose_change_in_window,
    "lab_panel": lab_panel,
    "never_from_notes": never_from_notes,
}


def copies_dropped(evs: list[Evidence]) -> list[Evidence]:
    """A sentence dated relative to its note ("Irbesartan increased to 300 mg two weeks ago") copied
    word for word into a later note is the earlier note's statement: the copy would date the event
    again from the later note. The copy's mention is dropped; the first note's one stays."""
    def key(ev: Evidence) -> tuple[str, str, str] | None:
        if ev.date_source != "sentence_relative" or ev.note_date is None or not ev.sentence_text:
            return None
        return ev.concept, ev.text, " ".join(ev.sentence_text.split())

    first: dict[tuple[str, str, str], date] = {}
    for ev in evs:
        k = key(ev)
        if k is not None and (k not in first or ev.note_date < first[k]):
            first[k] = ev.note_date
    return [ev for ev in evs if (k := key(ev)) is None or first[k] >= ev.note_date]


def evaluate_patient(evidence: list[Evidence], patient: Patient, criteria: Criteria) -> dict[str, Decision]:
    view = View(evidence, criteria, patient)
    return {cid: RULES[c.rule](c, view) for cid, c in criteria.criteria.items()}


def patient_status(decisions: dict[str, Decision], criteria: Criteria) -> tuple[str, list[str]]:
    """Status by the rule in criteria.md, with the reasons."""
    excluded = [cid for cid, d in decisions.items() if criteria.criteria[cid].kind == "exclusion" and d.status == MET]
    core = [cid for cid in criteria.criteria if criteria.is_core(cid)]
    core_not_met = [cid for cid in core if decisions[cid].status == NOT_MET]
    core_unknown = [cid for cid in core if decisions[cid].status == UNKNOWN]
    to_verify = [cid for cid, d in decisions.items() if criteria.criteria[cid].kind == "exclusion" and d.status == UNKNOWN]
    reasons = [f"excluded by {cid}: {decisions[cid].reason}" for cid in excluded]
    reasons += [f"core inclusion not met: {cid}: {decisions[cid].reason}" for cid in core_not_met]
    if excluded or core_not_met:
        return NOT_ELIGIBLE, reasons
    if core_unknown:
        return NEEDS_REVIEW, [f"core inclusion unknown: {cid}: {decisions[cid].reason}" for cid in core_unknown] + (
            [f"to verify at screening: {', '.join(to_verify)}"] if to_verify else [])
    return LIKELY_ELIGIBLE, ["all core inclusions met, no exclusion met"] + (
        [f"to verify at screening: {', '.join(to_verify)}"] if to_verify else [])
