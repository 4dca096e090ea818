"""The static HTML evidence report (extractor/report.py) on a tiny corpus screened in the test."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.report import INDEX_JS, ReportError, Span, highlight, page_name, write_report

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}


class Page(HTMLParser):
    """Collects what the tests look at, and checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.text: list[str] = []                 # all character data, unescaped
        self.ev_text: dict[str, list[str]] = {}   # data-ev -> text inside its <mark> elements
        self.ev_classes: dict[str, set[str]] = {}
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.scripts: list[str] = []
        self.rows: list[dict] = []                # index table rows: attrs + cell texts

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        if tag == "mark" and "data-ev" in a:
            self.ev_text.setdefault(a["data-ev"], [])
            self.ev_classes.setdefault(a["data-ev"], set()).update(a.get("class", "").split())
        if tag == "script":
            self.scripts.append("")
        if tag == "tr" and "data-status" in a:
            self.rows.append({"attrs": a, "cells": []})
        if tag == "td" and self.rows and any(t == "tr" and "data-status" in at for t, at in self.stack):
            self.rows[-1]["cells"].append("")
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)
        for tag, a in self.stack:
            if tag == "mark" and "data-ev" in a:
                self.ev_text[a["data-ev"]].append(data)
        if self.stack and self.stack[-1][0] == "script":
            self.scripts[-1] += data
        if self.rows and any(t == "td" for t, _ in self.stack) and any(
                t == "tr" and "data-status" in a for t, a in self.stack):
            self.rows[-1]["cells"][-1] += data


def parse(markup: str) -> Page:
    page = Page()
    page.feed(markup)
    page.close()
    assert page.errors == []
    assert page.stack == [], f"unclosed: {[t for t, _ in page.stack]}"
    return page


# ------------------------------------------------------------------------------------------- highlight
def check_highlight(text: str, spans: list[Span]) -> Page:
    out = highlight(text, spans)
    page = parse(out)
    assert "".join(page.text) == text                               # visible text is the original text
    assert sorted(page.ids) == sorted(s.anchor for s in spans)      # each span has its id exactly once
    for s in spans:
        assert "".join(page.ev_text.get(s.anchor, [])) == text[s.start:s.end]
        assert out.count(f'id="{s.anchor}"') == 1
    return page


@pytest.mark.parametrize("text, bounds", [
    ("no spans here", []),
    ("one span", [(4, 8)]),
    ("whole", [(0, 5)]),
    ("adjacent spans", [(0, 8), (8, 14)]),
    ("nested inside", [(0, 13), (3, 6)]),
    ("crossing spans", [(0, 8), (4, 14)]),
    ("same span twice", [(5, 9), (5, 9)]),
    ("three overlap here", [(0, 9), (4, 14), (6, 18)]),
    ("start shared", [(0, 5), (0, 12)]),
    ("end shared", [(0, 10), (4, 10)]),
    ("line one\r\nline two", [(5, 14)]),
    ("empty span", [(3, 3), (0, 5)]),
    ('<b>&"quoted"</b> <script>alert(1)</script>', [(0, 8), (3, 12), (17, 41)]),
])
def test_highlight_wraps_every_span_once_and_keeps_the_text(text, bounds):
    spans = [Span(a, b, f"ev-{i}", ("negated",), title=f"t<{i}>") for i, (a, b) in enumerate(bounds, 1)]
    out = highlight(text, spans)
    check_highlight(text, spans)
    assert "<script" not in out and "<b>" not in out
    assert out.count("<mark") == out.count("</mark>")


@pytest.mark.parametrize("bounds, expected", [
    ([(0, 3)], '<mark id="a" data-ev="a" class="ev">abc</mark>def'),
    ([(0, 6), (2, 4)], '<mark id="a" data-ev="a" class="ev">ab<mark id="b" data-ev="b" class="ev">cd</mark>ef</mark>'),
    ([(0, 3), (3, 6)], '<mark id="a" data-ev="a" class="ev">abc</mark><mark id="b" data-ev="b" class="ev">def</mark>'),
    ([(0, 4), (2, 6)], '<mark id="a" data-ev="a" class="ev">ab<mark id="b" data-ev="b" class="ev">cd</mark></mark>'
                       '<mark data-ev="b" class="ev cont">ef</mark>'),
])
def test_highlight_exact_markup(bounds, expected):
    spans = [Span(s, e, anchor) for (s, e), anchor in zip(bounds, "ab")]
    assert highlight("abcdef", spans) == expected


