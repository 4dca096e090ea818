"""Throughput on the same notes, one core: the project's pipeline vs medspaCy's default
pipeline (PyRuSH sentences + TargetMatcher + ConText) loaded with the project's own target rules.

Prints chars/s and notes/s of each, their ratio, peak memory, and the share of time per stage
of the project's pipeline. The project's pipeline runs twice: through candidate windows (the
default, :mod:`extractor.windows`) and on the full text; the benchmark also checks that both
give the same evidence rows on these notes. Notes: corpus/synthetic_notes plus MTSamples from ../shared/data
when present.

    python -m benchmarks.throughput [--repeat N] [--rounds N]
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


def seconds_of(fn, texts: list[str]) -> float:
    start = time.perf_counter()
    fn(texts)
    return time.perf_counter() - start


def report(label: str, seconds: float, texts: list[str]) -> float:
    chars = sum(map(len, texts))
    print(f"{label:<44}{chars / seconds / 1000:10.0f} k chars/s {len(texts) / seconds:8.1f} notes/s")
    return chars / seconds


def stage_shares(screener, texts: list[str]) -> None:
    """Share of time per stage of the default (candidate windows) path."""
    from extractor._extensions import DATE_SPANS_KEY, REGEX_MATCHES_KEY, SENTENCES_KEY, TEXT_KEY
    from extractor.evidence import doc_evidence
    from extractor.sentences import sentence_spans
    from extractor.windows import masked_text

    totals: dict[str, float] = {"sentence split (whole note)": 0.0, "find windows (whole note)": 0.0,
                                "mask": 0.0, "tokenizer": 0.0}
    totals.update({name: 0.0 for name in screener.nlp.pipe_names})
    totals["evidence (dates, values)"] = 0.0
    covered = 0
    for text in texts:
        t = time.perf_counter()
        sentences = sentence_spans(text)
        totals["sentence split (whole note)"] += time.perf_counter() - t
        t = time.perf_counter()
        found = screener.windows.find(text, sentences)
        totals["find windows (whole note)"] += time.perf_counter() - t
        covered += found.covered()
        if not found.spans:
            continue
        t = time.perf_counter()
        body = masked_text(text, found.spans)
        totals["mask"] += time.perf_counter() - t
        t = time.perf_counter()
        doc = screener.nlp.make_doc(body)
        totals["tokenizer"] += time.perf_counter() - t
        doc.user_data.update({TEXT_KEY: text, SENTENCES_KEY: sentences, REGEX_MATCHES_KEY: found.regex_matches,
                              DATE_SPANS_KEY: found.sentences})
        for name, proc in screener.nlp.pipeline:
            t = time.perf_counter()
            doc = proc(doc)
            totals[name] += time.perf_counter() - t
        t = time.perf_counter()
        doc_evidence(doc, "P", "N", None, screener.concepts, screener.section_flags, {})
        totals["evidence (dates, values)"] += time.perf_counter() - t
    whole = sum(totals.values())
    print(f"\nwindows cover {100 * covered / sum(map(len, texts)):.1f} % of the text")
    print("share of time per stage (candidate windows):")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<32}{100 * seconds / whole:6.1f} %")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="process the notes N times")
    parser.add_argument("--rounds", type=int, default=1,
                        help="time the three pipelines in turn N times and keep each one's best time "
                             "(a busy machine slows one phase and skews a single round's ratios)")
    args = parser.parse_args(argv)
    texts = notes() * args.repeat
    print(f"{len(texts)} notes, {sum(map(len, texts)) / 1e6:.2f} M chars\n")
    from extractor.screen import Screener

    screener = Screener()
    tuples = [(f"n{i}", "P", None, t) for i, t in enumerate(texts)]
    rows = {}

    def evidence(windowed: bool):
        screener.windowed = windowed
        rows[windowed] = [[ev.row() for ev in evs] for _, evs in screener.note_evidence(tuples)]

    baseline_nlp = medspacy_default()
    runs = {"windows": lambda _: evidence(True), "full": lambda _: evidence(False),
            "base": lambda ts: list(baseline_nlp.pipe(ts))}
    best = {name: float("inf") for name in runs}
    for _ in range(max(1, args.rounds)):
        for name, fn in runs.items():
            best[name] = min(best[name], seconds_of(fn, texts))
    if args.rounds > 1:
        print(f"best of {args.rounds} rounds each")
    ours = report("project pipeline, candidate windows", best["windows"], texts)
    full = report("project pipeline, full text", best["full"], texts)
    base = report("medspaCy default + project target rules", best["base"], texts)
    differing = sum(a != b for a, b in zip(rows[True], rows[False]))
    print(f"\nratio windows / medspaCy default:   {ours / base:.1f}x")
    print(f"ratio full text / medspaCy default: {full / base:.1f}x")
    print(f"notes whose evidence differs between windows and full text: {differing} of {len(texts)}")
    stage_shares(screener, texts)
    print(f"\npeak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
