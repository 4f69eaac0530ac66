"""What the admin's digest preview shows: the digest a member would get now."""

from django.utils import timezone

from ..memberships import default_cadence
from ..models import Membership
from .recipients import Recipient, recipients_for
from .render import build_digests
from .schedule import CADENCES, Period, group_zone


def preview(group, now=None):
    """The digest the group's first member would get if it were sent now (or,
    with no members, what a new member would get), and who would get one."""
    now = now or timezone.now()
    zone = group_zone(group)
    period = Period.current(default_cadence(group), now, zone)
    recipients = [r for c in CADENCES for r in recipients_for(group, Period.current(c, now, zone), now)]
    sample = recipients[:1] or [
        Recipient(Membership(group=group, email="member@example.org"), period.previous.start, now)
    ]
    digest = build_digests(group, sample)[0]
    return {
        "period": period,
        "next_period": period.next,
        "recipients": len(recipients),
        "digest": digest,
    }
