"""The partition function that Dask and Spark map over note frames: evidence rows in, Evidence back."""

from dataclasses import asdict

import pandas as pd
import pytest

from extractor.partition import (PARTITION_COLUMNS, SPARK_ERROR_SCHEMA, SPARK_EVIDENCE_SCHEMA, error_batches,
                                 error_partition, evidence_batches, evidence_from_frame, evidence_partition,
                                 use_screener)
from extractor.readers import ERROR_COLUMNS, notes_from_dataframe
from extractor.screen import note_tuples

NOTES = pd.DataFrame({
    "note_id": ["a1", "a2", "bad"],
    "person_id": ["A", "A", "B"],
    "note_date": ["2024-03-01", "2024-07-15", "2023-02-30"],
    "note_text": [
        "Renal biopsy 02/20/2024: ISN/RPS class IV-G (A) lupus nephritis.\nNo history of tuberculosis.",
        "Partial renal response only despite MMF 1 g BID.\nSLEDAI-2K 4 -> 10 today.\nMother had breast cancer.",
        "text",
    ],
})


@pytest.fixture(scope="module")
def expected(screener):
    use_screener(screener)
    notes_df, _ = notes_from_dataframe(NOTES)
    return [ev for _, batch in screener.note_evidence(note_tuples(notes_df)) for ev in batch]


def test_partition_rows_are_the_evidence_and_come_back_exactly(expected):
    frame = evidence_partition(NOTES)
    assert tuple(frame.columns) == PARTITION_COLUMNS
    assert len(frame) == len(expected) > 3
    assert [asdict(ev) for ev in evidence_from_frame(frame)] == [asdict(ev) for ev in expected]


def test_round_trip_through_parquet_types(expected, tmp_path):
    """Spark and Parquet hand dates back as timestamps/dates and empty cells as None."""
    path = tmp_path / "evidence.parquet"
    evidence_partition(NOTES).to_parquet(path)
    back = pd.read_parquet(path)
    assert [asdict(ev) for ev in evidence_from_frame(back)] == [asdict(ev) for ev in expected]


def test_invalid_notes_are_reported_not_screened():
    errors = error_partition(NOTES)
    assert tuple(errors.columns) == ERROR_COLUMNS
    assert errors.note_id.tolist() == ["bad"] and "2023-02-30" in errors.reason[0]
    assert "bad" not in set(evidence_partition(NOTES).note_id)


def test_batches_are_the_mapinpandas_shape(expected):
    frames = [NOTES.iloc[:1], NOTES.iloc[1:]]
    rows = pd.concat(list(evidence_batches(iter(frames))), ignore_index=True)
    assert len(rows) == len(expected)
    assert pd.concat(list(error_batches(iter(frames)))).note_id.tolist() == ["bad"]


def test_empty_partition_keeps_the_schema():
    frame = evidence_partition(NOTES.iloc[:0])
    assert tuple(frame.columns) == PARTITION_COLUMNS and frame.empty


@pytest.mark.parametrize("schema, columns", [(SPARK_EVIDENCE_SCHEMA, PARTITION_COLUMNS),
                                             (SPARK_ERROR_SCHEMA, ERROR_COLUMNS)])
def test_spark_schemas_name_every_column_in_order(schema, columns):
    assert [field.split("`")[1] for field in schema.split(", ")] == list(columns)


def test_partitions_then_evaluation_give_the_run_tables(tmp_path, pytestconfig):
    """The distributed recipe (evidence per partition, then evaluation on the driver) writes the
    same patients.csv and criteria.csv as ``run`` on the corpus."""
    from extractor.partition import evaluate_evidence
    from extractor.readers import read_notes
    from extractor.screen import run

    source = pytestconfig.rootpath / "corpus" / "synthetic_notes"
    run(source, tmp_path / "run")
    notes, _ = read_notes(source)
    parts = [notes.iloc[i:i + 50] for i in range(0, len(notes), 50)]
    evidence = [evidence_partition(part) for part in parts]
    counts = evaluate_evidence(evidence, notes[["patient_id", "note_date"]], tmp_path / "split",
                               patients=source / "patients.csv")
    assert counts["patients"] == 61
    for name in ("patients.csv", "criteria.csv"):
        assert (tmp_path / "run" / name).read_bytes() == (tmp_path / "split" / name).read_bytes(), name
    assert not list((tmp_path / "split").glob(".ln-tally-*"))


def test_long_notes_are_errors_and_crashes_are_raised(screener, monkeypatch):
    from extractor.partition import PartitionError
    from extractor.screen import Screener

    monkeypatch.setattr(screener, "max_note_chars", 95)
    monkeypatch.setattr(Screener, "max_note_chars", 95)
    use_screener(screener)
    errors = error_partition(NOTES)
    assert errors[errors.reason.str.contains("over the 95 limit")].note_id.tolist() == ["a2"]  # 99 chars; a1 has 92
    assert "a2" not in set(evidence_partition(NOTES).note_id)

    def crash(self, text):
        raise KeyError("secret note text")

    monkeypatch.setattr(Screener, "window_doc", crash)
    with pytest.raises(PartitionError, match=r"notes a1: the pipeline failed on this note \(KeyError\)") as info:
        evidence_partition(NOTES)
    assert "secret" not in str(info.value)


def test_evidence_csv_read_as_strings_comes_back_exactly(expected, tmp_path):
    """evidence.csv read with dtype=str: "False" is not true (bool("False") would be)."""
    path = tmp_path / "evidence.csv"
    evidence_partition(NOTES).to_csv(path, index=False)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    got = evidence_from_frame(back)
    assert [(e.negated, e.family, e.historical) for e in got] == [(e.negated, e.family, e.historical) for e in expected]
    assert any(e.negated for e in got) and not all(e.negated for e in got)
