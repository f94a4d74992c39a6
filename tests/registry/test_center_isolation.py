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


ROLES = ["admin", "investigator", "data_entry", "monitor", "pi"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["investigator", "data_entry", "monitor", "pi"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_centers_patient_urls_answer_404(
    client, make_user, patient_a, patient_b, method, role
):
    """Whatever the role, another center's patient is not found (never 403, which confirms it)."""
    client.force_login(make_user(f"{role}_a", role, "A"))
    before = Patient.objects.get(pk=patient_b.pk).version
    answered = {url: getattr(client, method)(url).status_code for url in _patient_urls(patient_b)}
    assert answered and set(answered.values()) == {404}, answered
    assert Patient.objects.get(pk=patient_b.pk).version == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_patient_urls_of_an_id_that_does_not_exist_answer_404(client, make_user, patient_b, role):
    client.force_login(make_user(f"{role}_a", role, "A"))
    urls = [url.replace(f"/{patient_b.pk}/", "/99999/", 1) for url in _patient_urls(patient_b)]
    assert all("/99999/" in url for url in urls)
    answered = {url: client.get(url).status_code for url in urls}
    assert set(answered.values()) == {404}, answered


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_missing_record_of_own_patient_answers_404(client, make_user, patient_a, role):
    client.force_login(make_user(f"{role}_a", role, "A"))
    for name in ("record_edit", "record_delete"):
        url = reverse(f"registry:{name}", args=[patient_a.pk, "visits", 99999])
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["investigator", "monitor", "pi"])
def test_own_patients_edit_urls_are_refused_for_read_only_roles(client, make_user, patient_a, role):
    client.force_login(make_user(f"{role}_a", role, "A"))
    url = reverse("registry:patient_edit", args=[patient_a.pk])
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_own_patient_urls_answer(client, entry_a, patient_a):
    client.force_login(entry_a)
    answered = {url: client.get(url).status_code for url in _patient_urls(patient_a)}
    # Signing and unlocking are a principal investigator's (their role is refused: 403).
    lock_urls = {
        reverse(f"registry:{name}", args=[patient_a.pk])
        for name in ("sign_patient", "unlock_patient")
    }
    assert {url: answered.pop(url) for url in lock_urls} == dict.fromkeys(lock_urls, 403)
    # Every other URL is a page (delete URLs show a confirmation page to GET).
    assert set(answered.values()) == {200}, answered


@pytest.mark.django_db
def test_a_principal_investigator_opens_the_signing_page(client, make_user, patient_a):
    client.force_login(make_user("pi_a", "pi", "A"))
    assert client.get(reverse("registry:sign_patient", args=[patient_a.pk])).status_code == 200
    # Not locked: the unlock URL sends back to the patient page.
    response = client.get(reverse("registry:unlock_patient", args=[patient_a.pk]))
    assert response.status_code == 302


@pytest.mark.django_db
def test_record_of_another_patient_under_my_patients_url_is_404(
    client, entry_a, patient_a, patient_b
):
    """A center B record id placed under a center A patient's URL is not found either."""
    client.force_login(entry_a)
    visit_b = patient_b.visits.get()
    url = reverse("registry:record_edit", args=[patient_a.pk, "visits", visit_b.pk])
    assert client.get(url).status_code == 404
