"""Input-reading layer: turn a corpus folder or a note export table into normalised note batches.

Supported inputs
----------------
* A corpus folder with ``manifest.csv`` (``note_id,patient_id,note_date,note_type,path``; ``path`` is relative
  to the folder) and an optional ``patients.csv`` (read with :func:`read_patients`).
* A corpus folder without a manifest: every ``*.txt`` under it, laid out as
  ``<patient_id>/<YYYY-MM-DD>[_<anything>].txt``. ``note_id`` is the path relative to the folder without the
  suffix (``"P001/2024-03-01_neph"``), ``note_type`` is ``""``.
* A note export table chosen by suffix: ``.csv``, ``.parquet``/``.pq``, ``.jsonl``/``.ndjson``, with OMOP CDM NOTE
  column names (``note_id, person_id, note_date, note_title, note_text``; ``note_datetime`` is accepted for
  ``note_date``) or our own names (``patient_id, note_type, text``), matched case-insensitively after stripping
  whitespace. ``column_map`` maps our standard name to the user's column name, e.g.
  ``{"patient_id": "MRN", "text": "NOTE_BODY"}``.

Contract
--------
* Every input note ends up in exactly one of the two frames: ``notes`` (:data:`NOTE_COLUMNS`) or ``errors``
  (:data:`ERROR_COLUMNS`), one error row per rejected note with the first problem found.
* Fatal problems with the input as a whole raise :class:`InputError` (one-line message naming the file).
* String columns are always ``str``, never null (unknown values are ``""``); ``note_date`` holds
  ``datetime.date``; ``text`` is exactly the decoded text (a UTF-8 BOM removed, newlines untouched).
* Row numbers in messages count data rows from 1, not counting the header (``"export.csv:row 3"`` is the third
  data row, i.e. line 4 of a one-line-header CSV without embedded newlines). JSONL uses physical line numbers
  (``"export.jsonl:line 3"``). Folder-mode errors use the path relative to the folder (``"P001/x.txt"``).
* Decoding: UTF-8 (a BOM is removed); if that fails a note file is decoded as cp1252 (the five bytes undefined in
  cp1252 become U+FFFD). For CSV the fallback works byte by byte inside the stream, for JSONL line by line.
  Note files that start with a UTF-16 BOM are decoded as UTF-16. A note file holding a NUL byte (or starting
  with a PDF/ZIP signature) is "not text (binary)".
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "NOTE_COLUMNS",
    "ERROR_COLUMNS",
    "PATIENT_COLUMNS",
    "InputError",
    "iter_note_batches",
    "read_notes",
    "read_patients",
    "notes_from_dataframe",
    "fingerprint",
]

NOTE_COLUMNS = ("note_id", "patient_id", "note_date", "note_type", "path", "text", "encoding")
FALLBACK = "cp1252 fallback"  # the ``encoding`` of a note whose bytes were not all UTF-8
ERROR_COLUMNS = ("note_id", "patient_id", "source", "reason", "action")
PATIENT_COLUMNS = ("patient_id", "birth_date", "sex", "index_date")

MANIFEST_NAME = "manifest.csv"
PATIENTS_NAME = "patients.csv"
FOLDER_LAYOUT = "<patient_id>/<YYYY-MM-DD>[_<anything>].txt"
RENAME_ACTION = f"rename to {FOLDER_LAYOUT} or supply a {MANIFEST_NAME}"

CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".ndjson")

# our standard name -> accepted column names (lower case), in order of preference
_NOTE_ALIASES: dict[str, tuple[str, ...]] = {
    "note_id": ("note_id",),
    "patient_id": ("patient_id", "person_id"),
    "note_date": ("note_date", "note_datetime"),
    "note_type": ("note_type", "note_title"),
    "path": ("path",),
    "text": ("text", "note_text"),
}
# any accepted name (lower case) -> our standard name; used to read column_map keys
_CANONICAL = {alias: std for std, aliases in _NOTE_ALIASES.items() for alias in aliases}

_PATIENT_ALIASES: dict[str, tuple[str, ...]] = {
    "patient_id": ("patient_id", "person_id"),
    "birth_date": ("birth_date", "birth_datetime", "date_of_birth"),
    "sex": ("sex", "gender"),
    "index_date": ("index_date",),
}

_TABLE_REQUIRED = ("note_id", "patient_id", "note_date", "text")
_TABLE_OPTIONAL = ("note_type", "path")
_MANIFEST_REQUIRED = ("note_id", "patient_id", "note_date", "path")
_MANIFEST_OPTIONAL = ("note_type",)

_DATE_RE = re.compile(
    r"(\d{4}-\d{2}-\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_FILE_DATE_RE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:_.*)?", re.DOTALL)
_LOOKS_LIKE_DATE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")

_SEX_VALUES = {
    "f": "F", "female": "F", "woman": "F", "girl": "F", "8532": "F",  # 8532 / 8507: OMOP gender concepts
    "m": "M", "male": "M", "man": "M", "boy": "M", "8507": "M",
}

_BINARY_SIGNATURES = (b"%PDF-", b"PK\x03\x04")
_FALLBACK_ERRORS = "extractor.readers.cp1252_fallback"


class InputError(Exception):
    """Fatal: the input as a whole cannot be read (missing folder/file, unknown format, a required column missing).

    The message is one line naming the file and what to do."""


# --------------------------------------------------------------------------------------------------- decoding


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: decode the bytes UTF-8 rejected as cp1252 (undefined bytes -> U+FFFD)."""
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start:exc.end]
        return bytes(bad).decode("cp1252", errors="replace"), exc.end
    raise exc


