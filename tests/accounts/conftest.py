"""Peer accounts: a verified peer without a city role, and helpers for the
sign-up, confirmation and sign-in flows as a browser would post them."""

import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import Profile

PASSWORD = "a-long-peer-password-42"
LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/")


def make_peer(django_user_model, email, display_name="Ana Peer", password=PASSWORD, **profile):
    user = django_user_model.objects.create_user(username=email.split("@")[0], email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    Profile.objects.create(user=user, display_name=display_name, **profile)
    return user


@pytest.fixture
def peer(db, django_user_model):
    """A peer with a confirmed email address and a profile, in no group."""
    return make_peer(django_user_model, "ana@example.org")


def sign_up(client, email="new.peer@example.org", display_name="Nadia Peer", password=PASSWORD, language="", **extra):
    """Sign up on the sign-up page in `language` (its URL prefix; English by default)."""
    data = {"display_name": display_name, "email": email, "password1": password, "password2": password}
    data.update(extra.pop("data", {}))
    prefix = f"/{language}" if language else ""
    return client.post(f"{prefix}/accounts/signup/", data, **extra)


def sign_in(client, login, password=PASSWORD, address="198.51.100.7"):
    return client.post("/accounts/login/", {"login": login, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


def confirmation_link(body: str) -> str:
    match = LINK.search(body)
    assert match, body
    return match.group(0)
