"""Partial remission needs serum albumin >= 3.0 g/dL under ipna2020 and kdigo2021.

Source of the rule: IPNA 2020 Table 1 (as repeated in IPNA 2022 SSNS Table 1)
and KDIGO 2021 — partial remission = UPCR > 0.2 and < 2 mg/mg and serum
albumin >= 30 g/L (3.0 g/dL); KDIGO 2025 adds "if available"
(shared/reference/clinical-reference.md sections 1b and 1c). The seed study
(rule set ``study``) has no albumin clause. The window (3 days) is the rule
sets' ``albumin_window_days``. Every expected value below is worked out by
hand; the comment next to each assertion shows the arithmetic.
"""

from __future__ import annotations

import pytest
from test_derive import lab, make_cohort, one

from nephrocohort.clinical.rules import load_rule_set
from nephrocohort.cohort import derive, explain, load_bundle, save_bundle

# MMF starts 2016-01-01; month 1 target 2016-02-01 (window +/-15 days).
MONTH1 = "2016-02-01"


@pytest.fixture(scope="module")
def rule_sets():
    return {name: load_rule_set(name) for name in ("study", "ipna2020", "kdigo2021")}


def upcr(date, mg_mg):
    return lab(date, "upcr", mg_mg, "mg/mg")


def albumin(date, value, unit="g/dL"):
    return lab(date, "serum_albumin", value, unit)


def test_rule_sets_carry_the_albumin_criterion_with_its_source(rule_sets):
    for name in ("ipna2020", "kdigo2021"):
        params = rule_sets[name].derivation
        assert params.partial_remission_min_albumin_g_dl == 3.0  # 30 g/L / 10
        assert params.albumin_window_days == 3
        assert "30 g/L" in rule_sets[name].parameter_sources["partial_remission_min_albumin_g_dl"]
    assert rule_sets["study"].derivation.partial_remission_min_albumin_g_dl is None
    rows = {name: value for name, value, _ in rule_sets["ipna2020"].parameter_rows()}
    assert rows["derivation.partial_remission_min_albumin_g_dl"] == ">= 3 g/dL"
    assert (
        "not required"
        in dict((n, v) for n, v, _ in rule_sets["study"].parameter_rows())[
            "derivation.partial_remission_min_albumin_g_dl"
        ]
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ipna2020", "nephrotic"), ("kdigo2021", "nephrotic"), ("study", "partial")],
)
def test_low_albumin_the_same_day_makes_partial_proteinuria_no_remission(rule_sets, name, expected):
    # UPCR 1.0: 0.2 < 1.0 < 2 -> partial by proteinuria. Albumin 2.5 g/dL < 3.0 the same
    # day (distance 0 <= 3 days): ipna2020/kdigo2021 -> nephrotic (no remission);
    # study has no albumin clause -> stays partial (study UPCR: >= 2 nephrotic, <= 0.2
    # complete, so 1.0 is partial).
    cohort = make_cohort(labs=[upcr(MONTH1, 1.0), albumin(MONTH1, 2.5)])
    row = one(derive(cohort, rule_sets[name]))
    assert row["state_month1"] == expected
    assert row["response_month1"] == ("none" if expected == "nephrotic" else "partial")


def test_albumin_at_or_above_three_keeps_partial(rule_sets):
    # 3.2 >= 3.0 -> partial stays partial. Boundary: 3.0 >= 3.0 also partial.
    for value in (3.2, 3.0):
        cohort = make_cohort(labs=[upcr(MONTH1, 1.0), albumin(MONTH1, value)])
        assert one(derive(cohort, rule_sets["ipna2020"]))["state_month1"] == "partial"


