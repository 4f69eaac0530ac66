"""Sign-up, sign-in, password reset and email change are throttled: sign-in
failures by django-axes (as on the admin forms: the right password does not
get in while locked out, per address and per account whichever identifier
is used), the rest by allauth's rate limits per client address and per
email address or account. Over a limit: a clear refusal, nothing written,
nothing sent."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from .conftest import PASSWORD, sign_in, sign_up, signed_in

User = get_user_model()


def test_the_right_password_is_refused_once_a_peer_is_locked_out(client, peer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "ana@example.org", "wrong")
        assert response.status_code == 200 and not signed_in(client)
        assert "The email address and/or password you specified are not correct." in response.content.decode()
    locked = sign_in(client, "ana@example.org", "wrong")
    assert locked.status_code == 429 and "Sign-in locked" in locked.content.decode()
    refused = sign_in(client, "ana@example.org")
    assert refused.status_code == 429 and not signed_in(client)
    # The same account from another address, with other letter case: still locked.
    other = sign_in(client, "ANA@Example.org", address="203.0.113.9")
    assert other.status_code == 429 and not signed_in(client)


def test_failures_on_the_admin_form_and_the_peer_form_count_for_one_account(client, peer):
    half = settings.AXES_FAILURE_LIMIT // 2
    for _ in range(half):
        client.post("/admin/login/", {"username": peer.username, "password": "wrong"}, REMOTE_ADDR="198.51.100.1")
    for i in range(settings.AXES_FAILURE_LIMIT - half):
        sign_in(client, "ana@example.org", "wrong", address=f"198.51.100.{10 + i}")
    assert sign_in(client, "ana@example.org", address="203.0.113.9").status_code == 429
    assert not signed_in(client)
    assert list(AccessAttempt.objects.values_list("username", flat=True).distinct()) == [peer.username]


def test_one_address_trying_many_accounts_is_locked_out(client, peer):
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess-{i}@example.org", "wrong")
    assert sign_in(client, "ana@example.org").status_code == 429 and not signed_in(client)
    allowed = sign_in(client, "ana@example.org", address="203.0.113.9")
    assert allowed.status_code == 302 and signed_in(client)


def test_below_the_limit_the_right_password_gets_in_and_the_lockout_ends_after_the_cool_off(client, peer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ana@example.org", "wrong")
    assert sign_in(client, "ana@example.org").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = sign_in(client, "ana@example.org")
    assert response.status_code == 302 and signed_in(client)
    assert not AccessAttempt.objects.filter(failures_since_start__gt=0, username=peer.username).exists()


def test_sign_ups_from_one_address_are_limited(client, site_tree, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    for i in range(2):
        assert sign_up(client.__class__(), email=f"peer{i}@example.org").status_code == 302
    refused = sign_up(client.__class__(), email="peer2@example.org")
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
    assert not User.objects.filter(email="peer2@example.org").exists()
    assert len(mail.outbox) == 2
    # Another address may still sign up.
    assert sign_up(client.__class__(), email="peer3@example.org", REMOTE_ADDR="203.0.113.9").status_code == 302


def test_sign_ups_naming_one_email_address_are_limited(client, peer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup_email": "2/h/key"}
    for i in range(2):  # new browsers, new client addresses
        browser = client.__class__()
        assert sign_up(browser, email="ana@example.org", REMOTE_ADDR=f"198.51.100.{i}").status_code == 302
    # The owner is told once that someone tried (allauth's cool-off per address, "confirm_email").
    assert [message.to for message in mail.outbox] == [["ana@example.org"]]
    refused = sign_up(client.__class__(), email="ANA@example.org", REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 200
    assert "Too many sign-ups with this email address" in refused.content.decode()
    assert len(mail.outbox) == 1 and User.objects.count() == 1


def test_password_resets_are_limited_per_email_address_and_per_client(client, peer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "4/h/ip,2/h/key"}
    for _i in range(2):
        response = client.post("/accounts/password/reset/", {"email": "ana@example.org"})
        assert response.status_code == 302
    assert len(mail.outbox) == 2 and "password" in mail.outbox[0].subject.lower()
    refused = client.post("/accounts/password/reset/", {"email": "ana@example.org"}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429 and len(mail.outbox) == 2
    # Per client address: two more addresses, then a refusal for a third.
    for email in ("one@example.org", "two@example.org"):
        assert client.post("/accounts/password/reset/", {"email": email}).status_code == 302
    sent = len(mail.outbox)
    refused = client.post("/accounts/password/reset/", {"email": "three@example.org"})
    assert refused.status_code == 429 and len(mail.outbox) == sent


def test_email_changes_are_limited_per_account(client, peer, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "manage_email": "100/h/ip,2/h/user"}
    client.force_login(peer)
    for i in range(2):
        response = client.post("/accounts/email/", {"email": f"ana.new{i}@example.org", "action_add": ""})
        assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["ana.new0@example.org"], ["ana.new1@example.org"]]
    refused = client.post("/accounts/email/", {"email": "ana.new2@example.org", "action_add": ""})
    assert refused.status_code == 429
    assert not EmailAddress.objects.filter(email="ana.new2@example.org").exists()
    assert len(mail.outbox) == 2
    assert User.objects.get(pk=peer.pk).email == "ana@example.org"  # unchanged until a link is followed


@pytest.mark.parametrize("url", ["/accounts/signup/", "/accounts/password/reset/"])
def test_looking_at_a_form_is_not_counted(client, site_tree, settings, url):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip", "reset_password": "1/h/ip"}
    for _ in range(3):
        assert client.get(url).status_code == 200


def test_the_throttled_password_reset_does_not_tell_whether_an_account_exists(client, peer):
    known = client.post("/accounts/password/reset/", {"email": "ana@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert PASSWORD not in mail.outbox[0].body
