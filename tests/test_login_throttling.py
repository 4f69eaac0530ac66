"""Sign-in throttling on every login form (django-axes): after the failure
limit, from one address or for one user name, the right password does not
get in either, until the cool-off passes or a moderator lifts the lockout."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

LOGIN_FORMS = ["/admin/login/", "/django-admin/login/"]


def sign_in(client, url, username, password, address="198.51.100.7"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def official(users):
    user = users["dublin"]
    user.set_password("correct horse battery staple")
    user.is_staff = True  # so that the Django admin's form would let them in too
    user.save()
    return user


@pytest.mark.parametrize("url", LOGIN_FORMS)
def test_the_right_password_is_refused_once_a_user_is_locked_out(client, official, url):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, url, official.username, "wrong").status_code == 200  # the form, with an error
        assert not signed_in(client)
    assert sign_in(client, url, official.username, "wrong").status_code == 429  # the limit: locked out
    refused = sign_in(client, url, official.username, "correct horse battery staple")
    assert refused.status_code == 429
    assert not signed_in(client)
    # Locked for the user name from another address too.
    other = sign_in(client, url, official.username, "correct horse battery staple", address="203.0.113.9")
    assert other.status_code == 429 and not signed_in(client)


def test_one_address_trying_many_names_is_locked_out(client, official):
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/admin/login/", f"guess-{i}", "wrong")
    refused = sign_in(client, "/admin/login/", official.username, "correct horse battery staple")
    assert refused.status_code == 429 and not signed_in(client)
    # Another address is not locked out.
    allowed = sign_in(client, "/admin/login/", official.username, "correct horse battery staple", address="203.0.113.9")
    assert allowed.status_code == 302 and signed_in(client)


def test_below_the_limit_the_right_password_gets_in_and_resets_the_count(client, official):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "/admin/login/", official.username, "wrong")
    response = sign_in(client, "/admin/login/", official.username, "correct horse battery staple")
    assert response.status_code == 302 and signed_in(client)
    assert not AccessAttempt.objects.filter(username=official.username, failures_since_start__gt=0).exists()


def test_the_lockout_ends_after_the_cool_off(client, official):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/admin/login/", official.username, "wrong")
    assert sign_in(client, "/admin/login/", official.username, "correct horse battery staple").status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
                                 - timedelta(seconds=1))
    response = sign_in(client, "/admin/login/", official.username, "correct horse battery staple")
    assert response.status_code == 302 and signed_in(client)


def test_a_moderator_lifts_a_lockout_in_the_admin(client, official, users):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "/admin/login/", official.username, "wrong")
    attempt = AccessAttempt.objects.get(username=official.username)

    moderator = users["moderator"]
    client.force_login(moderator)
    listing = client.get(reverse("wagtailsnippets_axes_accessattempt:list"))
    assert listing.status_code == 200 and official.username in listing.content.decode()
    delete_url = reverse("wagtailsnippets_axes_accessattempt:delete", args=[attempt.pk])
    assert client.post(delete_url).status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    client.logout()

    response = sign_in(client, "/admin/login/", official.username, "correct horse battery staple")
    assert response.status_code == 302 and signed_in(client)


def test_an_official_cannot_see_or_lift_lockouts(client, users):
    AccessAttempt.objects.create(username="someone", ip_address="198.51.100.7", failures_since_start=9,
                                 user_agent="test", path_info="/admin/login/", get_data="", post_data="")
    client.force_login(users["turin"])
    response = client.get(reverse("wagtailsnippets_axes_accessattempt:list"))
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    assert AccessAttempt.objects.filter(username="someone").exists()
    assert get_user_model().objects.filter(username=users["turin"].username).exists()


@pytest.mark.parametrize(
    "proxies,forwarded,expected",
    [
        (0, "203.0.113.1", "10.0.0.2"),  # facing the clients: X-Forwarded-For is the client's own claim
        (1, "203.0.113.1", "203.0.113.1"),  # one proxy: the address it received the request from
        (1, "1.2.3.4, 203.0.113.1", "203.0.113.1"),  # a forged entry on the left is ignored
        (2, "203.0.113.1", "10.0.0.2"),  # fewer entries than proxies: the nearest peer
    ],
)
def test_the_throttled_address_is_the_one_the_trusted_proxies_saw(settings, rf, proxies, forwarded, expected):
    from accounts.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/admin/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
