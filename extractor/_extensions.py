"""Every custom ``._`` attribute the project sets, registered in one place.

medspaCy registers its own (``is_negated``, ``modifiers``, ``section_category``, ``target_rule``…)
when its components are created; these are the project's additions.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

DOC_EXTENSIONS: dict[str, dict] = {}

# doc.user_data keys set when a note is processed through its windows (extractor.windows)
TEXT_KEY = "ln_text"  # the original note text (the doc holds its masked copy)
SENTENCES_KEY = "ln_sentences"  # the note's sentence spans
REGEX_MATCHES_KEY = "ln_regex_matches"  # {pattern text: [(start, end)]} of every regex rule on the note
DATE_SPANS_KEY = "ln_date_spans"  # spans whose dates evidence can use (the sentence windows)

SPAN_EXTENSIONS = {
    # str | None: long form when the span was matched through a note-defined abbreviation
    "abbreviation_of": {"default": None},
}


def register_extensions() -> None:
    """Idempotently register the project's Doc and Span extensions."""
    for name, kwargs in DOC_EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, **kwargs)
    for name, kwargs in SPAN_EXTENSIONS.items():
        if not Span.has_extension(name):
            Span.set_extension(name, **kwargs)
