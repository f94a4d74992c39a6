"""Import a bundle through the browser (all or nothing) and export one (de-identified)."""

import io
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.registry.exports import export_tables

from nephrocohort.registry.models import Lab, Patient

GOOD = {
    "patients.csv": (
        "patient_id,center,sex,birth_date,onset_date,hbv,last_followup_date,ethnicity_code\n"
        "A-101,A,F,2011-05-01,2013-02-01,negative,2019-06-30,07\n"
        "A-102,A,M,2012-07-15,2014-03-10,negative,2020-01-31,03\n"
    ),
    "visits.csv": "patient_id,date,weight_kg,height_cm\nA-101,2014-01-10,14.5,95.0\n",
    "labs.csv": (
        "patient_id,date,test,value,unit\n"
        "A-101,2014-01-10,serum_creatinine,30,umol/L\n"
        "A-101,2014-01-10,dipstick_protein,3+,mg/dL\n"
        "A-102,2014-04-01,urine_protein_timed,55,mg/m2/h\n"
    ),
    "medications.csv": (
        "patient_id,drug,start_date,end_date,dose,dose_unit,schedule,stop_reason\n"
        "A-101,mmf,2014-01-10,,600,mg/m2/day,bid,\n"
    ),
    "events.csv": "patient_id,date,event,detail\nA-101,2015-02-01,relapse,seen by Dr X\n",
}


def _zip(files: dict[str, str]) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"cohort/{name}", text)
    return SimpleUploadedFile("cohort.zip", buffer.getvalue(), content_type="application/zip")


@pytest.fixture
def client_a(client, entry_a):
    client.force_login(entry_a)
    return client


