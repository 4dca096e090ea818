"""Build the rule-based spaCy/medspaCy pipeline from the files under ``patterns/``.

Components, in order:

1. medspaCy's clinical tokenizer, plus a split between a digit and a letter ("60mg" → "60 mg")
   and at HL7 separators ("OBX|1|ST|HIVAGAB^HIV-1/2") so rules and values align to token boundaries.
2. ``ln_sentences``: boundaries from :func:`extractor.sentences.sentence_spans` (one regex pass).
3. ``ln_target_matcher``: medspaCy's TargetMatcher over every ``patterns/targets/*.json`` file,
   with the spans set on ``doc.ents`` in one assignment (medspaCy adds them one by one, and each
   ``doc.ents +=`` re-walks the doc: quadratic in note length).
4. ``abbreviation_detector`` (scispacy) and ``ln_abbreviation_targets``: a short form that a note
   defines for a matched concept ("belimumab (BLM)") is matched as that concept elsewhere in it.
5. ``medspacy_sectionizer``: medspaCy's default section rules plus ``patterns/section_rules.json``.
6. ``medspacy_context``: medspaCy's default ConText rules plus ``patterns/context_rules.json``;
   its token patterns are tried only where they can start (:mod:`extractor.token_patterns`).

No model is downloaded: the pipeline starts from ``spacy.blank("en")``. Build it once per
process; medspaCy pipelines do not pickle.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import warnings
from pathlib import Path

import numpy
from loguru import logger
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex, filter_spans

from ._extensions import REGEX_MATCHES_KEY, SENTENCES_KEY, TEXT_KEY, register_extensions
from .rules import (
    load_context_rules,
    load_section_rules,
    load_target_rules,
    patterns_dir,
    removed_default_literals,
    target_rule_files,
)
from .sentences import sentence_spans
from .token_patterns import SplitMatcher

DIGIT_LETTER_INFIX = r"(?<=[0-9])(?=[A-Za-z])"
# HL7 v2 field, component and repetition separators inside one run of text:
# "OBX|1|ST|HIVAGAB^HIV-1/2 Ag/Ab 4th gen^L||Nonreactive"
HL7_INFIX = r"[|^~]"

logger.disable("PyRuSH")  # never let medspaCy's optional splitter log per token
# medspaCy and scispacy keep empty internal matchers; spaCy warns about them on every doc.
warnings.filterwarnings("ignore", message=r"\[W036\]")


@Language.component("ln_sentences")
def ln_sentences(doc: Doc) -> Doc:
    """Copy :func:`sentence_spans` boundaries onto tokens: the first token at or after each cut
    starts a sentence (a cut can fall inside white space attached to a token)."""
    if not len(doc):
        return doc
    spans = doc.user_data.get(SENTENCES_KEY) or sentence_spans(doc.text)  # windows pass the note's own
    cuts = numpy.fromiter((start for start, _ in spans), dtype="int64")
    idx = numpy.asarray(doc.to_array(IDX), dtype="int64").reshape(-1)
    consumed = numpy.searchsorted(cuts, idx, side="right")  # cuts at or before each token
    is_start = numpy.empty(len(doc), dtype=bool)
    is_start[0] = True
    is_start[1:] = consumed[1:] > consumed[:-1]
    starts = numpy.where(is_start, 1, -1).astype("int64").reshape(-1, 1)
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


_INITIAL = re.compile(r"[A-Za-z]\.")
# an elided article or particle glued to the next word (not "O'Brien": a capital O is no elision)
_ELISION_PREFIX = r"^(?:[dlnjsmtcDLNJSMTC]|[qQ]u)['’](?=[^\W\d_])"


def _tokenizer(nlp: Language):
    from medspacy.custom_tokenizer import create_medspacy_tokenizer

    tokenizer = create_medspacy_tokenizer(nlp)
    infixes = list(nlp.Defaults.infixes) + [DIGIT_LETTER_INFIX, HL7_INFIX]
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    # spaCy keeps an initial with its period ("B.") as one token: "hepatitis B." and "Haemophilus
    # influenzae tipo b." at a sentence's end would then never match their phrase rules
    tokenizer.rules = {text: attrs for text, attrs in tokenizer.rules.items() if not _INITIAL.fullmatch(text)}
    tokenizer.suffix_search = re.compile(tokenizer.suffix_search.__self__.pattern + r"|(?<=^[A-Za-z])\.$").search
    # French and Catalan elisions are their own words: "d'abatacept", "Jamais reçu d'IgIV", "N'allaite pas"
    tokenizer.prefix_search = re.compile(tokenizer.prefix_search.__self__.pattern + "|" + _ELISION_PREFIX).search
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
    _use_given_regex_matches(nlp)
    for medspacy_matcher in (matcher.matcher._TargetMatcher__matcher, context._ConText__matcher):
        expand_set_predicates(medspacy_matcher._MedspacyMatcher__matcher)
    context_matcher = context._ConText__matcher
    context_matcher._MedspacyMatcher__matcher = SplitMatcher(context_matcher._MedspacyMatcher__matcher)
    matcher.matcher._TargetMatcher__matcher.__class__ = _gap_free_matcher()
    context._ConText__matcher.__class__ = _target_sentence_matcher()
    context.__class__ = _sentence_graph_context()
    return nlp


_SET_ATTRS = ("LOWER", "TEXT", "ORTH", "NORM")


def expanded_pattern(pattern: list[dict], cap: int = 64) -> list[list[dict]]:
    """``pattern`` with each required token's ``{"IN": [...]}`` on a text attribute written out as
    one pattern per value: ``[{"LOWER": {"IN": ["was", "is"]}}, {"LOWER": "not"}]`` becomes the
    patterns "was not" and "is not". spaCy's Matcher checks a plain value in C but a set through a
    Python predicate on every token, so the same matches come three times faster. Optional tokens
    ("OP") stay as they are (two expansions would both match without the token). Sets are written
    out from the first token on while the patterns stay at most ``cap``; later sets stay predicates,
    which the Matcher only reaches once the written-out start has matched."""
    choices, count, expanding = [], 1, True
    for token in pattern:
        alternatives = [token]
        if expanding and "OP" not in token:
            for attr in _SET_ATTRS:
                value = token.get(attr)
                if isinstance(value, dict) and set(value) == {"IN"}:
                    alternatives = [{**token, attr: item} for item in value["IN"]]
                    break
            if count * len(alternatives) > cap:
                alternatives, expanding = [token], False
        choices.append(alternatives)
        count *= len(alternatives)
    return [list(combination) for combination in itertools.product(*choices)]


def expand_set_predicates(matcher) -> None:
    """Rewrite every pattern of a spaCy Matcher with :func:`expanded_pattern` (same matches)."""
    for key in list(matcher._patterns):
        on_match, patterns = matcher.get(key)
        expanded = [p for pattern in patterns for p in expanded_pattern(pattern)]
        if len(expanded) != len(patterns):
            matcher.remove(key)
            matcher.add(key, expanded, on_match=on_match)


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


def _regex_matchers(nlp: Language) -> list:
    """medspaCy's RegexMatcher inside each rule component (name-mangled private attributes)."""
    medspacy_matchers = [nlp.get_pipe("ln_target_matcher").matcher._TargetMatcher__matcher,
                         nlp.get_pipe("medspacy_sectionizer")._Sectionizer__matcher,
                         nlp.get_pipe("medspacy_context")._ConText__matcher]
    return [m._MedspacyMatcher__regex_matcher for m in medspacy_matchers]


