"""Candidate windows: the pipeline on windows gives the full-text pipeline's evidence."""

from datetime import date
from pathlib import Path

import pytest

from extractor.sentences import sentence_spans
from extractor.windows import _close_gaps, masked_text

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "synthetic_notes" / "notes"


@pytest.mark.parametrize("text, spans", [
    ("alpha beta gamma. Delta epsilon zeta.", [(18, 37)]),
    ("one two\n     - three four\nfive six seven", [(8, 26)]),
    ("no windows here at all", []),
    ("x" * 300 + " tail words", [(301, 311)]),
])
def test_masked_text_keeps_offsets_and_the_windows(text, spans):
    masked = masked_text(text, spans)
    assert len(masked) == len(text)
    for start, end in spans:
        assert masked[start:end] == text[start:end]
    assert set(masked) <= set(text) | {"x"}


@pytest.mark.parametrize("text, flat", [
    ("lupus\nnephritis", "lupus nephritis"),
    ("negative   for\tDVT", "negative for DVT"),
    ("a \r\n  b\u00a0c", "a b c"),
    ("a\n\nb", "a  b"),  # a blank line stays wider than one space: no phrase reads across it
    ("plain text", "plain text"),
])
def test_close_gaps_maps_back_to_the_text(text, flat):
    got, origin = _close_gaps(text)
    assert got == flat
    for i, ch in enumerate(got):
        if ch != " ":
            assert text[origin(i)] == ch


def test_masked_text_replaces_what_lies_outside():
    text = "alpha beta gamma delta. Rituximab given today."
    masked = masked_text(text, [(24, len(text))])
    assert masked == "x" * 23 + " Rituximab given today."
    wrapped = "alpha beta\nRituximab given."  # the word the window's first token touches is kept
    assert masked_text(wrapped, [(11, len(wrapped))]) == "xxxxx beta\nRituximab given."


def test_filler_is_few_tokens(nlp):
    text = "word " * 2000 + "Rituximab 1 g given."
    start = text.index("Rituximab")
    masked = masked_text(text, [(start, len(text))])
    assert len(nlp.make_doc(masked)) < 200  # 2000 masked words become ~160 filler tokens


def test_a_note_without_candidates_is_not_processed(screener):
    text = "Patient seen in clinic. Feels well. Return in two weeks."
    assert screener.windows.find(text, sentence_spans(text)).spans == []
    assert screener.window_doc(text) is None


@pytest.mark.parametrize("text", [
    "Plan: continue belimumab (BLM) 10 mg/kg.\nOther text here.\nBLM due next week.",
    "Hx:\n     - adalimumab (HUMIRA) 40 mg SC q2wk - HOLD\n     - naproxen 375 mg BID",
    "HISTORY OF PRESENT ILLNESS: The patient is a 34-year-old woman. She is well. No TB exposure.",
    "Kidney\nbiopsy on 03/05/2024 showed class IV lupus nephritis. Dose of lisinopril increased.",
    "Renal biopsy 03/2024: class IV lupus\nnephritis; wants\n   to restart rituximab   soon.\n\nlupus\n\nnephritis",
])
def test_windows_give_the_full_text_evidence(screener, text):
    note = [("n1", "P", date(2024, 6, 1), text)]
    assert _rows(screener, note, True) == _rows(screener, note, False)


@pytest.mark.skipif(not CORPUS.exists(), reason="corpus not present")
def test_windows_give_the_full_text_evidence_on_the_corpus(screener):
    notes = [(p.stem, p.parent.name, date(2024, 6, 1), p.read_text(encoding="utf-8"))
             for p in sorted(CORPUS.rglob("*.txt"))]
    assert len(notes) > 250
    assert _rows(screener, notes, True) == _rows(screener, notes, False)


def _rows(screener, notes, windowed):
    screener.windowed = windowed
    try:
        return [[ev.row() for ev in evs] for _, evs in screener.note_evidence(notes)]
    finally:
        screener.windowed = True


def _words_back_by_characters(text, at, tokens):
    low = at
    for _ in range(tokens):
        i = low - 1
        while i >= 0 and text[i].isspace():
            i -= 1
        while i >= 0 and not text[i].isspace():
            i -= 1
        if i <= 0:
            return 0
        low = i
    return low


@pytest.mark.parametrize("text, at, tokens", [
    ("alpha beta gamma (delta)", 17, 2),
    ("alpha beta gamma (delta)", 17, 33),   # fewer words than asked: the text's start
    (" lead  space\n\nwords here (x)", 25, 3),
    ("word" * 50 + " tail (y)", 209, 1),       # one long word
    (" ".join(f"w{i}" for i in range(200)) + " (z)", 790, 33),  # wider than the first look
    ("cut-in-a-wo", 7, 1),                  # ``at`` inside a word
])
def test_words_back_matches_the_character_walk(text, at, tokens):
    from extractor.windows import _words_back

    assert _words_back(text, at, tokens) == _words_back_by_characters(text, at, tokens)