@pytest.mark.django_db
class TestImport:
    def test_valid_zip_shows_a_preview_and_writes_nothing_until_confirmed(self, client_a):
        response = client_a.post(reverse("registry:import"), {"bundle": _zip(GOOD)})
        assert response.status_code == 200
        assert response.context["preview"]["counts"]["labs"] == 3
        assert not Patient.objects.filter(patient_id="A-101").exists()
        token = response.context["token"]
        response = client_a.post(reverse("registry:import_confirm", args=[token]))
        assert response.status_code == 302
        patient = Patient.objects.get(patient_id="A-101")
        assert patient.center.code == "A" and patient.extra == {"ethnicity_code": "07"}
        labs = {(lab.test, lab.value, lab.unit) for lab in Lab.objects.filter(patient=patient)}
        # Stored as measured, in the unit measured (the dipstick as its mg/dL band).
        assert labs == {("serum_creatinine", "30", "umol/L"), ("dipstick_protein", "300", "mg/dL")}
        assert patient.history.first().history_user.username == "entry_a"

    def test_broken_file_lists_every_problem_and_writes_nothing(self, client_a):
        broken = dict(GOOD)
        broken["visits.csv"] = "patient_id,date,weight_kg,height_cm\nA-101,2014-13-10,14.5,1.2\n"
        broken["labs.csv"] = "patient_id,date,test,value,unit\nA-999,2014-01-10,upcr,2,mg/dL\n"
        response = client_a.post(reverse("registry:import"), {"bundle": _zip(broken)})
        assert response.status_code == 422
        codes = {(p.table, p.code) for p in response.context["problems"]}
        assert ("visits", "bad_date") in codes and ("visits", "implausible") in codes
        assert ("labs", "unknown_patient") in codes and ("labs", "unknown_unit") in codes
        assert b"nothing was imported" in response.content
        assert Patient.objects.count() == 0

    def test_patient_of_a_center_not_mine_is_refused(self, client_a):
        other = dict(GOOD)
        other["patients.csv"] = GOOD["patients.csv"].replace("A-102,A,", "A-102,B,")
        response = client_a.post(reverse("registry:import"), {"bundle": _zip(other)})
        [problem] = response.context["problems"]
        assert problem.code == "registry.center_not_allowed" and problem.row == 3
        assert Patient.objects.count() == 0

    def test_patient_already_in_the_registry_is_refused(self, client_a, patient_a):
        clash = {name: text.replace("A-102", "A-001") for name, text in GOOD.items()}
        response = client_a.post(reverse("registry:import"), {"bundle": _zip(clash)})
        assert [p.code for p in response.context["problems"]] == ["registry.patient_exists"]

    def test_patient_id_in_other_case_or_deleted_is_refused(self, client_a, patient_a):
        patient_a.soft_delete(expected_version=patient_a.version)
        clash = {name: text.replace("A-102", "a-001") for name, text in GOOD.items()}
        response = client_a.post(reverse("registry:import"), {"bundle": _zip(clash)})
        assert [p.code for p in response.context["problems"]] == ["registry.patient_exists"]

    def test_other_centers_patient_id_is_not_confirmed(self, client, make_user, patient_b):
        client.force_login(make_user("entry_a2", "data_entry", "A"))
        clash = {name: text.replace("A-102", "B-001") for name, text in GOOD.items()}
        response = client.post(reverse("registry:import"), {"bundle": _zip(clash)})
        [problem] = response.context["problems"]
        assert problem.code == "registry.patient_id_unusable"
        assert "already" not in problem.message and "B" not in problem.hint

    def test_xlsx_workbook_is_accepted(self, client_a):
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for name, text in GOOD.items():
                frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
                frame.to_excel(writer, sheet_name=name.removesuffix(".csv"), index=False)
        upload = SimpleUploadedFile("cohort.xlsx", buffer.getvalue())
        response = client_a.post(reverse("registry:import"), {"bundle": upload})
        assert response.context.get("problems") == [], response.context.get("problems")
        assert response.context["preview"]["counts"]["patients"] == 2

    def test_messages_name_the_users_own_file(self, client_a):
        upload = SimpleUploadedFile("Clinic data (May).xlsx", b"junk")
        response = client_a.post(reverse("registry:import"), {"bundle": upload})
        text = " ".join(f"{p.message} {p.hint}" for p in response.context["problems"])
        assert "Clinic data (May).xlsx" in text and "upload.xlsx" not in text

    def test_not_a_zip_is_reported(self, client_a):
        upload = SimpleUploadedFile("cohort.zip", b"not a zip")
        response = client_a.post(reverse("registry:import"), {"bundle": upload})
        assert [p.code for p in response.context["problems"]] == ["registry.bad_zip"]

    def test_confirming_someone_elses_upload_is_404(self, client_a, client, make_user):
        response = client_a.post(reverse("registry:import"), {"bundle": _zip(GOOD)})
        token = response.context["token"]
        client.force_login(make_user("other_entry", "data_entry", "A"))
        assert client.post(reverse("registry:import_confirm", args=[token])).status_code == 404
        assert Patient.objects.count() == 0


