"""Static HTML evidence report for chart abstractors.

``write_report(OUT)`` reads the tables of a finished run (``patients.csv``, ``criteria.csv``,
``evidence.csv``), the note texts (from ``run.json`` ``parameters.input`` unless ``notes_source``
is given) and writes ``OUT/report/index.html`` plus one page per patient under
``OUT/report/patients/``. Pages are self-contained (inline CSS and JS, no network) and open from
disk. Every piece of text taken from the data is HTML-escaped; no data is ever put inside a
``<script>``; a Content-Security-Policy allows only the page's own inline script (by hash).

Patient page file names are ``sha1(patient_id)[:16].html``: raw ids never reach the file system.
The algorithms (:func:`highlight`, :func:`page_name`, :func:`context_classes`) are plain functions.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from .flags import CONTEXT_FLAGS, is_true

CRITERION_STATUSES = ("met", "not_met", "unknown")
PAGE_NAME_RE = re.compile(r"[0-9a-f]{16}\.html")


class ReportError(Exception):
    """The run folder or its note source cannot be turned into a report."""


def esc(value: object) -> str:
    """HTML-escape any value for element text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def page_name(patient_id: str) -> str:
    """File name of a patient's page: a hash of the id, never the id's text."""
    return hashlib.sha1(str(patient_id).encode("utf-8")).hexdigest()[:16] + ".html"


def context_classes(row: dict) -> tuple[str, ...]:
    """CSS classes for an evidence row's context flags; ``("affirmed",)`` when none is set."""
    flags = tuple(flag for flag in CONTEXT_FLAGS if is_true(row.get(flag, "")))
    return flags or ("affirmed",)


# --------------------------------------------------------------------------------------- highlighting
@dataclass(frozen=True)
class Span:
    """A highlighted stretch ``text[start:end]``.

    ``anchor`` is the HTML id put on the span's first element (e.g. ``ev-3``); every element of the
    span (a span crossing another one is split in several elements) carries ``data-ev=anchor``."""

    start: int
    end: int
    anchor: str
    classes: tuple[str, ...] = ()
    title: str = ""
    label: str = ""
    order: int = field(default=0, compare=False)


def _open_tag(span: Span, first: bool) -> str:
    attrs = []
    if first:
        attrs.append(f'id="{esc(span.anchor)}"')
    attrs.append(f'data-ev="{esc(span.anchor)}"')
    classes = ["ev", *span.classes] + ([] if first else ["cont"])
    attrs.append(f'class="{esc(" ".join(classes))}"')
    if span.title:
        attrs.append(f'title="{esc(span.title)}"')
    if first and span.label:
        attrs.append(f'data-label="{esc(span.label)}"')
    return "<mark " + " ".join(attrs) + ">"


def highlight(text: str, spans: Iterable[Span]) -> str:
    """Escaped HTML of ``text`` with every span wrapped in ``<mark>``.

    The text is cut at every span boundary; each segment is wrapped by the spans covering it,
    outermost first (earlier start, then later end). Spans that nest stay one element; a span that
    crosses another is closed and reopened (the continuation has class ``cont`` and no id), so the
    HTML is always well formed. The id goes on the first element of each span, exactly once.
    Offsets are clamped to the text; an empty span becomes an empty ``<mark>`` anchor.
    """
    n = len(text)
    spans = [Span(max(0, min(s.start, n)), max(0, min(s.end, n)), s.anchor, tuple(s.classes), s.title,
                  s.label, i) for i, s in enumerate(spans)]
    empty = {}
    for s in spans:
        if s.end <= s.start:
            empty.setdefault(s.start, []).append(s)
    real = [s for s in spans if s.end > s.start]
    cuts = sorted({0, n, *(s.start for s in real), *(s.end for s in real), *empty})
    key = lambda s: (s.start, -s.end, s.order)  # noqa: E731
    out: list[str] = []
    stack: list[Span] = []
    opened: set[int] = set()
    for i, a in enumerate(cuts):
        b = cuts[i + 1] if i + 1 < len(cuts) else a
        want = sorted((s for s in real if s.start <= a < s.end), key=key) if b > a else []
        keep = 0
        while keep < min(len(stack), len(want)) and stack[keep] is want[keep]:
            keep += 1
        out.extend("</mark>" for _ in stack[keep:])
        stack = stack[:keep]
        for s in empty.get(a, ()):
            out.append(_open_tag(s, s.order not in opened) + "</mark>")
            opened.add(s.order)
        for s in want[keep:]:
            out.append(_open_tag(s, s.order not in opened))
            opened.add(s.order)
            stack.append(s)
        if b > a:
            out.append(esc(text[a:b]))
    out.extend("</mark>" for _ in stack)
    return "".join(out)


