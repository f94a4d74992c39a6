"""No test recognises one of our errors by its English sentence (issue 9).

An error that carries a code is asserted by its code, location and params:
the sentence is written from the catalogue's template only when shown, and
its wording (and its language) may change without the fault changing. This
sweep reads every test module (``ast``, nothing is run) and fails on a
``pytest.raises(..., match=...)`` whose pattern quotes a sentence of
:data:`nephrocohort.messages.CATALOGUE`: its text is part of a template's
English text, written with any values in its placeholders (at least
_MIN_CHARS of the template's own words, one run of them _MIN_RUN long). A
pattern for a library's own error (a text no template has) is allowed, and so
is one for an error of ours raised with a sentence of its own (code
``unspecified``) that happens to read like a template: those are listed in
_NOT_CATALOGUE with the reason, and an entry no longer needed fails too.
"""

import ast
import re
from pathlib import Path

import pytest

from nephrocohort.messages import CATALOGUE

TESTS = Path(__file__).resolve().parents[1]
# Template text a pattern must quote to count: at least _MIN_CHARS in all, one run of text
# between placeholders at least _MIN_RUN long (" has ", " values" and "; expected " quote
# nothing: any English sentence has them).
_MIN_CHARS = 12
_MIN_RUN = 10
# (test module, pattern): errors raised with their own sentence (code "unspecified"), whose
# wording resembles a template's (each checked to raise code "unspecified", issue 9).
_NOT_CATALOGUE: dict[tuple[str, str], str] = {}
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _segments() -> list[tuple[str, tuple[str, ...], set[str]]]:
    """(code, text between placeholders, its 4-character runs) of each template sentence."""
    found = []
    for code, template in CATALOGUE.items():
        for text in (template.text, template.hint):
            if not text or text == "{text}":
                continue
            parts = tuple(
                part.replace("{{", "{").replace("}}", "}") for part in _PLACEHOLDER.split(text)
            )
            runs = {part[i : i + 4] for part in parts for i in range(len(part) - 3)}
            found.append((code, parts, runs))
    return found


def _literal(pattern: str) -> list[str]:
    """The plain text a regex pattern asks for, in pieces (between wildcards and groups)."""
    pieces = re.split(r"\.\*\??|\.\+\??|(?<!\\)[()|\[\]^$?*+]", pattern)
    return [re.sub(r"\\(.)", r"\1", piece).strip() for piece in pieces if piece.strip()]


def _quoted(piece: str, parts: tuple[str, ...]) -> tuple[int, int]:
    """How much template text ``piece`` quotes (in all, the longest run), in a sentence of ``parts``.

    ``parts`` alternate with placeholders (any value, also empty): ``piece`` is
    in a sentence written from them when it begins inside a part (or value),
    runs through whole parts with values between, and ends inside a part.
    """
    best = (0, 0)
    for i, first in enumerate(parts):
        if piece in first:
            best = max(best, (len(piece), len(piece)))
        for k in range(min(len(first), len(piece)), -1, -1):
            if k and not first.endswith(piece[:k]):
                continue
            rest = piece[k:]
            for j in range(i + 1, len(parts)):
                last = parts[j]
                middle = parts[i + 1 : j]
                for p in range(min(len(last), len(rest)), -1, -1):
                    if p and not rest.endswith(last[:p]):
                        continue
                    body = rest[: len(rest) - p]
                    between = "(?s).*?" + ".*?".join(re.escape(part) for part in middle) + ".*?"
                    if re.fullmatch(between, body):
                        runs = [k, p, *(len(part) for part in middle)]
                        best = max(best, (sum(runs), max(runs)))
    return best


def _quoted_code(pattern: str, segments) -> str | None:
    """The code of a template whose sentence ``pattern`` quotes, or None."""
    for piece in _literal(pattern):
        runs = {piece[i : i + 4] for i in range(len(piece) - 3)}
        for code, parts, template_runs in segments:
            if runs & template_runs:
                total, longest = _quoted(piece, parts)
                if total >= _MIN_CHARS and longest >= _MIN_RUN:
                    return code
    return None


def _is_raises(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "raises") or (
        isinstance(func, ast.Name) and func.id == "raises"
    )


