"""Fan-out and the exactly-once send: pending rows per member and period,
chunks handed to the caller's `enqueue`, claims with a lease, the send of a
chunk over one connection, retries and the safety net.

`enqueue(delivery_ids)` is given by the caller (cities.tasks passes the
Celery task's `delay`): this module does not know how chunks travel."""

import dataclasses
import logging
import smtplib
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from time import monotonic

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db
from django.db.models import Count, F, Q
from django.utils import timezone

from ..models import DeliveryStatus, DigestDelivery, WorkingGroup
from . import smtp
from .recipients import Recipient, recipients_for
from .render import build_digests
from .schedule import due_periods

logger = logging.getLogger(__name__)


def lease():
    return timedelta(seconds=settings.DIGEST_CLAIM_LEASE_SECONDS)


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


def stale_q(now):
    """Rows nobody is working on: pending for longer than a lease (their task
    was lost), or claimed by a worker whose lease has expired (it died)."""
    return Q(status=DeliveryStatus.PENDING, created_at__lt=now - lease()) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - lease()
    )


def requeue_stale(now=None, *, enqueue):
    """The safety net, run with every beat: re-enqueue abandoned rows of the
    last DIGEST_REQUEUE_DAYS. Duplicated tasks are harmless (rows are claimed)."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.DIGEST_REQUEUE_DAYS)
    return _enqueue(DigestDelivery.objects.filter(stale_q(now), created_at__gte=since), enqueue)


def _enqueue(queryset, enqueue):
    ids = list(queryset.order_by("group_id", "period", "pk").values_list("pk", flat=True))
    size = settings.DIGEST_CHUNK_SIZE
    for i in range(0, len(ids), size):
        enqueue(ids[i:i + size])
    return len(ids)


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
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for status, count in rows.values("status").annotate(n=Count("pk")).values_list("status", "n"):
        counts[status] = count
    return counts


# --- Sending: the exactly-once guard lives here ---


@dataclasses.dataclass
class ChunkResult:
    sent: list = dataclasses.field(default_factory=list)
    failed: list = dataclasses.field(default_factory=list)
    skipped: list = dataclasses.field(default_factory=list)
    retry: list = dataclasses.field(default_factory=list)  # pending again: temporary failure
    busy: list = dataclasses.field(default_factory=list)  # claimed by a live worker
    retry_in: float = 0.0

    @property
    def to_retry(self):
        return sorted(set(self.retry) | set(self.busy))


def backoff(attempts):
    base = settings.DIGEST_RETRY_BACKOFF_SECONDS
    return min(base * (2 ** max(attempts - 1, 0)), settings.DIGEST_RETRY_BACKOFF_MAX_SECONDS)


def claim(delivery_ids, token, now):
    """pending (or sending with an expired lease) → sending, in one UPDATE.
    Concurrent claimers cannot both win a row: the WHERE is re-checked under
    the row lock (PostgreSQL) or the database lock (SQLite)."""
    claimable = Q(status=DeliveryStatus.PENDING) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - lease()
    )
    return (
        DigestDelivery.objects.filter(claimable, pk__in=delivery_ids)
        .update(
            status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now,
            attempts=F("attempts") + 1,
        )
    )


class _Chunk:
    def __init__(self, token, result):
        self.token = token
        self.result = result
        self._sent_sql = None

    def rows(self, pks):
        return DigestDelivery.objects.filter(pk__in=pks, claim_token=self.token)

    def finish(self, pks, status, error="", bucket=None, **fields):
        if pks:
            self.rows(pks).update(status=status, claim_token=None, last_error=error[:2000], **fields)
            (bucket if bucket is not None else getattr(self.result, status)).extend(pks)

    def renew(self):
        claimed = DigestDelivery.objects.filter(claim_token=self.token, status=DeliveryStatus.SENDING)
        claimed.update(claimed_at=timezone.now())
        return set(claimed.values_list("pk", flat=True))

    def mark_sent(self, digest):
        """Recorded as the message goes out (see smtp.smtp_transaction); the
        claim token stays on the row."""
        delivery = digest.recipient.delivery
        updated = self._mark_sent_sql(delivery.pk, digest.message_id, digest.count)
        if not updated:
            logger.warning("Digest delivery %s was reclaimed while being sent", delivery.pk)
        self.result.sent.append(delivery.pk)

    def _mark_sent_sql(self, pk, message_id, count):
        """One UPDATE by primary key per message, without the ORM's per-call
        query compilation (it is the hot path of a send)."""
        if self._sent_sql is None:
            table = db.ops.quote_name(DigestDelivery._meta.db_table)
            self._sent_sql = (
                f"UPDATE {table} SET status = %s, sent_at = %s, message_id = %s, "
                "practice_count = %s, last_error = '' WHERE id = %s AND claim_token = %s"
            )
            field = DigestDelivery._meta.get_field("claim_token")
            self._token_param = field.get_db_prep_value(self.token, db)
        sent_at = DigestDelivery._meta.get_field("sent_at").get_db_prep_value(timezone.now(), db)
        with db.cursor() as cursor:
            cursor.execute(
                self._sent_sql,
                [DeliveryStatus.SENT, sent_at, message_id, count, pk, self._token_param],
            )
            return cursor.rowcount

    def unmark_sent(self, delivery):
        if delivery.pk in self.result.sent:
            self.result.sent.remove(delivery.pk)
            self.rows([delivery.pk]).update(status=DeliveryStatus.SENDING, sent_at=None, message_id="")

    def temporary(self, deliveries, error):
        max_attempts = settings.DIGEST_MAX_ATTEMPTS
        give_up = [d.pk for d in deliveries if d.attempts >= max_attempts]
        again = [d for d in deliveries if d.attempts < max_attempts]
        self.finish(give_up, DeliveryStatus.FAILED, f"gave up after {max_attempts} attempts: {error}")
        self.finish([d.pk for d in again], DeliveryStatus.PENDING, error, bucket=self.result.retry)
        if again:
            wait = backoff(min(d.attempts for d in again))
            self.result.retry_in = max(self.result.retry_in, wait)


def send_chunk(delivery_ids):
    """Claim, build and send one chunk of deliveries; see the package docstring."""
    delivery_ids = sorted(set(delivery_ids))
    token = uuid.uuid4()
    now = timezone.now()
    result = ChunkResult()
    chunk = _Chunk(token, result)
    claim(delivery_ids, token, now)
    claimed = list(
        DigestDelivery.objects.filter(claim_token=token)
        .select_related("membership__user", "group")
        .order_by("pk")
    )
    if len(claimed) < len(delivery_ids):
        for pk, claimed_at in DigestDelivery.objects.filter(
            pk__in=delivery_ids, status=DeliveryStatus.SENDING
        ).exclude(claim_token=token).values_list("pk", "claimed_at"):
            result.busy.append(pk)
            remaining = (claimed_at + lease() - now).total_seconds()
            result.retry_in = max(result.retry_in, remaining + 1)
    if not claimed:
        return result

    # Rows whose earlier claims all died with their worker: stop somewhere.
    max_attempts = settings.DIGEST_MAX_ATTEMPTS
    exhausted = [d.pk for d in claimed if d.attempts > max_attempts]
    chunk.finish(exhausted, DeliveryStatus.FAILED, "worker lost while sending, too many times")
    claimed = [d for d in claimed if d.attempts <= max_attempts]

    to_send = []
    by_group = defaultdict(list)
    for delivery in claimed:
        by_group[delivery.group_id].append(delivery)
    for deliveries in by_group.values():
        group = deliveries[0].group
        gone = [d.pk for d in deliveries if not d.membership.is_active]
        chunk.finish(gone, DeliveryStatus.SKIPPED, "unsubscribed before sending")
        no_address = [d.pk for d in deliveries if d.membership.is_active and not d.membership.address]
        chunk.finish(no_address, DeliveryStatus.SKIPPED, "no email address")
        recipients = [
            Recipient(d.membership, d.window_start, d.window_end, d)
            for d in deliveries
            if d.membership.is_active and d.membership.address
        ]
        digests = build_digests(group, recipients)
        empty = [d.recipient.delivery.pk for d in digests if not d.count]
        chunk.finish(empty, DeliveryStatus.SKIPPED, "nothing new")
        to_send.extend(d for d in digests if d.count)
    if to_send:
        _deliver(to_send, chunk)
    return result


def _deliver(digests, chunk):
    """Send over one connection, marking each row as it goes out."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        chunk.temporary([d.recipient.delivery for d in digests], f"connection failed: {exc}")
        return
    renew_every = lease().total_seconds() / 3
    renewed = monotonic()
    try:
        for index, digest in enumerate(digests):
            delivery = digest.recipient.delivery
            if monotonic() - renewed > renew_every:
                # Keep our claim while the chunk is going out; skip rows that
                # were reclaimed (we stalled for longer than a lease).
                renewed = monotonic()
                if delivery.pk not in chunk.renew():
                    continue
            try:
                smtp.send(connection, digest, lambda digest=digest: chunk.mark_sent(digest))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                chunk.unmark_sent(delivery)
                code, text = smtp.reply_code(exc)
                error = f"{code} {text}"
                if code is not None and 400 <= code < 500:
                    chunk.temporary([delivery], error)
                else:
                    chunk.finish([delivery.pk], DeliveryStatus.FAILED, error)
                if code == 421:  # the server closed the connection
                    connection.close()
            except (smtplib.SMTPException, OSError) as exc:
                # The connection is gone: this one and the rest are for later.
                chunk.unmark_sent(delivery)
                rest = [d.recipient.delivery for d in digests[index:]]
                chunk.temporary(rest, f"connection lost: {exc}")
                return
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            logger.debug("closing the SMTP connection failed", exc_info=True)
