"""Fixtures for the interop tests: small invented cohorts."""

import pandas as pd
import pytest
from interop_synthetic import synthetic_analysis, synthetic_tables

from nephrocohort.cohort import Cohort


@pytest.fixture
def cohort() -> Cohort:
    return Cohort.from_tables(synthetic_tables())


@pytest.fixture
def analysis() -> pd.DataFrame:
    return synthetic_analysis()