codecs.register_error(_FALLBACK_ERRORS, _cp1252_fallback)


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _decode_note_bytes(data: bytes) -> str | None:
    """Decode a note file; ``None`` means the file is binary."""
    return _decode_note(data)[0]


def _decode_note(data: bytes) -> tuple[str | None, str]:
    """``(text, encoding)`` of a note file's bytes; text ``None`` means the file is binary. The
    encoding says how it was read: utf-8, utf-8-sig (BOM removed), utf-16, or FALLBACK."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8):], "utf-8-sig"
    if b"\x00" in data or data.startswith(_BINARY_SIGNATURES):
        return None, encoding
    try:
        return data.decode("utf-8"), encoding
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), FALLBACK


def _file_encoding(path: Path) -> str:
    """utf-8 when every byte of the file is UTF-8 (one streaming pass), else FALLBACK: then each
    note read from it is flagged, since the reader decoded some of its bytes as cp1252."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return FALLBACK
    except OSError:
        pass
    return "utf-8"


def _open_text(path: Path) -> io.TextIOWrapper:
    """Text stream for a CSV: UTF-8 (BOM removed) with a per-byte cp1252 fallback; newlines left untouched."""
    return io.TextIOWrapper(open(path, "rb"), encoding="utf-8-sig", errors=_FALLBACK_ERRORS, newline="")


# ----------------------------------------------------------------------------------------- value normalisers


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.datetime64) and np.isnat(value):
        return True
    return False


def _as_str(value: Any) -> str:
    """An id or label as a stripped string ('' when missing); integral floats lose their '.0'."""
    if _is_missing(value):
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (bytes, bytearray)):
        return _decode_line(bytes(value)).strip()
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _as_text(value: Any) -> str | None:
    """Note text exactly as decoded; ``None`` when missing."""
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return _decode_note_bytes(bytes(value)) or ""
    return str(value)


def _parse_iso_date(text: str) -> dt.date | None:
    """Strict ISO date ``YYYY-MM-DD`` (optionally followed by a time); ``None`` when invalid."""
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return None
    try:
        day = dt.date.fromisoformat(match.group(1))
    except ValueError:
        return None
    hour, minute, second = match.group(2, 3, 4)
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or (second is not None and int(second) > 59)):
        return None
    return day


def _as_date(value: Any) -> tuple[dt.date | None, str | None]:
    """Return ``(date, None)``, ``(None, None)`` when missing, or ``(None, raw)`` when invalid."""
    if _is_missing(value):
        return None, None
    if isinstance(value, dt.datetime):  # includes pandas.Timestamp; checked before date (its base class)
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date(), None
    if isinstance(value, (bytes, bytearray)):
        value = _decode_line(bytes(value))
    raw = str(value).strip()
    if not raw:
        return None, None
    day = _parse_iso_date(raw)
    return (day, None) if day is not None else (None, raw)


