"""A Content-Security-Policy header on every page, compatible with the registry's own pages.

Issue 14 item 7. The policy allows scripts, styles and images from the
registry only; it works because no template has an inline script, inline
style or event-handler attribute (swept below), and the browser test loads
the main pages in Chromium and finds no policy violation. The self-contained
HTML report has its own stricter policy (no script at all).
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import nephrocohort.registry

TEMPLATES = Path(nephrocohort.registry.__file__).parent / "templates"


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in header.split(";")
        if part.strip()
    }


@pytest.fixture
def client_admin(client, make_user):
    client.force_login(make_user("boss", "admin"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/login/", "/", "/cohort/", "/quality/", "/export/", "/import/", "/admin/",
     "/admin/auth/user/", "/no-such-page/"],
)  # fmt: skip
def test_every_page_has_the_policy(client_admin, patient_a, url):
    policy = _policy(client_admin.get(url))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())


@pytest.mark.django_db
def test_patient_pages_have_the_policy(client_admin, patient_a):
    for url in (
        reverse("registry:patient_detail", args=[patient_a.pk]),
        reverse("registry:audit", args=[patient_a.pk]),
        reverse("registry:calculators", args=[patient_a.pk]),
    ):
        assert _policy(client_admin.get(url))["script-src"] == "'self'", url


@pytest.mark.django_db
def test_the_html_report_may_not_run_any_script(client_admin, make_user):
    from nephrocohort.cohort import demo_cohort
    from nephrocohort.registry.bundle_io import write_cohort

    write_cohort(demo_cohort(), make_user("loader", "admin"))
    # Computed as the page's button asks for it (the job runs inline in the tests).
    assert client_admin.post(reverse("registry:cohort_report_start")).status_code == 302
    response = client_admin.get(reverse("registry:cohort_report", args=["html"]))
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == "'none'" and policy["default-src"] == "'none'"
    assert policy["img-src"] == "data:"
    assert b"<script" not in response.content


_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "inline <style>"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_have_nothing_the_policy_blocks(template):
    text = template.read_text(encoding="utf-8")
    found = [what for pattern, what in _INLINE if pattern.search(text)]
    assert not found, f"{template.name}: {', '.join(found)}"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_policy_in_chromium(live_server, launch_chromium, make_user, patient_a):
    """The pages, the admin site's user form and the HTML report, with the policy enforced."""
    import os

    from playwright.sync_api import sync_playwright

    make_user("boss", "admin")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    violations = []
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page()
            page.on(
                "console",
                lambda message: (
                    violations.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            page.goto(f"{live_server.url}/login/")
            page.fill("#id_username", "boss")
            page.fill("#id_password", "a long test passphrase")
            page.click("main button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            for path in (
                "/",
                f"/patients/{patient_a.pk}/",
                f"/patients/{patient_a.pk}/audit/",
                f"/patients/{patient_a.pk}/calculators/",
                "/cohort/",
                "/import/",
                "/export/",
                "/admin/",
                "/admin/registry/userprofile/add/",
                "/admin/auth/user/add/",
            ):
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, path
                page.wait_for_load_state("networkidle")
                # The stylesheet was allowed: the page is styled by it.
                assert page.evaluate("document.styleSheets.length") >= 1, path
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert violations == []
