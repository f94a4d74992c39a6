"""De-identified roles see ages and days since onset, never a patient's calendar dates (issue 14).

Investigators and monitors may export de-identified data only; on screen
they must not read the dates the export shifts. The patient of the fixtures
(``conftest._patient_with_records``): born 2012-03-01, onset 2014-05-10,
biopsy 2014-08-01, genetics 2015-01-01, visit, labs and MMF start 2015-02-01,
relapse 2016-01-05, last follow-up 2020-01-15. Expected values are counted
by hand from those dates:

- visit 2015-02-01: 22 days to 1 June + 30+31+31+30+31+30+31+31 = day 267;
- relapse 2016-01-05: 365 (to 2015-05-10) + 21+30+31+31+30+31+30+31+5 = day 605;
- last follow-up 2020-01-15: 1826 (five years, one 29 February) + 250 = day 2076;
- age at onset: 730 + 70 = 800 days / 365.25 = 2.19 -> "2.2 years";
- age at last follow-up: 2922 - 46 = 2876 days / 365.25 = 7.87 -> "7.9 years".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

PATIENT_DATES = (
    "2012-03-01",
    "2014-05-10",
    "2014-08-01",
    "2015-01-01",
    "2015-02-01",
    "2016-01-05",
    "2020-01-15",
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _calendar_dates(text: str) -> set[str]:
    return set(ISO_DATE.findall(text)) & set(PATIENT_DATES)


@pytest.fixture
def monitor_a(make_user):
    return make_user("monitor_a", "monitor", "A")


@pytest.fixture
def investigator_a(make_user):
    return make_user("investigator_a", "investigator", "A")


@pytest.fixture
def admin_user(make_user):
    return make_user("admin_user", "admin")


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
class TestPatientPage:
    def test_monitor_and_investigator_see_no_calendar_date(
        self, client, monitor_a, investigator_a, patient_a
    ):
        url = reverse("registry:patient_detail", args=[patient_a.pk])
        for user in (monitor_a, investigator_a):
            page = _get(client, user, url).content.decode()
            assert _calendar_dates(page) == set(), user.username
            assert "age at onset 2.2 years" in page
            assert "last follow-up day 2076 (age 7.9 years)" in page

    def test_records_tables_show_days_since_onset(self, client, monitor_a, patient_a):
        page = _get(client, monitor_a, reverse("registry:patient_detail", args=[patient_a.pk]))
        html = page.content.decode()
        visits = html[html.index('id="table-visits"') :]
        assert "<td>day 267</td>" in visits[: visits.index("</table>")]
        medications = html[html.index('id="table-medications"') :]
        assert "<td>day 267</td><td>ongoing</td>" in medications[: medications.index("</table>")]
        events = html[html.index('id="table-events"') :]
        assert "<td>day 605</td>" in events[: events.index("</table>")]

    def test_derived_values_and_their_evidence_use_days(self, client, monitor_a, patient_a):
        # The derived values have their own tab (issue 13).
        response = _get(client, monitor_a, reverse("registry:patient_derived", args=[patient_a.pk]))
        derived = response.content.decode().split('id="derived-values"')[1]
        assert _calendar_dates(derived) == set()
        assert "day 267" in derived  # mmf_start_date and the MMF row behind it

    def test_data_entry_admin_and_principal_investigator_see_dates(
        self, client, entry_a, admin_user, make_user, patient_a
    ):
        """A PI reviews the record against the chart before signing it (21 CFR 11.50:
        "reviewed"), so a PI sees the dates of their center's patients (acceptance check)."""
        url = reverse("registry:patient_detail", args=[patient_a.pk])
        for user in (entry_a, admin_user, make_user("pi_a", "pi", "A")):
            page = _get(client, user, url).content.decode()
            assert "born 2012-03-01" in page and "<td>2015-02-01</td>" in page

    @pytest.mark.parametrize("first", ["admin", "monitor"])
    def test_cached_rendering_is_never_served_to_the_other_kind_of_user(
        self, client, monitor_a, admin_user, patient_a, first
    ):
        """The records fragment is cached per patient: the key must carry the view of dates."""
        url = reverse("registry:patient_detail", args=[patient_a.pk])
        order = [admin_user, monitor_a] if first == "admin" else [monitor_a, admin_user]
        pages = {user.username: _get(client, user, url).content.decode() for user in order}
        assert _calendar_dates(pages["monitor_a"]) == set()
        assert "<td>2015-02-01</td>" in pages["admin_user"]