def test_highlight_escapes_text_title_and_label():
    out = highlight('a<b>"c"&', [Span(1, 4, 'ev-1', ("family",), title='x"><script>', label="<i>")])
    assert out.startswith("a<mark ") and "&lt;b&gt;" in out and "&quot;c&quot;&amp;" in out
    assert "<script>" not in out and "<i>" not in out and 'title="x&quot;&gt;&lt;script&gt;"' in out


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet='ab<>&"\n ', max_size=30), data=st.data())
def test_highlight_property(text, data):
    n = len(text)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(0, n)), max_size=6))
    spans = [Span(min(a, b), max(a, b), f"ev-{i}") for i, (a, b) in enumerate(pairs, 1)]
    check_highlight(text, spans)


def test_page_name_never_contains_the_id():
    for pid in ("../../x", "P001", "<b>", "a/b\\c", ""):
        name = page_name(pid)
        assert re.fullmatch(r"[0-9a-f]{16}\.html", name)
    assert page_name("P001") != page_name("P002")


# ------------------------------------------------------------------------------------------- a screened run
BIOPSY = "Renal biopsy 03/02/2024: ISN/RPS class IV-G lupus nephritis. No history of tuberculosis.\n"
SCRIPT_NOTE = ("Clinic note. <script>alert(1)</script>\n34 y/o F with SLE.\nMother has breast cancer.\n"
               "Discussed rituximab. Possible tuberculosis exposure.\nHistory of lupus nephritis.\n")
NOTES = [  # note_id, patient_id, note_date, folder, text
    ("p1a", "P1", "2024-03-10", "P1", BIOPSY),
    ("p1b", "P1", "2024-06-01", "P1", SCRIPT_NOTE),
    ("ev1", "../evil", "2024-05-01", "evil",
     "28 y/o M. Received rituximab 1 g IV on 2024-01-10.\r\n<img src=x onerror=alert(2)> lupus nephritis\r\n"),
    ("h1", '<i>P3</i>&"q"', "2024-02-02", "p3", "Renal biopsy 01/05/2024: class III lupus nephritis."),
]
NOTES_PATIENTS = list(dict.fromkeys(pid for _, pid, *_ in NOTES))


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    from extractor.screen import run

    root = tmp_path_factory.mktemp("report")
    corpus = root / "corpus"
    rows = []
    for note_id, pid, date, folder, text in NOTES:
        path = corpus / folder / f"{date}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        rows.append({"note_id": note_id, "patient_id": pid, "note_date": date, "note_type": "clinic",
                     "path": f"{folder}/{date}.txt"})
    pd.DataFrame(rows).to_csv(corpus / "manifest.csv", index=False)
    out = root / "out"
    run(corpus, out)
    return root, corpus, out


@pytest.fixture(scope="module")
def report(run_out):
    """The report written to a fresh dest, with a snapshot of every other file before and after."""
    root, corpus, out = run_out
    dest = root / "dest"

    def snapshot():
        return {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file() and dest not in p.parents}

    before = snapshot()
    index = write_report(out, dest=dest)
    return {"root": root, "out": out, "corpus": corpus, "dest": dest, "index": index,
            "before": before, "after": snapshot()}


def tables(out: Path):
    read = lambda name: pd.read_csv(out / name, dtype=str, keep_default_na=False)  # noqa: E731
    return read("patients.csv"), read("criteria.csv"), read("evidence.csv")


def patient_page(rep, pid) -> str:
    return (rep["dest"] / "patients" / page_name(pid)).read_bytes().decode("utf-8")  # keep CRLF


def test_the_run_has_the_patients_and_evidence_the_tests_rely_on(run_out):
    patients, _, evidence = tables(run_out[2])
    assert set(patients.patient_id) == {pid for _, pid, *_ in NOTES}
    p1 = evidence[evidence.patient_id == "P1"]
    assert (p1.negated == "True").any() and len(evidence[evidence.patient_id == "../evil"]) > 0


