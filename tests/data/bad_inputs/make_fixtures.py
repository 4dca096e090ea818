"""Write the deliberately bad input corpus in this folder, byte for byte.

Run once from the repository root after changing anything here (the files it writes are committed):

    .venv/bin/python tests/data/bad_inputs/make_fixtures.py              # writes next to this script
    .venv/bin/python tests/data/bad_inputs/make_fixtures.py /tmp/check   # or into another folder

Every byte of the bad files is spelled out below, so the encodings, BOMs, CRLFs, NULs and broken CSV quoting
are documented here rather than hidden in an editor's settings. ``tests/test_bad_inputs.py`` regenerates the
corpus into a temporary folder and checks that the committed files are exactly what this script writes.

Every note that has text carries the marker word ZEBRAFISH, so a test can check that no note text leaks into
errors.csv or onto stderr. The 5 MB note is NOT written here: the test generates it in its temporary folder.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

MARKER = "ZEBRAFISH"

# ------------------------------------------------------------------------------------------------ corpus/notes
# (file name under corpus/notes/, bytes). Text is kept short and clinical; each text note names the marker.

GOOD_BIOPSY = (
    f"Nephrology clinic note ({MARKER}).\n"
    "Renal biopsy 03/02/2024: ISN/RPS class IV-G lupus nephritis. MMF 1000 mg BID started 03/10/2024.\n"
)
GOOD_FOLLOWUP = (
    f"Nephrology follow-up ({MARKER}).\n"
    "Systemic lupus erythematosus with class IV lupus nephritis. Proteinuria improving on MMF 1000 mg BID.\n"
    "Prednisone 10 mg daily. Hydroxychloroquine 200 mg daily.\n"
)
# cp1252: right single quote 0x92, double quotes 0x93/0x94, en dash 0x96, e-acute 0xE9 -> not valid UTF-8
CP1252_TEXT = (
    f"Patient\u2019s mother says \u201cshe\u2019s doing fine\u201d \u2013 caf\u00e9 visit ({MARKER}).\n"
    "Renal biopsy 02/01/2024: ISN/RPS class III lupus nephritis. Rituximab 1 g IV given 02/10/2024.\n"
)
# Latin-1 (ISO-8859-1): u-acute 0xFA, n-tilde 0xF1 -> not valid UTF-8 (the reader falls back to cp1252, which
# agrees with Latin-1 on these bytes)
LATIN1_TEXT = (
    f"Antecedentes: l\u00fapus, ni\u00f1o a los 12 a\u00f1os ({MARKER}).\n"
    "Mycophenolate mofetil 1 g BID since 2024-02-05. Lupus nephritis class IV on biopsy 2024-01-20.\n"
)
# UTF-8 with a BOM (EF BB BF); the BOM must not shift offsets
BOM_TEXT = (
    f"Caf\u00e9 con la se\u00f1ora \u2014 interpreter present ({MARKER}).\n"
    "Renal biopsy 03/20/2024: ISN/RPS class IV lupus nephritis. Belimumab 10 mg/kg IV started 2024-04-01.\n"
)
# CRLF line ends, kept as read: offsets count the \r
CRLF_TEXT = (
    f"Nephrology follow-up ({MARKER})\r\n"
    "\r\n"
    "Assessment:\r\n"
    "Lupus nephritis class IV, biopsy 2024-03-01.\r\n"
    "MMF 1500 mg BID.\r\n"
    "Rituximab 1 g IV given 2024-04-10.\r\n"
)
UNKNOWN_PATIENT_TEXT = (
    f"Referral letter ({MARKER}). Systemic lupus erythematosus with lupus nephritis.\n"
    "Belimumab 10 mg/kg IV monthly since 2024-01-01.\n"
)
DUP_FIRST_TEXT = f"First note with this id ({MARKER}). Hydroxychloroquine 200 mg daily for SLE.\n"
DUP_SECOND_TEXT = f"Second note reusing the id ({MARKER}). Rituximab 1 g IV given 2024-03-30.\n"
NO_DATE_TEXT = f"Undated note ({MARKER}). Rituximab 1 g IV given 2024-02-01.\n"
BAD_DATE_TEXT = f"Note dated February 30th ({MARKER}). Cyclophosphamide 500 mg IV every 2 weeks.\n"
TRAVERSAL_TEXT = f"Note whose id tries ../../evil ({MARKER}). Tacrolimus 4 mg BID for lupus nephritis.\n"

NOTE_FILES: dict[str, bytes] = {
    "good_biopsy.txt": GOOD_BIOPSY.encode("utf-8"),
    "good_followup.txt": GOOD_FOLLOWUP.encode("utf-8"),
    "empty.txt": b"",
    "whitespace_only.txt": b"  \n\t\r\n   \n\n",
    # PNG signature + IHDR chunk start, then NUL bytes, then the marker: a NUL byte means "binary"
    "binary.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
                  + b"\x00" * 16 + MARKER.encode("ascii") + b"\x00" * 8,
    # a PDF header with no NUL byte at all: the %PDF- signature alone means "binary"
    "binary.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + MARKER.encode("ascii")
                  + b"\n%%EOF\n",
    "cp1252.txt": CP1252_TEXT.encode("cp1252"),
    "latin1.txt": LATIN1_TEXT.encode("latin-1"),
    "utf8_bom.txt": codecs.BOM_UTF8 + BOM_TEXT.encode("utf-8"),
    "crlf.txt": CRLF_TEXT.encode("utf-8"),
    "no_date.txt": NO_DATE_TEXT.encode("utf-8"),
    "invalid_date.txt": BAD_DATE_TEXT.encode("utf-8"),
    "dup_first.txt": DUP_FIRST_TEXT.encode("utf-8"),
    "dup_second.txt": DUP_SECOND_TEXT.encode("utf-8"),
    "unknown_patient.txt": UNKNOWN_PATIENT_TEXT.encode("utf-8"),
    "traversal.txt": TRAVERSAL_TEXT.encode("utf-8"),
}

# ------------------------------------------------------------------------------------------ corpus/manifest.csv
# One row per case, in this order (data row N = manifest.csv line N + 1). notes/missing.txt is never written.

MANIFEST_HEADER = "note_id,patient_id,note_date,note_type,path"
MANIFEST_ROWS = [
    ("ok-biopsy", "P001", "2024-03-12", "renal_pathology", "notes/good_biopsy.txt"),  # row 1
    ("ok-followup", "P001", "2024-06-01", "nephrology_clinic", "notes/good_followup.txt"),  # row 2
    ("bad-empty", "P002", "2024-04-01", "nephrology_clinic", "notes/empty.txt"),  # row 3
    ("bad-whitespace", "P002", "2024-04-02", "nephrology_clinic", "notes/whitespace_only.txt"),  # row 4
    ("bad-binary-png", "P002", "2024-04-03", "scanned_document", "notes/binary.png"),  # row 5
    ("bad-binary-pdf", "P002", "2024-04-04", "scanned_document", "notes/binary.pdf"),  # row 6
    ("ok-cp1252", "P003", "2024-02-20", "nephrology_clinic", "notes/cp1252.txt"),  # row 7
    ("ok-latin1", "P003", "2024-03-01", "nephrology_clinic", "notes/latin1.txt"),  # row 8
    ("ok-utf8-bom", "P003", "2024-04-05", "nephrology_clinic", "notes/utf8_bom.txt"),  # row 9
    ("ok-crlf", "P003", "2024-05-01", "nephrology_clinic", "notes/crlf.txt"),  # row 10
    ("bad-no-date", "P002", "", "nephrology_clinic", "notes/no_date.txt"),  # row 11
    ("bad-invalid-date", "P002", "2023-02-30", "nephrology_clinic", "notes/invalid_date.txt"),  # row 12
    ("dup-note", "P004", "2024-04-01", "rheumatology_clinic", "notes/dup_first.txt"),  # row 13 (processed)
    ("dup-note", "P004", "2024-04-02", "rheumatology_clinic", "notes/dup_second.txt"),  # row 14 (duplicate)
    ("ok-unknown-patient", "P999", "2024-05-15", "referral", "notes/unknown_patient.txt"),  # row 15
    ("bad-missing-file", "P002", "2024-04-06", "nephrology_clinic", "notes/missing.txt"),  # row 16
    ("../../evil", "P002", "2024-04-07", "nephrology_clinic", "notes/traversal.txt"),  # row 17
]

PATIENTS_CSV = (
    "patient_id,birth_date,sex,index_date\n"
    "P001,1990-05-17,female,2024-11-06\n"
    "P002,1985-11-02,M,\n"
    "P003,1978-02-14,F,2024-11-06\n"
    "P004,2001-07-30,female,\n"
)  # P999 (ok-unknown-patient) is deliberately absent

# --------------------------------------------------------------------------------- manifest_missing_column
MISSING_COLUMN_MANIFEST = (
    "note_id,patient_id,note_date,note_type\n"
    "N1,P001,2024-03-12,renal_pathology\n"
    "N2,P001,2024-06-01,nephrology_clinic\n"
)

# ------------------------------------------------------------------------------------------------ malformed.csv
# OMOP NOTE export; "\n" line ends, no embedded newlines before the broken rows, so data row N = line N + 1.
MALFORMED_CSV = (
    "note_id,person_id,note_date,note_title,note_text\n"
    # row 1, row 2: good
    '101,P101,2024-03-12,renal_pathology,"Renal biopsy 03/02/2024: ISN/RPS class IV-G lupus nephritis. '
    'MMF 1000 mg BID started 03/10/2024."\n'
    '102,P101,2024-06-01,nephrology_clinic,"Rituximab 1 g IV given 2024-05-20, tolerated well."\n'
    # row 3: seven fields instead of five (an unquoted comma in the text)
    f"103,P102,2024-04-01,nephrology_clinic,Too many fields {MARKER},MMF 1 g BID,started 2024-03-01\n"
    # row 4: empty note_text
    "104,P102,2024-04-02,nephrology_clinic,\n"
    # row 5: good
    '105,P103,2024-04-03,nephrology_clinic,"Lupus nephritis class III. Prednisone 10 mg daily."\n'
    # row 6: the quote opened here is never closed, so it runs to the end of the file
    f'106,P103,2024-04-04,nephrology_clinic,"Unterminated quote {MARKER}. Hydroxychloroquine 200 mg daily.\n'
    # row 7: swallowed by row 6's open quote (a reader may or may not be able to delimit it)
    f"107,P103,2024-04-05,nephrology_clinic,Last row after the broken quote {MARKER}.\n"
)


# ---------------------------------------------------------------------------------------- wrong_types.parquet
def write_wrong_types(path: Path) -> None:
    """OMOP names with the wrong physical types: note_id float64, note_date int64 (YYYYMMDD), one null note_text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({
        "note_id": pa.array([201.0, 202.0, 203.0, 204.0, 205.0], type=pa.float64()),
        "person_id": pa.array(["P201", "P201", "P202", "P202", "P203"], type=pa.string()),
        "note_date": pa.array([20240312, 20240601, 20240401, 20240402, 20240403], type=pa.int64()),
        "note_title": pa.array(["renal_pathology", "nephrology_clinic", "nephrology_clinic", "infusion", "clinic"]),
        "note_text": pa.array([
            "Renal biopsy 03/02/2024: ISN/RPS class IV-G lupus nephritis. MMF 1000 mg BID started 03/10/2024.",
            "Rituximab 1 g IV given 2024-05-20.",
            None,  # row 3: null note_text
            f"Belimumab 10 mg/kg IV monthly since 2024-01-01 ({MARKER}).",
            f"Lupus nephritis class III. Prednisone 10 mg daily ({MARKER}).",
        ], type=pa.string()),
    })
    pq.write_table(table, path, compression="NONE")