# --------------------------------------------------------------------------------------- loading
def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise ReportError(f"{path} is missing; run `python -m extractor run INPUT --out {path.parent}` first")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _notes_source(out: Path, notes_source: Path | None) -> tuple[Path, dict | None]:
    """The run's notes and ``--column`` mapping, found as the exports find them."""
    from .exports import ExportError, notes_path, read_run_info, run_column_map

    try:
        info = read_run_info(out) if (out / "run.json").exists() or notes_source is None else {}
        return notes_path(info, notes_source), run_column_map(info) or None
    except ExportError as exc:
        raise ReportError(str(exc)) from None


def _load_notes(source: Path, column_map: dict | None) -> pd.DataFrame:
    from .exports import load_notes

    notes = load_notes(source, column_map=column_map)
    return pd.DataFrame([{"note_id": nid, **note} for nid, note in notes.items()],
                        columns=["note_id", "patient_id", "note_date", "note_type", "path", "text"])


# --------------------------------------------------------------------------------------- page parts
CSS = """
:root { --fg:#1d1d1f; --muted:#5f6368; --line:#d0d4d9; --bg:#fff; --head:#f3f5f7; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--fg);
       background: var(--bg); margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 1200px; }
h1 { font-size: 1.4rem; margin: .2rem 0 .6rem; } h2 { font-size: 1.15rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .3rem; }
a { color: #0b57d0; } .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; vertical-align: top; text-align: left; }
th { background: var(--head); position: sticky; top: 0; }
th.sortable { cursor: pointer; user-select: none; white-space: nowrap; }
th.sortable::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"]::after { content: " \\2191"; } th[aria-sort="descending"]::after { content: " \\2193"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
ul.reasons { margin: 0; padding-left: 1.1rem; } ul.reasons li { margin: 0; }
.status { display: inline-block; padding: 0 .4rem; border-radius: .6rem; font-weight: 600; white-space: nowrap; }
.st-likely_eligible, .st-met { background: #d7f5dd; color: #0d5b1d; }
.st-not_eligible, .st-not_met { background: #fbd9d6; color: #8c1d18; }
.st-needs_review, .st-unknown { background: #fff0c2; color: #6b4e00; }
.filters { display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; margin: .6rem 0; }
.filters label { white-space: nowrap; }
pre.note { white-space: pre-wrap; overflow-wrap: anywhere; background: #fafbfc; border: 1px solid var(--line);
           padding: .7rem; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
mark.ev { background: #ffe98a; color: inherit; border-radius: 2px; padding: 0 1px; }
mark.ev[data-label]::before { content: attr(data-label); font: 600 10px/1 system-ui, sans-serif; color: #3c4043;
           background: #e8eaed; border-radius: 2px; padding: 1px 3px; margin-right: 2px; vertical-align: super; }
mark.ev:target { outline: 3px solid #0b57d0; }
mark.negated { background: #f8c9c4; text-decoration: line-through; text-decoration-color: #a50e0e; }
mark.family { background: #e1d5f7; }
mark.hypothetical { background: #cfe8fc; border-bottom: 2px dashed #1967d2; }
mark.historical { background: #dfe3e8; }
mark.uncertain { background: #ffd8a8; border-bottom: 2px dotted #b06000; }
mark mark { padding: 0; }
.legend mark { margin-right: .5rem; }
.ev-links a { white-space: nowrap; } .ev-links li { margin: 0; }
ul.ev-links { margin: 0; padding-left: 1.1rem; }
.warn { background: #fff4e5; border: 1px solid #f0b35c; padding: .5rem .7rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .filters, .noprint { display: none !important; }
  th { position: static; }
  a { color: inherit; text-decoration: none; }
  pre.note { border: none; background: none; padding: 0; }
  mark, .status { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  section.note, tr { break-inside: avoid; }
}
"""

