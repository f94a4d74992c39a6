"""Keeping the gettext catalogues in step with the code (extract, update, compile, with Babel).

Babel extracts the marked strings of the Python code (``_``, ``N_``,
``gettext``, ``gettext_lazy``, ``ngettext``), the report's Jinja template
and the registry's Django templates (read through Django's own
``templatize``, the step ``makemessages`` uses), plus every sentence of the
message catalogue (:data:`nephrocohort.messages.CATALOGUE`, whose templates
are translated when shown). ``scripts/compile_catalogues.py`` writes new
entries into the ``.po`` files and compiles the ``.mo`` files; the tests of
``tests/i18n`` compare the same extraction with the ``.po`` files, so a string
added without its translations fails there.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from nephrocohort.i18n import DOMAIN, LOCALE_DIR

__all__ = ["LOCALES", "PACKAGE_DIR", "extract_messages", "read_catalogue", "update_catalogues"]

#: The catalogues kept (gettext locale names).
LOCALES = ("es", "pt_BR")

PACKAGE_DIR = Path(__file__).resolve().parent

#: Function names whose string arguments are messages.
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
}


def extract_django(fileobj, keywords, comment_tags, options):
    """Babel extractor for Django templates: ``{% translate %}``, ``{% blocktranslate %}``, ``_()``."""
    from django.utils.translation.template import templatize

    source = fileobj.read().decode("utf-8")
    python = templatize(source).encode("utf-8")
    yield from extract_python(io.BytesIO(python), keywords, comment_tags, options)


def _message_catalogue() -> set[str | tuple[str, str]]:
    from nephrocohort.messages import CATALOGUE

    texts = set()
    for template in CATALOGUE.values():
        sentences = [template.hint]
        if template.plural:  # singular and plural: one catalogue entry (msgid_plural)
            texts.add((template.text, template.plural))
        else:
            sentences.append(template.text)
        texts.update(text for text in sentences if text and text != "{text}")
    return texts


def extract_messages(parts=None) -> dict[str | tuple[str, str], str | None]:
    """Every message of the package -> its context (None), by Babel's extractors.

    ``parts`` limits it to some subpackages or modules (``"report"``,
    ``"registry"``, ``"cli"``, ``"messages"`` for the message catalogue).
    """
    method_map = [
        ("registry/templates/**.html", extract_django),
        ("report/templates/**.j2", "jinja2"),
        ("**.py", "python"),
    ]
    options = {"report/templates/**.j2": {"extensions": "jinja2.ext.i18n"}}
    found: dict = {}
    for file, _line, message, _comments, context in extract_from_dir(
        PACKAGE_DIR, method_map, options_map=options, keywords=KEYWORDS
    ):
        if parts is not None and Path(file).parts[0].removesuffix(".py") not in parts:
            continue
        if isinstance(message, tuple) and message[1] is None:
            message = message[0]
        if isinstance(message, tuple):
            message = tuple(m for m in message if m)
            if len(message) == 1:
                message = message[0]
        if message:
            found[message] = context
    if parts is None or "messages" in parts:
        for text in _message_catalogue():
            found.setdefault(text, None)
    return found


def _po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalogue(locale: str) -> Catalog:
    """The ``.po`` catalogue of ``locale`` (``es``, ``pt_BR``)."""
    with open(_po_path(locale), "rb") as po:
        return read_po(po, locale=locale)


def update_catalogues(translations: dict | None = None, *, parts=None, prune: bool = False) -> dict:
    """Add the extracted messages missing from each ``.po`` (with ``translations``), compile.

    ``translations`` maps a msgid to ``{locale: text}``. With ``prune``,
    entries no longer in the code are dropped. Returns, per locale, the ids
    still untranslated.
    """
    messages = extract_messages(parts)
    translations = translations or {}
    left = {}
    for locale in LOCALES:
        catalogue = read_catalogue(locale)
        for message, context in messages.items():
            key = message[0] if isinstance(message, tuple) else message
            if catalogue.get(key, context) is None:
                catalogue.add(message, context=context)
        for message_id, texts in translations.items():
            entry = catalogue.get(message_id)
            if entry is not None and locale in texts:
                entry.string = texts[locale]
                entry.flags.discard("fuzzy")
        if prune:
            wanted = {m[0] if isinstance(m, tuple) else m for m in messages}
            for entry in list(catalogue):
                if (
                    entry.id
                    and (entry.id[0] if isinstance(entry.id, tuple) else entry.id) not in wanted
                ):
                    catalogue.delete(entry.id, entry.context)
        with open(_po_path(locale), "wb") as po:
            write_po(po, catalogue, width=100, sort_output=True, omit_header=False)
        with open(_po_path(locale).with_suffix(".mo"), "wb") as mo:
            write_mo(mo, catalogue)
        left[locale] = [
            entry.id
            for entry in catalogue
            if entry.id
            and (not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)))
        ]
    return left