def write_all(root: Path) -> None:
    corpus = root / "corpus"
    (corpus / "notes").mkdir(parents=True, exist_ok=True)
    for name, data in NOTE_FILES.items():
        (corpus / "notes" / name).write_bytes(data)
    manifest = "".join(f"{line}\n" for line in [MANIFEST_HEADER, *(",".join(row) for row in MANIFEST_ROWS)])
    (corpus / "manifest.csv").write_bytes(manifest.encode("utf-8"))
    (corpus / "patients.csv").write_bytes(PATIENTS_CSV.encode("utf-8"))
    missing = root / "manifest_missing_column"
    missing.mkdir(parents=True, exist_ok=True)
    (missing / "manifest.csv").write_bytes(MISSING_COLUMN_MANIFEST.encode("utf-8"))
    (root / "malformed.csv").write_bytes(MALFORMED_CSV.encode("utf-8"))
    write_wrong_types(root / "wrong_types.parquet")


def _self_check() -> None:
    for name in ("cp1252.txt", "latin1.txt"):
        try:
            NOTE_FILES[name].decode("utf-8")
        except UnicodeDecodeError:
            continue
        raise AssertionError(f"{name} must not be valid UTF-8")
    assert NOTE_FILES["utf8_bom.txt"].startswith(codecs.BOM_UTF8)
    assert b"\r\n" in NOTE_FILES["crlf.txt"] and b"\n" not in NOTE_FILES["crlf.txt"].replace(b"\r\n", b"")
    assert b"\x00" in NOTE_FILES["binary.png"] and b"\x00" not in NOTE_FILES["binary.pdf"]
    assert "notes/missing.txt" not in {f"notes/{n}" for n in NOTE_FILES}


if __name__ == "__main__":
    _self_check()
    write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
