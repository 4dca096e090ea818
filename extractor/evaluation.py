"""Compare a run's tables with gold labels: per-criterion precision, recall and F1 for ``met``
and for ``not_met``, 3x3 confusion matrices, patient-status accuracy, and every disagreement
with the evidence the screener used.

Gold is a folder holding ``gold_criteria.csv`` (``patient_id,criterion_id,status[,rationale]``)
and ``gold_patients.csv`` (``patient_id,status[,rationale]``), or the path of the first file.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATUSES = ("met", "not_met", "unknown")
PATIENT_STATUSES = ("likely_eligible", "needs_review", "not_eligible")


class GoldError(ValueError):
    """Gold files missing or malformed."""


def _read(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))
    except FileNotFoundError:
        raise GoldError(f"{path}: file not found") from None


def _gold_paths(gold: Path) -> tuple[Path, Path]:
    gold = Path(gold)
    if gold.is_dir():
        return gold / "gold_criteria.csv", gold / "gold_patients.csv"
    return gold, gold.with_name("gold_patients.csv")


@dataclass(frozen=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None and r is None:
            return None  # nothing to find and nothing found
        p, r = p or 0.0, r or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": _r(self.precision),
                "recall": _r(self.recall), "f1": _r(self.f1)}


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def prf(pairs: list[tuple[str, str]], label: str) -> PRF:
    """Precision/recall/F1 of one label over (gold, predicted) pairs."""
    tp = sum(1 for g, p in pairs if g == label and p == label)
    fp = sum(1 for g, p in pairs if g != label and p == label)
    fn = sum(1 for g, p in pairs if g == label and p != label)
    return PRF(tp, fp, fn)


def confusion(pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """gold label -> predicted label -> count."""
    table = {g: {p: 0 for p in labels} for g in labels}
    for g, p in pairs:
        if g in table and p in table[g]:
            table[g][p] += 1
    return table


def evaluate(out: Path | str, gold: Path | str) -> dict[str, Any]:
    """The evaluation report as a JSON-able dict (see module doc)."""
    out = Path(out)
    gold_criteria_path, gold_patients_path = _gold_paths(Path(gold))
    gold_rows = _read(gold_criteria_path)
    if gold_rows and not {"patient_id", "criterion_id", "status"} <= set(gold_rows[0]):
        raise GoldError(f"{gold_criteria_path}: needs columns patient_id, criterion_id, status")
    predicted = {(r["patient_id"], r["criterion_id"]): r for r in _read(out / "criteria.csv")}
    evidence = {r["evidence_id"]: r for r in _read(out / "evidence.csv")}
    by_criterion: dict[str, list[tuple[str, str]]] = {}
    disagreements = []
    for row in gold_rows:
        key = (row["patient_id"], row["criterion_id"])
        got = predicted.get(key)
        status = got["status"] if got else "missing"
        by_criterion.setdefault(row["criterion_id"], []).append((row["status"], status))
        if status != row["status"]:
            ids = [e for e in (got["evidence_ids"].split(";") if got else []) if e]
            disagreements.append({
                "patient_id": row["patient_id"], "criterion_id": row["criterion_id"], "gold": row["status"],
                "predicted": status, "gold_rationale": row.get("rationale", ""), "reason": got["reason"] if got else "",
                "evidence": [{"evidence_id": e, "note_id": evidence[e]["note_id"], "text": evidence[e]["text"],
                              "event_date": evidence[e]["event_date"], "context": evidence[e]["context_triggers"]}
                             for e in ids if e in evidence],
            })
    criteria = {}
    for cid, pairs in by_criterion.items():
        criteria[cid] = {"n": len(pairs), "accuracy": _r(sum(g == p for g, p in pairs) / len(pairs)),
                         "met": prf(pairs, "met").as_dict(), "not_met": prf(pairs, "not_met").as_dict(),
                         "confusion": confusion(pairs, STATUSES)}
    all_pairs = [p for pairs in by_criterion.values() for p in pairs]
    report: dict[str, Any] = {
        "out": str(out), "gold": str(gold_criteria_path),
        "labels": len(all_pairs), "criterion_accuracy": _r(sum(g == p for g, p in all_pairs) / len(all_pairs)) if all_pairs else None,
        "met": prf(all_pairs, "met").as_dict(), "not_met": prf(all_pairs, "not_met").as_dict(),
        "criteria": criteria, "disagreements": disagreements,
    }
    if gold_patients_path.exists():
        gold_patients = {r["patient_id"]: r for r in _read(gold_patients_path)}
        got_patients = {r["patient_id"]: r for r in _read(out / "patients.csv")}
        pairs = [(g["status"], got_patients.get(pid, {}).get("status", "missing")) for pid, g in gold_patients.items()]
        report["patients"] = {
            "n": len(pairs), "accuracy": _r(sum(g == p for g, p in pairs) / len(pairs)) if pairs else None,
            "confusion": confusion(pairs, PATIENT_STATUSES),
            "disagreements": [{"patient_id": pid, "gold": g["status"], "predicted": got_patients.get(pid, {}).get("status", "missing"),
                               "gold_rationale": g.get("rationale", ""), "reasons": got_patients.get(pid, {}).get("reasons", "")}
                              for pid, g in gold_patients.items() if g["status"] != got_patients.get(pid, {}).get("status")],
        }
    return report


def write_report(report: dict[str, Any], path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _f(x: float | None) -> str:
    return "   n/a" if x is None else f"{x:6.3f}"


def format_report(report: dict[str, Any], max_disagreements: int = 50) -> str:
    """The one-screen table plus the disagreements."""
    lines = [f"{'criterion':<30}{'n':>4}{'acc':>7} | {'met P':>6}{'R':>7}{'F1':>7} | {'not_met P':>9}{'R':>7}{'F1':>7}"]
    for cid, c in report["criteria"].items():
        m, n = c["met"], c["not_met"]
        lines.append(f"{cid:<30}{c['n']:>4}{_f(c['accuracy'])} | {_f(m['precision'])}{_f(m['recall'])}{_f(m['f1'])} | "
                     f"{_f(n['precision']):>9}{_f(n['recall'])}{_f(n['f1'])}")
    m, n = report["met"], report["not_met"]
    lines.append(f"{'all criteria':<30}{report['labels']:>4}{_f(report['criterion_accuracy'])} | "
                 f"{_f(m['precision'])}{_f(m['recall'])}{_f(m['f1'])} | {_f(n['precision']):>9}{_f(n['recall'])}{_f(n['f1'])}")
    if "patients" in report:
        p = report["patients"]
        lines.append(f"\npatient status accuracy: {_f(p['accuracy']).strip()} ({p['n']} patients)")
        header = "gold \\ predicted"
        lines.append(f"  {header:<18}" + "".join(f"{s:>17}" for s in PATIENT_STATUSES))
        for g in PATIENT_STATUSES:
            lines.append(f"  {g:<18}" + "".join(f"{p['confusion'][g][s]:>17}" for s in PATIENT_STATUSES))
    dis = report["disagreements"]
    lines.append(f"\n{len(dis)} criterion disagreements" + (f" (first {max_disagreements})" if len(dis) > max_disagreements else ""))
    for d in dis[:max_disagreements]:
        lines.append(f"- {d['patient_id']} {d['criterion_id']}: gold {d['gold']}, screener {d['predicted']}: {d['reason']}")
        if d["gold_rationale"]:
            lines.append(f"    gold: {d['gold_rationale']}")
        for e in d["evidence"][:3]:
            lines.append(f"    evidence {e['evidence_id']}: '{e['text']}' {e['event_date']} {e['context']}".rstrip())
    return "\n".join(lines)
