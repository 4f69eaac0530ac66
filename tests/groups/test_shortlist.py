"""The shortlist's rules through real HTTP requests: who may propose and
vote (members: followers of the group and officials of its cities), one
vote per member account per case study (a second one says so and writes
nothing), what non-members, visitors and suspended accounts get, and that
only moderators select practices to scale."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from groups.members import is_member, member_group_ids
from groups.models import ScaleSelection, ShortlistEntry, Vote
from groups.shortlist import record_entry

from .conftest import GROUP_URL, messages_of, propose_url, select_url, vote_url

pytestmark = pytest.mark.django_db


def rows():
    return ShortlistEntry.objects.count(), Vote.objects.count(), ScaleSelection.objects.count()


@pytest.fixture
def entry(world):
    return record_entry(world["group"], world["pages"]["casabottega"], proposed_by=world["accounts"]["follower"])[0]


def test_who_is_a_member(world):
    accounts, group = world["accounts"], world["group"]
    assert is_member(accounts["follower"], group)  # follows the group
    assert is_member(accounts["dublin"], group)  # an official of a member city
    assert is_member(accounts["bilbao"], group)
    assert not is_member(accounts["turin"], group)  # an official of another city
    assert not is_member(accounts["peer"], group)
    assert not is_member(accounts["moderator"], group)  # moderating is not membership
    assert not is_member(accounts["suspended"], group)  # follows it, but suspended
    assert member_group_ids(accounts["turin"]) == {world["other_group"].pk}


@pytest.mark.parametrize("who", ["follower", "dublin"])
def test_a_member_proposes_a_practice_with_the_form_on_the_page(client, world, who):
    client.force_login(world["accounts"][who])
    page = client.get(GROUP_URL).content.decode()
    assert 'name="practice"' in page and "csrfmiddlewaretoken" in page
    casabottega = world["pages"]["casabottega"]
    response = client.post(propose_url(), {"practice": casabottega.pk}, follow=True)
    assert response.redirect_chain[-1] == (GROUP_URL + "#shortlist", 303)
    assert "“CasaBottega” is on the shortlist of Local economies." in messages_of(response)
    entry = ShortlistEntry.objects.get()
    assert (entry.group, entry.practice_id, entry.proposed_by) == (world["group"], casabottega.pk,
                                                                   world["accounts"][who])
    assert "0 votes" in response.content.decode()

    # Proposing it again: a clear message, nothing written.
    response = client.post(propose_url(), {"practice": casabottega.pk}, follow=True)
    assert "“CasaBottega” is already on the shortlist of Local economies." in messages_of(response)
    assert ShortlistEntry.objects.count() == 1


@pytest.mark.parametrize("page", ["draft", "private"])
def test_drafts_and_private_pages_cannot_be_proposed(client, world, page):
    client.force_login(world["accounts"]["follower"])
    response = client.post(propose_url(), {"practice": world["pages"][page].pk}, follow=True)
    assert "Only a published, public case study can be proposed." in messages_of(response)
    assert rows() == (0, 0, 0)


@pytest.mark.parametrize("value", ["", "abc", "99999999", "١٢"])
def test_a_proposal_without_a_case_study_says_so(client, world, value):
    client.force_login(world["accounts"]["follower"])
    response = client.post(propose_url(), {"practice": value}, follow=True)
    assert response.status_code == 200
    assert "Choose a published case study to propose." in messages_of(response)
    assert rows() == (0, 0, 0)


def test_one_vote_per_member_account_per_practice(client, world, entry):
    client.force_login(world["accounts"]["dublin"])
    response = client.post(vote_url(entry), follow=True)
    assert "Your vote for “CasaBottega” is counted." in messages_of(response)
    html = response.content.decode()
    assert "1 vote" in html and "You voted for it." in html
    assert f'action="{vote_url(entry)}"' not in html  # no vote button any more

    response = client.post(vote_url(entry), follow=True)
    assert "You have already voted for “CasaBottega”: one vote per member." in messages_of(response)
    assert Vote.objects.count() == 1

    # Another member's vote counts too.
    client.force_login(world["accounts"]["follower"])
    client.post(vote_url(entry))
    assert "2 votes" in client.get(GROUP_URL).content.decode()
    assert Vote.objects.count() == 2


def test_the_database_refuses_a_second_vote(world, entry):
    Vote.objects.create(entry=entry, user=world["accounts"]["follower"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(entry=entry, user=world["accounts"]["follower"])


@pytest.mark.parametrize("who", ["turin", "peer", "moderator"])
def test_non_members_neither_propose_nor_vote(client, world, entry, who):
    client.force_login(world["accounts"][who])
    html = client.get(GROUP_URL).content.decode()
    assert 'name="practice"' not in html and f'action="{vote_url(entry)}"' not in html
    assert "Only members of the group can propose and vote" in html
    before = rows()
    for url, data in ((propose_url(), {"practice": world["pages"]["market"].pk}), (vote_url(entry), {})):
        response = client.post(url, data, follow=True)
        assert "Only members of “Local economies” can propose and vote" in messages_of(response)
    assert rows() == before


def test_visitors_are_sent_to_sign_in(client, world, entry):
    html = client.get(GROUP_URL).content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert '/accounts/login/?next=/groups/local-economies/">Sign in</a> to propose' in html
    before = rows()
    for url, data in ((propose_url(), {"practice": world["pages"]["market"].pk}), (vote_url(entry), {}),
                      (select_url(entry), {})):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/groups/local-economies/"
    assert rows() == before


def test_a_suspended_member_can_do_nothing(client, world, entry):
    client.force_login(world["accounts"]["suspended"])
    before = rows()
    for url, data in ((propose_url(), {"practice": world["pages"]["market"].pk}), (vote_url(entry), {})):
        response = client.post(url, data)
        assert response.status_code == 403 and "suspended" in response.content.decode()
    assert rows() == before


def test_the_forms_need_a_csrf_token_and_a_post(world, entry):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["accounts"]["follower"])
    assert client.post(vote_url(entry)).status_code == 403
    assert client.get(vote_url(entry)).status_code == 405
    assert Vote.objects.count() == 0
    # The page's own form carries the token: as a browser submits it.
    html = client.get(GROUP_URL).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post(vote_url(entry), {"csrfmiddlewaretoken": token}).status_code == 303
    assert Vote.objects.count() == 1


def test_an_entry_of_another_group_or_none_is_not_found(client, world, entry):
    client.force_login(world["accounts"]["follower"])
    assert client.post(vote_url(entry, slug="housing-together")).status_code == 404
    assert client.post(f"/groups/local-economies/shortlist/{entry.pk + 100}/vote/").status_code == 404
    assert client.post("/groups/no-such-group/shortlist/propose/", {"practice": 1}).status_code == 404
    assert Vote.objects.count() == 0


def test_an_entry_whose_practice_went_private_takes_no_vote(client, world, entry):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=world["pages"]["casabottega"], restriction_type="login")
    client.force_login(world["accounts"]["follower"])
    response = client.post(vote_url(entry), follow=True)
    assert "not public any more" in messages_of(response)
    assert Vote.objects.count() == 0


def test_only_moderators_select_to_scale(client, world, entry):
    client.force_login(world["accounts"]["follower"])
    assert f'action="{select_url(entry)}"' not in client.get(GROUP_URL).content.decode()
    response = client.post(select_url(entry), follow=True)
    assert "Only moderators can select a practice to scale." in messages_of(response)
    assert ScaleSelection.objects.count() == 0

    client.force_login(world["accounts"]["moderator"])
    assert f'action="{select_url(entry)}"' in client.get(GROUP_URL).content.decode()
    response = client.post(select_url(entry), follow=True)
    assert "“CasaBottega” is selected to scale, across the network." in messages_of(response)
    selection = ScaleSelection.objects.get()
    assert (selection.practice_id, selection.group, selection.selected_by) == (
        world["pages"]["casabottega"].pk, world["group"], world["accounts"]["moderator"])
    html = response.content.decode()
    assert "Selected to scale</strong>" in html and f'action="{select_url(entry)}"' not in html
    response = client.post(select_url(entry), follow=True)
    assert "“CasaBottega” is already selected to scale." in messages_of(response)
    assert ScaleSelection.objects.count() == 1
