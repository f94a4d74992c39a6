"""Languages: which one is active, translated text and locale numbers (English, es, pt-BR).

One set of gettext catalogues serves the whole package: the registry's
templates (Django reads them through ``LOCALE_PATHS``), the study report, the
message catalogue (:mod:`nephrocohort.messages`) and the command line. They
live in ``nephrocohort/locale/<locale>/LC_MESSAGES/django.po`` with the
compiled ``django.mo`` beside each (committed: installing needs no gettext;
``scripts/compile_catalogues.py`` recompiles them with Babel after an edit).

The active language is, in order: the one set by :func:`use_language` (the
command line's ``--lang``, a background job run for a user), else Django's
(the request's, chosen by ``LocaleMiddleware``) when Django is set up, else
English. :func:`gettext` translates with the stdlib ``gettext`` module, so
code outside the registry (the report, the CLI) needs no Django settings.

Numbers are formatted by the caller as English text (``f"{value:.2f}"``, so
the rounding is Python's in every language) and then written with the
locale's symbols by :func:`localize_number` (decimal comma for es and pt-BR,
from Babel's CLDR data).
"""

from __future__ import annotations

import contextvars
import gettext as _stdlib_gettext
from contextlib import contextmanager
from functools import cache
from pathlib import Path

__all__ = [
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "LOCALE_DIR",
    "active_language",
    "environment_language",
    "gettext",
    "ngettext",
    "N_",
    "format_decimal",
    "format_integer",
    "localize_number",
    "localize_percent",
    "normalize_language",
    "use_language",
]

#: The languages NephroCohort is written in (BCP 47 tags, as ``--lang`` takes them).
LANGUAGES = ("en", "es", "pt-BR")

#: Each language's name in itself, for the language chooser.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "pt-BR": "Português (Brasil)"}

#: The gettext catalogues of the package.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

#: gettext domain of the catalogues (Django's name, so the registry finds them).
DOMAIN = "django"

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "nephrocohort_language", default=None
)


def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``text`` for translation where it is defined; :func:`gettext` translates it when shown."""
    return text


def normalize_language(language: str | None) -> str:
    """``es``, ``es-CO``, ``pt-br``, ``pt_BR`` -> one of :data:`LANGUAGES`.

    Raises ValueError naming the languages offered when ``language`` is none of them.
    """
    if not language:
        return "en"
    tag = str(language).strip().replace("_", "-").lower()
    if tag in ("en", "es", "pt-br"):
        return {"pt-br": "pt-BR"}.get(tag, tag)
    base = tag.split("-")[0]
    if base in ("en", "es"):
        return base
    if base == "pt":  # Portugal's Portuguese reads Brazil's well; the study was published there
        return "pt-BR"
    raise ValueError(f"Unknown language {language!r}; the languages are {', '.join(LANGUAGES)}.")


#: The environment variable choosing the command line's language (``es``, ``pt-BR``).
LANGUAGE_VARIABLE = "NEPHROCOHORT_LANG"


def environment_language() -> str | None:
    """The language asked for by ``NEPHROCOHORT_LANG`` (None when unset or empty).

    A variable of our own rather than ``LANG``/``LC_ALL``: a machine's locale
    (often ``C.UTF-8`` on servers) should not switch a script's output
    language silently. Raises ValueError naming the languages when it is set to
    another one.
    """
    import os

    value = os.environ.get(LANGUAGE_VARIABLE, "").strip()
    if not value:
        return None
    try:
        return normalize_language(value)
    except ValueError as error:
        raise ValueError(f"{LANGUAGE_VARIABLE}: {error}") from None


def _gettext_locale(language: str) -> str:
    """``pt-BR`` -> ``pt_BR`` (the catalogue folder name, Django's ``to_locale``)."""
    return language.replace("-", "_")


def _django_language() -> str | None:
    try:
        from django.apps import apps
        from django.conf import settings
    except ImportError:  # pragma: no cover - django is a dependency
        return None
    if not settings.configured or not apps.ready:
        return None
    from django.utils import translation

    language = translation.get_language()
    try:
        return normalize_language(language) if language else None
    except ValueError:
        return None


def active_language() -> str:
    """The language text is written in now (see the module docstring for the order)."""
    return _current.get() or _django_language() or "en"


@contextmanager
def use_language(language: str | None):
    """Write in ``language`` inside the block (also Django's language, when Django is set up)."""
    language = normalize_language(language)
    token = _current.set(language)
    try:
        try:
            from django.apps import apps
            from django.conf import settings
        except ImportError:  # pragma: no cover
            apps = settings = None
        if settings is not None and settings.configured and apps.ready:
            from django.utils import translation

            with translation.override(language.lower()):
                yield language
        else:
            yield language
    finally:
        _current.reset(token)


@cache
def _catalogue(language: str) -> _stdlib_gettext.NullTranslations:
    if language == "en":
        return _stdlib_gettext.NullTranslations()
    return _stdlib_gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=[_gettext_locale(language)]
    )


