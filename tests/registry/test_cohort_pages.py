"""The cohort report from the database (same code as the CLI) and the data-quality list.

The cohort: three synthetic children of center A with the same course:
prednisone 60 mg/m2/day for 46 days with nephrotic-range proteinuria
throughout (steroid resistant), MMF from 2016-01-01 with proteinuria 60
mg/m2/h before and 2 mg/m2/h one month after. A3 has a family history of
nephrotic syndrome, which excludes A3 (seed exclusion criterion 3), so two
patients are analysed.
"""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from nephrocohort.cohort import load_bundle, save_bundle
from nephrocohort.registry.bundle_io import write_cohort
from nephrocohort.registry.models import Patient


@pytest.fixture
def study_cohort(tmp_path, make_user, make_small_study_cohort):
    admin = make_user("loader", "admin")
    save_bundle(make_small_study_cohort(("A1", "A2", "A3"), center="A"), tmp_path / "bundle")
    write_cohort(load_bundle(tmp_path / "bundle"), admin)
    return Patient.objects.filter(patient_id__in=["A1", "A2", "A3"])


def _compute(client, rule_set="study"):
    """Ask for the report as the page's button does (the job runs inline in the tests)."""
    response = client.post(f"{reverse('registry:cohort_report_start')}?rule_set={rule_set}")
    assert response.status_code == 302
    return client.get(reverse("registry:cohort"), {"rule_set": rule_set})


@pytest.mark.django_db
class TestCohortReport:
    def test_json_report_from_the_database(self, client, make_user, study_cohort):
        client.force_login(make_user("inv", "investigator", "A"))
        _compute(client)
        response = client.get(reverse("registry:cohort_report", args=["json"]))
        assert response.status_code == 200
        items = {item["id"]: item for item in json.loads(response.content)}
        assert items["cohort.n"]["n"] == 2

    def test_html_docx_and_xlsx_download(self, client, make_user, study_cohort):
        client.force_login(make_user("inv", "investigator", "A"))
        _compute(client)
        _compute(client, "ipna2020")
        html = client.get(reverse("registry:cohort_report", args=["html"]))
        assert html["Content-Type"].startswith("text/html") and b"<html" in html.content
        docx = client.get(reverse("registry:cohort_report", args=["docx"]))
        assert docx.content[:2] == b"PK" and "report-study.docx" in docx["Content-Disposition"]
        xlsx = client.get(
            reverse("registry:cohort_report", args=["xlsx"]), {"rule_set": "ipna2020"}
        )
        assert xlsx.content[:2] == b"PK" and "report-ipna2020.xlsx" in xlsx["Content-Disposition"]

    def test_another_centers_user_gets_the_report_of_their_own_patients_only(
        self, client, make_user, study_cohort
    ):
        client.force_login(make_user("inv_b", "investigator", "B"))
        page = _compute(client)
        assert page.context["job"].status == "failed"
        assert b"The report cannot be computed" in page.content
        assert client.get(reverse("registry:cohort_report", args=["json"])).status_code == 404

    def test_a_computed_report_is_reused_until_the_data_change(
        self, client, make_user, study_cohort
    ):
        client.force_login(make_user("inv", "investigator", "A"))
        first = _compute(client).context["done"]
        assert _compute(client).context["done"].pk == first.pk  # same data: not computed again
        patient = study_cohort.get(patient_id="A1")
        patient.last_followup_date = "2020-01-01"
        patient.save_checked(expected_version=patient.version)
        page = client.get(reverse("registry:cohort"))
        assert page.context["current"] is False and b"report-stale" in page.content
        assert _compute(client).context["done"].pk != first.pk

    def test_the_page_shows_progress_while_the_job_waits(self, client, make_user, study_cohort):
        from nephrocohort.registry import jobs
        from nephrocohort.registry.models import BackgroundJob

        user = make_user("inv", "investigator", "A")
        client.force_login(user)
        scope = jobs.cohort_scope(user)
        BackgroundJob.objects.create(
            kind="report",
            key=jobs.report_key(scope, "study"),
            data_stamp=jobs.cohort_stamp(scope),
            params={"scope": scope, "rule_set": "study"},
            status="running",
            step="computing",
            progress_percent=15,
            heartbeat_at=timezone.now(),
        )
        page = client.get(reverse("registry:cohort"))
        assert b'http-equiv="refresh"' in page.content
        assert b'<progress max="100" value="15">' in page.content
        assert b"report-start" not in page.content  # no second start while one runs

    def test_a_job_whose_worker_died_is_failed_and_can_be_asked_again(
        self, client, make_user, study_cohort
    ):
        from nephrocohort.registry import jobs
        from nephrocohort.registry.models import BackgroundJob

        user = make_user("inv", "investigator", "A")
        client.force_login(user)
        scope = jobs.cohort_scope(user)
        lost = BackgroundJob.objects.create(
            kind="report",
            key=jobs.report_key(scope, "study"),
            data_stamp=jobs.cohort_stamp(scope),
            params={"scope": scope, "rule_set": "study"},
            status="running",
            heartbeat_at=timezone.now() - dt.timedelta(minutes=5),
        )
        page = client.get(reverse("registry:cohort"))
        lost.refresh_from_db()
        assert lost.status == "failed" and lost.error_code == "job.worker_lost"
        assert b"stopped without finishing" in page.content
        assert _compute(client).context["done"].status == "done"

    def test_unknown_format_or_rule_set_is_404(self, client, make_user, study_cohort):
        client.force_login(make_user("inv", "investigator", "A"))
        assert client.get(reverse("registry:cohort_report", args=["pdf"])).status_code == 404
        response = client.get(reverse("registry:cohort"), {"rule_set": "nope"})
        assert response.status_code == 404


