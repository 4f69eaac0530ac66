"""The exchange in the API: a case study's transfers and relations
(`/api/practices/<id>/exchange/`), "adapted_by" on every search hit, and a
truthful OpenAPI schema; drafts and private pages never appear."""

import datetime as dt

import pytest

from exchange import relations, transfers
from exchange.models import Relation, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def exchanged(net):
    users, pages = net["users"], net["pages"]
    transfers.propose(users["moderator"], Transfer(
        source=pages["casabottega"], adopting_city=net["dublin"], stage="planning", started=dt.date(2026, 1, 5),
        lessons="Ask the shopkeepers first.", own_case_study=pages["dublin_draft"]))
    transfers.propose(users["bilbao"], Transfer(source=pages["casabottega"], adopting_city=net["bilbao"]))
    relations.propose(users["dublin"], Relation(from_page=pages["dublin_own"], to_page=pages["casabottega"],
                                                kind="inspired_by"))
    relations.propose(users["moderator"], Relation(from_page=pages["casabottega"], to_page=pages["turin_other"],
                                                   kind="complements"))
    return net


def test_a_case_studys_exchange(exchanged, client):
    casabottega = exchanged["pages"]["casabottega"]
    response = client.get(f"/api/practices/{casabottega.pk}/exchange/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {
        "id": casabottega.pk,
        "title": "CasaBottega",
        "url": casabottega.url,
        "adapted_by": 1,
        "transfers": [{
            "id": Transfer.objects.get(adopting_city=exchanged["dublin"]).pk,
            "city": {"id": exchanged["dublin"].pk, "slug": "dublin", "name": "Dublin", "country": "IE",
                     "url": "/cities/dublin/"},
            "stage": "planning", "started": "2026-01-05", "changes": "", "lessons": "Ask the shopkeepers first.",
            "note": "", "own_case_study": None,  # a draft
        }],
        "relations": [{
            "type": "complements", "direction": "outgoing", "label": "Complements", "pending": False,
            "case_study": {"id": exchanged["pages"]["turin_other"].pk, "title": "Turin housing",
                           "url": exchanged["pages"]["turin_other"].url},
        }],  # Dublin's "inspired by" waits for Turin
        "questions": [],  # none answered yet (tests/exchange/test_questions.py)
    }
    relations.accept(exchanged["users"]["turin"], Relation.objects.get(kind="inspired_by"))
    shown = client.get(f"/api/practices/{casabottega.pk}/exchange/").json()["relations"]
    assert {(r["type"], r["direction"], r["label"]) for r in shown} == {
        ("complements", "outgoing", "Complements"), ("inspired_by", "incoming", "Inspired")}


@pytest.mark.parametrize("name", ["turin_draft", "turin_private"])
def test_drafts_and_private_case_studies_are_not_found(exchanged, client, name):
    response = client.get(f"/api/practices/{exchanged['pages'][name].pk}/exchange/")
    assert response.status_code == 404
    assert response.json() == {"errors": {"id": "no published case study has this id."}}
    for pk in (0, 2**31, 10**30, -1, "one", "1e3"):
        assert client.get(f"/api/practices/{pk}/exchange/").status_code == 404


def test_the_schema_describes_the_exchange(client):
    schema = client.get("/api/schema/").json()
    network = schema["paths"]["/api/network/"]["get"]
    assert network["operationId"] == "network"
    exchange = schema["paths"]["/api/practices/{id}/exchange/"]["get"]
    assert set(exchange["responses"]) == {"200", "404", "429"}
    components = schema["components"]["schemas"]
    assert "adapted_by" in components["Hit"]["properties"]
    assert "adapted_by" in components["PracticeExchange"]["properties"]
    assert set(components["NetworkTransfer"]["properties"]) == {
        "id", "from_city", "to_city", "case_study", "stage", "started", "own_case_study"}
    search = schema["paths"]["/api/practices/"]["get"]["parameters"]
    sort = next(p for p in search if p["name"] == "sort")
    assert "most_adapted" in sort["schema"]["enum"]
    facet = next(p for p in search if p["name"] == "adapted_elsewhere")
    assert facet["schema"]["items"]["enum"] == ["yes", "no"]
