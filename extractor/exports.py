"""Exports of a run's evidence to chart abstractors' tools: Label Studio, brat, OMOP NOTE_NLP.

``export(OUT, fmt, DEST)`` reads ``OUT/evidence.csv`` and ``OUT/run.json``, loads the note
texts from the run's input (``run.json`` ``parameters.input``, or ``notes_source=``), checks
that every evidence row still slices its note to its text (so a changed corpus is caught, not
exported with shifted offsets), and writes:

- ``labelstudio``: ``DEST/tasks.json`` (one task per note, the evidence as predictions: a
  ``labels`` region per mention plus a per-region ``choices`` result with its context flags)
  and ``DEST/labelstudio_config.xml``. Offsets are Python string indices (Unicode code points),
  which is what Label Studio stores for Text since its emoji fix.
- ``brat``: ``DEST/<stem>.txt`` + ``DEST/<stem>.ann`` per note, ``DEST/annotation.conf`` and
  ``DEST/index.csv`` (stem -> note). Stems are hashes of the note id, so no note id can name
  a path outside DEST. A mention spanning a line break becomes a discontinuous entity
  (``start end;start end``) cut at the break, its text fragments joined by a space.
- ``note_nlp``: ``DEST/note_nlp.csv`` and ``DEST/note_nlp.parquet`` with the OMOP CDM v5.4
  NOTE_NLP columns, in order. Concepts are unmapped (concept ids 0); the concept, criteria,
  flags and dates travel in ``term_modifiers``. ``note_id`` is an integer when every note id of
  the run is one (an OMOP NOTE export); otherwise the run's string ids are kept as they are.

:func:`load_run` is shared with :mod:`extractor.adjudication`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .flags import CONTEXT_FLAGS, is_true

FORMATS = ("labelstudio", "brat", "note_nlp")

# Context flags of evidence.csv, in the order they are shown.
FLAGS = CONTEXT_FLAGS
AFFIRMED = "affirmed"  # the Label Studio choice of a mention with no flag set

# Label Studio
LS_TASKS_FILE = "tasks.json"
LS_CONFIG_FILE = "labelstudio_config.xml"
LS_LABEL_NAME = "label"      # <Labels name=...>
LS_TEXT_NAME = "text"        # <Text name=...>
LS_CONTEXT_NAME = "context"  # <Choices name=...>
LS_DATA_FIELDS = ("text", "note_id", "patient_id", "note_date")
LS_CHOICES = (*FLAGS, AFFIRMED)

# brat
BRAT_CONF_FILE = "annotation.conf"
BRAT_INDEX_FILE = "index.csv"
BRAT_INDEX_COLUMNS = ("stem", "note_id", "patient_id", "note_date")
BRAT_ATTRIBUTES = {flag: flag.capitalize() for flag in FLAGS}  # evidence flag -> brat attribute
BRAT_NOTE_TYPE = "AnnotatorNotes"
_BRAT_ILLEGAL = re.compile(r"[^A-Za-z0-9_-]")
# brat reads .ann files line by line: a fragment must not cross any of these
_BREAKS = re.compile(r"[\r\n\t\v\f\x1c-\x1e\x85\u2028\u2029]+")

# OMOP CDM v5.4 NOTE_NLP
NOTE_NLP_FILE = "note_nlp.csv"
NOTE_NLP_PARQUET = "note_nlp.parquet"
NOTE_NLP_COLUMNS = (
    "note_nlp_id", "note_id", "section_concept_id", "snippet", "offset", "lexical_variant",
    "note_nlp_concept_id", "note_nlp_source_concept_id", "nlp_system", "nlp_date", "nlp_datetime",
    "term_exists", "term_temporal", "term_modifiers",
)
SNIPPET_CHARS = 100
_VARCHAR = {"snippet": 250, "offset": 50, "lexical_variant": 250, "nlp_system": 250, "term_temporal": 50,
            "term_modifiers": 2000}
NOT_EXISTING = ("negated", "hypothetical", "family")  # any of these: term_exists = "N"


class ExportError(ValueError):
    """The run cannot be exported (missing files, notes not found or changed since the run)."""


@dataclass
class RunData:
    out: Path
    info: dict[str, Any]
    evidence: Any  # DataFrame of evidence.csv, all strings
    notes: dict[str, dict[str, str]] | None  # note_id -> {"text", "patient_id", "note_date"}

    @property
    def system(self) -> str:
        return f"{self.info.get('tool', 'ln-screener')} {self.info.get('version') or _version()}"


def _version() -> str:
    from . import __version__

    return __version__


def read_evidence(out: Path):
    import pandas as pd

    path = Path(out) / "evidence.csv"
    if not path.is_file():
        raise ExportError(f"{path} not found: is {out} the OUT folder of a finished run?")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_run_info(out: Path) -> dict[str, Any]:
    path = Path(out) / "run.json"
    if not path.is_file():
        raise ExportError(f"{path} not found: the run in {out} did not finish (run.json is written last)")
    return json.loads(path.read_text(encoding="utf-8"))


def notes_path(info: dict[str, Any], notes_source: Path | None) -> Path:
    """The notes of the run: ``notes_source`` if given, else run.json's ``parameters.input``."""
    if notes_source is not None:
        path = Path(notes_source)
    else:
        given = (info.get("parameters") or {}).get("input")
        if not given:
            raise ExportError("run.json names no input; pass the notes explicitly (--notes, or notes_source= in Python)")
        path = Path(given)
    if not path.exists():
        raise ExportError(f"notes source {path} not found (a relative input is read from the current folder); "
                          "pass the notes explicitly (--notes, or notes_source= in Python)")
    return path


