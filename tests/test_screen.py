"""The Python API and the run writer on a small corpus built in the test."""

import json
from pathlib import Path

import pandas as pd
import pytest

from extractor.evidence import EVIDENCE_COLUMNS
from extractor.screen import CRITERIA_COLUMNS, PATIENT_COLUMNS, run, screen

NOTES = pd.DataFrame({
    "NOTE_ID": ["a1", "a2", "b1"],
    "PERSON_ID": ["A", "A", "B"],
    "NOTE_DATE": ["2024-03-01", "2024-07-15", "2024-06-01"],
    "NOTE_TITLE": ["neph", "neph", "rheum"],
    "NOTE_TEXT": [
        "34 y/o F with SLE (meets 5/11 ACR criteria). Renal biopsy 02/20/2024: ISN/RPS class IV-G (A) lupus nephritis.\n"
        "Induction with MMF 1 g BID started 02/25/2024.",
        "Partial renal response only despite MMF.\nSLEDAI-2K 4 -> 10 today.\nRituximab-naive.",
        "58-year-old man. Received rituximab 1 g IV on 2024-01-10.",
    ],
})


def test_screen_returns_the_three_tables(screener):
    result = screen(NOTES, screener=screener)
    assert tuple(result.patients.columns) == PATIENT_COLUMNS
    assert tuple(result.criteria.columns) == CRITERIA_COLUMNS
    assert tuple(result.evidence.columns) == EVIDENCE_COLUMNS
    status = dict(zip(result.patients.patient_id, result.patients.status))
    assert status == {"A": "likely_eligible", "B": "not_eligible"}
    crit = result.criteria.set_index(["patient_id", "criterion_id"])
    assert crit.loc[("A", "ln_biopsy_recent"), "status"] == "met"
    assert crit.loc[("A", "induction_nonresponse"), "status"] == "met"
    assert crit.loc[("A", "sledai_2k_ge6"), "status"] == "met"
    assert crit.loc[("B", "b_cell_biologic_12mo"), "status"] == "met"
    assert len(result.criteria) == 2 * 22
    # every decided criterion points at evidence that exists
    ids = set(result.evidence.evidence_id)
    decided = result.criteria[result.criteria.status.isin(["met", "not_met"]) & (result.criteria.evidence_ids != "")]
    assert all(set(x.split(";")) <= ids for x in decided.evidence_ids)


def test_empty_input_keeps_the_schema(screener):
    result = screen(NOTES.iloc[0:0], screener=screener)
    assert tuple(result.evidence.columns) == EVIDENCE_COLUMNS and result.evidence.empty
    assert tuple(result.patients.columns) == PATIENT_COLUMNS


def test_index_date_option(screener):
    result = screen(NOTES, index_date="2026-01-01", screener=screener)
    crit = result.criteria.set_index(["patient_id", "criterion_id"])
    assert crit.loc[("B", "b_cell_biologic_12mo"), "status"] == "not_met"   # 2024-01-10 is > 365 days before


def test_run_writes_tables_and_accounts_for_every_note(tmp_path):
    export = tmp_path / "notes.csv"
    bad = pd.concat([NOTES, pd.DataFrame({"NOTE_ID": ["x"], "PERSON_ID": ["C"], "NOTE_DATE": ["2023-02-30"],
                                          "NOTE_TITLE": [""], "NOTE_TEXT": ["text"]})])
    bad.to_csv(export, index=False)
    out = tmp_path / "out"
    info = run(export, out)
    for name in ("patients.csv", "criteria.csv", "evidence.csv", "errors.csv", "run.json"):
        assert (out / name).exists()
    counts = json.loads((out / "run.json").read_text())["counts"]
    assert counts["notes_in"] == 4 and counts["notes_processed"] == 3 and counts["notes_failed"] == 1
    errors = pd.read_csv(out / "errors.csv")
    assert errors.note_id.tolist() == ["x"] and "2023-02-30" in errors.reason[0]
    evidence = pd.read_csv(out / "evidence.csv", keep_default_na=False, dtype=str)
    texts = dict(zip(NOTES.NOTE_ID, NOTES.NOTE_TEXT))
    for row in evidence.itertuples():
        assert texts[row.note_id][int(row.start):int(row.end)] == row.text
    assert info["input_fingerprint"]


def _run_in_subprocess(source, out, seed, workers=1):
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    subprocess.run([sys.executable, "-m", "extractor", "run", str(source), "--out", str(out), "--workers", str(workers)],
                   check=True, env=env, capture_output=True)