def _use_given_regex_matches(nlp: Language) -> None:
    from medspacy.common.regex_matcher import RegexMatcher

    for regex_matcher in _regex_matchers(nlp):
        if type(regex_matcher) is RegexMatcher:
            regex_matcher.__class__ = _given_matches_regex_matcher()


@functools.lru_cache(maxsize=None)
def _given_matches_regex_matcher():
    from medspacy.common.regex_matcher import RegexMatcher
    from medspacy.common.util import get_token_for_char

    class _Matcher(RegexMatcher):
        """medspaCy's RegexMatcher, except that a doc carrying the matches of its patterns on the
        original note (``doc.user_data[REGEX_MATCHES_KEY]``, a window doc) uses those; spans are
        aligned to tokens exactly as medspaCy aligns them."""

        def __call__(self, doc: Doc):
            given = doc.user_data.get(REGEX_MATCHES_KEY)
            if given is None:
                return super().__call__(doc)
            text = doc.user_data[TEXT_KEY] if TEXT_KEY in doc.user_data else doc.text_with_ws
            matches = []
            for match_id, patterns in self._patterns.items():
                on_match = self._callbacks[match_id]
                for pattern in patterns:
                    found = given.get(pattern.pattern)
                    if found is None:
                        found = [m.span() for m in pattern.finditer(text)]
                    for start_char, end_char in found:
                        span = doc.char_span(start_char, end_char)
                        if span is None:
                            start = get_token_for_char(doc, start_char, resolve=self.resolve_start)
                            end = get_token_for_char(doc, end_char, resolve=self.resolve_end)
                            span = doc[start.i : len(doc) if end is None else end.i]
                        if len(span):
                            matches.append((match_id, span.start, span.end))
                        if on_match is not None:
                            on_match(self, doc, len(matches) - 1, matches)
            return matches

    return _Matcher


