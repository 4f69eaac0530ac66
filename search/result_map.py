"""The search page's map (cities.map): a marker per city of the current
results, with its number of results, from the city facet's counts (the
backends count each facet under every *other* facet's filters, so with
cities chosen, the chosen cities' counts are their results; the others are
not among the results and get no marker). Only live, public case studies
are in the index, and only live, public cities have a place: drafts and
private pages never make or count a marker. Each marker links to the same
search narrowed to its city."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.translation import gettext

from cities.map import CityMap, marker

from .backends.contract import SearchQuery, SearchResult
from .backends.facets import FacetOptions

CITY_FACET = "city"


def results_map(result: SearchResult, query: SearchQuery, options: FacetOptions,
                params: list[tuple[str, str]]) -> CityMap:
    chosen = set(query.filters.get(CITY_FACET, ()))
    places = options.city_places
    others = [(k, v) for k, v in params if k != CITY_FACET]
    markers = []
    for value in result.facets.get(CITY_FACET, ()):
        slug, count = value["value"], value["count"]
        place = places.get(slug)
        if not count or place is None or (chosen and slug not in chosen):
            continue
        url = "?" + urlencode(others + [(CITY_FACET, slug)])
        counted = "case study" if count == 1 else "case studies"
        markers.append(marker(place.title, place.latitude, place.longitude, url, count, counted))
    return CityMap(gettext("Map of the cities of these results"), "search-results", markers)
