"""Load and validate the rule files under ``patterns/`` (medspaCy's own JSON formats).

Each file is checked entry by entry before medspaCy sees it, and a bad entry stops the load with
a :class:`RuleFileError` that names the file, the entry index, its literal and the reason. The
files stay readable by medspaCy with no translation (``TargetRule.from_json`` etc.): extra
top-level keys such as ``description`` and ``examples`` are ignored by medspaCy and used by the
tests, where every file's examples are checked.

Example block of a target file::

    "examples": [
      {"text": "Rituximab 1 g IV given 2024-02-01.", "matches": [["B_CELL_BIOLOGIC", "Rituximab"]]},
      {"text": "CD19 count 0.", "matches": []}
    ]
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

TARGET_KEYS = {"literal", "category", "pattern", "metadata", "attributes"}
CONTEXT_KEYS = {
    "literal", "category", "pattern", "direction", "metadata",
    "allowed_types", "excluded_types", "max_targets", "max_scope",
}
SECTION_KEYS = {"literal", "category", "pattern", "metadata", "parents", "parent_required"}
CONTEXT_DIRECTIONS = {"FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"}
CONTEXT_CATEGORIES = {
    "NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HISTORICAL", "HYPOTHETICAL", "FAMILY",
    "PATIENT",  # the patient is named as the experiencer: a family-history section does not make it family
    "ALLERGY",  # an allergy field inside a line ("Wt 80 kg   Allergies: Etanercept (hives)"): no administration
    "PSEUDO", "TERMINATE",
}
_CATEGORY = re.compile(r"^[A-Z][A-Z0-9_]*$")
_SECTION_CATEGORY = re.compile(r"^[a-z][a-z0-9_]*$")


class RuleFileError(ValueError):
    """A pattern file is unreadable or one of its entries is invalid."""


@dataclass(frozen=True)
class Example:
    """One documented example of a target file: text and the (category, text) matches expected."""

    file: str
    text: str
    matches: tuple[tuple[str, str], ...]


def patterns_dir() -> Path:
    """The packaged ``patterns/`` directory."""
    return Path(str(resources.files("extractor.patterns")))


def target_rule_files(directory: Path | None = None) -> list[Path]:
    """All target rule files, sorted by name so rule order (and results) are stable."""
    base = (directory or patterns_dir()) / "targets"
    return sorted(base.glob("*.json"))


def _load_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RuleFileError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise RuleFileError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None


def _read_json(path: Path, list_key: str) -> dict[str, Any]:
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get(list_key), list):
        raise RuleFileError(f'{path}: expected an object with a "{list_key}" list')
    return data


def _fail(path: Path, list_key: str, index: int, entry: Any, reason: str) -> RuleFileError:
    literal = entry.get("literal") if isinstance(entry, dict) else None
    return RuleFileError(f"{path}: {list_key}[{index}] (literal {literal!r}): {reason}")


def _check_pattern(pattern: Any) -> str | None:
    """Reason the pattern is invalid, or None."""
    if pattern is None:
        return None
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except re.error as exc:
            return f"pattern is not a valid regular expression: {exc}"
        return None
    if isinstance(pattern, list) and pattern and all(isinstance(t, dict) and t for t in pattern):
        return None
    return "pattern must be null, a regex string or a non-empty list of spaCy token patterns"


def _check_common(entry: Any, allowed: set[str], category_re: re.Pattern[str]) -> str | None:
    if not isinstance(entry, dict):
        return "entry must be an object"
    unknown = set(entry) - allowed
    if unknown:
        return f"unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}"
    literal = entry.get("literal")
    if not isinstance(literal, str) or not literal.strip():
        return "literal must be a non-empty string"
    category = entry.get("category")
    if not isinstance(category, str) or not category_re.match(category):
        return f"category {category!r} must match {category_re.pattern}"
    if "metadata" in entry and entry["metadata"] is not None and not isinstance(entry["metadata"], dict):
        return "metadata must be an object"
    return _check_pattern(entry.get("pattern"))


def _repeated_literal(entry: dict, i: int, first_seen: dict[str, int], list_key: str) -> str | None:
    """Why a phrase rule's literal (case-insensitive) repeats an earlier entry of its file, or None."""
    if entry.get("pattern") is not None:
        return None
    key = entry["literal"].lower().strip()
    first = first_seen.setdefault(key, i)
    return None if first == i else f"literal repeats {list_key}[{first}] (matching is case-insensitive)"


