"""Conventions of the clinical core, checked over its whole public API (STYLE.md items 3 and 18).

Every public function and class of ``nephrocohort.clinical`` (and every public
method of those classes) cites its source in a ``References`` section; every
name in ``__all__`` exists; docstring examples run (doctest).
"""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import nephrocohort.clinical as clinical

MODULES = [
    importlib.import_module(f"nephrocohort.clinical.{info.name}")
    for info in pkgutil.iter_modules(clinical.__path__)
    if not info.name.startswith("_")
]


def _public_callables():
    seen = {}
    for module in [clinical, *MODULES]:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            ours = getattr(obj, "__module__", "").startswith("nephrocohort.clinical")
            if not ours or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    target = member.fget if isinstance(member, property) else member
                    if not attr.startswith("_") and inspect.isfunction(target):
                        seen[f"{obj.__module__}.{obj.__qualname__}.{attr}"] = target
    return sorted(seen.items())


PUBLIC = _public_callables()


def test_the_walk_finds_the_api():
    names = {name.rsplit(".", 1)[-1] for name, _ in PUBLIC}
    assert {
        "bsa_m2",
        "egfr",
        "ckd_stage",
        "load_rule_set",
        "assess_eligibility",
        "mmf_dose",
    } <= names


@pytest.mark.parametrize(("qualified_name", "obj"), PUBLIC, ids=[name for name, _ in PUBLIC])
def test_public_callable_has_a_references_section(qualified_name, obj):
    doc = inspect.getdoc(obj) or ""
    assert "References\n----------" in doc, f"{qualified_name} has no References section"
    section = doc.split("References\n----------", 1)[1].strip()
    assert section, f"{qualified_name} has an empty References section"


@pytest.mark.parametrize("module", [clinical, *MODULES], ids=lambda m: m.__name__)
def test_all_names_exist(module):
    for name in module.__all__:
        assert hasattr(module, name), f"{module.__name__}.__all__ lists missing {name}"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_module_names_are_exported_by_the_package(module):
    missing = [n for n in module.__all__ if n not in clinical.__all__]
    assert not missing, f"{module.__name__}: {missing} not in nephrocohort.clinical.__all__"


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
