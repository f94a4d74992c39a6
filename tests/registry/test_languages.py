"""Issue 13: the registry in English, Spanish and Brazilian Portuguese.

The header's language chooser, each user's language saved on their profile and applied
from login on, the browser's Accept-Language before login, and caches kept per language.
"""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request activates its language for the thread (Django's way): later tests read English."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def _nav(response) -> str:
    return response.content.decode("utf-8")


def test_the_header_offers_the_three_languages_in_their_own_names(client):
    html = _nav(client.get(reverse("registry:login")))
    assert 'action="/language/"' in html
    for code, name in (("en", "English"), ("es", "Español"), ("pt-br", "Português (Brasil)")):
        assert f'<option value="{code}" lang="{code}"' in html
        assert name in html
    # In their own names in every language: a Portuguese page offers "English", not "Inglês".
    for language in ("es", "pt-br"):
        html = _nav(client.get(reverse("registry:login"), HTTP_ACCEPT_LANGUAGE=language))
        for code, name in (("en", "English"), ("es", "Español"), ("pt-br", "Português (Brasil)")):
            assert f'<option value="{code}" lang="{code}"' in html
            assert f">{name}</option>" in html


def test_before_login_the_browser_language_is_used_and_responses_vary_on_it(client):
    response = client.get(reverse("registry:login"), HTTP_ACCEPT_LANGUAGE="es-CO,es;q=0.9")
    html = _nav(response)
    assert '<html lang="es">' in html
    assert "<title>Iniciar sesión</title>" in html  # the page title, translated
    assert response["Content-Language"] == "es"
    vary = {v.strip().lower() for v in response["Vary"].split(",")}
    assert {"accept-language", "cookie"} <= vary


def test_choosing_a_language_saves_it_on_the_profile(client, entry_a):
    client.force_login(entry_a)
    response = client.post(
        reverse("registry:set_language"), {"language": "pt-br", "next": "/"}, follow=True
    )
    entry_a.registry_profile.refresh_from_db()
    assert entry_a.registry_profile.language == "pt-br"
    html = _nav(response)
    assert '<html lang="pt-br">' in html
    assert "Qualidade dos dados" in html  # "Data quality" in the header


def test_a_language_not_offered_is_not_saved(client, entry_a):
    client.force_login(entry_a)
    client.post(reverse("registry:set_language"), {"language": "fr", "next": "/"})
    entry_a.registry_profile.refresh_from_db()
    assert entry_a.registry_profile.language == ""


def test_the_saved_language_is_applied_at_login_over_the_browser_language(client, entry_a):
    entry_a.registry_profile.language = "es"
    entry_a.registry_profile.save()
    response = client.post(
        reverse("registry:login"),
        {"username": "entry_a", "password": "a long test passphrase"},
        HTTP_ACCEPT_LANGUAGE="pt-BR",
        follow=True,
    )
    html = _nav(response)
    assert '<html lang="es">' in html
    assert "Calidad de los datos" in html and "Cerrar sesión" in html
    # The cookie follows the profile, so the login page after logging out stays in Spanish.
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_a_user_who_never_chose_keeps_the_browser_language(client, entry_a):
    client.force_login(entry_a)
    html = _nav(client.get(reverse("registry:patient_list"), HTTP_ACCEPT_LANGUAGE="pt-BR"))
    assert '<html lang="pt-br">' in html


def test_cached_fragments_are_kept_per_language(patient_a):
    from django.core.cache import cache
    from django.utils import translation
    from django.utils.translation import gettext

    from nephrocohort.registry.caching import cached_for_patient

    cache.clear()
    rendered = {}
    for language in ("en", "es", "pt-br", "es"):
        with translation.override(language):
            rendered.setdefault(language, []).append(
                cached_for_patient(patient_a, "test-fragment", lambda: gettext("Data quality"))
            )
    assert rendered == {
        "en": ["Data quality"],
        "es": ["Calidad de los datos", "Calidad de los datos"],
        "pt-br": ["Qualidade dos dados"],
    }