# ------------------------------------------------------------------------------------------ column matching


def _norm(name: Any) -> str:
    return str(name).strip().lower()


def _shown(columns: Iterable[Any], limit: int = 30) -> str:
    names = [" ".join(str(c).split()) for c in columns]
    if not names:
        return "none"
    more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _check_column_map(column_map: Mapping[str, str] | None) -> dict[str, str]:
    """Validate a column map (our standard name -> user's column name) and key it by standard name."""
    if not column_map:
        return {}
    out: dict[str, str] = {}
    for key, theirs in column_map.items():
        std = _CANONICAL.get(_norm(key))
        if std is None:
            raise InputError(
                f"--column: unknown column name '{key}'; map one of {', '.join(NOTE_COLUMNS)} "
                f"(e.g. --column patient_id=MRN)"
            )
        if not isinstance(theirs, str) or not theirs.strip():
            raise InputError(f"--column: no column name given for '{key}'; use --column {std}=<your column name>")
        out[std] = theirs
    return out


def _resolve_columns(
    found: Iterable[Any],
    label: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    column_map: Mapping[str, str] | None,
    aliases: Mapping[str, tuple[str, ...]] = _NOTE_ALIASES,
    how_to_fix: str = "--column",
) -> dict[str, Any]:
    """Return ``{standard name: actual column}`` for every required and present optional column."""
    found = list(found)
    by_norm: dict[str, Any] = {}
    repeated: set[str] = set()
    for column in found:
        key = _norm(column)
        if key in by_norm:
            repeated.add(key)
        else:
            by_norm[key] = column
    mapped = _check_column_map(column_map)
    resolved: dict[str, Any] = {}
    for std in (*required, *optional):
        if std in mapped:
            key = _norm(mapped[std])
            if key not in by_norm:
                raise InputError(
                    f"{label}: column '{mapped[std]}' (mapped to {std} by --column) not found "
                    f"(columns found: {_shown(found)}); fix the --column {std}=... option"
                )
        else:
            key = next((alias for alias in aliases[std] if alias in by_norm), None)
            if key is None:
                if std not in required:
                    continue
                names = " or ".join(f"'{alias}'" for alias in aliases[std])
                if how_to_fix == "--column":
                    fix = f"add it or map your column with --column {std}=<your column name>"
                else:
                    fix = how_to_fix.format(std=std)
                raise InputError(
                    f"{label}: required column {names} not found (columns found: {_shown(found)}); {fix}"
                )
        if key in repeated:
            raise InputError(
                f"{label}: column '{by_norm[key]}' appears more than once (case and spaces ignored); "
                f"rename or drop the extra column"
            )
        resolved[std] = by_norm[key]
    return resolved


# ------------------------------------------------------------------------------------------ note processing