@pytest.mark.django_db
class TestDataQuality:
    def test_lists_gaps_and_contradictions_with_links_to_fix(self, client, entry_a, patient_a):
        from nephrocohort.registry.models import Event

        Patient.objects.filter(pk=patient_a.pk).update(death_date="2019-12-01")
        Event.objects.create(patient=patient_a, date="2021-01-01", event="dialysis")
        client.force_login(entry_a)
        response = client.get(reverse("registry:quality"))
        [(patient_id, pk, findings)] = response.context["by_patient"]
        assert patient_id == "A-001"
        [no_event] = [f for f in findings if f.code == "death_without_event"]
        assert no_event.kind == "contradiction"
        assert no_event.fix_url == reverse("registry:record_create", args=[pk, "events"])
        [after_death] = [f for f in findings if f.code == "after_death"]
        assert after_death.fix_url.startswith(f"/patients/{pk}/events/")

    def test_same_codes_as_nephrocohort_validate(self, client, entry_a, patient_a, tmp_path):
        """Issue 9: the data-quality page and `nephrocohort validate` report the same checks."""
        import io
        import json
        import zipfile

        from typer.testing import CliRunner

        from nephrocohort.cli import app
        from nephrocohort.registry.bundle_io import export_zip
        from nephrocohort.registry.models import Event, Lab
        from nephrocohort.registry.quality import quality_findings

        # Died 2019-12-01 without a death event; a dialysis after death; a lab after the
        # last follow-up (2020-01-15) of patient B, who is alive.
        Patient.objects.filter(pk=patient_a.pk).update(death_date="2019-12-01")
        Event.objects.create(patient=patient_a, date="2019-12-20", event="dialysis")
        patient_b = Patient.objects.create(
            patient_id="A-002",
            center=patient_a.center,
            sex="F",
            birth_date="2012-01-01",
            onset_date="2014-01-01",
            last_followup_date="2020-01-15",
        )
        Lab.objects.create(
            patient=patient_b, date="2020-03-01", test="serum_albumin", value="30", unit="g/L"
        )
        Event.objects.create(patient=patient_b, date="2019-01-01", event="death")
        page = sorted(
            (f.patient_id, f.code)
            for f in quality_findings(Patient.objects.all(), as_of="2026-01-01")
            if f.code
        )
        with zipfile.ZipFile(io.BytesIO(export_zip(Patient.objects.all(), identifiable=True))) as z:
            z.extractall(tmp_path)
        (tmp_path / "README.txt").unlink()
        result = CliRunner().invoke(
            app, ["validate", str(tmp_path), "--json", "--as-of", "2026-01-01"]
        )
        assert result.exit_code == 0, result.output
        outcome = json.loads(result.output)
        assert outcome["valid"] is True
        codes = set()
        for problem in outcome["problems"]:
            assert problem["severity"] == "warning"
            codes.add(problem["code"])
        assert codes == {
            "death_without_event",
            "after_death",
            "after_last_followup",
            "death_event_without_date",
        }
        assert sorted(code for _, code in page) == sorted(p["code"] for p in outcome["problems"])
        located = {(p["table"], p["column"]) for p in outcome["problems"]}
        assert ("events", "date") in located and ("labs", "date") in located

    def test_implausible_value_confirmed_in_a_form_is_listed(self, client, entry_a, patient_a):
        visit = patient_a.visits.get()
        visit.height_cm = 1.02
        visit.save_checked(expected_version=visit.version)
        client.force_login(entry_a)
        response = client.get(reverse("registry:quality"))
        findings = response.context["by_patient"][0][2]
        implausible = [f for f in findings if f.kind == "implausible"]
        assert implausible and "Was it entered in metres?" in implausible[0].message
        assert implausible[0].fix_url.endswith(f"/visits/{visit.pk}/edit/")

    def test_overlapping_courses_of_one_drug_are_listed(self, client, entry_a, patient_a):
        # The fixture's MMF course (from 2015-02-01, no end) is still open when a renewal is
        # entered from 2015-06-01: the two would be taken at once (issue 11).
        from nephrocohort.registry.models import Medication

        renewal = Medication.objects.create(
            patient=patient_a,
            drug="mmf",
            start_date="2015-06-01",
            dose=400,
            dose_unit="mg/m2/day",
            schedule="bid",
        )
        client.force_login(entry_a)
        findings = client.get(reverse("registry:quality")).context["by_patient"][0][2]
        (overlap,) = [f for f in findings if "begins inside" in f.message]
        assert overlap.kind == "invalid"
        assert overlap.message.startswith(
            "medications: the mmf course of patient A-001 starting 2015-06-01 begins inside "
            "the mmf course of another record (2015-02-01, ongoing)"
        )
        assert overlap.fix_url.endswith(f"/medications/{renewal.pk}/edit/")

    def test_a_large_center_gets_its_list_from_a_background_job(
        self, client, entry_a, patient_a, monkeypatch
    ):
        from nephrocohort.registry.views import cohort

        monkeypatch.setattr(cohort, "QUALITY_INLINE_MAX_PATIENTS", 0)
        Patient.objects.filter(pk=patient_a.pk).update(death_date="2019-12-01")
        client.force_login(entry_a)
        page = client.get(reverse("registry:quality"))
        assert page.context["job"].kind == "quality" and page.context["job"].status == "done"
        [(patient_id, _pk, findings)] = page.context["by_patient"]
        assert patient_id == "A-001"
        assert "death_without_event" in {f.code for f in findings}
        again = client.get(reverse("registry:quality"))
        assert again.context["job"].pk == page.context["job"].pk  # same data: not checked again

    def test_other_centers_patients_are_not_listed(self, client, entry_a, patient_b):
        client.force_login(entry_a)
        assert client.get(reverse("registry:quality")).context["by_patient"] == []


