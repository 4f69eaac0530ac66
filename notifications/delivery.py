"""The exactly-once send of emails recorded one row each (rows of a concrete
subclass of notifications.models.Delivery): claims with a lease, the send of
a chunk over one SMTP connection, the classification of SMTP failures,
retries with backoff, and the safety net that re-sends what nobody works on.

Every kind of email goes through here (the working-group digests in
cities.digests.delivery, the notices in notifications.notices). A kind owns
its rows, its content, its schedule and its recipients, and gives:

- a `Policy`: chunk size, lease, attempts, backoff, how far back the safety
  net looks (`Policy.from_settings("DIGEST")` reads DIGEST_CHUNK_SIZE, ...);
- `build(rows, chunk)`: its claimed rows in, the messages to send out (each
  an `Outgoing`); rows with nothing to send are finished with `chunk.skip()`
  (or `chunk.fail()`);
- `enqueue(ids)`: how a chunk of row ids travels (a Celery task's `delay`);
  this module does not know about Celery.

The guarantees (docs/notifications.md):

1. A row is sent by the worker that *claimed* it: one conditional UPDATE
   pending (or sending with an expired lease) → sending, with a fresh claim
   token, so two workers holding the same ids (a redelivered or duplicated
   task) cannot both win a row. The lease is renewed while a chunk goes out.
2. A row is marked sent in the database transaction that sees the SMTP
   server's 250 (notifications.smtp.smtp_transaction).
3. A 4xx or a lost connection puts the row back to pending, to be retried
   with exponential backoff; after `max_attempts` it is failed. A 5xx fails
   that row only, at once.
4. The safety net (`requeue_stale`, from beat) re-enqueues rows nobody works
   on: never claimed and pending for longer than a lease (their task was
   lost, e.g. the broker was down), put back for a retry that is overdue by
   more than a lease (the retry was lost), or claimed by a worker whose
   lease has expired (it died).
"""

import dataclasses
import logging
import smtplib
import uuid
from datetime import timedelta
from time import monotonic
from typing import Protocol

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db
from django.db.models import Count, F, Q
from django.utils import timezone

from . import smtp
from .models import DeliveryStatus

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Policy:
    chunk_size: int  # rows per send task (one SMTP connection each)
    lease_seconds: float  # how long a claim lasts before another worker may take the row over
    max_attempts: int  # attempts per row before it is failed
    backoff_seconds: float  # the wait after a temporary failure, doubling...
    backoff_max_seconds: float  # ...up to this
    requeue_days: int  # how far back the safety net looks

    @classmethod
    def from_settings(cls, prefix):
        """The policy in the settings <prefix>_CHUNK_SIZE, <prefix>_CLAIM_LEASE_SECONDS,
        <prefix>_MAX_ATTEMPTS, <prefix>_RETRY_BACKOFF_SECONDS,
        <prefix>_RETRY_BACKOFF_MAX_SECONDS and <prefix>_REQUEUE_DAYS (read
        at each call: tests and workers may change them)."""

        def get(name):
            return getattr(settings, f"{prefix}_{name}")

        return cls(
            chunk_size=get("CHUNK_SIZE"),
            lease_seconds=get("CLAIM_LEASE_SECONDS"),
            max_attempts=get("MAX_ATTEMPTS"),
            backoff_seconds=get("RETRY_BACKOFF_SECONDS"),
            backoff_max_seconds=get("RETRY_BACKOFF_MAX_SECONDS"),
            requeue_days=get("REQUEUE_DAYS"),
        )

    @property
    def lease(self):
        return timedelta(seconds=self.lease_seconds)

    def backoff(self, attempts):
        """Seconds to wait before the next attempt of a row tried `attempts` times."""
        return min(self.backoff_seconds * (2 ** max(attempts - 1, 0)), self.backoff_max_seconds)


class Outgoing(Protocol):
    """One message to send, built by a kind's `build` for one claimed row."""

    delivery: object  # the claimed row
    address: str  # the envelope recipient
    message_id: str  # stable per row: a repeated send after a crash carries the same Message-ID
    sent_fields: dict  # other columns of the row to set when it is marked sent

    def as_bytes(self) -> bytes:
        """The message as sent over SMTP."""

    def message(self, connection=None):
        """The message as a Django EmailMessage (for non-SMTP backends)."""


# --- Queueing and the safety net ---