def is_gap(token) -> bool:
    """White space the tokenizer kept as a token, inside a sentence and with at most one line
    break: a hard wrap ("lupus\\nnephritis") or a run of spaces ("negative   for").
    :func:`extractor.windows._close_gaps` closes the same gaps in the text, for the window finder."""
    return token.is_space and token.text.count("\n") <= 1 and not (
        token.i + 1 < len(token.doc) and token.doc[token.i + 1].is_sent_start)


def gap_free_matches(matcher, tokens) -> list[tuple[int, int, int]]:
    """Token-pattern then phrase matches of a MedspacyMatcher on ``tokens`` (a doc or a span), in
    doc offsets, read as if every gap were one space. A phrase rule is a list of tokens, and
    spaCy keeps each extra space or line break as a token of its own, so without this a wrapped
    or spaced phrase never matches."""
    doc = tokens.doc if isinstance(tokens, Span) else tokens
    offset = tokens.start if isinstance(tokens, Span) else 0
    kept = [token.i for token in tokens if not is_gap(token)]
    if len(kept) == len(tokens):
        token_matches = [(key, start + offset, end + offset) for key, start, end in matcher._MedspacyMatcher__matcher(tokens)]
        return token_matches + list(matcher._MedspacyMatcher__phrase_matcher(tokens))
    compact = Doc(doc.vocab, words=[doc[i].text for i in kept])
    found = matcher._MedspacyMatcher__matcher(compact) + matcher._MedspacyMatcher__phrase_matcher(compact)
    return [(key, kept[start], kept[end - 1] + 1) for key, start, end in found]


@functools.lru_cache(maxsize=None)
def _gap_free_matcher():
    from medspacy.common.medspacy_matcher import MedspacyMatcher
    from medspacy.common.util import prune_overlapping_matches

    class _Matcher(MedspacyMatcher):
        """medspaCy's matcher with token and phrase rules read across gaps (:func:`is_gap`);
        regular expressions already run on the text."""

        def __call__(self, doc: Doc):
            matches = gap_free_matches(self, doc) + self._MedspacyMatcher__regex_matcher(doc)
            return prune_overlapping_matches(matches) if self._prune else matches

    return _Matcher


@functools.lru_cache(maxsize=None)
def _target_sentence_matcher():
    from medspacy.common.util import prune_overlapping_matches

    class _Matcher(_gap_free_matcher()):
        """ConText's matcher, which on a window doc looks for modifiers only in sentences that
        hold a target: a modifier's scope is its sentence, so modifiers elsewhere change nothing
        (and in a long note, pruning every modifier of the note was quadratic). Matches come in
        medspaCy's order: token patterns, then phrases, each in text order."""

        def __call__(self, doc: Doc):
            if TEXT_KEY not in doc.user_data or self._MedspacyMatcher__regex_matcher._patterns:
                return super().__call__(doc)
            matches, seen = [], set()
            for ent in doc.ents:
                sent = ent.sent
                if sent.start in seen:
                    continue
                seen.add(sent.start)
                matches += gap_free_matches(self, sent)
            return prune_overlapping_matches(matches) if self._prune else matches

    return _Matcher


@functools.lru_cache(maxsize=None)
def _modifier():
    from medspacy.context import ConTextModifier

    class _Modifier(ConTextModifier):
        """medspaCy's modifier, except that

        - a terminator or a same-category modifier whose scope wholly contains this one's still
          limits it. medspaCy 1.3.1's ``tuple_overlaps`` misses containment, so once a first
          terminator had narrowed a scope ("we ... consider X; SLE has been ruled out"), a second
          one (";") no longer could, and "ruled out" reached X;
        - a FORWARD trigger whose last words begin the target still modifies it: in "not taking
          part in any clinical trial" and "not on any study drug" the target starts with the
          trigger's "taking"/"on", and medspaCy drops every modifier that shares a token with its
          target (meant for a trigger inside it, "no response")."""

        def modifies(self, target) -> bool:
            start, end = self.modifier_span
            if (start < target.start < end <= target.end and self.direction.upper() == "FORWARD"
                    and self.allows(target.label_.upper())):
                return self.on_modifies(target)
            return super().modifies(target)

        def limit_scope(self, other) -> bool:
            (start, end), (other_start, other_end) = self.scope_span, other.scope_span
            if not (other_start < start and end < other_end):
                return super().limit_scope(other)
            if self.direction.upper() == "TERMINATE":
                return False
            if (other.direction.upper() != "TERMINATE" and other.category.upper() not in self.rule.terminated_by
                    and other.category.upper() != self.category.upper()):
                return False
            if self.category == other.category and (self.allowed_types != other.allowed_types
                                                    or self.excluded_types != other.excluded_types):
                return False
            if self.direction.lower() in ("forward", "bidirectional") and other > self:
                self._scope_end = min(self._scope_end, other.modifier_span[0])
            if self.direction.lower() in ("backward", "bidirectional") and other < self:
                self._scope_start = max(self._scope_start, other.modifier_span[1])
            return self.scope_span != (start, end)

    return _Modifier


