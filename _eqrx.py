import time, glob
from benchmarks.throughput import notes
from extractor.screen import Screener
from extractor.windows import _matches_at
texts = notes()
for d in ['corpus/heldout_notes/notes','/work/shared/data']:
    for f in glob.glob(d+'/**/*.txt', recursive=True)[:3000]:
        texts.append(open(f, encoding='utf-8', errors='replace').read())
print(len(texts), sum(map(len,texts)))
w = Screener().windows
print(len(w.starts_known), 'of', len(w.regex_anchors), 'patterns tried at their starts')
for x in texts[:]:
    lower=x.lower()
    if len(lower)!=len(x): continue
    at={}
    for e,(l,ids) in w.start_automaton.iter(lower):
        for i in ids: at.setdefault(i,set()).add(e+1-l)
    for i in w.starts_known:
        p=w.regex_anchors[i][0]
        a=[m.span() for m in p.finditer(x)]; b=_matches_at(p,x,at.get(i,()))
        assert a==b, (p.pattern[:80], a[:3], b[:3])
print('same')
