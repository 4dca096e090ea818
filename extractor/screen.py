"""The Python API: notes in, the three tables out.

``screen(notes_df)`` returns ``ScreenResult(patients, criteria, evidence)`` as pandas
DataFrames with the columns below, the same tables ``run`` writes to ``OUT/``.
"""

from __future__ import annotations

import json
import os
import pickle
import platform
import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

PATIENT_COLUMNS = ("patient_id", "index_date", "status", "reasons", "index_date_source")
CRITERIA_COLUMNS = ("patient_id", "criterion_id", "kind", "status", "evidence_ids", "reason")


# A note whose candidate windows cover more than this share of it is processed whole: masking
# the rest still tokenises less between 50 and 90 % (measured on the throughput benchmark).
WHOLE_NOTE_COVERAGE = 0.9


@dataclass
class Screener:
    """A built pipeline and validated criteria; build once per process (they do not pickle)."""

    criteria_path: Path | None = None
    patterns: Path | None = None
    windowed: bool = True  # run the pipeline on candidate windows only (same evidence, see windows.py)
    max_note_chars: int = 10_000_000  # longer notes are listed in errors.csv (memory grows with length)

    def __post_init__(self) -> None:
        from .criteria import load_criteria
        from .pipeline import build_nlp, build_window_finder

        self.nlp = build_nlp(self.patterns)
        self.nlp.max_length = self.max_note_chars + 1  # spaCy's 1 M default guards parser/NER memory, not used here
        self.windows = build_window_finder(self.nlp)
        known = set(self.nlp.get_pipe("ln_target_matcher").labels)  # the rule files, parsed once
        self.criteria = load_criteria(self.criteria_path, known_concepts=known)
        self.section_flags = _section_flags(self.patterns)
        self.concepts = {k: v.model_dump() for k, v in self.criteria.spec.concepts.items()}
        self.concept_criteria = self.criteria.concept_criteria()

    def note_evidence(self, notes: Iterable[tuple[str, str, date | None, str]], batch_size: int = 64):
        """Evidence for (note_id, patient_id, note_date, text) tuples, note by note."""
        from .evidence import doc_evidence

        if not self.windowed:
            texts = ((text, (nid, pid, nd)) for nid, pid, nd, text in notes)
            for doc, (nid, pid, nd) in self.nlp.pipe(texts, as_tuples=True, batch_size=batch_size):
                yield nid, doc_evidence(doc, pid, nid, nd, self.concepts, self.section_flags, self.concept_criteria)
            return
        for nid, pid, nd, text in notes:
            doc = self.window_doc(text)
            yield nid, ([] if doc is None else
                        doc_evidence(doc, pid, nid, nd, self.concepts, self.section_flags, self.concept_criteria))

    def isolated_evidence(self, notes: Iterable[tuple[str, str, date | None, str]]) -> tuple[list, list[dict]]:
        """(evidence, failures) for the notes, one note at a time: a note the pipeline cannot
        process (longer than ``max_note_chars``, or any exception) becomes an ``errors.csv`` row
        named by its id, with the exception's type but never the note's text, and the others go on."""
        evidence, failures = [], []
        for note in notes:
            nid, pid, _, text = note
            if len(text) > self.max_note_chars:
                failures.append(too_long(nid, pid, len(text), self.max_note_chars))
                continue
            try:
                for _, evs in self.note_evidence([note]):
                    evidence.extend(evs)
            except Exception as exc:  # noqa: BLE001  one note must not stop the run
                failures.append(_failure(nid, pid, f"the pipeline failed on this note ({type(exc).__name__})",
                                         "report it with the note id; the rest of the run is unaffected"))
        return evidence, failures

    def window_doc(self, text: str):
        """The processed doc of a note's candidate windows (the rest masked), or None when no rule
        can match anywhere in it. Offsets, sentences and spans are those of the whole note."""
        from ._extensions import DATE_SPANS_KEY, REGEX_MATCHES_KEY, SENTENCES_KEY, TEXT_KEY
        from .sentences import sentence_spans
        from .windows import masked_text

        sentences = sentence_spans(text)
        found = self.windows.find(text, sentences)
        if not found.spans:
            return None
        whole = found.whole or found.covered() > WHOLE_NOTE_COVERAGE * len(text)
        doc = self.nlp.make_doc(text if whole else masked_text(text, found.spans))
        doc.user_data.update({TEXT_KEY: text, SENTENCES_KEY: sentences, REGEX_MATCHES_KEY: found.regex_matches})
        if not whole:
            doc.user_data[DATE_SPANS_KEY] = found.sentences
        for _, component in self.nlp.pipeline:
            doc = component(doc)
        return doc


