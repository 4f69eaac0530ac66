"""The map of cities in a browser (static/js/city-map.js, Leaflet): with no
tile server (the tests reach no other host) it draws the bundled country
outlines; its markers are links with the cities' names and counts, reached
with the keyboard; the search page's map follows the filters; /network/
draws the transfers as lines. The page fixture fails a test on any console
error or Content-Security-Policy violation (Leaflet's own styles included)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import NARROW, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def the_map(page, name):
    return page.get_by_role("region", name=name)


def markers(region):
    return region.locator("a.city-map__marker")


def labels(region):
    """The markers' text, as a screen reader reads it."""
    return sorted(" ".join(text.split()) for text in markers(region).all_text_contents())


def outlines(region):
    return region.locator("svg path.city-map__country")


def test_search_page_map_draws_outlines_and_keyboard_reachable_markers(browser_site, page):
    page.goto("/practices/")
    region = the_map(page, "Map of the cities of these results")
    expect(region).to_be_visible()
    expect(outlines(region).first).to_be_attached()  # the fallback layer: Natural Earth's countries
    assert outlines(region).count() > 150
    expect(markers(region)).to_have_count(3)
    assert labels(region) == ["Bilbao 1 case study", "Dublin 2 case studies", "Turin 2 case studies"]
    expect(region.get_by_role("link", name="Turin 2 case studies")).to_be_visible()

    # The markers are links in the tab order, after the search box.
    page.get_by_label("Search practices").focus()
    turin = region.get_by_role("link", name="Turin 2 case studies")
    for _ in range(40):
        page.keyboard.press("Tab")
        if turin.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("the Turin marker was not reached with the Tab key")
    screenshot(page, "map-search-marker-focused")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"[?&]city=turin"))
    expect(page.get_by_role("region", name="2 case studies")).to_be_visible()
    region = the_map(page, "Map of the cities of these results")
    expect(markers(region)).to_have_count(1)
    assert labels(region) == ["Turin 2 case studies"]


def test_search_map_follows_the_filters(browser_site, page):
    page.goto("/practices/?challenge=housing")
    region = the_map(page, "Map of the cities of these results")
    expect(markers(region)).to_have_count(2)
    assert labels(region) == ["Dublin 1 case study", "Turin 1 case study"]


def test_network_map_draws_the_transfers_and_city_pages_their_city(browser_site, new_page):
    page = new_page(NARROW)
    page.goto("/network/")
    region = the_map(page, "Map of the cities and their transfers")
    expect(outlines(region).first).to_be_attached()
    expect(markers(region)).to_have_count(3)
    expect(region.locator("svg path.city-map__line")).to_have_count(1)  # Bilbao adapting Turin's cooperatives
    screenshot(page, "map-network")

    page.goto("/cities/turin/")
    region = the_map(page, "Map: where Turin is")
    expect(outlines(region).first).to_be_attached()
    expect(region.get_by_role("link", name="Turin")).to_be_visible()

    page.goto("/")
    region = the_map(page, "Map of the member cities")
    expect(markers(region)).to_have_count(3)
    region.get_by_role("link", name="Bilbao").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilbao")


def test_without_javascript_the_map_stays_hidden_and_the_list_remains(browser_site, new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/practices/")
    expect(page.locator("figure.city-map")).to_be_hidden()
    expect(page.get_by_role("region", name="5 case studies")).to_be_visible()
