"""Result cards read from the database index for listings that are not a
search: the newest case studies, and the cards of ids an engine picked.

The index (`search.models.SearchEntry`) holds exactly the live, public case
studies (written in the same transaction as each editorial event); as in
the database search, each row is also checked against the page's `live`
flag and the view restrictions, so that a missed event cannot leak a page.
One query per listing, whatever its length (the view restrictions are read
once per request, see `cities.visibility`)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from wagtail.models import Page

from cities.visibility import private_q

from ..models import SearchEntry
from .contract import SearchHit
from .facets import load_facet_options


def visible_entries():
    """The index rows of pages that are live and under no view restriction
    (tested per row on the page table, so that a short listing reads as
    many pages as it shows)."""
    visible = Page.objects.filter(pk=OuterRef("page_id"), live=True).exclude(private_q())
    return SearchEntry.objects.filter(Exists(visible))


def newest(limit: int) -> list[SearchHit]:
    """The most recently first-published case studies, newest first."""
    rows = visible_entries().order_by("-published", "-page_id").values_list("page_id", "card")[:limit]
    return [SearchHit.from_card(pk, card) for pk, card in rows]


def in_order(ids: list[int]) -> list[SearchHit]:
    """The hits of `ids` that are visible now, in the order given."""
    if not ids:
        return []
    cards = dict(visible_entries().filter(page_id__in=ids).values_list("page_id", "card"))
    return [SearchHit.from_card(pk, cards[pk]) for pk in ids if pk in cards]


def with_urls(hits: list[SearchHit]) -> list[dict]:
    """{"hit", "url"} per hit: what the result card template is given."""
    urls = load_facet_options().urls
    return [{"hit": hit, "url": hit.get_url(urls)} for hit in hits]
