"""The map of cities (cities/map.py): what each page's map shows (the JSON
its script reads), that the search page's counts per city follow the
filters, that drafts and private pages never make or count a marker, the
country outlines it falls back on, and the tile server in the CSP."""

import json
import re
from decimal import Decimal

import pytest
from wagtail.models import PageViewRestriction

from exchange.transfers import record_accepted
from practices.factories import CaseStudyPageFactory, ChallengeFactory, CityPageFactory, publish

PLACES = {"dublin": (53.3498, -6.2603), "turin": (45.0703, 7.6869), "bilbao": (43.263, -2.935)}


def place(city, slug=None):
    latitude, longitude = PLACES[slug or city.slug]
    city.latitude, city.longitude = Decimal(str(latitude)), Decimal(str(longitude))
    return publish(city)


def map_data(response):
    """The map's markers and lines, as the page gives them to its script."""
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<script id="city-map-data" type="application/json">(.*?)</script>', html, re.S)
    if not found:
        return None
    return json.loads(found.group(1))


def counts(data):
    return {m["name"]: m["count"] for m in data["markers"]}


@pytest.fixture
def mapped(site_tree):
    """Dublin, Turin and Bilbao where they are; two challenges; Dublin with
    two public case studies, Turin with one, and a draft and a private case
    study in Bilbao; a private city (Rotterdam) with a public case study."""
    dublin, turin = place(site_tree["dublin"]), place(site_tree["turin"])
    bilbao = place(CityPageFactory(parent=site_tree["cities"], title="Bilbao", slug="bilbao", country="ES"))
    housing = ChallengeFactory(name="Housing", slug="housing")
    energy = ChallengeFactory(name="Energy", slug="energy")
    published = {
        "dublin-housing": publish(CaseStudyPageFactory(parent=dublin, title="Tenants' land trust", challenges=[housing])),
        "dublin-energy": publish(CaseStudyPageFactory(parent=dublin, title="Solar estate", challenges=[energy])),
        "turin-housing": publish(CaseStudyPageFactory(parent=turin, title="Cooperative homes", challenges=[housing])),
    }
    CaseStudyPageFactory(parent=bilbao, title="Draft market", live=False, challenges=[housing])
    secret = publish(CaseStudyPageFactory(parent=bilbao, title="Private kitchens", challenges=[housing]))
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.LOGIN)
    hidden_city = place(
        CityPageFactory(parent=site_tree["cities"], title="Rotterdam", slug="rotterdam", country="NL"), "bilbao"
    )
    publish(CaseStudyPageFactory(parent=hidden_city, title="Hidden harbour", challenges=[housing]))
    PageViewRestriction.objects.create(page=hidden_city, restriction_type=PageViewRestriction.LOGIN)
    return {**site_tree, "dublin": dublin, "turin": turin, "bilbao": bilbao, "published": published}


def test_search_map_counts_the_results_per_city_and_follows_the_filters(client, mapped):
    data = map_data(client.get("/practices/"))
    assert counts(data) == {"Dublin": 2, "Turin": 1}
    dublin = next(m for m in data["markers"] if m["name"] == "Dublin")
    assert (dublin["lat"], dublin["lon"], dublin["counted"]) == (53.3498, -6.2603, "case studies")
    assert dublin["url"] == "?city=dublin"  # the same search, narrowed to Dublin

    data = map_data(client.get("/practices/?challenge=housing&sort=newest"))
    assert counts(data) == {"Dublin": 1, "Turin": 1}
    assert {m["url"] for m in data["markers"]} == {
        "?challenge=housing&sort=newest&city=dublin", "?challenge=housing&sort=newest&city=turin",
    }
    assert next(m for m in data["markers"] if m["name"] == "Turin")["counted"] == "case study"

    data = map_data(client.get("/practices/?challenge=energy"))
    assert counts(data) == {"Dublin": 1}

    # With a city chosen, the other cities are not among the results.
    assert counts(map_data(client.get("/practices/?city=turin"))) == {"Turin": 1}
    assert counts(map_data(client.get("/practices/?city=turin&city=dublin"))) == {"Dublin": 2, "Turin": 1}


