"""The HTML report in headless Chromium: figures decoded and visible, tables shown, offline.

Screenshots are saved under test-artifacts/report/ for a person to look at.
"""

from pathlib import Path

import pytest

from nephrocohort.report import render_html

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page_of_report(fixture_results, tmp_path_factory, launch_chromium):
    from playwright.sync_api import sync_playwright

    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(fixture_results), encoding="utf-8")
    network = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda request: network.append(request.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        yield page, network
        browser.close()


def test_every_figure_is_decoded_and_visible(page_of_report, request):
    page, _ = page_of_report
    figures = page.locator("figure.report-figure img")
    assert figures.count() == 5
    for index in range(figures.count()):
        image = figures.nth(index)
        image.scroll_into_view_if_needed()
        assert image.is_visible()
        natural_width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        assert natural_width > 300, f"figure {index} did not decode"
        box = image.bounding_box()
        assert box["width"] > 300 and box["height"] > 150
    artifacts = Path(request.config.rootpath) / "test-artifacts" / "report"
    artifacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts / "report-full.png"), full_page=True)
    page.locator("#figure-proteinuria").screenshot(path=str(artifacts / "figure1.png"))


def test_tables_are_shown_with_their_titles(page_of_report):
    page, _ = page_of_report
    assert page.locator("table#table1 caption").inner_text().startswith("Table 1.")
    assert page.locator("table#table2").is_visible()
    cells = page.locator("table#table2 tbody tr").first.locator("td").all_inner_texts()
    assert cells == ["2 (33.3%)", "0 (0.0%)"]  # MCD: 2/6 patients, none with CRF


def test_report_needs_no_network(page_of_report):
    _, network = page_of_report
    fetched = [url for url in network if not url.startswith(("file:", "data:"))]
    assert fetched == []


def test_tables_fit_the_page_and_show_their_notes(page_of_report):
    page, _ = page_of_report
    overflow = page.evaluate(
        """() => {
            const body = document.body.getBoundingClientRect();
            return [...document.querySelectorAll('table')]
                .filter(t => t.getBoundingClientRect().right > body.right + 1)
                .map(t => t.id);
        }"""
    )
    assert overflow == []  # no table sticks out of the page column
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    notes = page.locator("table#table1 + p.note + ol.footnotes li")
    assert notes.count() >= 1 and notes.first.is_visible()
    header = page.locator("table#before_after thead th").all_inner_texts()
    assert "Normality of the differences" in header and "Paired t" in header
