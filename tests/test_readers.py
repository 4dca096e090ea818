"""Tests for extractor.readers: every input format, batching, per-note errors, decoding, fatal errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractor.readers import (
    ERROR_COLUMNS,
    NOTE_COLUMNS,
    PATIENT_COLUMNS,
    InputError,
    fingerprint,
    iter_note_batches,
    notes_from_dataframe,
    read_notes,
    read_patients,
)

DATA = Path(__file__).parent / "data" / "readers"

# five notes used by every format; text holds CRLF, non-ASCII and leading/trailing spaces on purpose
NOTES = [
    ("N1", "P001", "2024-03-01", "nephrology", "SLE nephritis, class IV.\r\nProteinuria 2.1 g/day."),
    ("N2", "P001", "2024-04-15", "rheumatology", "Started MMF 2 g/day. Café visit."),
    ("N3", "P002", "2024-02-10", "discharge", "  No renal involvement.  "),
    ("007", "P003", "2023-12-31", "", "ANA positive, anti-dsDNA 120 IU/mL."),
    ("N5", "P003", "2024-01-05", "nephrology", "eGFR 58.\nUPCR 1.4 g/g."),
]
EXPECTED = {nid: (pid, dt.date.fromisoformat(d), typ, text) for nid, pid, d, typ, text in NOTES}


# ----------------------------------------------------------------------------------------------- input writers


def _omop_frame(rows=NOTES, upper=True) -> pd.DataFrame:
    cols = ["note_id", "person_id", "note_date", "note_title", "note_text"]
    if upper:
        cols = [c.upper() for c in cols]
    return pd.DataFrame([list(r) for r in rows], columns=cols, dtype=object)


def write_csv(path: Path, df: pd.DataFrame) -> Path:
    # newline handling: pandas writes "\n" line ends; CRLF inside quoted fields is kept as is
    path.write_bytes(df.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return path


def write_jsonl(path: Path, records: list[dict], prefix: bytes = b"") -> Path:
    path.write_bytes(prefix + b"".join(json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records))
    return path


def make_manifest_folder(root: Path, rows=NOTES) -> Path:
    folder = root / "corpus"
    lines = ["note_id,patient_id,note_date,note_type,path"]
    for nid, pid, date, typ, text in rows:
        rel = f"notes/{pid}/{date}_{nid}.txt"
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(text.encode("utf-8"))
        lines.append(f"{nid},{pid},{date},{typ},{rel}")
    (folder / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def make_plain_folder(root: Path, rows=NOTES) -> Path:
    folder = root / "plain"
    for nid, pid, date, typ, text in rows:
        file = folder / pid / f"{date}_{nid}.txt"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(text.encode("utf-8"))
    return folder


def make_source(kind: str, root: Path):
    """Write the five NOTES in format ``kind``; return (source, column_map)."""
    if kind == "manifest":
        return make_manifest_folder(root), None
    if kind == "folder":
        return make_plain_folder(root), None
    if kind == "csv_omop_upper":
        return write_csv(root / "export.csv", _omop_frame()), None
    if kind == "csv_column_map":
        df = pd.DataFrame([list(r) for r in NOTES], columns=["DOC", "MRN", "Service Date", "Kind", "NOTE_BODY"])
        return write_csv(root / "export.csv", df), {
            "note_id": "doc", "patient_id": "MRN", "note_date": "service date", "note_type": "KIND",
            "text": "NOTE_BODY"}
    if kind == "parquet":
        df = _omop_frame(upper=False)
        df["note_date"] = pd.to_datetime(df["note_date"]) + pd.Timedelta(hours=9)  # a datetime column
        path = root / "export.parquet"
        df.to_parquet(path, index=False)
        return path, None
    if kind == "jsonl":
        records = [dict(zip(["note_id", "person_id", "note_date", "note_title", "note_text"], r)) for r in NOTES]
        return write_jsonl(root / "export.jsonl", records), None
    raise AssertionError(kind)


KINDS = ["manifest", "folder", "csv_omop_upper", "csv_column_map", "parquet", "jsonl"]


def by_id(notes: pd.DataFrame) -> dict[str, tuple]:
    return {r.note_id: (r.patient_id, r.note_date, r.note_type, r.text) for r in notes.itertuples()}


# --------------------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize("kind", KINDS)
def test_reads_every_format(kind, tmp_path):
    source, cmap = make_source(kind, tmp_path)
    notes, errors = read_notes(source, cmap)
    assert tuple(notes.columns) == NOTE_COLUMNS
    assert tuple(errors.columns) == ERROR_COLUMNS
    assert errors.empty, errors.to_dict("records")
    got = by_id(notes)
    if kind == "folder":  # ids and dates come from the file layout, note_type is empty
        assert sorted(got) == sorted(f"{pid}/{d}_{nid}" for nid, pid, d, _, _ in NOTES)
        got = {k.rsplit("_", 1)[1]: (pid, day, typ, text) for k, (pid, day, typ, text) in got.items()}
        assert all(v[2] == "" for v in got.values())
        expected = {k: (pid, day, "", text) for k, (pid, day, _, text) in EXPECTED.items()}
    else:
        expected = EXPECTED
    assert got == expected
    for value in notes["note_date"]:
        assert type(value) is dt.date
    for col in ("note_id", "patient_id", "note_type", "path", "text"):
        assert all(type(v) is str for v in notes[col])


def test_manifest_path_and_folder_note_id(tmp_path):
    notes, _ = read_notes(make_manifest_folder(tmp_path))
    assert notes.set_index("note_id").loc["N1", "path"] == "notes/P001/2024-03-01_N1.txt"
    folder = tmp_path / "f"
    (folder / "P001").mkdir(parents=True)
    (folder / "P001" / "2024-03-01_neph.txt").write_text("Lupus nephritis.", encoding="utf-8")
    notes, errors = read_notes(folder)
    assert errors.empty
    row = notes.iloc[0]
    assert (row.note_id, row.patient_id, row.note_date, row.note_type, row.path) == (
        "P001/2024-03-01_neph", "P001", dt.date(2024, 3, 1), "", "P001/2024-03-01_neph.txt")


def test_shipped_fixtures():
    notes, errors = read_notes(DATA / "corpus")
    assert errors.empty
    assert list(notes.note_id) == ["N1", "N2", "N3"]
    assert notes.set_index("note_id").loc["N3", "note_type"] == "discharge"
    notes, errors = read_notes(DATA / "omop_note_export.csv")
    assert errors.empty
    assert list(notes.note_id) == ["101", "102"]  # ids are strings, never floats
    assert notes.note_date.tolist() == [dt.date(2024, 3, 1), dt.date(2024, 2, 10)]
    assert notes.text[0] == "SLE, biopsy-proven\nclass III lupus nephritis."
    patients = read_patients(DATA / "corpus")
    assert patients.to_dict("records") == [
        {"patient_id": "P001", "birth_date": dt.date(1990, 5, 17), "sex": "F", "index_date": dt.date(2024, 5, 1)},
        {"patient_id": "P002", "birth_date": dt.date(1985, 11, 2), "sex": "M", "index_date": None},
    ]


def test_column_names_case_and_whitespace_insensitive(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(" Note_Id ,PATIENT_ID, note_date,Text\nA1, P9 ,2024-01-02,hello\n", encoding="utf-8")
    notes, errors = read_notes(path)
    assert errors.empty
    assert notes.iloc[0][["note_id", "patient_id", "text"]].tolist() == ["A1", "P9", "hello"]


def test_ids_stay_strings(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("note_id,patient_id,note_date,note_text\n007,00123,2024-01-02,a\n1e3,NA,2024-01-03,b\n",
                    encoding="utf-8")
    notes, errors = read_notes(path)
    assert errors.empty
    assert notes.note_id.tolist() == ["007", "1e3"] and notes.patient_id.tolist() == ["00123", "NA"]
    pq_path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"note_id": [1, 2], "person_id": [10.0, 11.0], "note_date": [dt.date(2024, 1, 2)] * 2,
                             "note_text": ["a", "b"]}), pq_path)
    notes, errors = read_notes(pq_path)
    assert errors.empty
    assert notes.note_id.tolist() == ["1", "2"] and notes.patient_id.tolist() == ["10", "11"]


@pytest.mark.parametrize("value, expected", [
    ("2024-03-01", dt.date(2024, 3, 1)),
    ("2024-03-01 14:05:00", dt.date(2024, 3, 1)),
    ("2024-03-01T14:05:00.123Z", dt.date(2024, 3, 1)),
    ("2024-02-30", None), ("2024-13-01", None), ("03/01/2024", None), ("2024-3-1", None),
    ("2024-03-01 25:00:00", None), ("yesterday", None),
])
def test_date_strings(tmp_path, value, expected):
    path = tmp_path / "x.csv"
    path.write_text(f"note_id,patient_id,note_date,text\nN1,P1,{value},hello\n", encoding="utf-8")
    notes, errors = read_notes(path)
    if expected is None:
        assert notes.empty
        assert errors.iloc[0].reason == f"note_date '{value}' is not a valid date"
        assert errors.iloc[0].action == "fix the date in x.csv row 1 (YYYY-MM-DD)"
        assert errors.iloc[0].source == "x.csv:row 1"
    else:
        assert errors.empty and notes.note_date[0] == expected


def test_parquet_date_types(tmp_path):
    path = tmp_path / "x.parquet"
    table = pa.table({
        "note_id": ["a", "b", "c"],
        "person_id": ["p", "p", "p"],
        "note_date": pa.array([dt.datetime(2024, 1, 2, 23, 59), None, dt.datetime(2024, 1, 4)], pa.timestamp("ns")),
        "note_text": ["x", "y", "z"],
    })
    pq.write_table(table, path)
    notes, errors = read_notes(path)
    assert notes.note_date.tolist() == [dt.date(2024, 1, 2), dt.date(2024, 1, 4)]
    assert errors.to_dict("records") == [{
        "note_id": "b", "patient_id": "p", "source": "x.parquet:row 2", "reason": "note_date is missing",
        "action": "fill in note_date in x.parquet row 2 (YYYY-MM-DD)"}]
    pq.write_table(table.set_column(2, "note_date", pa.array([dt.date(2024, 1, 2)] * 3, pa.date32())), path)
    assert read_notes(path)[0].note_date.tolist() == [dt.date(2024, 1, 2)] * 3


def test_notes_from_dataframe():
    df = pd.DataFrame({
        "ID": ["a", "b", "c"],
        "MRN": ["p1", "p2", None],
        "note_date": [pd.Timestamp("2024-01-02 10:00"), pd.NaT, pd.Timestamp("2024-01-03")],
        "body": ["x", "y", "z"],
    })
    notes, errors = notes_from_dataframe(df, {"note_id": "ID", "patient_id": "mrn", "text": "BODY"})
    assert notes.to_dict("records") == [{"note_id": "a", "patient_id": "p1", "note_date": dt.date(2024, 1, 2),
                                         "note_type": "", "path": "", "text": "x", "encoding": ""}]
    assert errors[["note_id", "source", "reason"]].values.tolist() == [
        ["b", "dataframe:row 2", "note_date is missing"], ["c", "dataframe:row 3", "patient_id is missing"]]


# --------------------------------------------------------------------------------------------------- batching


@pytest.mark.parametrize("kind", KINDS)
def test_batching(kind, tmp_path):
    source, cmap = make_source(kind, tmp_path)
    batches = list(iter_note_batches(source, cmap, batch_size=2))
    assert [len(n) + len(e) for n, e in batches] == [2, 2, 1]
    for notes, errors in batches:
        assert tuple(notes.columns) == NOTE_COLUMNS and tuple(errors.columns) == ERROR_COLUMNS
    whole, _ = read_notes(source, cmap)
    joined = pd.concat([n for n, _ in batches], ignore_index=True)
    assert joined.to_dict("records") == whole.to_dict("records")


def test_batches_count_errors_and_duplicates_across_batches(tmp_path):
    rows = NOTES[:3] + [("N1", "P009", "2024-05-05", "", "again")] + [NOTES[3]]
    source = write_csv(tmp_path / "e.csv", _omop_frame(rows))
    batches = list(iter_note_batches(source, batch_size=2))
    assert [(len(n), len(e)) for n, e in batches] == [(2, 0), (1, 1), (1, 0)]
    assert batches[1][1].iloc[0].reason == "duplicate note_id 'N1' (first seen in row 1)"


def test_empty_inputs_keep_columns(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("note_id,patient_id,note_date,text\n", encoding="utf-8")
    assert list(iter_note_batches(path)) == []
    notes, errors = read_notes(path)
    assert (tuple(notes.columns), tuple(errors.columns), len(notes), len(errors)) == (NOTE_COLUMNS, ERROR_COLUMNS, 0, 0)
    (tmp_path / "emptydir").mkdir()
    notes, errors = read_notes(tmp_path / "emptydir")
    assert tuple(notes.columns) == NOTE_COLUMNS and notes.empty and errors.empty


def test_batch_size_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        iter_note_batches(make_plain_folder(tmp_path), batch_size=0)


# ------------------------------------------------------------------------------------------- per-note errors


def _errors_by_id(errors: pd.DataFrame) -> dict[str, dict]:
    return {r["note_id"]: r for r in errors.to_dict("records")}


def test_manifest_errors(tmp_path):
    folder = make_manifest_folder(tmp_path, NOTES[:2])
    (folder / "notes" / "empty.txt").write_bytes(b" \r\n\t")
    (folder / "notes" / "scan.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "notes" / "report.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n")
    with open(folder / "manifest.csv", "a", encoding="utf-8") as fh:
        fh.write("N3,P001,2023-02-30,x,notes/P001/2024-03-01_N1.txt\n")   # row 3: invalid date
        fh.write("N4,P001,2024-01-01,x,notes/P001/x.txt\n")              # row 4: missing file
        fh.write("N1,P002,2024-01-01,x,notes/empty.txt\n")               # row 5: duplicate of row 1
        fh.write("N6,P002,2024-01-01,x,notes/empty.txt\n")               # row 6: empty text
        fh.write("N7,P002,2024-01-01,x,notes/scan.txt\n")                # row 7: binary
        fh.write("N8,P002,2024-01-01,x,notes/report.pdf\n")              # row 8: binary (PDF)
        fh.write(",P002,2024-01-01,x,notes/empty.txt\n")                 # row 9: no note_id
        fh.write("N10,,2024-01-01,x,notes/empty.txt\n")                  # row 10: no patient_id
        fh.write("N11,P002,,x,notes/empty.txt\n")                        # row 11: no date
        fh.write("N12,P002,2024-01-01,x,\n")                             # row 12: no path
        fh.write("N13,P002,2024-01-01,x,notes\n")                        # row 13: a folder
    notes, errors = read_notes(folder)
    assert list(notes.note_id) == ["N1", "N2"]
    assert len(notes) + len(errors) == 13
    err = _errors_by_id(errors)
    assert err["N3"] == {"note_id": "N3", "patient_id": "P001", "source": "manifest.csv:row 3",
                         "reason": "note_date '2023-02-30' is not a valid date",
                         "action": "fix the date in manifest.csv row 3 (YYYY-MM-DD)"}
    assert err["N4"]["reason"] == "file notes/P001/x.txt listed in manifest.csv row 4 does not exist"
    assert err["N4"]["source"] == "manifest.csv:row 4"
    dup = errors[errors.source == "manifest.csv:row 5"].iloc[0]
    assert (dup.note_id, dup.reason) == ("N1", "duplicate note_id 'N1' (first seen in row 1)")
    assert err["N6"]["reason"] == "empty note text" and "notes/empty.txt" in err["N6"]["action"]
    assert err["N7"]["reason"] == "file is not text (binary)" and "notes/scan.txt" in err["N7"]["action"]
    assert err["N8"]["reason"] == "file is not text (binary)"
    assert err[""]["reason"] == "note_id is missing" and err[""]["source"] == "manifest.csv:row 9"
    assert err["N10"]["reason"] == "patient_id is missing"
    assert err["N11"]["reason"] == "note_date is missing"
    assert err["N12"]["reason"] == "path is missing"
    assert err["N13"]["reason"] == "notes listed in manifest.csv row 13 is not a file"
    assert all(errors.action.str.len() > 0)


def test_folder_errors(tmp_path):
    folder = make_plain_folder(tmp_path, NOTES[:1])
    (folder / "P001" / "2024-13-01.txt").write_text("bad month", encoding="utf-8")
    (folder / "P001" / "clinic-letter.txt").write_text("no date", encoding="utf-8")
    (folder / "P001" / "2024-03-01-neph.txt").write_text("wrong separator", encoding="utf-8")
    (folder / "P001" / "2024-05-01_scan.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "P001" / "2024-05-02.txt").write_bytes(b"")
    (folder / "P001" / "ignored.pdf").write_bytes(b"%PDF")  # not a .txt: not a note in folder mode
    (folder / "README.txt").write_text("top-level file", encoding="utf-8")
    notes, errors = read_notes(folder)
    assert list(notes.note_id) == ["P001/2024-03-01_N1"]
    err = {r["source"]: r for r in errors.to_dict("records")}
    assert set(err) == {"P001/2024-13-01.txt", "P001/clinic-letter.txt", "P001/2024-03-01-neph.txt",
                        "P001/2024-05-01_scan.txt", "P001/2024-05-02.txt", "README.txt"}
    rename = "rename to <patient_id>/<YYYY-MM-DD>[_<anything>].txt or supply a manifest.csv"
    assert err["P001/2024-13-01.txt"] == {"note_id": "P001/2024-13-01", "patient_id": "P001",
                                          "source": "P001/2024-13-01.txt",
                                          "reason": "note_date '2024-13-01' is not a valid date", "action": rename}
    assert err["P001/clinic-letter.txt"]["reason"] == "file name 'clinic-letter.txt' does not start with a date"
    assert err["P001/clinic-letter.txt"]["action"] == rename
    assert err["P001/2024-03-01-neph.txt"]["action"] == rename
    assert err["README.txt"]["reason"] == "file is not inside a patient folder"
    assert err["P001/2024-05-01_scan.txt"]["reason"] == "file is not text (binary)"
    assert err["P001/2024-05-02.txt"]["reason"] == "empty note text"


def test_table_errors(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "note_id,person_id,note_date,note_text\n"
        "N1,P1,2024-01-01,ok\n"
        "N2,P1,2024-01-01,   \n"
        "N1,P2,2024-01-02,dup\n"
        "N4,P1,01/02/2024,bad date\n"
        "N5,P1,2024-01-01\n",  # short row: text missing
        encoding="utf-8")
    notes, errors = read_notes(path)
    assert list(notes.note_id) == ["N1"]
    assert errors.values.tolist() == [
        ["N2", "P1", "export.csv:row 2", "empty note text", "supply the note text in export.csv row 2 or remove the row"],
        ["N1", "P2", "export.csv:row 3", "duplicate note_id 'N1' (first seen in row 1)",
         "give the note in export.csv row 3 a unique note_id or remove the duplicate row"],
        ["N4", "P1", "export.csv:row 4", "note_date '01/02/2024' is not a valid date",
         "fix the date in export.csv row 4 (YYYY-MM-DD)"],
        ["N5", "P1", "export.csv:row 5", "empty note text", "supply the note text in export.csv row 5 or remove the row"],
    ]


def test_jsonl_errors(tmp_path):
    path = tmp_path / "notes.ndjson"
    path.write_bytes(
        b'{"note_id": "a", "person_id": "p", "note_date": "2024-01-01", "note_text": "ok"}\n'
        b"\n"  # blank line: not a note
        b'{"note_id": "b", "person_id": "p", "note_date": "2024-01-01", "note_text": \n'
        b'[1, 2]\n'
        b'{"note_id": "d", "person_id": "p", "note_text": "no date key"}\n'
        b'{"note_id": 5, "person_id": 7, "note_date": "2024-01-01", "note_text": null}\n')
    notes, errors = read_notes(path)
    assert list(notes.note_id) == ["a"]
    assert errors.source.tolist() == ["notes.ndjson:line 3", "notes.ndjson:line 4", "notes.ndjson:line 5",
                                      "notes.ndjson:line 6"]
    assert errors.reason[0].startswith("line is not valid JSON")
    assert errors.action[0] == "fix or remove notes.ndjson line 3"
    assert errors.reason.tolist()[1:] == ["line is not a JSON object", "note_date is missing", "empty note text"]
    assert errors.note_id.tolist()[2:] == ["d", "5"] and errors.patient_id[3] == "7"


# --------------------------------------------------------------------------------------------------- decoding


def test_cp1252_fallback_bom_and_crlf_in_files(tmp_path):
    folder = tmp_path / "c"
    (folder / "P1").mkdir(parents=True)
    (folder / "P1" / "2024-01-01_a.txt").write_bytes(b"caf\xe9 \x96 na\xefve\r\nline 2\r\n")
    (folder / "P1" / "2024-01-02_b.txt").write_bytes(b"\xef\xbb\xbfUTF-8 caf\xc3\xa9\r\nend")
    (folder / "P1" / "2024-01-03_c.txt").write_bytes(b"undefined \x81 byte \xe9")
    (folder / "P1" / "2024-01-04_d.txt").write_bytes("UTF-16 café\r\n".encode("utf-16"))
    notes, errors = read_notes(folder)
    assert errors.empty
    texts = notes.text.tolist()
    assert texts[0] == "café \u2013 naïve\r\nline 2\r\n"
    assert texts[1] == "UTF-8 café\r\nend"
    assert texts[2] == "undefined \ufffd byte é"
    assert texts[3] == "UTF-16 café\r\n"


def test_cp1252_bom_crlf_in_csv(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xef\xbb\xbfnote_id,patient_id,note_date,text\r\n"
                     b'N1,P1,2024-01-01,"caf\xe9\r\nline 2"\r\n'
                     b"N2,P1,2024-01-01,na\xc3\xafve\r\n")
    notes, errors = read_notes(path)
    assert errors.empty  # the BOM did not spoil the first column name
    assert notes.text.tolist() == ["café\r\nline 2", "naïve"]


def test_jsonl_bom_cp1252_crlf(tmp_path):
    rec = {"note_id": "a", "person_id": "p", "note_date": "2024-01-01", "note_text": "x\r\ny"}
    path = write_jsonl(tmp_path / "x.jsonl", [rec], prefix=b"\xef\xbb\xbf")
    with open(path, "ab") as fh:
        fh.write(b'{"note_id": "b", "person_id": "p", "note_date": "2024-01-01", "note_text": "caf\xe9"}\r\n')
    notes, errors = read_notes(path)
    assert errors.empty
    assert notes.text.tolist() == ["x\r\ny", "café"]


def test_parquet_crlf(tmp_path):
    path = tmp_path / "x.pq"
    pq.write_table(pa.table({"note_id": ["a"], "person_id": ["p"], "note_date": ["2024-01-01"],
                             "note_text": ["x\r\ny"]}), path)
    assert read_notes(path)[0].text.tolist() == ["x\r\ny"]


# -------------------------------------------------------------------------------------------- fatal errors


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl", "manifest"])
def test_missing_column_is_input_error(tmp_path, fmt):
    df = pd.DataFrame({"note_id": ["a"], "person_id": ["p"], "note_text": ["x"]})  # no note_date
    if fmt == "csv":
        path = write_csv(tmp_path / "export.csv", df)
    elif fmt == "parquet":
        path = tmp_path / "export.parquet"
        df.to_parquet(path, index=False)
    elif fmt == "jsonl":
        path = write_jsonl(tmp_path / "export.jsonl", df.to_dict("records"))
    else:
        (tmp_path / "c").mkdir()
        path = write_csv(tmp_path / "c" / "manifest.csv", df)
        with pytest.raises(InputError) as info:
            iter_note_batches(tmp_path / "c")
        message = str(info.value)
        assert str(path) in message and "'note_date'" in message and "'path'" not in message
        assert "\n" not in message and "--column note_date=" in message
        return
    with pytest.raises(InputError) as info:
        read_notes(path)
    message = str(info.value)
    assert str(path) in message
    assert "required column 'note_date'" in message
    assert "columns found: note_id, person_id, note_text" in message
    assert "--column note_date=" in message
    assert "\n" not in message


def test_manifest_requires_path_column(tmp_path):
    (tmp_path / "manifest.csv").write_text("note_id,patient_id,note_date\nN1,P1,2024-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest\.csv: required column 'path' not found"):
        read_notes(tmp_path)


def test_column_map_errors(tmp_path):
    path = write_csv(tmp_path / "e.csv", _omop_frame())
    with pytest.raises(InputError, match=r"column 'MRN' \(mapped to patient_id by --column\) not found"):
        read_notes(path, {"patient_id": "MRN"})
    with pytest.raises(InputError, match=r"unknown column name 'patient'"):
        read_notes(path, {"patient": "PERSON_ID"})
    # mapping may use OMOP names as keys too
    notes, _ = read_notes(path, {"person_id": "note_title"})
    assert notes.patient_id.tolist()[:2] == ["nephrology", "rheumatology"]


@pytest.mark.parametrize("name, content, pattern", [
    ("missing.csv", None, r"missing\.csv: no such file or folder"),
    ("notes.xlsx", b"PK", r"notes\.xlsx: unknown input format '\.xlsx'"),
    ("empty.csv", b"", r"empty\.csv: file is empty"),
    ("broken.parquet", b"not parquet at all", r"broken\.parquet: not a readable Parquet file"),
])
def test_unreadable_inputs(tmp_path, name, content, pattern):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError, match=pattern):
        read_notes(path)


# --------------------------------------------------------------------------------------------- accounting


def test_every_note_accounted_for(tmp_path):
    rows = []
    for i in range(40):
        date = "2024-02-30" if i % 7 == 3 else f"2024-01-{i % 28 + 1:02d}"
        text = "" if i % 11 == 5 else f"note {i}\r\nend"
        nid = "N1" if i % 13 == 12 else f"N{i}"
        rows.append((nid, f"P{i % 4}", date, "t", text))
    df = _omop_frame(rows)
    csv_path = write_csv(tmp_path / "a.csv", df)
    pq_path = tmp_path / "a.parquet"
    df.to_parquet(pq_path, index=False)
    jsonl_path = write_jsonl(tmp_path / "a.jsonl", df.to_dict("records"))
    folder = make_manifest_folder(tmp_path, rows)
    for source in (csv_path, pq_path, jsonl_path, folder):
        for batch_size in (3, 1000):
            total = sum(len(n) + len(e) for n, e in iter_note_batches(source, batch_size=batch_size))
            assert total == len(rows), (source, batch_size)
        notes, errors = read_notes(source)
        assert len(notes) + len(errors) == len(rows)
        assert len(errors) > 0 and notes.note_id.is_unique
    assert len(notes_from_dataframe(df)[0]) == len(notes)


# ------------------------------------------------------------------------------------------------- patients


def test_read_patients(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(
        "Patient_ID,birth_date,SEX,index_date\n"
        "P1,1990-01-02,female,2024-05-01\n"
        "P2,,Woman,\n"
        "P3,1980-12-31 00:00:00,f,2024-05-01\n"
        "P4,1970-07-07,MALE,\n"
        "P5,1960-01-01,unknown,\n"
        "P5,1960-01-01,unknown,\n",  # identical duplicate: kept once
        encoding="utf-8")
    patients = read_patients(path)
    assert tuple(patients.columns) == PATIENT_COLUMNS
    assert patients.patient_id.tolist() == ["P1", "P2", "P3", "P4", "P5"]
    assert patients.sex.tolist() == ["F", "F", "F", "M", None]
    assert patients.birth_date.tolist() == [dt.date(1990, 1, 2), None, dt.date(1980, 12, 31), dt.date(1970, 7, 7),
                                            dt.date(1960, 1, 1)]
    assert patients.index_date.tolist() == [dt.date(2024, 5, 1), None, dt.date(2024, 5, 1), None, None]


def test_read_patients_optional_columns(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("person_id\n1\n2\n", encoding="utf-8")
    patients = read_patients(path)
    assert patients.to_dict("records") == [
        {"patient_id": "1", "birth_date": None, "sex": None, "index_date": None},
        {"patient_id": "2", "birth_date": None, "sex": None, "index_date": None}]


@pytest.mark.parametrize("content, pattern", [
    ("patient_id,birth_date\nP1,1990-01-01\nP2,1990-02-30\n", r"patients\.csv row 2: birth_date '1990-02-30' is not"),
    ("mrn,birth_date\nP1,1990-01-01\n", r"patients\.csv: required column 'patient_id' or 'person_id' not found"),
    ("patient_id,index_date\nP1,2024-01-01\n,2024-01-01\n", r"patients\.csv row 2: patient_id is empty"),
    ("patient_id,sex\nP1,F\nP1,M\n", r"patients\.csv row 2: patient_id 'P1' already given a different row"),
])
def test_read_patients_errors(tmp_path, content, pattern):
    path = tmp_path / "patients.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=pattern):
        read_patients(path)


def test_read_patients_missing_file(tmp_path):
    with pytest.raises(InputError, match="patients file not found"):
        read_patients(tmp_path)


# ---------------------------------------------------------------------------------------------- fingerprint


def test_fingerprint(tmp_path):
    import hashlib

    file = write_csv(tmp_path / "x.csv", _omop_frame())
    assert fingerprint(file) == hashlib.sha256(file.read_bytes()).hexdigest()
    folder = make_manifest_folder(tmp_path)
    first = fingerprint(folder)
    assert first == fingerprint(str(folder)) and len(first) == 64
    note = folder / "notes" / "P001" / "2024-03-01_N1.txt"
    note.write_bytes(note.read_bytes() + b" ")
    assert fingerprint(folder) != first
    note.write_bytes(note.read_bytes()[:-1])
    assert fingerprint(folder) == first
    note.rename(note.with_name("renamed.txt"))
    assert fingerprint(folder) != first
    with pytest.raises(InputError):
        fingerprint(tmp_path / "nope")


@pytest.mark.parametrize("raw, encoding", [
    ("n1,p1,2024-01-01,Caf\u00e9 visit\n".encode("utf-8"), "utf-8"),
    ("n1,p1,2024-01-01,Caf\u00e9 visit \u201cquoted\u201d\n".encode("cp1252"), "cp1252 fallback"),
])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_export_notes_say_how_they_were_decoded(tmp_path, raw, encoding, suffix):
    path = tmp_path / f"notes{suffix}"
    if suffix == ".csv":
        path.write_bytes(b"note_id,person_id,note_date,note_text\n" + raw)
    else:
        nid, pid, day, text = raw.rstrip(b"\n").split(b",")
        path.write_bytes(b'{"note_id": "%s", "person_id": "%s", "note_date": "%s", "note_text": "%s"}\n'
                         % (nid, pid, day, text.replace(b'\x93', b"'").replace(b'\x94', b"'")))
    notes, errors = read_notes(path)
    assert errors.empty and notes.encoding.tolist() == [encoding]
    assert notes.text[0].startswith("Caf\u00e9 visit")
