"""A peer resets a forgotten password through the emailed link, and changes
their email address (the new one confirmed by its link, the old one told)."""

import re
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from .conftest import PASSWORD, confirmation_link, sign_in, signed_in

NEW_PASSWORD = "a-brand-new-password-77"


def test_reset_a_forgotten_password_by_the_emailed_link(client, peer):
    response = client.post("/accounts/password/reset/", {"email": "ana@example.org"})
    assert response.status_code == 302
    assert "Check your email" in client.get(response["Location"]).content.decode()
    [message] = mail.outbox
    assert message.to == ["ana@example.org"]
    [link] = re.findall(r"https?://\S+/accounts/password/reset/key/\S+/", message.body)
    form = client.get(urlsplit(link).path, follow=True)
    assert "Choose a new password" in form.content.decode()
    action = form.redirect_chain[-1][0] if form.redirect_chain else urlsplit(link).path
    # A password the validators refuse: a message, nothing changed.
    refused = client.post(action, {"password1": "12345678", "password2": "12345678"})
    assert refused.status_code == 200 and "entirely numeric" in refused.content.decode()
    assert get_user_model().objects.get(pk=peer.pk).check_password(PASSWORD)
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert get_user_model().objects.get(pk=peer.pk).check_password(NEW_PASSWORD)
    assert "Your password is changed" in client.get(done["Location"]).content.decode()
    assert "not valid" in client.get(urlsplit(link).path, follow=True).content.decode()  # used once
    assert sign_in(client, "ana@example.org", NEW_PASSWORD).status_code == 302 and signed_in(client)


def test_change_the_email_address(client, peer):
    client.force_login(peer)
    page = client.get("/accounts/email/").content.decode()
    assert "ana@example.org" in page and 'for="id_email">New email address</label>' in page
    response = client.post("/accounts/email/", {"email": "ana.new@example.org", "action_add": ""})
    assert response.status_code == 302
    page = client.get("/accounts/email/").content.decode()
    assert "ana.new@example.org" in page and "waiting for you to follow the link" in page
    [message] = mail.outbox
    assert message.to == ["ana.new@example.org"]
    peer.refresh_from_db()
    assert peer.email == "ana@example.org"  # not before the link

    assert client.post(urlsplit(confirmation_link(message.body)).path).status_code == 302
    peer.refresh_from_db()
    assert peer.email == "ana.new@example.org"
    assert list(EmailAddress.objects.filter(user=peer).values_list("email", "verified", "primary")) == [
        ("ana.new@example.org", True, True)]
    assert [m.to for m in mail.outbox[1:]] == [["ana@example.org"]]  # the old address is told
    assert sign_in(client.__class__(), "ana.new@example.org").status_code == 302


def test_an_invalid_new_address_is_refused(client, peer, django_user_model):
    client.force_login(peer)
    for bad, message in (("not-an-address", "Enter a valid email address."),
                         ("x" * 400 + "@example.org", "Ensure this value has at most 320 characters")):
        response = client.post("/accounts/email/", {"email": bad, "action_add": ""})
        assert response.status_code == 200 and message in response.content.decode()
    assert EmailAddress.objects.filter(user=peer).count() == 1 and not mail.outbox


def test_change_the_password(client, peer):
    client.force_login(peer)
    page = client.get("/accounts/password/change/").content.decode()
    assert '<label for="id_oldpassword">Current password</label>' in page
    wrong = client.post("/accounts/password/change/", {
        "oldpassword": "not-my-password", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert wrong.status_code == 200 and 'aria-invalid="true"' in wrong.content.decode()
    assert get_user_model().objects.get(pk=peer.pk).check_password(PASSWORD)
    done = client.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert get_user_model().objects.get(pk=peer.pk).check_password(NEW_PASSWORD)
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]  # told of the change
    assert "password" in mail.outbox[0].subject.lower()
