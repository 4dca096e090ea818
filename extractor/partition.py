"""The partition function: a pandas frame of notes in, a pandas frame of evidence out.

It is what every engine maps over partitions of a note export, and nothing else: the same
function runs in ``run --workers``' process pool, on a Dask cluster (``run --scheduler``) and in
Spark's ``mapInPandas`` (README, "Scaling"). Each process builds one pipeline, on first use,
and keeps it (medspaCy pipelines do not pickle, so they cannot be shipped).

- :func:`evidence_partition` screens the notes of a partition (OMOP NOTE or our column names)
  and returns ``PARTITION_COLUMNS``: the evidence columns plus the mention's sentence, which
  the evaluator reads and ``evidence.csv`` does not carry.
- :func:`error_partition` returns the partition's notes that cannot be screened
  (``ERROR_COLUMNS``), so a distributed run loses nothing either.
- :func:`evidence_from_frame` turns partition rows back into :class:`~extractor.evidence.Evidence`
  for the evaluator; the round trip is exact (tested).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable, Iterator

from .evidence import EVIDENCE_COLUMNS
from .flags import is_true
from .readers import ERROR_COLUMNS

# The evidence columns, then the mention's sentence (read by the evaluator, not written out).
PARTITION_COLUMNS = (*EVIDENCE_COLUMNS, "sentence_text")

# One pipeline per process, keyed by the criteria file it was built with.
_SCREENERS: dict = {}
_LOCK = threading.Lock()


def _screener(criteria: str | Path | None):
    from .screen import Screener

    key = str(criteria) if criteria else None
    if key not in _SCREENERS:
        _SCREENERS[key] = Screener(Path(criteria) if criteria else None)
    return _SCREENERS[key]


def use_screener(screener) -> None:
    """Make an already built Screener this process's pipeline for its criteria file (a parent
    process sets it before forking, so forked workers do not build their own)."""
    _SCREENERS[str(screener.criteria_path) if screener.criteria_path else None] = screener


def evidence_partition(notes, criteria: str | Path | None = None, column_map: dict[str, str] | None = None):
    """Evidence rows (``PARTITION_COLUMNS``) of a DataFrame of notes. Notes that cannot be read,
    or are too long, are skipped here and listed by :func:`error_partition`; a note the pipeline
    fails on raises :class:`PartitionError` naming it (Spark then fails the task loudly).

    >>> evidence_partition(pd.DataFrame({"note_id": ["n1"], "person_id": ["p1"],
    ...     "note_date": ["2024-05-01"], "note_text": ["Renal biopsy: class IV LN."]}))  # doctest: +SKIP
    """
    from .readers import notes_from_dataframe
    from .screen import note_tuples

    notes_df, _ = notes_from_dataframe(notes, column_map)
    with _LOCK:
        limit = _screener(criteria).max_note_chars
    long = {nid for nid, text in zip(notes_df["note_id"], notes_df["text"]) if len(text) > limit}
    evs, failures = tuples_evidence(note_tuples(notes_df), criteria)
    crashed = [f for f in failures if f["note_id"] not in long]  # long notes are error_partition's
    if crashed:
        raise PartitionError(f"the pipeline failed on notes {', '.join(f['note_id'] for f in crashed)}: "
                             + "; ".join(sorted({f['reason'] for f in crashed})))
    return evidence_frame(evs)


class PartitionError(RuntimeError):
    """The pipeline failed on a note of the partition (named by id, never by its text)."""


def partition_result(notes, criteria: str | Path | None = None, column_map: dict[str, str] | None = None):
    """``(evidence rows, failed notes)`` of a DataFrame of notes: what a Dask task returns, so a
    note the pipeline fails on is listed in ``errors.csv`` and the run goes on."""
    import pandas as pd

    from .readers import notes_from_dataframe
    from .screen import note_tuples

    notes_df, _ = notes_from_dataframe(notes, column_map)
    evs, failures = tuples_evidence(note_tuples(notes_df), criteria)
    return evidence_frame(evs), pd.DataFrame(failures, columns=list(ERROR_COLUMNS))


def tuples_evidence(tuples: list, criteria: str | Path | None = None) -> tuple[list, list[dict]]:
    """``(evidence, failures)`` of (note_id, patient_id, note_date, text) tuples, in order, on
    this process's pipeline (see :meth:`Screener.isolated_evidence`). Threads of one process
    take turns (the pipeline is not thread-safe, and the work holds the GIL anyway): give Dask
    workers one thread each."""
    with _LOCK:
        return _screener(criteria).isolated_evidence(tuples)


def evidence_frame(evs):
    """``PARTITION_COLUMNS`` rows of Evidence objects (an empty list still has the columns)."""
    import pandas as pd

    rows = []
    for ev in evs:
        row = ev.row()
        row["sentence_text"] = ev.sentence_text
        rows.append(row)
    return pd.DataFrame(rows, columns=list(PARTITION_COLUMNS))


def error_partition(notes, column_map: dict[str, str] | None = None):
    """The notes of a partition that will not be screened (``ERROR_COLUMNS``): unreadable rows
    and notes over the length limit. No pipeline is built."""
    import pandas as pd

    from .readers import notes_from_dataframe
    from .screen import Screener, too_long

    notes_df, errors = notes_from_dataframe(notes, column_map)
    limit = Screener.max_note_chars
    long = [too_long(nid, pid, len(text), limit)
            for nid, pid, text in zip(notes_df["note_id"], notes_df["patient_id"], notes_df["text"]) if len(text) > limit]
    return pd.concat([errors, pd.DataFrame(long, columns=list(ERROR_COLUMNS))], ignore_index=True) if long else errors


def evidence_batches(frames: Iterable, criteria: str | Path | None = None) -> Iterator:
    """``evidence_partition`` over an iterator of note frames: the shape Spark's ``mapInPandas``
    calls (``notes.mapInPandas(evidence_batches, SPARK_EVIDENCE_SCHEMA)``)."""
    for frame in frames:
        yield evidence_partition(frame, criteria)


def error_batches(frames: Iterable) -> Iterator:
    """``error_partition`` over an iterator of note frames, for ``mapInPandas``."""
    for frame in frames:
        yield error_partition(frame)


def evidence_from_frame(frame) -> list:
    """Evidence objects of partition rows (as returned by :func:`evidence_partition`, read back
    from Parquet or Spark, or evidence.csv read as strings: dates may come as dates, timestamps
    or ISO strings, flags as bools or "True"/"False")."""
    import json

    from .evidence import Evidence

    out = []
    for row in frame.to_dict("records"):
        details = row.get("details")
        out.append(Evidence(
            evidence_id=str(row["evidence_id"]), patient_id=str(row["patient_id"]), note_id=str(row["note_id"]),
            note_date=_date(row["note_date"]), concept=str(row["concept"]), start=int(row["start"]),
            end=int(row["end"]), text=str(row["text"]), rule_id=str(row["rule_id"]),
            sentence_start=int(row["sentence_start"]), sentence_end=int(row["sentence_end"]),
            section=_text_or_none(row["section"]),
            negated=is_true(row["negated"]), hypothetical=is_true(row["hypothetical"]), historical=is_true(row["historical"]),
            family=is_true(row["family"]), uncertain=is_true(row["uncertain"]),
            context_triggers=_text(row["context_triggers"]), event_date=_text(row["event_date"]),
            date_source=str(row["date_source"]), date_text=_text(row["date_text"]),
            date_min=_date(row["date_min"]), date_max=_date(row["date_max"]), value=_text(row["value"]),
            details=json.loads(details) if _text(details) else {}, criterion_id=_text(row["criterion_id"]),
            sentence_text=_text(row.get("sentence_text")),
        ))
    return out


def evaluate_evidence(evidence_frames: Iterable, note_dates, out: str | Path, patients=None, index_date=None,
                      criteria: str | Path | None = None) -> dict[str, int]:
    """Write ``OUT/patients.csv`` and ``OUT/criteria.csv``, as ``run`` writes them, from the
    evidence partitions of a distributed run (an iterable of ``PARTITION_COLUMNS`` frames, e.g.
    Parquet row groups) and ``note_dates``: a frame of ``patient_id, note_date`` with one row per
    screened note, or per patient with their latest note, so that patients with no evidence are
    still decided. Evidence waits on disk under OUT, and one shard at a time is in memory.
    Returns the row counts."""
    import shutil
    import tempfile

    from .screen import CRITERIA_COLUMNS, PATIENT_COLUMNS, SpilledTally, _as_date, _patients_dict, _write_rows

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=".ln-tally-", dir=out))
    try:
        tally = SpilledTally(folder)
        for pid, nd in zip(note_dates["patient_id"], note_dates["note_date"]):
            tally.see(str(pid), _date(nd))
        for frame in evidence_frames:
            tally.keep(evidence_from_frame(frame))
        patient_rows, criteria_rows = tally.iter_rows(_patients_dict(patients), _as_date(index_date),
                                                      _screener(criteria).criteria)
        return {"patients": _write_rows(patient_rows, PATIENT_COLUMNS, out / "patients.csv"),
                "criteria": _write_rows(criteria_rows, CRITERIA_COLUMNS, out / "criteria.csv")}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _missing(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _text(value) -> str:
    return "" if _missing(value) else str(value)


def _text_or_none(value) -> str | None:
    return None if _missing(value) or value == "" else str(value)


def _date(value):
    from datetime import date, datetime

    if _missing(value) or value == "":
        return None
    if isinstance(value, datetime):  # also pandas Timestamp
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# Spark DDL schemas for mapInPandas (strings, so pyspark is not needed to import this module).
_SPARK_TYPES = {"note_date": "date", "date_min": "date", "date_max": "date", "start": "int", "end": "int",
                "sentence_start": "int", "sentence_end": "int", "negated": "boolean", "hypothetical": "boolean",
                "historical": "boolean", "family": "boolean", "uncertain": "boolean"}
SPARK_EVIDENCE_SCHEMA = ", ".join(f"`{c}` {_SPARK_TYPES.get(c, 'string')}" for c in PARTITION_COLUMNS)
SPARK_ERROR_SCHEMA = ", ".join(f"`{c}` string" for c in ERROR_COLUMNS)