@pytest.mark.django_db
class TestExport:
    def test_deidentified_by_default_through_interops_deidentify(
        self, client, make_user, patient_a, patient_b
    ):
        """Issue 14 item 1: no real ID, no variant text, dates shifted as the CLI shifts them."""
        patient_a.genetics.update(variant="c.413G>A")
        client.force_login(make_user("inv", "investigator", "A"))
        response = client.post(reverse("registry:export"), {})
        assert b"A-001" not in response.content
        tables = export_tables(client)
        patients = tables["patients"]
        [pseudonym] = patients["patient_id"].tolist()
        assert pseudonym != "A-001" and pseudonym.startswith("P")
        assert "variant" not in tables["genetics"].columns
        assert "detail" not in tables["events"].columns
        assert "stop_reason" not in tables["medications"].columns
        assert not any(name.endswith("_days_from_onset") for name in patients.columns)
        # One shift per patient: born 2012-03-01, onset 2014-05-10, 800 days apart still.
        born, onset = pd.to_datetime(patients["birth_date"]), pd.to_datetime(patients["onset_date"])
        assert (onset - born).dt.days.tolist() == [800]
        assert set(tables["visits"]["patient_id"]) == {pseudonym}

    def test_same_bundle_as_the_command_line_export(
        self, client, make_user, patient_a, patient_b, tmp_path
    ):
        """The registry and `nephrocohort export --to bundle` give the same files for the same data."""
        from nephrocohort.pipeline import export_data
        from nephrocohort.registry.bundle_io import export_zip

        patient_a.genetics.update(variant="c.413G>A")
        client.force_login(make_user("boss", "admin"))
        response = client.post(reverse("registry:export"), {"identifiable": "on"})
        source = tmp_path / "identifiable"
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            archive.extractall(source)
        (source / "README.txt").unlink()
        out = tmp_path / "cli"
        export_data(source, to="bundle", out=out, include_analysis=False, seed=7)
        registry = export_zip(Patient.objects.all(), identifiable=False, seed=7)
        with zipfile.ZipFile(io.BytesIO(registry)) as archive:
            files = {name: archive.read(name).decode() for name in archive.namelist()}
        files.pop("README.txt")
        # The registry's own table (test_signatures_export.py); a bundle has no signatures.
        files.pop("audit/signatures.csv")
        assert sorted(files) == sorted(path.name for path in out.iterdir())
        for name, text in files.items():
            cli = pd.read_csv(out / name, dtype=str)
            ours = pd.read_csv(io.StringIO(text), dtype=str)
            assert list(ours.columns) == list(cli.columns), name
        assert files["patients.csv"] == (out / "patients.csv").read_text()
        assert files["visits.csv"] == (out / "visits.csv").read_text()
        assert "A-001" not in "".join(files.values())
        assert "c.413G>A" not in "".join(files.values())

    def test_identifiable_export_is_refused_to_investigators(self, client, make_user, patient_a):
        client.force_login(make_user("inv", "investigator", "A"))
        response = client.post(reverse("registry:export"), {"identifiable": "on"})
        assert response.status_code == 403

    def test_admin_may_export_identifiable_data(self, client, make_user, patient_a):
        client.force_login(make_user("boss", "admin"))
        tables = export_tables(client, identifiable="on")
        assert tables["patients"]["birth_date"].tolist() == ["2012-03-01"]

    def test_identifiable_export_reimports_as_a_valid_bundle(
        self, client, make_user, patient_a, tmp_path
    ):
        from nephrocohort.cohort import load_bundle

        client.force_login(make_user("boss", "admin"))
        response = client.post(reverse("registry:export"), {"identifiable": "on"})
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            archive.extractall(tmp_path)
        (tmp_path / "README.txt").unlink()
        cohort = load_bundle(tmp_path)
        assert cohort.row_counts()["labs"] == 3

    @pytest.mark.parametrize("identifiable", ["", "on"])
    def test_center_without_patients_exports_empty_tables(
        self, client, make_user, patient_b, identifiable
    ):
        role = "admin" if identifiable else "investigator"
        user = make_user("empty", role, "A")
        client.force_login(user)
        if identifiable:
            # An administrator sees every center: an empty registry is the empty case.
            patient_b.soft_delete(expected_version=patient_b.version)
        tables = export_tables(client, identifiable=identifiable)
        assert tables["patients"].empty and tables["labs"].empty
        assert "onset_date" in tables["patients"].columns

    def test_data_entry_cannot_export(self, client_a):
        assert client_a.get(reverse("registry:export")).status_code == 403


@pytest.mark.django_db
def test_patient_added_between_preview_and_confirm_imports_nothing(client_a, centers):
    response = client_a.post(reverse("registry:import"), {"bundle": _zip(GOOD)})
    Patient.objects.create(patient_id="A-102", center=centers["A"], sex="M")
    response = client_a.post(
        reverse("registry:import_confirm", args=[response.context["token"]]), follow=True
    )
    assert response.context["job"].error_code == "registry.import_invalid"
    assert [p.code for p in response.context["problems"]] == ["registry.patient_exists"]
    assert b"Nothing was imported" in response.content
    assert not Patient.objects.filter(patient_id="A-101").exists()


