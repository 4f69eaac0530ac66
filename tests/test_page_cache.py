"""Whole public pages served to anonymous visitors from the cache
(cities.page_cache): the same page and headers without a query, and never
a page that an editorial event retired, a private page, an editor's page or
an answer that sets a cookie."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from practices.factories import CaseStudyPageFactory
from practices.models import CaseStudyPage

# Headers a browser relies on, which a cached answer must carry as a rendered one does.
HEADERS = (
    "Content-Type", "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
    "Referrer-Policy", "Cross-Origin-Opener-Policy", "Vary",
)


@pytest.fixture
def pages(site_tree, settings):
    settings.PAGE_FRAGMENT_SECONDS = 60
    page = CaseStudyPageFactory(parent=site_tree["dublin"], title="Tool library")
    page.save_revision().publish()
    page.refresh_from_db()
    return {"case study": page.url, "city": "/cities/dublin/", "home": "/", "page": page}


def get(client, url, **extra):
    """(response, number of SQL queries it took)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries)


@pytest.mark.parametrize("which", ["case study", "city", "home"])
def test_a_second_anonymous_request_is_served_from_the_cache(client, pages, which):
    url = pages[which]
    first, rendering = get(client, url)
    second, cached = get(client, url)
    assert first.status_code == second.status_code == 200
    assert rendering > 2 and cached == 0
    assert second.content == first.content and "Tool library" in second.content.decode()
    for header in HEADERS:
        if header == "Vary":  # a set of request headers: the order says nothing
            assert set(second[header].split(", ")) == set(first[header].split(", "))
        else:
            assert second.get(header) == first.get(header), header
    assert "Cookie" in second["Vary"] and second["X-Frame-Options"] and second["Content-Security-Policy"]
    assert not second.cookies


def test_an_unpublished_case_study_leaves_every_cached_page_at_once(client, pages):
    for url in (pages["case study"], pages["city"], pages["home"]):
        client.get(url)
        assert get(client, url)[1] == 0, url  # cached
    CaseStudyPage.objects.get(pk=pages["page"].pk).unpublish()
    assert client.get(pages["case study"]).status_code == 404
    for url in (pages["city"], pages["home"]):
        response = client.get(url)
        assert response.status_code == 200 and "Tool library" not in response.content.decode(), url


def test_a_view_restriction_applies_to_the_next_anonymous_request(client, pages):
    url = pages["case study"]
    client.get(url)
    assert get(client, url)[1] == 0
    PageViewRestriction.objects.create(page=pages["page"], restriction_type=PageViewRestriction.LOGIN)
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_password_restricted_page_is_never_stored(client, pages):
    url = pages["case study"]
    PageViewRestriction.objects.create(
        page=pages["page"], restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    for _ in range(2):
        response, queries = get(client, url)
        assert response.status_code == 200 and 'name="password"' in response.content.decode()
        assert "Tool library</h1>" not in response.content.decode()
        assert queries > 2  # rendered each time: the form was not stored


def test_an_editor_never_gets_nor_fills_the_anonymous_page(client, pages, users):
    url = pages["case study"]
    editor = client.__class__()
    editor.force_login(users["moderator"])
    assert "wagtail-userbar" in editor.get(url).content.decode()  # signed in first: stores nothing
    response, queries = get(client, url)
    assert queries > 2 and "wagtail-userbar" not in response.content.decode()
    assert get(client, url)[1] == 0  # now cached for visitors
    response, queries = get(editor, url)
    assert queries > 0 and "wagtail-userbar" in response.content.decode()


def test_an_answer_setting_a_cookie_is_not_stored(client, pages, monkeypatch):
    serve = CaseStudyPage.serve

    def serve_with_cookie(self, request, *args, **kwargs):
        response = serve(self, request, *args, **kwargs)
        response.set_cookie("seen", "yes")
        return response

    monkeypatch.setattr(CaseStudyPage, "serve", serve_with_cookie)
    for _ in range(2):
        response, queries = get(client, pages["case study"])
        assert response.cookies["seen"].value == "yes" and queries > 2


def test_requests_with_a_query_string_are_rendered(client, pages):
    for url in ("/practices/?q=tool", pages["case study"] + "?utm=x"):
        client.get(url)
        assert get(client, url)[1] > 0, url
