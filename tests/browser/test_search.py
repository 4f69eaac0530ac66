"""The practice search page in a browser: facets, the keyboard alone, where
focus lands after a filter reloads the page, and a 390 px wide screen."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import NARROW

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ALL_TITLES = {
    "Youth guarantee through worker cooperatives", "Community energy for social housing",
    "Cooperative housing land trust", "Bilbao solidarity market", "Neighbourhood kitchens",
}


def card_titles(page):
    """The result cards' titles (the search page's level-2 headings)."""
    return set(page.get_by_role("heading", level=2).all_inner_texts())


def results(page, count_text):
    """The results region, named by its count ("2 case studies")."""
    return page.get_by_role("region", name=count_text)


def facet(page, group, label):
    return page.get_by_role("group", name=group).get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)} \("))


def is_focused(locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, key="Tab", limit=40):
    """Press Tab (or `key`) until `locator` has the focus; returns the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if is_focused(locator):
            return presses
    raise AssertionError(f"{locator} not reached with {limit} presses of {key}")


def test_search_with_facets(browser_site, page):
    page.goto("/practices/")
    expect(results(page, "5 case studies")).to_be_visible()
    assert card_titles(page) == ALL_TITLES

    page.get_by_label("Search practices").fill("cooperative")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"[?&]q=cooperative"))
    expect(results(page, "2 case studies")).to_be_visible()
    assert card_titles(page) == {"Youth guarantee through worker cooperatives", "Cooperative housing land trust"}

    facet(page, "Challenge", "Housing").check()
    page.wait_for_url(re.compile(r"challenge=housing"))
    expect(results(page, "1 case study")).to_be_visible()
    assert card_titles(page) == {"Cooperative housing land trust"}
    expect(page.get_by_text("Filters (1 selected)")).to_be_visible()
    expect(page.get_by_role("link", name="Remove filter Challenge: Housing")).to_be_visible()
    expect(facet(page, "Challenge", "Housing")).to_be_checked()

    # The URL is the state: a new visitor opening it sees the same page.
    other = page.context.new_page()
    other.goto(page.url)
    expect(results(other, "1 case study")).to_be_visible()
    expect(other.get_by_label("Search practices")).to_have_value("cooperative")
    assert card_titles(other) == {"Cooperative housing land trust"}

    # Another facet narrows across groups; unticking widens again.
    page.get_by_label("Search practices").fill("")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(lambda url: not re.search(r"[?&]q=[^&]", url))
    expect(results(page, "2 case studies")).to_be_visible()
    facet(page, "Country", "Italy").check()
    page.wait_for_url(re.compile(r"country=IT"))
    expect(results(page, "1 case study")).to_be_visible()
    assert card_titles(page) == {"Cooperative housing land trust"}
    facet(page, "Challenge", "Housing").uncheck()
    page.wait_for_url(lambda url: "challenge=" not in url)
    expect(results(page, "2 case studies")).to_be_visible()
    assert card_titles(page) == {"Youth guarantee through worker cooperatives", "Cooperative housing land trust"}


def test_keyboard_only(browser_site, page):
    page.goto("/practices/")
    skip = page.get_by_role("link", name="Skip to main content")
    assert tab_to(page, skip) == 1
    box = page.get_by_label("Search practices")
    tab_to(page, box)
    page.keyboard.type("housing")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q=housing"))
    expect(results(page, "2 case studies")).to_be_visible()
    expect(box).to_be_focused()  # back where the user was typing

    # The skip link after the search box jumps over the filters.
    tab_to(page, page.get_by_role("link", name="Skip to results"))
    expect(page.get_by_role("link", name="Skip to results")).to_be_visible()
    page.keyboard.press("Enter")
    expect(results(page, "2 case studies")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")

    # Back into the filters, which come before the results.
    energy = facet(page, "Challenge", "Energy poverty")
    tab_to(page, energy, key="Shift+Tab")
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(r"challenge=energy-poverty"))
    expect(results(page, "1 case study")).to_be_visible()
    assert card_titles(page) == {"Community energy for social housing"}
    expect(facet(page, "Challenge", "Energy poverty")).to_be_checked()
    expect(facet(page, "Challenge", "Energy poverty")).to_be_focused()

    # Space again unticks it: the results widen, focus stays.
    page.keyboard.press("Space")
    page.wait_for_url(lambda url: "challenge=" not in url)
    expect(results(page, "2 case studies")).to_be_visible()
    expect(facet(page, "Challenge", "Energy poverty")).to_be_focused()


def test_focus_stays_on_the_control_touched(browser_site, page):
    page.goto("/practices/")
    facet(page, "City", "Turin").click()
    page.wait_for_url(re.compile(r"city=turin"))
    expect(results(page, "2 case studies")).to_be_visible()
    expect(facet(page, "City", "Turin")).to_be_focused()

    facet(page, "Status", "Ended").click()
    page.wait_for_url(re.compile(r"status=ended"))
    expect(results(page, "1 case study")).to_be_visible()
    expect(facet(page, "Status", "Ended")).to_be_focused()
    focused_box = facet(page, "Status", "Ended").bounding_box()
    assert 0 <= focused_box["y"] < page.viewport_size["height"], "the focused checkbox is scrolled into view"

    page.get_by_label("Sort by").select_option(label="Oldest")
    page.wait_for_url(re.compile(r"sort=oldest"))
    expect(page.get_by_label("Sort by")).to_be_focused()

    # A page that is not the result of a submission starts at the top.
    page.goto("/practices/")
    assert page.evaluate("document.activeElement === document.body")

    # On a small screen the filters start closed; after a tick they are open
    # again around the focused checkbox.
    page.set_viewport_size(NARROW)
    page.goto("/practices/")
    expect(facet(page, "Challenge", "Housing")).to_be_hidden()
    page.get_by_text("Filters", exact=True).click()
    facet(page, "Challenge", "Housing").click()
    page.wait_for_url(re.compile(r"challenge=housing"))
    expect(results(page, "2 case studies")).to_be_visible()
    expect(facet(page, "Challenge", "Housing")).to_be_visible()
    expect(facet(page, "Challenge", "Housing")).to_be_focused()


def test_small_screen_results_before_filters(browser_site, new_page):
    page = new_page(NARROW, java_script_enabled=False)
    page.goto("/practices/")
    first_card = page.get_by_role("heading", level=2).first
    summary = page.get_by_text("Filters", exact=True)
    box = first_card.bounding_box()
    assert box["y"] < NARROW["height"], f"the first result starts {box['y']} px down, below the first screen"
    expect(facet(page, "Challenge", "Housing")).to_be_hidden()

    # The disclosure opens from the keyboard, without JavaScript.
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(facet(page, "Challenge", "Housing")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first checkbox (no script: nothing submits yet)
    page.get_by_role("button", name="Apply filters").press("Enter")
    page.wait_for_url(re.compile(r"challenge=youth-unemployment"))
    expect(results(page, "2 case studies")).to_be_visible()
    expect(page.get_by_text("Filters (1 selected)")).to_be_visible()
    assert page.get_by_role("heading", level=2).first.bounding_box()["y"] < NARROW["height"]