class _Accumulator:
    """Turns raw records into note rows or error rows; remembers note ids across batches (duplicates)."""

    def __init__(self) -> None:
        self.first_seen: dict[str, str] = {}
        self.notes: list[tuple] = []
        self.errors: list[tuple] = []

    def take(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        notes, errors = _notes_frame(self.notes), _errors_frame(self.errors)
        self.notes, self.errors = [], []
        return notes, errors

    def error(self, note_id: str, patient_id: str, source: str, reason: str, action: str) -> None:
        self.errors.append((note_id, patient_id, source, reason, action))

    def claim_id(self, note_id: str, where: str) -> str | None:
        """Register ``note_id``; return where it was first seen if it is a duplicate."""
        first = self.first_seen.get(note_id)
        if first is None:
            self.first_seen[note_id] = where
        return first

    def check_row(self, values: Mapping[str, Any], name: str, loc: str) -> tuple[str, str, dt.date] | None:
        """Common id/date checks for table and manifest rows; records an error and returns None on failure."""
        source, at = f"{name}:{loc}", f"{name} {loc}"
        note_id = _as_str(values.get("note_id"))
        patient_id = _as_str(values.get("patient_id"))
        if not note_id:
            self.error("", patient_id, source, "note_id is missing", f"fill in note_id in {at}")
            return None
        first = self.claim_id(note_id, loc)
        if first is not None:
            self.error(note_id, patient_id, source, f"duplicate note_id '{note_id}' (first seen in {first})",
                       f"give the note in {at} a unique note_id or remove the duplicate row")
            return None
        if not patient_id:
            self.error(note_id, "", source, "patient_id is missing", f"fill in patient_id in {at}")
            return None
        note_date, bad = _as_date(values.get("note_date"))
        if note_date is None:
            if bad is None:
                self.error(note_id, patient_id, source, "note_date is missing",
                           f"fill in note_date in {at} (YYYY-MM-DD)")
            else:
                self.error(note_id, patient_id, source, f"note_date '{bad}' is not a valid date",
                           f"fix the date in {at} (YYYY-MM-DD)")
            return None
        return note_id, patient_id, note_date

    def table_row(self, values: Mapping[str, Any], name: str, loc: str) -> None:
        checked = self.check_row(values, name, loc)
        if checked is None:
            return
        note_id, patient_id, note_date = checked
        text = _as_text(values.get("text"))
        if text is None or not text.strip():
            self.error(note_id, patient_id, f"{name}:{loc}", "empty note text",
                       f"supply the note text in {name} {loc} or remove the row")
            return
        self.notes.append((note_id, patient_id, note_date, _as_str(values.get("note_type")),
                           _as_str(values.get("path")), text, values.get("encoding") or ""))

    def manifest_row(self, values: Mapping[str, Any], folder: Path, name: str, loc: str) -> None:
        checked = self.check_row(values, name, loc)
        if checked is None:
            return
        note_id, patient_id, note_date = checked
        source, at = f"{name}:{loc}", f"{name} {loc}"
        rel = _as_str(values.get("path"))
        if not rel:
            self.error(note_id, patient_id, source, "path is missing", f"fill in path in {at}")
            return
        file = folder / rel
        if not file.exists():
            self.error(note_id, patient_id, source, f"file {rel} listed in {at} does not exist",
                       f"fix the path in {at} (paths are relative to {folder}) or restore the file")
            return
        if not file.is_file():
            self.error(note_id, patient_id, source, f"{rel} listed in {at} is not a file",
                       f"point path in {at} at a .txt note file")
            return
        text = self._read_note_file(file, rel, note_id, patient_id, source, f"remove {at}")
        if text is not None:
            self.notes.append((note_id, patient_id, note_date, _as_str(values.get("note_type")), rel, *text))

    def folder_file(self, file: Path, rel: str) -> None:
        parts = rel.split("/")
        stem = parts[-1][: -len(".txt")]
        note_id = rel[: -len(".txt")]
        patient_id = parts[-2].strip() if len(parts) >= 2 else ""
        if not patient_id:
            self.error(note_id, "", rel, "file is not inside a patient folder", RENAME_ACTION)
            return
        match = _FILE_DATE_RE.fullmatch(stem)
        if match is None:
            self.error(note_id, patient_id, rel, f"file name '{parts[-1]}' does not start with a date",
                       RENAME_ACTION)
            return
        note_date = _parse_iso_date(match.group(1))
        if note_date is None:
            self.error(note_id, patient_id, rel, f"note_date '{match.group(1)}' is not a valid date", RENAME_ACTION)
            return
        first = self.claim_id(note_id, rel)
        if first is not None:
            self.error(note_id, patient_id, rel, f"duplicate note_id '{note_id}' (first seen in {first})",
                       f"rename or remove {rel}")
            return
        text = self._read_note_file(file, rel, note_id, patient_id, rel, f"remove {rel}")
        if text is not None:
            self.notes.append((note_id, patient_id, note_date, "", rel, *text))

    def _read_note_file(self, file: Path, rel: str, note_id: str, patient_id: str, source: str,
                        or_remove: str) -> tuple[str, str] | None:
        """``(text, encoding)`` of a note file, or None after recording why it cannot be read."""
        try:
            data = file.read_bytes()
        except OSError as exc:
            self.error(note_id, patient_id, source, f"file {rel} could not be read ({exc.strerror or exc})",
                       f"check that {rel} is readable or {or_remove}")
            return None
        text, encoding = _decode_note(data)
        if text is None:
            self.error(note_id, patient_id, source, "file is not text (binary)",
                       f"replace {rel} with a plain-text version of the note or {or_remove}")
            return None
        if not text.strip():
            self.error(note_id, patient_id, source, "empty note text",
                       f"check {rel} (it is empty or blank) or {or_remove}")
            return None
        return text, encoding


def _string_series(values: list) -> pd.Series:
    return pd.Series(values, dtype=str)


def _notes_frame(rows: list[tuple]) -> pd.DataFrame:
    cols = list(zip(*rows)) if rows else [()] * len(NOTE_COLUMNS)
    data = {}
    for name, values in zip(NOTE_COLUMNS, cols):
        data[name] = pd.Series(list(values), dtype=object) if name == "note_date" else _string_series(list(values))
    return pd.DataFrame(data, columns=list(NOTE_COLUMNS))


def _errors_frame(rows: list[tuple]) -> pd.DataFrame:
    cols = list(zip(*rows)) if rows else [()] * len(ERROR_COLUMNS)
    return pd.DataFrame({name: _string_series(list(values)) for name, values in zip(ERROR_COLUMNS, cols)},
                        columns=list(ERROR_COLUMNS))


# ------------------------------------------------------------------------------------------- record sources
# Each source yields ``handle(acc)`` callables, one per input note, lazily and chunk by chunk.

Step = Callable[[_Accumulator], None]


def _csv_header(path: Path, label: str) -> list[str]:
    try:
        with _open_text(path) as fh:
            return list(pd.read_csv(fh, nrows=0, dtype=str, index_col=False).columns)
    except pd.errors.EmptyDataError:
        raise InputError(f"{label}: file is empty (no header row); export it again with a header row") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{label}: cannot read the CSV header ({_one_line(exc)}); check the file is a CSV") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot open file ({exc.strerror or exc}); check the path and permissions") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


