"""The interface languages in a browser: the switcher takes the reader to
the same page in the language they choose and the choice is remembered
(cms.languages); the browser's language is offered, in that language,
until the reader chooses one (static/js/language-offer.js)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import translation
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def switcher(page, language):
    """The language switcher, named in the page's interface language."""
    with translation.override(language):
        name = translation.gettext("Language")
    return page.get_by_role("navigation", name=name)


def offer(page):
    return page.locator("#language-offer")


def written_in(element):
    """The language `element` is marked as (its own or nearest lang attribute)."""
    return element.evaluate("element => element.closest('[lang]').lang")


def test_the_language_chosen_in_the_switcher_is_remembered(site_in_every_language, page, live_server):
    study = site_in_every_language["case_studies"]["coops"].url
    page.goto(study)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switcher(page, "en").get_by_role("link", name="Español").click()

    page.wait_for_url(f"{live_server.url}/es{study}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(switcher(page, "es").locator("[aria-current]")).to_have_count(1)
    expect(switcher(page, "es").get_by_role("link", name="Español")).to_have_attribute("aria-current", "true")
    # The case study is not translated yet: its English text is marked as English.
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "en")
    expect(page.locator(".language-note")).to_be_visible()
    # The practice is the same in every language: adapted by Bilbao, and not similar to itself.
    with translation.override("es"):
        adapted = translation.ngettext("%(count)s city", "%(count)s cities", 1) % {"count": 1}
    expect(page.locator(".adapted-by")).to_have_text(adapted)
    similar = page.locator(".card__title").all_inner_texts()
    assert similar and site_in_every_language["case_studies"]["coops"].title not in similar

    # An English (unprefixed) address now leads to the Spanish page.
    page.goto("/cities/")
    expect(page).to_have_url(f"{live_server.url}/es/cities/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    # The practices' titles are marked with the language they are written in.
    assert written_in(page.get_by_role("link", name="Bilbao solidarity market")) == "en"

    switcher(page, "es").get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server.url}/cities/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(switcher(page, "en").get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    page.goto(study)
    expect(page).to_have_url(f"{live_server.url}{study}")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_browser_language_is_offered_in_it(site_in_every_language, new_page, live_server):
    study = site_in_every_language["case_studies"]["coops"].url
    page = new_page(locale="fr-FR")
    page.goto(study)
    expect(offer(page)).to_be_visible()
    # Written in French (lang="fr") once the catalogues translate it.
    expect(offer(page).locator("span")).to_have_attribute("lang", "fr")
    link = offer(page).get_by_role("link")
    expect(link).to_have_attribute("lang", "fr")
    expect(link).to_have_attribute("hreflang", "fr")
    # Following it chooses French, as the switcher does, on this page.
    href = urlsplit(link.get_attribute("href"))
    assert href.path == "/language/fr/"
    assert parse_qs(href.query)["next"] == [f"/fr{study}"]

    link.click()
    page.wait_for_url(f"{live_server.url}/fr{study}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(offer(page)).to_be_hidden()


def test_no_offer_in_the_page_language_nor_after_a_choice(site_in_every_language, new_page, live_server):
    study = site_in_every_language["case_studies"]["coops"].url
    british = new_page(locale="en-GB")
    british.goto(study)
    expect(british.locator("html")).to_have_attribute("lang", "en")
    expect(offer(british)).to_be_hidden()
    expect(offer(british)).to_be_empty()

    # A reader whose browser prefers French chooses Spanish, then English:
    # French is not offered again.
    french = new_page(locale="fr-FR")
    french.goto(study)
    expect(offer(french)).to_be_visible()
    switcher(french, "en").get_by_role("link", name="Español").click()
    french.wait_for_url(f"{live_server.url}/es{study}")
    expect(offer(french)).to_be_hidden()
    expect(offer(french)).to_be_empty()
    switcher(french, "es").get_by_role("link", name="English").click()
    french.wait_for_url(f"{live_server.url}{study}")
    expect(french.locator("html")).to_have_attribute("lang", "en")
    expect(offer(french)).to_be_hidden()
    expect(offer(french)).to_be_empty()
