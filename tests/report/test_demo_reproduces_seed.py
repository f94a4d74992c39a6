"""Acceptance: the report of the embedded demo cohort reproduces the seed study's Results.

The expected figures are the seed's published numbers, copied from
shared/seed/srns-mmf-single-center-study.txt (Results section, Tables 1 and
2; the id for each is listed in shared/reference/seed-results.md). Each is
compared at the precision it was printed with: "25" matches 24.5 to 25.49,
"2.54" matches 2.535 to 2.5449, and "p < 0.001" is a bound.

A few printed percentages cannot come from any count (4/6 printed as 66.6%,
7/15 as 46.6%, rituximab 6/26 as 23%); for those the table holds the count
and the percentage that count gives, with the printed figure in the note.
Table 1's FSGS age SD (8.34) is impossible with the seed's other figures; it
stays in the table as a strict expected failure (docs/demo-cohort.md).
The whole report runs once per module (derive + stats on 26+ patients).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

# (id, field, printed figure, note). Fields are those of results.json.
SEED = [
    # "A total of 26 clinical records ... 69.2% (n = 18) male and 30.8% (n = 8) female"
    ("cohort.n", "n", "26", ""),
    ("sex.male", "n", "18", ""),
    ("sex.male", "percent", "69.2", ""),
    ("sex.female", "n", "8", ""),
    ("sex.female", "percent", "30.8", ""),
    # "age at the moment of diagnosis ... median of 25 months (p25: 21.75 ... p75: 39)"
    ("age_at_diagnosis_months", "median", "25", ""),
    ("age_at_diagnosis_months", "p25", "21.75", ""),
    ("age_at_diagnosis_months", "p75", "39", ""),
    ("age_at_diagnosis_months", "min", "7", "ranged from 7 months"),
    # "age at the moment of assessment was 2 to 18 years, with a mean of 10 years (SD 4.98)"
    ("age_at_assessment_years", "mean", "10", ""),
    ("age_at_assessment_years", "sd", "4.98", ""),
    ("age_at_assessment_years", "min", "2", ""),
    ("age_at_assessment_years", "max", "18", ""),
    # "from symptom onset to the last check ranged from 1 to 16 years, median 6 (p25 2.54, p75 11)"
    ("follow_up_years", "median", "6", ""),
    ("follow_up_years", "p25", "2.54", ""),
    ("follow_up_years", "p75", "11", ""),
    ("follow_up_years", "min", "1", ""),
    ("follow_up_years", "max", "16", ""),
    # "96.2% of the patients had edema, 50% arterial hypertension, ... and 50% hematuria"
    ("onset.edema", "percent", "96.2", ""),
    ("onset.hypertension", "percent", "50", ""),
    ("onset.hematuria", "percent", "50", ""),
    # Table 2
    ("histology.FSGS", "n", "15", ""),
    ("histology.FSGS", "percent", "57.7", ""),
    ("histology.FSGS.crf", "n", "3", ""),
    ("histology.FSGS.crf", "percent", "20", ""),
    ("histology.MCD", "n", "9", ""),
    ("histology.MCD", "percent", "34.6", ""),
    ("histology.MCD.crf", "n", "0", ""),
    ("histology.MN", "n", "1", ""),
    ("histology.MN", "percent", "3.8", ""),
    ("histology.MN.crf", "n", "0", ""),
    ("histology.DMS", "n", "1", ""),
    ("histology.DMS", "percent", "3.8", ""),
    ("histology.DMS.crf", "n", "0", ""),
    # Table 1 (sex M:F as males out of patients with sex recorded)
    ("table1.MCD.sex", "n", "8", "8:1"),
    ("table1.MCD.sex", "denominator", "9", "8:1"),
    ("table1.FSGS.sex", "n", "9", "9:6"),
    ("table1.FSGS.sex", "denominator", "15", "9:6"),
    ("table1.MN.sex", "n", "0", "0:1"),
    ("table1.MN.sex", "denominator", "1", "0:1"),
    ("table1.DMS.sex", "n", "1", "1:0"),
    ("table1.DMS.sex", "denominator", "1", "1:0"),
    ("table1.MCD.age_years", "mean", "10.52", ""),
    ("table1.MCD.age_years", "sd", "4.93", ""),
    ("table1.FSGS.age_years", "mean", "10", ""),
    pytest.param(
        "table1.FSGS.age_years",
        "sd",
        "8.34",
        "cannot be met",
        marks=pytest.mark.xfail(
            strict=True,
            reason="Impossible in the seed: 15 ages in 2-18 with mean 10 have SD <= 8.0, and the "
            "overall SD 4.98 leaves the FSGS group SD 5.44 (docs/demo-cohort.md, decision 2)",
        ),
    ),
    ("table1.MN.age_years", "mean", "13", ""),
    ("table1.DMS.age_years", "mean", "12", ""),
    ("table1.MCD.months_diagnosis_to_mmf", "mean", "59.7", ""),
    ("table1.MCD.months_diagnosis_to_mmf", "sd", "49", ""),
    ("table1.FSGS.months_diagnosis_to_mmf", "mean", "59.5", ""),
    ("table1.FSGS.months_diagnosis_to_mmf", "sd", "48", ""),
    ("table1.MN.months_diagnosis_to_mmf", "mean", "60", ""),
    ("table1.DMS.months_diagnosis_to_mmf", "mean", "72", ""),
    ("table1.MCD.hypertension", "percent", "44.4", ""),
    ("table1.FSGS.hypertension", "n", "7", "printed 46.6%; 7/15 is 46.7%"),
    ("table1.FSGS.hypertension", "percent", "46.7", "printed 46.6%; 7/15 is 46.7%"),
    ("table1.MN.hypertension", "percent", "100", ""),
    ("table1.DMS.hypertension", "percent", "100", ""),
    # treatments: "34.6% (n = 9) steroid pulses, 23.1% (n = 6) Cyclophosphamide, 69.2% (n = 18) ..."
    ("treatment.steroid_pulses", "n", "9", ""),
    ("treatment.steroid_pulses", "percent", "34.6", ""),
    ("treatment.cyclophosphamide", "n", "6", ""),
    ("treatment.cyclophosphamide", "percent", "23.1", ""),
    ("treatment.cyclosporine", "n", "18", ""),
    ("treatment.cyclosporine", "percent", "69.2", ""),
    ("treatment.mmf", "percent", "100", ""),
    ("treatment.rituximab", "n", "6", "abstract prints 23%; 6/26 is 23.1%"),
    ("treatment.rituximab", "percent", "23.1", "abstract prints 23%; 6/26 is 23.1%"),
    ("treatment.enalapril", "n", "23", ""),
    ("treatment.enalapril", "percent", "88.5", ""),
    ("treatment.losartan", "n", "15", ""),
    ("treatment.losartan", "percent", "57.7", ""),
    # "Group 1 (n = 20, 77%) ... Group 2 (n = 6, 23%)"
    ("group.1", "n", "20", ""),
    ("group.1", "percent", "77", ""),
    ("group.2", "n", "6", ""),
    ("group.2", "percent", "23", ""),
    # "On average, MMF was used 5 years after diagnosis (SD 3.8) ... median 22 months (10.5, 46.5)"
    ("mmf.years_from_diagnosis", "mean", "5", ""),
    ("mmf.years_from_diagnosis", "sd", "3.8", ""),
    ("mmf.duration_months", "median", "22", ""),
    ("mmf.duration_months", "p25", "10.5", ""),
    ("mmf.duration_months", "p75", "46.5", ""),
    # "Before MMF treatment, 73.1% (n = 19) nephrotic ..., 23.1% (n = 6) non-nephrotic, 3.8% (n = 1) none"
    ("proteinuria.month0.nephrotic", "n", "19", ""),
    ("proteinuria.month0.nephrotic", "percent", "73.1", ""),
    ("proteinuria.month0.partial", "n", "6", ""),
    ("proteinuria.month0.partial", "percent", "23.1", ""),
    ("proteinuria.month0.complete", "n", "1", ""),
    ("proteinuria.month0.complete", "percent", "3.8", ""),
    # "One month after ..., 61.5% (n = 16) remission, 30.8% (n = 8) ... 7.7% (n = 2) nephrotic"
    ("response.month1.complete", "n", "16", ""),
    ("response.month1.complete", "percent", "61.5", ""),
    ("response.month1.partial", "n", "8", ""),
    ("response.month1.partial", "percent", "30.8", ""),
    ("response.month1.none", "n", "2", ""),
    ("response.month1.none", "percent", "7.7", ""),
    # "in group 1, 12 of 20 (60%) complete, 6 (30%) partial and 2 (10%) did not respond"
    ("response.month1.group1.complete", "n", "12", ""),
    ("response.month1.group1.complete", "percent", "60", ""),
    ("response.month1.group1.partial", "n", "6", ""),
    ("response.month1.group1.partial", "percent", "30", ""),
    ("response.month1.group1.none", "n", "2", ""),
    ("response.month1.group1.none", "percent", "10", ""),
    # "In group 2 (n = 6), 4 patients (66.6%) complete and 2 (33.3%) partial remission"
    ("response.month1.group2.complete", "n", "4", "printed 66.6%; 4/6 is 66.7%"),
    ("response.month1.group2.complete", "percent", "66.7", "printed 66.6%; 4/6 is 66.7%"),
    ("response.month1.group2.partial", "n", "2", ""),
    ("response.month1.group2.partial", "percent", "33.3", ""),
    # "median relapses per year ... 3 (p25 2.75 - p75 4) ... became 1 (1 - 3.25) (p = 0.08)"
    ("relapses_per_year.before", "median", "3", ""),
    ("relapses_per_year.before", "p25", "2.75", ""),
    ("relapses_per_year.before", "p75", "4", ""),
    ("relapses_per_year.after", "median", "1", ""),
    ("relapses_per_year.after", "p25", "1", ""),
    ("relapses_per_year.after", "p75", "3.25", ""),
    ("relapses_per_year.test", "p", "0.08", ""),
    # "steroid dose was 1 (0.5 - 1.62) mg/k/day ... became 0.07 (0 - 0.55) (p < 0.001)"
    ("steroid_dose.before", "median", "1", ""),
    ("steroid_dose.before", "p25", "0.5", ""),
    ("steroid_dose.before", "p75", "1.62", ""),
    ("steroid_dose.after", "median", "0.07", ""),
    ("steroid_dose.after", "p25", "0", ""),
    ("steroid_dose.after", "p75", "0.55", ""),
    ("steroid_dose.test", "p", "< 0.001", ""),
    ("prednisolone_stopped", "n", "8", "in 8 patients prednisolone was stopped"),
    # "The rate started at 158.3 ml/min (SD 65.6) and, after one year, 151.08 (SD 53.8)"
    ("egfr.mmf_start", "mean", "158.3", ""),
    ("egfr.mmf_start", "sd", "65.6", ""),
    ("egfr.month12", "mean", "151.08", ""),
    ("egfr.month12", "sd", "53.8", ""),
    # "92.3% (n = 24) only medical treatment, 3.8% (n = 1) RRT and 3.8% (n = 1) transplantation"
    ("outcomes.medical_only", "n", "24", ""),
    ("outcomes.medical_only", "percent", "92.3", ""),
    ("outcomes.rrt", "n", "1", ""),
    ("outcomes.rrt", "percent", "3.8", ""),
    ("outcomes.transplant", "n", "1", ""),
    ("outcomes.transplant", "percent", "3.8", ""),
    ("outcomes.crf", "n", "3", "11.5% (3/26) developed chronic renal failure"),
    ("outcomes.crf", "percent", "11.5", ""),
    ("outcomes.death", "n", "0", "No patient died"),
    # "11.5% of the patients (n = 3) developed diarrhea, and 15.4% severe infections (n = 4)"
    ("adverse.diarrhea", "n", "3", ""),
    ("adverse.diarrhea", "percent", "11.5", ""),
    ("adverse.severe_infection", "n", "4", ""),
    ("adverse.severe_infection", "percent", "15.4", ""),
]


def matches_printed(value, printed: str) -> bool:
    """True when ``value`` rounds (half up, as printed tables do) to ``printed``."""
    if printed.startswith("<"):
        return value is not None and value < float(printed.lstrip("< "))
    if value is None:
        return False
    places = Decimal(printed)
    rounded = Decimal(repr(float(value))).quantize(places, rounding="ROUND_HALF_UP")
    return rounded == places


@pytest.fixture(scope="module")
def demo_records(tmp_path_factory):
    from nephrocohort.pipeline import run_report

    out = tmp_path_factory.mktemp("demo-report")
    run = run_report(data=None, rule_set="study", out_dir=out, formats=("json",))
    records = json.loads(run.files["json"].read_text(encoding="utf-8"))
    return {record["id"]: record for record in records}


@pytest.mark.parametrize(("item_id", "field", "printed", "note"), SEED)
def test_demo_report_reproduces_the_seed_figure(demo_records, item_id, field, printed, note):
    assert item_id in demo_records, f"{item_id} missing from results.json"
    value = demo_records[item_id][field]
    assert matches_printed(value, printed), (
        f"{item_id}.{field} = {value!r}; the seed prints {printed} {note}".strip()
    )


def test_age_at_diagnosis_upper_range_is_16_years(demo_records):
    # "The age at the moment of diagnosis ranged from 7 months to 16 years"
    assert matches_printed(demo_records["age_at_diagnosis_months"]["max"] / 12, "16")


def test_aki_at_onset_is_about_17_7_percent(demo_records):
    # The seed prints 17.7% without a count; no k/n with n <= 26 gives it (seed-results.md;
    # docs/demo-cohort.md decision 3: 3/17 = 17.6%, onset AKI unknown for 9). Within 0.1.
    assert abs(demo_records["onset.aki"]["percent"] - 17.7) <= 0.1 + 1e-9


@pytest.mark.parametrize(
    ("value", "printed", "expected"),
    [(24.5, "25", True), (25.49, "25", True), (25.5, "25", False), (2.545, "2.54", False),
     (2.535, "2.54", True), (0.0009, "< 0.001", True), (0.001, "< 0.001", False),
     (None, "3", False), (66.666, "66.7", True), (66.666, "66.6", False)],
)  # fmt: skip
def test_printed_precision_comparison(value, printed, expected):
    assert matches_printed(value, printed) is expected
