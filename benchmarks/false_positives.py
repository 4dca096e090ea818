"""What fires on real text nobody here wrote: the E3C lupus case reports and MTSamples.

Runs the screener's pipeline over each document and prints, per concept, how many affirmed
mentions fired, the most frequent matched texts, and a few in context for review. There is no
gold: the point is to read what fires and fix what is wrong (patterns written as a clinician
would, never fitted to these documents).

    python -m benchmarks.false_positives [--samples K] [--concepts C1,C2]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter, defaultdict

from benchmarks._data import require, shared_data


def documents(limit: int | None = None) -> list[tuple[str, str, str]]:
    """(source, doc id, text)."""
    base = shared_data()
    docs = []
    lupus = base / "e3c_en" / "subset_lupus_SLE_mentions.jsonl"
    if lupus.exists():
        for line in lupus.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            docs.append(("e3c_lupus", rec["id"], rec["text"]))
    mts = base / "mtsamples" / "general_medicine_txt"
    if mts.exists():
        for path in sorted(mts.glob("*.txt")):
            docs.append(("mtsamples", path.stem, path.read_text(encoding="utf-8", errors="replace")))
    return docs[:limit] if limit else docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--concepts", default="")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    if not require(shared_data()):
        return 0
    from extractor.screen import Screener

    screener = Screener()
    docs = documents(args.limit)
    by_concept: dict[str, list] = defaultdict(list)
    tuples = [(f"{src}:{doc_id}", src, None, text) for src, doc_id, text in docs]
    texts = {t[0]: t[3] for t in tuples}
    for note_id, evs in screener.note_evidence(tuples):
        for ev in evs:
            if not (ev.negated or ev.family or ev.hypothetical or ev.uncertain):
                by_concept[ev.concept].append(ev)
    wanted = set(filter(None, args.concepts.split(",")))
    rng = random.Random(0)
    print(f"{len(docs)} documents ({Counter(d[0] for d in docs)})\n")
    for concept in sorted(by_concept, key=lambda c: -len(by_concept[c])):
        if wanted and concept not in wanted:
            continue
        evs = by_concept[concept]
        top = Counter(ev.text.lower() for ev in evs).most_common(6)
        print(f"{concept:<32}{len(evs):>5}  " + ", ".join(f"{t} ({n})" for t, n in top))
        for ev in rng.sample(evs, min(args.samples, len(evs))):
            text = texts[ev.note_id]
            print(f"    {ev.note_id}: ...{text[max(0, ev.start - 60):ev.start]}[{ev.text}]{text[ev.end:ev.end + 60]}...".replace("\n", " "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
