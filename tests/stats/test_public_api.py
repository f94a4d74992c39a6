"""The statistics package keeps its conventions: public names listed, documented, results frozen."""

import dataclasses
import inspect

import pytest

import nephrocohort.stats as stats

FUNCTIONS = [name for name in stats.__all__ if inspect.isfunction(getattr(stats, name))]
RESULTS = [
    name
    for name in stats.__all__
    if inspect.isclass(getattr(stats, name)) and dataclasses.is_dataclass(getattr(stats, name))
]


def test_every_public_name_exists():
    for name in stats.__all__:
        assert hasattr(stats, name), name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_functions_document_their_parameters_and_sources(name):
    function = getattr(stats, name)
    doc = inspect.getdoc(function) or ""
    for parameter in inspect.signature(function).parameters:
        assert parameter in doc, f"{name} does not document {parameter}"
    if name not in {"contingency_table"}:
        assert "References" in doc, f"{name} cites no source"


@pytest.mark.parametrize("name", RESULTS)
def test_results_are_frozen_with_as_dict(name):
    cls = getattr(stats, name)
    assert cls.__dataclass_params__.frozen
    assert callable(cls.as_dict)
