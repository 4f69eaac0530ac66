"""The emails of a transfer's or a relation's life (`notifications.notify`,
once per recipient and event): city A's officials are told of a proposal
waiting for their answer, city B's officials of A's answer.

For a transfer, A is the source case study's city and B the adopting city;
for a relation, A is the related case study's city and B the recording one.
A relation's keys hold its kind: a relation whose kind changed is a new
proposal to answer."""

from __future__ import annotations

from django.urls import reverse

from cities.digests.links import page_url
from cities.roles import officials_of
from notifications import notify

from .models import Relation, Transfer


def _sides(item):
    """(key, A's city, B's city, A's case study) of a transfer or relation."""
    if isinstance(item, Transfer):
        return f"transfer:{item.pk}", item.source.city, item.adopting_city, item.source
    if isinstance(item, Relation):
        return f"relation:{item.pk}:{item.kind}", item.to_page.city, item.from_page.city, item.to_page
    raise TypeError(f"not a transfer or a relation: {item!r}")


def _context(item, a_city, b_city, **more):
    return {"summary": str(item), "kind": "transfer" if isinstance(item, Transfer) else "relation",
            "answering_city": a_city.title if a_city else "", "proposing_city": b_city.title if b_city else "",
            **more}


def proposed(item) -> None:
    """A's officials are asked to accept or decline a pending proposal."""
    if not item.is_pending:
        return
    key, a_city, b_city, _page = _sides(item)
    if a_city is None:
        return
    review = "exchange_review_transfer" if isinstance(item, Transfer) else "exchange_review_relation"
    notify(f"{key}:proposed", officials_of(a_city), "exchange_proposed", _context(item, a_city, b_city),
           link=reverse(review, args=(item.pk,)))


def answered(item) -> None:
    """B's officials are told that A accepted or declined."""
    key, a_city, b_city, page = _sides(item)
    if b_city is None or item.is_pending:
        return
    notify(f"{key}:{item.acceptance}", officials_of(b_city), "exchange_answered",
           _context(item, a_city, b_city, accepted=item.is_accepted), link=page_url(page) or "")
