"""Bad input to the exchange gets a clear message and writes nothing: a
transfer for a city that is not yours, of a draft or private case study, of
your own city's case study, twice; an own case study of another city; a
relation from a page to itself, to a draft, twice (both ways when the
relation reads the same both ways); overlong or NUL-bearing text. Through
the admin forms (HTTP) and through the plain functions."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exchange import relations, transfers
from exchange.models import Relation, Transfer

from .conftest import counts, form_errors, record_relation, record_transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def dublin(net, client):
    client.force_login(net["users"]["dublin"])
    return client


def test_a_transfer_for_another_city_is_refused(net, dublin):
    response = record_transfer(dublin, net["pages"]["casabottega"], net["bilbao"])
    assert "Select a valid choice" in form_errors(response)  # the form offers Dublin only
    assert counts() == (0, 0)
    with pytest.raises(ValidationError, match="for your own city only, not for Bilbao"):
        transfers.propose(net["users"]["dublin"], Transfer(source=net["pages"]["casabottega"],
                                                           adopting_city=net["bilbao"]))
    assert counts() == (0, 0)


def test_a_peer_without_a_city_cannot_record(net):
    with pytest.raises(PermissionDenied, match="Only a city's officials"):
        transfers.propose(net["users"]["peer"], Transfer(source=net["pages"]["casabottega"],
                                                         adopting_city=net["dublin"]))
    with pytest.raises(PermissionDenied):
        relations.propose(net["users"]["staff"], Relation(from_page=net["pages"]["dublin_own"],
                                                          to_page=net["pages"]["casabottega"], kind="inspired_by"))
    assert counts() == (0, 0)


@pytest.mark.parametrize("name, message", [
    ("turin_draft", "“Turin draft” is not published (a draft or a private page)"),
    ("turin_private", "“Turin private” is not published (a draft or a private page)"),
    ("dublin_own", "“Dublin workshops” is Dublin's own case study"),
])
def test_a_transfer_of_a_draft_private_or_own_case_study_is_refused(net, dublin, name, message):
    response = record_transfer(dublin, net["pages"][name], net["dublin"])
    assert message in form_errors(response)
    assert counts() == (0, 0)


def test_a_second_transfer_of_the_same_case_study_is_refused(net, dublin):
    assert record_transfer(dublin, net["pages"]["casabottega"], net["dublin"]).status_code == 302
    response = record_transfer(dublin, net["pages"]["casabottega"], net["dublin"], stage="adopted")
    assert "Dublin has already recorded a transfer of “CasaBottega”: edit that one instead." in form_errors(response)
    assert counts() == (1, 0)
    assert Transfer.objects.get().stage == "exploring"


def test_an_own_case_study_of_another_city_is_refused(net, dublin):
    response = record_transfer(dublin, net["pages"]["casabottega"], net["dublin"],
                               own_case_study=net["pages"]["bilbao_market"].pk)
    assert "Your own case study must be one of Dublin's case studies; “Bilbao market” is not." in form_errors(response)
    assert counts() == (0, 0)


def test_text_is_bounded_plain_text(net, dublin):
    response = record_transfer(dublin, net["pages"]["casabottega"], net["dublin"], changes="x" * 2001)
    assert "at most 2000 characters" in form_errors(response)
    response = record_transfer(dublin, net["pages"]["casabottega"], net["dublin"], lessons="a\x00b")
    assert "Null characters are not allowed" in form_errors(response)
    response = record_transfer(dublin, net["pages"]["casabottega"], net["dublin"], started="1066-10-14")
    assert "Give a date between 1900 and 2100." in form_errors(response)
    response = record_transfer(dublin, net["pages"]["casabottega"], net["dublin"], stage="finished")
    assert "Select a valid choice" in form_errors(response)
    assert counts() == (0, 0)


def test_a_relation_to_itself_is_refused(net, dublin):
    own = net["pages"]["dublin_own"]
    assert "A case study cannot be related to itself." in form_errors(record_relation(dublin, own, own))
    assert counts() == (0, 0)


@pytest.mark.parametrize("name", ["turin_draft", "turin_private"])
def test_a_relation_to_a_draft_or_private_page_is_refused(net, dublin, name):
    response = record_relation(dublin, net["pages"]["dublin_own"], net["pages"][name])
    assert "is not published (a draft or a private page)" in form_errors(response)
    assert counts() == (0, 0)


def test_a_relation_from_another_citys_case_study_is_refused(net, dublin):
    response = record_relation(dublin, net["pages"]["bilbao_market"], net["pages"]["casabottega"])
    assert "Select a valid choice" in form_errors(response)  # the form offers Dublin's case studies only
    with pytest.raises(ValidationError, match="You can relate your own city's case studies only"):
        relations.propose(net["users"]["dublin"], Relation(from_page=net["pages"]["bilbao_market"],
                                                           to_page=net["pages"]["casabottega"], kind="complements"))
    assert counts() == (0, 0)


def test_a_duplicate_relation_is_refused(net, dublin, client):
    own, casabottega = net["pages"]["dublin_own"], net["pages"]["casabottega"]
    assert record_relation(dublin, own, casabottega, "alternative_to").status_code == 302
    response = record_relation(dublin, own, casabottega, "alternative_to")
    assert "This relation between “Dublin workshops” and “CasaBottega” is already recorded." in form_errors(response)
    # "Alternative to" reads the same both ways: Turin cannot record it back.
    client.force_login(net["users"]["turin"])
    response = record_relation(client, casabottega, own, "alternative_to")
    assert "is already recorded" in form_errors(response)
    # Another kind of relation between the same two is another relation.
    assert record_relation(client, casabottega, own, "inspired_by").status_code == 302
    assert counts() == (0, 2)


def test_the_plain_functions_check_what_the_form_checks(net):
    official = net["users"]["dublin"]
    draft = Transfer(source=net["pages"]["turin_draft"], adopting_city=net["dublin"], started=dt.date(2024, 5, 1))
    with pytest.raises(ValidationError, match="is not published"):
        transfers.propose(official, draft)
    own = net["pages"]["dublin_own"]
    with pytest.raises(ValidationError, match="cannot be related to itself"):
        relations.propose(official, Relation(from_page=own, to_page=own, kind="builds_on"))
    transfer = transfers.propose(official, Transfer(source=net["pages"]["casabottega"], adopting_city=net["dublin"]))
    with pytest.raises(ValidationError, match="cannot be changed"):
        transfers.update(official, transfer, source=net["pages"]["turin_other"])
    with pytest.raises(PermissionDenied):
        transfers.accept(official, transfer)
    with pytest.raises(PermissionDenied):
        transfers.update(net["users"]["bilbao"], transfer, stage="adopted")
    transfer.refresh_from_db()
    assert (transfer.source_id, transfer.stage, transfer.acceptance) == (
        net["pages"]["casabottega"].pk, "exploring", "pending")