def gettext(text: str) -> str:
    """``text`` in the active language (as written when the catalogue lacks it)."""
    if not text:
        return text
    return _catalogue(active_language()).gettext(text)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural sentence for ``n``, in the active language."""
    return _catalogue(active_language()).ngettext(singular, plural, n)


@cache
def _symbols(language: str) -> tuple[str, str]:
    from babel.numbers import get_decimal_symbol, get_minus_sign_symbol

    locale = _gettext_locale(language)
    return get_decimal_symbol(locale), get_minus_sign_symbol(locale)


def localize_number(text: str) -> str:
    """An English-formatted number (``-0.25``, ``1.5``) with the active locale's symbols.

    Only the decimal point and the minus sign change (``0,25`` in es and pt-BR);
    there are no thousands separators in the report's numbers to change.
    """
    language = active_language()
    if language == "en":
        return text
    decimal, minus = _symbols(language)
    return text.replace(".", decimal).replace("-", minus)


def format_integer(number: int) -> str:
    """A whole number with the active locale's digit grouping (CLDR, through Babel).

    ``12,345`` in English, ``12.345`` in Spanish and Brazilian Portuguese;
    Spanish groups only from five digits on (``1234``, CLDR's minimum
    grouping digits).
    """
    language = active_language()
    if language == "en":
        return f"{number:,}"
    from babel.numbers import format_decimal as babel_format_decimal

    # Babel does not apply CLDR's minimumGroupingDigits: a group separator only once the
    # number has that many digits before the first group (10,000 and up for 2).
    grouped = abs(number) >= 10 ** (2 + _MINIMUM_GROUPING_DIGITS.get(language, 1))
    return babel_format_decimal(number, locale=_gettext_locale(language), group_separator=grouped)


#: CLDR's ``minimumGroupingDigits`` (common/main/<locale>.xml, numbers): 2 for Spanish, so
#: ``1234`` but ``12.345`` (as the RAE's Ortografía 2010 recommends); 1 (the default) for pt.
_MINIMUM_GROUPING_DIGITS = {"es": 2}


def format_decimal(value: float, places: int) -> str:
    """``value`` with ``places`` decimals (Python's rounding), as the active locale writes it.

    ``2.5`` in English, ``2,5`` in es and pt-BR (:func:`localize_number`).
    """
    return localize_number(f"{value:.{places}f}")


@cache
def _percent_affixes(language: str) -> tuple[str, str]:
    from babel import Locale

    pattern = Locale.parse(_gettext_locale(language)).percent_formats[None]
    return pattern.prefix[0], pattern.suffix[0]


def localize_percent(text: str) -> str:
    """An English-formatted percentage number (``69.2``) as the locale writes a percentage.

    CLDR (Babel) decides the sign's place and spacing: ``69.2%`` in English,
    ``69,2\u00a0%`` in Spanish (a no-break space before the sign), ``69,2%`` in
    Brazilian Portuguese.
    """
    prefix, suffix = _percent_affixes(active_language())
    return f"{prefix}{localize_number(text)}{suffix}"
