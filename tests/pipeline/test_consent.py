"""Consent drives use (issue 14 item 5): the pipeline leaves out patients without consent.

Withdrawn consent, or a child old enough to assent (the center's threshold)
with no ``assent_date``, keeps a patient out of the report, ``derive`` and
every export; the report counts them in its flow; ``--include-withdrawn-consent``
is the explicit, logged override. Ages below are counted by hand from the
demo cohort's dates: DEMO-01 born 2009-11-30, last follow-up 2011-11-30
(2.0 years); DEMO-06 born 2003-06-09, last follow-up 2011-03-10 (7.75 years).
"""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest
from typer.testing import CliRunner

from nephrocohort.cli import app
from nephrocohort.cohort import Cohort, demo_cohort, save_bundle
from nephrocohort.cohort.consent import (
    ConsentPolicy,
    ConsentPolicyError,
    consent_reasons,
    select_consented,
)
from nephrocohort.pipeline import compute_results, derive_to_csv, export_tables_of, render

WITHDRAWN = ("DEMO-03", "DEMO-04")


def _with_patients(cohort: Cohort, patients: pd.DataFrame) -> Cohort:
    return Cohort.from_tables({**cohort.tables, "patients": patients})


@pytest.fixture(scope="module")
def withdrawn_cohort():
    cohort = demo_cohort()
    patients = cohort.patients.copy()
    patients.loc[patients["patient_id"].isin(WITHDRAWN), "consent_withdrawn_date"] = pd.Timestamp(
        "2011-01-05"
    )
    return _with_patients(cohort, patients)


@pytest.fixture(scope="module")
def assent_cohort():
    """Everyone assented except DEMO-01 (2.0 years old) and DEMO-06 (7.75 years old)."""
    cohort = demo_cohort()
    patients = cohort.patients.copy()
    assented = ~patients["patient_id"].isin(["DEMO-01", "DEMO-06"])
    patients.loc[assented, "assent_date"] = patients.loc[assented, "onset_date"]
    return _with_patients(cohort, patients)


def _patients(**columns) -> pd.DataFrame:
    base = {
        "patient_id": ["P1"],
        "center": ["C1"],
        "birth_date": [pd.Timestamp("2010-01-01")],
        "consent_date": [pd.NaT],
        "assent_date": [pd.NaT],
        "consent_withdrawn_date": [pd.NaT],
        "last_followup_date": [pd.NaT],
    }
    base.update(columns)
    return Cohort(patients=pd.DataFrame(base)).patients


class TestConsentReasons:
    @pytest.mark.parametrize(
        ("columns", "policy", "expected"),
        [
            ({"consent_withdrawn_date": [pd.Timestamp("2015-01-01")]}, None, "consent_withdrawn"),
            # Consented at 6.4 years, followed to 8.0: reached the age of assent while followed.
            (
                {
                    "consent_date": [pd.Timestamp("2016-06-01")],
                    "last_followup_date": [pd.Timestamp("2018-01-01")],
                },
                ConsentPolicy({"C1": 7}),
                "assent_missing",
            ),
            # The same child with an assent on record.
            (
                {
                    "consent_date": [pd.Timestamp("2016-06-01")],
                    "last_followup_date": [pd.Timestamp("2018-01-01")],
                    "assent_date": [pd.Timestamp("2017-02-01")],
                },
                ConsentPolicy({"C1": 7}),
                None,
            ),
            # 6.4 years old at consent and last follow-up alike: too young to be asked.
            ({"consent_date": [pd.Timestamp("2016-06-01")]}, ConsentPolicy({"C1": 7}), None),
            # Another center asks for assent, C1 does not.
            (
                {"last_followup_date": [pd.Timestamp("2018-01-01")]},
                ConsentPolicy({"C2": 7}),
                None,
            ),
            # The CLI's threshold for every center.
            (
                {"last_followup_date": [pd.Timestamp("2018-01-01")]},
                ConsentPolicy(every_center_from_age_years=7),
                "assent_missing",
            ),
            # No birth date: the need for assent cannot be judged.
            (
                {"birth_date": [pd.NaT], "last_followup_date": [pd.Timestamp("2018-01-01")]},
                ConsentPolicy({"C1": 7}),
                None,
            ),
        ],
    )
    def test_reason(self, columns, policy, expected):
        reason = consent_reasons(_patients(**columns), policy).iloc[0]
        assert (None if pd.isna(reason) else reason) == expected

    @pytest.mark.parametrize("age", [-1, 18, "seven"])
    def test_an_impossible_age_of_assent_is_refused(self, age):
        with pytest.raises(ConsentPolicyError) as raised:
            ConsentPolicy({"C1": age})
        assert raised.value.code == "consent.assent_age_invalid"
        assert raised.value.params == {"where": "center 'C1'", "age": age}
        assert isinstance(raised.value, ValueError)
        assert "from 0 to under 18" in str(raised.value)


