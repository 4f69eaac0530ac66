"""Search by meaning in a browser: a peer in Guadalajara types a question in
Spanish into the search box and finds a practice written in English."""

import pytest
from playwright.sync_api import expect

from practices.factories import CaseStudyPageFactory, ChallengeFactory, CityPageFactory
from search import indexing

from .conftest import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TARGET = "Social procurement for children's care"


def test_a_search_in_spanish_finds_a_practice_written_in_english(settings, browser_site, page):
    settings.SEARCH_EMBEDDINGS = True
    procurement = ChallengeFactory(name="Social procurement", slug="social-procurement", sort_order=4)
    warsaw = CityPageFactory(parent=browser_site["cities"], title="Warsaw", slug="warsaw", country="PL")
    publish(warsaw)
    practice = CaseStudyPageFactory(
        parent=warsaw, title=TARGET, language="en", challenges=[procurement], start_year=2020,
        summary="The city buys childcare and children's care services through public contracts "
                "reserved for social enterprises and co-operatives.",
    )
    publish(practice)
    indexing.rebuild_entries()  # every practice's vector, as the indexing task writes them

    page.goto("/practices/")
    page.get_by_label("Search practices").fill("compras públicas para guarderías")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url("**/practices/?*q=compras*")
    titles = page.locator(".practice-search__hits").get_by_role("heading", level=2).all_inner_texts()
    assert TARGET in titles[:3], titles
    expect(page.get_by_role("link", name=TARGET)).to_be_visible()
