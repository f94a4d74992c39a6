"""The gettext catalogues: complete, not fuzzy, compiled, and covering every marked string."""

import gettext
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import nephrocohort
from nephrocohort.i18n import LOCALE_DIR

PACKAGE = Path(nephrocohort.__file__).parent
LOCALES = ("es", "pt_BR")
#: Code whose user-facing strings are marked with _() / N_() (the report so far).
MARKED = ("report",)


def _catalogue(locale):
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po, locale=locale)


def _marked_strings() -> set[str]:
    method_map = [("**.py", "python"), ("**.j2", "jinja2")]
    options = {"**.j2": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for folder in MARKED:
        for _file, _line, message, _comments, _context in extract_from_dir(
            PACKAGE / folder, method_map, options_map=options, keywords={"_": None, "N_": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_entry_is_translated_and_none_is_fuzzy(locale):
    catalogue = _catalogue(locale)
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("locale", LOCALES)
def test_every_marked_string_is_in_the_catalogue(locale):
    ids = {m.id for m in _catalogue(locale) if m.id}
    assert sorted(_marked_strings() - ids) == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogue_matches_its_source(locale):
    compiled = gettext.translation("django", str(LOCALE_DIR), languages=[locale])
    for message in _catalogue(locale):
        if message.id:
            assert compiled.gettext(message.id) == message.string, message.id


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_kept_in_each_translation(locale):
    import re

    for message in _catalogue(locale):
        if message.id:
            names = sorted(re.findall(r"\{\w+\}|%\(\w+\)s", message.id))
            assert sorted(re.findall(r"\{\w+\}|%\(\w+\)s", message.string)) == names, message.id
