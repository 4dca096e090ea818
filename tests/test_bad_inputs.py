"""A deliberately bad input corpus, run end to end: bad input loses nothing and leaks nothing.

The fixtures live in ``tests/data/bad_inputs/`` (see its README.md for the table of cases; the bytes are written by
``make_fixtures.py`` there). The 5 MB note is generated here, into a temporary folder, and never committed.

What is checked:

* every manifest row / table row the reader can delimit is accounted for (``notes_in = processed + failed``);
* every bad note is in ``errors.csv`` with its id, its row, a reason naming the problem and an action;
* readable notes (cp1252, Latin-1, BOM, CRLF, unknown patient) are processed, and every evidence span is exactly
  ``text[start:end]`` of the note decoded as the reader decodes it;
* no note text (the marker word ZEBRAFISH, present in every note that has text) reaches errors.csv or stderr;
* no file is created outside OUT (a note id of ``../../evil`` included);
* a manifest without its ``path`` column is fatal: exit 2, one line on stderr naming the file, nothing written.
"""

from __future__ import annotations

import codecs
import csv
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data" / "bad_inputs"
CORPUS = DATA / "corpus"
MARKER = "ZEBRAFISH"

# note id -> (manifest data row, regex the reason must match); every one must be in errors.csv
BAD_NOTES = [
    ("bad-empty", 3, r"empty|blank"),
    ("bad-whitespace", 4, r"empty|blank"),
    ("bad-binary-png", 5, r"binary|not text"),
    ("bad-binary-pdf", 6, r"binary|not text"),
    ("bad-no-date", 11, r"note_date.*(missing|empty)"),
    ("bad-invalid-date", 12, r"2023-02-30"),
    ("dup-note", 14, r"duplicate"),  # the second row with this id; the first (row 13) is processed
    ("bad-missing-file", 16, r"does not exist|not found|missing"),
]
# notes that must be processed (not in errors.csv) and give at least one evidence row
PROCESSED_NOTES = [
    "ok-biopsy",
    "ok-followup",
    "ok-cp1252",
    "ok-latin1",
    "ok-utf8-bom",
    "ok-crlf",
    "ok-unknown-patient",
    "dup-note",  # row 13, the first with this id
]
TRAVERSAL_ID = "../../evil"  # processed or listed as an error, either is fine; never a file outside OUT


# ---------------------------------------------------------------------------------------------------- helpers


