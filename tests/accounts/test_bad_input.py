"""Bad input on the peer-account forms (POST): NUL bytes, huge integers,
wrong types, over-long values, bytes that are not UTF-8, lone surrogates and
markup, one field at a time with the others valid. Each answer is a clear 4xx
or the form with a message, never a 5xx, and writes nothing (django-axes'
record of a failed sign-in excepted: that is the lockout working)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.profiles import profile_of
from cities.roles import MODERATORS_GROUP
from tests.test_bad_input import AXES_TABLES, BAD, enc

from .conftest import PASSWORD

KINDS = {**{k: v for k, v in BAD.items() if k != "repeated"}, "markup": b"<script>alert(1)</script>"}

# form -> (URL, who is signed in, valid fields)
FORMS = {
    "signup": ("/accounts/signup/", None, {
        "display_name": "Nadia", "email": "nadia@example.org", "password1": PASSWORD, "password2": PASSWORD}),
    "login": ("/accounts/login/", None, {"login": "ana@example.org", "password": "wrong", "remember": "on",
                                         "next": "/"}),
    "password_reset": ("/accounts/password/reset/", None, {"email": "ana@example.org"}),
    "profile": ("/accounts/profile/", "peer", {
        "display_name": "Ana", "organisation": "Co-op", "role": "officer", "city": "", "languages": "en",
        "language": "en"}),
    "email_change": ("/accounts/email/", "peer", {"email": "ana.new@example.org", "action_add": ""}),
    "password_change": ("/accounts/password/change/", "peer", {
        "oldpassword": PASSWORD, "password1": "another-long-pass-77", "password2": "another-long-pass-77"}),
    "suspension": ("/admin/peer-accounts/{profile}/", "moderator", {"reason": "Spam."}),
    "logout": ("/accounts/logout/", "peer", {"next": "/"}),
}
# Fields whose value is not read (the button that names the action; where to go after signing out).
SKIP = {("email_change", "action_add"), ("logout", "next")}
# Free text, where a number or brackets are a valid value: the form is saved.
TEXT_FIELDS = {"display_name", "organisation", "role", "reason"}
VALID_AS_TEXT = {"huge_int", "wrong_type"}


def moderator(django_user_model):
    """A member of the Moderators group with access to the admin (no site tree: a faster test)."""
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user = django_user_model.objects.create_user("moderator", "moderator@example.org", "pw")
    user.groups.add(group)
    return user


def body(fields: dict, name: str, raw: bytes) -> bytes:
    parts = [f"{k}={enc(v)}" for k, v in fields.items() if k != name]
    parts.append(f"{name}={enc(raw)}")
    return "&".join(parts).encode()


def writes(queries):
    return [
        q["sql"][:120] for q in queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE")
        and not any(table in q["sql"] for table in AXES_TABLES)
        and "django_session" not in q["sql"]  # the signed-in session's own expiry
    ]


CASES = [(form, name, kind) for form, (_u, _w, fields) in FORMS.items() for name in fields for kind in KINDS
         if (form, name) not in SKIP]


@pytest.mark.parametrize("form,name,kind", CASES)
def test_bad_input_on_account_forms_is_refused_and_writes_nothing(client, peer, django_user_model, form, name, kind):
    client.raise_request_exception = False  # a crash must show up as the 500 a visitor would get
    url, who, fields = FORMS[form]
    if who:
        user = peer if who == "peer" else moderator(django_user_model)
        profile_of(user)  # made on the first request otherwise: not the bad input's doing
        client.force_login(user)
    url = url.format(profile=profile_of(peer).pk)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data=body(fields, name, KINDS[kind]),
                               content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (form, name, kind, response.status_code)
    if name in TEXT_FIELDS and kind in VALID_AS_TEXT:
        assert response.status_code == 302, (form, name, kind)
        return
    assert not writes(queries.captured_queries), (form, name, kind, writes(queries.captured_queries))
    if response.status_code == 200:
        html = response.content.decode("utf-8", "replace")
        assert 'role="alert"' in html or "help-critical" in html or "error" in html, (form, name, kind)
