"""Adjudications back in: verdicts, precision, status changes, and the Label Studio round trip."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from extractor.adjudication import (REPORT_FILE, AdjudicationError, adjudicate, format_summary, parse_verdict,
                                    read_labelstudio_decisions)
from extractor.exports import export

NOTES = {
    "P1/2024-05-01.txt": "Renal biopsy 03/02/2024: ISN/RPS class IV-G lupus nephritis.\n"
                         "Rituximab 1 g IV given 2024-01-10.\n",
    "P2/2024-04-01.txt": "No history of lupus nephritis. Denies rituximab.\r\nMother has SLE.\r\n",
}


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    from extractor.screen import run

    base = tmp_path_factory.mktemp("adjudication")
    for rel, text in NOTES.items():
        path = base / "corpus" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    run(base / "corpus", base / "out")
    return base / "out"


@pytest.fixture
def out(run_out, tmp_path):
    """A fresh copy of the run's tables (adjudicate writes adjudication.json into OUT)."""
    import shutil

    return Path(shutil.copytree(run_out, tmp_path / "out"))


@pytest.fixture(scope="module")
def evidence(run_out):
    return pd.read_csv(run_out / "evidence.csv", dtype=str, keep_default_na=False)


def rituximab(evidence) -> str:
    (eid,) = evidence[(evidence["patient_id"] == "P1") & (evidence["concept"] == "B_CELL_BIOLOGIC")]["evidence_id"]
    return eid


def write_decisions(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["evidence_id", "verdict", "comment"])
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("value, verdict", [
    ("correct", "correct"), ("Incorrect", "incorrect"), (" YES ", "correct"), ("no", "incorrect"),
    ("True", "correct"), ("false", "incorrect"), ("TP", "correct"), ("fp", "incorrect"),
    ("Confirmed", "correct"), ("rejected", "incorrect"), ("", None), ("  ", None),
])
def test_verdict_synonyms(value, verdict):
    assert parse_verdict(value) == verdict


@pytest.mark.parametrize("value", ["maybe", "correctish", "2", "n/a"])
def test_unknown_verdict_names_the_line(out, evidence, tmp_path, value):
    eids = list(evidence["evidence_id"])
    path = write_decisions(tmp_path / "d.csv", [(eids[0], "correct", ""), (eids[1], value, "")])
    with pytest.raises(AdjudicationError, match=r"d\.csv line 3: verdict"):
        adjudicate(out, path)


@pytest.mark.parametrize("rows, message", [
    ([("P9/2024-01-01:0-3", "correct", "")], "not in evidence.csv"),
    ([("{e}", "correct", ""), ("{e}", "incorrect", "")], "line 3: .* judged correct .* incorrect"),
    ([("", "correct", "")], "evidence_id is empty"),
])
def test_bad_decision_rows(out, evidence, tmp_path, rows, message):
    e = evidence["evidence_id"].iloc[0]
    path = write_decisions(tmp_path / "d.csv", [(a.format(e=e), b, c) for a, b, c in rows])
    with pytest.raises(AdjudicationError, match=message):
        adjudicate(out, path)


