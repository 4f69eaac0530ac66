"""Anyone signs up with an email address they must confirm before they can
sign in; the confirmation link comes by email (Django's outbox, and once
through a real SMTP server)."""

from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from accounts.models import Profile

from .conftest import PASSWORD, confirmation_link, sign_in, sign_up, signed_in

User = get_user_model()


def test_sign_up_confirm_by_the_emailed_link_then_sign_in(client, site_tree):
    response = sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert not signed_in(client)  # mandatory confirmation: not in before the link
    user = User.objects.get(email="new.peer@example.org")
    assert user.profile.display_name == "Nadia Peer"
    assert not EmailAddress.objects.get(user=user).verified

    page = client.get(response["Location"]).content.decode()
    assert "Check your email" in page and "Confirmation email sent to new.peer@example.org" in page

    [message] = mail.outbox
    assert message.to == ["new.peer@example.org"]
    assert message.subject == "[Solidarity Cities Exchange] Confirm your email address"
    link = confirmation_link(message.body)

    # Signing in before confirming sends the link again and does not sign in.
    other = client.__class__()
    assert sign_in(other, "new.peer@example.org").status_code == 302
    assert not signed_in(other)

    path = urlsplit(link).path
    confirm_page = client.get(path)
    assert confirm_page.status_code == 200
    assert "new.peer@example.org" in confirm_page.content.decode()
    assert EmailAddress.objects.get(user=user).verified is False  # a GET confirms nothing (link scanners)
    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert signed_in(client)  # the browser that signed up is signed in by the link

    home = client.get("/")
    assert "Nadia Peer" in home.content.decode() and "Sign out" in home.content.decode()

    # And with the password, in another browser.
    browser = client.__class__()
    assert sign_in(browser, "New.Peer@example.org").status_code == 302
    assert signed_in(browser)


def test_a_confirmation_link_that_is_not_valid_says_so(client, site_tree):
    response = client.get("/accounts/confirm-email/not-a-key/")
    assert response.status_code == 200
    assert "expired or is not valid" in response.content.decode()


def test_the_sign_up_asks_no_user_name(client, site_tree):
    html = client.get("/accounts/signup/").content.decode()
    assert 'name="username"' not in html
    for name in ("display_name", "email", "password1", "password2"):
        assert f'name="{name}"' in html
    assert '<label for="id_email">' in html and 'aria-labelledby="sign-up-heading"' in html


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": "a@b"}, "email", "Enter a valid email address."),
        ({"password1": "password", "password2": "password"}, "password1", "This password is too common."),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "entirely numeric"),
        ({"password1": "short", "password2": "short"}, "password1", "at least"),
        ({"password2": "something-else-entirely-9"}, "password2", "the same password"),
        ({"display_name": "<b>Boss</b>"}, "display_name", "Use plain text"),
        ({"display_name": "x" * 81}, "display_name", "at most 80 characters"),
        ({"display_name": ""}, "display_name", "This field is required."),
    ],
)
def test_bad_sign_up_input_is_a_clear_message_and_writes_nothing(client, site_tree, overrides, field, message):
    data = {"display_name": "Nadia", "email": "nadia@example.org", "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'"), html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert not User.objects.exists() and not Profile.objects.exists() and not EmailAddress.objects.exists()
    assert not mail.outbox


def test_an_address_already_in_use_gets_no_second_account(client, site_tree, peer):
    response = sign_up(client, email="ANA@example.org")
    # The same answer as a new sign-up (no account enumeration), and an email to the owner.
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert User.objects.count() == 1
    [message] = mail.outbox
    assert message.to == ["ana@example.org"] and "already" in message.body


def test_sign_up_end_to_end_through_a_real_smtp_server(client, site_tree, smtp_settings):
    sink = smtp_settings
    assert sign_up(client, email="sink.peer@example.org").status_code == 302
    [received] = sink.to("sink.peer@example.org")
    message = received.message
    assert message["Subject"] == "[Solidarity Cities Exchange] Confirm your email address"
    assert "Solidarity Cities Exchange" in message["From"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    path = urlsplit(confirmation_link(body)).path
    assert client.post(path).status_code == 302
    assert EmailAddress.objects.get(email="sink.peer@example.org").verified
    assert "Nadia Peer" in client.get("/").content.decode()
    assert sink.count() == 1