def _failure(note_id: str, patient_id: str, reason: str, action: str) -> dict[str, str]:
    return {"note_id": note_id, "patient_id": patient_id, "source": "screening", "reason": reason, "action": action}


def too_long(note_id: str, patient_id: str, length: int, limit: int) -> dict[str, str]:
    """The errors.csv row of a note over the length limit."""
    return _failure(note_id, patient_id, f"note is {length:,} characters, over the {limit:,} limit",
                    "split the note into parts of at most that size (or raise Screener.max_note_chars)")


def _section_flags(patterns: Path | None) -> dict[str, dict[str, bool]]:
    from .rules import patterns_dir

    path = (patterns or patterns_dir()) / "section_rules.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8")).get("section_context", {})


def note_tuples(notes_df) -> list[tuple[str, str, date | None, str]]:
    """(note_id, patient_id, note_date, text) rows of a normalised notes frame."""
    return list(zip(notes_df["note_id"], notes_df["patient_id"], notes_df["note_date"], notes_df["text"]))


@dataclass
class Tally:
    """What evaluation needs from the notes seen so far: patients, their latest note date, and
    their evidence."""

    patient_ids: set[str] = field(default_factory=set)
    latest_note: dict[str, date] = field(default_factory=dict)
    evidence: dict[str, list] = field(default_factory=lambda: defaultdict(list))

    def add(self, tuples, evs) -> None:
        for _, pid, nd, _ in tuples:
            self.see(pid, nd)
        self.keep(evs)

    def see(self, patient_id: str, note_date: date | None) -> None:
        """A note of this patient, dated ``note_date``, was screened."""
        self.patient_ids.add(patient_id)
        if note_date and (patient_id not in self.latest_note or note_date > self.latest_note[patient_id]):
            self.latest_note[patient_id] = note_date

    def keep(self, evs) -> None:
        for ev in evs:
            self.evidence[ev.patient_id].append(ev)

    def evaluate(self, patients: dict[str, dict], run_index: date | None, criteria) -> tuple[list[dict], list[dict]]:
        return evaluate(self.evidence, self.patient_ids | set(patients), patients, run_index, self.latest_note, criteria)


class SpilledTally(Tally):
    """A Tally that keeps evidence on disk, partitioned by patient, so memory does not grow with
    the export: each batch's evidence is appended to one of ``SHARDS`` files chosen by a hash of
    the patient id, and patients are evaluated one shard at a time. Rows come out sorted by
    patient id, as from :meth:`Tally.evaluate` (a merge of the shards' sorted rows)."""

    SHARDS = 64

    def __init__(self, directory: Path):
        super().__init__()
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _shard(self, patient_id: str) -> int:
        import zlib

        return zlib.crc32(patient_id.encode("utf-8")) % self.SHARDS

    def keep(self, evs) -> None:
        by_shard: dict[int, list] = defaultdict(list)
        for ev in evs:
            by_shard[self._shard(ev.patient_id)].append(ev)
        for shard, items in by_shard.items():
            _pickle_chunks(items, self.directory / f"{shard:03d}.pkl", chunk=len(items))

    def _load(self, shard: int) -> dict[str, list]:
        out: dict[str, list] = defaultdict(list)
        for items in _pickled_chunks(self.directory / f"{shard:03d}.pkl"):
            for ev in items:
                out[ev.patient_id].append(ev)
        return out

    def iter_rows(self, patients: dict[str, dict], run_index: date | None, criteria):
        """(patient rows, criteria rows) iterators in patient-id order; one shard's evidence is in
        memory while it is evaluated, and its rows are merged back in chunks from disk."""
        import heapq

        members: dict[int, list[str]] = defaultdict(list)
        for pid in self.patient_ids | set(patients):
            members[self._shard(pid)].append(pid)
        paths: tuple[list[Path], list[Path]] = ([], [])
        for shard in sorted(members):
            rows = evaluate(self._load(shard), members[shard], patients, run_index, self.latest_note, criteria)
            for kind, kind_rows, kept in zip(("patients", "criteria"), rows, paths):
                kept.append(self.directory / f"{shard:03d}.{kind}.pkl")
                _pickle_chunks(kind_rows, kept[-1])

        def merged(kept: list[Path]):
            streams = [(row for chunk in _pickled_chunks(path) for row in chunk) for path in kept]
            return heapq.merge(*streams, key=lambda row: row["patient_id"])

        return merged(paths[0]), merged(paths[1])