def validate_target_file(path: Path) -> dict[str, Any]:
    """Validated JSON content of a target rule file."""
    data = _read_json(path, "target_rules")
    _check_keep_accents(path, data)
    first_seen: dict[str, int] = {}
    for i, entry in enumerate(data["target_rules"]):
        reason = _check_common(entry, TARGET_KEYS, _CATEGORY)
        # phrase rules match lower-cased text: a second copy is dead or, in another category, a conflict
        reason = reason or _repeated_literal(entry, i, first_seen, "target_rules")
        if reason:
            raise _fail(path, "target_rules", i, entry, reason)
    for i, example in enumerate(data.get("examples", [])):
        if not (isinstance(example, dict) and isinstance(example.get("text"), str)
                and isinstance(example.get("matches"), list)
                and all(isinstance(m, list) and len(m) == 2 for m in example["matches"])):
            raise RuleFileError(f'{path}: examples[{i}]: needs "text" and "matches" as [[CATEGORY, text], ...]')
    return data


def _check_keep_accents(path: Path, data: dict[str, Any]) -> None:
    keep = data.get("keep_accents", [])
    if not isinstance(keep, list) or not all(isinstance(x, str) and x for x in keep):
        raise RuleFileError(f"{path}: keep_accents must be a list of strings (literals not to match without accents)")


def validate_context_file(path: Path) -> dict[str, Any]:
    data = _read_json(path, "context_rules")
    _check_keep_accents(path, data)
    first_seen: dict[str, int] = {}
    for i, entry in enumerate(data["context_rules"]):
        reason = _check_common(entry, CONTEXT_KEYS, _CATEGORY)
        if not reason and entry["category"] not in CONTEXT_CATEGORIES:
            reason = f"category must be one of {sorted(CONTEXT_CATEGORIES)}"
        if not reason and entry.get("direction", "BIDIRECTIONAL") not in CONTEXT_DIRECTIONS:
            reason = f"direction must be one of {sorted(CONTEXT_DIRECTIONS)}"
        # two triggers on the same words: overlapping modifiers are pruned to one, so which
        # category survives would depend on where an unrelated rule is inserted
        reason = reason or _repeated_literal(entry, i, first_seen, "context_rules")
        if reason:
            raise _fail(path, "context_rules", i, entry, reason)
    # a one-word pattern on a word that a phrase rule also names: the two modifiers cover the same
    # span and medspaCy keeps one, so the phrase rule would silently stop working
    for i, entry in enumerate(data["context_rules"]):
        for word in sorted(_one_word_pattern(entry.get("pattern"))):
            if word in first_seen:
                raise _fail(path, "context_rules", i, entry,
                            f"its one-word pattern matches '{word}', the literal of context_rules[{first_seen[word]}]: "
                            "overlapping modifiers are pruned to one, so one of the two rules would never apply")
    return data


def _one_word_pattern(pattern: Any) -> set[str]:
    """The lower-case words a token pattern of one required token matches by LOWER or TEXT (an
    empty set for a longer pattern or any other predicate)."""
    if not isinstance(pattern, list):
        return set()
    required = [t for t in pattern if isinstance(t, dict) and t.get("OP") not in ("?", "*")]
    if len(required) != 1:
        return set()
    words: set[str] = set()
    for key in ("LOWER", "TEXT"):
        value = required[0].get(key)
        if isinstance(value, str):
            words.add(value.lower())
        elif isinstance(value, dict) and isinstance(value.get("IN"), list):
            words.update(str(v).lower() for v in value["IN"])
    return words


SENTENCE_LISTS = ("abbreviations", "open_line_ends.words", "open_line_ends.signs", "before_number", "sig_line_ends",
                  "name_abbreviations.words", "name_abbreviations.after")
SENTENCE_PHRASE_LISTS = ("spoken_punctuation.paragraphs", "spoken_punctuation.stops")


