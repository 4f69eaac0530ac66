"""A printed case study: the content alone (no navigation, breadcrumb,
forms or buttons), outside links written out, on a sensible number of
pages."""

import pytest
from playwright.sync_api import expect

from .test_compare import pdf_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_case_study_prints_as_its_content(browser_site, page):
    coops = browser_site["case_studies"]["coops"]
    page.goto(coops.url)
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Youth guarantee through worker cooperatives")
    expect(page.get_by_role("heading", name="Key facts")).to_be_visible()
    for control in page.locator("main form, main button").all():
        expect(control).to_be_hidden()
    # The source's address is on paper.
    after = page.locator('a[href="https://example.org/report"]').evaluate(
        "link => getComputedStyle(link, '::after').content"
    )
    assert "https://example.org/report" in after
    pages = pdf_pages(page.pdf(format="A4"))
    assert 1 <= pages <= 3, pages