def _pickle_chunks(items: list, path: Path, chunk: int = 1000) -> None:
    import pickle

    with open(path, "ab") as handle:
        for i in range(0, len(items), chunk):
            pickle.dump(items[i : i + chunk], handle, protocol=pickle.HIGHEST_PROTOCOL)


def _pickled_chunks(path: Path):
    """The lists appended to ``path`` by pickle.dump, one at a time (none if it does not exist)."""
    import pickle

    if not path.exists():
        return
    with open(path, "rb") as handle:
        while True:
            try:
                yield pickle.load(handle)
            except EOFError:
                return


@dataclass
class ScreenResult:
    patients: Any
    criteria: Any
    evidence: Any
    stats: dict[str, Any] = field(default_factory=dict)


def resolve_index_date(patient_id: str, patients: dict[str, dict], run_index: date | None,
                       latest_note: dict[str, date]) -> tuple[date | None, str]:
    info = patients.get(patient_id) or {}
    if info.get("index_date"):
        return info["index_date"], "patients.csv"
    if run_index:
        return run_index, "--index-date"
    if patient_id in latest_note:
        return latest_note[patient_id], "latest note"
    return None, "none"


def evaluate(evidence_by_patient: dict[str, list], patient_ids: Iterable[str], patients: dict[str, dict],
             run_index: date | None, latest_note: dict[str, date], criteria) -> tuple[list[dict], list[dict]]:
    """Rows of patients.csv and criteria.csv for every patient."""
    from .evaluator import Patient, evaluate_patient, patient_status

    patient_rows, criteria_rows = [], []
    for pid in sorted(set(patient_ids)):
        index, source = resolve_index_date(pid, patients, run_index, latest_note)
        info = patients.get(pid) or {}
        if index is None:
            patient_rows.append({"patient_id": pid, "index_date": "", "status": "needs_review",
                                 "reasons": "no index date and no dated note", "index_date_source": source})
            continue
        patient = Patient(pid, index, info.get("birth_date"), info.get("sex"))
        decisions = evaluate_patient(evidence_by_patient.get(pid, []), patient, criteria)
        status, reasons = patient_status(decisions, criteria)
        patient_rows.append({"patient_id": pid, "index_date": index.isoformat(), "status": status,
                             "reasons": " | ".join(reasons), "index_date_source": source})
        for cid, d in decisions.items():
            criteria_rows.append({"patient_id": pid, "criterion_id": cid, "kind": criteria.criteria[cid].kind,
                                  "status": d.status, "evidence_ids": ";".join(d.evidence_ids), "reason": d.reason})
    return patient_rows, criteria_rows


def _frames(patient_rows, criteria_rows, evidence_rows):
    import pandas as pd

    from .evidence import EVIDENCE_COLUMNS

    return (pd.DataFrame(patient_rows, columns=list(PATIENT_COLUMNS)),
            pd.DataFrame(criteria_rows, columns=list(CRITERIA_COLUMNS)),
            pd.DataFrame(evidence_rows, columns=list(EVIDENCE_COLUMNS)))


def screen(notes, patients=None, index_date: date | str | None = None, criteria: str | Path | None = None,
           column_map: dict[str, str] | None = None, screener: Screener | None = None) -> ScreenResult:
    """Screen a DataFrame of notes (OMOP NOTE names or ours) and return the three tables.

    >>> result = screen(notes_df, index_date="2024-11-06")   # doctest: +SKIP
    >>> result.patients[["patient_id", "status"]]            # doctest: +SKIP
    """
    import pandas as pd

    from .readers import ERROR_COLUMNS, notes_from_dataframe

    notes_df, errors = notes_from_dataframe(notes, column_map)
    screener = screener or Screener(Path(criteria) if criteria else None)
    patient_info = _patients_dict(patients)
    run_index = _as_date(index_date)
    tuples = note_tuples(notes_df)
    all_evidence, failures = screener.isolated_evidence(tuples)
    notes_in = len(notes_df) + len(errors)
    if failures:
        errors = pd.concat([errors, pd.DataFrame(failures, columns=list(ERROR_COLUMNS))], ignore_index=True)
    tally = Tally()
    tally.add(tuples, all_evidence)
    patient_rows, criteria_rows = tally.evaluate(patient_info, run_index, screener.criteria)
    p, c, e = _frames(patient_rows, criteria_rows, [ev.row() for ev in all_evidence])
    return ScreenResult(p, c, e, {"notes_in": notes_in, "notes_processed": notes_in - len(errors),
                                  "notes_failed": len(errors), "errors": errors})


