"""Every user-facing string of the registry is marked for translation.

Templates: text outside ``{% translate %}`` / ``{% blocktranslate %}``, the ``title``,
``alt``, ``placeholder`` and ``aria-label`` attributes, and literal words in filter
arguments (``default:"none"``) must be marked. Python: messages shown to a user
(``messages.success(request, ...)``, ``Http404``, ``PermissionDenied``, ``ValidationError``,
the registry's reasoned 400) and form ``label=`` / ``help_text=`` / ``verbose_name=``
must be a ``_()``/``gettext``/``ngettext`` call or a catalogue message, never a bare literal.
"""

import ast
import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

import nephrocohort

PACKAGE = Path(nephrocohort.__file__).parent
TEMPLATES = sorted((PACKAGE / "registry" / "templates").rglob("*.html"))
#: Words that are the same in every language: names, units, acronyms.
UNTRANSLATED_WORDS = {"NephroCohort", "MMF", "KDIGO", "mL", "min", "kg", "cm", "mmHg", "m2"}
_WORD = re.compile(r"[^\W\d_]{2,}")
_ATTRIBUTE = re.compile(r'\b(?:title|alt|placeholder|aria-label)="([^"\x01]*)"')
#: Filters whose literal argument is shown text (other filters take keys: label:"test").
_FILTER_LITERAL = re.compile(r'\|(?:default|default_if_none|yesno):"([^"]*)"')
#: Stands for template code (tags, variables, translated text) in the page's text.
_CODE = "\x01"


def _words(text: str) -> list[str]:
    text = re.sub(r"&\w+;|&#\d+;", " ", text)
    return [word for word in _WORD.findall(text) if word not in UNTRANSLATED_WORDS]


def bare_text(source: str) -> list[str]:
    """Pieces of ``source`` (a Django template) a user reads that are not marked."""
    found, depth, shown = [], 0, []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in ("blocktranslate", "blocktrans"):
                depth += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                depth -= 1
            shown.append(_CODE)
        elif token.token_type == TokenType.VAR:
            literals = _FILTER_LITERAL.findall(token.contents)
            found += [f"{{{{ {token.contents} }}}}" for v in literals if _words(v)]
            shown.append(_CODE)
        elif token.token_type == TokenType.TEXT:
            shown.append(token.contents if depth == 0 else _CODE)
    page = "".join(shown)
    found += [f'attribute "{value}"' for value in _ATTRIBUTE.findall(page) if _words(value)]
    page = re.sub(r"<[^>]*>", _CODE, page)
    found += [" ".join(piece.split()) for piece in page.split(_CODE) if _words(piece)]
    return found


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda path: str(path.relative_to(path.parents[1]))
)
def test_template_text_is_marked_for_translation(template):
    assert bare_text(template.read_text(encoding="utf-8")) == []


def test_the_template_scan_finds_bare_text():
    source = (
        '{% load i18n %}<h1>Patients</h1><p>{% translate "Marked" %}</p>'
        '<img alt="A chart">{{ value|default:"none" }}'
        "{% blocktranslate %}Also {{ n }} marked{% endblocktranslate %} <b>MMF</b> &middot;"
    )
    assert bare_text(source) == ['{{ value|default:"none" }}', 'attribute "A chart"', "Patients"]


_SHOWN_CALLS = {"success", "info", "warning", "error", "Http404", "PermissionDenied",
                "ValidationError", "ReasonedBadRequest", "add_error"}  # fmt: skip
_LOGGERS = {"logger", "log", "logging", "_log", "_logger", "LOG"}
_SHOWN_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}


def _is_literal_text(node) -> bool:
    if isinstance(node, ast.JoinedStr):  # an f-string with words of its own, not only {values}
        return any(_is_literal_text(part) for part in node.values)
    return (
        isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(_words(node.value))
    )


def bare_python_strings(source: str) -> list[str]:
    """Literal sentences passed straight to a user-facing call or form keyword."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        logged = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") in _LOGGERS
        if name in _SHOWN_CALLS and not logged:
            arguments = node.args[1:] if name == "add_error" else node.args  # (field, error)
            found += [ast.unparse(arg) for arg in arguments if _is_literal_text(arg)]
        found += [
            f"{keyword.arg}={ast.unparse(keyword.value)}"
            for keyword in node.keywords
            if keyword.arg in _SHOWN_KEYWORDS and _is_literal_text(keyword.value)
        ]
    return found


REGISTRY_PYTHON = sorted(
    path
    for path in (PACKAGE / "registry").rglob("*.py")
    if "migrations" not in path.parts and path.name not in ("settings.py", "manage.py")
)


@pytest.mark.parametrize("module", REGISTRY_PYTHON, ids=lambda path: path.name)
def test_python_messages_shown_to_users_are_marked(module):
    assert bare_python_strings(module.read_text(encoding="utf-8")) == []


def test_the_python_scan_finds_bare_messages():
    source = (
        "messages.success(request, 'Saved the patient.')\n"
        "messages.success(request, _('Saved.'))\n"
        "raise Http404(f'No patient {pk}')\n"
        "forms.CharField(label='Patient ID', help_text=_('As written'))\n"
    )
    assert bare_python_strings(source) == [
        "'Saved the patient.'",
        "f'No patient {pk}'",
        "label='Patient ID'",
    ]