def test_outputs_identical_across_runs_hash_seeds_and_workers(tmp_path, pytestconfig):
    """Two runs on the same input, under different hash seeds and worker counts, give byte-identical tables."""
    source = pytestconfig.rootpath / "corpus" / "synthetic_notes"
    _run_in_subprocess(source, tmp_path / "a", seed=1, workers=1)
    _run_in_subprocess(source, tmp_path / "b", seed=2, workers=2)
    for name in ("patients.csv", "criteria.csv", "evidence.csv", "errors.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_spilled_tally_gives_the_in_memory_rows(screener, tmp_path):
    from extractor.screen import SpilledTally, Tally, note_tuples
    from extractor.readers import notes_from_dataframe

    notes_df, _ = notes_from_dataframe(NOTES)
    tuples = note_tuples(notes_df)
    evs = [ev for _, batch in screener.note_evidence(tuples) for ev in batch]
    memory, spilled = Tally(), SpilledTally(tmp_path / "spill")
    for tally in (memory, spilled):
        tally.add(tuples[:2], [ev for ev in evs if ev.note_id in ("a1", "a2")])  # two batches
        tally.add(tuples[2:], [ev for ev in evs if ev.note_id == "b1"])
    patients = {"C": {"patient_id": "C"}}  # listed, with no notes
    expected = memory.evaluate(patients, None, screener.criteria)
    got = spilled.iter_rows(patients, None, screener.criteria)
    assert (list(got[0]), list(got[1])) == expected
    assert len({p.name for p in (tmp_path / "spill").glob("*.pkl")}) >= 1


def test_a_failed_run_leaves_its_partitions_for_resume_and_no_run_json(tmp_path, monkeypatch):
    from extractor.screen import WORK_DIR, Screener

    def broken(self, notes):
        raise RuntimeError("worker died")

    export = tmp_path / "notes.csv"
    NOTES.to_csv(export, index=False)
    run(export, tmp_path / "out")
    assert (tmp_path / "out" / "run.json").exists() and not (tmp_path / "out" / WORK_DIR).exists()
    monkeypatch.setattr(Screener, "isolated_evidence", broken)
    with pytest.raises(RuntimeError):
        run(export, tmp_path / "out")
    assert not (tmp_path / "out" / "run.json").exists()  # the old tables are not taken for a finished run
    assert (tmp_path / "out" / WORK_DIR / "state.json").exists()


def test_resume_refuses_the_work_of_another_input(tmp_path, monkeypatch):
    from extractor.screen import ResumeError, Screener

    export = tmp_path / "notes.csv"
    NOTES.to_csv(export, index=False)
    monkeypatch.setattr(Screener, "isolated_evidence", lambda self, notes: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run(export, tmp_path / "out")
    NOTES.iloc[:2].to_csv(export, index=False)
    with pytest.raises(ResumeError, match="input_fingerprint"):
        run(export, tmp_path / "out", resume=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_note_the_pipeline_fails_on_is_listed_and_the_rest_go_on(tmp_path, monkeypatch, workers):
    """Per-note isolation: the failure names the note and the exception type, never the text."""
    from extractor.screen import Screener

    real = Screener.window_doc

    def fragile(self, text):
        if "Rituximab-naive" in text:
            raise MemoryError("cannot allocate for: " + text)
        return real(self, text)

    monkeypatch.setattr(Screener, "window_doc", fragile)  # forked workers inherit the patch
    export = tmp_path / "notes.csv"
    NOTES.to_csv(export, index=False)
    info = run(export, tmp_path / "out", workers=workers)
    counts = info["counts"]
    assert (counts["notes_in"], counts["notes_processed"], counts["notes_failed"], counts["patients"]) == (3, 2, 1, 2)
    errors = pd.read_csv(tmp_path / "out" / "errors.csv", dtype=str)
    assert errors.note_id.tolist() == ["a2"]
    assert "MemoryError" in errors.reason[0] and "Rituximab" not in errors.to_csv()
    evidence = pd.read_csv(tmp_path / "out" / "evidence.csv", dtype=str)
    assert set(evidence.note_id) == {"a1", "b1"}


def test_a_note_over_the_length_limit_is_listed(screener):
    small = screener  # the session pipeline; the limit is read per note
    old = small.max_note_chars
    small.max_note_chars = 100
    try:
        evs, failures = small.isolated_evidence([("long", "P", None, "SLE. " * 30), ("short", "P", None, "SLE.")])
    finally:
        small.max_note_chars = old
    assert [f["note_id"] for f in failures] == ["long"]
    assert "150 characters, over the 100 limit" in failures[0]["reason"]
