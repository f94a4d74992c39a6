"""The gettext catalogues: complete, not fuzzy, compiled, and covering every marked string.

The marked strings are extracted with Babel (nephrocohort.i18n_catalogues, the same
extraction scripts/compile_catalogues.py writes into the .po files), so a string added to
the code without its es and pt-BR translations fails here.
"""

import gettext
import re

import pytest

from nephrocohort.i18n import LOCALE_DIR
from nephrocohort.i18n_catalogues import LOCALES, extract_messages, read_catalogue

#: The parts of the package whose user-facing strings must all be catalogued (None: all of it,
#: the report, the registry's templates and Python code, and the message catalogue).
CATALOGUED = None


def _ids(locale) -> set[str]:
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_catalogue(locale) if m.id}


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return {m[0] if isinstance(m, tuple) else m for m in extract_messages(CATALOGUED)}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_entry_is_translated_and_none_is_fuzzy(locale):
    catalogue = read_catalogue(locale)
    untranslated = [
        m.id
        for m in catalogue
        if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)
    ]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_marked_string_is_in_the_catalogue(locale, extracted):
    assert sorted(extracted - _ids(locale)) == []


def test_the_extraction_finds_what_the_report_marks(extracted):
    # A string marked with N_() in a table, one with _() in the methods and one of the
    # Jinja template: if the extraction silently found nothing, the test above would pass.
    assert {"Minimal change disease", "Percentiles follow {definition}."} <= extracted
    # One of a registry template, one of registry Python code, one of the message catalogue.
    assert {"Change language", "Your password was changed.", "{path} does not exist."} <= extracted
    assert len(extracted) > 600


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_matches_its_source(locale):
    compiled = gettext.translation("django", str(LOCALE_DIR), languages=[locale])
    for message in read_catalogue(locale):
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            assert compiled.ngettext(*message.id, 1) == message.string[0], message.id
        else:
            assert compiled.gettext(message.id) == message.string, message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_kept_in_each_translation(locale):
    def names(text):
        return sorted(re.findall(r"\{\w+\}|%\(\w+\)s", text))

    for message in read_catalogue(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert names(text) == names(ids[-1]), message.id


@pytest.mark.parametrize(
    ("language", "sentence", "hint"),
    [
        (
            "es",
            "La presión sistólica (90 mmHg) no es mayor que la diastólica (95 mmHg).",
            "",
        ),
        (
            "pt-BR",
            "A pressão sistólica (90 mmHg) não é maior que a diastólica (95 mmHg).",
            "",
        ),
    ],
)
def test_catalogue_messages_are_shown_in_the_language(language, sentence, hint):
    from nephrocohort.i18n import use_language
    from nephrocohort.messages import CATALOGUE, render

    code = next(c for c, t in CATALOGUE.items() if t.text.startswith("The systolic pressure"))
    with use_language(language):
        assert render(code, {"sbp": 90, "dbp": 95})[0] == sentence
    assert render(code, {"sbp": 90, "dbp": 95})[0].startswith("The systolic pressure (90 mmHg)")
