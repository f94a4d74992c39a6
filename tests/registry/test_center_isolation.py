"""A user of center A gets 404 for every URL of a center B patient (GET and POST)."""

import pytest
from django.urls import reverse

from nephrocohort.registry.models import CHILD_MODELS, Patient
from nephrocohort.registry.urls import registry_patterns


def _patient_urls(patient):
    """Every registry URL that names a patient, filled in for ``patient`` and its records."""
    urls = []
    for pattern in registry_patterns:
        groups = set(pattern.pattern.regex.groupindex)
        if "pk" not in groups:
            continue
        name = f"registry:{pattern.name}"
        if "table" not in groups:
            urls.append(reverse(name, kwargs={"pk": patient.pk}))
            continue
        for table, model in CHILD_MODELS.items():
            if "record_pk" in groups:
                record = model.objects.filter(patient=patient).first()
                kwargs = {"pk": patient.pk, "table": table, "record_pk": record.pk}
            else:
                kwargs = {"pk": patient.pk, "table": table}
            urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.mark.django_db
def test_every_patient_url_is_covered(patient_b):
    names = {p.name for p in registry_patterns if "pk" in p.pattern.regex.groupindex}
    # If a patient URL is added, it is in this sweep automatically; this pins the count.
    assert len(_patient_urls(patient_b)) == (len(names) - 3) + 3 * len(CHILD_MODELS)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_centers_patient_urls_answer_404(client, entry_a, patient_a, patient_b, method):
    client.force_login(entry_a)
    before = Patient.objects.get(pk=patient_b.pk).version
    answered = {url: getattr(client, method)(url).status_code for url in _patient_urls(patient_b)}
    assert answered and set(answered.values()) == {404}, answered
    assert Patient.objects.get(pk=patient_b.pk).version == before


@pytest.mark.django_db
def test_own_patient_urls_answer(client, entry_a, patient_a):
    client.force_login(entry_a)
    answered = {url: client.get(url).status_code for url in _patient_urls(patient_a)}
    # Every URL is a page (delete URLs show a confirmation page to GET).
    assert set(answered.values()) == {200}, answered


@pytest.mark.django_db
def test_record_of_another_patient_under_my_patients_url_is_404(
    client, entry_a, patient_a, patient_b
):
    """A center B record id placed under a center A patient's URL is not found either."""
    client.force_login(entry_a)
    visit_b = patient_b.visits.get()
    url = reverse("registry:record_edit", args=[patient_a.pk, "visits", visit_b.pk])
    assert client.get(url).status_code == 404
