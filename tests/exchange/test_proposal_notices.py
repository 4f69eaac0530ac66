"""The emails of transfers and relations (exchange.proposal_notices, through
notifications.notify): city A's officials are asked to answer a pending
proposal, city B's officials are told of the answer; once each."""

import pytest
from django.core import mail

from exchange import relations, transfers
from exchange.models import Relation, Transfer

from .conftest import record_relation, record_transfer


def test_a_transfer_asks_as_officials_and_tells_bs_officials_the_answer(
    client, net, django_capture_on_commit_callbacks
):
    casabottega = net["pages"]["casabottega"]
    client.force_login(net["users"]["dublin"])
    with django_capture_on_commit_callbacks(execute=True):
        assert record_transfer(client, casabottega, net["dublin"]).status_code == 302
    (asked,) = mail.outbox
    transfer = Transfer.objects.get()
    assert asked.to == ["official-turin@example.org"]
    assert asked.subject == "Dublin is adapting one of your case studies"
    assert "Dublin adapting “CasaBottega”" in asked.body
    assert f"http://testserver/admin/exchange/review/transfer/{transfer.pk}/" in asked.body

    mail.outbox.clear()
    client.force_login(net["users"]["turin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/exchange/review/transfer/{transfer.pk}/", {"decision": "accept"})
    (told,) = mail.outbox
    assert told.to == ["official-dublin@example.org"]
    assert told.subject == "Turin accepted: Dublin adapting “CasaBottega”"
    assert f"http://testserver{casabottega.url}" in told.body

    # Withdrawn, then accepted again: the decline is told; the second acceptance is not (once per event).
    with django_capture_on_commit_callbacks(execute=True):
        transfers.decline(net["users"]["turin"], transfer)
        transfers.accept(net["users"]["turin"], transfer)
    assert [m.subject for m in mail.outbox[1:]] == ["Turin declined: Dublin adapting “CasaBottega”"]


def test_a_moderators_transfer_needs_no_answer_and_asks_no_one(net, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        transfers.propose(net["users"]["moderator"], Transfer(source=net["pages"]["casabottega"],
                                                                adopting_city=net["dublin"]))
    assert Transfer.objects.get().is_accepted and not mail.outbox


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_a_relation_asks_as_officials_and_tells_bs_officials(
    client, net, decision, django_capture_on_commit_callbacks
):
    client.force_login(net["users"]["dublin"])
    with django_capture_on_commit_callbacks(execute=True):
        record_relation(client, net["pages"]["dublin_own"], net["pages"]["casabottega"])
    (asked,) = mail.outbox
    assert asked.to == ["official-turin@example.org"]
    assert asked.subject == "Dublin related a case study to yours"
    relation = Relation.objects.get()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        getattr(relations, decision)(net["users"]["turin"], relation)
    (told,) = mail.outbox
    assert told.to == ["official-dublin@example.org"]
    assert told.subject == f"Turin {decision.rstrip('e')}ed: “Dublin workshops” inspired by “CasaBottega”"
