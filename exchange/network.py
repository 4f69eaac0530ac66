"""The network of cities and the transfers between them (`/network/`, and
`/api/network/`): every live, public city, and every accepted transfer
between two of them whose case study is live and public, drawn from the
adopting city to the source city.

`read_network()` reads it in a fixed number of queries whatever its size
(the cities, the transfers; the view restrictions once per request);
`layout()` places it for the SVG graph, deterministically: the cities on a
circle in alphabetical order, starting at the top, clockwise."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cities.models import CityPage
from cities.visibility import is_public, private_q

from .models import Acceptance, Stage, Transfer

WIDTH, HEIGHT = 800, 640
CENTRE = (WIDTH / 2, HEIGHT / 2)
RADIUS = 230
LABEL_GAP = 12
MAX_LABELLED = 60  # more cities than this: no text labels on the circle (the list has them)


@dataclass
class NetworkCity:
    page: CityPage
    adapting: int = 0  # transfers it records (outgoing)
    adapted: int = 0  # transfers of its case studies (incoming)
    x: float = 0.0
    y: float = 0.0
    radius: float = 0.0
    hit_radius: float = 0.0  # of the link over the circle
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"

    @property
    def pk(self):
        return self.page.pk

    @property
    def title(self):
        return self.page.title


@dataclass
class Edge:
    """All the transfers from one city to another, as one arrow."""

    adopting: NetworkCity
    source: NetworkCity
    transfers: list[Transfer] = field(default_factory=list)
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
        titles = "; ".join(f"{t.source.title} ({t.get_stage_display().lower()})" for t in self.transfers)
        return f"{self.adopting.title} adapts {self.source.title}'s {titles}"


@dataclass
class Network:
    cities: list[NetworkCity]
    transfers: list[Transfer]  # each with `shown_own_case_study` (public) or None
    edges: list[Edge] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    labelled: bool = True


def _transfers(city_ids: set[int]) -> list[Transfer]:
    rows = (
        Transfer.objects.filter(acceptance=Acceptance.ACCEPTED, source__live=True)
        .exclude(private_q("source__"))
        .select_related("source", "adopting_city", "own_case_study")
        .order_by("adopting_city__title", "source__title", "pk")
    )
    shown = []
    for transfer in rows:
        if transfer.adopting_city_id in city_ids and transfer.source.city_id in city_ids:
            own = transfer.own_case_study
            transfer.shown_own_case_study = own if own is not None and is_public(own) else None
            shown.append(transfer)
    return shown


def read_network() -> Network:
    pages = list(CityPage.objects.live().public().order_by("title", "pk"))
    cities = {page.pk: NetworkCity(page) for page in pages}
    transfers = _transfers(set(cities))
    edges: dict[tuple[int, int], Edge] = {}
    for transfer in transfers:
        adopting, source = cities[transfer.adopting_city_id], cities[transfer.source.city_id]
        transfer.adopting = adopting
        transfer.source_city = source
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


def network_data(network: Network, url) -> dict:
    """The JSON of `/api/network/` (`url(page)`: a page's absolute URL)."""
    return {
        "cities": [
            {
                "id": city.pk,
                "slug": city.page.slug,
                "name": city.title,
                "country": str(city.page.country) or None,
                "url": url(city.page),
                "adapting": city.adapting,
                "adapted": city.adapted,
            }
            for city in network.cities
        ],
        "transfers": [
            {
                "id": transfer.pk,
                "from_city": transfer.adopting_city_id,
                "to_city": transfer.source.city_id,
                "case_study": {"id": transfer.source.pk, "title": transfer.source.title, "url": url(transfer.source)},
                "stage": transfer.stage,
                "started": transfer.started.isoformat() if transfer.started else None,
                "own_case_study": (
                    {"id": transfer.shown_own_case_study.pk, "title": transfer.shown_own_case_study.title,
                     "url": url(transfer.shown_own_case_study)}
                    if transfer.shown_own_case_study else None
                ),
            }
            for transfer in network.transfers
        ],
    }
