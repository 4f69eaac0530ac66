"""/network/ and /api/network/: every public city and the accepted
transfers between them, from the adopting city to the source city; drafts
and private pages never appear; an accessible SVG graph laid out the same
way every time, with the same data as a table and as JSON."""

import re

import pytest
from wagtail.models import PageViewRestriction

from exchange import transfers
from exchange.models import Transfer
from exchange.network import CENTRE, RADIUS, read_network
from practices.factories import CaseStudyPageFactory, CityPageFactory

pytestmark = pytest.mark.django_db


def record(user, source, city, **values):
    return transfers.propose(user, Transfer(source=source, adopting_city=city, **values))


@pytest.fixture
def graph(net):
    """Dublin adapting CasaBottega (accepted), Bilbao adapting it (pending);
    Turin adapting Bilbao's market (accepted, own case study a draft)."""
    users, pages = net["users"], net["pages"]
    moderator = users["moderator"]
    record(moderator, pages["casabottega"], net["dublin"], stage="piloting", own_case_study=pages["dublin_own"])
    record(users["bilbao"], pages["casabottega"], net["bilbao"])
    turin_draft_version = CaseStudyPageFactory(parent=net["turin"], title="Turin market draft", live=False)
    record(moderator, pages["bilbao_market"], net["turin"], own_case_study=turin_draft_version)
    return net


def test_the_page_shows_the_accepted_transfers_between_public_cities(graph, client):
    response = client.get("/network/")
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="network-title network-desc"' in svg
    assert '<title id="network-title">Graph of transfers between 3 cities</title>' in svg
    assert svg.count("<line ") == 2  # the pending one is not drawn
    assert "Dublin adapts Turin&#x27;s CasaBottega (piloting)" in svg
    assert "Turin adapts Bilbao&#x27;s Bilbao market (exploring)" in svg
    assert "<a " not in svg  # an image holds no link: the cities' links are laid over it
    links = re.search(r'<svg class="network-links".*?</svg>', html, re.S).group(0)
    for city in ("bilbao", "dublin", "turin"):
        assert f'href="/cities/{city}/" class="network-city"' in links
    table = re.search(r"<table>.*?</table>", html, re.S).group(0)
    assert table.count("<tr>") == 3  # header and two transfers
    assert f'(their version: <a href="{graph["pages"]["dublin_own"].url}">Dublin workshops</a>)' in table
    assert "Turin market draft" not in html


def test_drafts_private_pages_and_private_cities_never_appear(graph, client):
    pages = graph["pages"]
    pages["casabottega"].unpublish()  # the source of Dublin's transfer: a draft now
    PageViewRestriction.objects.create(page=graph["bilbao"], restriction_type=PageViewRestriction.PASSWORD,
                                       password="secret")
    data = client.get("/api/network/").json()
    assert [c["name"] for c in data["cities"]] == ["Dublin", "Turin"]
    assert data["transfers"] == []
    html = client.get("/network/").content.decode()
    assert "Bilbao" not in html and "CasaBottega" not in html


def test_the_json_is_the_same_data(graph, client):
    data = client.get("/api/network/").json()
    cities = {c["name"]: c for c in data["cities"]}
    assert list(cities) == ["Bilbao", "Dublin", "Turin"]
    assert cities["Turin"] == {"id": graph["turin"].pk, "slug": "turin", "name": "Turin", "country": "IT",
                               "url": "/cities/turin/", "adapting": 1, "adapted": 1}
    dublin_transfer = next(t for t in data["transfers"] if t["from_city"] == graph["dublin"].pk)
    casabottega, own = graph["pages"]["casabottega"], graph["pages"]["dublin_own"]
    assert dublin_transfer["to_city"] == graph["turin"].pk and dublin_transfer["stage"] == "piloting"
    assert dublin_transfer["case_study"] == {"id": casabottega.pk, "title": "CasaBottega", "url": casabottega.url}
    assert dublin_transfer["own_case_study"] == {"id": own.pk, "title": own.title, "url": own.url}
    turin_transfer = next(t for t in data["transfers"] if t["from_city"] == graph["turin"].pk)
    assert turin_transfer["own_case_study"] is None  # a draft


def test_the_layout_is_a_circle_in_alphabetical_order(graph):
    network = read_network()
    assert [c.title for c in network.cities] == ["Bilbao", "Dublin", "Turin"]
    first = network.cities[0]
    assert (first.x, first.y) == (CENTRE[0], CENTRE[1] - RADIUS)  # at the top
    assert [(c.x, c.y) for c in read_network().cities] == [(c.x, c.y) for c in network.cities]
    for edge in network.edges:  # arrows start and end at the rims, not the centres
        assert (edge.x1, edge.y1) != (edge.adopting.x, edge.adopting.y)
    # Two arrows between the same cities in both directions are drawn apart.
    record(graph["users"]["moderator"], graph["pages"]["turin_other"], graph["dublin"])
    record(graph["users"]["moderator"], graph["pages"]["dublin_own"], graph["turin"])
    both = [e for e in read_network().edges if {e.adopting.title, e.source.title} == {"Dublin", "Turin"}]
    assert len(both) == 2 and (both[0].x1, both[0].y1) != (both[1].x2, both[1].y2)


def test_large_networks_have_no_labels_on_the_circle_but_keep_the_list(graph, client):
    for i in range(61):
        CityPageFactory(parent=graph["cities"], title=f"Town {i:02d}", slug=f"town-{i:02d}", country="FR")
    html = client.get("/network/").content.decode()
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert "<text " not in svg and svg.count("<circle ") == 64
    assert html.count('<li><a href="/cities/town-') == 61