def test_missing_column_is_named(out, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("id,verdict\nx,correct\n", encoding="utf-8")
    with pytest.raises(AdjudicationError, match="missing column.*evidence_id"):
        adjudicate(out, path)


def test_precision_by_criterion(out, evidence, tmp_path):
    p1 = evidence[evidence["patient_id"] == "P1"].set_index("concept")["evidence_id"]
    rows = [(p1["RENAL_BIOPSY"], "yes", ""), (p1["LN_CLASS"], "correct", ""), (p1["SLE_DX"], "no", "not SLE"),
            (p1["B_CELL_BIOLOGIC"], "tp", ""), (evidence["evidence_id"].iloc[-1], "", "")]
    report = adjudicate(out, write_decisions(tmp_path / "d.csv", rows))
    counts = report["counts"]
    assert {k: counts[k] for k in ("adjudicated", "correct", "incorrect", "blank_skipped")} == {
        "adjudicated": 4, "correct": 3, "incorrect": 1, "blank_skipped": 1}
    assert report["precision"] == 0.75
    table = {r["criterion_id"]: r for r in report["by_criterion"]}
    # LN_CLASS reads sle_acr and ln_biopsy_recent, SLE_DX sle_acr only, RENAL_BIOPSY ln_biopsy_recent too
    assert (table["sle_acr"]["correct"], table["sle_acr"]["adjudicated"], table["sle_acr"]["precision"]) == (1, 2, 0.5)
    assert table["ln_biopsy_recent"]["precision"] == 1.0 and table["b_cell_biologic_12mo"]["precision"] == 1.0
    assert {r["concept"]: r["precision"] for r in report["by_concept"]}["SLE_DX"] == 0.0
    assert [r["comment"] for r in report["incorrect"]] == ["not SLE"]
    assert json.loads((out / REPORT_FILE).read_text(encoding="utf-8"))["precision"] == 0.75


def test_rejecting_decisive_evidence_changes_the_status(out, evidence, tmp_path):
    before = pd.read_csv(out / "patients.csv", dtype=str, keep_default_na=False).set_index("patient_id")
    assert before.at["P1", "status"] == "not_eligible"
    report = adjudicate(out, write_decisions(tmp_path / "d.csv", [(rituximab(evidence), "rejected", "was 2023")]))
    assert report["reevaluation_mismatch"] == [] and report["sentence_text"] == "notes"
    (change,) = report["status_changes"]
    assert (change["patient_id"], change["status_before"]) == ("P1", "not_eligible")
    assert change["status_after"] != "not_eligible" and change["rejected_evidence"] == [rituximab(evidence)]
    criteria = {r["criterion_id"]: r for r in report["criteria_changes"]}
    assert criteria["b_cell_biologic_12mo"]["status_before"] == "met"
    assert criteria["b_cell_biologic_12mo"]["status_after"] != "met"
    text = format_summary(report)
    assert "P1: not_eligible -> " in text and "1 incorrect" in text


def test_accepting_everything_changes_nothing(out, evidence, tmp_path):
    rows = [(eid, "correct", "") for eid in evidence["evidence_id"]]
    report = adjudicate(out, write_decisions(tmp_path / "d.csv", rows))
    assert report["precision"] == 1.0 and report["status_changes"] == [] and report["patients_reevaluated"] == 0
    assert "no patient changes status" in format_summary(report)


def annotate(tasks: list[dict], drop: str | None = None, relabel: str | None = None, add: bool = False) -> list[dict]:
    """What Label Studio exports once an annotator accepted the predictions, minus the region of
    the mention ``drop`` (its labels and choices results), with ``relabel`` given another label."""
    exported = []
    for i, task in enumerate(tasks, start=1):
        result = []
        for region in task["predictions"][0]["result"]:
            region = json.loads(json.dumps(region))
            if region["value"]["text"] == drop:
                continue
            if region["type"] == "labels" and region["value"]["text"] == relabel:
                region["value"]["labels"] = ["OTHER"]
            result.append(region)
        if add and i == 1:
            result.append({"id": "new1", "from_name": "label", "to_name": "text", "type": "labels",
                           "value": {"start": 0, "end": 5, "text": task["data"]["text"][:5], "labels": ["SLE_DX"]}})
        exported.append({"id": i, "data": task["data"], "predictions": [i],
                         "annotations": [{"id": 10 + i, "was_cancelled": False, "result": result}]})
    return exported


def test_labelstudio_round_trip(out, evidence, tmp_path):
    export(out, "labelstudio", tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    path = tmp_path / "export.json"
    path.write_text(json.dumps(annotate(tasks, drop="Rituximab", add=True)), encoding="utf-8")
    report = adjudicate(out, path)
    assert report["format"] == "labelstudio"
    assert report["counts"]["adjudicated"] == len(evidence)
    assert report["counts"]["incorrect"] == 1 and report["counts"]["correct"] == len(evidence) - 1
    assert [r["evidence_id"] for r in report["incorrect"]] == [rituximab(evidence)]
    assert report["counts"]["added"] == 1 and report["added"][0]["label"] == "SLE_DX"
    assert [c["patient_id"] for c in report["status_changes"]] == ["P1"]


@pytest.mark.parametrize("edit, incorrect, context_changed", [
    ({}, 0, 0),
    ({"relabel": "lupus nephritis"}, 2, 0),   # relabelled in both notes
    ({"drop": "SLE"}, 1, 0),
])
def test_labelstudio_edits(out, evidence, tmp_path, edit, incorrect, context_changed):
    export(out, "labelstudio", tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    decisions, extra = read_labelstudio_decisions_from(annotate(tasks, **edit), evidence, tmp_path)
    assert sum(d["verdict"] == "incorrect" for d in decisions.values()) == incorrect
    assert len(extra["context_changed"]) == context_changed


def test_labelstudio_changed_context_is_listed(out, evidence, tmp_path):
    export(out, "labelstudio", tmp_path / "ls")
    tasks = annotate(json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8")))
    for task in tasks:
        for region in task["annotations"][0]["result"]:
            if region["type"] == "choices" and region["value"]["choices"] == ["family"]:
                region["value"]["choices"] = ["affirmed"]
    decisions, extra = read_labelstudio_decisions_from(tasks, evidence, tmp_path)
    assert all(d["verdict"] == "correct" for d in decisions.values())
    assert [(c["predicted"], c["annotated"]) for c in extra["context_changed"]] == [(["family"], ["affirmed"])]


def test_labelstudio_cancelled_and_missing_annotations_are_not_adjudicated(out, evidence, tmp_path):
    export(out, "labelstudio", tmp_path / "ls")
    tasks = annotate(json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8")))
    tasks[0]["annotations"][0]["was_cancelled"] = True
    tasks[1]["annotations"] = []
    decisions, extra = read_labelstudio_decisions_from(tasks, evidence, tmp_path)
    assert decisions == {} and extra["tasks_without_annotation"] == 2


def read_labelstudio_decisions_from(tasks, evidence, tmp_path):
    path = tmp_path / "ls_export.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return read_labelstudio_decisions(path, evidence)