def decode_like_reader(data: bytes) -> str:
    """A note file's text as the reader builds it: UTF-8 with the BOM removed, else cp1252; newlines kept."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def manifest_rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "manifest.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def outside(created: set[str], out_rel: str) -> list[str]:
    """Created paths that are neither OUT, inside OUT, nor a parent folder made to hold OUT."""
    parents = {Path(out_rel).parents[i].as_posix() for i in range(len(Path(out_rel).parents) - 1)}
    return sorted(p for p in created if p != out_rel and not p.startswith(out_rel + "/") and p not in parents)


def copy_corpus(root: Path) -> Path:
    """Copy the corpus three folders deep, so ``../../x`` from the input still lands inside ``root``."""
    src = root / "input" / "deep" / "deeper" / "corpus"
    shutil.copytree(CORPUS, src)
    return src


def api_run(source: Path, out: Path) -> SimpleNamespace:
    """``extractor.screen.run``; an exception is kept and reported by :func:`finished`, not raised."""
    from extractor.screen import run

    try:
        return SimpleNamespace(info=run(source, out), exc=None, out=out)
    except Exception as exc:  # noqa: BLE001 - reported as a test failure with its message
        return SimpleNamespace(info=None, exc=exc, out=out)


def finished(result: SimpleNamespace) -> SimpleNamespace:
    if result.exc is not None:
        message = " ".join(str(result.exc).split())[:500]
        pytest.fail(f"run() did not finish: {type(result.exc).__module__}.{type(result.exc).__name__}: {message}")
    return result


def counts(out: Path) -> dict:
    import json

    return json.loads((out / "run.json").read_text(encoding="utf-8"))["counts"]


def assert_offsets_exact(evidence: pd.DataFrame, texts: dict[str, str]) -> None:
    wrong = []
    for row in evidence.itertuples(index=False):
        text = texts[row.note_id]
        start, end = int(row.start), int(row.end)
        if text[start:end] != row.text:
            wrong.append(f"{row.note_id} [{start}:{end}] evidence {row.text!r} != note {text[start:end]!r}")
    assert not wrong, "\n".join(wrong)


def note_texts(folder: Path) -> dict[str, str]:
    """note id -> decoded text of the first manifest row with that id whose file exists."""
    texts: dict[str, str] = {}
    for row in manifest_rows(folder):
        file = folder / row["path"]
        if row["note_id"] not in texts and file.is_file():
            texts[row["note_id"]] = decode_like_reader(file.read_bytes())
    return texts


# -------------------------------------------------------------------------------------- the corpus, by the CLI


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad_corpus")
    src = copy_corpus(root)
    cwd = root / "cwd" / "a" / "b"
    cwd.mkdir(parents=True)
    out = root / "runs" / "a" / "b" / "out"
    before = tree(root)
    proc = subprocess.run([sys.executable, "-m", "extractor", "run", str(src), "--out", str(out)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)
    after = tree(root)
    result = SimpleNamespace(proc=proc, src=src, out=out, root=root, created=after - before,
                             out_rel=out.relative_to(root).as_posix())
    assert proc.returncode == 0, f"exit {proc.returncode}; stderr:\n{proc.stderr[-3000:]}"
    result.errors = read_table(out / "errors.csv")
    result.evidence = read_table(out / "evidence.csv")
    return result


def test_corpus_run_finishes_with_exit_0(corpus_run):
    assert corpus_run.proc.returncode == 0
    for name in ("patients.csv", "criteria.csv", "evidence.csv", "errors.csv", "run.json"):
        assert (corpus_run.out / name).is_file(), name


def test_every_manifest_row_is_accounted_for(corpus_run):
    c = counts(corpus_run.out)
    assert c["notes_in"] == c["notes_processed"] + c["notes_failed"]
    assert c["notes_in"] == len(manifest_rows(CORPUS)) == 17
    assert c["notes_failed"] == len(corpus_run.errors)


@pytest.mark.parametrize("note_id,row,reason", BAD_NOTES, ids=[b[0] for b in BAD_NOTES])
def test_bad_note_is_listed_in_errors(corpus_run, note_id, row, reason):
    rows = corpus_run.errors[corpus_run.errors["note_id"] == note_id]
    assert len(rows) == 1, f"{note_id}: expected one errors.csv row, got\n{rows.to_string()}"
    err = rows.iloc[0]
    assert re.search(reason, err["reason"], re.IGNORECASE), f"{note_id}: reason {err['reason']!r} !~ {reason!r}"
    assert err["action"].strip(), f"{note_id}: empty action"
    assert "manifest.csv" in err["source"] and re.search(rf"\brow {row}\b", err["source"]), err["source"]


@pytest.mark.parametrize("note_id", PROCESSED_NOTES)
def test_readable_note_is_processed(corpus_run, note_id):
    if note_id == "dup-note":  # only the second row (14) is an error
        assert list(corpus_run.errors.loc[corpus_run.errors["note_id"] == note_id, "source"]) == ["manifest.csv:row 14"]
    else:
        assert note_id not in set(corpus_run.errors["note_id"]), corpus_run.errors.to_string()
    assert (corpus_run.evidence["note_id"] == note_id).any(), f"{note_id}: no evidence row"


def test_errors_are_exactly_the_bad_notes(corpus_run):
    expected = {b[0] for b in BAD_NOTES}
    found = set(corpus_run.errors["note_id"]) - {TRAVERSAL_ID}
    assert found == expected


def test_unknown_patient_is_screened(corpus_run):
    patients = read_table(corpus_run.out / "patients.csv")
    assert "P999" in set(patients["patient_id"])


@pytest.mark.parametrize("note_id, flagged", [("ok-cp1252", True), ("ok-latin1", True), ("ok-utf8-bom", False),
                                              ("ok-crlf", False), ("ok-biopsy", False)])
def test_fallback_decoding_is_flagged_in_warnings(corpus_run, note_id, flagged):
    warnings = read_table(corpus_run.out / "warnings.csv")
    assert (note_id in set(warnings["note_id"])) is flagged
    if flagged:
        row = warnings[warnings["note_id"] == note_id].iloc[0]
        assert "cp1252" in row["reason"] and row["action"] and MARKER not in row.to_string()
    assert counts(corpus_run.out)["notes_decoded_with_fallback"] == 2


@pytest.mark.parametrize("note_id", ["ok-cp1252", "ok-latin1", "ok-utf8-bom", "ok-crlf"])
def test_encoded_note_is_decoded_as_documented(corpus_run, note_id):
    """The reader's text (UTF-8 minus BOM, else cp1252; CRLF kept) is what evidence offsets point into."""
    texts = note_texts(corpus_run.src)
    text = texts[note_id]
    assert "\ufffd" not in text and "\ufeff" not in text
    if note_id == "ok-crlf":
        assert "\r\n" in text
    evidence = corpus_run.evidence[corpus_run.evidence["note_id"] == note_id]
    assert len(evidence)
    assert_offsets_exact(evidence, texts)


def test_every_evidence_offset_is_exact(corpus_run):
    texts = note_texts(corpus_run.src)
    assert set(corpus_run.evidence["note_id"]) <= set(texts)
    assert_offsets_exact(corpus_run.evidence, texts)