def run_column_map(info: dict[str, Any]) -> dict[str, str]:
    """The ``--column`` mapping the run read its notes with (from run.json)."""
    return (info.get("parameters") or {}).get("column_map") or {}


def load_notes(source: Path, note_ids: set[str] | None = None,
               column_map: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """note_id -> {"text", "patient_id", "note_date", "note_type", "path"} for the notes of ``source`` (only
    ``note_ids`` when given; read batch by batch, so only those are kept in memory), with the
    run's ``--column`` mapping."""
    from .readers import iter_note_batches

    notes: dict[str, dict[str, str]] = {}
    for batch, _errors in iter_note_batches(source, column_map or None):
        for nid, pid, nd, text, kind, path in zip(batch["note_id"], batch["patient_id"], batch["note_date"],
                                                  batch["text"], batch["note_type"], batch["path"]):
            nid = str(nid)
            if note_ids is None or nid in note_ids:
                notes[nid] = {"text": text, "patient_id": str(pid), "note_date": _iso(nd), "note_type": kind,
                              "path": path}
    return notes


def load_run(out: Path, notes_source: Path | None = None, with_notes: bool = True,
             note_ids: set[str] | None = None) -> RunData:
    """evidence.csv, run.json and (``with_notes``) the note texts, checked against the evidence."""
    out = Path(out)
    info = read_run_info(out)
    evidence = read_evidence(out)
    notes = None
    if with_notes:
        notes = load_notes(notes_path(info, notes_source), note_ids, run_column_map(info))
        check_offsets(evidence, notes, skip_missing=note_ids is not None)
    return RunData(out, info, evidence, notes)


def check_offsets(evidence, notes: dict[str, dict[str, str]], skip_missing: bool = False) -> None:
    """Raise ExportError unless every evidence row's offsets slice its note to its text."""
    for row in evidence[["evidence_id", "note_id", "start", "end", "text"]].itertuples(index=False):
        note = notes.get(row.note_id)
        if note is None:
            if skip_missing:
                continue
            raise ExportError(f"evidence {row.evidence_id}: note {row.note_id!r} is not in the notes source; "
                              "export with the notes the run screened")
        if note["text"][int(row.start):int(row.end)] != row.text:
            raise ExportError(f"evidence {row.evidence_id}: the note text at {row.start}-{row.end} is not the "
                              "evidence text; the notes changed since the run (re-run, or pass the original notes)")


def set_flags(row) -> list[str]:
    return [f for f in FLAGS if is_true(row[f])]


def _iso(value) -> str:
    if value is None or value != value:  # None or NaN/NaT
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def export(out: Path, fmt: str, dest: Path, notes_source: Path | None = None) -> list[Path]:
    """Export the evidence of the run in ``out`` to ``dest`` as ``fmt`` (one of :data:`FORMATS`);
    return the files written."""
    writers = {"labelstudio": write_labelstudio, "brat": write_brat, "note_nlp": write_note_nlp}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    run = load_run(Path(out), notes_source)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    return writers[fmt](run, dest)


def _by_note(evidence) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in evidence.to_dict("records"):
        out.setdefault(row["note_id"], []).append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (int(r["start"]), int(r["end"]), r["concept"]))
    return out


# ---------------------------------------------------------------- Label Studio

def region_id(evidence_id: str, concept: str) -> str:
    """A short, stable Label Studio region id of an evidence row."""
    return "ev" + hashlib.sha1(f"{evidence_id}\0{concept}".encode("utf-8")).hexdigest()[:10]


