"""axe-core on every public page type in each of the seven interface
languages, with a full-page screenshot of each in English and Spanish at
1280 and 390 px wide (see conftest.screenshot_dir)."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from cities.digests.links import signed_link
from cities.memberships import preferences_token, unsubscribe_token

from .accessibility import report, violations
from .conftest import NARROW, WIDE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


# All seven interface languages are written left to right: there is no
# right-to-left direction (dir="rtl") to check. English and Spanish are
# checked at both widths and photographed; each other language is checked
# at one width (alternating), which keeps the time reasonable.
SCREENSHOT_LANGUAGES = ("en", "es")
WIDTHS = {"fr": (NARROW,), "it": (WIDE,), "pt": (NARROW,), "pl": (WIDE,), "nl": (NARROW,)}
assert {*SCREENSHOT_LANGUAGES, *WIDTHS} == {code for code, _name in settings.LANGUAGES}


def path(url):
    return urlsplit(url).path


def in_language(pages, language, content):
    """`pages` at their addresses in `language` (English unprefixed), each
    heading as that language's interface says it; the headings in
    `content` are what cities wrote and stay as they are."""
    if language == settings.LANGUAGE_CODE:
        return pages
    with translation.override(language):
        return [
            (name, f"/{language}{url}", heading if heading in content else translation.gettext(heading))
            for name, url, heading in pages
        ]


def content_headings(site):
    """The public pages' headings that are page titles and names (content), not interface words."""
    pages = [site["home"], site["practices"], site["cities"], site["turin"], site["bilbao"],
             *site["case_studies"].values()]
    return {page.title for page in pages} | {c.name for c in site["challenges"].values()} | {site["group"].name}


def public_pages(site):
    """(name, path, main heading) for each public page type."""
    membership = site["membership"]
    studies = site["case_studies"]
    compare = "/practices/compare/?" + "&".join(f"p={studies[k].pk}" for k in ("coops", "land", "market"))
    return [
        ("home", "/", "Solidarity Cities Exchange"),
        ("practices", "/practices/", "Practices"),
        ("search", "/practices/?q=cooperative&challenge=housing", "Practices"),
        ("search-no-results", "/practices/?q=zeppelin", "Practices"),
        # Zero results with filters: the spelling, a link per filter, the peer finder.
        ("search-no-results-filters", "/practices/?q=cooperatve&challenge=energy-poverty&year_from=2020", "Practices"),
        ("challenge", site["practices"].specific.challenge_url(site["challenges"]["housing"]), "Housing"),
        ("case-study", site["case_studies"]["coops"].url, "Youth guarantee through worker cooperatives"),
        ("compare", compare, "Compare practices"),
        ("compare-refused", "/practices/compare/?p=1", "Compare practices"),
        ("cities", "/cities/", "Cities"),
        ("city", site["turin"].url, "Turin"),
        ("city-adapting", site["bilbao"].url, "Bilbao"),
        ("network", "/network/", "Network"),
        ("groups", "/groups/", "Working groups"),
        ("group", "/groups/youth-employment/", "Youth employment"),
        ("peers", f"/peers/?challenge={site['challenges']['housing'].slug}&city={site['turin'].slug}",
         "Find your peers"),
        ("peers-refused", "/peers/?challenge=zeppelins", "Find your peers"),
        ("digest-preferences",
         path(signed_link("cities_digest_preferences_token", preferences_token(membership))), "Digest preferences"),
        ("unsubscribe",
         path(signed_link("cities_digest_unsubscribe", unsubscribe_token(membership))), "Unsubscribe"),
        ("link-not-valid", "/digests/unsubscribe/not-a-token/", "This link is not valid"),
        ("sign-in", "/accounts/login/", "Sign in"),
        ("sign-up", "/accounts/signup/", "Sign up"),
        ("password-reset", "/accounts/password/reset/", "Reset your password"),
        ("not-found", "/no-such-page/", "Page not found"),
    ]


def signed_in_pages(site):
    """(name, path, main heading) for each page of a signed-in peer."""
    return [
        ("profile", "/accounts/profile/", "Your profile"),
        ("email", "/accounts/email/", "Email address"),
        ("password-change", "/accounts/password/change/", "Change your password"),
        ("group-member", "/groups/youth-employment/", "Youth employment"),  # with the shortlist's forms
        ("sign-out", "/accounts/logout/", "Sign out"),
    ]


def check_pages(page, pages, language, widths=(WIDE, NARROW), screenshots=True):
    """Each (name, url, heading) at each width: its heading shown, the page
    in `language` (html lang), axe run, a screenshot taken (named
    <name>-<language>-<width>.png); fails listing every violation of every page."""
    found = []
    for name, url, heading in pages:
        for viewport in widths:
            page.set_viewport_size(viewport)
            page.goto(url)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            expect(page.locator("html")).to_have_attribute("lang", language)
            found += [report(f"{url} at {viewport['width']} px", violations(page))]
            if screenshots:
                screenshot(page, f"{name}-{language}")
    found = [text for text in found if text]
    assert not found, "axe-core found WCAG 2.1 A/AA or best-practice violations:\n" + "\n".join(found)


def allow_error_pages(browser_problems):
    """The error pages answer 400 and 404, which Chromium logs."""
    browser_problems.allow(r"/digests/unsubscribe/not-a-token/: Failed to load resource: .* 400")
    browser_problems.allow(r"/practices/compare/\?p=1: Failed to load resource: .* 400")
    browser_problems.allow(r"/peers/\?challenge=zeppelins: Failed to load resource: .* 400")
    browser_problems.allow(r"/no-such-page/: Failed to load resource: .* 404")


@pytest.mark.parametrize("language", SCREENSHOT_LANGUAGES)
def test_every_public_page_type_passes_axe_and_is_photographed(language, site_in_every_language, new_page,
                                                               browser_problems):
    allow_error_pages(browser_problems)
    site = site_in_every_language
    # A reader whose browser prefers the page's language: the screenshots show what they see.
    page = new_page(WIDE, locale=language)
    check_pages(page, in_language(public_pages(site), language, content_headings(site)), language)


def test_every_public_page_type_passes_axe_in_the_other_languages(site_in_every_language, new_page,
                                                                  browser_problems):
    # One test for the five languages (one site built, not five).
    allow_error_pages(browser_problems)
    site = site_in_every_language
    # An English browser: the pages offer English (language-offer.js), and axe checks the offer too.
    page = new_page(WIDE)
    for language, widths in WIDTHS.items():
        pages = in_language(public_pages(site), language, content_headings(site))
        check_pages(page, pages, language, widths=widths, screenshots=False)


def test_every_page_of_a_signed_in_peer_passes_axe(browser_site, new_page, live_server):
    from allauth.account.models import EmailAddress

    from .conftest import PASSWORD

    official = browser_site["official"]
    EmailAddress.objects.create(user=official, email=official.email, primary=True, verified=True)
    page = new_page(WIDE)
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(official.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Your account").get_by_role("link", name="Sign out")).to_be_visible()
    check_pages(page, signed_in_pages(browser_site), "en")
