"""The analysis dataset is declared once; derive, the CSV writer and reader follow the declaration."""

import io

import pandas as pd
import pytest

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import (
    ANALYSIS_COLUMNS,
    ANALYSIS_VARIABLES,
    demo_cohort,
    derive,
    read_analysis_csv,
    write_analysis_csv,
)
from nephrocohort.cohort.analysis import Variable, analysis_variable, labelled
from nephrocohort.exceptions import CohortValidationError


@pytest.fixture(scope="module")
def dataset():
    return derive(demo_cohort(), load_rule_set("study"))


def test_derive_gives_every_declared_column_in_order_and_dtype(dataset):
    assert tuple(dataset.columns) == ANALYSIS_COLUMNS
    wrong = {
        v.name: str(dataset[v.name].dtype)
        for v in ANALYSIS_VARIABLES
        if str(dataset[v.name].dtype) != v.dtype
    }
    assert wrong == {}


def test_declared_codes_cover_the_derived_values(dataset):
    for variable in ANALYSIS_VARIABLES:
        if variable.kind != "category":
            continue
        values = {str(value) for value in dataset[variable.name].dropna()}
        assert values <= set(variable.codes), variable.name


def test_written_csv_reads_back_equal(dataset, tmp_path):
    path = tmp_path / "analysis.csv"
    write_analysis_csv(dataset, path)
    back = read_analysis_csv(path, as_of="2100-01-01")
    # CSV has one empty cell for an empty text and a missing one: both read back as NA
    expected = dataset.replace({"": pd.NA})
    pd.testing.assert_frame_equal(back, expected, check_dtype=True)


def test_writer_writes_to_a_stream(dataset):
    stream = io.StringIO()
    write_analysis_csv(dataset.iloc[:1], stream)
    header, row = stream.getvalue().splitlines()[:2]
    assert header.split(",")[:3] == ["patient_id", "center", "sex"]
    assert ",true," in row or ",false," in row


def test_a_file_that_is_not_utf8_is_a_located_problem(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes("patient_id,center\nP1,S\xe3o Paulo\n".encode("latin-1"))
    with pytest.raises(CohortValidationError) as caught:
        read_analysis_csv(path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.table) == ("unreadable_file", "latin.csv")


def test_a_file_without_patient_id_is_a_missing_column(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("id,sex\nP1,M\n", encoding="utf-8")
    with pytest.raises(CohortValidationError) as caught:
        read_analysis_csv(path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.column) == ("missing_column", "patient_id")


def test_group_is_a_category_stored_as_integer():
    group = analysis_variable("group")
    assert (group.kind, group.dtype, group.codes) == ("category", "Int64", ("1", "2"))
    assert group.measure == "nominal"
    assert analysis_variable("state_month1").measure == "ordinal"
    assert analysis_variable("no_such_column") is None


def test_a_kind_outside_the_list_is_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        Variable("x", "X", "colour")


def test_every_code_needs_one_label():
    with pytest.raises(ValueError, match="do not match"):
        labelled(("M", "F"), {"M": "Male"})
