"""What the public pages show of the exchange: B's side at once, A's side
once accepted; declined nowhere; "Adapted by N cities" counts accepted
transfers by public cities, dropped ones not; no link to a draft or a
private page; the "Record that your city is adapting this" link for
officials of other cities only; and, with the page cache on, an answer
shows on the next request."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from wagtail.models import PageViewRestriction

from exchange import relations, transfers
from exchange.adoption import adapted_by_counts
from exchange.models import Relation, Transfer

pytestmark = pytest.mark.django_db

RECORD_LINK = "Record that your city is adapting this"


def html(client, page):
    response = client.get(page.url if hasattr(page, "url") else page)
    assert response.status_code == 200
    return response.content.decode()


def propose(user, source, city, **values):
    return transfers.propose(user, Transfer(source=source, adopting_city=city, **values))


def test_a_transfer_shows_on_b_at_once_and_on_a_once_accepted(net, client):
    users, pages = net["users"], net["pages"]
    transfer = propose(users["dublin"], pages["casabottega"], net["dublin"], stage="piloting",
                       started=dt.date(2025, 3, 1), changes="Vacant offices, not shops.",
                       lessons="Artists need a year to settle.", own_case_study=pages["dublin_own"])
    dublin = html(client, net["dublin"])
    assert "Practices Dublin is adapting" in dublin and "CasaBottega" in dublin
    assert "Waiting for Turin to confirm." in dublin
    own = html(client, pages["dublin_own"])
    assert "Dublin is adapting" in own and "Waiting for Turin to confirm." in own
    source = html(client, pages["casabottega"])
    assert "Cities adapting this practice" not in source and "Vacant offices" not in source
    assert "No other city yet" in source

    transfers.accept(users["turin"], transfer)
    source = html(client, pages["casabottega"])
    assert "Cities adapting this practice" in source and "Adapted by 1 city." in source
    assert "Stage: <strong>Piloting</strong>, since 1 March 2025" in source
    assert "Vacant offices, not shops." in source and "Artists need a year to settle." in source
    assert f'<a href="{pages["dublin_own"].url}">Dublin workshops</a>' in source
    assert "Waiting for Turin" not in html(client, net["dublin"])


def test_a_declined_transfer_shows_nowhere(net, client):
    users, pages = net["users"], net["pages"]
    transfer = propose(users["dublin"], pages["casabottega"], net["dublin"])
    transfers.decline(users["turin"], transfer)
    assert "CasaBottega" not in html(client, net["dublin"])
    assert "Cities adapting this practice" not in html(client, pages["casabottega"])


def test_adapted_by_counts_accepted_transfers_by_public_cities_except_dropped(net, client):
    users, pages = net["users"], net["pages"]
    moderator = users["moderator"]
    source = pages["casabottega"]
    propose(moderator, source, net["dublin"], stage="adopted")  # a moderator's: accepted at once
    propose(moderator, source, net["bilbao"], stage="dropped")
    assert adapted_by_counts([source.pk]) == {source.pk: 1}
    page = html(client, source)
    assert "Adapted by 1 city (cities that dropped it are listed, not counted)." in page
    assert 'class="adapted-by">1 city<' in page and "Bilbao" in page

    PageViewRestriction.objects.create(page=net["dublin"], restriction_type=PageViewRestriction.LOGIN)
    assert adapted_by_counts([source.pk]) == {}
    page = html(client, source)
    assert ">Dublin<" not in page and "No other city yet" in page


def test_the_own_case_study_is_linked_only_when_public(net, client):
    users, pages = net["users"], net["pages"]
    propose(users["moderator"], pages["casabottega"], net["dublin"], own_case_study=pages["dublin_draft"])
    page = html(client, pages["casabottega"])
    assert "Dublin" in page and "Dublin draft version" not in page


def test_relations_show_with_their_inverse_on_the_other_page(net, client):
    users, pages = net["users"], net["pages"]
    own, source = pages["dublin_own"], pages["casabottega"]
    relation = relations.propose(users["dublin"], Relation(from_page=own, to_page=source, kind="builds_on"))
    assert (f'Builds on:</span> <a href="{source.url}" lang="en">CasaBottega</a> (Turin) '
            '<span class="status-note">(waiting for Turin to confirm)') in html(client, own)
    assert "Built on by" not in html(client, source)
    relations.accept(users["turin"], relation)
    assert f'Built on by:</span> <a href="{own.url}" lang="en">Dublin workshops</a> (Dublin)' in html(client, source)
    assert "waiting for Turin" not in html(client, own)
    # The kind changed by Dublin: Turin is asked again.
    relations.update(users["dublin"], relation, kind="complements")
    relation.refresh_from_db()
    assert relation.is_pending
    assert "Complemented by" not in html(client, source)


def test_relations_to_pages_that_are_no_longer_public_are_not_shown(net, client):
    users, pages = net["users"], net["pages"]
    own, other = pages["dublin_own"], pages["turin_other"]
    relations.propose(users["moderator"], Relation(from_page=own, to_page=other, kind="inspired_by"))
    assert "Turin housing" in html(client, own)
    other.unpublish()
    assert "Turin housing" not in html(client, own)


def test_the_record_link_is_for_officials_of_other_cities(net, client):
    source = net["pages"]["casabottega"]
    assert RECORD_LINK not in html(client, source)
    client.force_login(net["users"]["peer"])
    assert RECORD_LINK not in html(client, source)
    client.force_login(net["users"]["turin"])  # its own city's case study
    assert RECORD_LINK not in html(client, source)
    client.force_login(net["users"]["dublin"])
    page = html(client, source)
    link = reverse("exchange_transfers:add") + f"?source={source.pk}"
    assert f'<a href="{link}">{RECORD_LINK}</a>' in page
    form = client.get(link)
    assert form.status_code == 200 and form.context["form"].initial["source"] == source.pk


@override_settings(PAGE_FRAGMENT_SECONDS=60)
def test_with_the_page_cache_an_answer_shows_on_the_next_request(net, client):
    users, pages = net["users"], net["pages"]
    source = pages["casabottega"]
    transfer = propose(users["dublin"], source, net["dublin"], lessons="Start small.")
    for url in (source.url, net["dublin"].url, "/network/"):
        client.get(url)  # cached (whole page for anonymous visitors, fragments)
    assert "Start small." not in html(client, source)
    transfers.accept(users["turin"], transfer)
    assert "Start small." in html(client, source)
    assert "Dublin adapts Turin&#x27;s CasaBottega" in html(client, "/network/")
    transfers.update(users["dublin"], transfer, lessons="Start smaller.")
    assert "Start smaller." in html(client, source)
    transfers.remove(users["dublin"], transfer)
    assert "Start smaller." not in html(client, source)
    assert "CasaBottega" not in html(client, net["dublin"])
    assert "Dublin adapts" not in html(client, "/network/")


def test_a_page_not_saved_yet_shows_no_exchange(net):
    """(The preview of a case study or a city being created.)"""
    from exchange.display import CaseStudyExchange, CityExchange
    from practices.models import CaseStudyPage

    new = CaseStudyExchange(CaseStudyPage(title="Not saved"))
    assert (new.adaptations, new.adapts, new.relations, new.adapted_by) == ([], [], [], 0)
    assert CityExchange(type(net["dublin"])(title="Not saved")).adapting == []