def validate_sentence_file(path: Path) -> dict[str, Any]:
    """Validated content of ``sentence_rules.json``: each list in :data:`SENTENCE_LISTS` holds
    non-empty strings without white space, each in :data:`SENTENCE_PHRASE_LISTS` words or phrases;
    an error names the file, the list and the index."""
    data = _load_json(path)
    for names, phrases in ((SENTENCE_LISTS, False), (SENTENCE_PHRASE_LISTS, True)):
        for name in names:
            value: Any = data
            for part in name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            _check_word_list(path, name, value, phrases=phrases)
    return data


def _check_word_list(path: Path, name: str, value: Any, phrases: bool) -> None:
    """``value`` is a list of non-empty strings without outer spaces (and no inner ones unless
    ``phrases``); an error names the file, the list and the index."""
    if not isinstance(value, list):
        raise RuleFileError(f"{path}: {name}: expected a list of strings")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip() or item != item.strip() or (" " in item and not phrases):
            expected = "a word or phrase without outer spaces" if phrases else "one word or sign, no spaces"
            raise RuleFileError(f"{path}: {name}[{i}] ({item!r}): expected {expected}")


DATE_WORD_LISTS = ("document_date_words", "specimen_date_words", "operation_date_words", "comparison_words", "continuing_words", "dose_count_words", "accompanying_words",
                   "current_words", "earlier_value_words",
                   "edition_words", "other_dose_words",
                   "day_first_language_words", "past_tense_words", "admission_labels", "discharge_labels")


def validate_date_rules_file(path: Path) -> dict[str, Any]:
    """Validated content of ``date_rules.json``: each list in :data:`DATE_WORD_LISTS` holds
    non-empty words or phrases; an error names the file, the list and the index."""
    data = _load_json(path)
    for name in DATE_WORD_LISTS:
        _check_word_list(path, name, data.get(name) if isinstance(data, dict) else None, phrases=True)
    return data


FORM_WORD_LISTS = ("yes_words", "done_words", "no_words", "not_done_words", "unsure_words", "planned_words",
                   "stopped_words", "not_applicable_words")


def validate_form_rules_file(path: Path) -> dict[str, Any]:
    """Validated content of ``form_rules.json``: each list in :data:`FORM_WORD_LISTS` holds
    lower-case words or phrases, no word names two answers, and every ``status_words`` and
    ``result_words`` entry is one of them; an error names the file, the list and the index."""
    data = _load_json(path)
    seen: dict[str, str] = {}
    for name in FORM_WORD_LISTS:
        value = data.get(name) if isinstance(data, dict) else None
        _check_word_list(path, name, value, phrases=True)
        for i, word in enumerate(value):
            if word != word.lower():
                raise RuleFileError(f"{path}: {name}[{i}] ({word!r}): expected lower case")
            if word in seen:
                raise RuleFileError(f"{path}: {name}[{i}] ({word!r}): already in {seen[word]}")
            seen[word] = name
    lists = [("status_words", data.get("status_words"))]
    results = data.get("result_words")
    if not isinstance(results, dict) or set(results) != {"positive", "negative"}:
        raise RuleFileError(f"{path}: result_words: expected lists under 'positive' and 'negative'")
    lists += [(f"result_words.{kind}", results[kind]) for kind in ("positive", "negative")]
    for name, words in lists:
        _check_word_list(path, name, words, phrases=True)
        for i, word in enumerate(words):
            if word not in seen:
                raise RuleFileError(f"{path}: {name}[{i}] ({word!r}): not in any answer list")
    _check_word_list(path, "test_done_words", data.get("test_done_words"), phrases=True)
    return data