@functools.lru_cache(maxsize=None)
def _sentence_graph_context():
    from medspacy.context import ConText
    from medspacy.context.context_graph import ConTextGraph

    from .evidence import sentence_starts

    class _ConText(ConText):
        """medspaCy's ConText with one graph per sentence. A modifier's scope is its sentence
        (no ``max_scope`` here), so targets and modifiers of different sentences never meet,
        but medspaCy compares every pair in the note: quadratic (36 s on a 100 k-char note
        dense with mentions). Each sentence's graph sees the modifiers in the matcher's order,
        so every target gets the same modifiers in the same order."""

        def __call__(self, doc: Doc, targets: str | None = None) -> Doc:
            if self.input_span_type != "ents" or targets or self.max_scope:
                return super().__call__(doc, targets)
            matcher = self._ConText__matcher
            starts = sentence_starts(doc)  # as Span.sent finds them, without walking tokens

            def sentence_start(i: int) -> int:
                return starts[bisect.bisect_right(starts, i) - 1]

            groups: dict[int, tuple[list, list]] = {}
            for target in doc.ents:
                groups.setdefault(sentence_start(target.start), ([], []))[0].append(target)
            modifiers = []
            for match_id, start, end in matcher(doc):
                rule = matcher.rule_map[self.nlp.vocab[match_id].text]
                modifier = _modifier()(rule, start, end, doc, max_scope=self.max_scope)
                modifiers.append(modifier)
                group = groups.get(sentence_start(start))
                if group is not None:  # a sentence without targets has nothing to modify
                    group[1].append(modifier)
            edges = []
            for sentence_targets, sentence_modifiers in groups.values():
                graph = ConTextGraph(sentence_targets, sentence_modifiers,
                                     prune_on_modifier_overlap=self.prune_on_target_overlap)
                graph.update_scopes()
                graph.apply_modifiers()
                edges += graph.edges
            for target, modifier in edges:
                target._.modifiers += (modifier,)
            if self.context_attributes_mapping:
                self.set_context_attributes(edges)
            doc._.context_graph = ConTextGraph(list(doc.ents), modifiers, edges,
                                               prune_on_modifier_overlap=self.prune_on_target_overlap)
            return doc

    return _ConText


def build_window_finder(nlp: Language):
    """A :class:`extractor.windows.WindowFinder` over the target and section rules of ``nlp``."""
    from .windows import WindowFinder

    literal_rules = []
    for rules, sentence in ((nlp.get_pipe("ln_target_matcher").matcher.rules, True),
                            (nlp.get_pipe("medspacy_sectionizer").rules, False)):
        for rule in rules:
            if rule.pattern is None:
                literal_rules.append(([t.lower_ for t in nlp.make_doc(rule.literal.lower())], sentence))
            elif not isinstance(rule.pattern, str):
                literal_rules.append((None, sentence))  # token patterns: regexes are read below
    targets, sections = _regex_matchers(nlp)[:2]
    regexes = [(p, sentence) for matcher, sentence in ((targets, True), (sections, False))
               for patterns in matcher._patterns.values() for p in patterns]
    return WindowFinder(literal_rules, regexes, _split_tokens(nlp))


def _split_tokens(nlp: Language) -> set[str]:
    """Lower-case token texts that a tokenizer exception cuts out of a word ("can" + "not")."""
    out = set()
    for key, pieces in (nlp.tokenizer.rules or {}).items():
        texts = [piece.get(65, piece.get("ORTH", "")) if isinstance(piece, dict) else str(piece) for piece in pieces]
        at = 0
        for left, right in zip(texts, texts[1:]):
            at += len(left)
            if key[at - 1 : at].isalpha() and key[at : at + 1].isalpha():
                out.update((left.lower(), right.lower()))
    return out