def test_no_albumin_within_the_window_leaves_proteinuria_to_decide(rule_sets):
    # Albumin 2.5 on 2016-01-28: 4 days before 02-01 > 3-day window -> not used -> partial.
    cohort = make_cohort(labs=[upcr(MONTH1, 1.0), albumin("2016-01-28", 2.5)])
    assert one(derive(cohort, rule_sets["ipna2020"]))["state_month1"] == "partial"
    # 2016-01-29: 3 days before, inside the closed window -> 2.5 < 3.0 -> nephrotic.
    cohort = make_cohort(labs=[upcr(MONTH1, 1.0), albumin("2016-01-29", 2.5)])
    assert one(derive(cohort, rule_sets["ipna2020"]))["state_month1"] == "nephrotic"
    # No albumin at all -> partial.
    cohort = make_cohort(labs=[upcr(MONTH1, 1.0)])
    assert one(derive(cohort, rule_sets["ipna2020"]))["state_month1"] == "partial"


def test_nearest_albumin_decides(rule_sets):
    # 2.5 on 01-30 (2 days before) and 3.4 on 02-02 (1 day after): nearest is 3.4 -> partial.
    cohort = make_cohort(
        labs=[upcr(MONTH1, 1.0), albumin("2016-01-30", 2.5), albumin("2016-02-02", 3.4)]
    )
    assert one(derive(cohort, rule_sets["ipna2020"]))["state_month1"] == "partial"


def test_albumin_does_not_touch_complete_or_nephrotic_days(rule_sets):
    # UPCR 0.1 <= 0.2 complete and 2.5 >= 2 nephrotic whatever the albumin (2.5 g/dL).
    cohort = make_cohort(labs=[upcr(MONTH1, 0.1), albumin(MONTH1, 2.5)])
    assert one(derive(cohort, rule_sets["ipna2020"]))["state_month1"] == "complete"


def test_albumin_in_g_per_litre_from_a_csv_bundle_is_converted(rule_sets, tmp_path):
    # 25 g/L = 2.5 g/dL (/ 10) < 3.0 -> nephrotic under ipna2020; 32 g/L = 3.2 g/dL -> partial.
    for g_l, expected in ((25, "nephrotic"), (32, "partial")):
        cohort = make_cohort(labs=[upcr(MONTH1, 1.0), albumin(MONTH1, g_l, "g/L")])
        folder = save_bundle(cohort, tmp_path / f"bundle{g_l}")
        assert (folder / "labs.csv").is_file()
        row = one(derive(load_bundle(folder), rule_sets["ipna2020"]))
        assert row["state_month1"] == expected


def test_relapse_counts_a_return_from_low_albumin_partial_as_no_remission(rule_sets):
    # kdigo2021 (3-day confirmation). 01-01 nephrotic (3.0); 02-01..02-03 UPCR 1.0 with
    # albumin 2.5 each day -> nephrotic, so the run 01-01..02-03 stays nephrotic and the
    # UPCR 2.5 on 03-01..03-03 is not a relapse. Without the albumin (study-like reading)
    # 02-01..02-03 would be a confirmed partial remission and 03-01 a relapse.
    days = ("2016-02-01", "2016-02-02", "2016-02-03")
    labs = [upcr("2016-01-01", 3.0)]
    labs += [upcr(d, 1.0) for d in days] + [albumin(d, 2.5) for d in days]
    labs += [upcr(d, 2.5) for d in ("2016-03-01", "2016-03-02", "2016-03-03")]
    assert one(derive(make_cohort(labs=labs), rule_sets["kdigo2021"]))["relapses_after"] == 0
    no_albumin = [row for row in labs if row["test"] != "serum_albumin"]
    assert one(derive(make_cohort(labs=no_albumin), rule_sets["kdigo2021"]))["relapses_after"] == 1


def test_explain_shows_the_albumin_used(rule_sets):
    cohort = make_cohort(labs=[upcr(MONTH1, 1.0), albumin(MONTH1, 2.5)])
    value = explain(cohort, rule_sets["ipna2020"], "P1")["state_month1"]
    assert value.value == "nephrotic"
    texts = [e.description for e in value.evidence]
    assert any(t.startswith("upcr 1") for t in texts)
    assert any("serum_albumin 2.5" in t and "albumin used" in t for t in texts)
    assert ">= 3 g/dL" in value.rule
    # study: no albumin clause, no albumin evidence
    value = explain(cohort, rule_sets["study"], "P1")["state_month1"]
    assert not any("serum_albumin" in e.description for e in value.evidence)
