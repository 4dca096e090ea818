import cProfile, pstats, time, sys

from benchmarks.throughput import notes
from extractor.screen import Screener
from extractor.sentences import sentence_spans
texts = notes()
s = Screener()
s.windows  # build
sents=[sentence_spans(t) for t in texts]
s.windows.find(texts[0], sents[0])
t=time.perf_counter()
for x,ss in zip(texts,sents): s.windows.find(x,ss)
print('find', time.perf_counter()-t)
pr=cProfile.Profile(); pr.enable()
for x,ss in zip(texts,sents): s.windows.find(x,ss)
pr.disable()
pstats.Stats(pr).sort_stats('tottime').print_stats(15)
