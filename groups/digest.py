"""The working-group digest's section "New transfers among your cities":
registered into the digests' registry (`cities.digests.content`), which
imports no higher app.

A transfer is in a group's digest when it was accepted in the digest's
window (`decided_at`), both its adopting city and its case study's city are
public member cities of the group, and its case study is live and public.
Two queries whatever the number of transfers."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.utils.translation import ngettext

from cities.digests.content import section
from cities.digests.links import page_url
from cities.models import CityPage
from cities.visibility import private_q
from exchange.models import Acceptance, Transfer


@dataclasses.dataclass
class TransferItem:
    pk: int
    adopting_city: str
    practice: str
    practice_city: str
    stage: str
    url: str
    published: datetime  # when the case study's city accepted it

    @property
    def key(self):
        return self.pk


def describe(count):
    return ngettext(
        "%(count)d new transfer among your cities", "%(count)d new transfers among your cities", count
    ) % {"count": count}


@section("transfers", describe=describe)
def new_transfers(group, start, end):
    """The transfers accepted in [start, end) between two public member
    cities of `group`, of a live, public case study, oldest first."""
    members = CityPage.objects.live().public().filter(working_groups=group).values("pk")
    transfers = (
        Transfer.objects.filter(
            acceptance=Acceptance.ACCEPTED, decided_at__gte=start, decided_at__lt=end,
            adopting_city__in=members, source__city__in=members, source__live=True,
        )
        .exclude(private_q("source__"))
        .select_related("source", "source__city", "adopting_city")
        .order_by("decided_at", "pk")
    )
    items = []
    for transfer in transfers:
        url = page_url(transfer.source)
        if url is None:  # no site serves it: nothing to link to
            continue
        items.append(TransferItem(
            pk=transfer.pk,
            adopting_city=transfer.adopting_city.title,
            practice=transfer.source.title,
            practice_city=transfer.source.city.title,
            stage=transfer.get_stage_display().lower(),
            url=url,
            published=transfer.decided_at,
        ))
    return items