def test_drafts_and_private_pages_make_no_marker_and_count_nothing(client, mapped):
    for url in ("/practices/", "/practices/?challenge=housing"):
        assert set(counts(map_data(client.get(url)))) == {"Dublin", "Turin"}, url
    # Bilbao's only case studies are a draft and a private one: no results, no map.
    assert map_data(client.get("/practices/?city=bilbao")) is None
    # Rotterdam is private: on no map.
    for url in ("/", "/network/"):
        assert "Rotterdam" not in {m["name"] for m in map_data(client.get(url))["markers"]}, url


def test_home_city_and_network_pages_show_their_cities_on_the_map(client, mapped):
    home = map_data(client.get("/"))
    assert {m["name"] for m in home["markers"]} == {"Bilbao", "Dublin", "Turin"}
    assert all("count" not in m for m in home["markers"])
    assert {m["url"] for m in home["markers"]} == {"/cities/bilbao/", "/cities/dublin/", "/cities/turin/"}

    response = client.get("/cities/turin/")
    assert '<a href="#facts-heading">Its coordinates</a>' in response.content.decode()
    city = map_data(response)
    assert city["markers"] == [
        {"name": "Turin", "lat": 45.0703, "lon": 7.6869, "url": "#practices-heading"}
    ]

    record_accepted(mapped["published"]["turin-housing"], mapped["bilbao"], stage="piloting")
    network = map_data(client.get("/network/"))
    assert {m["name"] for m in network["markers"]} == {"Bilbao", "Dublin", "Turin"}
    [line] = network["lines"]
    assert (line["from"], line["to"], line["dashed"]) == ([43.263, -2.935], [45.0703, 7.6869], False)
    assert "Bilbao adapts Turin" in line["label"]


def test_a_city_without_coordinates_has_no_map_but_stays_listed(client, site_tree):
    response = client.get("/cities/dublin/")
    assert map_data(response) is None
    assert 'class="city-map"' not in response.content.decode()
    home = client.get("/")
    assert map_data(home) is None
    assert "Dublin" in home.content.decode()


def test_the_map_is_hidden_until_its_script_runs_and_links_to_the_list(client, mapped):
    html = client.get("/practices/").content.decode()
    figure = re.search(r'<figure class="city-map"[^>]*>', html).group(0)
    assert "hidden" in figure
    assert 'role="region" aria-label="Map of the cities of these results"' in html
    assert '<a href="#search-results">The same as a list</a>' in html
    assert 'data-tile-url=""' in html  # the tests reach no tile server: the outlines only
    assert 'data-outlines-url="/map/countries.geojson"' in html
    assert "/static/leaflet/leaflet.js" in html and "/static/js/city-map.js" in html


def test_country_outlines_come_from_the_bundled_natural_earth(client, db):
    response = client.get("/map/countries.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "max-age" in response["Cache-Control"]
    outlines = json.loads(response.content)
    assert outlines["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in outlines["features"]}
    assert len(names) > 150 and {"Italy", "Ireland", "Spain", "Brazil"} <= names
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon", "GeometryCollection") for f in outlines["features"])
    assert len(response.content) < 300_000


def test_the_csp_allows_the_tile_server_only_when_one_is_set(client, db):
    from cms.settings.base import tile_origin

    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == "https://*.tiles.example.org"
    assert tile_origin("") is None
    assert tile_origin("not a url") is None
    policy = client.get("/map/countries.geojson")["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert img_src.split() == ["img-src", "'self'", "data:"]


def test_the_outlines_check_warns_when_the_package_lacks_them(monkeypatch):
    from cities import checks, country_outlines

    assert checks.map_country_outlines() == []
    monkeypatch.setattr(country_outlines, "SOURCE", ("no", "such", "file.shp"))
    assert [w.id for w in checks.map_country_outlines()] == ["cities.W002"]
