"""Moderators manage the selections to scale and remove shortlist entries
in the Wagtail admin; officials and peers see neither."""

import pytest
from django.urls import reverse

from groups.models import ScaleSelection, ShortlistEntry, Vote
from groups.shortlist import record_entry

pytestmark = pytest.mark.django_db

SELECTIONS = "/admin/groups/selected-to-scale/"
ENTRIES = "/admin/groups/shortlists/"


def test_a_moderator_selects_a_practice_to_scale_in_the_admin(client, world):
    moderator = world["accounts"]["moderator"]
    client.force_login(moderator)
    assert client.get(SELECTIONS).status_code == 200
    add = reverse("groups_selections:add")
    assert client.get(add).status_code == 200
    response = client.post(add, {"practice": world["pages"]["market"].pk, "group": world["group"].pk,
                                 "note": "Chosen at the network's meeting."})
    assert response.status_code == 302, response.content.decode()[:2000]
    selection = ScaleSelection.objects.get()
    assert (selection.practice_id, selection.selected_by) == (world["pages"]["market"].pk, moderator)
    assert "Bilbao solidarity market" in client.get(SELECTIONS).content.decode()
    assert "Selected to scale" in client.get(world["pages"]["market"].url).content.decode()

    # A draft or a private page cannot be selected.
    for page in ("draft", "private"):
        response = client.post(add, {"practice": world["pages"][page].pk, "note": ""})
        assert response.status_code == 200
        assert "Choose a published, public case study" in response.content.decode()
    assert ScaleSelection.objects.count() == 1

    # Unselecting is deleting the selection.
    delete = reverse("groups_selections:delete", args=[selection.pk])
    assert client.post(delete).status_code == 302
    assert ScaleSelection.objects.count() == 0
    assert "Selected to scale" not in client.get(world["pages"]["market"].url).content.decode()


def test_a_moderator_removes_a_shortlist_entry_with_its_votes(client, world):
    entry, _ = record_entry(world["group"], world["pages"]["casabottega"], voters=[world["accounts"]["follower"]])
    client.force_login(world["accounts"]["moderator"])
    listing = client.get(ENTRIES)
    assert listing.status_code == 200 and "CasaBottega" in listing.content.decode()
    delete = reverse("groups_shortlists:delete", args=[entry.pk])
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert (ShortlistEntry.objects.count(), Vote.objects.count()) == (0, 0)
    assert "Nothing is on the shortlist yet." in client.get("/groups/local-economies/").content.decode()


@pytest.mark.parametrize("who", ["dublin", "follower"])
def test_officials_and_peers_manage_neither(client, world, who):
    entry, _ = record_entry(world["group"], world["pages"]["casabottega"])
    client.force_login(world["accounts"][who])
    for url in (SELECTIONS, ENTRIES, reverse("groups_selections:add"),
                reverse("groups_shortlists:delete", args=[entry.pk])):
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
    client.post(reverse("groups_shortlists:delete", args=[entry.pk]))
    client.post(reverse("groups_selections:add"), {"practice": world["pages"]["market"].pk})
    assert (ShortlistEntry.objects.count(), ScaleSelection.objects.count()) == (1, 0)