INDEX_JS = r"""
(function () {
  "use strict";
  var table = document.getElementById("patients");
  var body = table.tBodies[0];
  var statusSel = document.getElementById("f-status");
  var critSel = document.getElementById("f-crit");
  var critStatusSel = document.getElementById("f-crit-status");
  var shown = document.getElementById("shown");
  function apply() {
    var st = statusSel.value, crit = critSel.value, cst = critStatusSel.value, n = 0;
    Array.prototype.forEach.call(body.rows, function (tr) {
      var ok = !st || tr.getAttribute("data-status") === st;
      if (ok && crit) {
        var have = null;
        (tr.getAttribute("data-criteria") || "").split(";").forEach(function (pair) {
          var i = pair.lastIndexOf("=");
          if (i > 0 && pair.slice(0, i) === crit) { have = pair.slice(i + 1); }
        });
        ok = have !== null && (!cst || have === cst);
      }
      tr.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = String(n);
  }
  [statusSel, critSel, critStatusSel].forEach(function (el) { el.addEventListener("change", apply); });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    if (!th.classList.contains("sortable")) { return; }
    th.tabIndex = 0;
    function sort() {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var num = th.getAttribute("data-type") === "num";
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-sort") || a.cells[col].textContent;
        var y = b.cells[col].getAttribute("data-sort") || b.cells[col].textContent;
        var r = num ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, undefined, {numeric: true});
        return asc ? r : -r;
      });
      rows.forEach(function (tr) { body.appendChild(tr); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
    });
  });
  apply();
})();
"""


def _csp(script: str | None) -> str:
    if script is None:
        script_src = "'none'"
    else:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
        script_src = f"'sha256-{digest}'"
    return (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src {script_src}; "
            "base-uri 'none'; form-action 'none'")


def _page(title: str, body: str, script: str | None = None) -> str:
    script_tag = f"<script>{script}</script>\n" if script is not None else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{esc(_csp(script))}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n"
            f"<body>\n{body}\n{script_tag}</body>\n</html>\n")


def _status(value: str) -> str:
    return f'<span class="status st-{esc(re.sub(r"[^a-z_]", "", value.lower()))}">{esc(value)}</span>'


def _reasons(value: str) -> str:
    parts = [p.strip() for p in value.split(" | ") if p.strip()]
    if not parts:
        return ""
    return '<ul class="reasons">' + "".join(f"<li>{esc(p)}</li>" for p in parts) + "</ul>"


def _legend() -> str:
    items = [("affirmed", "affirmed")] + [(f, f) for f in CONTEXT_FLAGS]
    return ('<p class="legend">Highlights: ' + "".join(f'<mark class="ev {c}">{esc(t)}</mark>' for c, t in items)
            + ' <span class="muted">(hover a highlight for concept, criteria, context and date)</span></p>')


def _span_title(row: dict) -> str:
    flags = [f for f in CONTEXT_FLAGS if is_true(row.get(f, ""))]
    lines = [f"{row.get('concept', '')}  [{row.get('evidence_id', '')}]",
             "criteria: " + ", ".join(c for c in str(row.get("criterion_id", "")).split(";") if c),
             "context: " + (", ".join(flags) if flags else "affirmed")
             + (f" (triggers: {row['context_triggers']})" if row.get("context_triggers") else ""),
             f"event_date: {row.get('event_date', '')}  (date_source: {row.get('date_source', '')})"]
    if row.get("value"):
        lines.append(f"value: {row['value']}")
    if row.get("section"):
        lines.append(f"section: {row['section']}")
    return "\n".join(lines)


def _criteria_table(criteria: pd.DataFrame, anchors: dict[str, str], evidence_by_id: dict[str, dict]) -> str:
    rows = []
    for i, c in enumerate(criteria.to_dict("records"), 1):
        links = []
        for eid in [e for e in c["evidence_ids"].split(";") if e]:
            if eid in anchors:
                ev = evidence_by_id[eid]
                links.append(f'<li><a href="#{esc(anchors[eid])}" title="{esc(eid)}">{esc(ev["note_date"])}: '
                             f'&ldquo;{esc(ev["text"])}&rdquo;</a></li>')
            else:
                links.append(f'<li>{esc(eid)} <span class="muted">(not in evidence.csv)</span></li>')
        ev_html = f'<ul class="ev-links">{"".join(links)}</ul>' if links else '<span class="muted">none</span>'
        rows.append(f'<tr id="crit-{i}"><td>{esc(c["criterion_id"])}</td><td>{esc(c["kind"])}</td>'
                    f'<td>{_status(c["status"])}</td><td>{esc(c["reason"])}</td><td>{ev_html}</td></tr>')
    return ("<table class=\"criteria\"><thead><tr><th>criterion</th><th>kind</th><th>status</th><th>reason</th>"
            "<th>evidence</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>")


