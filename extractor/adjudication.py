"""Adjudications back in: chart abstractors' verdicts on evidence rows, and what they change.

``adjudicate(OUT, DECISIONS)`` reads either

- a CSV with columns ``evidence_id, verdict[, comment]``; a verdict is ``correct`` or
  ``incorrect`` (or, case-insensitively, yes/no, true/false, tp/fp, confirmed/rejected, y/n,
  1/0). A blank verdict means "not adjudicated yet" and the row is skipped; any other value, an
  evidence id that is not in ``evidence.csv``, or two different verdicts for one id stop with an
  :class:`AdjudicationError` naming the line; or
- a Label Studio JSON export of the tasks of ``export(..., "labelstudio", ...)``: for every task
  with an annotation (the last one not cancelled), each evidence row of the task's note
  (``data.note_id``) is *correct* when the annotation keeps a ``labels`` region with its start,
  end and concept, *incorrect* when the annotator deleted it or changed its label. Regions the
  annotator added are counted as ``added`` (mentions the screener missed), and kept regions
  whose context choices differ from the prediction are listed as ``context_changed``; neither
  changes the re-evaluation, which only drops rejected evidence.

It writes ``OUT/adjudication.json`` with the precision of the evidence (correct / adjudicated)
overall, per criterion and per concept, the rejected rows, and the patients whose status (or a
criterion's status) would change without the rejected evidence: their evidence is turned back
into :class:`~extractor.evidence.Evidence` and re-evaluated with the run's criteria and index
dates, then compared with ``patients.csv`` and ``criteria.csv``. The same re-evaluation with all
their evidence must reproduce ``patients.csv``; patients where it does not are listed under
``reevaluation_mismatch`` (their changes are then not trustworthy).
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from .flags import is_true

from .exports import (LS_CONTEXT_NAME, LS_LABEL_NAME, AFFIRMED, ExportError, load_notes, notes_path,
                      read_evidence, read_run_info, run_column_map, set_flags)

REPORT_FILE = "adjudication.json"
CSV_COLUMNS = ("evidence_id", "verdict", "comment")
CORRECT, INCORRECT = "correct", "incorrect"
VERDICTS = {
    **dict.fromkeys(("correct", "yes", "y", "true", "tp", "confirmed", "1"), CORRECT),
    **dict.fromkeys(("incorrect", "no", "n", "false", "fp", "rejected", "0"), INCORRECT),
}


class AdjudicationError(ValueError):
    """The decisions file cannot be read or does not match the run."""


def parse_verdict(value: str, where: str = "") -> str | None:
    """``correct``/``incorrect`` of a verdict cell, None when blank; else AdjudicationError."""
    key = (value or "").strip().lower()
    if not key:
        return None
    if key not in VERDICTS:
        raise AdjudicationError(f"{where}{': ' if where else ''}verdict {value!r} is not one of "
                                f"correct/incorrect (or {', '.join(k for k in VERDICTS if k not in (CORRECT, INCORRECT))})")
    return VERDICTS[key]


def read_csv_decisions(path: Path, known_ids: set[str]) -> tuple[dict[str, dict[str, str]], dict[str, int]]:
    """evidence_id -> {"verdict", "comment"} of a decisions CSV, and counts of skipped rows."""
    decisions: dict[str, dict[str, str]] = {}
    blank = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in ("evidence_id", "verdict") if c not in header]
        if missing:
            raise AdjudicationError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(CSV_COLUMNS)} "
                                    f"(found {', '.join(header) or 'no header'})")
        reader.fieldnames = header
        for row in reader:
            where = f"{path} line {reader.line_num}"
            eid = (row.get("evidence_id") or "").strip()
            verdict = parse_verdict(row.get("verdict") or "", where)
            if not eid and verdict is None:
                continue  # an empty line
            if not eid:
                raise AdjudicationError(f"{where}: evidence_id is empty")
            if verdict is None:
                blank += 1
                continue
            if eid not in known_ids:
                raise AdjudicationError(f"{where}: evidence_id {eid!r} is not in evidence.csv of this run")
            if eid in decisions and decisions[eid]["verdict"] != verdict:
                raise AdjudicationError(f"{where}: evidence_id {eid!r} was judged {decisions[eid]['verdict']} "
                                        f"on an earlier line and {verdict} here")
            decisions[eid] = {"verdict": verdict, "comment": (row.get("comment") or "").strip()}
    return decisions, {"blank_skipped": blank}


def _annotation(task: dict[str, Any]) -> dict[str, Any] | None:
    kept = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    return kept[-1] if kept else None


def read_labelstudio_decisions(path: Path, evidence) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
    """Verdicts on evidence rows from a Label Studio JSON export (see the module doc)."""
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AdjudicationError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(tasks, list):
        raise AdjudicationError(f"{path}: expected a Label Studio JSON export (a list of tasks)")
    by_note: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in evidence.to_dict("records"):
        by_note[row["note_id"]].append(row)
    decisions: dict[str, dict[str, str]] = {}
    added, context_changed, unknown_notes, unannotated = [], [], [], 0
    for i, task in enumerate(tasks, start=1):
        data = (task.get("data") or {}) if isinstance(task, dict) else {}
        nid = str(data.get("note_id", ""))
        if not nid:
            raise AdjudicationError(f"{path}: task {i} has no data.note_id; export the tasks with `export labelstudio`")
        annotation = _annotation(task)
        if annotation is None:
            unannotated += 1
            continue
        if nid not in by_note:
            unknown_notes.append(nid)
        labels: dict[tuple[int, int], set[str]] = defaultdict(set)
        choices: dict[tuple[int, int], set[str]] = defaultdict(set)
        for region in annotation.get("result") or []:
            value = region.get("value") or {}
            if "start" not in value or "end" not in value:
                continue
            key = (int(value["start"]), int(value["end"]))
            if region.get("type") == "labels" and region.get("from_name", LS_LABEL_NAME) == LS_LABEL_NAME:
                labels[key].update(value.get("labels") or [])
            elif region.get("type") == "choices" and region.get("from_name") == LS_CONTEXT_NAME:
                choices[key].update(value.get("choices") or [])
        predicted = set()
        for row in by_note.get(nid, []):
            key = (int(row["start"]), int(row["end"]))
            predicted.add((key, row["concept"]))
            kept = row["concept"] in labels.get(key, set())
            decisions[row["evidence_id"]] = {"verdict": CORRECT if kept else INCORRECT,
                                             "comment": "" if kept else "region deleted or relabelled in Label Studio"}
            if kept and key in choices and choices[key] != set(set_flags(row) or [AFFIRMED]):
                context_changed.append({"evidence_id": row["evidence_id"], "predicted": set_flags(row) or [AFFIRMED],
                                        "annotated": sorted(choices[key])})
        for key, names in sorted(labels.items()):
            for name in sorted(names):
                if (key, name) not in predicted:
                    added.append({"note_id": nid, "start": key[0], "end": key[1], "label": name})
    return decisions, {"tasks": len(tasks), "tasks_without_annotation": unannotated, "added": added,
                       "context_changed": context_changed, "unknown_notes": unknown_notes}


def _ratio(correct: int, total: int) -> float | None:
    return round(correct / total, 4) if total else None


def precision_table(evidence, decisions: dict[str, dict[str, str]], key: str) -> list[dict[str, Any]]:
    """Adjudicated/correct/incorrect/precision per value of ``key`` (``criterion_id`` is split on ';')."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"evidence": 0, "adjudicated": 0, CORRECT: 0, INCORRECT: 0})
    for row in evidence[["evidence_id", key]].itertuples(index=False):
        names = [n for n in str(getattr(row, key)).split(";") if n] if key == "criterion_id" else [getattr(row, key)]
        verdict = decisions.get(row.evidence_id, {}).get("verdict")
        for name in names or ["(none)"]:
            c = counts[name]
            c["evidence"] += 1
            if verdict:
                c["adjudicated"] += 1
                c[verdict] += 1
    return [{key: name, **c, "precision": _ratio(c[CORRECT], c["adjudicated"])}
            for name, c in sorted(counts.items()) if c["adjudicated"]]


