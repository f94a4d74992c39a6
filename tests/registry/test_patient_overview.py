"""The patient page leads with what a clinician looks at; derived values have their own tab."""

import pytest
from django.urls import reverse


def _html(client, patient, language="en", name="registry:patient_detail"):
    response = client.get(reverse(name, args=[patient.pk]), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
class TestPatientOverview:
    def test_summary_add_buttons_timeline_latest_values_then_records(
        self, client, entry_a, patient_a
    ):
        client.force_login(entry_a)
        html = _html(client, patient_a)
        order = [
            'id="patient-summary"',
            'id="new-visit"',
            'id="add-labs"',
            'class="timeline"',
            'id="latest-values"',
            'id="table-visits"',
            'id="table-labs"',
        ]
        positions = [html.index(marker) for marker in order]
        assert positions == sorted(positions)
        # The derived values and their rule text are not on this page, only a tab to them.
        assert 'id="derived-values"' not in html and "Derived values (rule set" not in html
        assert f'href="{reverse("registry:patient_derived", args=[patient_a.pk])}?rule_set=' in html

    def test_latest_values_are_the_newest_of_each(self, client, entry_a, patient_a):
        import datetime as dt

        from nephrocohort.registry.models import Lab

        Lab.objects.create(
            patient=patient_a, date=dt.date(2016, 6, 1), test="serum_albumin", value="3.1",
            unit="g/dL",
        )  # fmt: skip
        client.force_login(entry_a)
        html = _html(client, patient_a)
        latest = html[
            html.index('id="latest-values"') : html.index(
                "</table>", html.index('id="latest-values"')
            )
        ]
        # Fixture: albumin 1.9 g/dL on 2015-02-01; the row above is newer.
        assert "<td>Serum albumin</td><td>3.1 g/dL</td><td>2016-06-01</td>" in latest
        assert "1.9 g/dL" not in latest
        assert "<td>Weight</td><td>14.2 kg</td><td>2015-02-01</td>" in latest
        ongoing = html[html.index('id="ongoing-medications"') :]
        assert (
            "<td>Mycophenolate mofetil (MMF)</td><td>600 mg/m2/day</td><td>Twice a day</td>"
            in ongoing
        )

    def test_records_have_column_headers_and_human_labels(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        html = _html(client, patient_a)
        labs = html[html.index('id="table-labs"') :]
        assert "<thead><tr><th>Date</th><th>Test</th><th>Value</th>" in labs
        assert "<td>Timed urine protein</td>" in labs and "urine_protein_timed" not in html
        assert "<td>Relapse</td>" in html[html.index('id="table-events"') :]

    def test_in_spanish_dates_are_dd_mm_yyyy_and_labels_spanish(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        html = _html(client, patient_a, "es")
        assert "fecha de nacimiento 01/03/2012" in html  # born 2012-03-01
        labs = html[html.index('id="table-labs"') :]
        assert "<td>01/02/2015</td><td>Albúmina sérica</td><td>1,9 g/dL</td>" in labs
        assert "<th>Fecha</th><th>Prueba</th><th>Valor</th>" in labs
        assert "Nueva visita" in html

    def test_each_language_gets_its_own_rendering_of_the_cached_records(
        self, client, entry_a, patient_a
    ):
        client.force_login(entry_a)
        assert "<th>Fecha</th>" in _html(client, patient_a, "es")
        assert "<th>Data</th>" in _html(client, patient_a, "pt-BR")
        assert "<th>Date</th>" in _html(client, patient_a, "en")


@pytest.mark.django_db
class TestDerivedTab:
    def test_derived_values_with_their_rules_on_their_own_page(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        response = client.get(reverse("registry:patient_derived", args=[patient_a.pk]))
        html = response.content.decode()
        assert "Derived values (rule set study)" in html and 'id="derived-values"' in html
        assert 'id="patient-tabs"' in html
        # Each value by its name for a reader, the column name beside it (as exports call it).
        assert '<td>Eligible for the study <code class="muted">eligible</code></td>' in html
        columns = {row["column"] for row in response.context["derived_key"]}
        assert {"state_month1", "eligible", "egfr_mmf_start"} <= columns

    def test_another_rule_set_is_chosen_on_the_tab(self, client, entry_a, patient_a):
        client.force_login(entry_a)
        url = reverse("registry:patient_derived", args=[patient_a.pk])
        html = client.get(url, {"rule_set": "ipna2020"}).content.decode()
        assert "Derived values (rule set ipna2020)" in html
        assert client.get(url, {"rule_set": "nope"}).status_code == 404