@pytest.mark.django_db
def test_patient_list_shows_age_at_onset_and_days(client, monitor_a, entry_a, patient_a):
    page = _get(client, monitor_a, reverse("registry:patient_list")).content.decode()
    assert _calendar_dates(page) == set()
    assert "<th>Age at onset</th>" in page
    assert "<td>2.2 years</td><td>day 2076</td>" in page
    page = _get(client, entry_a, reverse("registry:patient_list")).content.decode()
    assert "<td>2014-05-10</td><td>2020-01-15</td>" in page


@pytest.mark.django_db
def test_calculators_page_shows_days(client, monitor_a, patient_a):
    page = _get(client, monitor_a, reverse("registry:calculators", args=[patient_a.pk]))
    text = page.content.decode()
    assert _calendar_dates(text) == set()
    assert "latest visit (day 267)" in text


@pytest.mark.django_db
class TestAudit:
    def test_audit_page_shows_days_not_dates(self, client, monitor_a, entry_a, patient_a):
        url = reverse("registry:audit", args=[patient_a.pk])
        page = _get(client, monitor_a, url).content.decode()
        assert _calendar_dates(page) == set()
        # The birth date's "created" value: 800 days before onset.
        assert "birth_date: (empty) &rarr; day -800" in page
        assert (
            "birth_date: (empty) &rarr; 2012-03-01" in _get(client, entry_a, url).content.decode()
        )

    def test_audit_csv_shows_days_and_is_logged_as_de_identified(
        self, client, monitor_a, patient_a
    ):
        from nephrocohort.registry.models import AccessEvent

        response = _get(client, monitor_a, reverse("registry:audit_csv", args=[patient_a.pk]))
        text = response.content.decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        assert _calendar_dates(text) == set()
        visit_dates = {r["new"] for r in rows if r["record"] == "visit" and r["field"] == "date"}
        assert visit_dates == {"day 267"}
        # The time a row was saved is the registry's, not the patient's: kept for monitoring.
        assert all(ISO_DATE.match(r["when_utc"]) for r in rows)
        event = AccessEvent.objects.get(action="audit_download")
        assert event.identifiable is False

    def test_a_principal_investigators_audit_csv_has_dates_and_is_logged_identifiable(
        self, client, make_user, patient_a
    ):
        from nephrocohort.registry.models import AccessEvent

        pi = make_user("pi_a", "pi", "A")
        text = _get(client, pi, reverse("registry:audit_csv", args=[patient_a.pk])).content.decode()
        assert "2015-02-01" in text and "day 267" not in text
        assert AccessEvent.objects.get(action="audit_download").identifiable is True

    def test_signature_times_are_the_registrys_and_stay_times_for_a_monitor(
        self, client, make_user, monitor_a, patient_a
    ):
        """Found against a running server: a monitor read "signed_at: (empty) -> day 5852
        03:24:10", the signing time turned into days since the patient's onset."""
        from django.test import RequestFactory

        from nephrocohort.registry.models import PatientSignature
        from nephrocohort.registry.signatures import sign_and_lock

        pi = make_user("pi_a", "pi", "A")
        request = RequestFactory().post("/")
        request.user = pi
        sign_and_lock(request, patient_a, password="a long test passphrase", meaning="reviewed")
        signed = PatientSignature.objects.get(patient=patient_a).signed_at
        url = reverse("registry:audit_csv", args=[patient_a.pk])
        rows = list(csv.DictReader(io.StringIO(_get(client, monitor_a, url).content.decode())))
        signed_at = [
            r["new"] for r in rows if r["record"] == "signature" and r["field"] == "signed_at"
        ]
        assert signed_at == [str(signed)]
        assert signed_at[0].startswith(signed.strftime("%Y-%m-%d %H:%M:%S"))
        visit_dates = {r["new"] for r in rows if r["record"] == "visit" and r["field"] == "date"}
        assert visit_dates == {"day 267"}
        page = _get(client, monitor_a, reverse("registry:audit", args=[patient_a.pk]))
        html = page.content.decode()
        assert f"signed_at: (empty) &rarr; {signed}" in html
        assert _calendar_dates(html) == set()