def test_writes_only_inside_dest(report):
    assert report["before"] == report["after"]
    assert report["index"] == report["dest"] / "index.html"
    written = sorted(p.relative_to(report["dest"]).as_posix() for p in report["dest"].rglob("*") if p.is_file())
    assert written[0] == "index.html" and len(written) == 1 + len(NOTES_PATIENTS)
    for name in written[1:]:
        assert re.fullmatch(r"patients/[0-9a-f]{16}\.html", name)
    for pid in NOTES_PATIENTS:
        assert pid not in " ".join(written)


def test_index_lists_every_patient_with_its_status(report):
    patients, criteria, evidence = tables(report["out"])
    page = parse(report["index"].read_text(encoding="utf-8"))
    rows = {r["cells"][0]: r for r in page.rows}
    assert len(page.rows) == len(patients)
    for p in patients.to_dict("records"):
        row = rows[p["patient_id"]]                       # cell text is the unescaped id
        assert row["attrs"]["data-status"] == p["status"] and row["cells"][1] == p["status"]
        counts = criteria[criteria.patient_id == p["patient_id"]].status.value_counts()
        assert [int(c) for c in row["cells"][4:8]] == [int(counts.get("met", 0)), int(counts.get("not_met", 0)),
                                                       int(counts.get("unknown", 0)),
                                                       int((evidence.patient_id == p["patient_id"]).sum())]
    links = [h for h in page.hrefs if h.startswith("patients/")]
    assert sorted(links) == sorted(f"patients/{page_name(pid)}" for pid in patients.patient_id)
    assert all((report["dest"] / h).is_file() for h in links)


@pytest.mark.parametrize("pid", NOTES_PATIENTS)
def test_every_evidence_row_is_highlighted_on_its_patient_page(report, pid):
    _, criteria, evidence = tables(report["out"])
    rows = evidence[evidence.patient_id == pid]
    markup = patient_page(report, pid)
    page = parse(markup)
    assert markup.count('id="ev-') == len(rows)
    highlighted = sorted("".join(v) for v in page.ev_text.values())
    assert highlighted == sorted(rows.text)
    assert "could not be placed" not in markup
    negated = rows[rows.negated == "True"]
    assert sum("negated" in c for c in page.ev_classes.values()) == len(negated)
    # checklist links resolve to highlighted spans; every criterion is listed
    anchors = [h[1:] for h in page.hrefs if h.startswith("#")]
    linked = {e for ids in criteria[criteria.patient_id == pid].evidence_ids for e in ids.split(";") if e}
    assert len(set(anchors)) == len(linked) and set(anchors) <= set(page.ev_text)
    for crit in criteria[criteria.patient_id == pid].criterion_id:
        assert f"<td>{html.escape(crit)}</td>" in markup
    assert html.escape(pid) in markup


def test_notes_are_in_date_order_with_crlf_kept(report):
    markup = patient_page(report, "P1")
    assert re.findall(r'<section class="note" id="note-\d+"><h3>([0-9-]+) &mdash; (\w+)', markup) == [
        ("2024-03-10", "p1a"), ("2024-06-01", "p1b")]
    assert "\r\n" in patient_page(report, "../evil")


def test_note_and_id_markup_is_only_ever_escaped(report):
    pages = [report["index"], *sorted((report["dest"] / "patients").iterdir())]
    for path in pages:
        markup = path.read_text(encoding="utf-8")
        assert "<script>alert" not in markup.lower() and "<img" not in markup.lower()
        assert "<i>P3</i>" not in markup
        scripts = parse(markup).scripts
        assert scripts == ([INDEX_JS] if path.name == "index.html" else [])
        assert markup.count("<script") == len(scripts)
        assert "http://" not in markup and "https://" not in markup    # nothing loaded from the network
    p1 = patient_page(report, "P1")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in p1
    assert "&lt;i&gt;P3&lt;/i&gt;&amp;&quot;q&quot;" in report["index"].read_text(encoding="utf-8")


def test_context_classes_on_marks(report):
    page = parse(patient_page(report, "P1"))
    classes = set().union(*page.ev_classes.values())
    assert {"negated", "family", "hypothetical", "historical"} <= classes