@pytest.mark.django_db
def test_the_confirmed_import_runs_as_a_job_only_its_owner_sees(client_a, client, make_user):
    response = client_a.post(reverse("registry:import"), {"bundle": _zip(GOOD)})
    confirm = client_a.post(reverse("registry:import_confirm", args=[response.context["token"]]))
    page = client_a.get(confirm["Location"])
    assert page.context["job"].status == "done"
    assert b"Imported 2 patients with all their records." in page.content
    client.force_login(make_user("other_entry", "data_entry", "A"))
    assert client.get(confirm["Location"]).status_code == 404


@pytest.mark.django_db
class TestBadUploads:
    def test_zip_without_csv_files(self, client_a):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("notes.txt", "hello")
        upload = SimpleUploadedFile("cohort.zip", buffer.getvalue())
        response = client_a.post(reverse("registry:import"), {"bundle": upload})
        [problem] = response.context["problems"]
        assert problem.code == "registry.no_csv" and "patients.csv" in problem.hint

    def test_other_file_types_are_refused_by_the_form(self, client_a):
        upload = SimpleUploadedFile("cohort.csv", b"patient_id\nP1\n")
        response = client_a.post(reverse("registry:import"), {"bundle": upload})
        assert (
            "must be a .zip of CSV files or an .xlsx workbook (got cohort.csv)"
            in (response.context["form"].errors["bundle"][0])
        )

    def test_zip_cannot_write_outside_its_folder(self, client_a, tmp_path):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, text in GOOD.items():
                archive.writestr(f"../../{name}", text)
        upload = SimpleUploadedFile("cohort.zip", buffer.getvalue())
        response = client_a.post(reverse("registry:import"), {"bundle": upload})
        # Members are taken by their base name inside the upload folder: still a valid preview.
        assert response.context["preview"]["counts"]["patients"] == 2


@pytest.mark.django_db
class TestConfirmedImplausibleValues:
    """A value confirmed in a form travels with the export and is accepted on re-import."""

    def _confirm_tall_visit(self, client, patient):
        response = client.post(
            reverse("registry:record_create", args=[patient.pk, "visits"]),
            {
                "date": "2016-03-01",
                "weight_kg": "16",
                "height_cm": "260",
                "edema": "no",
                "confirm_unusual_values": "on",
            },
        )
        assert response.status_code == 302, response.context["form"].errors
        return patient.visits.get(date="2016-03-01")

    def test_confirmation_is_kept_with_the_row(self, client_a, patient_a):
        visit = self._confirm_tall_visit(client_a, patient_a)
        assert visit.extra["confirmed_implausible"] == "height_cm"

    def test_identifiable_export_reimports_with_its_confirmation(
        self, client, make_user, patient_a
    ):
        boss = make_user("boss", "admin")
        client.force_login(boss)
        self._confirm_tall_visit(client, patient_a)
        response = client.post(reverse("registry:export"), {"identifiable": "on"})
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            files = {
                name: archive.read(name).decode().replace("A-001", "A-901")
                for name in archive.namelist()
                if name.endswith(".csv")
            }
        visits = pd.read_csv(io.StringIO(files["visits.csv"]), dtype=str)
        assert visits["confirmed_implausible"].tolist()[-1] == "height_cm"
        response = client.post(reverse("registry:import"), {"bundle": _zip(files)})
        assert response.context["problems"] == [], response.context["problems"]
        assert response.context["preview"]["counts"]["visits"] == 2
        token = response.context["token"]
        client.post(reverse("registry:import_confirm", args=[token]))
        copy = Patient.objects.get(patient_id="A-901")
        tall = copy.visits.get(date="2016-03-01")
        assert tall.height_cm == 260 and tall.extra["confirmed_implausible"] == "height_cm"

    def test_confirmed_rows_are_set_aside_in_memory(
        self, client, make_user, patient_a, tmp_path, disk_use
    ):
        """The rest of the file is loaded again without them: no scratch folder (issue 9)."""
        from nephrocohort.registry.bundle_io import check_bundle

        boss = make_user("boss", "admin")
        client.force_login(boss)
        self._confirm_tall_visit(client, patient_a)
        response = client.post(reverse("registry:export"), {"identifiable": "on"})
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            for name in archive.namelist():
                # The bundle's tables (the export's audit/signatures.csv is not one).
                if name.endswith(".csv") and "/" not in name:
                    text = archive.read(name).decode().replace("A-001", "A-901")
                    (tmp_path / Path(name).name).write_text(text, encoding="utf-8")
        check_bundle(tmp_path, boss)  # lazy imports open module files: once before the watch
        (cohort, problems), disk = disk_use(check_bundle, tmp_path, boss)
        assert problems == []
        tall = cohort.visits[cohort.visits["height_cm"] == 260]
        assert tall["patient_id"].tolist() == ["A-901"]
        assert disk_use.writes(disk) == []
        assert any(event == "open" and "visits.csv" in str(args[0]) for event, args in disk)

    def test_unconfirmed_column_is_still_refused(self, client_a, patient_a):
        files = dict(GOOD)
        visits = pd.read_csv(io.StringIO(files["visits.csv"]), dtype=str)
        visits.loc[0, "height_cm"] = "260"
        visits["confirmed_implausible"] = "weight_kg"
        files["visits.csv"] = visits.to_csv(index=False)
        response = client_a.post(reverse("registry:import"), {"bundle": _zip(files)})
        assert [p.code for p in response.context["problems"]] == ["implausible"]

    def test_only_the_identifiable_export_names_the_confirmed_columns(
        self, client, make_user, patient_a
    ):
        # De-identified exports keep only columns interop's deidentify knows (as the CLI does).
        client.force_login(make_user("boss", "admin"))
        self._confirm_tall_visit(client, patient_a)
        assert "confirmed_implausible" not in export_tables(client)["visits"].columns
        tables = export_tables(client, identifiable="on")
        assert tables["visits"]["confirmed_implausible"].tolist()[-1] == "height_cm"


