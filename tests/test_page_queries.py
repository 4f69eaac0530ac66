"""Each public page type answers in a pinned number of SQL queries, the same
whether what it lists holds 3 items or 30: what the templates touch is read
in one query per kind of thing (prefetched, or the search index's cards),
never once per item. A change that adds a query per page shows up here as
a new number to justify; one that adds a query per item fails the 3-vs-30
comparison.

The counts are those of a warm process (the first request of a page type
also reads what the process keeps between requests: the facet options,
Wagtail's site root paths, content types) and without the page fragment
cache, except in the tests of that cache (`cities.fragments`)."""

import pytest
from django.db import transaction
from django.test import override_settings
from wagtail.models import PageViewRestriction

from cities.models import CitiesIndexPage, CityChallenge, CityPage
from practices.factories import (
    CaseStudyPageFactory,
    ChallengeFactory,
    CityPageFactory,
    build_site_tree,
    publish,
)
from practices.models import CaseStudyPage

FEW, MANY = 3, 30


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """Dublin: FEW case studies on the "few" challenge, the first related to
    FEW others; Turin: MANY on "many", the first related to MANY others.
    Built once per module inside a transaction that is rolled back at the
    end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            tree = build_site_tree()
            pages = {}
            for city, name, count in (("dublin", "few", FEW), ("turin", "many", MANY)):
                challenge = ChallengeFactory(name=name.capitalize(), slug=name)
                pages[name] = [
                    publish(CaseStudyPageFactory(parent=tree[city], title=f"{name.capitalize()} practice {i}",
                                                 challenges=[challenge]))
                    for i in range(count + 1)
                ]
            for name, count in (("few", FEW), ("many", MANY)):
                first = pages[name][0]
                first.related_case_studies.set(pages[name][1 : count + 1])
                first.save()
            # The cities work on FEW and MANY challenges.
            for city, count in (("dublin", FEW), ("turin", MANY)):
                page = CityPage.objects.get(pk=tree[city].pk)
                page.city_challenges = [
                    CityChallenge(challenge=ChallengeFactory(name=f"{city} challenge {i}"), note="A note.", since=2020)
                    for i in range(count)
                ]
                publish(page)
            yield {name: [page.url for page in group] for name, group in pages.items()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def assert_queries(client, django_assert_num_queries, url, expected):
    """`url` answers 200 in `expected` queries once the process is warm."""
    assert client.get(url).status_code == 200, url
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200, url
    return response


# (few items, many items): the same page type listing FEW or MANY things.
# Every Wagtail page: +1 for the active language's locale (Wagtail's routing
# in the localized page tree), +1 for the page in the other languages (its
# hreflang alternates and the language switcher: cms.languages).
PAGE_TYPES = {
    # Case study: +3 for the exchange (its transfers, "Adapted by N cities", its relations),
    # +1 for its answered questions (with their askers' profiles and cities).
    # +1 for "Selected to scale" (groups).
    # +1 for its breadcrumb trail (the cities index and its city: cms.home breadcrumb_tags).
    # +1 for whether it translates an older page (its language note).
    "case study": (lambda c: c["few"][0], lambda c: c["many"][0], 32),
    # City page: +1 for the practices the city is adapting, +1 for its challenges (with their names),
    # +5 for "Cities like <city>" (the challenges, the cities, the challenges they name, the practices
    # on the city's challenges and its transfers, both counted by the database: exchange.peer_facts).
    # With search by meaning on (off in these tests), +1 for those practices' vectors (as the peers pins below).
    "city page": (lambda c: "/cities/dublin/", lambda c: "/cities/turin/", 23),
    "search page": (lambda c: "/practices/?challenge=few", lambda c: "/practices/?challenge=many", 12),
    "challenge page": (lambda c: "/practices/challenges/few/", lambda c: "/practices/challenges/many/", 14),
    "search API": (lambda c: "/api/practices/?challenge=few", lambda c: "/api/practices/?challenge=many", 3),
    "suggest API": (lambda c: "/api/practices/suggest/?q=Few", lambda c: "/api/practices/suggest/?q=Many", 1),
}


@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
def test_page_type_queries_do_not_grow_with_its_items(client, catalogue, django_assert_num_queries, page_type, db):
    few, many, expected = PAGE_TYPES[page_type]
    small = assert_queries(client, django_assert_num_queries, few(catalogue), expected)
    large = assert_queries(client, django_assert_num_queries, many(catalogue), expected)
    # The pages did list their items (the counts compare like with like).
    assert "Few practice 1" in small.content.decode()
    assert "Many practice 1" in large.content.decode()


# Page types whose listings grow with the catalogue as a whole: measured,
# then measured again after MANY more cities, each with a case study.
SITE_WIDE = {
    # Home: +1 for the practices selected to scale (groups.scaling; their cards, one more when there are some).
    # Pages: +2 for the localized page tree (as PAGE_TYPES above); the feed +1 (the locale).
    "home": ("/", 13), "cities index": ("/cities/", 12), "feed": ("/practices/feed/", 9),
    # View restrictions, the cities, their challenges.
    "cities API": ("/api/cities/", 3),
}


def test_site_wide_pages_queries_do_not_grow_with_the_catalogue(client, catalogue, django_assert_num_queries, db):
    for url, expected in SITE_WIDE.values():
        assert_queries(client, django_assert_num_queries, url, expected)
    cities_index = CitiesIndexPage.objects.get()
    for i in range(MANY):
        city = CityPageFactory(parent=cities_index, title=f"Extra city {i}", slug=f"extra-city-{i}", country="FR")
        publish(CaseStudyPageFactory(parent=city, title=f"Extra practice {i}"))
    for url, expected in SITE_WIDE.values():
        response = assert_queries(client, django_assert_num_queries, url, expected)
        assert "Extra" in response.content.decode(), url


def test_compare_page_queries_do_not_grow_with_its_columns(client, catalogue, django_assert_num_queries, db):
    """2 or 4 case studies side by side in 19 queries: site, routing and the
    page's view restrictions (5), the restricted paths (1), the case studies
    with their cities (1), one query each for their challenges, policy
    levers, sectors, target groups, partners and outcomes (6), the
    exchange's transfers row ("Adapted by N cities" and the transfers with
    their cities: 2), the navigation and feed link (2), the active
    language's locale and the page in the other languages (2)."""
    ids = list(CaseStudyPage.objects.filter(title__startswith="Many practice").values_list("pk", flat=True))
    two = "/practices/compare/?" + "&".join(f"p={i}" for i in ids[:2])
    four = "/practices/compare/?" + "&".join(f"p={i}" for i in ids[2:6])
    for url, columns in ((two, 2), (four, 4)):
        response = assert_queries(client, django_assert_num_queries, url, 19)
        assert response.content.decode().count('<th scope="col" class="compare__practice">') == columns


