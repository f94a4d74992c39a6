"""User-facing sentences live in one catalogue keyed by stable codes (STYLE.md 2.6).

Swept over the package like scikit-learn's common tests: a sentence written
inline in a raise would escape review and translation, a message dict of a
module's own would be a second catalogue, and a code without a template
would fail only when a user meets it.
"""

import re
import string
from pathlib import Path

import pytest

import nephrocohort
from nephrocohort.messages import CATALOGUE, Message, render

PACKAGE = Path(nephrocohort.__file__).parent
SOURCES = sorted(PACKAGE.rglob("*.py"))
# The first argument of an error, a skipped item or a problem: a code is one word; a
# sentence has spaces.
FIRST_ARGUMENT = re.compile(r"""(?:Error|\.skip|_problem)\(\s*(f?)(["'])(.*?)\2""", re.DOTALL)
# Codes named in the source: the first argument of make_problem, Message and the errors.
NAMED_CODE = re.compile(
    r"""(?<![\w.])(?:make_problem|Message|InteropError|FileFormatError|MappingError|_error|_fail)"""
    r"""\(\s*(["'])([a-z0-9_.]+)\1"""
)


def _inline_sentences(source: str) -> list[str]:
    return [
        text
        for _, _, text in FIRST_ARGUMENT.findall(source)
        if " " in text and "MESSAGES" not in text
    ]


def test_every_template_is_well_formed_and_keyed_by_a_code():
    for code, template in CATALOGUE.items():
        assert re.fullmatch(r"[a-z0-9_.]+", code), code
        assert template.text, code
        for text in template[:2]:
            assert isinstance(text, str)
            list(string.Formatter().parse(text))


#: A module's own message dict: a second catalogue (``CATALOGUE`` is the one).
OWN_DICT = re.compile(r"^_?(MESSAGES|HINTS|SKIPPED)\s*[:=]", re.MULTILINE)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_keeps_a_message_dict_of_its_own(path):
    assert not OWN_DICT.search(path.read_text(encoding="utf-8")), path


def test_the_sweep_finds_a_message_dict():
    assert OWN_DICT.search('x = 1\nMESSAGES: dict[str, str] = {"a": "b"}\n')
    assert not OWN_DICT.search("CATALOGUE: dict[str, Template] = {}\n")


@pytest.mark.parametrize("path", [p for p in SOURCES if "interop" in p.parts], ids=lambda p: p.name)
def test_no_sentence_is_written_inline_in_a_raise(path):
    found = _inline_sentences(path.read_text(encoding="utf-8"))
    assert not found, f"{path.name}: move these sentences into the catalogue: {found}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_code_named_in_the_source_has_a_template(path):
    source = path.read_text(encoding="utf-8")
    for _, code in NAMED_CODE.findall(source):
        if "." not in code and "_" not in code:
            continue  # a one-word sentence of an older error, not a code
        prefixed = [name for name in CATALOGUE if name.endswith(f".{code}")]
        assert code in CATALOGUE or prefixed, f"{path.name}: no template for {code!r}"


def test_the_sweep_finds_an_inline_sentence():
    assert _inline_sentences('raise InteropError(f"{path} is gone.")') == ["{path} is gone."]
    assert _inline_sentences('found.skip("Histology without a date")')
    assert not _inline_sentences('found.skip("no_value", loinc=loinc)')


def test_a_nested_message_is_written_in_place():
    stated = Message("values.stated_by_option")
    reason = Message("values.point_but_comma_stated", {"stated": stated})
    text, _ = render("redcap.bad_number", {"field": "weight", "value": "1.5", "reason": reason})
    assert text == "field weight is '1.5', which has a decimal point, but --decimal is \",\"."


def test_an_unknown_code_is_refused():
    with pytest.raises(KeyError):
        Message("no.such.code")


def test_an_error_carries_its_code_and_params():
    from nephrocohort.interop._errors import InteropError

    error = InteropError("redcap.bad_decimal_option", decimal=";")
    assert (error.code, error.params) == ("redcap.bad_decimal_option", {"decimal": ";"})
    assert str(error) == render("redcap.bad_decimal_option", {"decimal": ";"})[0]
