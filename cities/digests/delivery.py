"""The digests' fan-out and their send: pending rows per member and period,
chunks handed to the caller's `enqueue`, and what a chunk's digests are.
Claims with a lease, the send over one connection, retries and the safety
net are notifications.delivery's, as for every kind of email.

`enqueue(delivery_ids)` is given by the caller (cities.tasks passes the
Celery task's `delay`): this module does not know how chunks travel."""

import dataclasses
from collections import defaultdict
from datetime import datetime

from django.utils import timezone

from notifications import delivery as engine

from ..models import DeliveryStatus, DigestDelivery, WorkingGroup
from .recipients import Recipient, recipients_for
from .render import build_digests
from .schedule import due_periods


def policy():
    """Chunk size, lease, attempts and backoff of the digests: the DIGEST_* settings."""
    return engine.Policy.from_settings("DIGEST")


# --- Fan-out (beat, send_digests) ---


@dataclasses.dataclass
class FanOutReport:
    now: datetime
    periods: list = dataclasses.field(default_factory=list)  # (group, period, members)
    enqueued: int = 0
    requeued: int = 0
    previews: list = dataclasses.field(default_factory=list)  # dry run: Digest objects


def fan_out(now=None, group_slugs=None, force=False, dry_run=False, *, enqueue):
    """Create the pending deliveries of every due group and enqueue them.

    Idempotent per period: the unique (membership, group, period) row makes a
    second call insert nothing, and only the rows this call inserted (plus
    abandoned ones, see requeue_stale) are enqueued. A dry run records and
    enqueues nothing; its report holds the digests that would be sent.
    """
    now = now or timezone.now()
    groups = WorkingGroup.objects.prefetch_related("member_cities").order_by("pk")
    if group_slugs:
        groups = groups.filter(slug__in=group_slugs)
    report = FanOutReport(now=now)
    for group in groups:
        for period in due_periods(group, now, force=force):
            recipients = recipients_for(group, period, now)
            report.periods.append((group, period, len(recipients)))
            if dry_run:
                report.previews.extend(build_digests(group, recipients))
                continue
            if not recipients:
                continue
            DigestDelivery.objects.bulk_create(
                [
                    DigestDelivery(
                        membership=r.membership,
                        group=group,
                        period=period.key,
                        window_start=r.window_start,
                        window_end=r.window_end,
                        created_at=now,
                    )
                    for r in recipients
                ],
                ignore_conflicts=True,
                batch_size=500,
            )
            report.enqueued += _enqueue(
                DigestDelivery.objects.filter(
                    group=group, period=period.key, status=DeliveryStatus.PENDING, created_at=now
                ),
                enqueue,
            )
    return report


def requeue_stale(now=None, *, enqueue):
    """The safety net, run with every beat: re-enqueue abandoned rows of the
    last DIGEST_REQUEUE_DAYS (notifications.delivery.stale_q). Duplicated
    tasks are harmless (rows are claimed)."""
    return engine.requeue_stale(_in_order(DigestDelivery.objects.all()), enqueue, policy(), now)


def _enqueue(queryset, enqueue):
    return engine.enqueue_chunks(_in_order(queryset), enqueue, policy())


def _in_order(queryset):
    """Chunks of one group and period where possible (a chunk's digests are
    built together)."""
    return queryset.order_by("group_id", "period", "pk")


def run_scheduled(now=None, *, enqueue):
    """What beat runs every hour."""
    now = now or timezone.now()
    report = fan_out(now=now, enqueue=enqueue)
    report.requeued = requeue_stale(now, enqueue=enqueue)
    return report


def status_counts(group=None, period=None):
    rows = DigestDelivery.objects.all()
    if group is not None:
        rows = rows.filter(group=group)
    if period is not None:
        rows = rows.filter(period=period)
    return engine.status_counts(rows)


# --- Sending: notifications.delivery claims, sends and records; this is what a chunk holds ---


def send_chunk(delivery_ids):
    """Claim, build and send one chunk of deliveries; see the package docstring."""
    return engine.send_chunk(
        DigestDelivery.objects.select_related("membership__user", "group"), delivery_ids, policy(), _build
    )


def _build(claimed, chunk):
    """The digests of the claimed rows (a constant number of queries per
    group); rows with nothing to send are skipped."""
    to_send = []
    by_group = defaultdict(list)
    for delivery in claimed:
        by_group[delivery.group_id].append(delivery)
    for deliveries in by_group.values():
        group = deliveries[0].group
        chunk.skip([d.pk for d in deliveries if not d.membership.is_active], "unsubscribed before sending")
        chunk.skip(
            [d.pk for d in deliveries if d.membership.is_active and not d.membership.address],
            "no email address",
        )
        recipients = [
            Recipient(d.membership, d.window_start, d.window_end, d)
            for d in deliveries
            if d.membership.is_active and d.membership.address
        ]
        digests = build_digests(group, recipients)
        chunk.skip([d.recipient.delivery.pk for d in digests if not d.count], "nothing new")
        to_send.extend(d for d in digests if d.count)
    return to_send