def _rows_to_evidence(rows: list[dict[str, str]], notes: dict[str, dict[str, str]] | None) -> list:
    """Evidence objects of evidence.csv rows (flags parsed from "True"/"False", which
    ``evidence_from_frame`` would read as truthy strings); sentence_text from the notes when known."""
    import pandas as pd

    from .partition import evidence_from_frame

    frame_rows = []
    for row in rows:
        item = dict(row)
        for flag in ("negated", "hypothetical", "historical", "family", "uncertain"):
            item[flag] = is_true(row[flag])
        note = (notes or {}).get(row["note_id"])
        item["sentence_text"] = (note["text"][int(row["sentence_start"]):int(row["sentence_end"])]
                                 if note and row["sentence_start"] and row["sentence_end"] else "")
        frame_rows.append(item)
    return evidence_from_frame(pd.DataFrame(frame_rows)) if frame_rows else []


def _patients_info(out: Path, info: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Birth date and sex from the run's patients file, and every patient's index date as the
    run resolved it (OUT/patients.csv)."""
    import pandas as pd

    from .dates import parse_iso_date
    from .screen import _patients_dict

    given = (info.get("parameters") or {}).get("patients")
    patients = _patients_dict(given) if given and Path(given).exists() else {}
    table = pd.read_csv(out / "patients.csv", dtype=str, keep_default_na=False)
    for row in table.to_dict("records"):
        entry = patients.setdefault(row["patient_id"], {"patient_id": row["patient_id"]})
        entry["index_date"] = parse_iso_date(row["index_date"]) if row["index_date"] else None
    return patients


def reevaluate(out: Path, info: dict[str, Any], evidence, rejected: set[str], notes_source: Path | None = None
               ) -> dict[str, Any]:
    """Status and criterion changes of the patients with rejected evidence (see the module doc)."""
    import pandas as pd

    from .criteria import load_criteria
    from .screen import evaluate

    affected_rows = evidence[evidence["evidence_id"].isin(rejected)]
    affected = sorted(set(affected_rows["patient_id"]))
    if not affected:
        return {"patients_reevaluated": 0, "status_changes": [], "criteria_changes": [], "reevaluation_mismatch": [],
                "sentence_text": "not needed"}
    rows = evidence[evidence["patient_id"].isin(affected)].to_dict("records")
    notes, sentence_source = None, "notes"
    try:
        notes = load_notes(notes_path(info, notes_source), {r["note_id"] for r in rows}, run_column_map(info))
    except (ExportError, OSError, ValueError) as exc:
        sentence_source = f"unavailable ({exc}); rules reading the sentence saw ''"
    criteria = load_criteria((info.get("parameters") or {}).get("criteria") or None)
    patients = _patients_info(out, info)
    everything = _rows_to_evidence(rows, notes)
    before: dict[str, list] = defaultdict(list)
    after: dict[str, list] = defaultdict(list)
    for ev in everything:
        before[ev.patient_id].append(ev)
        if ev.evidence_id not in rejected:
            after[ev.patient_id].append(ev)
    base_p, base_c = evaluate(before, affected, patients, None, {}, criteria)
    new_p, new_c = evaluate(after, affected, patients, None, {}, criteria)
    old_p = pd.read_csv(out / "patients.csv", dtype=str, keep_default_na=False).set_index("patient_id")
    old_c = pd.read_csv(out / "criteria.csv", dtype=str, keep_default_na=False)
    old_c = {(r["patient_id"], r["criterion_id"]): r["status"] for r in old_c.to_dict("records")}
    mismatch = {r["patient_id"] for r in base_p
                if r["patient_id"] not in old_p.index or r["status"] != old_p.at[r["patient_id"], "status"]}
    mismatch |= {r["patient_id"] for r in base_c if r["status"] != old_c.get((r["patient_id"], r["criterion_id"]))}
    mismatch = sorted(mismatch)
    status_changes = []
    for r in new_p:
        pid = r["patient_id"]
        was = old_p.at[pid, "status"] if pid in old_p.index else ""
        if r["status"] != was:
            status_changes.append({"patient_id": pid, "status_before": was, "status_after": r["status"],
                                   "reasons_after": r["reasons"],
                                   "rejected_evidence": sorted(set(affected_rows.loc[affected_rows["patient_id"] == pid,
                                                                                     "evidence_id"]))})
    criteria_changes = [{"patient_id": r["patient_id"], "criterion_id": r["criterion_id"],
                         "status_before": old_c.get((r["patient_id"], r["criterion_id"]), ""),
                         "status_after": r["status"], "reason_after": r["reason"]}
                        for r in new_c if r["status"] != old_c.get((r["patient_id"], r["criterion_id"]), "")]
    return {"patients_reevaluated": len(affected), "status_changes": status_changes,
            "criteria_changes": criteria_changes, "reevaluation_mismatch": mismatch, "sentence_text": sentence_source}


def adjudicate(out: Path, decisions: Path, notes_source: Path | None = None) -> dict[str, Any]:
    """Read the verdicts in ``decisions`` (CSV or Label Studio JSON) on the evidence of the run in
    ``out``; write and return ``OUT/adjudication.json``."""
    out, decisions = Path(out), Path(decisions)
    info = read_run_info(out)
    evidence = read_evidence(out)
    if not decisions.is_file():
        raise AdjudicationError(f"{decisions}: decisions file not found")
    is_json = decisions.suffix.lower() == ".json" or decisions.read_bytes()[:64].lstrip().startswith(b"[")
    if is_json:
        verdicts, extra = read_labelstudio_decisions(decisions, evidence)
        fmt = "labelstudio"
    else:
        verdicts, extra = read_csv_decisions(decisions, set(evidence["evidence_id"]))
        fmt = "csv"
    n_correct = sum(v["verdict"] == CORRECT for v in verdicts.values())
    n_incorrect = len(verdicts) - n_correct
    rejected = {eid for eid, v in verdicts.items() if v["verdict"] == INCORRECT}
    by_id = evidence.set_index("evidence_id")
    report: dict[str, Any] = {
        "out": str(out), "decisions": str(decisions), "format": fmt,
        "counts": {"evidence": len(evidence), "adjudicated": len(verdicts), CORRECT: n_correct,
                   INCORRECT: n_incorrect, **{k: (len(v) if isinstance(v, list) else v) for k, v in extra.items()}},
        "precision": _ratio(n_correct, len(verdicts)),
        "by_criterion": precision_table(evidence, verdicts, "criterion_id"),
        "by_concept": precision_table(evidence, verdicts, "concept"),
        "incorrect": [{"evidence_id": eid, "patient_id": by_id.at[eid, "patient_id"], "concept": by_id.at[eid, "concept"],
                       "text": by_id.at[eid, "text"], "comment": verdicts[eid]["comment"]} for eid in sorted(rejected)],
    }
    if fmt == "labelstudio":
        report["added"] = extra["added"]
        report["context_changed"] = extra["context_changed"]
    report.update(reevaluate(out, info, evidence, rejected, notes_source))
    tmp = out / (REPORT_FILE + ".tmp")
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    tmp.replace(out / REPORT_FILE)
    return report


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def format_summary(report: dict[str, Any]) -> str:
    """A plain-text summary of an adjudication report, for the CLI."""
    c = report["counts"]
    lines = [f"Adjudicated {c['adjudicated']} of {c['evidence']} evidence rows ({report['format']}): "
             f"{c[CORRECT]} correct, {c[INCORRECT]} incorrect, precision {_pct(report['precision'])}"]
    if c.get("blank_skipped"):
        lines.append(f"  {c['blank_skipped']} rows with a blank verdict skipped")
    if report["format"] == "labelstudio":
        lines.append(f"  {c['added']} regions added by annotators (missed mentions), "
                     f"{c['context_changed']} with changed context choices (not re-evaluated)")
    if report["by_criterion"]:
        lines.append("\nPrecision by criterion:")
        width = max(len(r["criterion_id"]) for r in report["by_criterion"])
        for r in report["by_criterion"]:
            lines.append(f"  {r['criterion_id']:<{width}}  {_pct(r['precision']):>6}  "
                         f"({r[CORRECT]}/{r['adjudicated']} adjudicated, {r['evidence']} evidence)")
    lines.append(f"\nWithout the rejected evidence ({report['patients_reevaluated']} patients re-evaluated):")
    if report["status_changes"]:
        for s in report["status_changes"]:
            lines.append(f"  {s['patient_id']}: {s['status_before']} -> {s['status_after']}")
    else:
        lines.append("  no patient changes status")
    if report["criteria_changes"]:
        lines.append(f"  {len(report['criteria_changes'])} criterion decisions change: "
                     + ", ".join(f"{r['patient_id']}/{r['criterion_id']} {r['status_before']}->{r['status_after']}"
                                 for r in report["criteria_changes"][:10])
                     + (" ..." if len(report["criteria_changes"]) > 10 else ""))
    if report["reevaluation_mismatch"]:
        lines.append(f"  warning: re-evaluating with all evidence does not reproduce patients.csv for "
                     f"{', '.join(report['reevaluation_mismatch'])}; their changes may be off")
    return "\n".join(lines)
