"""ConText negation and historical on the NegEx test set (2,376 physician-annotated conditions
in discharge-summary sentences), beside the published figures on the same set.

Each annotated condition is marked as a target in its text and the project's sentence splitter and
ConText (medspaCy defaults + patterns/context_rules.json) run on it, as in the screener; the
sectionizer and target rules play no part (the set gives sentences, not notes).
Caution (../shared/data/negex/SOURCE.txt): NegEx-family lexicons were tuned on this set, so it is
not a clean held-out test for them; the project's additions were written from clinical usage,
not from these sentences.

    python -m benchmarks.negex [--limit N] [--errors K]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass

from benchmarks._data import require, shared_data
from extractor.evidence import effective_modifiers

PUBLISHED = [
    ("GenNegEx v1.2 (README)", "negation", 0.9345, 0.9593, 0.9467),
    ("genConText (README)", "negation", 0.9836, 0.9776, 0.9806),
    ("genConText (README)", "historical", 0.75, 0.60, 0.667),
]


@dataclass
class Row:
    condition: str
    sentence: str
    negated: bool
    historical: bool


def load(path) -> list[Row]:
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        for rec in reader:
            if len(rec) < 6:
                continue
            rows.append(Row(rec[1].strip(), rec[2], rec[3].strip().lower() == "negated", rec[4].strip().lower() == "historical"))
    return rows


def _span(doc, condition: str):
    """The annotated occurrence of the condition: the set writes it in capitals ("ALLERGIES:  He has
    no known ALLERGIES."), so an upper-case occurrence is preferred to the first one."""
    pattern = r"\s+".join(re.escape(w) for w in condition.split())
    matches = list(re.finditer(pattern, doc.text, re.IGNORECASE))
    if not matches:
        return None
    match = next((m for m in matches if m.group().isupper()), matches[0])
    return doc.char_span(match.start(), match.end(), label="CONDITION", alignment_mode="expand")


def predict(nlp, rows: list[Row]) -> list[tuple[Row, bool, bool, str] | None]:
    """(row, negated, historical, triggers) per row; None where the condition is not in its sentence."""
    context = nlp.get_pipe("medspacy_context")
    splitter = nlp.get_pipe("ln_sentences")
    out = []
    for row in rows:
        # sentence boundaries as the screener draws them: many "sentences" of the set are longer passages
        doc = splitter(nlp.make_doc(row.sentence))
        span = _span(doc, row.condition)
        if span is None:
            out.append(None)
            continue
        doc.ents = [span]
        context(doc)
        ent = doc.ents[0]
        modifiers = effective_modifiers(ent)  # the same filter the screener's evidence uses
        categories = {m.category for m in modifiers}
        triggers = "; ".join(f"{m.category}:{doc[m.modifier_span[0]:m.modifier_span[1]].text}" for m in modifiers)
        out.append((row, "NEGATED_EXISTENCE" in categories, "HISTORICAL" in categories, triggers))
    return out


def scores(pairs: list[tuple[bool, bool]]) -> tuple[float, float, float, int, int, int]:
    tp = sum(g and p for g, p in pairs)
    fp = sum(p and not g for g, p in pairs)
    fn = sum(g and not p for g, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp, fp, fn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="score only the first N rows")
    parser.add_argument("--errors", type=int, default=0, help="print K errors of each kind")
    args = parser.parse_args(argv)
    path = shared_data() / "negex" / "rsAnnotations-1-120-random.txt"
    if not require(path):
        return 0
    from extractor.pipeline import build_nlp

    rows = load(path)[: args.limit]
    results = predict(build_nlp(), rows)
    found = [r for r in results if r is not None]
    print(f"NegEx test set: {len(rows)} conditions, {len(found)} located in their sentence\n")
    print(f"{'system':<28}{'feature':<12}{'P':>7}{'R':>7}{'F1':>7}")
    table = {}
    for feature, gold_of, pred_index in (("negation", lambda r: r.negated, 1), ("historical", lambda r: r.historical, 2)):
        p, r, f, tp, fp, fn = scores([(gold_of(x[0]), x[pred_index]) for x in found])
        table[feature] = (p, r, f)
        print(f"{'ln-screener ConText':<28}{feature:<12}{p:7.3f}{r:7.3f}{f:7.3f}   (tp {tp}, fp {fp}, fn {fn})")
    for name, feature, p, r, f in PUBLISHED:
        print(f"{name:<28}{feature:<12}{p:7.3f}{r:7.3f}{f:7.3f}")
    if args.errors:
        for label, idx, gold_of in (("negation", 1, lambda r: r.negated), ("historical", 2, lambda r: r.historical)):
            wrong = [x for x in found if gold_of(x[0]) != x[idx]]
            print(f"\n{label} errors ({len(wrong)}):")
            for row, neg, hist, trig in wrong[: args.errors]:
                print(f"  gold={gold_of(row)} [{row.condition}] {row.sentence[:160]}  <{trig}>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