class TestPipeline:
    def test_report_leaves_out_withdrawn_consent_and_counts_it(self, withdrawn_cohort):
        results = compute_results(withdrawn_cohort)
        assert results["eligibility.registered"].n == 26
        left_out = results["eligibility.consent_left_out"]
        assert (left_out.n, left_out.denominator) == (2, 26)
        assert dict(left_out.reasons) == {"Consent withdrawn": 2}
        assert results["eligibility.assessed"].n == 24
        assert results["eligibility.consent_override"].n == 0
        assert "2 of 26 registered patients were left out" in results.methods
        ids = {item["id"] for item in json.loads(render(results, "json")["json"])}
        assert {"eligibility.registered", "eligibility.consent_left_out"} <= ids

    def test_the_override_keeps_them_and_is_logged(self, withdrawn_cohort, caplog):
        with caplog.at_level(logging.WARNING, logger="nephrocohort.pipeline"):
            results = compute_results(withdrawn_cohort, include_withdrawn_consent=True)
        assert results["eligibility.assessed"].n == 26
        assert results["eligibility.consent_override"].n == 2
        assert results["eligibility.consent_left_out"].n == 0
        assert "consent_withdrawn: 2" in caplog.text and "DEMO-0" not in caplog.text
        assert "2 patients whose consent had been withdrawn" in results.methods

    def test_assent_missing_for_the_childs_age(self, assent_cohort):
        policy = ConsentPolicy({"CENTER-01": 7})
        selection = select_consented(assent_cohort, policy)
        assert selection.left_out == (("assent_missing", 1),)
        assert "DEMO-06" not in set(selection.cohort.patients["patient_id"])
        assert "DEMO-01" in set(selection.cohort.patients["patient_id"])
        results = compute_results(assent_cohort, consent=policy)
        assert results["eligibility.consent_left_out"].n == 1

    def test_exports_leave_out_every_row_of_those_patients(self, withdrawn_cohort):
        tables = export_tables_of(withdrawn_cohort, include_analysis=True)
        for name, frame in tables.items():
            assert not frame["patient_id"].isin(WITHDRAWN).any(), name
        assert len(tables["patients"]) == 24 and len(tables["analysis"]) == 24
        kept = export_tables_of(withdrawn_cohort, include_withdrawn_consent=True)
        assert kept["labs"]["patient_id"].isin(WITHDRAWN).any()

    def test_derive_leaves_them_out(self, withdrawn_cohort, tmp_path):
        dataset, _ = derive_to_csv(withdrawn_cohort, tmp_path / "derived.csv")
        assert len(dataset) == 24

    def test_flow_table_and_figure_show_the_consent_step(self, withdrawn_cohort):
        from nephrocohort.report._figures import figure_eligibility

        results = compute_results(withdrawn_cohort)
        rows = dict(results.tables()["eligibility"].itertuples(index=False, name=None))
        assert rows["Left out: consent withdrawn or assent missing"] == "2"
        figure = figure_eligibility(results)
        texts = [text.get_text() for text in figure.axes[0].texts]
        assert "Patients registered\nn = 26" in texts
        assert "Left out: consent withdrawn\nor assent missing: n = 2" in texts


class TestCommandLine:
    @pytest.fixture(scope="class")
    def bundle(self, tmp_path_factory, withdrawn_cohort):
        path = tmp_path_factory.mktemp("consent") / "bundle"
        save_bundle(withdrawn_cohort, path)
        return path

    def _items(self, out):
        return {item["id"]: item for item in json.loads((out / "results.json").read_text())}

    def test_report_leaves_them_out_by_default(self, bundle, tmp_path):
        runner = CliRunner()
        out = tmp_path / "report"
        args = ["report", "--data", str(bundle), "--out", str(out), "--format", "json"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        items = self._items(out)
        assert items["eligibility.consent_left_out"]["n"] == 2
        assert items["eligibility.assessed"]["n"] == 24

    def test_report_override_is_explicit_and_logged(self, bundle, tmp_path, caplog):
        runner = CliRunner()
        out = tmp_path / "report"
        args = ["report", "--data", str(bundle), "--out", str(out), "--format", "json"]
        with caplog.at_level(logging.WARNING, logger="nephrocohort.pipeline"):
            result = runner.invoke(app, [*args, "--include-withdrawn-consent"])
        assert result.exit_code == 0, result.output
        items = self._items(out)
        assert items["eligibility.consent_override"]["n"] == 2
        assert items["eligibility.assessed"]["n"] == 26
        assert "Consent override: 2 patient(s)" in caplog.text

    def test_derive_and_export_take_the_options(self, bundle, tmp_path):
        runner = CliRunner()
        out = tmp_path / "derived.csv"
        result = runner.invoke(app, ["derive", "--data", str(bundle), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "24 patients" in result.output
        export = tmp_path / "export"
        result = runner.invoke(
            app,
            ["export", "--data", str(bundle), "--format", "csv", "--out", str(export),
             "--include-withdrawn-consent", "--seed", "1"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert len(pd.read_csv(export / "patients.csv")) == 26

    def test_an_impossible_assent_age_is_a_usage_error(self, bundle, tmp_path):
        runner = CliRunner()
        args = ["derive", "--data", str(bundle), "--out", str(tmp_path / "d.csv")]
        result = runner.invoke(app, [*args, "--assent-required-from-age", "21"])
        assert result.exit_code == 2
        assert "from 0 to under 18" in result.output
