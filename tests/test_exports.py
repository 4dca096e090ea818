"""Exports to Label Studio, brat and OMOP NOTE_NLP: offsets hold, names are declared, files stay in DEST."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from extractor import exports
from extractor.exports import ExportError, RunData, export

NOTES = {
    "P1/2024-05-01.txt": "Renal biopsy 03/02/2024: ISN/RPS class IV-G lupus nephritis.\n"
                         "Rituximab 1 g IV given 2024-01-10.\n",
    # CRLF, astral characters before the mentions, negated and family mentions
    "P2/2024-04-01.txt": "Caf\u00e9 \u2615\U0001F600 visit.\r\nNo history of lupus nephritis. Denies rituximab.\r\n"
                         "Mother has SLE.\r\n",
}


def write_corpus(folder: Path) -> Path:
    for rel, text in NOTES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return folder


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    from extractor.screen import run

    base = tmp_path_factory.mktemp("exports")
    source = write_corpus(base / "corpus")
    run(source, base / "out")
    return base / "out"


@pytest.fixture(scope="module")
def evidence(run_out):
    return pd.read_csv(run_out / "evidence.csv", dtype=str, keep_default_na=False)


def test_unknown_format_names_the_allowed_ones(run_out, tmp_path):
    with pytest.raises(ValueError) as info:
        export(run_out, "xlsx", tmp_path / "x")
    assert all(fmt in str(info.value) for fmt in exports.FORMATS)


def test_changed_notes_are_refused(run_out, tmp_path):
    source = write_corpus(tmp_path / "changed")
    path = source / "P1/2024-05-01.txt"
    path.write_text("Xx" + path.read_text(encoding="utf-8"), encoding="utf-8")  # shifts every offset
    with pytest.raises(ExportError, match="notes changed"):
        export(run_out, "brat", tmp_path / "b", notes_source=source)


# ---------------------------------------------------------------- Label Studio

def test_labelstudio_tasks_match_config(run_out, evidence, tmp_path):
    written = export(run_out, "labelstudio", tmp_path / "ls")
    assert {p.name for p in written} == {exports.LS_TASKS_FILE, exports.LS_CONFIG_FILE}
    tasks = json.loads((tmp_path / "ls" / exports.LS_TASKS_FILE).read_text(encoding="utf-8"))
    root = ET.parse(tmp_path / "ls" / exports.LS_CONFIG_FILE).getroot()
    labels_tag, text_tag, choices_tag = root.find("Labels"), root.find("Text"), root.find("Choices")
    declared = {el.get("value") for el in labels_tag.findall("Label")}
    choices = {el.get("value") for el in choices_tag.findall("Choice")}
    assert choices_tag.get("perRegion") == "true" and choices_tag.get("choice") == "multiple"
    assert declared == set(evidence["concept"])
    assert text_tag.get("value") == "$" + text_tag.get("name")

    assert len(tasks) == len(NOTES)
    n_regions = 0
    for task in tasks:
        data = task["data"]
        assert set(exports.LS_DATA_FIELDS) <= set(data)
        (prediction,) = task["predictions"]
        assert prediction["model_version"].startswith("ln-screener ")
        results = prediction["result"]
        label_ids = [r["id"] for r in results if r["type"] == "labels"]
        choice_ids = [r["id"] for r in results if r["type"] == "choices"]
        assert len(set(label_ids)) == len(label_ids) and sorted(label_ids) == sorted(choice_ids)
        for r in results:
            v = r["value"]
            assert data["text"][v["start"]:v["end"]] == v["text"]
            assert r["to_name"] == text_tag.get("name")
            if r["type"] == "labels":
                assert r["from_name"] == labels_tag.get("name") and set(v["labels"]) <= declared
                n_regions += 1
            else:
                assert r["from_name"] == choices_tag.get("name") and set(v["choices"]) <= choices
    assert n_regions == len(evidence)


def test_labelstudio_choices_carry_the_flags(run_out, evidence, tmp_path):
    export(run_out, "labelstudio", tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / exports.LS_TASKS_FILE).read_text(encoding="utf-8"))
    got = {(t["data"]["note_id"], r["value"]["start"]): r["value"]["choices"]
           for t in tasks for r in t["predictions"][0]["result"] if r["type"] == "choices"}
    for row in evidence.to_dict("records"):
        flags = [f for f in exports.FLAGS if row[f] == "True"]
        assert got[(row["note_id"], int(row["start"]))] == (flags or ["affirmed"])
    assert ["negated"] in got.values() and ["family"] in got.values()


# ---------------------------------------------------------------- brat

def parse_conf(path: Path) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        elif line.strip():
            sections[current].append(line.split()[0])
    return sections


def check_brat_folder(dest: Path) -> int:
    """Every T line slices its .txt; attributes and notes point at T ids; names are declared."""
    conf = parse_conf(dest / exports.BRAT_CONF_FILE)
    assert set(conf) == {"entities", "relations", "events", "attributes"}
    assert conf["relations"] == [] and conf["events"] == []
    n = 0
    for ann in dest.glob("*.ann"):
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")
        ids = set()
        for line in ann.read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if line.startswith("T"):
                assert len(fields) == 3
                kind, spans = fields[1].split(" ", 1)
                assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", kind) and kind in conf["entities"]
                pieces = [tuple(map(int, s.split())) for s in spans.split(";")]
                assert " ".join(text[s:e] for s, e in pieces) == fields[2]
                ids.add(fields[0])
                n += 1
            elif line.startswith("A"):
                name, target = fields[1].split()
                assert target in ids and name in conf["attributes"]
            elif line.startswith("#"):
                note_type, target = fields[1].split()
                assert note_type == "AnnotatorNotes" and target in ids
            else:
                pytest.fail(f"unexpected line {line!r}")
    return n


def files_under(folder: Path) -> set[Path]:
    return {p.resolve() for p in folder.rglob("*") if p.is_file()}


def test_brat_offsets_attributes_and_index(run_out, evidence, tmp_path):
    dest = tmp_path / "brat"
    written = export(run_out, "brat", dest)
    assert {p.resolve() for p in written} == files_under(dest)
    assert all(p.resolve().parent == dest.resolve() for p in written)
    assert check_brat_folder(dest) == len(evidence)
    with open(dest / exports.BRAT_INDEX_FILE, encoding="utf-8", newline="") as handle:
        index = list(csv.DictReader(handle))
    assert {r["note_id"] for r in index} == set(evidence["note_id"])
    for r in index:  # the .txt is the note exactly (CRLF kept), named by a hash
        rel = r["note_id"] + ".txt"
        assert (dest / f"{r['stem']}.txt").read_bytes() == NOTES[rel].encode("utf-8")
        assert "/" not in r["stem"] and r["note_id"] not in r["stem"]
    negated = evidence[evidence["negated"] == "True"]
    anns = "".join(p.read_text(encoding="utf-8") for p in dest.glob("*.ann"))
    assert anns.count("\tNegated T") == len(negated) and "\tFamily T" in anns


@pytest.mark.parametrize("text, start, end, pieces", [
    ("abc def", 0, 7, [(0, 7)]),
    ("abc\ndef", 0, 7, [(0, 3), (4, 7)]),
    ("abc\r\ndef", 0, 8, [(0, 3), (5, 8)]),
    ("x abc\n\n def\n", 2, 11, [(2, 5), (7, 11)]),
    ("abc\n", 0, 4, [(0, 3)]),
    ("a\tb", 0, 3, [(0, 1), (2, 3)]),
])
def test_brat_fragments(text, start, end, pieces):
    assert exports.brat_fragments(text, start, end) == pieces


def fake_run(notes: dict[str, str], rows: list[dict[str, str]]) -> RunData:
    base = {c: "" for c in ("criterion_id", "event_date", "date_source", "sentence_start", "sentence_end")}
    base.update({f: "False" for f in exports.FLAGS})
    frame = pd.DataFrame([{**base, **r} for r in rows])
    return RunData(Path("."), {"version": "0.1.0", "finished_utc": "2025-01-02T03:04:05+00:00"}, frame,
                   {nid: {"text": t, "patient_id": "p", "note_date": "2024-01-01"} for nid, t in notes.items()})


def test_brat_hostile_note_ids_and_multiline_spans_stay_in_dest(tmp_path):
    text = "Class IV\nlupus nephritis here"
    notes = {"../../x": text, "/etc/passwd": "abc", "a\\..\\b": "abc"}
    rows = [{"evidence_id": "../../x:6-24", "note_id": "../../x", "concept": "LN CLASS/ü", "start": "6", "end": "24",
             "text": text[6:24], "negated": "True", "criterion_id": "a;b"}]
    dest = tmp_path / "sub" / "dest"
    dest.mkdir(parents=True)
    exports.write_brat(fake_run(notes, rows), dest)
    assert files_under(tmp_path) == files_under(dest)
    assert check_brat_folder(dest) == 1
    (ann,) = [p for p in dest.glob("*.ann") if p.read_text(encoding="utf-8")]
    first = ann.read_text(encoding="utf-8").splitlines()[0]
    assert first == "T1\tLN_CLASS__ 6 8;9 24\tIV lupus nephritis"


# ---------------------------------------------------------------- OMOP NOTE_NLP

def test_note_nlp_columns_types_and_logic(run_out, evidence, tmp_path):
    written = export(run_out, "note_nlp", tmp_path / "omop")
    assert {p.name for p in written} == {exports.NOTE_NLP_FILE, exports.NOTE_NLP_PARQUET}
    table = pd.read_csv(tmp_path / "omop" / exports.NOTE_NLP_FILE, dtype=str, keep_default_na=False)
    parquet = pd.read_parquet(tmp_path / "omop" / exports.NOTE_NLP_PARQUET)
    assert list(table.columns) == list(exports.NOTE_NLP_COLUMNS) == list(parquet.columns)
    assert list(table["note_nlp_id"]) == [str(i) for i in range(1, len(evidence) + 1)]
    assert str(parquet["note_nlp_id"].dtype) == "int64" and str(parquet["note_nlp_concept_id"].dtype) == "int64"
    assert parquet["offset"].map(type).eq(str).all()
    run_date = json.loads((run_out / "run.json").read_text())["finished_utc"][:10]
    assert set(table["nlp_date"]) == {run_date} and str(parquet["nlp_date"].iloc[0]) == run_date
    assert (table[["section_concept_id", "note_nlp_concept_id", "note_nlp_source_concept_id"]] == "0").all().all()
    assert table["nlp_system"].str.fullmatch(r"ln-screener \d+\.\d+\.\d+").all()
    assert list(table["lexical_variant"]) == list(evidence["text"])
    assert list(table["offset"]) == list(evidence["start"])
    assert (table["snippet"].str.len() <= exports.SNIPPET_CHARS).all()
    for row, nlp in zip(evidence.to_dict("records"), table.to_dict("records")):
        assert row["text"] in nlp["snippet"] or "\n" in row["text"]
        assert f"concept={row['concept']}" in nlp["term_modifiers"]
        assert nlp["term_temporal"] == ("historical" if row["historical"] == "True" else "")
    negated = table[evidence["negated"].eq("True").to_numpy()]
    family = table[evidence["family"].eq("True").to_numpy()]
    assert len(negated) and (negated["term_exists"] == "N").all() and (family["term_exists"] == "N").all()
    assert "negated=true" in negated["term_modifiers"].iloc[0]
    plain = evidence[[c for c in ("negated", "hypothetical", "family")]].eq("False").all(axis=1).to_numpy()
    assert (table[plain]["term_exists"] == "Y").all()


@pytest.mark.parametrize("ids, dtype", [(["12", "345"], "int64"), (["12", "n-3"], "object")])
def test_note_nlp_note_id_is_an_integer_when_all_are(ids, dtype):
    notes = {nid: "abc def" for nid in ids}
    rows = [{"evidence_id": f"{nid}:0-3", "note_id": nid, "concept": "X", "start": "0", "end": "3", "text": "abc",
             "sentence_start": "0", "sentence_end": "7"} for nid in ids]
    frame = exports.note_nlp_frame(fake_run(notes, rows))
    assert (str(frame["note_id"].dtype) == "int64") == (dtype == "int64")


@pytest.mark.parametrize("sentence, start, end", [
    ("short sentence", 0, 5),
    ("w" * 300 + " target " + "z" * 300, 301, 307),
    ("target " + "z" * 300, 0, 6),
    ("z" * 300 + " target", 301, 307),
])
def test_snippet_keeps_the_mention_within_the_limit(sentence, start, end):
    got = exports.snippet(sentence, 0, len(sentence), start, end)
    assert len(got) <= exports.SNIPPET_CHARS and sentence[start:end] in got