def _as_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    from .dates import parse_iso_date

    return parse_iso_date(str(value))


def _patients_dict(patients) -> dict[str, dict]:
    if patients is None:
        return {}
    if isinstance(patients, (str, Path)):
        from .readers import read_patients

        patients = read_patients(patients)
    out = {}
    for row in patients.to_dict("records"):
        out[str(row["patient_id"])] = {k: (None if _missing(v) else v) for k, v in row.items()}
    return out


def _missing(value) -> bool:
    try:
        return value is None or value != value or value == ""
    except (TypeError, ValueError):
        return False


class SchedulerError(Exception):
    """The Dask scheduler cannot be used: not installed, or not reachable."""


def _dask_client(scheduler: str, timeout: str = "20s"):
    try:
        from distributed import Client
    except ImportError as exc:  # an optional extra
        raise SchedulerError("--scheduler needs Dask: pip install 'ln-screener[dask]'") from exc
    try:
        return Client(scheduler, set_as_default=False, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: {exc}); "
                             "check the address and that `dask scheduler` is running") from exc


def _die_with_parent(parent: int) -> None:
    """Pool worker start-up: ask Linux to kill this worker when the run's process dies (even by
    SIGKILL), so an interrupted run leaves no orphan holding a pipeline in memory."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (AttributeError, OSError):  # not Linux: workers exit when their queue closes
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class _Evidencer:
    """Evidence for batches of notes, in input order: in this process, on a pool of N processes
    (one pipeline each), or on a Dask cluster. Pool and cluster both run the partition
    functions of :mod:`extractor.partition`; at most two batches per worker are in flight."""

    def __init__(self, screener: Screener, workers: int, scheduler: str | None = None):
        self.screener, self.workers, self.pool, self.client = screener, max(1, workers), None, None
        self.criteria = str(screener.criteria_path) if screener.criteria_path else None
        if scheduler:
            self.client = _dask_client(scheduler)
            self.workers = max(1, sum(self.client.nthreads().values()))
        elif self.workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from .partition import use_screener

            use_screener(screener)  # forked workers inherit the built pipeline (copy-on-write)
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_die_with_parent,
                                            initargs=(os.getpid(),))

    def _submit(self, tuples):
        from .partition import partition_result, tuples_evidence

        if self.client is not None:
            import pandas as pd

            frame = pd.DataFrame(tuples, columns=["note_id", "patient_id", "note_date", "text"])
            return self.client.submit(partition_result, frame, self.criteria, pure=False)
        return self.pool.submit(tuples_evidence, tuples, self.criteria)

    def _result(self, future) -> tuple[list, list[dict]]:
        if self.client is not None:
            from .partition import evidence_from_frame

            evidence, failures = future.result()
            return evidence_from_frame(evidence), failures.to_dict("records")
        return future.result()

    def map(self, batches):
        """Yield (tuples, extra, (evidence, failures)) per batch, in order."""
        if self.pool is None and self.client is None:
            for tuples, extra in batches:
                yield tuples, extra, self.screener.isolated_evidence(tuples)
            return
        from collections import deque

        pending: deque = deque()
        for tuples, extra in batches:
            pending.append((tuples, extra, self._submit(tuples)))
            if len(pending) >= 2 * self.workers:
                t, x, future = pending.popleft()
                yield t, x, self._result(future)
        while pending:
            t, x, future = pending.popleft()
            yield t, x, self._result(future)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()
        if self.client is not None:
            self.client.close()


WORK_DIR = ".ln-work"  # OUT/.ln-work: finished partitions of an unfinished run (see run(resume=...))


class ResumeError(Exception):
    """``--resume`` was asked for, but OUT holds the work of another input or other parameters."""


def run(source: str | Path, out: str | Path, patients: str | Path | None = None, index_date: str | None = None,
        criteria: str | Path | None = None, column_map: dict[str, str] | None = None,
        progress: Callable[[int], None] | None = None, workers: int = 1, batch_size: int = 1000,
        scheduler: str | None = None, resume: bool = False) -> dict[str, Any]:
    """Screen a corpus folder or note export into OUT/{patients,criteria,evidence,errors}.csv and run.json.

    ``workers`` > 1 runs a local process pool; ``scheduler`` (a Dask scheduler address, e.g.
    ``tcp://10.0.0.5:8786``) runs the pipeline on that cluster's workers instead.

    Each batch of notes is a partition: its evidence, failures and reading errors are saved to
    ``OUT/.ln-work/`` (temporary file, then rename) as soon as it is done. The tables are then
    assembled from the partitions, each written to a temporary file and renamed, and run.json
    comes last: a run is complete when run.json exists. ``resume=True`` keeps the partitions an
    interrupted run of the same input and parameters finished, and screens only the rest; the
    tables are byte-identical to an uninterrupted run's."""
    import hashlib

    import pandas as pd

    from . import __version__
    from .readers import ERROR_COLUMNS, fingerprint, iter_note_batches

    started = time.perf_counter()
    source, out = Path(source), Path(out)
    run_index = _as_date(index_date)
    if patients is None and source.is_dir() and (source / "patients.csv").exists():
        patients = source / "patients.csv"
    patient_info = _patients_dict(patients)
    screener = Screener(Path(criteria) if criteria else None)
    batches = iter_note_batches(source, column_map, batch_size=batch_size)  # raises InputError before any work
    input_fingerprint = fingerprint(source)
    state = {"input_fingerprint": input_fingerprint, "batch_size": batch_size, "column_map": column_map or {},
             "version": __version__, "criteria_sha256": hashlib.sha256(screener.criteria.path.read_bytes()).hexdigest(),
             "patterns_sha256": _patterns_digest(screener.patterns)}
    saved = _Partitions(out)
    if resume:
        saved.check(state)  # raises ResumeError before any work
    evidencer = _Evidencer(screener, workers, scheduler)  # raises SchedulerError before any work
    from .evidence import EVIDENCE_COLUMNS

    try:
        saved.start(state, keep=resume)
        (out / "run.json").unlink(missing_ok=True)  # the old tables are being replaced: not a finished run
    except BaseException:
        evidencer.close()
        raise

    reused = 0

    def todo():
        """Batches whose partition is not saved yet (a saved one is only counted)."""
        nonlocal reused
        for i, (notes_df, errors_df) in enumerate(batches):
            if saved.done(i):
                reused += 1
                if progress:
                    progress(len(notes_df) + len(errors_df))
                continue
            yield note_tuples(notes_df), (i, errors_df.to_dict("records"), _fallback_warnings(notes_df))

    try:
        for tuples, (i, read_errors, warnings), (evs, failures) in evidencer.map(todo()):
            meta = [(nid, pid, nd) for nid, pid, nd, _ in tuples]
            saved.save(i, {"notes": meta, "errors": read_errors + failures, "evidence": evs,
                           "failed": len(failures), "warnings": warnings})
            if progress:
                progress(len(tuples) + len(read_errors))
    finally:
        evidencer.close()

    errors: list[dict] = []
    warnings: list[dict] = []
    n_notes = 0
    statuses: dict[str, int] = defaultdict(int)

    def evidence_rows(tally):
        nonlocal n_notes
        for part in saved:
            for _, pid, nd in part["notes"]:
                tally.see(pid, nd)
            tally.keep(part["evidence"])
            errors.extend(part["errors"])
            warnings.extend(part["warnings"])
            n_notes += len(part["notes"]) - part["failed"]
            yield from (ev.row() for ev in part["evidence"])

    def counted(rows):
        for row in rows:
            statuses[row["status"]] += 1
            yield row

    tally = SpilledTally(saved.tally_dir())
    n_evidence = _write_rows(evidence_rows(tally), EVIDENCE_COLUMNS, out / "evidence.csv")
    patient_rows, criteria_rows = tally.iter_rows(patient_info, run_index, screener.criteria)
    n_patients = _write_rows(counted(patient_rows), PATIENT_COLUMNS, out / "patients.csv")
    _write_rows(criteria_rows, CRITERIA_COLUMNS, out / "criteria.csv")
    _write_csv(pd.DataFrame(errors, columns=list(ERROR_COLUMNS)), out / "errors.csv")
    _write_csv(pd.DataFrame(warnings, columns=list(ERROR_COLUMNS)), out / "warnings.csv")
    counts = dict(statuses)
    info = {
        "tool": "ln-screener", "version": __version__, "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "platform": platform.platform(), "packages": _versions(),
        "parameters": {"input": str(source), "out": str(out), "patients": str(patients) if patients else None, "workers": workers,
                       "scheduler": scheduler, "resume": resume, "batch_size": batch_size,
                       "index_date": index_date, "criteria": str(screener.criteria.path), "column_map": column_map or {}},
        "input_fingerprint": input_fingerprint,
        "counts": {"notes_in": n_notes + len(errors), "notes_processed": n_notes, "notes_failed": len(errors),
                   "patients": n_patients, "evidence": n_evidence, "patients_by_status": counts,
                   "partitions_reused": reused, "notes_decoded_with_fallback": len(warnings)},
        "seconds": round(time.perf_counter() - started, 2),
    }
    _atomic_text(out / "run.json", json.dumps(info, indent=2, sort_keys=True, default=str))
    saved.remove()
    return info


class _Partitions:
    """A run's finished batches in ``OUT/.ln-work``: each saved atomically as soon as it is done,
    read back in order to assemble the tables, removed once run.json is written, and kept after an
    interruption for ``--resume`` (with the state of the run that saved them)."""

    def __init__(self, out: Path):
        self.work = out / WORK_DIR
        self.parts = self.work / "parts"

    def check(self, state: dict) -> None:
        """Raise ResumeError when saved partitions belong to another input or other parameters."""
        path = self.work / "state.json"
        if not path.exists():
            return
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved != state:
            changed = sorted(k for k in state if saved.get(k) != state[k])
            raise ResumeError(f"{self.work} holds an unfinished run with another {', '.join(changed)}; "
                              "run without --resume to start over")

    def start(self, state: dict, keep: bool) -> None:
        if not keep:
            shutil.rmtree(self.work, ignore_errors=True)
        self.parts.mkdir(parents=True, exist_ok=True)
        _atomic_text(self.work / "state.json", json.dumps(state, sort_keys=True))

    def _path(self, i: int) -> Path:
        return self.parts / f"{i:07d}.pkl"

    def done(self, i: int) -> bool:
        return self._path(i).exists()

    def save(self, i: int, part: dict) -> None:
        _atomic_pickle(self._path(i), part)

    def __iter__(self):
        for path in sorted(self.parts.glob("*.pkl")):
            with open(path, "rb") as handle:
                yield pickle.load(handle)

    def tally_dir(self) -> Path:
        """An empty folder for the evaluation's spilled evidence (rebuilt from the parts)."""
        folder = self.work / "tally"
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    def remove(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)


def _fallback_warnings(notes_df) -> list[dict]:
    """warnings.csv rows for notes read with the cp1252 fallback: processed, but worth a look."""
    from .readers import FALLBACK

    if "encoding" not in notes_df:
        return []
    flagged = notes_df[notes_df["encoding"] == FALLBACK]
    return [{"note_id": nid, "patient_id": pid, "source": path or "export",
             "reason": "some bytes were not UTF-8 and were read as Windows-1252 (cp1252); offsets are into that decoded text",
             "action": "if characters look wrong in evidence.csv, re-export the notes as UTF-8"}
            for nid, pid, path in zip(flagged["note_id"], flagged["patient_id"], flagged["path"])]


def _patterns_digest(patterns: Path | None) -> str:
    """sha256 over the rule files, so a resumed run does not mix partitions of other rules."""
    import hashlib

    from .rules import patterns_dir

    digest = hashlib.sha256()
    base = patterns or patterns_dir()
    for path in sorted(base.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(base)).encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _atomic_pickle(path: Path, value) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def _write_rows(rows, columns, path: Path, chunk: int = 5_000) -> int:
    """Write dict rows to CSV in chunks (same bytes as one DataFrame.to_csv); return the count."""
    import itertools

    import pandas as pd

    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        pd.DataFrame(columns=list(columns)).to_csv(handle, index=False)
        rows = iter(rows)
        while block := list(itertools.islice(rows, chunk)):
            pd.DataFrame(block, columns=list(columns)).to_csv(handle, index=False, header=False)
            n += len(block)
    tmp.replace(path)
    return n


def _write_csv(df, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    df.to_csv(tmp, index=False)
    tmp.replace(path)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("medspacy", "spacy", "scispacy", "pandas", "pyarrow"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out
