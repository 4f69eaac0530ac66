"""Fuzzing: schemathesis against the API's own OpenAPI schema (served by the
app, in-process through WSGI: the practice search and suggestions, the
cities and one city), and hypothesis throwing hostile query strings
at the /practices/ page. Marked `fuzz`: `pytest -m "not fuzz"` leaves them out."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from search import schema as search_schema
from search.params import SINGLE_VALUED

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES_PER_OPERATION = 60


@pytest.fixture(scope="module", params=["database"])
def engine(request, shared_catalogue, django_db_blocker):
    """The catalogue of tests/search/conftest.py, on the database backend
    (the contract suite runs both backends; here the API is what is fuzzed)."""
    from .conftest import make_engine

    yield from make_engine(request.param, request, django_db_blocker)


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, whose requests share the test's
    database connection: as Django's test client does, the connection is
    not closed at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def city_challenges(indexed):
    """The catalogue's cities work on its challenges (for /api/cities/), one
    with a note and a year."""
    from cities.models import CityChallenge, CityPage
    from practices.models import Challenge

    challenges = list(Challenge.objects.all()[:3])
    for n, city in enumerate(CityPage.objects.all()):
        CityChallenge.objects.bulk_create(
            CityChallenge(page=city, challenge=c, note="A note." if i == n else "", since=2020 if i == n else None,
                          sort_order=i)
            for i, c in enumerate(challenges)
        )


@pytest.fixture
def api_schema(request, engine, indexed, city_challenges, settings, wsgi_app):
    # schemathesis 4.32's pytest loader reads and renames `node._nodeid`,
    # which pytest 9.2 no longer has: give it one.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    settings.API_ANON_RATE = "1000000/second"  # fuzzing is not what the throttle is for
    return schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)


schema = schemathesis.pytest.from_fixture("api_schema")

# The rules between parameters, or between a parameter and the data, that
# OpenAPI cannot state (the parameters' descriptions say them): a 400 for
# breaking one of them is right even when each value is valid on its own.
CROSS_PARAMETER_RULES = {
    "year_to": lambda message: message == "must not be before year_from.",
    # page x page_size within the result window; a page past the last one.
    "page": lambda message: message.startswith("must be between 1 and ") or "beyond the last page" in message,
    # /api/peers/ needs a challenge or a city.
    "challenge": lambda message: message == "give a challenge or a city (or both).",
}


def breaks_only_cross_parameter_rules(response) -> bool:
    if response.status_code != 400:
        return False
    errors = response.json().get("errors") or {}
    return bool(errors) and all(
        name in CROSS_PARAMETER_RULES and CROSS_PARAMETER_RULES[name](message) for name, message in errors.items()
    )


def positive_data_acceptance_but_cross_parameter_rules(ctx, response, case):
    """schemathesis' `positive_data_acceptance`, except for a 400 that names
    only the rules of CROSS_PARAMETER_RULES."""
    if breaks_only_cross_parameter_rules(response):
        return None
    return positive_data_acceptance(ctx, response, case)


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case):
    """Every check schemathesis has (5xx, status codes, content types,
    response schemas and headers, valid data accepted, invalid data refused,
    unsupported methods...), on the schema's examples, its boundaries and
    random cases."""
    case.call_and_validate(
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_acceptance_but_cross_parameter_rules],
    )


# --- Hostile query strings at the search page ---

# Injected markup that must never come back unescaped.
MARKERS = [
    "<script>x</script>",
    '"><svg onload=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><b>x</b>",
]
PAGE_PARAMS = [*SINGLE_VALUED, *search_schema.FACETS]


hostile_values = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None), max_size=20),  # any code point, lone surrogates included
    st.sampled_from(MARKERS),
    st.tuples(st.text(max_size=10), st.sampled_from(MARKERS), st.text(max_size=10)).map("".join),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["\x00", "co\x00op", "9223372036854775808", "9" * 5000, "1e309", "NaN", "-0", "0x10", " 1 "]),
    st.integers(min_value=500, max_value=20_000).map(lambda n: "x" * n),
)
hostile_names = st.one_of(st.sampled_from(PAGE_PARAMS), st.text(max_size=12))
hostile_queries = st.lists(st.tuples(hostile_names, hostile_values), max_size=6)


def encode_query(pairs) -> str:
    """Percent-encoded, as a client would send it; lone surrogates are sent
    as the (invalid UTF-8) bytes they would encode to."""

    def enc(text: str) -> str:
        return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{enc(name)}={enc(value)}" for name, value in pairs)


@given(pairs=hostile_queries)
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_search_page_survives_hostile_query_strings(engine, indexed, client, pairs):
    client.raise_request_exception = False  # a crash must show as the 500 a visitor would get
    response = client.get("/practices/?" + encode_query(pairs))
    assert response.status_code in (200, 400, 404), response.status_code
    html = response.content.decode()
    for marker in MARKERS:
        if any(marker in value or marker in name for name, value in pairs):
            assert marker not in html, marker
