"""The methods text names the rule set's origin and fingerprint; an edited copy is never the original."""

from importlib import resources

from nephrocohort.clinical import load_rule_set
from nephrocohort.report import build_results


def _study_with_nephrotic_threshold_50(tmp_path):
    text = (resources.files("nephrocohort.clinical") / "rulesets" / "study.yaml").read_text()
    path = tmp_path / "my.yaml"
    path.write_text(text.replace("value: 40\n", "value: 50\n", 1))
    return path


def test_shipped_rule_set_is_named_with_its_fingerprint(analysis):
    text = build_results(analysis, rule_set="study").methods
    fingerprint = load_rule_set("study").fingerprint
    assert "the rule set 'study' (Seed study" in text
    assert f"shipped with NephroCohort; fingerprint {fingerprint})" in text


def test_modified_copy_is_described_as_such(analysis, tmp_path):
    path = _study_with_nephrotic_threshold_50(tmp_path)
    copy = load_rule_set(str(path))
    for rule_set in (copy, str(path)):
        text = build_results(analysis, rule_set=rule_set).methods
        assert "the rule set 'study'" not in text
        assert (
            f"met the eligibility criteria of a modified copy of 'study' (file {path}; changed: "
            "proteinuria.urine_protein_timed[mg/m2/h].nephrotic > 40 mg/m2/h -> > 50 mg/m2/h; "
            f"fingerprint {copy.fingerprint}) and were analysed." in text
        )


def test_report_run_in_results_json_carries_origin_and_fingerprint(tmp_path):
    import json

    from nephrocohort.pipeline import run_report

    path = _study_with_nephrotic_threshold_50(tmp_path)
    run_report(rule_set=str(path), out_dir=tmp_path / "out", formats="json")
    run = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))[0]
    assert run["id"] == "report.run"
    assert f"a modified copy of 'study' (file {path}" in run["methods"]
    assert load_rule_set(str(path)).fingerprint in run["methods"]
