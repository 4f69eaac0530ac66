"""The permission matrix of transfers and relations, through real HTTP
requests to the admin: B's official records for B only; A's official (or a
moderator) answers; another city's official can neither see, answer, edit
nor delete (404) and nothing is written; a peer without a city records
nothing."""

import pytest
from django.urls import reverse

from exchange.models import Acceptance, Relation, Transfer
from tests.admin_helpers import denied

from .conftest import add_transfer_url, counts, form_values, record_relation, record_transfer

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Transfer.objects.order_by("pk").values()),
        list(Relation.objects.order_by("pk").values()),
    )


@pytest.fixture
def proposed(net, client):
    """Dublin's official recorded that Dublin is adapting Turin's CasaBottega,
    and that Dublin's workshops were inspired by it."""
    client.force_login(net["users"]["dublin"])
    source = net["pages"]["casabottega"]
    assert record_transfer(client, source, net["dublin"], changes="Smaller grants.").status_code == 302
    assert record_relation(client, net["pages"]["dublin_own"], source).status_code == 302
    client.logout()
    return Transfer.objects.get(), Relation.objects.get()


def urls(transfer, relation):
    return {
        "review transfer": reverse("exchange_review_transfer", args=(transfer.pk,)),
        "edit transfer": reverse("exchange_transfers:edit", args=(transfer.pk,)),
        "delete transfer": reverse("exchange_transfers:delete", args=(transfer.pk,)),
        "review relation": reverse("exchange_review_relation", args=(relation.pk,)),
        "edit relation": reverse("exchange_relations:edit", args=(relation.pk,)),
        "delete relation": reverse("exchange_relations:delete", args=(relation.pk,)),
    }


def test_an_official_records_for_their_own_city_and_it_waits_for_the_other(net, proposed, users):
    transfer, relation = proposed
    assert transfer.adopting_city_id == net["dublin"].pk and transfer.source_id == net["pages"]["casabottega"].pk
    assert transfer.acceptance == Acceptance.PENDING and transfer.recorded_by == users["dublin"]
    assert transfer.changes == "Smaller grants." and transfer.recorded_at is not None
    assert relation.acceptance == Acceptance.PENDING and relation.recorded_by == users["dublin"]


def test_another_citys_official_can_neither_see_answer_edit_nor_delete(net, proposed, client):
    transfer, relation = proposed
    before = snapshot()
    client.force_login(net["users"]["bilbao"])
    for name, url in urls(transfer, relation).items():
        assert client.get(url).status_code == 404, name
        data = {"decision": "accept", "stage": "adopted", "kind": "complements"}
        assert client.post(url, data).status_code == 404, name
    listing = client.get(reverse("exchange_transfers:index")).content.decode()
    assert "CasaBottega" not in listing
    assert "CasaBottega" not in client.get(reverse("exchange_relations:index")).content.decode()
    assert "CasaBottega" not in client.get(reverse("exchange_proposals")).content.decode()
    assert snapshot() == before


def test_the_recording_city_cannot_answer_its_own_proposal(net, proposed, client):
    transfer, relation = proposed
    before = snapshot()
    client.force_login(net["users"]["dublin"])
    for name in ("review transfer", "review relation"):
        url = urls(transfer, relation)[name]
        assert client.get(url).status_code == 200  # it sees it, without the buttons
        assert "Accept</button>" not in client.get(url).content.decode()
        assert denied(client.post(url, {"decision": "accept"})), name
    assert snapshot() == before


def test_the_source_city_answers_but_cannot_edit_or_delete(net, proposed, client):
    transfer, relation = proposed
    before = snapshot()
    client.force_login(net["users"]["turin"])
    links = urls(transfer, relation)
    for name in ("edit transfer", "delete transfer", "edit relation", "delete relation"):
        assert client.get(links[name]).status_code == 404, name
        assert client.post(links[name], {"stage": "dropped", "kind": "complements"}).status_code == 404, name
    assert snapshot() == before
    waiting = client.get(reverse("exchange_proposals")).content.decode()
    assert "Dublin adapting “CasaBottega”" in waiting
    assert "Accept</button>" in client.get(links["review transfer"]).content.decode()
    assert client.post(links["review transfer"], {"decision": "accept"}).status_code == 302
    assert client.post(links["review relation"], {"decision": "decline"}).status_code == 302
    transfer.refresh_from_db()
    relation.refresh_from_db()
    assert transfer.acceptance == Acceptance.ACCEPTED and transfer.decided_by == net["users"]["turin"]
    assert relation.acceptance == Acceptance.DECLINED and relation.decided_at is not None


def test_the_recording_city_edits_and_deletes_its_own(net, proposed, client):
    transfer, relation = proposed
    client.force_login(net["users"]["dublin"])
    links = urls(transfer, relation)
    form = client.get(links["edit transfer"])
    assert form.status_code == 200
    data = form_values(client, links["edit transfer"], stage="piloting", lessons="Artists need a year.")
    assert client.post(links["edit transfer"], data).status_code == 302
    transfer.refresh_from_db()
    assert (transfer.stage, transfer.lessons) == ("piloting", "Artists need a year.")
    data = form_values(client, links["edit relation"], kind="builds_on")
    assert client.post(links["edit relation"], data).status_code == 302
    relation.refresh_from_db()
    assert (relation.kind, relation.acceptance) == ("builds_on", Acceptance.PENDING)
    assert client.post(links["delete relation"]).status_code == 302
    assert not Relation.objects.exists()
    assert client.post(links["delete transfer"]).status_code == 302
    assert not Transfer.objects.exists()


def test_a_moderator_sees_and_answers_everything(net, proposed, client):
    transfer, relation = proposed
    client.force_login(net["users"]["moderator"])
    assert "CasaBottega" in client.get(reverse("exchange_transfers:index")).content.decode()
    links = urls(transfer, relation)
    assert client.post(links["review transfer"], {"decision": "accept"}).status_code == 302
    assert client.post(links["review relation"], {"decision": "accept"}).status_code == 302
    transfer.refresh_from_db()
    relation.refresh_from_db()
    assert transfer.is_accepted and relation.is_accepted


def test_a_peer_without_a_city_records_nothing(net, client):
    source = net["pages"]["casabottega"]
    data = {"source": source.pk, "adopting_city": net["dublin"].pk, "stage": "exploring"}
    relation = {"from_page": net["pages"]["dublin_own"].pk, "to_page": source.pk, "kind": "inspired_by"}
    # Without admin access: sent to the admin's sign-in page.
    client.force_login(net["users"]["peer"])
    for response in (client.get(add_transfer_url(source)), client.post(add_transfer_url(), data),
                     client.post(reverse("exchange_relations:add"), relation)):
        assert response.status_code == 302 and "/admin/login/" in response.url
    # With admin access but no city: refused.
    client.force_login(net["users"]["staff"])
    for response in (client.get(add_transfer_url(source)), client.post(add_transfer_url(), data),
                     client.post(reverse("exchange_relations:add"), relation),
                     client.get(reverse("exchange_proposals"))):
        assert denied(response)
    assert counts() == (0, 0)


def test_anonymous_visitors_are_sent_to_sign_in(net, client):
    response = client.post(add_transfer_url(), {"source": net["pages"]["casabottega"].pk})
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert counts() == (0, 0)


def test_the_dashboard_counts_the_proposals_waiting_for_the_officials_city(net, proposed, client):
    client.force_login(net["users"]["turin"])
    assert "Other cities recorded 2 transfers or relations" in client.get("/admin/").content.decode()
    client.force_login(net["users"]["bilbao"])
    assert "Proposals to answer</h2>" not in client.get("/admin/").content.decode()
