"""User-facing sentences live in one MESSAGES dict per module, keyed by a stable code (STYLE.md 2.6).

Swept over the package like scikit-learn's common tests: a sentence written
inline in a raise would escape review and translation.
"""

import importlib
import re
import string
from pathlib import Path

import pytest

import nephrocohort.interop

PACKAGE = Path(nephrocohort.interop.__file__).parent
MODULES_WITH_SENTENCES = [
    "_deidentify",
    "_export",
    "_fhir",
    "_fhir_read",
    "_labelled",
    "_legacy",
    "_mapping",
    "_output",
    "_readers",
    "_redcap",
    "_sources",
    "_values",
]
# The first argument of an error, a skipped item or a problem: a code is one word; a
# sentence has spaces (unless it is an f-string that formats MESSAGES).
FIRST_ARGUMENT = re.compile(r"""(?:Error|\.skip|_problem)\(\s*(f?)(["'])(.*?)\2""", re.DOTALL)


def _inline_sentences(source: str) -> list[str]:
    return [
        text
        for _, _, text in FIRST_ARGUMENT.findall(source)
        if " " in text and "MESSAGES" not in text
    ]


@pytest.mark.parametrize("name", MODULES_WITH_SENTENCES)
def test_each_module_keeps_its_sentences_in_one_dict(name):
    module = importlib.import_module(f"nephrocohort.interop.{name}")
    messages = getattr(module, "MESSAGES", None) or getattr(module, "HINTS", None)
    assert isinstance(messages, dict) and messages
    for code, sentence in messages.items():
        assert re.fullmatch(r"[a-z0-9_.]+", code), code
        for text in sentence if isinstance(sentence, tuple) else (sentence,):
            assert isinstance(text, str)
            list(string.Formatter().parse(text))  # every template is well formed


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("_*.py")), ids=lambda p: p.name)
def test_no_sentence_is_written_inline_in_a_raise(path):
    source = path.read_text(encoding="utf-8")
    found = _inline_sentences(source)
    assert not found, f"{path.name}: move these sentences into MESSAGES: {found}"


def test_the_sweep_finds_an_inline_sentence():
    assert _inline_sentences('raise InteropError(f"{path} is gone.")') == ["{path} is gone."]
    assert _inline_sentences('found.skip("Histology without a date")')
    assert not _inline_sentences('found.skip("no_value", loinc=loinc)')


def test_the_mapping_sentences_are_the_ones_users_see(tmp_path):
    from nephrocohort.interop import MappingError, parse_mapping
    from nephrocohort.interop._mapping import MESSAGES

    with pytest.raises(MappingError) as caught:
        parse_mapping({"columns": {"ID": {"variable": "patient_id"}}, "decimal": ";"})
    assert str(caught.value) == "the mapping: " + MESSAGES["bad_decimal"].format(value=";")