def test_path_traversal_note_id_is_accounted_for(corpus_run):
    in_errors = TRAVERSAL_ID in set(corpus_run.errors["note_id"])
    if in_errors:
        err = corpus_run.errors[corpus_run.errors["note_id"] == TRAVERSAL_ID].iloc[0]
        assert err["reason"].strip() and err["action"].strip()
    c = counts(corpus_run.out)
    assert c["notes_processed"] == len(manifest_rows(CORPUS)) - len(BAD_NOTES) - int(in_errors)
    assert not [p for p in tree(corpus_run.root) if "evil" in Path(p).name], "a file named after the note id"


def test_no_file_is_created_outside_out(corpus_run):
    assert outside(corpus_run.created, corpus_run.out_rel) == []
    leftovers = [p for p in tree(corpus_run.out) if p not in
                 {"patients.csv", "criteria.csv", "evidence.csv", "errors.csv", "warnings.csv", "run.json"}]
    assert leftovers == [], "temporary files left in OUT"


def test_no_note_text_in_errors_or_stderr(corpus_run):
    assert MARKER not in (corpus_run.out / "errors.csv").read_text(encoding="utf-8")
    assert MARKER not in corpus_run.proc.stderr
    assert MARKER not in corpus_run.proc.stdout


# ---------------------------------------------------------------------------------------- the 5 MB note, by API

FILLER = "Patient seen in follow-up today and reports feeling well. Appetite is good and sleep is restful. "
BIG_MENTION = "Rituximab 1 g IV given 2024-01-10."


def test_five_megabyte_note_is_processed(tmp_path):
    """spaCy's default max_length is 1,000,000 chars; a 5 MB note must still be screened, not crash the run."""
    src = copy_corpus(tmp_path)
    repeats = 5_000_000 // len(FILLER)
    text = FILLER * (repeats - 20) + f"{MARKER}.\n{BIG_MENTION}\n" + FILLER * 20
    (src / "notes" / "big_5mb.txt").write_text(text, encoding="utf-8", newline="")
    assert len(text) > 1_000_000 and (src / "notes" / "big_5mb.txt").stat().st_size >= 5_000_000
    with open(src / "manifest.csv", "a", encoding="utf-8", newline="") as fh:
        fh.write("big-5mb,P001,2024-06-15,nephrology_clinic,notes/big_5mb.txt\n")
    out = tmp_path / "runs" / "a" / "b" / "out"
    before = tree(tmp_path)
    result = finished(api_run(src, out))
    assert outside(tree(tmp_path) - before, out.relative_to(tmp_path).as_posix()) == []
    c = counts(result.out)
    assert c["notes_in"] == c["notes_processed"] + c["notes_failed"] == len(manifest_rows(src)) == 18
    errors, evidence = read_table(out / "errors.csv"), read_table(out / "evidence.csv")
    assert "big-5mb" not in set(errors["note_id"])
    big = evidence[(evidence["note_id"] == "big-5mb") & (evidence["concept"] == "B_CELL_BIOLOGIC")]
    assert list(big["text"]) == ["Rituximab"]
    assert int(big.iloc[0]["start"]) == text.index(BIG_MENTION) > 1_000_000
    assert big.iloc[0]["event_date"] == "2024-01-10"
    assert_offsets_exact(evidence, note_texts(src))


# ------------------------------------------------------------------------------ a manifest missing `path`: fatal