# --- The page fragment cache (cities.fragments) ---


@override_settings(PAGE_FRAGMENT_SECONDS=60)
def test_cached_fragments_save_queries_and_go_with_the_next_editorial_event(
    client, catalogue, django_assert_num_queries, db
):
    # A query string keeps the whole-page cache (cities.page_cache) out of it.
    url = catalogue["few"][0] + "?from=fragments"
    assert "Few practice 1" in client.get(url).content.decode()  # renders and keeps the fragments
    # Site, the active language's locale, routing, view restrictions: no
    # listing (the JSON-LD of the head and the page's other languages are
    # fragments too).
    with django_assert_num_queries(8):
        html = client.get(url).content.decode()
    assert "Few practice 1" in html

    # A related practice made private: the next request renders anew, without it.
    page = CaseStudyPage.objects.canonical().get(title="Few practice 1")
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    html = client.get(url).content.decode()
    assert "Few practice 1" not in html
    for other in ("/", "/cities/dublin/"):
        assert "Few practice 1" not in client.get(other).content.decode(), other


@override_settings(PAGE_FRAGMENT_SECONDS=60)
def test_cached_fragments_are_not_shared_between_visitors_and_members(client, catalogue, db, django_user_model):
    practice = CaseStudyPage.objects.canonical().get(title="Few practice 2")
    practice.contact_email = "contact@example.org"
    publish(practice)
    assert "contact@example.org" not in client.get(practice.url).content.decode()  # cached for visitors
    client.force_login(django_user_model.objects.create_user("member", password="pw"))
    assert "contact@example.org" in client.get(practice.url).content.decode()
    client.logout()
    assert "contact@example.org" not in client.get(practice.url).content.decode()