def _patient_page(patient: dict, criteria: pd.DataFrame, evidence: pd.DataFrame, notes: pd.DataFrame) -> str:
    pid = patient["patient_id"]
    ev_rows = evidence.to_dict("records")
    for r in ev_rows:
        r["_start"], r["_end"] = int(r["start"] or 0), int(r["end"] or 0)
    ev_rows.sort(key=lambda r: (r["note_date"], r["note_id"], r["_start"], r["_end"]))
    anchors = {r["evidence_id"]: f"ev-{n}" for n, r in enumerate(ev_rows, 1)}
    evidence_by_id = {r["evidence_id"]: r for r in ev_rows}
    note_list = notes.sort_values(["note_date", "note_id"], kind="stable").to_dict("records")
    note_text = {n["note_id"]: n["text"] for n in note_list}
    by_note: dict[str, list[Span]] = {}
    unplaced: list[tuple[dict, str]] = []
    for r in ev_rows:
        text = note_text.get(r["note_id"])
        if text is None:
            unplaced.append((r, "note text not found in the notes source"))
            continue
        if text[r["_start"]:r["_end"]] != r["text"]:
            unplaced.append((r, "note text at these offsets differs from evidence.csv (the notes changed?)"))
            continue
        label = " ".join(c for c in r["criterion_id"].split(";") if c)
        by_note.setdefault(r["note_id"], []).append(
            Span(r["_start"], r["_end"], anchors[r["evidence_id"]], context_classes(r), _span_title(r), label))

    parts = [f'<p class="noprint"><a href="../index.html">&larr; all patients</a></p>',
             f"<h1>Patient {esc(pid)}</h1>",
             f'<p>{_status(patient.get("status", ""))} &nbsp; index date {esc(patient.get("index_date", ""))} '
             f'<span class="muted">({esc(patient.get("index_date_source", ""))})</span> &nbsp; '
             f"{len(note_list)} notes, {len(ev_rows)} evidence rows</p>",
             _reasons(patient.get("reasons", "")),
             "<h2>Criteria</h2>", _criteria_table(criteria, anchors, evidence_by_id),
             "<h2>Notes</h2>", _legend()]
    if unplaced:
        items = "".join(f'<li id="{esc(anchors[r["evidence_id"]])}" data-ev="{esc(anchors[r["evidence_id"]])}">'
                        f'{esc(r["evidence_id"])} {esc(r["concept"])} &ldquo;{esc(r["text"])}&rdquo; '
                        f'<span class="muted">{esc(why)}</span></li>' for r, why in unplaced)
        parts.append(f'<div class="warn"><strong>{len(unplaced)} evidence rows could not be placed in a note '
                     f"text:</strong><ul>{items}</ul></div>")
    if not note_list:
        parts.append('<p class="muted">No note text for this patient in the notes source.</p>')
    for i, note in enumerate(note_list, 1):
        spans = by_note.get(note["note_id"], [])
        meta = " &middot; ".join(esc(x) for x in (note.get("note_type", ""), note.get("path", "")) if x)
        parts.append(f'<section class="note" id="note-{i}"><h3>{esc(note["note_date"])} &mdash; '
                     f'{esc(note["note_id"])} <span class="muted">{meta} &middot; {len(spans)} evidence</span></h3>'
                     f'<pre class="note">{highlight(note["text"], spans)}</pre></section>')
    return _page(f"Patient {pid} — evidence", "\n".join(parts))