@pytest.mark.django_db
@pytest.mark.slow
def test_report_from_the_database_equals_the_report_from_the_demo_bundle(make_user):
    """Demo cohort -> registry -> Cohort gives the same results as the CLI on the bundle."""
    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.cohort import demo_cohort, derive
    from nephrocohort.registry.conversion import cohort_from_db
    from nephrocohort.report import build_results

    demo = demo_cohort()
    write_cohort(demo, make_user("loader", "admin"))
    rule_set = load_rule_set("study")
    from_db = build_results(derive(cohort_from_db(), rule_set), rule_set=rule_set)
    from_bundle = build_results(derive(demo, rule_set), rule_set=rule_set)
    assert from_db.to_records() == from_bundle.to_records()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("es", ["Síndrome nefrótico corticorresistente", "Remisión completa", "Métodos"]),
        ("pt-br", ["Síndrome nefrótica corticorresistente", "Remissão completa", "Métodos"]),
    ],
)
def test_the_cohort_report_job_writes_the_report_in_the_users_language(
    client, make_user, study_cohort, language, phrases
):
    """Issue 13: the registry's report in es and pt-BR (LocaleMiddleware's language cookie)."""
    import re

    from django.conf import settings

    client.force_login(make_user("inv", "investigator", "A"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    _compute(client)
    response = client.get(reverse("registry:cohort_report", args=["html"]))
    assert response.status_code == 200
    html = response.content.decode("utf-8")
    for phrase in phrases:
        assert phrase in html
    assert re.search(
        r"\b\d+,\d{2}\b", re.sub(r"<style.*?</style>|<img[^>]*>", "", html, flags=re.S)
    )
    # The English report of the same cohort is another job, still in English.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _compute(client)
    english = client.get(reverse("registry:cohort_report", args=["html"])).content.decode()
    assert "Steroid-resistant nephrotic syndrome treated with MMF" in english
