"""Hypertension at onset from the onset visits' BP (AAP 2017), beside the recorded flag.

Expected categories come from Table 4 of Flynn et al. (Pediatrics 2017;140:e20171904), boys,
"3 years", 50th height column (Height 99.0 cm): SBP 90th 103, 95th 107, 95th + 12 119; DBP 90th
59, 95th 62. Table 3, >= 13 y: "Stage 1 HTN: 130/80 to 139/89 mm Hg".
"""

import pandas as pd

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import Cohort, derive
from nephrocohort.cohort._derive_blood_pressure import onset_hypertension_findings

# Boys born 2010-01-01; onset 2013-07-01 (3.5 years, Table 4 row "3 years").
PATIENTS = pd.DataFrame(
    {
        "patient_id": ["HTN", "NORMAL", "FAR", "TEEN", "NOHEIGHT"],
        "sex": ["M", "M", "M", "F", "M"],
        "birth_date": ["2010-01-01"] * 4 + ["2010-01-01"],
        "onset_date": ["2013-07-01"] * 5,
        "hypertension_at_onset": ["no", "no", "yes", "no", "unknown"],
        "source_row": [2, 3, 4, 5, 6],
    }
)
PATIENTS.loc[3, "birth_date"] = "1997-01-01"  # 16.5 years at onset: fixed thresholds
VISITS = pd.DataFrame(
    {
        "patient_id": ["HTN", "HTN", "NORMAL", "FAR", "TEEN", "NOHEIGHT", "NOHEIGHT"],
        "date": [
            "2013-06-24",  # 7 days before onset: inside the window
            "2013-07-09",  # 8 days after: outside
            "2013-07-08",
            "2013-07-09",  # 8 days after onset: outside the window
            "2013-07-01",
            "2013-07-01",
            "2013-07-20",  # height 19 days later, within 30 days
        ],
        "height_cm": [99.0, 99.0, 99.0, 99.0, 165.0, None, 99.0],
        "sbp_mmhg": [107, 150, 102, 150, 132, 119, None],
        "dbp_mmhg": [58, 95, 58, 95, 70, 58, None],
    }
)


def _derived():
    cohort = Cohort(patients=PATIENTS, visits=VISITS)
    return cohort, derive(cohort, load_rule_set("study")).set_index("patient_id")


def test_onset_categories():
    _, dataset = _derived()
    # 107 >= 95th (107), < 119: stage 1; the 150/95 visit 8 days after onset is not used.
    assert dataset.loc["HTN", "onset_bp_category"] == "stage_1_hypertension"
    assert bool(dataset.loc["HTN", "onset_hypertension_bp"]) is True
    # 102/58 is below the 90th percentile (103/59): normal.
    assert dataset.loc["NORMAL", "onset_bp_category"] == "normal"
    assert bool(dataset.loc["NORMAL", "onset_hypertension_bp"]) is False
    # No visit inside the window: nothing derived.
    assert pd.isna(dataset.loc["FAR", "onset_hypertension_bp"])
    # 16 years, 132/70: stage 1 by the fixed thresholds.
    assert dataset.loc["TEEN", "onset_bp_category"] == "stage_1_hypertension"
    # Height from the visit 19 days later: 119 >= 95th + 12 (119): stage 2.
    assert dataset.loc["NOHEIGHT", "onset_bp_category"] == "stage_2_hypertension"


def test_recorded_flag_is_kept_and_disagreements_are_warnings():
    cohort, dataset = _derived()
    assert bool(dataset.loc["HTN", "onset_hypertension"]) is False  # as recorded
    findings = onset_hypertension_findings(cohort.patients, dataset.reset_index())
    # HTN (recorded no, derived stage 1) and TEEN (recorded no, derived stage 1); FAR and
    # NOHEIGHT have one side unknown; NORMAL agrees.
    assert [(f.code, f.row, f.severity) for f in findings] == [
        ("onset_hypertension_disagrees", 2, "warning"),
        ("onset_hypertension_disagrees", 5, "warning"),
    ]
    assert "stage 1 hypertension" in findings[0].message


def test_demo_cohort_has_no_disagreement():
    from nephrocohort.cohort import demo_cohort

    cohort = demo_cohort()
    dataset = derive(cohort, load_rule_set("study"))
    assert onset_hypertension_findings(cohort.patients, dataset) == []
