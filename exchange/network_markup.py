"""The repeated markup of `/network/` (templates/exchange/network.html),
written in Python from the plain network (`exchange.network`): the SVG
graph's arrows and nodes, the city links laid over it, the transfers table's
rows and the list of cities. A network of hundreds of cities and thousands of
transfers is tens of thousands of template variables, each resolved,
localised and escaped by the template engine; here each is escaped once.
The page's structure, headings and words stay in the template."""

from __future__ import annotations

from html import escape

from django.utils.dateformat import format as format_date
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from cities.map import CityMap, Line, Marker

from .network import Network, read_network


def not_given() -> str:
    return f'<span aria-hidden="true">—</span><span class="visually-hidden">{_e(gettext("not given"))}</span>'


def _e(value) -> str:
    return escape(str(value), quote=True)


def edges(network: Network) -> SafeString:
    """The arrows, one per pair of cities (adopting → source)."""
    return mark_safe("".join(
        f'<line x1="{e.x1}" y1="{e.y1}" x2="{e.x2}" y2="{e.y2}" stroke-width="{e.width}" '
        f'class="network-edge{" network-edge--dropped" if e.dropped else ""}" marker-end="url(#network-arrow)">'
        f"<title>{_e(e.description)}</title></line>\n"
        for e in network.edges
    ))


def nodes(network: Network) -> SafeString:
    """The cities' circles, with their names when the network is small enough."""
    out = []
    for c in network.cities:
        out.append(f'<circle cx="{c.x}" cy="{c.y}" r="{c.radius}"></circle>')
        if network.labelled:
            out.append(f'<text x="{c.label_x}" y="{c.label_y}" text-anchor="{c.anchor}">{_e(c.title)}</text>')
        out.append("\n")
    return mark_safe("".join(out))


def city_links(network: Network) -> SafeString:
    """The cities as links, over the image at the same places."""
    return mark_safe("".join(
        f'<a href="{_e(c.url or "")}" class="network-city" aria-label="{_e(_city_label(c))}">'
        f'<circle cx="{c.x}" cy="{c.y}" r="{c.hit_radius}"></circle></a>\n'
        for c in network.cities
    ))


def transfer_rows(network: Network) -> SafeString:
    """The rows of the transfers table."""
    out = []
    # Translated and formatted once per render, not once per row.
    # Translators: after a case study's title, a link to the adopting city's own version of it.
    their_version = _e(gettext("(their version: %(link)s)"))
    missing = not_given()
    dates = {}
    for t in network.transfers:
        own = ""
        if t.shown_own_case_study:
            link = (f'<a href="{_e(t.shown_own_case_study.url or "")}">'
                    f"{_e(t.shown_own_case_study.title)}</a>")
            own = " " + their_version.replace("%(link)s", link)
        if t.started:
            started = dates.get(t.started)
            if started is None:
                started = dates[t.started] = _e(format_date(t.started, "j F Y"))
        else:
            started = missing
        out.append(
            f'<tr><th scope="row"><a href="{_e(t.adopting.url or "")}">{_e(t.adopting.title)}</a></th>'
            f'<td><a href="{_e(t.source.url or "")}">{_e(t.source.title)}</a>{own}</td>'
            f"<td>{_e(t.source_city.title)}</td><td>{_e(t.stage_label)}</td><td>{started}</td></tr>\n"
        )
    return mark_safe("".join(out))


def _city_label(c) -> str:
    """"Bilbao: adapting 2, adapted 1 time" (a city's link on the image)."""
    adapted = ngettext("adapted %(count)d time", "adapted %(count)d times", c.adapted) % {"count": c.adapted}
    # Translators: a city's link on the network image, e.g. "Bilbao: adapting 2, adapted 1 time".
    return gettext("%(city)s: adapting %(adapting)d, %(adapted)s") % {
        "city": c.title, "adapting": c.adapting, "adapted": adapted,
    }


def _city_counts(c) -> str:
    """"adapting 2 practices of other cities; its practices adapted 1 time."."""
    adapting = ngettext(
        "adapting %(count)d practice of other cities", "adapting %(count)d practices of other cities", c.adapting
    ) % {"count": c.adapting}
    adapted = ngettext(
        "its practices adapted %(count)d time", "its practices adapted %(count)d times", c.adapted
    ) % {"count": c.adapted}
    # Translators: what a city of the network does, e.g. "adapting 2 practices of other cities; its practices
    # adapted 1 time."
    return gettext("%(adapting)s; %(adapted)s.") % {"adapting": adapting, "adapted": adapted}


def city_items(network: Network) -> SafeString:
    """The items of the list of cities."""
    return mark_safe("".join(
        f'<li><a href="{_e(c.url or "")}">{_e(c.title)}</a>: {_e(_city_counts(c))}</li>\n'
        for c in network.cities
    ))


def network_map(network: Network) -> CityMap:
    """The cities where they are, and a line per pair of cities with
    transfers (dashed when all of them were dropped); the list of cities and
    the table of transfers say the same."""
    markers = [Marker(c.title, *c.place, c.url) for c in network.cities if c.place]
    lines = [
        Line(e.adopting.place, e.source.place, e.description, dashed=e.dropped)
        for e in network.edges if e.adopting.place and e.source.place
    ]
    return CityMap(gettext("Map of the cities and their transfers"), "cities-heading", markers, lines)


class NetworkPage:
    """What templates/exchange/network.html shows: the network (read on
    first use: not at all when the page's fragment is cached) and its
    markup."""

    @cached_property
    def network(self) -> Network:
        return read_network()

    @property
    def map(self) -> CityMap:
        return network_map(self.network)

    @property
    def edges(self):
        return edges(self.network)

    @property
    def nodes(self):
        return nodes(self.network)

    @property
    def city_links(self):
        return city_links(self.network)

    @property
    def transfer_rows(self):
        return transfer_rows(self.network)

    @property
    def city_items(self):
        return city_items(self.network)
