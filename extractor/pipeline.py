"""Build the rule-based spaCy/medspaCy pipeline from the files under ``patterns/``.

Components, in order:

1. medspaCy's clinical tokenizer, plus a split between a digit and a letter ("60mg" → "60 mg")
   so rules and values align to token boundaries.
2. ``ln_sentences``: boundaries from :func:`extractor.sentences.sentence_spans` (one regex pass).
3. ``ln_target_matcher``: medspaCy's TargetMatcher over every ``patterns/targets/*.json`` file,
   with the spans set on ``doc.ents`` in one assignment (medspaCy adds them one by one, and each
   ``doc.ents +=`` re-walks the doc: quadratic in note length).
4. ``abbreviation_detector`` (scispacy) and ``ln_abbreviation_targets``: a short form that a note
   defines for a matched concept ("belimumab (BLM)") is matched as that concept elsewhere in it.
5. ``medspacy_sectionizer``: medspaCy's default section rules plus ``patterns/section_rules.json``.
6. ``medspacy_context``: medspaCy's default ConText rules plus ``patterns/context_rules.json``.

No model is downloaded: the pipeline starts from ``spacy.blank("en")``. Build it once per
process; medspaCy pipelines do not pickle.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy
from loguru import logger
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, filter_spans

from ._extensions import register_extensions
from .rules import (
    load_context_rules,
    load_section_rules,
    load_target_rules,
    patterns_dir,
    removed_default_literals,
    target_rule_files,
)
from .sentences import sentence_spans

DIGIT_LETTER_INFIX = r"(?<=[0-9])(?=[A-Za-z])"

logger.disable("PyRuSH")  # never let medspaCy's optional splitter log per token
# medspaCy and scispacy keep empty internal matchers; spaCy warns about them on every doc.
warnings.filterwarnings("ignore", message=r"\[W036\]")


@Language.component("ln_sentences")
def ln_sentences(doc: Doc) -> Doc:
    """Copy :func:`sentence_spans` boundaries onto tokens: the first token at or after each cut
    starts a sentence (a cut can fall inside white space attached to a token)."""
    if not len(doc):
        return doc
    cuts = [start for start, _ in sentence_spans(doc.text)]
    starts = numpy.full((len(doc), 1), -1, dtype="int64")  # 1 starts a sentence, -1 does not
    k = 0
    for token in doc:
        is_start = token.i == 0
        while k < len(cuts) and cuts[k] <= token.idx:
            is_start = is_start or token.i > 0
            k += 1
        if is_start:
            starts[token.i, 0] = 1
    # one call: the token.is_sent_start setter rescans the whole doc each time (quadratic)
    doc.from_array([SENT_START], starts.astype("uint64"))  # spaCy stores -1 as two's complement
    return doc


def looks_like_abbreviation(text: str) -> bool:
    """2-10 characters with at least two capitals, or a capital and a digit ("BLM", "IVIg", "CPM")."""
    capitals = sum(ch.isupper() for ch in text)
    return 2 <= len(text) <= 10 and (capitals >= 2 or (capitals >= 1 and any(ch.isdigit() for ch in text)))


class LnTargetMatcher:
    """medspaCy's TargetMatcher returning spans, set on ``doc.ents`` at once. As in medspaCy, a
    span overlapping one already kept (or an entity set upstream) is skipped."""

    def __init__(self, nlp, name):
        from medspacy.target_matcher import TargetMatcher

        self.matcher = TargetMatcher(nlp, name=name, result_type=None)

    @property
    def labels(self):
        return self.matcher.labels

    def add(self, rules) -> None:
        self.matcher.add(rules)

    def __call__(self, doc: Doc) -> Doc:
        taken = set()
        for ent in doc.ents:
            taken.update(range(ent.start, ent.end))
        kept = list(doc.ents)
        for span in self.matcher(doc):
            if taken.isdisjoint(range(span.start, span.end)):
                kept.append(span)
                taken.update(range(span.start, span.end))
        doc.ents = sorted(kept, key=lambda span: span.start)
        return doc


@Language.factory("ln_target_matcher")
def make_ln_target_matcher(nlp, name):  # no annotations: spaCy validates factory arguments
    return LnTargetMatcher(nlp, name)


@Language.component("ln_abbreviation_targets")
def ln_abbreviation_targets(doc: Doc) -> Doc:
    """Match note-defined short forms of matched concepts as the same concept."""
    abbreviations = getattr(doc._, "abbreviations", None) or []
    if not abbreviations or not doc.ents:
        return doc
    new_spans = []
    for short in abbreviations:
        if not looks_like_abbreviation(short.text):
            continue  # "(negative)" after a long phrase is not a short form
        long_form = short._.long_form
        target = None
        for ent in doc.ents:
            if ent.start_char >= long_form.start_char and ent.end_char <= long_form.end_char:
                target = ent
                break
        if target is None:
            continue
        if any(e.start <= short.start < e.end for e in doc.ents):
            continue
        span = Span(doc, short.start, short.end, label=target.label_)
        span._.target_rule = target._.target_rule
        span._.abbreviation_of = long_form.text
        new_spans.append(span)
    if new_spans:
        doc.ents = filter_spans(list(doc.ents) + new_spans)
    return doc


def _tokenizer(nlp: Language):
    from medspacy.custom_tokenizer import create_medspacy_tokenizer

    tokenizer = create_medspacy_tokenizer(nlp)
    infixes = list(nlp.Defaults.infixes) + [DIGIT_LETTER_INFIX]
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    # medspaCy's tokenizer already splits on punctuation; keep its own infixes too.
    return tokenizer


def build_nlp(directory: Path | None = None) -> Language:
    """A ready pipeline over the rule files in ``directory`` (default: the packaged patterns)."""
    import spacy
    from medspacy.context import ConText
    from medspacy.section_detection import Sectionizer
    from scispacy.abbreviation import AbbreviationDetector  # noqa: F401  registers the factory

    register_extensions()
    base = Path(directory) if directory else patterns_dir()
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    nlp.add_pipe("ln_sentences")

    matcher = nlp.add_pipe("ln_target_matcher")
    for path in target_rule_files(base):
        matcher.add(load_target_rules(path))

    nlp.add_pipe("abbreviation_detector")
    nlp.add_pipe("ln_abbreviation_targets")

    sectionizer: Sectionizer = nlp.add_pipe("medspacy_sectionizer", config={"rules": None})
    sectionizer.add(merged_rules(base / "section_rules.json", Path(sectionizer.DEFAULT_RULES_FILEPATH),
                                 load_section_rules))

    context: ConText = nlp.add_pipe("medspacy_context", config={"rules": None})
    context.add(merged_rules(base / "context_rules.json", Path(context.DEFAULT_RULES_FILEPATH),
                             load_context_rules))
    return nlp


def _literal_key(literal: str) -> str:
    return literal.lower().strip().rstrip(":").strip()


def merged_rules(project_file: Path, default_file: Path, load) -> list:
    """medspaCy's default rules, minus those whose literal the project redefines, plus the
    project's. Overlapping matches are pruned to one and defaults would win ties: a default
    "decline" (FORWARD, also matching "declined") hid the project's BIDIRECTIONAL "declined",
    and the default "PAST SURGICAL HISTORY:" is filed under past_medical_history. A project
    file may also list defaults to drop under ``remove_default_literals``."""
    project, redefined = [], set()
    if project_file.exists():
        project = load(project_file)
        redefined = {_literal_key(rule.literal) for rule in project} | {
            _literal_key(x) for x in removed_default_literals(project_file)}
    defaults = [r for r in load(default_file) if _literal_key(r.literal) not in redefined]
    return defaults + project
