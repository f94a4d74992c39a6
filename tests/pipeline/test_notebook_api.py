"""The notebook API: ``compute_results(path)`` gives the same results as the layers' functions."""

import pytest

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import demo_cohort, derive, load_bundle, save_bundle
from nephrocohort.pipeline import compute_results, derive_dataset, load_cohort
from nephrocohort.report import build_results


@pytest.fixture(scope="module")
def demo_bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("bundle") / "demo"
    save_bundle(demo_cohort(), path)
    return path


def test_load_derive_report_chain_matches_the_functions(demo_bundle):
    cohort = load_bundle(demo_bundle)
    rules = load_rule_set("study")
    expected = build_results(derive(cohort, rules), rule_set=rules, cohort=cohort)

    results = compute_results(demo_bundle)

    assert results.get("cohort.n").n == cohort.n_patients
    for result_id in ("sex.male", "response.month1.complete", "prednisolone_stopped"):
        assert results.get(result_id).n == expected.get(result_id).n
    assert results.get("relapses_per_year.test").p == pytest.approx(
        expected.get("relapses_per_year.test").p
    )


def test_report_tables_are_dataframes_with_an_html_repr():
    results = compute_results()  # the embedded demo cohort
    tables = results.tables()
    assert "table1" in tables
    assert "<table" in results._repr_html_()


def test_derive_accepts_a_rule_set_name_or_object():
    cohort = load_cohort()
    by_name = derive_dataset(cohort, rule_set="ipna2020")
    by_object = derive_dataset(cohort, rule_set=load_rule_set("ipna2020"))
    assert by_name["state_month1"].equals(by_object["state_month1"])


def test_load_refuses_an_invalid_bundle_with_every_problem(tmp_path):
    from nephrocohort.exceptions import CohortValidationError

    (tmp_path / "patients.csv").write_text(
        "patient_id,center,sex,birth_date,onset_date\nP1,C1,Z,2010-01-01,2011-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(CohortValidationError) as refused:
        load_cohort(tmp_path)
    assert any(problem.column == "sex" for problem in refused.value.problems)


def test_a_missing_data_path_names_the_path_and_the_demo(tmp_path):
    from nephrocohort.pipeline import DataNotFoundError

    with pytest.raises(DataNotFoundError) as caught:
        compute_results(tmp_path / "nowhere")
    assert caught.value.code == "pipeline.data_not_found"
    assert caught.value.params["path"] == str(tmp_path / "nowhere")
    assert caught.value.params["demo"].code == "pipeline.demo_hint"