def removed_default_literals(path: Path) -> set[str]:
    """Lower-cased literals of medspaCy default rules that a project rule file removes."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    removed = data.get("remove_default_literals", []) if isinstance(data, dict) else []
    if not isinstance(removed, list) or not all(isinstance(x, str) for x in removed):
        raise RuleFileError(f"{path}: remove_default_literals must be a list of strings")
    return {x.lower() for x in removed}


SECTION_CONTEXT_KEYS = {"negated", "hypothetical", "historical", "family", "uncertain", "one_line", "to_end"}


def validate_section_file(path: Path) -> dict[str, Any]:
    data = _read_json(path, "section_rules")
    context = data.get("section_context", {})
    if not isinstance(context, dict):
        raise RuleFileError(f"{path}: section_context must map a section category to its flags")
    for category, flags in context.items():
        if not isinstance(flags, dict) or not all(k in SECTION_CONTEXT_KEYS and isinstance(v, bool) for k, v in flags.items()):
            raise RuleFileError(f"{path}: section_context[{category!r}]: expected true/false for keys among "
                                f"{sorted(SECTION_CONTEXT_KEYS)}, got {flags!r}")
    for i, entry in enumerate(data["section_rules"]):
        reason = _check_common(entry, SECTION_KEYS, _SECTION_CATEGORY)
        if reason:
            raise _fail(path, "section_rules", i, entry, reason)
    return data


def unaccented(text: str) -> str:
    """``text`` without diacritics: "refusée" -> "refusee", "mycophénolate" -> "mycophenolate", "ß" -> "ss"."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return plain.replace("ß", "ss")


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def plain_spellings(text: str) -> list[str]:
    """How ``text`` is typed without accents: stripped ("für" -> "fur") and, for German umlauts,
    transliterated ("für" -> "fuer", "Mutter" unchanged); only spellings that differ from it."""
    out = []
    for plain in (unaccented(text), unaccented(text.translate(_UMLAUTS))):
        if plain != text and plain not in out:
            out.append(plain)
    return out


def damaged_spellings(text: str) -> list[str]:
    """How ``text`` reads after an export lost its encoding: each accented letter as "?"
    ("oncológicos" -> "oncol?gicos") or as UTF-8 read as Latin-1 ("años" -> "aÃ±os"); only
    spellings that differ from it."""
    if text.isascii():
        return []
    out = ["".join("?" if ord(ch) > 127 else ch for ch in text)]
    try:
        out.append(text.encode("utf-8").decode("latin-1"))
    except UnicodeDecodeError:  # pragma: no cover - every UTF-8 byte string decodes as Latin-1
        pass
    # a word of one or two letters ("ó", "sí") would become a bare question mark or close to it
    return [x for x in dict.fromkeys(out) if x != text and sum(ch.isascii() and ch.isalpha() for ch in x) >= 3]


def _load(path: Path, validate, list_key: str, rule_class) -> list:
    """Rules of one file, validated first; medspaCy builds them from the same dicts. A phrase rule
    written with accents also matches the text without them, as
    translated notes are often typed ("refusee par la patiente", "reponse partielle", "kein Anhalt
    fuer"): a copy with each plain spelling (:func:`plain_spellings`) is added unless the file already has that literal or lists the accented
    one under ``keep_accents`` (its plain form is an English word: "mère", "refusé", "tía"). It also
    matches the spellings an export that lost its encoding leaves (:func:`damaged_spellings`:
    "oncol?gicos", "aÃ±os"), which are no English word."""
    data = validate(path)
    rules = []
    literals = {str(e.get("literal", "")).lower() for e in data[list_key]}
    keep = {x.lower() for x in data.get("keep_accents", [])}  # their plain form is another word
    for i, entry in enumerate(data[list_key]):
        try:
            rules.append(rule_class.from_dict(entry))
            if entry.get("pattern") is not None:
                continue
            spellings = damaged_spellings(entry["literal"])
            if entry["literal"].lower() not in keep:
                spellings = plain_spellings(entry["literal"]) + spellings
            for plain in spellings:
                if plain.lower() not in literals:
                    literals.add(plain.lower())
                    rules.append(rule_class.from_dict({**entry, "literal": plain}))
        except (TypeError, ValueError) as exc:
            raise _fail(path, list_key, i, entry, str(exc)) from None
    return rules


def load_target_rules(path: Path) -> list:
    from medspacy.ner import TargetRule

    return _load(path, validate_target_file, "target_rules", TargetRule)


def load_context_rules(path: Path) -> list:
    from medspacy.context import ConTextRule

    return _load(path, validate_context_file, "context_rules", ConTextRule)


def load_section_rules(path: Path) -> list:
    from medspacy.section_detection import SectionRule

    return _load(path, validate_section_file, "section_rules", SectionRule)


def target_examples(directory: Path | None = None) -> list[Example]:
    """Every documented example of every target file."""
    examples = []
    for path in target_rule_files(directory):
        data = validate_target_file(path)
        for ex in data.get("examples", []):
            examples.append(Example(path.name, ex["text"], tuple((c, t) for c, t in ex["matches"])))
    return examples