@pytest.mark.django_db
def test_timeline_is_drawn_since_onset_for_a_monitor_even_after_an_admin(
    client, monitor_a, admin_user, patient_a, monkeypatch
):
    from nephrocohort.registry.views import timeline as view

    drawn = []
    original = view.timeline_figure

    def spy(*args, **kwargs):
        drawn.append(kwargs.get("since_onset", False))
        return original(*args, **kwargs)

    monkeypatch.setattr(view, "timeline_figure", spy)
    url = reverse("registry:timeline_png", args=[patient_a.pk])
    admin_png = _get(client, admin_user, url).content
    monitor_png = _get(client, monitor_a, url).content
    assert drawn == [False, True]
    assert admin_png != monitor_png


@pytest.mark.django_db
def test_timeline_since_onset_axis_has_no_calendar_date(patient_a):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from nephrocohort.clinical.rules import load_rule_set
    from nephrocohort.registry.conversion import cohort_from_db
    from nephrocohort.registry.models import Patient
    from nephrocohort.registry.timeline import timeline_figure

    cohort = cohort_from_db(Patient.objects.filter(pk=patient_a.pk))
    figure = timeline_figure(cohort, rule_set=load_rule_set("study"), since_onset=True)
    FigureCanvasAgg(figure).draw()
    axis = figure.axes[3]
    labels = [label.get_text() for label in axis.get_xticklabels() if label.get_text()]
    assert labels and all(re.fullmatch(r"-?\d+", label) for label in labels), labels
    assert axis.get_xlabel() == "Months since onset"
    texts = [text.get_text() for text in figure.findobj(match=lambda a: hasattr(a, "get_text"))]
    # No patient date anywhere, no year (what a date axis labels its ticks with) on its own.
    assert not any(_calendar_dates(text) or re.fullmatch(r"(19|20)\d\d", text) for text in texts)
    # The same figure for a role that sees dates names years on its axis.
    dated = timeline_figure(cohort, rule_set=load_rule_set("study"))
    FigureCanvasAgg(dated).draw()
    assert any("20" in label.get_text() for label in dated.axes[3].get_xticklabels())


class TestDateShown:
    def test_without_onset_the_date_is_withheld(self):
        import datetime as dt

        from nephrocohort.registry.relative_dates import DateShown

        shown = DateShown(identifiable=False, onset=None, birth=dt.date(2012, 3, 1))
        assert shown.date(dt.date(2015, 2, 1)) == "(date withheld)"
        assert shown.birth_date() == "(date withheld)"

    def test_text_replaces_every_iso_date(self):
        import datetime as dt

        from nephrocohort.registry.relative_dates import DateShown

        shown = DateShown(identifiable=False, onset=dt.date(2014, 5, 10))
        assert shown.text("mmf from 2015-02-01 to 2014-05-09") == "mmf from day 267 to day -1"
        assert DateShown(identifiable=True).text("from 2015-02-01") == "from 2015-02-01"


@pytest.mark.django_db
class TestDataQualityPage:
    """A finding's sentence names the dates of the records it is about."""

    @pytest.fixture
    def visit_after_followup(self, patient_a):
        from nephrocohort.registry.models import Visit

        # 2020-02-14: day 2076 (last follow-up, see the module docstring) + 16 + 14 = day 2106.
        return Visit.objects.create(patient=patient_a, date=dt.date(2020, 2, 14), weight_kg=20.0)

    def test_monitor_reads_days_since_onset(self, client, monitor_a, visit_after_followup):
        page = _get(client, monitor_a, reverse("registry:quality")).content.decode()
        assert "day 2106" in page and "day 2076" in page
        assert set(ISO_DATE.findall(page)) & {*PATIENT_DATES, "2020-02-14"} == set()

    def test_admin_reads_the_dates(self, client, admin_user, visit_after_followup):
        page = _get(client, admin_user, reverse("registry:quality")).content.decode()
        assert "2020-02-14" in page
