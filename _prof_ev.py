import cProfile, pstats, time
from benchmarks.throughput import notes
from extractor.screen import Screener
from extractor.evidence import doc_evidence
texts = notes()
s = Screener(); s.windowed = True
docs = []
for t in texts:
    d = s.window_doc(t)
    if d is not None: docs.append(d)
print(len(docs))
pr = cProfile.Profile(); pr.enable()
for d in docs:
    doc_evidence(d, "P", "N", None, s.concepts, s.section_flags, {})
pr.disable()
pstats.Stats(pr).sort_stats('tottime').print_stats(25)
st = pstats.Stats(pr); st.sort_stats('tottime')
st.print_callers("method 'search' of 're.Pattern'")
