"""Temporal expressions on E3C English clinical cases (layer 1, 84 documents, manual TIMEX3):
DATE and DURATION found (span overlap) and normalised (value), by extractor.dates and
extractor.durations.

DATE recall counts every gold DATE, including anchor-relative ones ("13 days later", "day 4")
that a note-date resolver does not claim to read; normalisation is scored where both the gold
value and the found date are absolute (YYYY, YYYY-MM, YYYY-MM-DD). A found expression is a false
positive when it overlaps no gold TIMEX3 of any class.

    python -m benchmarks.e3c_timex [--errors K]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass
from datetime import date

from benchmarks._data import require, shared_data

_TIMEX = re.compile(r'<custom:TIMEX3 [^>]*?begin="(\d+)" end="(\d+)"[^>]*?timex3Class="(\w+)"[^>]*?value="([^"]*)"')
_SOFA = re.compile(r'sofaString="([^"]*)"')
_ABSOLUTE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass
class Timex:
    start: int
    end: int
    cls: str
    value: str


def load(folder) -> list[tuple[str, str, list[Timex]]]:
    docs = []
    for path in sorted(folder.glob("*.xml")):
        xml = path.read_text(encoding="utf-8")
        text = html.unescape(_SOFA.search(xml).group(1))
        timexes = [Timex(int(b), int(e), c, v) for b, e, c, v in _TIMEX.findall(xml)]
        docs.append((path.stem, text, timexes))
    return docs


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _date_value(m) -> str:
    if m.precision == "year":
        return str(m.date_min.year)
    if m.precision == "month":
        return m.date_min.isoformat()[:7]
    return m.date_min.isoformat()


def _norm_period(value: str) -> str:
    return value.replace("PT", "P").upper()


def score(docs, references: dict[str, date]) -> dict:
    from extractor.dates import find_dates
    from extractor.durations import find_durations

    result = {}
    errors = {"DATE": [], "DURATION": []}
    for cls, finder in (("DATE", lambda t, ref: find_dates(t, ref)), ("DURATION", lambda t, ref: find_durations(t))):
        gold_n = found_n = hit_gold = true_found = norm_n = norm_ok = 0
        for doc_id, text, timexes in docs:
            found = finder(text, references.get(doc_id))
            gold = [t for t in timexes if t.cls == cls]
            gold_n += len(gold)
            found_n += len(found)
            for g in gold:
                match = next((f for f in found if _overlaps(f.start, f.end, g.start, g.end)), None)
                if match is None:
                    errors[cls].append(("missed", doc_id, text[g.start:g.end], g.value))
                    continue
                hit_gold += 1
                if cls == "DATE":
                    gold_value = g.value.rstrip("-_")
                    if _ABSOLUTE.match(gold_value) and match.kind == "absolute":
                        norm_n += 1
                        norm_ok += _date_value(match) == gold_value
                        if _date_value(match) != gold_value:
                            errors[cls].append(("value", doc_id, match.text, f"{_date_value(match)} vs {g.value}"))
                elif "X" not in g.value:
                    norm_n += 1
                    norm_ok += _norm_period(match.value) == _norm_period(g.value)
                    if _norm_period(match.value) != _norm_period(g.value):
                        errors[cls].append(("value", doc_id, match.text, f"{match.value} vs {g.value}"))
            for f in found:
                if any(_overlaps(f.start, f.end, t.start, t.end) for t in timexes):
                    true_found += 1
                else:
                    errors[cls].append(("spurious", doc_id, f.text, ""))
        precision = true_found / found_n if found_n else 0.0
        recall = hit_gold / gold_n if gold_n else 0.0
        result[cls] = {"gold": gold_n, "found": found_n, "precision": precision, "recall": recall,
                       "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
                       "normalised": norm_n, "value_accuracy": norm_ok / norm_n if norm_n else None}
    return {"scores": result, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", type=int, default=0)
    args = parser.parse_args(argv)
    base = shared_data() / "e3c_en"
    if not require(base / "annotation_layer1_xml"):
        return 0
    references = {}
    collection = base / "collection_layer1.jsonl"
    if collection.exists():  # publication date as the reference for relative expressions
        for line in collection.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            try:
                references[rec["id"]] = date.fromisoformat(rec.get("publication_date", "")[:10])
            except ValueError:
                pass
    docs = load(base / "annotation_layer1_xml")
    report = score(docs, references)
    print(f"E3C English layer 1: {len(docs)} documents\n")
    print(f"{'class':<10}{'gold':>6}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}{'value acc':>11}{'(n)':>6}")
    for cls, s in report["scores"].items():
        acc = "n/a" if s["value_accuracy"] is None else f"{s['value_accuracy']:.3f}"
        print(f"{cls:<10}{s['gold']:>6}{s['found']:>7}{s['precision']:7.3f}{s['recall']:7.3f}{s['f1']:7.3f}{acc:>11}{s['normalised']:>6}")
    if args.errors:
        for cls, errs in report["errors"].items():
            for kind in ("missed", "spurious", "value"):
                sel = [e for e in errs if e[0] == kind][: args.errors]
                if sel:
                    print(f"\n{cls} {kind}: " + "; ".join(f"{e[2]!r} {e[3]}".strip() for e in sel))
    return 0


if __name__ == "__main__":
    sys.exit(main())
