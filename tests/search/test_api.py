"""The JSON API and the /practices/ search page, on both backends, plus the
fallback to the database when Elasticsearch is unreachable."""

from html.parser import HTMLParser

import pytest

from .conftest import free_port

pytestmark = pytest.mark.django_db

API = "/api/practices/"


def test_api_search(engine, indexed, client):
    response = client.get(API, {"q": "social procurement", "challenge": "childcare"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["backend"] == engine.name and data["degraded"] is False and data["notice"] is None
    assert data["total"] == 1
    hit = data["results"][0]
    assert hit["title"] == "Social procurement for childcare cooperatives"
    assert hit["url"].endswith("/social-procurement-for-childcare-cooperatives/")
    assert hit["city"] == {"slug": "rotterdam", "name": "Rotterdam", "country": "NL", "country_name": "Netherlands"}
    assert {c["slug"] for c in hit["challenges"]} == {"childcare", "youth-unemployment"}
    assert "<mark>" in hit["highlights"]["summary"][0]
    challenge = data["facets"]["challenge"]
    assert challenge["label"] == "Challenge"
    childcare = next(v for v in challenge["values"] if v["value"] == "childcare")
    assert childcare == {"value": "childcare", "label": "Childcare", "count": 1, "selected": True}
    assert data["page"] == {"number": 1, "page_size": 12, "num_pages": 1, "has_next": False, "has_previous": False}


def test_api_multi_select_and_pagination(engine, indexed, client):
    data = client.get(API + "?challenge=youth-unemployment&challenge=housing&page_size=2&page=3").json()
    assert data["total"] == 5
    assert data["page"]["num_pages"] == 3 and len(data["results"]) == 1
    assert data["page"]["has_previous"] and not data["page"]["has_next"]


def test_api_empty_result_is_a_page_not_an_error(engine, indexed, client):
    response = client.get(API, {"challenge": "food-waste"})
    assert response.status_code == 200
    assert response.json()["total"] == 0 and response.json()["results"] == []


@pytest.mark.parametrize(
    "params,field,message",
    [
        ({"challenge": "no-such-challenge"}, "challenge", "unknown value 'no-such-challenge'"),
        ({"country": "ZZ"}, "country", "unknown value"),
        ({"page": "0"}, "page", "must be between 1 and 833"),
        ({"page": "-3"}, "page", "must be between 1 and 833"),
        ({"page": "two"}, "page", "whole number"),
        ({"page": "99"}, "page", "beyond the last page (1)"),
        ({"q": "x" * 10_000}, "q", "too long"),
        ({"year_from": "2019.5"}, "year_from", "whole number"),
        ({"year_to": "soon"}, "year_to", "whole number"),
        ({"year_from": "2020", "year_to": "2010"}, "year_to", "before year_from"),
        ({"page_size": "0"}, "page_size", "between 1 and 50"),
        ({"page_size": "100000"}, "page_size", "between 1 and 50"),
        ({"sort": "random"}, "sort", "must be one of"),
    ],
)
def test_api_bad_parameters_are_400_with_a_message(engine, indexed, client, params, field, message):
    response = client.get(API, params)
    assert response.status_code == 400, response.content
    assert message in response.json()["errors"][field]


def test_api_odd_but_valid_text_is_fine(engine, indexed, client):
    for text in ['"unbalanced', "AND OR NOT", "(*)", "🙂", "a" * 500, "title:procurement", "\\"]:
        assert client.get(API, {"q": text}).status_code == 200, text


def test_api_suggest(engine, indexed, client):
    response = client.get(API + "suggest/", {"q": "Youth"})
    assert response.status_code == 200
    assert "Youth guarantee through worker cooperatives" in response.json()["suggestions"]
    assert client.get(API + "suggest/", {"q": "y" * 101}).status_code == 400


def test_openapi_schema(db, client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/practices/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "challenge", "country", "city", "sector", "policy_lever", "target_group", "status",
            "start_year", "year_from", "year_to", "sort", "page", "page_size"} <= names
    assert {"200", "400"} <= set(operation["responses"])
    assert "/api/practices/suggest/" in schema["paths"]


def test_api_answers_what_the_schema_describes(engine, indexed, client):
    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]

    def fields(name):
        return set(schemas[name]["properties"])

    data = client.get(API, {"q": "procurement", "country": "NL"}).json()
    assert set(data) == fields("SearchResponse")
    assert set(data["page"]) == fields("PageInfo")
    hit = data["results"][0]
    assert set(hit) == fields("Hit")
    assert set(hit["city"]) == fields("City")
    assert set(hit["challenges"][0]) == fields("Term")
    assert set(hit["highlights"]) <= fields("Highlight")
    facet = data["facets"]["country"]
    assert set(facet) == fields("Facet")
    assert set(facet["values"][0]) == fields("FacetValue")
    errors = client.get(API, {"page": "0"}).json()
    assert set(errors) == fields("SearchError")


def test_api_reads_only(db, client):
    response = client.post(API, {"q": "procurement"})
    assert response.status_code == 405
    assert "not allowed" in response.json()["detail"]
    assert client.head(API).status_code == 200


# --- The page ---


def test_search_page(engine, indexed, client):
    response = client.get("/practices/", {"q": "childcare", "country": "NL"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Social procurement for childcare cooperatives" in html
    assert "Neighbourhood kitchens" not in html
    assert "<mark>childcare</mark>" in html
    assert 'name="country" value="NL" checked' in html
    assert "Country: Netherlands" in html  # the active filter chip
    assert "?q=childcare" in html  # removing the chip keeps the text
    assert "Secret procurement draft" not in html and "Private procurement pilot" not in html


def test_search_page_browse_and_paginate(engine, indexed, client):
    html = client.get("/practices/").content.decode()
    assert "9 case studies" in html
    assert "Turin, Italy" in html  # the shared practice card
    assert 'name="challenge" value="youth-unemployment"' in html
    assert "Youth unemployment <span class=\"facet__count\">(3)</span>" in html


def test_search_page_bad_parameters(engine, indexed, client):
    response = client.get("/practices/", {"challenge": "nope"})
    assert response.status_code == 400
    assert "unknown value" in response.content.decode()
    assert client.get("/practices/", {"page": "0"}).status_code == 400
    assert client.get("/practices/", {"page": "40"}).status_code == 404  # as before: no such page


def test_challenge_route_still_works(engine, indexed, client):
    response = client.get("/practices/challenges/youth-unemployment/")
    assert response.status_code == 200
    assert "Youth guarantee through worker cooperatives" in response.content.decode()


# --- Elasticsearch down: the database answers, and says so ---


@pytest.fixture
def es_down(settings):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.ELASTICSEARCH_INDEX = "practices-unreachable"
    return settings


def test_fallback_api(indexed, es_down, client, caplog):
    response = client.get(API, {"q": "procurement"})
    assert response.status_code == 200
    data = response.json()
    assert data["degraded"] is True and data["backend"] == "database"
    assert "less complete" in data["notice"]
    assert [r["title"] for r in data["results"]][0] == "Social procurement for childcare cooperatives"
    assert "answering from database" in caplog.text or "breaker open" in caplog.text


def test_fallback_page(indexed, es_down, client):
    response = client.get("/practices/", {"q": "procurement"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "results may be less complete" in html
    assert "Social procurement for childcare cooperatives" in html


def test_breaker_opens_and_recovers():
    from search.backends.contract import SearchBackendError
    from search.breaker import CircuitBreaker, FallbackBackend

    now = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, reset_after=10, clock=lambda: now[0])

    class Primary:
        name = "primary"
        calls = 0
        fail = True

        def suggest(self, prefix, limit=8):
            Primary.calls += 1
            if Primary.fail:
                raise SearchBackendError("down")
            return ["primary"]

    class Secondary:
        name = "secondary"

        def suggest(self, prefix, limit=8):
            return ["secondary"]

    backend = FallbackBackend(Primary(), Secondary(), breaker)
    assert backend.suggest("x") == ["secondary"] and breaker.state == "closed"
    assert backend.suggest("x") == ["secondary"] and breaker.state == "open"
    backend.suggest("x")
    assert Primary.calls == 2  # open: the primary is not even tried
    now[0] = 11
    assert breaker.state == "half-open"
    Primary.fail = False
    assert backend.suggest("x") == ["primary"] and breaker.state == "closed"


@pytest.mark.parametrize(
    "url,params,field,message",
    [
        ("/api/practices/", {"page": "9223372036854775807"}, "page", "must be between 1 and 833."),
        ("/api/practices/", {"page": "201", "page_size": "50"}, "page", "must be between 1 and 200."),
        ("/api/practices/suggest/", {"q": "co\x00op"}, "q", "must not contain NUL characters."),
        ("/api/practices/suggest/", {"q": "x" * 101}, "q", "is too long (101 characters; at most 100)."),
    ],
)
def test_bad_input_is_a_clear_400_not_a_500(db, client, url, params, field, message):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response.json() == {"errors": {field: message}}


def test_a_page_number_beyond_any_result_window_is_a_400_page(shared_catalogue, db, client):
    response = client.get("/practices/", {"page": "9223372036854775807"})
    assert response.status_code == 400
    assert "must be between 1 and 833." in response.content.decode()


# --- Throttling, the schema's truthfulness, the documentation page ---


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand (DRF throttles read `timer`)."""
    from search.throttling import APIAnonRateThrottle

    now = [1_000_000.0]
    monkeypatch.setattr(APIAnonRateThrottle, "timer", staticmethod(lambda: now[0]))
    return now


def test_api_is_throttled_per_client_and_endpoint_with_retry_after(db, client, settings, clock):
    settings.API_ANON_RATE = "3/minute"
    for _ in range(3):
        assert client.get(API).status_code == 200
    response = client.get(API, {"q": "anything"})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.json() == {"errors": {"rate": "too many requests; try again in 60 seconds."}}
    # Another address, and another endpoint, have budgets of their own.
    assert client.get(API, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert client.get(API + "suggest/", {"q": "co"}).status_code == 200
    # Without trusted proxies, a forged X-Forwarded-For changes nothing.
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    clock[0] += 45
    response = client.get(API)
    assert response.status_code == 429 and response["Retry-After"] == "15"
    clock[0] += 15
    assert client.get(API).status_code == 200  # the window has passed


def test_api_throttle_reads_the_client_behind_trusted_proxies(db, client, settings, clock):
    settings.API_ANON_RATE = "1/minute"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_suggest_is_throttled_too(db, client, settings, clock):
    settings.API_ANON_RATE = "2/second"
    assert [client.get(API + "suggest/", {"q": "co"}).status_code for _ in range(3)] == [200, 200, 429]
    clock[0] += 1
    assert client.get(API + "suggest/", {"q": "co"}).status_code == 200


def test_schema_is_throttled_too(db, client, settings, clock):
    settings.API_ANON_RATE = "1/hour"
    assert client.get("/api/schema/").status_code == 200
    response = client.get("/api/schema/")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert client.get(API).status_code == 200  # the API's budgets are its own


def test_schema_states_bounds_enums_and_repeatability(engine, indexed, client):
    from practices.models import YEAR_MAX, YEAR_MIN
    from search.backends.contract import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_QUERY_LENGTH, SORTS
    from search.params import MAX_RESULT_WINDOW, MAX_SUGGEST_LENGTH

    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"  # shown, not downloaded, by a browser
    paths = response.json()["paths"]
    assert set(paths) == {"/api/practices/", "/api/practices/suggest/", "/api/practices/{id}/exchange/", "/api/network/",
                          "/api/cities/", "/api/cities/{slug}/", "/api/peers/"}
    search = {p["name"]: p for p in paths["/api/practices/"]["get"]["parameters"]}
    assert not any(p.get("required") for p in search.values())
    assert search["page"]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_RESULT_WINDOW, "default": 1}
    assert search["page_size"]["schema"] == {
        "type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}
    for name in ("year_from", "year_to"):
        assert search[name]["schema"] == {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}
    assert search["q"]["schema"]["maxLength"] == MAX_QUERY_LENGTH
    assert search["sort"]["schema"]["enum"] == list(SORTS)
    assert search["exact"]["schema"]["enum"] == [0, 1]
    for name in ("q", "page", "page_size", "sort", "year_from", "year_to", "exact"):
        assert search[name]["schema"]["type"] != "array" and "once" in search[name]["description"]
    challenge = search["challenge"]
    assert challenge["schema"]["type"] == "array" and challenge["explode"] is True  # repeatable
    assert {"childcare", "youth-unemployment"} <= set(challenge["schema"]["items"]["enum"])
    assert search["status"]["schema"]["items"]["enum"] == ["pilot", "running", "scaled", "ended"]
    assert {"200", "400", "429"} <= set(paths["/api/practices/"]["get"]["responses"])
    (suggest_q,) = paths["/api/practices/suggest/"]["get"]["parameters"]
    assert not suggest_q.get("required") and suggest_q["schema"]["maxLength"] == MAX_SUGGEST_LENGTH
    yaml = client.get("/api/schema/", {"format": "yaml"})
    assert yaml.status_code == 200 and yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.content.startswith(b"openapi: 3")


@pytest.mark.parametrize(
    "url,field,message",
    [
        (API + "?page=1&page=2", "page", "give page once, not 2 times."),
        (API + "?sort=newest&sort=oldest&sort=newest", "sort", "give sort once, not 3 times."),
        (API + "?q=a&q=b", "q", "give q once, not 2 times."),
        (API + "?exact=true", "exact", "must be 1 (search the words as typed) or 0."),
        (API + "?q=co%00op", "q", "must not contain NUL characters."),
        (API + "suggest/?q=a&q=b", "q", "give q once, not 2 times."),
    ],
)
def test_single_valued_parameters_given_twice_are_a_400(db, client, url, field, message):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json() == {"errors": {field: message}}


def test_search_page_says_give_page_once(shared_catalogue, db, client):
    response = client.get("/practices/?page=1&page=2")
    assert response.status_code == 400
    assert "give page once, not 2 times." in response.content.decode()
    assert client.get("/practices/?challenge=a&challenge=b").status_code == 400  # unknown values, not repeated


class _Assets(HTMLParser):
    """The URLs a page loads, and what it has inline (script bodies, styles)."""

    def __init__(self):
        super().__init__()
        self.urls, self.inline = [], []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name) is not None:
                self.urls.append(attrs[name])
        if tag == "script":
            self._script = []
        if tag == "style" or "style" in attrs:
            self.inline.append(tag)

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            if "".join(self._script).strip():
                self.inline.append("script")
            self._script = None


def test_api_docs_page_is_swagger_ui_from_our_own_static_files(db, client):
    from django.contrib.staticfiles import finders

    response = client.get("/api/docs/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = _Assets()
    page.feed(response.content.decode())
    assert page.inline == []  # no inline script or style: the strict CSP holds
    assert page.urls and all(url.startswith("/") and not url.startswith("//") for url in page.urls), page.urls
    static = [url for url in page.urls if url.startswith("/static/")]
    assert any(url.endswith("swagger-ui-bundle.js") for url in static)
    for url in static:
        assert finders.find(url.removeprefix("/static/")), url
    (script,) = [url for url in page.urls if url.startswith("/api/docs/")]
    init = client.get(script)
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in init.content.decode()
