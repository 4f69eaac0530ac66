"""Who gets a digest: the active members of a group at a cadence, each with
the window of time their digest covers."""

import dataclasses
from datetime import datetime

from django.db.models import Max

from ..models import DeliveryStatus, DigestDelivery, Membership


@dataclasses.dataclass
class Recipient:
    membership: Membership
    window_start: datetime
    window_end: datetime
    delivery: DigestDelivery | None = None

    @property
    def address(self):
        return self.membership.address


def recipients_for(group, period, now):
    """Every active member of `group` at `period`'s cadence, with the window
    of their digest: since their last digest, or the previous period for a
    first one. Two queries whatever the number of members."""
    memberships = list(
        Membership.objects.active()
        .filter(group=group, cadence=period.cadence)
        .select_related("user")
        .order_by("pk")
    )
    if not memberships:
        return []
    last_end = dict(
        DigestDelivery.objects.filter(
            group=group, status__in=[DeliveryStatus.SENT, DeliveryStatus.SKIPPED]
        )
        .values("membership_id")
        .annotate(end=Max("window_end"))
        .values_list("membership_id", "end")
    )
    first_start = period.previous.start
    return [
        Recipient(m, min(last_end.get(m.pk, first_start), now), now) for m in memberships
    ]
