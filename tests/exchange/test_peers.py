"""The peer finder: the ranking over plain facts (`cities.peers`: each
weight moves a city as it should), then on a small network built by the
factories with a fixed order and the reasons in words (`/peers/`,
`/api/peers/`, "Cities like <city>" on the city page), drafts and private
pages never counted or shown, and refusals."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from django.test import override_settings
from wagtail.models import PageViewRestriction

from cities.models import CityChallenge, CityPage
from cities.peers import (
    MEANING_FLOOR,
    MEANING_FULL,
    WEIGHTS,
    CityFacts,
    Facts,
    PracticeVectors,
    Question,
    practices_reason,
    rank,
    short_number,
)
from exchange.transfers import record_accepted
from practices.factories import CaseStudyPageFactory, ChallengeFactory, CityPageFactory, publish
from practices.models import Status

# --- The ranking, over plain facts ---

PROCUREMENT, YOUTH = 1, 2
NAMES = {PROCUREMENT: "Social procurement", YOUTH: "Youth unemployment"}


def city(pk, name, **facts):
    defaults = {"slug": name.lower(), "url_path": f"/home/cities/{name.lower()}/", "country": "FR",
                "continent": "europe", "population": None}
    return CityFacts(id=pk, name=name, **{**defaults, **facts})


def ranked(cities, question, transfers=None):
    facts = Facts(cities={c.id: c for c in cities}, challenge_names=NAMES, transfers=transfers or {})
    return [(p.city.name, p.score) for p in rank(facts, question)]


ASKING = city(1, "Home", country="IE", region="Leinster", population=600_000, languages=("en",),
              challenges=(PROCUREMENT,))
# Two candidates alike in everything: each test changes one fact of B.
A = city(2, "Alpha", practices={PROCUREMENT: {"running": 1}}, population=300_000)
B = city(3, "Beta", practices={PROCUREMENT: {"running": 1}}, population=300_000)
ASKED = Question(challenges=(PROCUREMENT,), city=ASKING.id)


def test_alike_candidates_tie_and_are_ordered_by_name():
    assert [name for name, _ in ranked([ASKING, B, A], ASKED)] == ["Alpha", "Beta"]


@pytest.mark.parametrize("change", [
    pytest.param({"practices": {PROCUREMENT: {"scaled": 1}}}, id="a scaled practice beats a running one"),
    pytest.param({"practices": {PROCUREMENT: {"running": 2}}}, id="more practices"),
    pytest.param({"challenges": (PROCUREMENT,)}, id="naming the challenge too"),
    pytest.param({"population": 500_000}, id="a population closer by ratio"),
    pytest.param({"country": "IE"}, id="the same country"),
    pytest.param({"languages": ("en",)}, id="a shared language"),
])
def test_each_fact_moves_a_city_up(change):
    assert [name for name, _ in ranked([ASKING, A, replace(B, **change)], ASKED)] == ["Beta", "Alpha"]


def test_practice_statuses_weigh_scaled_running_pilot_ended_and_cover_every_status():
    weights = WEIGHTS["practice"]
    assert set(weights) == set(Status.values)
    assert weights["scaled"] > weights["running"] > weights["pilot"] > weights["ended"] > 0
    for lower, higher in (("ended", "pilot"), ("pilot", "running"), ("running", "scaled")):
        names = [n for n, _ in ranked([ASKING, replace(A, practices={PROCUREMENT: {lower: 1}}),
                                       replace(B, practices={PROCUREMENT: {higher: 1}})], ASKED)]
        assert names == ["Beta", "Alpha"], (lower, higher)


def test_population_compares_by_ratio_not_difference():
    # 600k asks: 300k (half) and 1.2M (double) are as alike; 400k is closer than 1.5M.
    half, double = replace(A, population=300_000), replace(B, population=1_200_000)
    (_, s1), (_, s2) = ranked([ASKING, half, double], ASKED)
    assert s1 == s2
    closer, farther = replace(A, name="Zeta", population=400_000), replace(B, population=1_500_000)
    assert [n for n, _ in ranked([ASKING, closer, farther], ASKED)] == ["Zeta", "Beta"]


def test_geography_region_beats_country_beats_continent_beats_elsewhere():
    places = [
        replace(A, id=10, name="D", continent="asia"),
        replace(A, id=11, name="C", continent="europe"),
        replace(A, id=12, name="B", country="IE", region="Munster"),
        replace(A, id=13, name="A", country="IE", region="leinster"),
    ]
    assert [n for n, _ in ranked([ASKING, *places], ASKED)] == ["A", "B", "C", "D"]


def test_transfers_between_the_two_cities_move_a_city_up():
    assert [n for n, _ in ranked([ASKING, A, B], ASKED, {frozenset((ASKING.id, B.id)): 1})] == ["Beta", "Alpha"]


def test_a_city_with_neither_practices_nor_the_challenge_is_no_peer_whatever_else_it_shares():
    twin = city(5, "Twin", country="IE", region="Leinster", population=600_000, languages=("en",),
                challenges=(YOUTH,), practices={YOUTH: {"scaled": 3}})
    assert ranked([ASKING, twin, A], ASKED) == [("Alpha", ranked([ASKING, A], ASKED)[0][1])]


def test_without_a_city_only_the_practices_and_the_challenge_count():
    question = Question(challenges=(PROCUREMENT,))
    near = replace(B, country="IE", region="Leinster", languages=("en",), population=600_000)
    assert ranked([A, near], question) == [("Alpha", 3.0), ("Beta", 3.0)]


def unit(*values):
    vector = np.zeros(4, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def by_meaning(**practices):
    """{city id: PracticeVectors} from {city name: [(title, vector)]}."""
    ids = {c.name: c.id for c in (ASKING, A, B)}
    return {ids[name]: PracticeVectors(tuple(t for t, _ in pairs), np.vstack([v for _, v in pairs]))
            for name, pairs in practices.items()}


def test_the_closest_pair_of_practices_moves_a_city_up_and_says_which():
    meaning = by_meaning(
        Home=[("Care contracts", unit(1, 0)), ("Repair café", unit(0, 0, 1))],
        Alpha=[("Tool library", unit(0, 1))],  # orthogonal to both: no closer than the floor
        Beta=[("Food bank", unit(0, 1)), ("Contratos de cuidado", unit(1, 0.05))],
    )
    facts = Facts(cities={c.id: c for c in (ASKING, A, B)}, challenge_names=NAMES, meaning=meaning)
    alpha, beta = sorted(rank(facts, ASKED), key=lambda p: p.city.name)
    assert [p.city.name for p in rank(facts, ASKED)] == ["Beta", "Alpha"]
    assert alpha.points["meaning"] == 0 and not any("meaning" in r for r in alpha.reasons)
    cosine = float(unit(1, 0.05) @ unit(1, 0))
    assert cosine > MEANING_FULL  # the same practice: the whole weight
    assert beta.points["meaning"] == WEIGHTS["meaning"]
    assert beta.reasons[-1] == "practices close in meaning to yours: Contratos de cuidado ↔ Care contracts"


def test_meaning_points_grow_from_the_floor_to_full():
    asking = by_meaning(Home=[("Mine", unit(1, 0))])
    halfway = (MEANING_FLOOR + MEANING_FULL) / 2
    theirs = unit(halfway, float(np.sqrt(1 - halfway**2)))  # at `halfway` from Mine
    floor = unit(MEANING_FLOOR, float(np.sqrt(1 - MEANING_FLOOR**2)))
    meaning = {**asking, **by_meaning(Alpha=[("At the floor", floor)], Beta=[("Halfway", theirs)])}
    facts = Facts(cities={c.id: c for c in (ASKING, A, B)}, challenge_names=NAMES, meaning=meaning)
    points = {p.city.name: p.points["meaning"] for p in rank(facts, ASKED)}
    assert points["Alpha"] == 0
    assert points["Beta"] == pytest.approx(WEIGHTS["meaning"] / 2, abs=0.01)


def test_without_vectors_there_is_no_meaning_and_the_order_is_the_same():
    facts = Facts(cities={c.id: c for c in (ASKING, A, B)}, challenge_names=NAMES)
    peers = rank(facts, ASKED)
    assert [p.city.name for p in peers] == ["Alpha", "Beta"]
    assert all("meaning" not in p.points for p in peers)
    # A question without a city compares no practices either.
    meaning = by_meaning(Home=[("x", unit(1))], Beta=[("y", unit(1))])
    alone = rank(replace(facts, meaning=meaning), Question(challenges=(PROCUREMENT,)))
    assert [(p.city.name, p.score) for p in alone] == [("Alpha", 3.0), ("Beta", 3.0), ("Home", 3.0)]


def test_reasons_in_words():
    assert practices_reason({"scaled": 1, "pilot": 1}, "Social procurement") == (
        "2 practices on social procurement, one scaled, one pilot")
    assert practices_reason({"running": 3}, "Housing") == "3 running practices on housing"
    assert practices_reason({"ended": 1}, "EU funds") == "an ended practice on EU funds"
    assert [short_number(n) for n in (1_800_000, 2_000_000, 1_349_000, 346_000, 950)] == [
        "1.8 M", "2 M", "1.3 M", "346 k", "950"]


# --- On a small network built by the factories ---


def set_facts(page, challenges=(), **fields):
    page = CityPage.objects.get(pk=page.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.city_challenges = [CityChallenge(challenge=c) for c in challenges]
    return publish(page)


@pytest.fixture
def peers_net(site_tree):
    """Dublin asks about social procurement and youth unemployment. Turin:
    a scaled and a pilot practice on procurement, names youth unemployment,
    a transfer with Dublin. Cork: names procurement. Bilbao: a running
    practice (and a private scaled one). Montreal: an ended practice (and a
    draft scaled one). Ghost, a draft city, has a scaled practice."""
    procurement = ChallengeFactory(name="Social procurement", slug="social-procurement")
    youth = ChallengeFactory(name="Youth unemployment", slug="youth-unemployment")
    cities = site_tree["cities"]
    dublin = set_facts(site_tree["dublin"], [procurement, youth], region="Leinster", continent="europe",
                       population=592_000, languages=["en"])
    turin = set_facts(site_tree["turin"], [youth], region="Piedmont", continent="europe", population=848_000,
                      languages=["en", "it"])
    cork = set_facts(CityPageFactory(parent=cities, title="Cork", slug="cork", country="IE"), [procurement],
                     region="Munster", continent="europe", population=210_000, languages=["en"])
    bilbao = set_facts(CityPageFactory(parent=cities, title="Bilbao", slug="bilbao", country="ES"),
                       region="Basque Country", continent="europe", population=346_000, languages=["es", "eu"])
    montreal = set_facts(CityPageFactory(parent=cities, title="Montreal", slug="montreal", country="CA"),
                         region="Quebec", continent="north_america", population=1_762_000, languages=["en", "fr"])
    ghost = CityPageFactory(parent=cities, title="Ghost", slug="ghost", country="IE", live=False)

    def practice(parent, title, status, live=True):
        page = CaseStudyPageFactory(parent=parent, title=title, status=status, challenges=[procurement], live=live)
        return publish(page) if live else page

    scaled = practice(turin, "Turin scaled", "scaled")
    practice(turin, "Turin pilot", "pilot")
    practice(bilbao, "Bilbao running", "running")
    private = practice(bilbao, "Bilbao private", "scaled")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    practice(montreal, "Montreal ended", "ended")
    practice(montreal, "Montreal draft", "scaled", live=False)
    practice(ghost, "Ghost practice", "scaled", live=False)
    CaseStudyPageFactory(parent=ghost, title="Ghost live practice", status="scaled", challenges=[procurement])
    record_accepted(scaled, dublin)
    return {"dublin": dublin, "turin": turin, "cork": cork, "bilbao": bilbao, "montreal": montreal,
            "procurement": procurement, "youth": youth}


EXPECTED_REASONS = {
    "Turin": ["2 practices on social procurement, one scaled, one pilot", "also works on youth unemployment",
              "population 848 k vs 592 k", "also in Europe", "also speaks English", "1 transfer between them already"],
    "Cork": ["works on social procurement", "population 210 k vs 592 k", "same country (Ireland)",
             "also speaks English"],
    "Bilbao": ["a running practice on social procurement", "population 346 k vs 592 k", "also in Europe"],
    "Montreal": ["an ended practice on social procurement", "population 1.8 M vs 592 k", "also speaks English"],
}


def test_the_api_ranks_a_citys_peers_in_a_fixed_order_with_reasons(client, peers_net):
    response = client.get("/api/peers/?city=dublin")
    assert response.status_code == 200
    data = response.json()
    assert data["city"]["slug"] == "dublin" and data["challenge"] is None
    assert [c["slug"] for c in data["ranked_on"]] == ["social-procurement", "youth-unemployment"]
    assert [(p["rank"], p["city"]["name"]) for p in data["results"]] == [
        (1, "Turin"), (2, "Cork"), (3, "Bilbao"), (4, "Montreal")]
    assert {p["city"]["name"]: p["reasons"] for p in data["results"]} == EXPECTED_REASONS
    turin = data["results"][0]
    # Practices 4 + 2, youth unemployment 3, population 3 × 592/848, Europe 1, English 1, a transfer 2.
    assert turin["score"] == pytest.approx(6 + 3 + 3 * 592 / 848 + 1 + 1 + 2, abs=0.001)
    assert turin["points"]["practices"] == 6.0 and turin["points"]["transfers"] == 2.0
    assert turin["city"]["url"] == "/cities/turin/" and turin["city"]["languages"] == ["en", "it"]
    assert data["count"] == 4 and data["weights"] == WEIGHTS


def test_a_challenge_alone_ranks_on_practices_and_naming_it(client, peers_net):
    data = client.get("/api/peers/?challenge=social-procurement").json()
    assert [(p["city"]["name"], p["score"]) for p in data["results"]] == [
        ("Turin", 6.0), ("Bilbao", 3.0), ("Cork", 3.0), ("Dublin", 3.0), ("Montreal", 1.0)]
    assert data["results"][3]["reasons"] == ["works on social procurement"]
    assert client.get("/api/peers/?challenge=social-procurement&limit=2").json()["count"] == 5
    assert len(client.get("/api/peers/?challenge=social-procurement&limit=2").json()["results"]) == 2


def test_the_page_shows_the_form_the_ranking_and_the_reasons(client, peers_net):
    response = client.get("/peers/?city=dublin")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<select name="challenge" id="peers-challenge"' in html and '<option value="dublin" selected>' in html
    order = [html.index(f'<a href="/cities/{slug}/">') for slug in ("turin", "cork", "bilbao", "montreal")]
    assert order == sorted(order)
    assert ("2 practices on social procurement, one scaled, one pilot; also works on youth unemployment; "
            "population 848 k vs 592 k; also in Europe; also speaks English; 1 transfer between them already."
            ) in html
    assert "Ghost" not in html.split("</form>", 1)[1] and "Ghost" not in html


def test_drafts_and_private_pages_are_never_counted_or_shown(client, peers_net):
    html = client.get("/peers/?challenge=social-procurement").content.decode()
    assert "Ghost" not in html  # a draft city, whatever its practices
    assert "A running practice on social procurement." in html  # Bilbao's private scaled one is not counted
    assert "An ended practice on social procurement." in html  # nor Montreal's draft
    # A city made private leaves the ranking, and the form.
    PageViewRestriction.objects.create(page=peers_net["turin"], restriction_type=PageViewRestriction.LOGIN)
    html = client.get("/peers/?challenge=social-procurement").content.decode()
    assert "Turin" not in html
    assert client.get("/api/peers/?city=turin").status_code == 400


def test_one_challenge_for_a_city(client, peers_net):
    data = client.get("/api/peers/?city=dublin&challenge=youth-unemployment").json()
    assert [p["city"]["name"] for p in data["results"]] == ["Turin"]
    assert data["results"][0]["reasons"][0] == "works on youth unemployment"


def test_unknown_or_missing_input_gets_a_clear_400(client, peers_net):
    response = client.get("/peers/?challenge=zeppelins")
    assert response.status_code == 400
    assert "no challenge has the slug “zeppelins”" in response.content.decode()
    assert '<select name="challenge"' in response.content.decode()  # the form, to try again
    assert client.get("/peers/?city=ghost").status_code == 400  # a draft city is unknown
    assert client.get("/api/peers/?city=nowhere").json() == {
        "errors": {"city": "no published city has the slug “nowhere”."}}
    assert client.get("/api/peers/").status_code == 400
    assert client.get("/api/peers/?city=dublin&city=cork").json()["errors"] == {
        "city": "give city once, not 2 times."}
    assert client.get("/api/peers/?city=dublin&limit=0").status_code == 400
    assert client.get("/peers/").status_code == 200  # nothing asked yet: the form


def test_empty_states(client, peers_net, site_tree):
    lonely = ChallengeFactory(name="Zeppelins", slug="zeppelins")
    html = client.get(f"/peers/?challenge={lonely.slug}").content.decode()
    assert "No other published city has practices on Zeppelins or works on it yet." in html
    mute = set_facts(CityPageFactory(parent=site_tree["cities"], title="Mute", slug="mute", country="FR"))
    html = client.get(f"/peers/?city={mute.slug}").content.decode()
    assert "Mute has not named the challenges it works on yet" in html


def test_the_city_page_shows_cities_like_it(client, peers_net):
    html = client.get("/cities/dublin/").content.decode()
    section = html.split('<h2 id="peers-heading">Cities like Dublin</h2>', 1)[1].split("</section>", 1)[0]
    order = [section.index(f'<a href="/cities/{slug}/">') for slug in ("turin", "cork", "bilbao", "montreal")]
    assert order == sorted(order)
    assert "1 transfer between them already" in section
    assert 'href="/peers/?city=dublin"' in section


@override_settings(PAGE_FRAGMENT_SECONDS=60)
def test_the_cached_city_page_follows_transfers_practices_and_challenges(client, peers_net):
    section = lambda: client.get("/cities/dublin/").content.decode().split("Cities like Dublin", 1)[1]  # noqa: E731
    assert "Bilbao" in section()
    # A transfer accepted: Bilbao's reasons change on the cached page.
    record_accepted(CaseStudyPageFactory(parent=peers_net["dublin"], title="Dublin thing"), peers_net["bilbao"])
    assert "1 transfer between them already" in section().split("Bilbao", 1)[1].split("</li>", 1)[0]
    # A practice published elsewhere: a new peer.
    lyon = set_facts(CityPageFactory(parent=peers_net["dublin"].get_parent(), title="Lyon", slug="lyon",
                                     country="FR"))
    assert "Lyon" not in section()
    publish(CaseStudyPageFactory(parent=lyon, title="Lyon", status="scaled", challenges=[peers_net["youth"]]))
    assert "a scaled practice on youth unemployment" in section().lower()
    # A challenge dropped from the city page: ranked on the other one only.
    set_facts(peers_net["dublin"], [peers_net["youth"]], population=592_000, languages=["en"])
    assert "Cork" not in section()


def test_the_schema_lists_the_challenges_and_cities_the_api_accepts(client, peers_net):
    operation = client.get("/api/schema/").json()["paths"]["/api/peers/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["challenge"]["schema"]["enum"] == ["social-procurement", "youth-unemployment"]
    assert parameters["city"]["schema"]["enum"] == ["bilbao", "cork", "dublin", "montreal", "turin"]  # no Ghost
    assert parameters["limit"]["schema"]["maximum"] == 100
    assert set(operation["responses"]) == {"200", "400", "429"}


def test_a_challenge_with_practices_that_the_city_also_names_is_said_once():
    both = replace(A, challenges=(PROCUREMENT,))
    facts = Facts(cities={c.id: c for c in (ASKING, both)}, challenge_names=NAMES)
    (peer,) = rank(facts, ASKED)
    assert peer.reasons[0] == "a running practice on social procurement (works on it too)"
    assert not any(reason.startswith("also works") for reason in peer.reasons)
    assert peer.points["challenges"] == WEIGHTS["challenge"]