def test_manifest_missing_column_exits_2_and_writes_nothing(tmp_path):
    src = tmp_path / "input" / "manifest_missing_column"
    shutil.copytree(DATA / "manifest_missing_column", src)
    out = tmp_path / "out"
    before = tree(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "extractor", "run", str(src), "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{proc.stderr[-3000:]}"
    assert str(src / "manifest.csv") in lines[0] and "path" in lines[0]
    assert not out.exists()
    assert tree(tmp_path) == before


# ------------------------------------------------------------------------------ malformed CSV export, by API

# (note_id, data row, regex the reason must match)
CSV_BAD_ROWS = [
    ("103", 3, r"field"),  # seven fields, five expected
    ("104", 4, r"empty|missing"),  # empty note_text
    ("106", 6, r"quot"),  # a quote that is never closed
]
CSV_GOOD_ROWS = ["101", "102", "105"]


def _run_copy(tmp_path_factory, name: str):
    """Run a copy of one fixture file through the API; remember what the run created."""
    root = tmp_path_factory.mktemp(name.replace(".", "_"))
    shutil.copy(DATA / name, root / name)
    before = tree(root)
    result = api_run(root / name, root / "out")
    result.created, result.root = tree(root) - before, root
    return result


@pytest.fixture(scope="module")
def malformed_csv_run(tmp_path_factory):
    return _run_copy(tmp_path_factory, "malformed.csv")


def test_malformed_csv_run_accounts_for_every_delimited_row(malformed_csv_run):
    finished(malformed_csv_run)
    c = counts(malformed_csv_run.out)
    assert c["notes_in"] == c["notes_processed"] + c["notes_failed"]
    # rows 1-6 can always be delimited; row 7 sits inside row 6's unclosed quote and may or may not be
    assert c["notes_in"] in (6, 7), c
    errors = read_table(malformed_csv_run.out / "errors.csv")
    assert c["notes_failed"] == len(errors)
    assert all(re.search(r"malformed\.csv:(row|line) \d+", s) for s in errors["source"]), errors.to_string()
    assert MARKER not in (malformed_csv_run.out / "errors.csv").read_text(encoding="utf-8")
    assert outside(malformed_csv_run.created, "out") == []


@pytest.mark.parametrize("note_id,row,reason", CSV_BAD_ROWS, ids=[b[0] for b in CSV_BAD_ROWS])
def test_malformed_csv_row_is_listed_in_errors(malformed_csv_run, note_id, row, reason):
    finished(malformed_csv_run)
    errors = read_table(malformed_csv_run.out / "errors.csv")
    rows = errors[errors["source"].str.contains(rf"\brow {row}\b", regex=True)]
    assert len(rows) == 1, f"row {row}: expected one errors.csv row, got\n{errors.to_string()}"
    err = rows.iloc[0]
    assert err["note_id"] in (note_id, ""), err.to_dict()
    assert re.search(reason, err["reason"], re.IGNORECASE), f"row {row}: reason {err['reason']!r} !~ {reason!r}"
    assert err["action"].strip()


@pytest.mark.parametrize("note_id", CSV_GOOD_ROWS)
def test_malformed_csv_good_row_is_processed(malformed_csv_run, note_id):
    finished(malformed_csv_run)
    errors = read_table(malformed_csv_run.out / "errors.csv")
    evidence = read_table(malformed_csv_run.out / "evidence.csv")
    assert note_id not in set(errors["note_id"])
    assert (evidence["note_id"] == note_id).any()


# ------------------------------------------------------------------------- Parquet with wrong types, by API


@pytest.fixture(scope="module")
def wrong_types_run(tmp_path_factory):
    return _run_copy(tmp_path_factory, "wrong_types.parquet")


def test_wrong_types_parquet_accounts_for_every_row(wrong_types_run):
    finished(wrong_types_run)
    c = counts(wrong_types_run.out)
    assert c["notes_in"] == c["notes_processed"] + c["notes_failed"] == 5
    errors = read_table(wrong_types_run.out / "errors.csv")
    assert c["notes_failed"] == len(errors)
    assert MARKER not in (wrong_types_run.out / "errors.csv").read_text(encoding="utf-8")
    assert outside(wrong_types_run.created, "out") == []


@pytest.mark.parametrize("row", [1, 2, 3, 4, 5])
def test_wrong_types_parquet_row(wrong_types_run, row):
    """note_id 201.0 is id '201'; an integer note_date is either read or an error naming the row and the date;
    the null note_text (row 3) is always an error."""
    finished(wrong_types_run)
    note_id = str(200 + row)
    errors = read_table(wrong_types_run.out / "errors.csv")
    evidence = read_table(wrong_types_run.out / "evidence.csv")
    assert not errors["note_id"].str.contains(r"\.0$").any() and not evidence["note_id"].str.contains(r"\.0$").any()
    mine = errors[errors["note_id"] == note_id]
    if row == 3:
        assert len(mine) == 1, errors.to_string()
        assert re.search(r"text|note_date", mine.iloc[0]["reason"], re.IGNORECASE)
    if len(mine):
        err = mine.iloc[0]
        assert err["source"] == f"wrong_types.parquet:row {row}"
        assert row == 3 or re.search(r"note_date", err["reason"]), err.to_dict()
        assert err["action"].strip()


# ------------------------------------------------------------------------------------------ the fixtures


def test_fixtures_are_what_make_fixtures_writes(tmp_path):
    """The committed bytes are reproducible: make_fixtures.py writes exactly them (Parquet compared by content)."""
    import pyarrow.parquet as pq

    subprocess.run([sys.executable, str(DATA / "make_fixtures.py"), str(tmp_path)], check=True, timeout=120)
    written = {p for p in tree(tmp_path) if (tmp_path / p).is_file()}
    committed = {p for p in tree(DATA) if (DATA / p).is_file()} - {"README.md", "make_fixtures.py"}
    assert written == committed
    for rel in sorted(written):
        if rel.endswith(".parquet"):
            assert pq.read_table(tmp_path / rel).equals(pq.read_table(DATA / rel)), rel
        else:
            assert (tmp_path / rel).read_bytes() == (DATA / rel).read_bytes(), rel
    assert sum((DATA / p).stat().st_size for p in committed) < 200_000
