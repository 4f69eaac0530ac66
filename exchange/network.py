"""The network of cities and the transfers between them (`/network/`, and
`/api/network/`): every live, public city, and every accepted transfer
between two of them whose case study is live and public, drawn from the
adopting city to the source city.

`read_network()` reads it in a fixed number of queries whatever its size
(the cities, the transfers; the view restrictions once per request), as
plain rows (no model instance; URLs from the stored `url_path`s): the page
writes its repeated markup from them (`exchange.network_markup`);
`layout()` places it for the SVG graph, deterministically: the cities on a
circle in alphabetical order, starting at the top, clockwise."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.utils import translation
from django.utils.translation import gettext_lazy

from cities.map import located
from cities.models import CityPage
from cities.page_urls import HitUrls
from cities.visibility import is_public, private_q

from .models import Acceptance, Stage, Transfer

WIDTH, HEIGHT = 800, 640
CENTRE = (WIDTH / 2, HEIGHT / 2)
RADIUS = 230
LABEL_GAP = 12
MAX_LABELLED = 60  # more cities than this: no text labels on the circle (the list has them)
STAGE_LABELS = dict(Stage.choices)
# Translators: a practice in a line of the network map, with its transfer's stage, e.g. "Rikx (piloting)".
TITLE_AND_STAGE = gettext_lazy("%(title)s (%(stage)s)")
# Translators: a line on the network map, e.g. "Bilbao adapts Warsaw's Social procurement (piloting)".
ADAPTS = gettext_lazy("%(city)s adapts %(source)s's %(titles)s")
_translated: dict[tuple[str, int], str] = {}


def translated(message) -> str:
    """`message` (a lazy translation of this module) in the active language,
    translated once per language and process: the network repeats a few
    messages over thousands of transfers."""
    key = (translation.get_language(), id(message))
    found = _translated.get(key)
    if found is None:
        found = _translated[key] = str(message)
    return found


@dataclass
class NetworkCity:
    pk: int
    title: str
    slug: str
    country: str
    url: str | None
    place: tuple[float, float] | None = None  # (latitude, longitude), for the map
    adapting: int = 0  # transfers it records (outgoing)
    adapted: int = 0  # transfers of its case studies (incoming)
    x: float = 0.0
    y: float = 0.0
    radius: float = 0.0
    hit_radius: float = 0.0  # of the link over the circle
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"


@dataclass(frozen=True)
class Link:
    """A case study, as the network shows it."""

    pk: int
    title: str
    url: str | None


@dataclass
class NetworkTransfer:
    pk: int
    adopting: NetworkCity
    source_city: NetworkCity
    source: Link  # the case study adapted
    stage: str
    started: date | None
    shown_own_case_study: Link | None  # the adopting city's own case study, when public

    @property
    def stage_label(self) -> str:
        label = STAGE_LABELS.get(self.stage)
        return translated(label) if label is not None else self.stage


@dataclass
class Edge:
    """All the transfers from one city to another, as one arrow."""

    adopting: NetworkCity
    source: NetworkCity
    transfers: list[NetworkTransfer] = field(default_factory=list)
    x1: float = 0.0
    y1: float = 0.0
    x2: float = 0.0
    y2: float = 0.0

    @property
    def dropped(self) -> bool:
        """Every transfer of the arrow was dropped (drawn dashed)."""
        return all(t.stage == Stage.DROPPED for t in self.transfers)

    @property
    def width(self) -> float:
        return min(1.5 + len(self.transfers) - 1, 5)

    @property
    def description(self) -> str:
        pattern = translated(TITLE_AND_STAGE)
        titles = "; ".join(pattern % {"title": t.source.title, "stage": t.stage_label.lower()} for t in self.transfers)
        return translated(ADAPTS) % {
            "city": self.adopting.title, "source": self.source.title, "titles": titles,
        }


@dataclass
class Network:
    cities: list[NetworkCity]
    transfers: list[NetworkTransfer]
    edges: list[Edge] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    labelled: bool = True


@dataclass(frozen=True)
class _Visible:  # what cities.visibility.is_public reads
    live: bool
    path: str


TRANSFER_FIELDS = (
    "pk", "adopting_city_id", "source_id", "source__title", "source__url_path", "source__city_id", "stage",
    "started", "own_case_study_id", "own_case_study__title", "own_case_study__url_path", "own_case_study__live",
    "own_case_study__path",
)


def _transfers(cities: dict[int, NetworkCity], urls: HitUrls) -> list[NetworkTransfer]:
    rows = (
        Transfer.objects.filter(acceptance=Acceptance.ACCEPTED, source__live=True)
        .exclude(private_q("source__"))
        .order_by()
        .values_list(*TRANSFER_FIELDS)
    )
    shown = []
    for (pk, adopting, source_id, source_title, source_path, source_city, stage, started, own_id, own_title,
         own_path, own_live, own_tree_path) in rows:
        if adopting not in cities or source_city not in cities:
            continue
        own = None
        if own_id is not None and is_public(_Visible(own_live, own_tree_path)):
            own = Link(own_id, own_title, urls(own_path))
        shown.append(NetworkTransfer(
            pk=pk, adopting=cities[adopting], source_city=cities[source_city],
            source=Link(source_id, source_title, urls(source_path)), stage=stage, started=started,
            shown_own_case_study=own,
        ))
    order = {pk: i for i, pk in enumerate(cities)}  # the cities' order: the database's, by title
    shown.sort(key=lambda t: (order[t.adopting.pk], t.source.title, t.pk))
    return shown


def read_network() -> Network:
    urls = HitUrls()
    rows = CityPage.objects.live().public().canonical().order_by("title", "pk").values_list(
        "pk", "title", "slug", "country", "url_path", "latitude", "longitude"
    )
    cities = {
        pk: NetworkCity(pk=pk, title=title, slug=slug, country=country or "", url=urls(url_path),
                        place=located(latitude, longitude))
        for pk, title, slug, country, url_path, latitude, longitude in rows
    }
    transfers = _transfers(cities, urls)
    edges: dict[tuple[int, int], Edge] = {}
    for transfer in transfers:
        adopting, source = transfer.adopting, transfer.source_city
        adopting.adapting += 1
        source.adapted += 1
        edge = edges.setdefault((adopting.pk, source.pk), Edge(adopting, source))
        edge.transfers.append(transfer)
    network = Network(cities=list(cities.values()), transfers=transfers, edges=list(edges.values()))
    layout(network)
    return network


def layout(network: Network) -> Network:
    """Cities on a circle (alphabetical, clockwise from the top), labels
    outside it, arrows between the rims of the nodes; an arrow with one in
    the other direction is moved aside so that both show."""
    count = len(network.cities)
    network.labelled = count <= MAX_LABELLED
    cx, cy = CENTRE
    node = 8.0 if count <= 24 else max(2.0, min(8.0, math.pi * RADIUS / max(count, 1) * 0.4))
    for index, city in enumerate(network.cities):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        cos, sin = math.cos(angle), math.sin(angle)
        city.x, city.y, city.radius = round(cx + RADIUS * cos, 1), round(cy + RADIUS * sin, 1), round(node, 1)
        city.hit_radius = round(node + 6, 1)
        city.label_x = round(cx + (RADIUS + node + LABEL_GAP) * cos, 1)
        city.label_y = round(cy + (RADIUS + node + LABEL_GAP) * sin + 5, 1)
        city.anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
    pairs = {(e.adopting.pk, e.source.pk) for e in network.edges}
    for edge in network.edges:
        a, b = edge.adopting, edge.source
        dx, dy = b.x - a.x, b.y - a.y
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        offset = 4.0 if (b.pk, a.pk) in pairs else 0.0
        ox, oy = -uy * offset, ux * offset
        start, end = a.radius + 2, b.radius + 6  # room for the arrowhead
        edge.x1, edge.y1 = round(a.x + ux * start + ox, 1), round(a.y + uy * start + oy, 1)
        edge.x2, edge.y2 = round(b.x - ux * end + ox, 1), round(b.y - uy * end + oy, 1)
    return network


def network_data(network: Network) -> dict:
    """The JSON of `/api/network/`."""
    return {
        "cities": [
            {
                "id": city.pk,
                "slug": city.slug,
                "name": city.title,
                "country": city.country or None,
                "url": city.url,
                "adapting": city.adapting,
                "adapted": city.adapted,
            }
            for city in network.cities
        ],
        "transfers": [
            {
                "id": transfer.pk,
                "from_city": transfer.adopting.pk,
                "to_city": transfer.source_city.pk,
                "case_study": _link(transfer.source),
                "stage": transfer.stage,
                "started": transfer.started.isoformat() if transfer.started else None,
                "own_case_study": _link(transfer.shown_own_case_study) if transfer.shown_own_case_study else None,
            }
            for transfer in network.transfers
        ],
    }


def _link(link: Link) -> dict:
    return {"id": link.pk, "title": link.title, "url": link.url}