@dataclass(frozen=True)
class BadRow:
    """A CSV record that cannot be read as a row: what the reader could make of it, and why."""

    note_id: str
    patient_id: str
    reason: str
    action: str = "fix the quoting or the number of fields in this row (or remove it) and run again"


csv.field_size_limit(2**31 - 1)  # a note is one field; the default 128 KiB limit would reject long notes


def _iter_csv_rows(path: Path, label: str, columns: Mapping[str, Any]
                   ) -> Iterator[tuple[str, dict[str, Any] | BadRow]]:
    """Yield ``("row N", {standard: value})`` for every data record, streaming. A record the CSV grammar rejects, or with another number of
    fields than the header, is yielded as a :class:`BadRow` and reading goes on; a quote that never
    closes takes the rest of the file into its record, which is reported as one bad row. Missing
    trailing fields are empty, as in pandas."""
    header = _csv_header(path, label)
    positions = {std: header.index(col) for std, col in columns.items()}
    id_pos, patient_pos = positions.get("note_id"), positions.get("patient_id")
    row = 0
    with _open_text(path) as fh:
        reader = csv.reader(fh, strict=True)
        next(reader, None)  # the header, read above
        while True:
            line = reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                row += 1
                hint = ("; a quote opened in it never closes, so every line after it belongs to it"
                        if "end of data" in str(exc) else "")
                yield f"row {row}", BadRow("", "", f"CSV record starting at line {line} cannot be parsed ({exc}){hint}")
                continue
            if not fields:  # a blank line
                continue
            row += 1
            if len(fields) > len(header):  # pandas would drop the extra fields without a word
                def field(pos):
                    return fields[pos].strip() if pos is not None else ""
                yield f"row {row}", BadRow(field(id_pos), field(patient_pos),
                                           f"CSV record at line {line} has {len(fields)} fields, the header has {len(header)}")
                continue
            fields += [""] * (len(header) - len(fields))  # trailing empty fields may be left out
            yield f"row {row}", {std: fields[pos] for std, pos in positions.items()}


def _table_steps(rows: Iterator[tuple[str, dict[str, Any] | BadRow]], name: str,
                 encoding: str | None = None) -> Iterator[Step]:
    for loc, values in rows:
        if encoding and not isinstance(values, BadRow):
            values["encoding"] = encoding
        if isinstance(values, BadRow):
            yield lambda acc, loc=loc, bad=values: acc.error(bad.note_id, bad.patient_id, f"{name}:{loc}",
                                                             bad.reason, bad.action)
        else:
            yield lambda acc, loc=loc, values=values: acc.table_row(values, name, loc)


