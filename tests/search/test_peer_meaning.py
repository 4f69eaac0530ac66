""""Similar practices" and the peer finder use the vectors of search by
meaning (search/embeddings.py, the real model through `embedded_once`):
a practice and its translation into another language are found similar on
both backends, and they bring the translating city forward among the
asking city's peers, with the pair named in the reasons on `/peers/` and
`/api/peers/`. Drafts and private pages never count or show; with search by
meaning off the reason is not there and the order is the one before."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from wagtail.models import PageViewRestriction

from cities.models import CityChallenge, CityPage
from practices.factories import (
    CaseStudyPageFactory,
    ChallengeFactory,
    CityPageFactory,
    build_site_tree,
    publish,
)
from search import indexing
from search.similar import similar_practices
from search.templatetags.search_tags import related_practices

from .conftest import make_engine
from .test_embeddings import embedded_once, meaning_on  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

CLT_EN = (
    "Community land trust for affordable homes",
    "The city gives public land to a community land trust that builds homes and keeps them affordable for ever.",
    "Residents and neighbours govern the trust; the homes are sold or let below the market price, and the land "
    "never goes back to the market.",
)
CLT_ES = (
    "Fideicomiso comunitario de suelo para viviendas asequibles",
    "El ayuntamiento cede suelo público a un fideicomiso comunitario que construye viviendas y las mantiene "
    "asequibles para siempre.",
    "Los vecinos gobiernan el fideicomiso; las viviendas se venden o alquilan por debajo del precio de mercado y "
    "el suelo no vuelve nunca al mercado.",
)
TOOLS_EN = (
    "Tool library in the council flats",
    "Neighbours borrow drills, ladders and garden tools from a shared library that the tenants run.",
    "Volunteers lend the tools on Saturdays and repair the broken ones.",
)


def practice(city, texts, challenge, title_suffix="", **kw):
    title, summary, body = texts
    page = CaseStudyPageFactory(parent=city, title=title + title_suffix, summary=summary, language="en",
                                challenges=[challenge], status="running", **kw)
    page.body = [("context", f"<p>{body}</p>")]
    page.save()
    return publish(page) if page.live else page


def build_network(t):
    """Dublin names affordable housing and has an English practice on a
    community land trust. Brightwater and Alderton are alike in every fact
    the peer finder reads (Alderton first by name), each with one running
    practice on it: Brightwater's is the same practice in Spanish,
    Alderton's a tool library. Alderton also has a draft and a private copy
    of Brightwater's practice."""
    housing = ChallengeFactory(name="Affordable housing", slug="affordable-housing")
    dublin = CityPage.objects.get(pk=t["dublin"].pk)
    dublin.city_challenges = [CityChallenge(challenge=housing)]
    dublin = publish(dublin)
    bright = CityPageFactory(parent=t["cities"], title="Brightwater", slug="brightwater", country="FR")
    alder = CityPageFactory(parent=t["cities"], title="Alderton", slug="alderton", country="FR")
    pages = {
        "dublin": practice(dublin, CLT_EN, housing),
        "bright": practice(bright, CLT_ES, housing),
        "alder": practice(alder, TOOLS_EN, housing),
        "draft": practice(alder, CLT_ES, housing, " (borrador)", live=False),
        "private": practice(alder, CLT_ES, housing, " (privado)"),
    }
    PageViewRestriction.objects.create(page=pages["private"], restriction_type=PageViewRestriction.LOGIN)
    indexing.rebuild_entries()  # the index rows and their vectors, as the indexing task writes them
    return {"pages": {k: p.pk for k, p in pages.items()}}


@pytest.fixture(scope="module")
def shared_catalogue(meaning_on, django_db_setup, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_network(build_site_tree())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module", params=["database", "elasticsearch"])
def engine(request, shared_catalogue, django_db_blocker):
    yield from make_engine(request.param, request, django_db_blocker)


@pytest.fixture
def network(shared_catalogue, db):
    return shared_catalogue["pages"]


HIDDEN_TITLES = ("(borrador)", "(privado)")
REASON = "practices close in meaning to yours: " + CLT_ES[0] + " ↔ " + CLT_EN[0]


def test_similar_practices_find_the_same_practice_in_another_language(engine, network):
    similar = [hit.pk for hit in similar_practices(network["dublin"], limit=4)]
    assert similar[0] == network["bright"]
    assert network["draft"] not in similar and network["private"] not in similar
    from practices.models import CaseStudyPage

    related = related_practices(CaseStudyPage.objects.get(pk=network["dublin"]), limit=4)
    assert [item["hit"].pk for item in related][0] == network["bright"]


def test_the_case_study_page_shows_its_translation_as_similar_and_no_hidden_page(client, engine, network):
    html = client.get("/cities/dublin/community-land-trust-for-affordable-homes/").content.decode()
    assert CLT_ES[0] in html
    assert not any(hidden in html for hidden in HIDDEN_TITLES)


def test_practices_close_in_meaning_bring_a_peer_forward_with_the_pair_named(client, network):
    data = client.get("/api/peers/?city=dublin").json()
    results = {p["city"]["name"]: p for p in data["results"]}
    assert [p["city"]["name"] for p in data["results"]] == ["Brightwater", "Alderton"]
    assert REASON in results["Brightwater"]["reasons"]
    assert results["Brightwater"]["points"]["meaning"] > 0
    # The tool library is not close; the draft and private copies never count.
    assert results["Alderton"]["points"]["meaning"] == 0
    assert results["Alderton"]["reasons"] == ["a running practice on affordable housing"]
    html = client.get("/peers/?city=dublin").content.decode()
    ranking = html.split("</form>", 1)[1]  # after the form's choices
    assert ranking.index("Brightwater") < ranking.index("Alderton")
    assert "a running practice on affordable housing; " + REASON + "." in ranking.replace("A running", "a running")
    assert not any(hidden in html for hidden in HIDDEN_TITLES)


def test_with_search_by_meaning_off_there_is_no_reason_and_the_order_is_the_one_before(client, network):
    with override_settings(SEARCH_EMBEDDINGS=False):
        data = client.get("/api/peers/?city=dublin").json()
        html = client.get("/peers/?city=dublin").content.decode()
    assert [p["city"]["name"] for p in data["results"]] == ["Alderton", "Brightwater"]
    assert all("meaning" not in p["points"] for p in data["results"])
    assert all(not any("meaning" in r for r in p["reasons"]) for p in data["results"])
    assert "close in meaning" not in html
    ranking = html.split("</form>", 1)[1]
    assert ranking.index("Alderton") < ranking.index("Brightwater")


def test_a_challenge_alone_compares_no_meaning(client, network):
    data = client.get("/api/peers/?challenge=affordable-housing").json()
    assert all("meaning" not in p["points"] for p in data["results"])
