"""Comparing practices in a browser: tick three on the search page, submit,
and read them side by side; the same without JavaScript; and the printed
page is one page."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREE = ["Youth guarantee through worker cooperatives", "Cooperative housing land trust", "Bilbao solidarity market"]


def compare_box(page, title):
    return page.get_by_role("checkbox", name=f"Compare {title}")


def row(page, label):
    """The comparison table's row whose header starts with `label`."""
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(rf"^{re.escape(label)}")))


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def tick_three_and_compare(page):
    page.goto("/practices/")
    expect(page.get_by_role("region", name="5 case studies")).to_be_visible()
    for title in THREE:
        compare_box(page, title).check()
    # Ticking a practice to compare does not submit the search (its script
    # submits the search form when a filter is ticked).
    assert page.url.endswith("/practices/")
    expect(compare_box(page, THREE[0])).to_be_checked()
    page.get_by_role("button", name="Compare the ticked practices").click()
    page.wait_for_url(re.compile(r"/practices/compare/\?p=\d+&p=\d+&p=\d+$"))


def check_three_columns(page, browser_site):
    expect(page.get_by_role("heading", level=1)).to_have_text("Compare practices")
    table = page.get_by_role("table", name=re.compile("^Comparison of "))
    headers = table.get_by_role("columnheader")
    expect(headers).to_have_count(3)
    for title in THREE:
        expect(table.get_by_role("columnheader", name=re.compile(rf"^{re.escape(title)}"))).to_be_visible()
    # Status: running, ended, running (in the order of the search): marked in words.
    status = row(page, "Status")
    expect(status.get_by_role("rowheader")).to_contain_text("Differs")
    expect(status.get_by_role("cell")).to_have_count(3)
    assert sorted(status.get_by_role("cell").all_inner_texts()) == ["Ended", "Running", "Running"]
    # Scale: the same everywhere: not marked.
    expect(row(page, "Scale").get_by_role("rowheader")).not_to_contain_text("Differs")
    partners = row(page, "Partners by organisation type")
    expect(partners.get_by_role("cell").filter(has_text="Cooperative: Legacoop Piemonte")).to_have_count(1)


def test_compare_three_practices_from_the_search(browser_site, page):
    tick_three_and_compare(page)
    check_three_columns(page, browser_site)
    screenshot(page, "compare")

    # The URL is the state: another visitor opening it sees the same comparison.
    other = page.context.new_page()
    other.goto(page.url)
    check_three_columns(other, browser_site)

    # Printed, it is one readable page: no navigation, the whole table.
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the practice search")).to_be_hidden()
    wrapper = page.locator(".compare")
    assert wrapper.evaluate("element => element.scrollWidth <= element.clientWidth"), "the table is cut on paper"
    assert pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True)) == 1


def test_compare_without_javascript(browser_site, new_page):
    page = new_page(java_script_enabled=False)
    tick_three_and_compare(page)
    check_three_columns(page, browser_site)


def test_compare_from_a_case_study_with_its_similar_practices(browser_site, page):
    coops = browser_site["case_studies"]["coops"]
    page.goto(coops.url)
    form = page.get_by_role("group", name="Compare this practice with similar ones (tick 1 to 3)")
    form.get_by_role("checkbox", name="Bilbao solidarity market").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    page.wait_for_url(re.compile(r"/practices/compare/\?p=\d+&p=\d+$"))
    table = page.get_by_role("table", name=re.compile("^Comparison of "))
    expect(table.get_by_role("columnheader")).to_have_count(2)
    expect(row(page, "Challenges").get_by_role("rowheader")).not_to_contain_text("Differs")  # both: youth
