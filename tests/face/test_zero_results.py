"""The search page when nothing matches: the spelling it may have meant,
a link per active filter that removes that filter only, and the peer
finder (with the challenge, when one was chosen)."""

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest

from practices.factories import CaseStudyPageFactory, ChallengeFactory


@pytest.fixture
def catalogue(site_tree):
    housing = ChallengeFactory(name="Housing", slug="housing")
    ChallengeFactory(name="Food", slug="food")
    practice = CaseStudyPageFactory(parent=site_tree["dublin"], title="Community kitchens", summary="Cooking together.")
    practice.challenges.add(housing)
    practice.save_revision().publish()
    return site_tree


def _links(html, testid):
    return [unescape(href) for href in re.findall(rf'<a href="([^"]+)" data-testid="{testid}"', html)]


def _params(url):
    return sorted(parse_qsl(urlsplit(url).query))


def test_each_filter_can_be_removed_alone(client, catalogue):
    response = client.get("/practices/", {"q": "kitchens", "challenge": "food", "city": "dublin", "year_from": "2030"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="zero-results"' in html
    removals = _links(html, "zero-remove")
    assert sorted(_params(url) for url in removals) == sorted([
        _params("?q=kitchens&city=dublin&year_from=2030"),
        _params("?q=kitchens&challenge=food&year_from=2030"),
        _params("?q=kitchens&challenge=food&city=dublin"),
    ])
    # Each link is a page of its own (still nothing: two filters exclude it).
    for url in removals:
        assert client.get("/practices/" + url).status_code == 200


def test_peers_link_carries_the_challenge(client, catalogue):
    html = client.get("/practices/", {"q": "zzzz", "challenge": "food"}).content.decode()
    assert _links(html, "zero-peers") == ["/peers/?challenge=food"]
    html = client.get("/practices/", {"q": "zzzz"}).content.decode()
    assert _links(html, "zero-peers") == ["/peers/"]
    assert client.get("/peers/?challenge=food").status_code == 200


def test_spelling_suggestion_keeps_the_filters(client, catalogue):
    # "kitchnes" is corrected to "kitchens", which the Food filter excludes: nothing either way.
    html = client.get("/practices/", {"q": "kitchnes", "challenge": "food"}).content.decode()
    suggestion = _links(html, "zero-suggestion")
    assert len(suggestion) == 1
    assert _params(suggestion[0]) == _params("?challenge=food&q=kitchens")
    # Without the filter the corrected text finds the practice.
    html = client.get("/practices/", {"q": "kitchnes"}).content.decode()
    assert "Community kitchens" in html and 'data-testid="zero-results"' not in html


def test_results_show_no_zero_results_block(client, catalogue):
    html = client.get("/practices/", {"q": "kitchens"}).content.decode()
    assert 'data-testid="zero-results"' not in html
    assert 'data-testid="zero-results"' not in client.get("/practices/").content.decode()