def enqueue_chunks(queryset, enqueue, policy):
    """Hand the ids of `queryset` (in its order) to `enqueue`, in chunks; how many."""
    ids = list(queryset.values_list("pk", flat=True))
    for i in range(0, len(ids), policy.chunk_size):
        enqueue(ids[i:i + policy.chunk_size])
    return len(ids)


def stale_q(now, policy):
    """Rows nobody is working on (see the module docstring, 4.)."""
    lease = policy.lease
    retry_lost = Q(attempts__gte=policy.max_attempts, claimed_at__lt=now - lease - timedelta(
        seconds=policy.backoff_max_seconds
    ))
    for attempts in range(1, policy.max_attempts):
        retry_lost |= Q(
            attempts=attempts, claimed_at__lt=now - lease - timedelta(seconds=policy.backoff(attempts))
        )
    return (
        Q(status=DeliveryStatus.PENDING, claimed_at__isnull=True, created_at__lt=now - lease)
        | (Q(status=DeliveryStatus.PENDING) & retry_lost)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease)
    )


def requeue_stale(queryset, enqueue, policy, now=None):
    """The safety net: re-enqueue the abandoned rows of `queryset` (in its
    order) created in the last `policy.requeue_days`. Duplicated tasks are
    harmless: rows are claimed."""
    now = now or timezone.now()
    since = now - timedelta(days=policy.requeue_days)
    return enqueue_chunks(queryset.filter(stale_q(now, policy), created_at__gte=since), enqueue, policy)


