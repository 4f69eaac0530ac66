"""Moderators suspend and reinstate accounts in the Wagtail admin, saying
why; a suspended account can do nothing but sign out, and cannot sign in.
Through real HTTP requests."""

import pytest
from django.urls import reverse

from accounts.models import Profile, Suspension
from accounts.profiles import profile_of
from accounts.suspension import suspend
from practices.factories import CaseStudyPageFactory

from .conftest import PASSWORD, sign_in, signed_in

LISTING = "/admin/peer-accounts/"


def account_url(profile):
    return reverse("peer_accounts:account", args=[profile.pk])


@pytest.fixture
def moderator(users):
    return users["moderator"]


def test_a_moderator_suspends_and_reinstates_a_peer_in_the_admin(client, peer, moderator):
    client.force_login(moderator)
    listing = client.get(LISTING)
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Ana Peer" in html and "ana@example.org" in html and "Active" in html
    profile = peer.profile
    assert account_url(profile) in html
    assert "Ana Peer" in client.get(LISTING + "?q=ana").content.decode()

    page = client.get(account_url(profile))
    assert page.status_code == 200 and "Suspend this account" in page.content.decode()
    response = client.post(account_url(profile), {"reason": "Posted advertising in questions."})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.is_suspended
    [event] = Suspension.objects.all()
    assert (event.action, event.by, event.reason) == ("suspended", moderator, "Posted advertising in questions.")
    assert event.at == profile.suspended_at
    assert "Suspended since" in client.get(LISTING).content.decode()
    suspended_only = client.get(LISTING + "?suspended=true").content.decode()
    active_only = client.get(LISTING + "?suspended=false").content.decode()
    assert "Ana Peer" in suspended_only and "Ana Peer" not in active_only

    page = client.get(account_url(profile)).content.decode()
    assert "Lift the suspension" in page and "Posted advertising in questions." in page
    assert client.post(account_url(profile), {"reason": "Agreed to stop."}).status_code == 302
    profile.refresh_from_db()
    assert not profile.is_suspended
    assert list(Suspension.objects.values_list("action", "reason")) == [
        ("unsuspended", "Agreed to stop."), ("suspended", "Posted advertising in questions."),
    ]


@pytest.mark.parametrize("reason,message", [
    ("", "This field is required."),
    ("   ", "This field is required."),
    ("x" * 1001, "at most 1000 characters"),
    ("<script>alert(1)</script>", "Use plain text"),
])
def test_a_suspension_needs_a_plain_reason(client, peer, moderator, reason, message):
    client.force_login(moderator)
    response = client.post(account_url(peer.profile), {"reason": reason})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Profile.objects.get(pk=peer.profile.pk).is_suspended and not Suspension.objects.exists()


def test_a_moderator_cannot_suspend_themself(client, moderator):
    client.force_login(moderator)
    response = client.post(account_url(profile_of(moderator)), {"reason": "Testing."})
    assert response.status_code == 200 and "You cannot suspend your own account." in response.content.decode()
    assert not Suspension.objects.exists()


@pytest.mark.parametrize("who", ["dublin", "peer"])
def test_only_moderators_see_or_suspend_accounts(client, peer, users, who):
    user = peer if who == "peer" else users[who]
    client.force_login(user)
    for response in (client.get(LISTING), client.get(account_url(peer.profile)),
                     client.post(account_url(peer.profile), {"reason": "Because."})):
        assert response.status_code == 302  # to the admin home (an official) or the admin's sign-in (a peer)
        assert response["Location"].startswith("/admin/")
    assert not Profile.objects.get(pk=peer.profile.pk).is_suspended and not Suspension.objects.exists()
    if who == "dublin":
        home = client.get("/admin/")
        assert home.status_code == 200 and LISTING not in home.content.decode()  # no menu item


def test_the_menu_shows_peer_accounts_to_moderators(client, moderator):
    client.force_login(moderator)
    assert LISTING in client.get("/admin/").content.decode()


@pytest.fixture
def suspended_peer(peer, moderator):
    suspend(peer.profile, moderator, "Spam.")
    return peer


@pytest.fixture
def case_study(site_tree):
    page = CaseStudyPageFactory(parent=site_tree["dublin"], title="Tool library")
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def assert_suspended_page(response):
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your account is suspended" in html
    assert f'action="{reverse("account_logout")}"' in html and ">Sign out</button>" in html
    assert "no-store" in response["Cache-Control"]


def test_a_signed_in_suspended_account_can_only_sign_out(client, peer, moderator, case_study):
    client.force_login(peer)
    assert client.get("/").status_code == 200
    suspend(peer.profile, moderator, "Spam.")
    before = (Profile.objects.get(pk=peer.profile.pk).display_name, peer.email)
    for response in (
        client.get("/"),
        client.get(case_study.url),
        client.get("/practices/?q=tool"),
        client.get("/accounts/profile/"),
        client.post("/accounts/profile/", {"display_name": "Renamed", "languages": ["en"]}),
        client.post("/accounts/email/", {"email": "other@example.org", "action_add": ""}),
        client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": "x-new-pass-99",
                                                   "password2": "x-new-pass-99"}),
        client.post("/digests/preferences/", {}),
        client.post("/api/practices/", {"q": "x"}),
        client.get("/admin/"),
    ):
        assert_suspended_page(response)
    assert (Profile.objects.get(pk=peer.profile.pk).display_name, peer.email) == before
    assert peer.emailaddress_set.count() == 1
    peer.refresh_from_db()
    assert peer.check_password(PASSWORD)

    assert client.get("/accounts/logout/").status_code == 200  # the sign-out page
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and not signed_in(client)
    assert client.get("/").status_code == 200


def test_a_suspended_official_is_stopped_in_the_admin_too(client, users, moderator, case_study):
    official = users["dublin"]
    client.force_login(official)
    suspend(profile_of(official), moderator, "Account shared with others.")
    assert_suspended_page(client.get("/admin/"))
    assert_suspended_page(client.get(f"/admin/pages/{case_study.pk}/edit/"))
    assert_suspended_page(client.post(f"/admin/pages/{case_study.pk}/edit/", {"title": "Hijacked"}))
    case_study.refresh_from_db()
    assert case_study.title == "Tool library"
    assert client.post("/admin/logout/").status_code == 302 and not signed_in(client)


def test_a_suspended_peer_is_told_at_sign_in_and_not_signed_in(client, suspended_peer):
    response = sign_in(client, "ana@example.org")
    assert response.status_code == 403 and "Your account is suspended" in response.content.decode()
    assert not signed_in(client)
    assert client.get("/accounts/profile/").status_code == 302  # to the sign-in


@pytest.mark.parametrize("url", ["/admin/login/", "/django-admin/login/"])
def test_a_suspended_official_is_told_at_the_admin_sign_in(client, users, moderator, url):
    official = users["dublin"]
    official.set_password(PASSWORD)
    official.is_staff = True
    official.save()
    suspend(profile_of(official), moderator, "Account shared with others.")
    response = client.post(url, {"username": official.username, "password": PASSWORD})
    assert response.status_code == 200 and "Your account is suspended." in response.content.decode()
    assert not signed_in(client)


def test_a_reinstated_peer_signs_in_again(client, suspended_peer, moderator):
    from accounts.suspension import unsuspend

    unsuspend(suspended_peer.profile, moderator, "Appeal accepted.")
    response = sign_in(client, "ana@example.org")
    assert response.status_code == 302 and signed_in(client)
