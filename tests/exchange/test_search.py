""""Adapted by N cities" in the search, on both backends (the database index
and Elasticsearch through the noida-db stand-in, tests/search/conftest.py):
the card, the "adapted elsewhere" facet and the "most adapted" sort follow a
transfer that is accepted, changed or deleted, through the same editorial
event path as a publish (search.signals: the database index in the
transaction, Elasticsearch by the task after the commit)."""

import uuid

import pytest
from django.test import override_settings

from exchange import transfers
from exchange.models import Transfer
from search import indexing
from search.backends.contract import SearchQuery
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend
from search.models import SearchEntry
from tests.search.conftest import drop_indexes, es_url  # noqa: F401 - the session's Elasticsearch stand-in

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["database", "elasticsearch"])
def backend(request, net, settings):
    if request.param == "database":
        indexing.rebuild_entries()
        yield DatabaseBackend()
        return
    url = request.getfixturevalue("es_url")
    index = f"test-exchange-{uuid.uuid4().hex[:10]}"
    with override_settings(ELASTICSEARCH_URL=url, ELASTICSEARCH_INDEX=index):
        indexing.rebuild_entries()
        indexing.rebuild()
        try:
            yield ElasticsearchBackend(url, index)
        finally:
            drop_indexes(url, index)


def titles(result):
    return [hit.title for hit in result.hits]


def adapted(backend, **query):
    result = backend.search(SearchQuery(**query))
    return {hit.title: hit.adapted_by for hit in result.hits}, result


def facet(result):
    return {value["value"]: value["count"] for value in result.facets["adapted_elsewhere"]}


def test_card_facet_and_sort_follow_the_transfers(net, backend, django_capture_on_commit_callbacks):
    users, pages = net["users"], net["pages"]
    with django_capture_on_commit_callbacks(execute=True):
        transfer = transfers.propose(users["dublin"], Transfer(source=pages["casabottega"], adopting_city=net["dublin"]))
    cards, result = adapted(backend)
    assert set(cards.values()) == {0} and facet(result) == {"no": 4}  # pending: not counted

    with django_capture_on_commit_callbacks(execute=True):
        transfers.accept(users["turin"], transfer)
    cards, result = adapted(backend, filters={"adapted_elsewhere": ("yes",)})
    assert cards == {"CasaBottega": 1}
    assert facet(result) == {"yes": 1, "no": 3}
    assert SearchEntry.objects.get(page=pages["casabottega"]).card["adapted_by"] == 1

    # Turin housing: adapted by two cities (a moderator's records are accepted at once).
    with django_capture_on_commit_callbacks(execute=True):
        for city in (net["dublin"], net["bilbao"]):
            transfers.propose(users["moderator"], Transfer(source=pages["turin_other"], adopting_city=city))
    _, result = adapted(backend, sort="most_adapted")
    assert titles(result)[:2] == ["Turin housing", "CasaBottega"]
    assert [hit.adapted_by for hit in result.hits][:3] == [2, 1, 0]

    # Changed: dropped, it no longer counts.
    with django_capture_on_commit_callbacks(execute=True):
        transfers.update(users["dublin"], transfer, stage="dropped")
    cards, result = adapted(backend, filters={"adapted_elsewhere": ("yes",)})
    assert cards == {"Turin housing": 2}

    # Deleted: Turin housing goes back to one city.
    with django_capture_on_commit_callbacks(execute=True):
        transfers.remove(users["moderator"], Transfer.objects.get(source=pages["turin_other"], adopting_city=net["dublin"]))
    cards, _ = adapted(backend, sort="most_adapted")
    assert cards["Turin housing"] == 1


def test_most_adapted_is_a_sort_of_the_page_and_the_api(net, backend, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transfers.propose(net["users"]["moderator"],
                          Transfer(source=net["pages"]["bilbao_market"], adopting_city=net["dublin"]))
    data = client.get("/api/practices/", {"sort": "most_adapted"}).json()
    assert data["results"][0]["title"] == "Bilbao market" and data["results"][0]["adapted_by"] == 1
    assert data["facets"]["adapted_elsewhere"]["label"] == "Adapted elsewhere"
    page = client.get("/practices/", {"adapted_elsewhere": "yes", "sort": "most_adapted"}).content.decode()
    assert "Adapted by 1 city" in page and "Bilbao market" in page and "Dublin workshops" not in page
    assert '<option value="most_adapted" selected>' in page
