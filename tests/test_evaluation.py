"""Scoring a run against gold: metrics as tables, disagreements with evidence, the CLI."""

import csv
import json

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.evaluation import GoldError, confusion, evaluate, prf


@pytest.mark.parametrize("pairs, label, expected", [
    ([("met", "met"), ("met", "unknown"), ("not_met", "met")], "met", (1, 1, 1, 0.5, 0.5, 0.5)),
    ([("met", "met"), ("met", "met")], "met", (2, 0, 0, 1.0, 1.0, 1.0)),
    ([("unknown", "unknown")], "met", (0, 0, 0, None, None, None)),      # nothing to find, nothing found
    ([("met", "unknown")], "met", (0, 0, 1, None, 0.0, 0.0)),
    ([("unknown", "met")], "met", (0, 1, 0, 0.0, None, 0.0)),
])
def test_prf(pairs, label, expected):
    m = prf(pairs, label)
    assert (m.tp, m.fp, m.fn, m.precision, m.recall, m.f1) == expected


def test_confusion():
    table = confusion([("met", "met"), ("met", "unknown"), ("not_met", "met")], ("met", "not_met", "unknown"))
    assert table["met"] == {"met": 1, "not_met": 0, "unknown": 1}
    assert table["not_met"]["met"] == 1


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def run_and_gold(tmp_path):
    out, gold = tmp_path / "out", tmp_path / "gold"
    out.mkdir()
    gold.mkdir()
    _write(out / "criteria.csv", [
        {"patient_id": "A", "criterion_id": "adult", "kind": "inclusion", "status": "met", "evidence_ids": "n1:0-5", "reason": "age 34"},
        {"patient_id": "A", "criterion_id": "transplant", "kind": "exclusion", "status": "met", "evidence_ids": "n1:9-26", "reason": "kidney transplant"},
    ])
    _write(out / "evidence.csv", [
        {"evidence_id": "n1:0-5", "note_id": "n1", "text": "34 yo", "event_date": "2024-01-01", "context_triggers": ""},
        {"evidence_id": "n1:9-26", "note_id": "n1", "text": "kidney transplant", "event_date": "2024-01-01", "context_triggers": "family:sister"},
    ])
    _write(out / "patients.csv", [{"patient_id": "A", "status": "not_eligible", "reasons": "transplant"}])
    _write(gold / "gold_criteria.csv", [
        {"patient_id": "A", "criterion_id": "adult", "status": "met", "rationale": "34 yo"},
        {"patient_id": "A", "criterion_id": "transplant", "status": "unknown", "rationale": "sister's transplant"},
    ])
    _write(gold / "gold_patients.csv", [{"patient_id": "A", "status": "needs_review", "rationale": ""}])
    return out, gold


def test_evaluate_lists_disagreements_with_evidence(run_and_gold):
    out, gold = run_and_gold
    report = evaluate(out, gold)
    assert report["criterion_accuracy"] == 0.5
    assert report["criteria"]["transplant"]["met"]["fp"] == 1
    (d,) = report["disagreements"]
    assert (d["criterion_id"], d["gold"], d["predicted"]) == ("transplant", "unknown", "met")
    assert d["evidence"][0]["text"] == "kidney transplant"
    assert report["patients"]["accuracy"] == 0.0


def test_cli_writes_eval_json(run_and_gold):
    out, gold = run_and_gold
    result = CliRunner().invoke(app, ["evaluate", str(out), "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    assert "transplant" in result.output and "kidney transplant" in result.output
    assert json.loads((out / "eval.json").read_text())["labels"] == 2


def test_missing_gold_is_a_clear_error(tmp_path):
    with pytest.raises(GoldError, match="gold_criteria.csv: file not found"):
        evaluate(tmp_path, tmp_path)
