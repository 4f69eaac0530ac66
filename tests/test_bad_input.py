"""Bad input on every public URL that takes input: NUL bytes, huge integers,
wrong types, repeated parameters, over-long values, bytes that are not UTF-8
and lone surrogates. Each endpoint × each kind of bad input must answer a
clear 4xx or a sensible page, never a 5xx, and write nothing to the database
(django-axes' record of a failed sign-in excepted: that is the lockout
working). Search parameters given more than once are refused by name."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cities.memberships import preferences_token, unsubscribe_token
from cities.models import Membership
from practices.factories import (
    CaseStudyPageFactory,
    ChallengeFactory,
    WorkingGroupFactory,
    build_site_tree,
)

# Each kind of bad input as the bytes a client sends (percent-encoded on the wire).
BAD = {
    "nul": b"co\x00op",
    "huge_int": b"9223372036854775808",  # one past PostgreSQL's bigint
    "long_int": b"9" * 5000,  # past Python's int-from-string digit limit (4300)
    "wrong_type": b"[1.5e308]",
    "overlong": b"x" * 20_000,
    "not_utf8": b"\xff\xfe\xc0",
    "lone_surrogate": "\ud800".encode("utf-8", "surrogatepass"),
    "repeated": None,  # the parameter given twice (valid values each)
}

SEARCH_PARAMS = ["q", "page", "page_size", "sort", "year_from", "year_to", "exact", "challenge", "country",
                 "start_year", "has_outcomes", "adapted_elsewhere"]
SINGLE_VALUED = {"q", "page", "page_size", "sort", "year_from", "year_to", "exact"}
VALID = {"page": "1", "page_size": "12", "sort": "newest", "year_from": "2000", "year_to": "2030", "exact": "1",
         "q": "cooperative", "challenge": "youth", "country": "IE", "start_year": "2020", "has_outcomes": "true",
         "adapted_elsewhere": "yes"}

AXES_TABLES = ("axes_accessattempt", "axes_accessfailurelog", "axes_accesslog")


def enc(raw: bytes | str) -> str:
    return quote_from_bytes(raw if isinstance(raw, bytes) else raw.encode(), safe="")


def query(param: str, kind: str) -> str:
    if kind == "repeated":
        value = VALID.get(param, "1")
        return f"{param}={enc(value)}&{param}={enc(value)}"
    return f"{param}={enc(BAD[kind])}"


# endpoint name -> (method, path or path template, parameters it reads, where they go)
# where: "query" (query string), "path" (the {} in the path), "form" (a POSTed form).
ENDPOINTS = {
    "practices_page": ("GET", "/practices/", SEARCH_PARAMS, "query"),
    "challenge_page": ("GET", "/practices/challenges/youth/", ["page"], "query"),
    "challenge_slug": ("GET", "/practices/challenges/{}/", ["slug"], "path"),
    "feed": ("GET", "/practices/feed/", ["page", "q"], "query"),
    "compare": ("GET", "/practices/compare/", ["p", "q"], "query"),
    "api_search": ("GET", "/api/practices/", SEARCH_PARAMS, "query"),
    "api_suggest": ("GET", "/api/practices/suggest/", ["q"], "query"),
    "api_cities": ("GET", "/api/cities/", ["q"], "query"),
    "api_city": ("GET", "/api/cities/{}/", ["slug"], "path"),
    "api_city_query": ("GET", "/api/cities/dublin/", ["q"], "query"),
    "api_schema": ("GET", "/api/schema/", ["format", "lang"], "query"),
    "api_docs": ("GET", "/api/docs/", ["script", "q"], "query"),
    "unsubscribe_get": ("GET", "/digests/unsubscribe/{}/", ["token"], "path"),
    "unsubscribe_post": ("POST", "/digests/unsubscribe/{}/", ["token"], "path"),
    "preferences_token_get": ("GET", "/digests/preferences/{}/", ["token"], "path"),
    "preferences_token_post": ("POST", "/digests/preferences/{}/", ["token"], "path"),
    "preferences_form_post": ("POST", "/digests/preferences/{token}/", ["cadence", "join"], "form"),
    "preferences_signed_out": ("POST", "/digests/preferences/", ["cadence"], "form"),
    "sitemap": ("GET", "/sitemap.xml", ["p"], "query"),
    "robots": ("GET", "/robots.txt", ["q"], "query"),
    "map_country_outlines": ("GET", "/map/countries.geojson", ["q"], "query"),
    "home_page": ("GET", "/", ["page", "q"], "query"),
    "case_study_page": ("GET", "/cities/dublin/worker-buyouts/", ["page", "q"], "query"),
    "city_page": ("GET", "/cities/dublin/", ["page", "q"], "query"),
    "network_page": ("GET", "/network/", ["page", "q"], "query"),
    "api_network": ("GET", "/api/network/", ["q", "format"], "query"),
    # Working group pages and their shortlist forms (signed out here: sent to
    # sign in; a member's bad input is tests/groups/test_bad_input.py).
    "groups_index": ("GET", "/groups/", ["page", "q"], "query"),
    "group_page": ("GET", "/groups/recovery/", ["page", "q"], "query"),
    "group_slug": ("GET", "/groups/{}/", ["slug"], "path"),
    "group_propose": ("POST", "/groups/recovery/shortlist/propose/", ["practice"], "form"),
    "group_vote": ("POST", "/groups/recovery/shortlist/{}/vote/", ["id"], "path"),
    "group_select": ("POST", "/groups/recovery/shortlist/{}/select/", ["id"], "path"),
    "api_practice_exchange": ("GET", "/api/practices/{}/exchange/", ["id"], "path"),
    # Asking a city (signed-in peers' bad questions: tests/exchange/test_questions.py).
    "ask_question_page": ("GET", "/questions/ask/{}/", ["id"], "path"),
    "ask_question_post": ("POST", "/questions/ask/{}/", ["id"], "path"),
    "peers_page": ("GET", "/peers/", ["challenge", "city", "q"], "query"),
    "api_peers": ("GET", "/api/peers/", ["challenge", "city", "limit"], "query"),
    "admin_login": ("POST", "/admin/login/", ["username", "password", "next"], "form"),
    "django_admin_login": ("POST", "/django-admin/login/", ["username", "password", "next"], "form"),
    # Peer accounts (django-allauth): the forms' pages and the emailed links.
    # Their POSTs are tests/accounts/test_bad_input.py.
    "account_login_page": ("GET", "/accounts/login/", ["next", "login"], "query"),
    "account_signup_page": ("GET", "/accounts/signup/", ["email", "next"], "query"),
    "account_reset_page": ("GET", "/accounts/password/reset/", ["email"], "query"),
    "account_confirm_email": ("GET", "/accounts/confirm-email/{}/", ["key"], "path"),
    "account_reset_key": ("GET", "/accounts/password/reset/key/1-{}/", ["key"], "path"),
    "account_profile_page": ("GET", "/accounts/profile/", ["next"], "query"),
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A small site, built once for the module in a transaction rolled back at
    the end: a case study, a working group, a member with a signed link."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            tree = build_site_tree()
            youth = ChallengeFactory(name="Youth", slug="youth")
            CaseStudyPageFactory(parent=tree["dublin"], title="Worker buyouts", slug="worker-buyouts",
                                 challenges=[youth])
            group = WorkingGroupFactory(name="Recovery", slug="recovery")
            group.challenges.set([youth])
            group.member_cities.set([tree["dublin"]])
            group.save()
            user = get_user_model().objects.create_user("member", "member@example.org", "right-password-123")
            membership = Membership.objects.create(user=user, group=group)
            yield {"pk": membership.pk, "unsubscribe": unsubscribe_token(membership),
                   "preferences": preferences_token(membership)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def requests_for(endpoint: str, kind: str, world) -> list[tuple[str, str, bytes | None]]:
    """(method, URL, form body) for each parameter of the endpoint."""
    method, path, params, where = ENDPOINTS[endpoint]
    out = []
    for param in params:
        if where == "query":
            out.append((method, f"{path}?{query(param, kind)}", None))
        elif where == "path":
            raw = b"a" if kind == "repeated" else BAD[kind]
            url = path.format(enc(raw))
            if kind == "repeated":
                url += "?token=a&token=b"
            out.append((method, url, b"List-Unsubscribe=One-Click" if method == "POST" else None))
        else:
            url = path.format(token=world["preferences"])
            name = f"cadence_{world['pk']}" if param == "cadence" else param
            good = {"username": "member", "password": "wrong", "next": "/admin/"}
            fields = [(k, v) for k, v in good.items() if k != name] if "username" in params else []
            body = "&".join(f"{k}={enc(v)}" for k, v in fields)
            body = (body + "&" if body else "") + query(name, kind)
            out.append((method, url, body.encode()))
    return out


def writes(queries) -> list[str]:
    return [
        q["sql"][:120] for q in queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE")
        and not any(table in q["sql"] for table in AXES_TABLES)
    ]


COMBINATIONS = [(endpoint, kind) for endpoint in ENDPOINTS for kind in BAD]


@pytest.mark.parametrize("endpoint,kind", COMBINATIONS)
def test_bad_input_is_a_4xx_or_a_page_never_a_500_and_writes_nothing(world, db, client, endpoint, kind):
    client.raise_request_exception = False  # a crash must show up as the 500 a visitor would get
    failures = []
    for method, url, body in requests_for(endpoint, kind, world):
        with CaptureQueriesContext(connection) as queries:
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data=body or b"", content_type="application/x-www-form-urlencoded")
        where = (method, url[:120], response.status_code)
        if response.status_code >= 500:
            failures.append(("server error", *where))
        if written := writes(queries.captured_queries):
            failures.append(("wrote", *where, written))
        if kind == "repeated" and endpoint in ("practices_page", "api_search", "api_suggest"):
            param = url.split("?", 1)[1].split("=", 1)[0]
            page_ignores = endpoint == "practices_page" and param == "page_size"  # the page's size is fixed
            if param in SINGLE_VALUED and not page_ignores and not (
                response.status_code == 400 and f"give {param} once" in response.content.decode()
            ):
                failures.append(("repeated parameter not refused", *where))
    assert not failures, failures
