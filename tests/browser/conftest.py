"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's
live server, on a small site built by the factories.

One browser per session; each test gets a new context (its own cookies and
storage). Every page a test opens fails the test on a console error, an
uncaught exception, a Content-Security-Policy violation or a failed request
(one to another host included), unless the test says it expects that message
(`browser_problems.allow(...)`).
"""

import os
import re
from pathlib import Path

import pytest

from cities import page_locales
from cities.models import Cadence, CityChallenge, CityPage, Membership
from cities.roles import ensure_site_roles
from exchange import relations
from exchange.transfers import record_accepted
from groups.scaling import record_selected
from groups.shortlist import record_entry
from practices.factories import (
    CaseStudyOutcomeFactory,
    CaseStudyPageFactory,
    CaseStudyPartnerFactory,
    ChallengeFactory,
    CityPageFactory,
    SectorFactory,
    WorkingGroupFactory,
    build_site_tree,
    publish,
)
from practices.models import CaseStudySource
from search import indexing

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BROWSER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}
PASSWORD = "a-long-test-password"

# Reports CSP violations as console errors, which the page fixture collects.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
}, true);
"""


def screenshot_dir():
    """Where the tests write page screenshots (BROWSER_SCREENSHOTS, default build/screenshots)."""
    path = Path(os.environ.get("BROWSER_SCREENSHOTS") or BASE_DIR / "build" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot(page, name):
    """A full-page screenshot, named after the page type and the viewport width."""
    width = page.viewport_size["width"]
    page.screenshot(path=screenshot_dir() / f"{name}-{width}.png", full_page=True)



@pytest.fixture(scope="package")
def browser():
    """Debian's Chromium, headless, shared by every browser test."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API runs an event loop in this thread, which
    # Django takes for an async context: the ORM calls of these tests are
    # ordinary synchronous ones, and Django keeps other connection objects
    # while the loop runs. Those get the database contents serialized for
    # `serialized_rollback`, and are closed when the browser goes.
    saved = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    connections.close_all()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    for alias, contents in saved.items():
        if contents is not None:
            connections[alias]._test_serialized_contents = contents
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        failure = None
    except Exception as error:  # noqa: BLE001
        browser, failure = None, f"Chromium ({CHROMIUM}) could not be started: {error}. apt-get install chromium"
    try:
        if failure:
            pytest.fail(failure)
        yield browser
    finally:
        if browser is not None:
            browser.close()
        connections.close_all()
        playwright.stop()
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


class BrowserProblems:
    """Console errors, uncaught exceptions, CSP violations and failed requests
    seen by the pages of one test."""

    def __init__(self):
        self.seen = []
        self.allowed = []

    def allow(self, pattern):
        """Expect messages matching `pattern` (a regular expression), e.g. the 404 of a missing page."""
        self.allowed.append(re.compile(pattern))

    def record(self, where, text):
        self.seen.append(f"{where}: {text}")

    def unexpected(self):
        return [p for p in self.seen if not any(a.search(p) for a in self.allowed)]

    def watch(self, page):
        page.on("console", lambda msg: msg.type == "error" and self.record(page.url, msg.text))
        page.on("pageerror", lambda error: self.record(page.url, f"uncaught {error}"))
        page.on("requestfailed", lambda request: self.request_failed(page, request))

    def request_failed(self, page, request):
        # A request cut short because the page navigated away (a search
        # suggestion when the form is submitted) is not a fault.
        if request.failure != "net::ERR_ABORTED":
            self.record(page.url, f"request failed: {request.url} ({request.failure})")


@pytest.fixture
def browser_problems():
    return BrowserProblems()


@pytest.fixture
def new_page(browser, live_server, browser_problems):
    """new_page(viewport=WIDE, locale="en-GB", **context_options) opens a
    page in a new context (a new visitor whose browser prefers `locale`);
    the test fails if any of them logs an error."""
    contexts = []

    def make(viewport=WIDE, locale="en-GB", **options):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        context.on("page", browser_problems.watch)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    problems = browser_problems.unexpected()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A page at 1280 x 900 in a new context."""
    return new_page()


@pytest.fixture
def browser_site(transactional_db, django_user_model):
    """Home, cities and practices indexes, three cities (Turin with two
    challenges it works on), three challenges and five published case
    studies (one with partners, outcomes, sources and a contact, adapted by
    Bilbao, selected to scale), the site roles, a Dublin official and a
    moderator, a working group followed by an address and by the official,
    with two case studies on its shortlist, and the search index built."""
    tree = build_site_tree()
    tree["moderators"], tree["workflow"] = ensure_site_roles(tree["home"])
    dublin, turin = tree["dublin"], tree["turin"]
    bilbao = CityPageFactory(parent=tree["cities"], title="Bilbao", slug="bilbao", country="ES")
    ensure_site_roles(tree["home"])  # Bilbao's editors group
    # Where the cities are: the pages draw them on the map (cities/map.py).
    for city, (latitude, longitude) in ((dublin, ("53.3498", "-6.2603")), (turin, ("45.0703", "7.6869")),
                                        (bilbao, ("43.2630", "-2.9350"))):
        CityPage.objects.filter(pk=city.pk).update(latitude=latitude, longitude=longitude)
    youth = ChallengeFactory(name="Youth unemployment", slug="youth-unemployment", sort_order=1)
    housing = ChallengeFactory(name="Housing", slug="housing", sort_order=2)
    energy = ChallengeFactory(name="Energy poverty", slug="energy-poverty", sort_order=3)
    care = SectorFactory(name="Care", slug="care")

    def make(parent, title, summary, challenges, start_year, **kwargs):
        return publish(CaseStudyPageFactory(
            parent=parent, title=title, summary=summary, challenges=challenges, start_year=start_year, **kwargs
        ))

    practices = {
        "coops": make(turin, "Youth guarantee through worker cooperatives",
                      "Young people found worker cooperatives with municipal support.", [youth], 2021,
                      sectors=[care]),
        "energy": make(dublin, "Community energy for social housing",
                       "Tenants own the solar panels on their estate.", [energy, housing], 2016),
        "land": make(turin, "Cooperative housing land trust",
                     "Land held in common keeps homes affordable.", [housing], 2012, status="ended"),
        "market": make(bilbao, "Bilbao solidarity market",
                       "A market run by youth employment social enterprises.", [youth], 2019),
        "kitchens": make(dublin, "Neighbourhood kitchens",
                         "Shared kitchens for local food businesses.", [], 2022),
    }
    coops = practices["coops"]
    CaseStudyPartnerFactory(page=coops, name="Legacoop Piemonte", organisation_type="cooperative")
    CaseStudyOutcomeFactory(page=coops, metric="Cooperatives founded", value=14, unit="cooperatives", year=2023)
    CaseStudySource.objects.create(page=coops, url="https://example.org/report", title="Evaluation report")
    coops.contact_name, coops.contact_role = "Giulia Rossi", "Programme lead"
    publish(coops)
    turin = CityPage.objects.get(pk=turin.pk)
    turin.city_challenges = [
        CityChallenge(challenge=youth, note="Young people found worker cooperatives.", since=2021),
        CityChallenge(challenge=housing, note=""),
    ]
    turin = publish(turin)

    # Bilbao adapting the cooperatives (accepted), its market inspired by them.
    record_accepted(coops, bilbao, stage="piloting", lessons="Start with two cooperatives.",
                    own_case_study=practices["market"])
    relations.record_accepted(practices["market"], coops, "inspired_by")
    indexing.rebuild_entries()

    def user(username, group_name):
        from django.contrib.auth.models import Group

        account = django_user_model.objects.create_user(
            username=username, email=f"{username}@example.org", password=PASSWORD
        )
        account.groups.add(Group.objects.get(name=group_name))
        return account

    group = WorkingGroupFactory(name="Youth employment", slug="youth-employment")
    group.challenges.set([youth])
    group.member_cities.set([turin, bilbao])
    group.save()
    membership = Membership.objects.create(email="reader@example.org", group=group, cadence=Cadence.WEEKLY)
    official = user("official-dublin", "Dublin editors")
    # The Dublin official follows the group: its page shows them the shortlist's forms.
    Membership.objects.create(user=official, group=group)
    record_entry(group, practices["market"], voters=[official])
    record_entry(group, coops)
    record_selected(coops, note="Chosen by the network's peers.")
    return {
        **tree, "turin": turin, "bilbao": bilbao, "challenges": {"youth": youth, "housing": housing, "energy": energy},
        "practices": tree["practices"], "case_studies": practices, "group": group, "membership": membership,
        "official": official, "moderator": user("moderator", "Moderators"),
    }


@pytest.fixture
def site_in_every_language(browser_site):
    """browser_site with every page in every interface language (aliases of
    the English originals under /es/, /fr/, ..., as Wagtail's page hook
    makes them on the real site)."""
    page_locales.complete_tree()
    return browser_site
