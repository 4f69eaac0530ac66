"""The map of cities that some public pages show beside their lists
(templates/cities/includes/map.html, drawn by static/js/city-map.js with
Leaflet): plain markers (a city, where it is, a link and an optional count)
and lines between cities, as the JSON the script reads; the tile server from
the settings (`MAP_TILE_URL`, `MAP_TILE_ATTRIBUTION`); and the country
outlines drawn when no tile server answers (`cities.country_outlines`).

The map is an enhancement: the page's list stays the primary
representation, the map's figure is hidden until the script shows it, and
it links to the list it stands for. Only what the page already shows
publicly goes in (each caller passes live, public cities)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext


@dataclass(frozen=True)
class Marker:
    """A city on the map: its name (the marker's text), where it is, the
    link the marker is and, on pages that count something per city, the
    count with what it counts ("3", "case studies")."""

    title: str
    latitude: float
    longitude: float
    url: str | None
    count: int | None = None
    counted: str = ""

    def as_json(self) -> dict:
        data = {"name": self.title, "lat": self.latitude, "lon": self.longitude, "url": self.url}
        if self.count is not None:
            data |= {"count": self.count, "counted": self.counted}
        return data


@dataclass(frozen=True)
class Line:
    """A line between two cities (a transfer on /network/), from → to."""

    start: tuple[float, float]
    end: tuple[float, float]
    label: str
    dashed: bool = False

    def as_json(self) -> dict:
        return {"from": list(self.start), "to": list(self.end), "label": self.label, "dashed": self.dashed}


@dataclass
class CityMap:
    """What one map shows. `name` is the map's accessible name; `list_id`
    the id of the page's list that it stands for (the map's caption links
    to it, with the words `list_link`)."""

    name: str
    list_id: str
    markers: list[Marker] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    # The text of the caption's link to the list.
    list_link: str = field(default_factory=lambda: gettext("The same as a list"))

    def data(self) -> dict:
        return {
            "markers": [m.as_json() for m in self.markers],
            "lines": [line.as_json() for line in self.lines],
        }


def located(latitude, longitude) -> tuple[float, float] | None:
    """(latitude, longitude) as floats, or None when a city has no coordinates."""
    if latitude is None or longitude is None:
        return None
    return float(latitude), float(longitude)


def marker(title, latitude, longitude, url, count=None, counted="") -> Marker | None:
    """A city's marker, or None when it has no coordinates (it is not drawn;
    it stays in the page's list)."""
    place = located(latitude, longitude)
    if place is None:
        return None
    return Marker(title, *place, url, count, counted)


def city_markers(cities, url=lambda city: city.url) -> list[Marker]:
    """Markers of city pages (live and public: the caller's queryset), without counts."""
    found = (marker(city.title, city.latitude, city.longitude, url(city)) for city in cities)
    return [m for m in found if m is not None]


def tile_source() -> dict:
    """The tile server's URL template and attribution, from the settings;
    an empty URL: no tiles (the country outlines only)."""
    return {
        "url": getattr(settings, "MAP_TILE_URL", ""),
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }



@dataclass(frozen=True)
class Place:
    """A live, public city where the map can show it."""

    title: str
    latitude: float
    longitude: float


def read_places() -> dict[str, Place]:
    """Every live, public city that has coordinates, by slug (one query)."""
    from .models import CityPage

    rows = CityPage.objects.live().public().canonical().order_by("title", "pk").values_list(
        "slug", "title", "latitude", "longitude"
    )
    return {
        slug: Place(title, *place)
        for slug, title, latitude, longitude in rows
        if (place := located(latitude, longitude)) is not None
    }