# /network/ (and its JSON) lists every city and transfer: measured, then
# measured again after MANY more cities, each adapting two case studies.
NETWORK = {"network page": ("/network/", 6), "network API": ("/api/network/", 3)}


def test_network_queries_do_not_grow_with_the_network(client, catalogue, django_assert_num_queries, db):
    from exchange.models import Stage
    from exchange.transfers import record_accepted

    few, many = CaseStudyPage.objects.canonical().get(title="Few practice 0"), CaseStudyPage.objects.canonical().get(title="Many practice 0")
    cities_index = CitiesIndexPage.objects.get()
    record_accepted(few, cities_index.get_children().get(slug="turin").specific)
    for url, expected in NETWORK.values():
        assert "Turin" in assert_queries(client, django_assert_num_queries, url, expected).content.decode()
    for i in range(MANY):
        city = CityPageFactory(parent=cities_index, title=f"Adopting city {i}", slug=f"adopting-city-{i}", country="FR")
        record_accepted(few, city, stage=Stage.PILOTING)
        record_accepted(many, city, own_case_study=publish(CaseStudyPageFactory(parent=city, title=f"Version {i}")))
    for url, expected in NETWORK.values():
        html = assert_queries(client, django_assert_num_queries, url, expected).content.decode()
        assert "Adopting city 29" in html and "Version 29" in html, url


# The working group pages (groups): a group's page lists its case studies
# (a page of them), its members and the transfers among them, the
# selections to scale and its shortlist with the votes; /groups/ lists every
# group. Measured for a group of FEW and one of MANY, each with as many
# shortlist entries and votes; the index, then again after MANY more groups.
GROUP_PAGE = 16
GROUPS_INDEX = 7


def test_group_pages_queries_do_not_grow_with_the_group(client, catalogue, django_assert_num_queries, db):
    """A group's page in 16 queries: the group, the restricted paths, the
    count of its case studies (pagination), its shortlist (votes counted,
    selections marked: one query, read on every request), the site, the
    navigation and the practice index (3), its challenges, its member
    cities, the page of case studies with their cities and selections and
    then their challenges (2), the transfers among members, the selections
    to scale, the answered questions on its case studies (2: their ids,
    then the questions with their askers). /groups/: the groups, their public member cities and their
    challenges (3), the restricted paths, the site and the navigation (2)."""
    from django.contrib.auth import get_user_model

    from cities.models import WorkingGroup
    from exchange.transfers import record_accepted
    from groups.scaling import record_selected
    from groups.shortlist import record_entry
    from practices.models import Challenge

    voter = get_user_model().objects.create_user("voter", password="pw")
    cities = {city.slug: city for city in CityPage.objects.all()}
    for name, city, other, count in (("few", "dublin", "turin", FEW), ("many", "turin", "dublin", MANY)):
        group = WorkingGroup.objects.create(name=f"{name} group", slug=f"{name}-group")
        group.challenges.set([Challenge.objects.get(slug=name)])
        group.member_cities.set([cities[city], cities[other]])
        group.save()
        practices = list(CaseStudyPage.objects.filter(title__startswith=f"{name.capitalize()} practice"))
        for practice in practices[:count]:
            record_entry(group, practice, voters=[voter])
            record_accepted(practice, cities[other])
        record_selected(practices[0])
    small = assert_queries(client, django_assert_num_queries, "/groups/few-group/", GROUP_PAGE).content.decode()
    large = assert_queries(client, django_assert_num_queries, "/groups/many-group/", GROUP_PAGE).content.decode()
    assert "Few practice 1" in small and "Many practice 1" in large
    # Both cities are members of both groups: every transfer is among members.
    assert large.count("1 vote<") == MANY and large.count("is adapting") == MANY + FEW

    assert_queries(client, django_assert_num_queries, "/groups/", GROUPS_INDEX)
    for i in range(MANY):
        group = WorkingGroup.objects.create(name=f"Extra group {i}", slug=f"extra-group-{i}")
        group.challenges.set([Challenge.objects.get(slug="few")])
        group.member_cities.set([cities["dublin"]])
        group.save()
    html = assert_queries(client, django_assert_num_queries, "/groups/", GROUPS_INDEX).content.decode()
    assert "Extra group 29" in html
