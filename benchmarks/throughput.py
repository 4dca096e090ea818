"""Throughput on the same notes, one core: the project's pipeline vs medspaCy's default
pipeline (PyRuSH sentences + TargetMatcher + ConText) loaded with the project's own target rules.

Prints chars/s and notes/s of each, their ratio, peak memory, and the share of time per stage
of the project's pipeline. Notes: corpus/synthetic_notes plus MTSamples from ../shared/data
when present.

    python -m benchmarks.throughput [--repeat N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from benchmarks._data import shared_data


def notes() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path("corpus/synthetic_notes/notes").rglob("*.txt"))]
    mts = shared_data() / "mtsamples" / "general_medicine_txt"
    if mts.exists():
        texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(mts.glob("*.txt"))]
    return texts


def medspacy_default():
    import medspacy
    from loguru import logger

    from extractor.rules import load_target_rules, target_rule_files

    logger.disable("PyRuSH")
    nlp = medspacy.load(medspacy_enable=["medspacy_pyrush", "medspacy_target_matcher", "medspacy_context"])
    matcher = nlp.get_pipe("medspacy_target_matcher")
    for path in target_rule_files():
        matcher.add(load_target_rules(path))
    return nlp


def timed(label: str, fn, texts: list[str]) -> float:
    start = time.perf_counter()
    fn(texts)
    seconds = time.perf_counter() - start
    chars = sum(map(len, texts))
    print(f"{label:<44}{chars / seconds / 1000:10.0f} k chars/s {len(texts) / seconds:8.1f} notes/s")
    return chars / seconds


def stage_shares(nlp, texts: list[str]) -> None:
    from extractor.evidence import doc_evidence
    from extractor.screen import Screener

    screener = Screener.__new__(Screener)
    totals = {"tokenizer": 0.0}
    for name in nlp.pipe_names:
        totals[name] = 0.0
    totals["evidence (dates, values)"] = 0.0
    from extractor.screen import _section_flags
    from extractor.criteria import load_criteria

    criteria = load_criteria()
    concepts = {k: v.model_dump() for k, v in criteria.spec.concepts.items()}
    flags = _section_flags(None)
    for text in texts:
        t = time.perf_counter()
        doc = nlp.make_doc(text)
        totals["tokenizer"] += time.perf_counter() - t
        for name, proc in nlp.pipeline:
            t = time.perf_counter()
            doc = proc(doc)
            totals[name] += time.perf_counter() - t
        t = time.perf_counter()
        doc_evidence(doc, "P", "N", None, concepts, flags, {})
        totals["evidence (dates, values)"] += time.perf_counter() - t
    whole = sum(totals.values())
    print("\nshare of time per stage (project pipeline):")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<32}{100 * seconds / whole:6.1f} %")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="process the notes N times")
    args = parser.parse_args(argv)
    texts = notes() * args.repeat
    print(f"{len(texts)} notes, {sum(map(len, texts)) / 1e6:.2f} M chars\n")
    from extractor.screen import Screener

    screener = Screener()
    tuples = [(f"n{i}", "P", None, t) for i, t in enumerate(texts)]
    ours = timed("project pipeline (evidence rows)", lambda _: list(screener.note_evidence(tuples)), texts)
    baseline_nlp = medspacy_default()
    base = timed("medspaCy default + project target rules", lambda ts: list(baseline_nlp.pipe(ts)), texts)
    print(f"\nratio project / medspaCy default: {ours / base:.1f}x")
    stage_shares(screener.nlp, texts)
    print(f"\npeak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