def test_default_dest_and_notes_source_from_run_json(run_out, tmp_path):
    root, corpus, out = run_out
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    index = write_report(copy)
    assert index == copy / "report" / "index.html" and index.is_file()
    assert json.loads((copy / "run.json").read_text())["parameters"]["input"] == str(corpus)
    # a second report with fewer patients removes the stale page
    patients = pd.read_csv(copy / "patients.csv", dtype=str, keep_default_na=False)
    patients[patients.patient_id != "P1"].to_csv(copy / "patients.csv", index=False)
    write_report(copy)
    assert not (copy / "report" / "patients" / page_name("P1")).exists()
    assert (copy / "report" / "patients" / page_name("../evil")).exists()


def test_missing_notes_source_is_a_clear_error(run_out, tmp_path):
    out = run_out[2]
    with pytest.raises(ReportError, match="nowhere not found"):
        write_report(out, notes_source=tmp_path / "nowhere", dest=tmp_path / "r")
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    run_json = json.loads((copy / "run.json").read_text())
    run_json["parameters"]["input"] = str(tmp_path / "moved")
    (copy / "run.json").write_text(json.dumps(run_json))
    with pytest.raises(ReportError, match=r"moved not found .*--notes"):
        write_report(copy)
    assert write_report(copy, notes_source=run_out[1]).is_file()     # an explicit source still works


def test_overlapping_and_stale_evidence_rows_render_safely(run_out, tmp_path):
    """Rows added by hand: one crossing an existing span, one whose offsets no longer match the note."""
    out = run_out[2]
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    evidence = pd.read_csv(copy / "evidence.csv", dtype=str, keep_default_na=False)
    row = evidence[(evidence.patient_id == "P1") & (evidence.note_id == "p1a")].iloc[0].to_dict()
    start, end = int(row["start"]) + 2, int(row["end"]) + 6
    crossing = {**row, "evidence_id": f"p1a:{start}-{end}", "start": str(start), "end": str(end),
                "text": BIOPSY[start:end], "negated": "True"}
    stale = {**row, "evidence_id": "p1a:0-4", "start": "0", "end": "4", "text": "XXXX"}
    pd.concat([evidence, pd.DataFrame([crossing, stale])]).to_csv(copy / "evidence.csv", index=False)
    write_report(copy)
    markup = (copy / "report" / "patients" / page_name("P1")).read_text(encoding="utf-8")
    page = parse(markup)
    n = int(((evidence.patient_id == "P1")).sum()) + 2
    assert markup.count('id="ev-') == n
    texts = sorted("".join(v) for k, v in page.ev_text.items())
    assert BIOPSY[start:end] in texts and row["text"] in texts
    assert "1 evidence rows could not be placed" in markup and "XXXX" in markup


def test_index_script_is_valid_javascript(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; cannot syntax-check the inline script")
    script = tmp_path / "index.js"
    script.write_text(INDEX_JS)
    result = subprocess.run([node, "--check", str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


# ------------------------------------------------------------------------------------------- in a browser
# No network for the browser either: without these, chromium keeps calling Google's services.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def test_pages_work_in_a_browser_from_disk(report):
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright && playwright install chromium)")
    import shutil

    system = shutil.which("chromium")  # Debian's chromium (.ci/run installs it); else playwright's own
    options = {"executable_path": system, "args": CHROMIUM_ARGS} if system else {}
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(**options)
        except PlaywrightError as exc:
            pytest.skip(f"playwright has no chromium available ({str(exc).splitlines()[0]})")
        try:
            page = browser.new_page()
            problems, dialogs = [], []
            page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(str(exc)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

            page.goto(report["index"].as_uri())
            rows = page.locator("#patients tbody tr")
            assert rows.count() == len(NOTES_PATIENTS)
            page.select_option("#f-status", "not_eligible")
            shown = int(page.text_content("#shown"))
            assert shown == page.locator("#patients tbody tr:not([hidden])").count()
            page.select_option("#f-status", "")
            page.locator("th", has_text="evidence").click()
            counts = [int(c) for c in page.locator("#patients tbody tr td:nth-child(8)").all_text_contents()]
            assert counts == sorted(counts)

            page.goto((report["dest"] / "patients" / page_name("P1")).as_uri())
            assert page.locator("mark.ev").count() >= 1
            assert "<script>alert(1)</script>" in page.locator("pre.note").nth(1).text_content()
            page.wait_for_timeout(200)
            assert problems == [] and dialogs == []
        finally:
            browser.close()
