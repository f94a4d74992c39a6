"""The Examples in the statistics docstrings run and print what they say."""

import doctest

import pytest

from nephrocohort.stats import _describe, _percentiles, _wilcoxon


@pytest.mark.parametrize("module", [_percentiles, _describe, _wilcoxon])
def test_docstring_examples(module):
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