# The peer finder ranks every public city: measured, then measured again
# after MANY more cities, each naming a challenge and with a practice on another.
PEERS = {
    # Site and page routing for the navigation (2), the view restrictions, the challenges, the cities,
    # the challenges they name, the practices on the challenges asked about, the city's transfers.
    "peers page by city": ("/peers/?city=dublin", 9),
    "peers page by challenge": ("/peers/?challenge=many", 8),  # no city: no transfers
    "peers API by city": ("/api/peers/?city=dublin", 6),
    "peers API by challenge": ("/api/peers/?challenge=many", 5),
}
# With search by meaning on, a city asking: +1 for the vectors of the practices on the challenges asked
# about (search.similar.practice_vectors, through the exchange's hook). A challenge alone compares none.
MEANING_QUERIES = {"peers page by city": 1, "peers API by city": 1}


@pytest.mark.parametrize("meaning", [False, True], ids=["text only", "search by meaning"])
def test_peer_finder_queries_do_not_grow_with_the_network(client, catalogue, django_assert_num_queries, db,
                                                         meaning, settings):
    from practices.models import Challenge

    settings.SEARCH_EMBEDDINGS = meaning
    pins = {name: (url, n + (MEANING_QUERIES.get(name, 0) if meaning else 0)) for name, (url, n) in PEERS.items()}
    few, many = Challenge.objects.get(slug="few"), Challenge.objects.get(slug="many")
    dublin = CityPage.objects.canonical().get(slug="dublin")
    dublin.city_challenges = [CityChallenge(challenge=few), CityChallenge(challenge=many)]
    publish(dublin)
    for url, expected in pins.values():
        assert "Turin" in assert_queries(client, django_assert_num_queries, url, expected).content.decode(), url
    cities_index = CitiesIndexPage.objects.get()
    for i in range(MANY):
        city = CityPageFactory(parent=cities_index, title=f"Peer city {i}", slug=f"peer-city-{i}", country="FR")
        city.city_challenges = [CityChallenge(challenge=many)]
        publish(city)
        publish(CaseStudyPageFactory(parent=city, title=f"Peer practice {i}", challenges=[few]))
    for url, expected in pins.values():
        html = assert_queries(client, django_assert_num_queries, url, expected).content.decode()
        assert "Peer city" in html, url  # ranked (the best 20 shown)


# With the fragment cache: what each answer still reads between two editorial events.
CACHED = {
    "peers page": ("/peers/?city=dublin", 1),  # the site (the navigation is a fragment too)
    "peers API": ("/api/peers/?city=dublin", 0),
    "network page": ("/network/?from=fragments", 1),
    "network API": ("/api/network/", 0),
}


@override_settings(PAGE_FRAGMENT_SECONDS=60)
def test_cached_peers_and_network_go_with_the_next_editorial_event(client, catalogue, django_assert_num_queries, db):
    from exchange.transfers import record_accepted
    from practices.models import Challenge

    dublin = CityPage.objects.canonical().get(slug="dublin")
    dublin.city_challenges = [CityChallenge(challenge=Challenge.objects.get(slug="many"))]
    publish(dublin)
    for url, expected in CACHED.values():
        assert "Turin" in assert_queries(client, django_assert_num_queries, url, expected).content.decode(), url
    # A transfer accepted between Turin and Dublin: every answer shows it at once.
    record_accepted(CaseStudyPage.objects.canonical().get(title="Many practice 1"), dublin)
    assert "1 transfer between them already" in client.get("/peers/?city=dublin").content.decode()
    assert "1 transfer between them already" in client.get("/api/peers/?city=dublin").content.decode()
    assert "Many practice 1" in client.get("/network/?from=fragments").content.decode()
    assert "Many practice 1" in client.get("/api/network/").content.decode()
