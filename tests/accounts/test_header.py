"""The site header: "Sign in" and "Sign up" for visitors, the signed-in
peer's name with their profile and "Sign out". Pages for anonymous visitors
are cached whole and in fragments: a peer's name must never reach them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practices.factories import CaseStudyPageFactory

from .conftest import make_peer


@pytest.fixture
def pages(site_tree, settings):
    settings.PAGE_FRAGMENT_SECONDS = 60
    page = CaseStudyPageFactory(parent=site_tree["dublin"], title="Tool library")
    page.save_revision().publish()
    page.refresh_from_db()
    return ["/", "/cities/", "/cities/dublin/", page.url, "/practices/"]


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured)


def account_nav(html):
    start = html.index('<nav class="account-nav"')
    return html[start:html.index("</nav>", start)]


def test_visitors_get_sign_in_and_sign_up(client, site_tree):
    nav = account_nav(client.get("/cities/dublin/").content.decode())
    assert 'href="/accounts/login/?next=/cities/dublin/">Sign in</a>' in nav
    assert 'href="/accounts/signup/">Sign up</a>' in nav
    assert 'aria-label="Your account"' in nav


def test_a_signed_in_peer_gets_their_name_profile_and_sign_out(client, peer, site_tree):
    client.force_login(peer)
    nav = account_nav(client.get("/").content.decode())
    assert 'href="/accounts/profile/"' in nav and "Ana Peer" in nav
    assert 'href="/accounts/logout/">Sign out</a>' in nav
    assert "Sign in" not in nav and "Sign up" not in nav


def test_a_peers_name_never_reaches_a_page_served_to_visitors(client, pages, django_user_model):
    member = client.__class__()
    member.force_login(make_peer(django_user_model, "zed@example.org", display_name="Zed Uniquename"))
    # Signed in first (nothing stored), then a visitor (stored), then the peer
    # again, then visitors served from the cache.
    for url in pages:
        assert "Zed Uniquename" in member.get(url).content.decode(), url
        first = client.get(url).content.decode()
        assert "Zed Uniquename" not in first and ">Sign in</a>" in first, url
        assert "Zed Uniquename" in member.get(url).content.decode(), url
    for url in pages:
        response, count = queries(client, url)
        html = response.content.decode()
        assert response.status_code == 200 and "Zed Uniquename" not in html and ">Sign in</a>" in html, url
        if url != "/practices/":  # the search page answers from its own index, not the page cache
            assert count == 0, url  # served from the cache: the cache was on


def test_a_peer_never_gets_the_visitors_cached_page(client, pages, peer):
    for url in pages:
        client.get(url)
    client.force_login(peer)
    for url in pages:
        nav = account_nav(client.get(url).content.decode())
        assert "Ana Peer" in nav and "Sign in" not in nav, url
    client.logout()
    for url in pages:
        assert "Ana Peer" not in client.get(url).content.decode(), url