def _csv_source(path: Path, column_map: Mapping[str, str] | None, batch_size: int) -> Iterator[Step]:
    label = str(path)
    columns = _resolve_columns(_csv_header(path, label), label, _TABLE_REQUIRED, _TABLE_OPTIONAL, column_map)
    return _table_steps(_iter_csv_rows(path, label, columns), path.name, _file_encoding(path))


def _parquet_source(path: Path, column_map: Mapping[str, str] | None, batch_size: int) -> Iterator[Step]:
    import pyarrow.parquet as pq

    label = str(path)
    try:
        pfile = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid / OSError for non-parquet or truncated files
        raise InputError(f"{label}: not a readable Parquet file ({_one_line(exc)}); export it again") from None
    columns = _resolve_columns(pfile.schema_arrow.names, label, _TABLE_REQUIRED, _TABLE_OPTIONAL, column_map)

    def rows() -> Iterator[tuple[str, dict[str, Any]]]:
        row = 0
        try:
            with pfile:
                for batch in pfile.iter_batches(batch_size=batch_size, columns=list(dict.fromkeys(columns.values()))):
                    values = {std: batch.column(col).to_pylist() for std, col in columns.items()}
                    for i in range(batch.num_rows):
                        row += 1
                        yield f"row {row}", {std: vals[i] for std, vals in values.items()}
        except (OSError, ValueError) as exc:  # pyarrow.ArrowException subclasses these
            raise InputError(f"{label}: Parquet data cannot be read after row {row} ({_one_line(exc)}); "
                             f"export it again") from None

    return _table_steps(rows(), path.name)


