"""Token patterns tried only where they can start: the same matches as spaCy's Matcher."""

from pathlib import Path

import pytest
import spacy
from spacy.matcher import Matcher

from extractor.token_patterns import SplitMatcher, first_words, phrase_words, required_starts


@pytest.mark.parametrize("pattern, expected", [
    ([{"LOWER": "no"}, {"LOWER": "longer"}], ("LOWER", ["no", "longer"])),
    ([{"TEXT": "DD"}, {"TEXT": "/"}], ("ORTH", ["DD", "/"])),
    ([{"LOWER": "No"}], None),  # never matches as a LOWER value: left to the Matcher
    ([{"LOWER": "no"}, {"TEXT": ","}], None),  # two attributes
    ([{"LOWER": "no", "OP": "?"}, {"LOWER": "x"}], None),
    ([{"LOWER": {"IN": ["a", "b"]}}], None),
    ([{"LIKE_NUM": True}], None),
])
def test_phrase_words(pattern, expected):
    assert phrase_words(pattern) == expected


@pytest.mark.parametrize("pattern, expected", [
    ([{"LOWER": "a"}, {"LOWER": "b"}], [[{"LOWER": "a"}, {"LOWER": "b"}]]),
    ([{"LOWER": "a", "OP": "?"}, {"LOWER": "b"}], [[{"LOWER": "b"}], [{"LOWER": "a"}, {"LOWER": "b"}]]),
    ([{"LOWER": "a", "OP": "*"}, {"LOWER": "b"}], [[{"LOWER": "b"}], [{"LOWER": "a", "OP": "+"}, {"LOWER": "b"}]]),
    ([{"LOWER": "a", "OP": "?"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "c"}],
     [[{"LOWER": "c"}], [{"LOWER": "b"}, {"LOWER": "c"}], [{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}, {"LOWER": "c"}]]),
])
def test_required_starts(pattern, expected):
    assert required_starts(pattern) == expected


@pytest.mark.parametrize("pattern, expected", [
    ([{"LOWER": "no"}, {"LOWER": "x"}], [("LOWER", "no")]),
    ([{"TEXT": "but"}, {"IS_ALPHA": True}], [("ORTH", "but")]),
    ([{"LOWER": {"IN": ["la", "el"]}}, {"LOWER": "x"}], [("LOWER", "la"), ("LOWER", "el")]),
    ([{"LOWER": "a", "OP": "+"}], [("LOWER", "a")]),
    ([{"LOWER": {"REGEX": "^x"}}], [("", "")]),
    ([{"LIKE_NUM": True}, {"LOWER": "x"}], [("", "")]),
    ([{"LOWER": "a", "OP": "!"}], [("", "")]),
])
def test_first_words(pattern, expected):
    assert first_words(pattern) == expected


PATTERNS = {
    "NEG": [[{"LOWER": "no"}], [{"LOWER": "no"}, {"LOWER": "longer"}], [{"TEXT": "Not"}]],
    "HIST": [[{"LOWER": {"IN": ["prior", "previous"]}, "OP": "?"}, {"LOWER": "history"}, {"LOWER": "of", "OP": "?"}]],
    "NUM": [[{"LIKE_NUM": True}, {"LOWER": {"IN": ["days", "weeks"]}}, {"LOWER": "ago"}]],
    "FAM": [[{"LOWER": "mother"}, {"TEXT": ","}, {"LOWER": "who"}], [{"TEXT": "("}, {"IS_ALPHA": True, "OP": "+"}, {"TEXT": ")"}]],
    "REGEX": [[{"LOWER": {"REGEX": "^hace$"}}, {"LIKE_NUM": True}]],
}


@pytest.fixture(scope="module")
def matchers():
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    for key, patterns in PATTERNS.items():
        matcher.add(key, patterns)
    return nlp, matcher, SplitMatcher(matcher)


@pytest.mark.parametrize("text", [
    "No longer on MMF, no history of TB.",
    "Not now. not this. Prior history of lupus; previous history 3 weeks ago.",
    "Her mother, who had a transplant (kidney donor) years ago; hace 2 dias.",
    "history history of of",
    "Nothing to match here at all.",
    "",
])
def test_same_matches_as_the_matcher(matchers, text):
    nlp, matcher, split = matchers
    doc = nlp(text)
    assert sorted(split(doc)) == sorted(matcher(doc))
    for start in range(len(doc)):  # on spans, offsets are relative to the span as the Matcher's are
        span = doc[start:]
        assert sorted(split(span)) == sorted(matcher(span))


def test_two_rules_on_the_same_tokens_keep_the_matchers_order():
    nlp = spacy.blank("en")
    matcher = Matcher(nlp.vocab)
    matcher.add("A", [[{"LOWER": "no"}, {"LOWER": "x", "OP": "?"}]])
    matcher.add("B", [[{"LOWER": "no"}]])
    doc = nlp("no x")
    assert SplitMatcher(matcher)(doc) == matcher(doc)


def test_context_token_patterns_are_split(nlp):
    split = nlp.get_pipe("medspacy_context")._ConText__matcher._MedspacyMatcher__matcher
    assert isinstance(split, SplitMatcher)
    assert split.phrase_count > 300 and len(split.buckets) > 50


CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.mark.skipif(not CORPUS.exists(), reason="corpus not present")
def test_same_matches_on_every_corpus_sentence(nlp):
    split = nlp.get_pipe("medspacy_context")._ConText__matcher._MedspacyMatcher__matcher
    differ = []
    for path in sorted(CORPUS.glob("*/notes/*/*.txt")):
        doc = nlp.make_doc(path.read_text(encoding="utf-8"))
        doc = nlp.get_pipe("ln_sentences")(doc)
        differ += [(path.name, sent.text) for sent in doc.sents if sorted(split(sent)) != sorted(split.original(sent))]
    assert differ == []