def _text_of(value: ast.AST) -> str | None:
    """A string constant's text, an f-string's literal text; None for anything else."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.JoinedStr):
        return "".join(
            part.value
            for part in value.values
            if isinstance(part, ast.Constant) and isinstance(part.value, str)
        )
    return None


def _parametrized(function: ast.AST) -> dict[str, list[str]]:
    """The strings each argument of ``@pytest.mark.parametrize`` takes, by argument name."""
    values: dict[str, list[str]] = {}
    for decorator in getattr(function, "decorator_list", ()):
        if not (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "parametrize"
            and len(decorator.args) >= 2
        ):
            continue
        names = decorator.args[0]
        if isinstance(names, ast.Constant) and isinstance(names.value, str):
            argnames = [name.strip() for name in names.value.split(",")]
        elif isinstance(names, ast.Tuple | ast.List):
            argnames = [_text_of(name) or "" for name in names.elts]
        else:
            continue
        cases = decorator.args[1]
        for case in cases.elts if isinstance(cases, ast.Tuple | ast.List) else ():
            if isinstance(case, ast.Call) and case.args:  # pytest.param(...)
                items = case.args
            elif len(argnames) > 1 and isinstance(case, ast.Tuple | ast.List):
                items = case.elts
            else:
                items = [case]
            for name, item in zip(argnames, items, strict=False):
                text = _text_of(item)
                if text is not None:
                    values.setdefault(name, []).append(text)
    return values


def _match_patterns(tree: ast.AST):
    """(line, pattern) of each ``raises(..., match=...)``: a string, an f-string's text, or
    each string a ``@pytest.mark.parametrize`` argument of that name takes."""
    functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
    arguments = {}
    for function in functions:
        for node in ast.walk(function):
            arguments[id(node)] = _parametrized(function)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _is_raises(node)):
            continue
        for keyword in node.keywords:
            if keyword.arg != "match":
                continue
            text = _text_of(keyword.value)
            if text is not None:
                yield node.lineno, text
            elif isinstance(keyword.value, ast.Name):
                for value in arguments.get(id(node), {}).get(keyword.value.id, ()):
                    yield node.lineno, value


def sentence_matches(root: Path = TESTS) -> list[tuple[str, int, str, str]]:
    """(module, line, code, pattern) of each test matching an error by a catalogue sentence."""
    segments = _segments()
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, pattern in _match_patterns(tree):
            code = _quoted_code(pattern, segments)
            if code is not None:
                found.append((path.relative_to(root).as_posix(), line, code, pattern))
    return found


def test_no_test_matches_an_error_by_a_catalogue_sentence():
    found = sentence_matches()
    quoting = [
        f"{module}:{line}: {code} ({pattern!r})"
        for module, line, code, pattern in found
        if (module, pattern) not in _NOT_CATALOGUE
    ]
    assert quoting == [], "assert the code (and location, params) instead:\n" + "\n".join(quoting)
    stale = set(_NOT_CATALOGUE) - {(module, pattern) for module, _, _, pattern in found}
    assert not stale, f"no longer found, take them out of _NOT_CATALOGUE: {sorted(stale)}"


@pytest.fixture
def sample_tests(tmp_path):
    def write(text):
        (tmp_path / "test_sample.py").write_text(text, encoding="utf-8")
        return sentence_matches(tmp_path)

    return write


def test_the_sweep_finds_a_sentence_of_the_catalogue(sample_tests):
    # A real part of a real template, so the sample follows the catalogue.
    code, parts, _ = next(item for item in _segments() if len(max(item[1], key=len)) > 20)
    stretch = max(parts, key=len)
    found = sample_tests(
        f"import pytest\n\ndef test_x():\n    with pytest.raises(ValueError, match={stretch!r}):\n"
        "        pass\n"
    )
    assert [(module, line, found_code) for module, line, found_code, _ in found] == [
        ("test_sample.py", 4, code)
    ]


def test_the_sweep_finds_a_sentence_written_with_its_values(sample_tests):
    found = sample_tests(
        "import pytest\n\ndef test_x():\n"
        "    with pytest.raises(ValueError, match=r'/no/where does not exist\\.'):\n        pass\n"
    )
    assert [(module, line) for module, line, _, _ in found] == [("test_sample.py", 4)]


def test_the_sweep_allows_a_librarys_own_text(sample_tests):
    found = sample_tests(
        "import pytest\n\ndef test_x():\n"
        "    with pytest.raises(KeyError, match='unexpected keyword argument'):\n        pass\n"
    )
    assert found == []


def test_the_sweep_follows_a_parametrized_pattern(sample_tests):
    found = sample_tests(
        "import pytest\n\n@pytest.mark.parametrize(('x', 'message'), [(1, 'already exists')])\n"
        "def test_x(x, message):\n"
        "    with pytest.raises(ValueError, match=message):\n        pass\n"
    )
    assert [(module, line, pattern) for module, line, _, pattern in found] == [
        ("test_sample.py", 5, "already exists")
    ]