def _iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield ``(line number, {lower-case key: value} or None, problem or None)`` for each non-blank line."""
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if not raw.strip():
                continue
            try:
                obj = json.loads(_decode_line(raw))
            except json.JSONDecodeError as exc:
                yield lineno, None, f"line is not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(obj, dict):
                yield lineno, None, "line is not a JSON object"
                continue
            yield lineno, {_norm(k): v for k, v in obj.items()}, None


def _jsonl_source(path: Path, column_map: Mapping[str, str] | None, batch_size: int) -> Iterator[Step]:
    label, name = str(path), path.name
    columns: dict[str, Any] | None = None
    for _, record, _ in _iter_jsonl(path):  # the first object decides the columns (like a CSV header)
        if record is not None:
            found = list(record)
            columns = _resolve_columns(found, label, _TABLE_REQUIRED, _TABLE_OPTIONAL, column_map)
            columns = {std: _norm(col) for std, col in columns.items()}
            break

    encoding = _file_encoding(path)

    def steps() -> Iterator[Step]:
        for lineno, record, problem in _iter_jsonl(path):
            loc = f"line {lineno}"
            if record is None:
                yield lambda acc, loc=loc, problem=problem: acc.error(
                    "", "", f"{name}:{loc}", problem, f"fix or remove {name} {loc}")
            else:
                values = {std: record.get(col) for std, col in (columns or {}).items()}
                values["encoding"] = encoding
                yield lambda acc, loc=loc, values=values: acc.table_row(values, name, loc)

    return steps()


def _find_child(folder: Path, filename: str) -> Path | None:
    exact = folder / filename
    if exact.is_file():
        return exact
    for child in folder.iterdir():
        if child.name.lower() == filename and child.is_file():
            return child
    return None


def _manifest_source(folder: Path, manifest: Path, column_map: Mapping[str, str] | None,
                     batch_size: int) -> Iterator[Step]:
    label, name = str(manifest), manifest.name
    columns = _resolve_columns(_csv_header(manifest, label), label, _MANIFEST_REQUIRED, _MANIFEST_OPTIONAL,
                               column_map)

    def steps() -> Iterator[Step]:
        for loc, values in _iter_csv_rows(manifest, label, columns):
            if isinstance(values, BadRow):
                yield lambda acc, loc=loc, bad=values: acc.error(bad.note_id, bad.patient_id, f"{name}:{loc}",
                                                                 bad.reason, bad.action)
            else:
                yield lambda acc, loc=loc, values=values: acc.manifest_row(values, folder, name, loc)

    return steps()


def _walk_files(folder: Path, suffix: str | None = None) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, relative posix path)`` for files under ``folder`` in a deterministic order."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        base = Path(dirpath)
        rel_dir = base.relative_to(folder).as_posix()
        for filename in sorted(filenames):
            if suffix is not None and not filename.lower().endswith(suffix):
                continue
            file = base / filename
            if suffix is not None and not file.is_file():
                continue
            yield file, filename if rel_dir == "." else f"{rel_dir}/{filename}"


def _folder_source(folder: Path) -> Iterator[Step]:
    for file, rel in _walk_files(folder, ".txt"):
        yield lambda acc, file=file, rel=rel: acc.folder_file(file, rel)


def _open_source(source: str | os.PathLike, column_map: Mapping[str, str] | None, batch_size: int
                 ) -> Iterator[Step]:
    path = Path(source)
    if path.is_dir():
        manifest = _find_child(path, MANIFEST_NAME)
        if manifest is not None:
            return _manifest_source(path, manifest, column_map, batch_size)
        return _folder_source(path)
    if not path.exists():
        raise InputError(
            f"{path}: no such file or folder; pass a corpus folder or a note export "
            f"({', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES + JSONL_SUFFIXES)})"
        )
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES + JSONL_SUFFIXES:
        raise InputError(
            f"{path}: unknown input format '{path.suffix or '(no suffix)'}'; use a corpus folder or a note export "
            f"ending in {', '.join(CSV_SUFFIXES + PARQUET_SUFFIXES + JSONL_SUFFIXES)}"
        )
    try:
        empty = path.stat().st_size == 0
    except OSError as exc:
        raise InputError(f"{path}: cannot open file ({exc.strerror or exc}); check the path and permissions") from None
    if empty:
        raise InputError(f"{path}: file is empty; export the notes again")
    if suffix in CSV_SUFFIXES:
        return _csv_source(path, column_map, batch_size)
    if suffix in PARQUET_SUFFIXES:
        return _parquet_source(path, column_map, batch_size)
    return _jsonl_source(path, column_map, batch_size)


def _batches(steps: Iterator[Step], batch_size: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    acc = _Accumulator()
    pending = 0
    for step in steps:
        step(acc)
        pending += 1
        if pending == batch_size:
            yield acc.take()
            pending = 0
    if pending:
        yield acc.take()


# ------------------------------------------------------------------------------------------------ public API


def iter_note_batches(
    source: str | os.PathLike,
    column_map: dict[str, str] | None = None,
    batch_size: int = 1000,
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Yield ``(notes, errors)`` DataFrames with NOTE_COLUMNS / ERROR_COLUMNS, batch by batch.

    Each batch covers ``batch_size`` input notes (a note is in ``notes`` or in ``errors``; the last batch may be
    smaller; an input without notes yields no batch). The input is read in chunks (CSV via pandas chunksize,
    Parquet via ``ParquetFile.iter_batches``, JSONL line by line, folders file by file) so memory stays bounded.
    Fatal problems (missing source, unknown format, missing required column) raise :class:`InputError` when this
    function is called, before the first batch; a CSV/Parquet file that breaks part-way raises it while iterating.
    ``note_date`` values are ``datetime.date``; ``text`` is ``str`` exactly as decoded.
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    steps = _open_source(source, column_map, batch_size)
    return _batches(steps, batch_size)


def _concat(frames: list[pd.DataFrame], empty: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    return pd.concat(frames, ignore_index=True)


def read_notes(source: str | os.PathLike, column_map: dict[str, str] | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All notes and errors of ``source`` (the concatenation of :func:`iter_note_batches`)."""
    notes, errors = [], []
    for batch_notes, batch_errors in iter_note_batches(source, column_map):
        notes.append(batch_notes)
        errors.append(batch_errors)
    return _concat(notes, _notes_frame([])), _concat(errors, _errors_frame([]))