def labelstudio_tasks(run: RunData) -> list[dict[str, Any]]:
    by_note = _by_note(run.evidence)
    tasks = []
    for nid, note in run.notes.items():
        results = []
        for row in by_note.get(nid, []):
            rid = region_id(row["evidence_id"], row["concept"])
            span = {"start": int(row["start"]), "end": int(row["end"]), "text": row["text"]}
            results.append({"id": rid, "from_name": LS_LABEL_NAME, "to_name": LS_TEXT_NAME, "type": "labels",
                            "value": {**span, "labels": [row["concept"]]}})
            results.append({"id": rid, "from_name": LS_CONTEXT_NAME, "to_name": LS_TEXT_NAME, "type": "choices",
                            "value": {**span, "choices": set_flags(row) or [AFFIRMED]}})
        tasks.append({"data": {"text": note["text"], "note_id": nid, "patient_id": note["patient_id"],
                               "note_date": note["note_date"]},
                      "predictions": [{"model_version": run.system, "result": results}]})
    return tasks


def labelstudio_config(concepts) -> str:
    view = ET.Element("View")
    labels = ET.SubElement(view, "Labels", name=LS_LABEL_NAME, toName=LS_TEXT_NAME)
    for concept in sorted(set(concepts)):
        ET.SubElement(labels, "Label", value=concept)
    ET.SubElement(view, "Text", name=LS_TEXT_NAME, value=f"${LS_TEXT_NAME}")
    choices = ET.SubElement(view, "Choices", name=LS_CONTEXT_NAME, toName=LS_TEXT_NAME, perRegion="true",
                            choice="multiple")
    for choice in LS_CHOICES:
        ET.SubElement(choices, "Choice", value=choice)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def write_labelstudio(run: RunData, dest: Path) -> list[Path]:
    tasks_path, config_path = dest / LS_TASKS_FILE, dest / LS_CONFIG_FILE
    _atomic(tasks_path, json.dumps(labelstudio_tasks(run), ensure_ascii=False, indent=1))
    _atomic(config_path, labelstudio_config(run.evidence["concept"]))
    return [tasks_path, config_path]


# ---------------------------------------------------------------- brat

def brat_stem(note_id: str) -> str:
    """The file name stem of a note: a hash of its id, never the id itself."""
    return "note_" + hashlib.sha256(note_id.encode("utf-8")).hexdigest()[:16]


def brat_type(concept: str) -> str:
    """A brat-legal type name (letters, digits, _ and -; starting with a letter)."""
    name = _BRAT_ILLEGAL.sub("_", concept) or "Concept"
    return name if name[0].isalpha() else f"C_{name}"


def brat_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of a span, cut at line breaks (and tabs): brat's discontinuous spans."""
    pieces, pos = [], start
    for m in _BREAKS.finditer(text, start, end):
        if m.start() > pos:
            pieces.append((pos, m.start()))
        pos = m.end()
    if end > pos:
        pieces.append((pos, end))
    return pieces or [(start, end)]


def _one_line(value: str) -> str:
    return _BREAKS.sub(" ", value).strip()


def brat_ann(rows: list[dict[str, str]], text: str) -> str:
    lines, t, a = [], 0, 0
    for row in rows:
        start, end = int(row["start"]), int(row["end"])
        pieces = brat_fragments(text, start, end)
        t += 1
        spans = ";".join(f"{s} {e}" for s, e in pieces)
        lines.append(f"T{t}\t{brat_type(row['concept'])} {spans}\t{' '.join(text[s:e] for s, e in pieces)}")
        for flag in set_flags(row):
            a += 1
            lines.append(f"A{a}\t{BRAT_ATTRIBUTES[flag]} T{t}")
        note = "; ".join(part for part in (
            f"criteria: {row['criterion_id'].replace(';', ', ')}" if row["criterion_id"] else "",
            f"date: {row['event_date']}" if row["event_date"] else "",
            f"evidence_id: {row['evidence_id']}") if part)
        lines.append(f"#{t}\t{BRAT_NOTE_TYPE} T{t}\t{_one_line(note)}")
    return "".join(line + "\n" for line in lines)


def brat_conf(concepts) -> str:
    types = sorted({brat_type(c) for c in concepts})
    return ("[entities]\n" + "".join(f"{name}\n" for name in types) + "\n[relations]\n\n[events]\n\n[attributes]\n"
            + "".join(f"{name} Arg:<ENTITY>\n" for name in BRAT_ATTRIBUTES.values()))