def status_counts(queryset):
    """{status: number of rows} over `queryset`, every status present."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for status, count in queryset.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n"):
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


def claim(model, ids, token, now, policy):
    """pending (or sending with an expired lease) → sending, in one UPDATE.
    Concurrent claimers cannot both win a row: the WHERE is re-checked under
    the row lock (PostgreSQL) or the database lock (SQLite)."""
    claimable = Q(status=DeliveryStatus.PENDING) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - policy.lease
    )
    return model._default_manager.filter(claimable, pk__in=ids).update(
        status=DeliveryStatus.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1,
    )


class Chunk:
    """The rows one send task claimed (under one claim token), and what
    became of them (`result`)."""

    def __init__(self, model, token, policy, result):
        self.model = model
        self.token = token
        self.policy = policy
        self.result = result
        self._sent_sql = {}

    def rows(self, pks):
        return self.model._default_manager.filter(pk__in=pks, claim_token=self.token)

    def finish(self, pks, status, error="", bucket=None, **fields):
        if pks:
            self.rows(pks).update(status=status, claim_token=None, last_error=error[:2000], **fields)
            (bucket if bucket is not None else getattr(self.result, status)).extend(pks)

    def skip(self, pks, reason):
        """Nothing to send for these rows (e.g. the recipient left): final."""
        self.finish(pks, DeliveryStatus.SKIPPED, reason)

    def fail(self, pks, reason):
        """These rows cannot be sent: final, with the reason recorded."""
        self.finish(pks, DeliveryStatus.FAILED, reason)

    def renew(self):
        claimed = self.model._default_manager.filter(claim_token=self.token, status=DeliveryStatus.SENDING)
        claimed.update(claimed_at=timezone.now())
        return set(claimed.values_list("pk", flat=True))

    def mark_sent(self, outgoing):
        """Recorded as the message goes out (see smtp.smtp_transaction); the
        claim token stays on the row."""
        pk = outgoing.delivery.pk
        if not self._mark_sent_sql(pk, outgoing.message_id, outgoing.sent_fields):
            logger.warning("%s %s was reclaimed while being sent", self.model.__name__, pk)
        self.result.sent.append(pk)

    def _mark_sent_sql(self, pk, message_id, extra):
        """One UPDATE by primary key per message, without the ORM's per-call
        query compilation (it is the hot path of a send)."""
        names = tuple(extra)
        if names not in self._sent_sql:
            opts = self.model._meta
            columns = "".join(f", {db.ops.quote_name(opts.get_field(n).column)} = %s" for n in names)
            sql = (
                f"UPDATE {db.ops.quote_name(opts.db_table)} SET status = %s, sent_at = %s, "
                f"message_id = %s, last_error = ''{columns} "
                f"WHERE {db.ops.quote_name(opts.pk.column)} = %s AND claim_token = %s"
            )
            token = opts.get_field("claim_token").get_db_prep_value(self.token, db)
            self._sent_sql[names] = (sql, [opts.get_field(n) for n in names], token)
        sql, fields, token = self._sent_sql[names]
        sent_at = self.model._meta.get_field("sent_at").get_db_prep_value(timezone.now(), db)
        values = [f.get_db_prep_value(extra[f.name], db) for f in fields]
        with db.cursor() as cursor:
            cursor.execute(sql, [DeliveryStatus.SENT, sent_at, message_id, *values, pk, token])
            return cursor.rowcount

    def unmark_sent(self, row):
        if row.pk in self.result.sent:
            self.result.sent.remove(row.pk)
            self.rows([row.pk]).update(status=DeliveryStatus.SENDING, sent_at=None, message_id="")

    def temporary(self, rows, error):
        max_attempts = self.policy.max_attempts
        give_up = [r.pk for r in rows if r.attempts >= max_attempts]
        again = [r for r in rows if r.attempts < max_attempts]
        self.fail(give_up, f"gave up after {max_attempts} attempts: {error}")
        self.finish([r.pk for r in again], DeliveryStatus.PENDING, error, bucket=self.result.retry)
        if again:
            wait = self.policy.backoff(min(r.attempts for r in again))
            self.result.retry_in = max(self.result.retry_in, wait)


def send_chunk(queryset, ids, policy, build):
    """Claim the rows `ids` of `queryset`'s model, build their messages
    (`build(rows, chunk)`, with the claimed rows read through `queryset`,
    e.g. with its select_related) and send them over one connection."""
    model = queryset.model
    ids = sorted(set(ids))
    token = uuid.uuid4()
    now = timezone.now()
    result = ChunkResult()
    chunk = Chunk(model, token, policy, result)
    claim(model, ids, token, now, policy)
    claimed = list(queryset.filter(claim_token=token).order_by("pk"))
    if len(claimed) < len(ids):
        for pk, claimed_at in model._default_manager.filter(
            pk__in=ids, status=DeliveryStatus.SENDING
        ).exclude(claim_token=token).values_list("pk", "claimed_at"):
            result.busy.append(pk)
            remaining = (claimed_at + policy.lease - now).total_seconds()
            result.retry_in = max(result.retry_in, remaining + 1)
    if not claimed:
        return result

    # Rows whose earlier claims all died with their worker: stop somewhere.
    exhausted = [r.pk for r in claimed if r.attempts > policy.max_attempts]
    chunk.fail(exhausted, "worker lost while sending, too many times")
    claimed = [r for r in claimed if r.attempts <= policy.max_attempts]
    messages = build(claimed, chunk) if claimed else []
    if messages:
        _deliver(messages, chunk)
    return result


def _deliver(messages, chunk):
    """Send over one connection, marking each row as it goes out."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:
        chunk.temporary([m.delivery for m in messages], f"connection failed: {exc}")
        return
    renew_every = chunk.policy.lease_seconds / 3
    renewed = monotonic()
    try:
        for index, outgoing in enumerate(messages):
            row = outgoing.delivery
            if monotonic() - renewed > renew_every:
                # Keep our claim while the chunk is going out; skip rows that
                # were reclaimed (we stalled for longer than a lease).
                renewed = monotonic()
                if row.pk not in chunk.renew():
                    continue
            try:
                smtp.send(connection, outgoing, lambda outgoing=outgoing: chunk.mark_sent(outgoing))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                chunk.unmark_sent(row)
                code, text = smtp.reply_code(exc)
                error = f"{code} {text}"
                if code is not None and 400 <= code < 500:
                    chunk.temporary([row], error)
                else:
                    chunk.fail([row.pk], error)
                if code == 421:  # the server closed the connection
                    connection.close()
            except (smtplib.SMTPException, OSError) as exc:
                # The connection is gone: this one and the rest are for later.
                chunk.unmark_sent(row)
                chunk.temporary([m.delivery for m in messages[index:]], f"connection lost: {exc}")
                return
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            logger.debug("closing the SMTP connection failed", exc_info=True)


def run_send_task(task, ids, send, policy):
    """The body of a bound Celery task that sends one chunk with `send(ids)`
    (a kind's send_chunk) and retries its temporarily failed (or busy) rows
    with backoff. The number of attempts is bounded per row in the database
    (`policy.max_attempts`), not by the task's retries.

    Eager (the embedded default): retries in-process, without the backoff;
    Celery's eager retry would raise out of the caller."""
    result = send(ids)
    if task.request.is_eager:
        while result.retry:
            result = send(result.retry)
        return None
    if result.to_retry and task.request.retries < 4 * policy.max_attempts:
        raise task.retry(args=[result.to_retry], countdown=result.retry_in)
    return {"sent": len(result.sent), "failed": len(result.failed), "skipped": len(result.skipped)}