def notes_from_dataframe(df: pd.DataFrame, column_map: dict[str, str] | None = None
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise an in-memory note table like an export file; error sources read ``"dataframe:row N"``
    (N counts rows from 1 by position, not by index label)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"notes_from_dataframe expects a pandas DataFrame, got {type(df).__name__}")
    label = "dataframe"
    found = list(df.columns)
    columns = _resolve_columns(found, label, _TABLE_REQUIRED, _TABLE_OPTIONAL, column_map)
    positions = {std: found.index(col) for std, col in columns.items()}
    values = {std: df.iloc[:, pos].tolist() for std, pos in positions.items()}
    acc = _Accumulator()
    for i in range(len(df)):
        acc.table_row({std: vals[i] for std, vals in values.items()}, label, f"row {i + 1}")
    return acc.take()


def read_patients(path: str | os.PathLike) -> pd.DataFrame:
    """Read ``patients.csv`` (a file, or a corpus folder holding one) into PATIENT_COLUMNS.

    ``birth_date``/``index_date`` are ``datetime.date`` or ``None`` (empty cell); ``sex`` is ``"F"``, ``"M"`` or
    ``None`` ("female", "woman", "f" -> F; "male", "man", "m" -> M; anything else -> None). Missing optional
    columns are all ``None``. Raises :class:`InputError` naming the file and row on a bad date, an empty or
    conflicting duplicate patient_id, or a missing patient_id column. Identical duplicate rows are kept once.
    """
    file = Path(path)
    if file.is_dir():
        file = _find_child(file, PATIENTS_NAME) or file / PATIENTS_NAME
    label = str(file)
    if not file.is_file():
        raise InputError(f"{label}: patients file not found; check the path (columns: {', '.join(PATIENT_COLUMNS)})")
    columns = _resolve_columns(_csv_header(file, label), label, ("patient_id",), ("birth_date", "sex", "index_date"),
                               None, aliases=_PATIENT_ALIASES, how_to_fix="rename your patient id column to {std}")
    rows: dict[str, tuple] = {}
    first_row: dict[str, int] = {}
    for loc, values in _iter_csv_rows(file, label, columns):
        where = f"{label} {loc}"
        if isinstance(values, BadRow):
            raise InputError(f"{where}: {values.reason}; {values.action}")
        patient_id = _as_str(values.get("patient_id"))
        if not patient_id:
            raise InputError(f"{where}: patient_id is empty; fill it in or remove the row")
        dates = []
        for col in ("birth_date", "index_date"):
            day, bad = _as_date(values.get(col))
            if bad is not None:
                raise InputError(f"{where}: {col} '{bad}' is not a valid date; fix it (YYYY-MM-DD) or leave it empty")
            dates.append(day)
        sex = _SEX_VALUES.get(_as_str(values.get("sex")).lower())
        row = (patient_id, dates[0], sex, dates[1])
        if patient_id in rows:
            if rows[patient_id] != row:
                raise InputError(f"{where}: patient_id '{patient_id}' already given a different row "
                                 f"(row {first_row[patient_id]}); keep one row per patient")
            continue
        rows[patient_id] = row
        first_row[patient_id] = int(loc.split()[-1])
    cols = list(zip(*rows.values())) if rows else [()] * len(PATIENT_COLUMNS)
    data = {name: (_string_series(list(vals)) if name == "patient_id" else pd.Series(list(vals), dtype=object))
            for name, vals in zip(PATIENT_COLUMNS, cols)}
    return pd.DataFrame(data, columns=list(PATIENT_COLUMNS))


def fingerprint(source: str | os.PathLike) -> str:
    """Hex sha256 identifying the input, for run metadata.

    A file: sha256 of its bytes (same as ``sha256sum``). A folder: sha256 over every regular file under it, in
    sorted relative-path order, each as ``<relative posix path> NUL <size as 8 bytes> <bytes>``.
    """
    path = Path(source)
    digest = hashlib.sha256()
    if path.is_file():
        _hash_file(digest, path)
        return digest.hexdigest()
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder; pass the same input as for reading the notes")
    for rel, file in sorted((rel, file) for file, rel in _walk_files(path)):
        if not file.is_file():
            continue
        digest.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(file.stat().st_size.to_bytes(8, "big"))
        _hash_file(digest, file)
    return digest.hexdigest()


def _hash_file(digest: Any, file: Path) -> None:
    try:
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputError(f"{file}: cannot read file for the fingerprint ({exc.strerror or exc}); "
                         f"check its permissions") from None