@pytest.mark.django_db
def test_confirming_an_import_answers_at_once_and_a_worker_stores_it_with_progress(
    client_a, settings, monkeypatch
):
    """Issue 13: the confirm request only queues an IMPORT job; the page shows its progress."""
    from nephrocohort.registry import bundle_io, jobs
    from nephrocohort.registry.models import BackgroundJob

    started = []

    class Worker:  # stands in for the worker process the server starts
        def __init__(self, command, **options):
            started.append(command)

        def wait(self):
            return 0

    settings.NEPHROCOHORT_JOB_RUNNER = "process"  # as served: a worker process, not the request
    monkeypatch.setattr(jobs.subprocess, "Popen", Worker)
    response = client_a.post(reverse("registry:import"), {"bundle": _zip(GOOD)})
    confirm = client_a.post(reverse("registry:import_confirm", args=[response.context["token"]]))

    assert confirm.status_code == 302
    [job] = BackgroundJob.objects.all()
    assert (job.kind, job.status) == (BackgroundJob.Kind.IMPORT, BackgroundJob.Status.QUEUED)
    assert started == [[sys.executable, "-m", "nephrocohort.registry.worker"]]
    assert not Patient.objects.filter(patient_id="A-101").exists()  # nothing done in the request
    queued = client_a.get(confirm["Location"])
    assert b'id="import-progress"' in queued.content and b'http-equiv="refresh"' in queued.content

    pages_while_writing = []
    real_write = bundle_io.write_cohort

    def write_and_look(cohort, user):
        pages_while_writing.append(client_a.get(confirm["Location"]).content)
        return real_write(cohort, user)

    monkeypatch.setattr(bundle_io, "write_cohort", write_and_look)
    settings.NEPHROCOHORT_JOB_RUNNER = "inline"  # no heartbeat thread on the in-memory database
    assert jobs.work_queue() == 1  # what the worker process runs
    [page] = pages_while_writing
    assert b'id="import-progress"' in page and b'<progress max="100" value="50">' in page
    done = client_a.get(confirm["Location"])
    assert b'id="import-done"' in done.content and b'http-equiv="refresh"' not in done.content
    assert Patient.objects.filter(patient_id__in=["A-101", "A-102"]).count() == 2