def write_brat(run: RunData, dest: Path) -> list[Path]:
    by_note = _by_note(run.evidence)
    written, index = [], []
    for nid, note in run.notes.items():
        stem = brat_stem(nid)
        txt, ann = dest / f"{stem}.txt", dest / f"{stem}.ann"
        with open(txt, "w", encoding="utf-8", newline="") as handle:
            handle.write(note["text"])
        with open(ann, "w", encoding="utf-8", newline="") as handle:
            handle.write(brat_ann(by_note.get(nid, []), note["text"]))
        written += [txt, ann]
        index.append((stem, nid, note["patient_id"], note["note_date"]))
    conf, index_path = dest / BRAT_CONF_FILE, dest / BRAT_INDEX_FILE
    _atomic(conf, brat_conf(run.evidence["concept"]))
    with open(index_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(BRAT_INDEX_COLUMNS)
        writer.writerows(index)
    return [*written, conf, index_path]


# ---------------------------------------------------------------- OMOP NOTE_NLP

def snippet(text: str, sent_start: int, sent_end: int, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    """Up to ``width`` characters of the sentence around the mention, whitespace collapsed."""
    lo, hi = sent_start, sent_end
    if hi - lo > width:
        lo = max(sent_start, min(start - (width - (end - start)) // 2, sent_end - width))
        hi = min(sent_end, lo + width)
    return " ".join(text[lo:hi].split())


def term_modifiers(row: dict[str, str]) -> str:
    parts = [f"{flag}={'true' if is_true(row[flag]) else 'false'}" for flag in FLAGS]
    parts += [f"concept={row['concept']}", f"criterion={row['criterion_id']}", f"event_date={row['event_date']}",
              f"date_source={row['date_source']}", f"evidence_id={row['evidence_id']}"]
    return ",".join(parts)


def note_nlp_frame(run: RunData):
    import pandas as pd

    finished = str(run.info.get("finished_utc") or "")
    nlp_datetime = pd.Timestamp(finished) if finished else pd.NaT
    nlp_date = nlp_datetime.date() if finished else None
    rows = []
    for i, row in enumerate(run.evidence.to_dict("records"), start=1):
        text = run.notes[row["note_id"]]["text"]
        start, end = int(row["start"]), int(row["end"])
        ss = int(row["sentence_start"]) if row["sentence_start"] else start
        se = int(row["sentence_end"]) if row["sentence_end"] else end
        rows.append({
            "note_nlp_id": i, "note_id": row["note_id"], "section_concept_id": 0,
            "snippet": snippet(text, ss, se, start, end), "offset": str(start), "lexical_variant": row["text"],
            "note_nlp_concept_id": 0, "note_nlp_source_concept_id": 0, "nlp_system": run.system,
            "nlp_date": nlp_date, "nlp_datetime": nlp_datetime,
            "term_exists": "N" if any(is_true(row[f]) for f in NOT_EXISTING) else "Y",
            "term_temporal": "historical" if is_true(row["historical"]) else "",
            "term_modifiers": term_modifiers(row),
        })
    frame = pd.DataFrame(rows, columns=list(NOTE_NLP_COLUMNS))
    for column, limit in _VARCHAR.items():
        frame[column] = frame[column].astype(str).str.slice(0, limit)
    ids = frame["note_id"].astype(str)
    if len(ids) and ids.str.fullmatch(r"\d{1,18}").all():
        frame["note_id"] = ids.astype("int64")
    for column in ("note_nlp_id", "section_concept_id", "note_nlp_concept_id", "note_nlp_source_concept_id"):
        frame[column] = frame[column].astype("int64")
    return frame


def _note_nlp_schema(frame):
    import pyarrow as pa

    types = {c: pa.string() for c in NOTE_NLP_COLUMNS}
    types.update({c: pa.int64() for c in ("note_nlp_id", "section_concept_id", "note_nlp_concept_id",
                                          "note_nlp_source_concept_id")})
    if frame["note_id"].dtype == "int64":
        types["note_id"] = pa.int64()
    types["nlp_date"] = pa.date32()
    types["nlp_datetime"] = pa.timestamp("s", tz="UTC")
    return pa.schema([(c, types[c]) for c in NOTE_NLP_COLUMNS])


def write_note_nlp(run: RunData, dest: Path) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = note_nlp_frame(run)
    csv_path, parquet_path = dest / NOTE_NLP_FILE, dest / NOTE_NLP_PARQUET
    shown = frame.copy()
    shown["nlp_date"] = shown["nlp_date"].map(_iso)
    shown["nlp_datetime"] = shown["nlp_datetime"].map(
        lambda v: "" if v is None or v != v else v.strftime("%Y-%m-%d %H:%M:%S"))
    tmp = csv_path.with_name(csv_path.name + ".tmp")
    shown.to_csv(tmp, index=False)
    tmp.replace(csv_path)
    table = pa.Table.from_pandas(frame, schema=_note_nlp_schema(frame), preserve_index=False)
    tmp = parquet_path.with_name(parquet_path.name + ".tmp")
    pq.write_table(table, tmp)
    tmp.replace(parquet_path)
    return [csv_path, parquet_path]


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    tmp.replace(path)