def _index_page(patients: pd.DataFrame, criteria: pd.DataFrame, evidence: pd.DataFrame, names: dict[str, str],
                out: Path) -> str:
    counts = criteria.groupby(["patient_id", "status"]).size()
    ev_counts = evidence.groupby("patient_id").size()
    crit_of = {pid: ";".join(f"{c}={s}" for c, s in zip(g["criterion_id"], g["status"]))
               for pid, g in criteria.groupby("patient_id", sort=False)}
    rows = []
    for p in patients.to_dict("records"):
        pid = p["patient_id"]
        cells = [f'<td><a href="patients/{names[pid]}">{esc(pid)}</a></td>',
                 f'<td data-sort="{esc(p["status"])}">{_status(p["status"])}</td>',
                 f'<td>{esc(p.get("index_date", ""))}</td>',
                 f'<td>{_reasons(p.get("reasons", ""))}</td>']
        for st in CRITERION_STATUSES:
            cells.append(f'<td class="num">{int(counts.get((pid, st), 0))}</td>')
        cells.append(f'<td class="num">{int(ev_counts.get(pid, 0))}</td>')
        rows.append(f'<tr data-status="{esc(p["status"])}" data-criteria="{esc(crit_of.get(pid, ""))}">'
                    + "".join(cells) + "</tr>")
    statuses = sorted(set(patients["status"]))
    crit_ids = list(dict.fromkeys(criteria["criterion_id"]))
    opt = lambda v, t=None: f'<option value="{esc(v)}">{esc(v if t is None else t)}</option>'  # noqa: E731
    by_status = ", ".join(f"{esc(s)} {int((patients['status'] == s).sum())}" for s in statuses)
    num_attr = ' data-type="num"'
    head = "".join(f'<th class="sortable"{num_attr if num else ""}>{esc(t)}</th>' for t, num in (
        ("patient", False), ("status", False), ("index date", False), ("reasons", False),
        ("met", True), ("not met", True), ("unknown", True), ("evidence", True)))
    body = (f"<h1>Trial pre-screening evidence report</h1>\n"
            f'<p class="muted">Run folder {esc(out)} &middot; {len(patients)} patients ({by_status}) &middot; '
            f"{len(evidence)} evidence rows. Criteria counts are per patient from criteria.csv; click a "
            f"patient for the checklist and the highlighted notes.</p>\n"
            '<div class="filters">'
            f'<label>Status <select id="f-status">{opt("", "all")}{"".join(opt(s) for s in statuses)}</select></label>'
            f'<label>Criterion <select id="f-crit">{opt("", "any")}{"".join(opt(c) for c in crit_ids)}</select></label>'
            f'<label>is <select id="f-crit-status">{opt("", "any status")}'
            f'{"".join(opt(s) for s in CRITERION_STATUSES)}</select></label>'
            f'<span><span id="shown">{len(patients)}</span> shown</span></div>\n'
            f'<table id="patients"><thead><tr>{head}</tr></thead><tbody>\n' + "\n".join(rows) + "\n</tbody></table>")
    return _page("Trial pre-screening evidence report", body, INDEX_JS)


# --------------------------------------------------------------------------------------- entry point
def write_report(out: Path, notes_source: Path | None = None, dest: Path | None = None) -> Path:
    """Write the HTML report of run folder ``out`` into ``dest`` (default ``out/report``).

    Returns the path of ``index.html``. Patient pages go to ``dest/patients/<sha1(id)[:16]>.html``;
    stale pages of that name pattern left by an earlier report are removed. Raises
    :class:`ReportError` when a table or the notes source is missing."""
    out = Path(out)
    dest = Path(dest) if dest is not None else out / "report"
    patients = _read_csv(out / "patients.csv")
    criteria = _read_csv(out / "criteria.csv")
    evidence = _read_csv(out / "evidence.csv")
    source, column_map = _notes_source(out, notes_source)
    notes = _load_notes(source, column_map)

    names = {pid: page_name(pid) for pid in patients["patient_id"]}
    if len(set(names.values())) != len(names):
        raise ReportError("two patient ids hash to the same page name")
    pages = dest / "patients"
    pages.mkdir(parents=True, exist_ok=True)
    crit_by = dict(tuple(criteria.groupby("patient_id", sort=False)))
    ev_by = dict(tuple(evidence.groupby("patient_id", sort=False)))
    notes_by = dict(tuple(notes.groupby("patient_id", sort=False)))
    empty_c, empty_e, empty_n = criteria.iloc[0:0], evidence.iloc[0:0], notes.iloc[0:0]
    for p in patients.to_dict("records"):
        pid = p["patient_id"]
        page = _patient_page(p, crit_by.get(pid, empty_c), ev_by.get(pid, empty_e), notes_by.get(pid, empty_n))
        (pages / names[pid]).write_text(page, encoding="utf-8")
    keep = set(names.values())
    for stale in pages.iterdir():
        if stale.is_file() and PAGE_NAME_RE.fullmatch(stale.name) and stale.name not in keep:
            stale.unlink()
    index = dest / "index.html"
    index.write_text(_index_page(patients, criteria, evidence, names, out), encoding="utf-8")
    return index


__all__: Sequence[str] = ("Span", "ReportError", "highlight", "page_name", "context_classes", "write_report")
