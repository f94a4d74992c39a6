"""No module takes a sentence apart: programs read codes and fields, people read the words.

A sentence is written from its code's template only when shown
(:mod:`nephrocohort.messages`); once translated, any code that compares,
slices or searches it breaks. The sweep reads every module with ``ast``
and refuses a message (``.message``, ``.hint``, ``.sentence()``,
``render()``/``render_text()``, ``str()`` of a problem, error or
exception) that is compared (``==``, ``in``), sliced, split or searched
(``startswith``, ``re.search``...). Writing it into a longer sentence is fine.
"""

import ast
from pathlib import Path

import pytest

import nephrocohort

SRC = Path(nephrocohort.__file__).parent
SOURCES = sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)

_MESSAGE_ATTRIBUTES = {"message", "hint", "error_text"}
_MESSAGE_CALLS = {"sentence", "render_text"}
#: The one function that trims a library's error text for display (its first line).
_ALLOWED_FUNCTIONS = {"library_detail"}
#: Names whose ``str()`` is a sentence (ours or a library's).
_SENTENCE_HOLDERS = ("problem", "error", "exc", "finding", "warning", "caught")
#: String methods that take text apart (or normalise it on the way to a comparison).
_TAKING_APART = {
    "split",
    "rsplit",
    "splitlines",
    "partition",
    "rpartition",
    "startswith",
    "endswith",
    "find",
    "rfind",
    "index",
    "rindex",
    "count",
    "removeprefix",
    "removesuffix",
    "lower",
    "upper",
    "casefold",
}
_REGEX_METHODS = {"match", "search", "fullmatch", "findall", "finditer", "sub", "subn", "split"}


def _called_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _is_message(node: ast.AST) -> bool:
    """A node whose value is a sentence shown to people."""
    if isinstance(node, ast.Attribute) and node.attr in _MESSAGE_ATTRIBUTES:
        return True
    if isinstance(node, ast.Subscript) and _is_render(node.value):
        return True  # render(...)[0] is the sentence, [1] the hint
    if isinstance(node, ast.Call):
        name = _called_name(node)
        if name in _MESSAGE_CALLS:
            return True
        if name == "str" and len(node.args) == 1:
            text = ast.unparse(node.args[0]).lower()
            return any(holder in text for holder in _SENTENCE_HOLDERS)
    return False


def _is_render(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _called_name(node) == "render"


def _root(node: ast.AST) -> ast.AST:
    """``str(error).strip().lower()`` -> ``str(error)``: the text under string methods."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _TAKING_APART | {"strip", "lstrip", "rstrip", "replace"}
    ):
        node = node.func.value
    return node


def message_parsing(source: str) -> list[str]:
    """Each place in ``source`` where a sentence is compared, sliced, split or searched."""
    found = []
    tree = ast.parse(source)
    allowed = {
        id(inner)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef) and function.name in _ALLOWED_FUNCTIONS
        for inner in ast.walk(function)
    }
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        suspects: list[ast.AST] = []
        if isinstance(node, ast.Compare):
            suspects = [node.left, *node.comparators]
        elif isinstance(node, ast.Subscript) and not _is_render(node.value):
            suspects = [node.value]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _TAKING_APART:
                suspects = [node.func.value]
            elif node.func.attr in _REGEX_METHODS and node.args:
                suspects = node.args[:2]
        if any(_is_message(_root(suspect)) for suspect in suspects):
            found.append(f"line {node.lineno}: {ast.unparse(node)[:100]}")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_parses_message_text(path):
    assert message_parsing(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        "m = re.search(r'row (\\d+)', problem.message)",
        "row = int(problem.message.split(' row ')[1])",
        "if problem.message == other.message: pass",
        "same = 'not found' in str(error)",
        "same = 'utf8' in str(error).lower()",
        "where = problem.sentence(located=False)[:20]",
        "ok = render_text('audit.ok', {}).startswith('The audit')",
        "ok = 'intact' in render('audit.ok', {})[0]",
        "first = str(error).splitlines()[0]",
        "if job.error_text.startswith('The'): pass",
    ],
)
def test_the_sweep_finds_a_sentence_taken_apart(line):
    assert message_parsing(line)


@pytest.mark.parametrize(
    "line",
    [
        "text = f'{problem.message} {problem.hint}'",
        "if problem.code == 'bad_date' and problem.row == 3: pass",
        "lines.append(problem.sentence(located=False))",
        "detail = type(error).__name__",
        "text, hint = render('audit.ok', {})",
        "sentence = render('audit.ok', {})[0]",
    ],
)
def test_the_sweep_lets_a_sentence_be_shown(line):
    assert message_parsing(line) == []
