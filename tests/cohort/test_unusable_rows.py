"""What docs/derivation.md "Rows that cannot be used" says, row by row.

From files, one unusable row stops the load and nothing is written; a cohort built in
code derives, and each row that lacks what a rule needs is left out of that rule.
"""

import sys

import pandas as pd
import pytest
from test_derive import lab, make_cohort, med, timed, visit

from nephrocohort.cli import main
from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import derive

MMF = [med("mmf", "2016-01-01", None, 600, "mg/m2/day", "bid")]
PREDNISOLONE = med("prednisolone", "2015-12-01", "2016-03-01", 60, "mg/m2/day", "daily")
WEIGHED = [visit("2015-12-15", weight_kg=22, height_cm=120)]
# Nephrotic before the MMF start: state_month0 is 'nephrotic' unless the extra row counts.
LABS = [timed("2015-12-28", 60), timed("2016-01-31", 2)]


@pytest.fixture(scope="module")
def study():
    return load_rule_set("study")


def derived(study, *, labs=LABS, medications=MMF, visits=WEIGHED, events=()):
    cohort = make_cohort(labs=labs, medications=medications, visits=visits, events=events)
    return derive(cohort, study).iloc[0]


def test_from_files_one_bad_row_stops_derive_and_writes_nothing(tmp_path, monkeypatch, capsys):
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "patients.csv").write_text(
        "patient_id,sex,birth_date,onset_date\nP1,F,2008-03-14,2012-06-02\n"
    )
    (bundle / "labs.csv").write_text(
        "patient_id,date,test,value,unit\n"
        "P1,2016-01-01,upcr,2.5,mg/mg\n"
        "P1,2016-01-02,dipstick_protein,2,\n"
    )
    out = tmp_path / "derived.csv"
    monkeypatch.setattr(
        sys, "argv", ["nephrocohort", "derive", "--data", str(bundle), "--out", str(out)]
    )
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 1
    assert "labs.csv row 3: 'value' is '2'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [bundle]


def test_the_rows_used_are_what_the_probe_shows(study):
    # The probe itself: a complete reading on the MMF start day is state_month0.
    extra = timed("2016-01-01", 2)
    assert derived(study, labs=[*LABS, extra])["state_month0"] == "complete"


@pytest.mark.parametrize(
    "row",
    [
        lab(None, "urine_protein_timed", 2, "mg/m2/h"),
        lab("2016-01-01", "urine_protein_timed", None, "mg/m2/h"),
        lab("2016-01-01", "urine_protein_timed", 2, "mg/m2/h", patient_id="P9"),
        lab("2016-01-01", "serum_albumin", 2, "mg/m2/h"),
        lab("2016-01-01", "urine_protein_timed", 2, "g/L"),
        lab("2016-01-01", "urine_protein_timed", 2, None),
        lab("2016-01-01", "dipstick_protein", 0, None),
    ],
    ids=[
        "no date",
        "no value",
        "unknown patient",
        "other test",
        "unknown unit",
        "no unit",
        "dipstick without unit in code",
    ],
)
def test_a_lab_row_that_cannot_be_used_is_not_in_the_state_series(study, row):
    assert derived(study, labs=[*LABS, row])["state_month0"] == "nephrotic"


def test_an_mmf_row_without_start_date_is_not_used(study):
    row = derived(study, medications=[med("mmf", None, None, 600, "mg/m2/day", "bid")])
    assert not row["received_mmf"] and pd.isna(row["mmf_start_date"])


@pytest.mark.parametrize(
    ("steroid", "visits"),
    [
        (med("prednisolone", "2015-12-01", "2016-03-01", None, "mg/m2/day", "daily"), WEIGHED),
        (med("prednisolone", "2015-12-01", "2016-03-01", 60, "mg/xx", "daily"), WEIGHED),
        (PREDNISOLONE, [visit("2015-12-15", height_cm=120)]),
    ],
    ids=["no dose", "unknown dose unit", "no weight"],
)
def test_a_steroid_dose_that_cannot_be_computed_is_na_not_zero(study, steroid, visits):
    assert (
        derived(study, medications=[*MMF, PREDNISOLONE], visits=WEIGHED)["steroid_mg_kg_day_before"]
        > 0
    )
    assert pd.isna(
        derived(study, medications=[*MMF, steroid], visits=visits)["steroid_mg_kg_day_before"]
    )


def test_an_event_without_date_is_not_counted(study):
    relapse = {"patient_id": "P1", "date": "2016-03-01", "event": "relapse"}
    undated = {**relapse, "date": None}
    assert derived(study, events=[relapse])["relapses_after"] == 1
    assert derived(study, events=[undated])["relapses_after"] == 0
