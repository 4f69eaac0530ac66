"""One-off notices: an email to each of some users about one event, exactly
once per (key, user), sent after the caller's transaction commits.

- `queue(...)` (what `notifications.notify` calls): one `Notice` row per
  recipient, in the caller's transaction; the unique (key, recipient) makes
  a repeated call insert nothing. Once the transaction commits, the new rows
  are handed to `enqueue` (the send task's `delay`); if it rolls back there
  is no row and nothing is sent.
- `send_chunk(ids)`: the send task's body: notifications.delivery claims,
  sends and records; a notice is rendered here, at send time, for its
  recipient as they are then (address, name, language).
- `requeue_stale(enqueue)`: the safety net beat runs (NOTICE_SWEEP_SECONDS):
  notices whose task was lost (the broker was down at commit), whose retry
  was lost, or whose worker died while sending.
"""

import json
import logging

from django.db import transaction
from django.utils import timezone

from . import delivery, render
from .languages import languages_for
from .models import DeliveryStatus, Notice

logger = logging.getLogger(__name__)

KEY_MAX_LENGTH = Notice._meta.get_field("key").max_length
LINK_MAX_LENGTH = Notice._meta.get_field("link").max_length


def policy():
    """Chunk size, lease, attempts and backoff of the notices: the NOTICE_* settings."""
    return delivery.Policy.from_settings("NOTICE")


def _user_ids(recipients):
    ids = set()
    for recipient in recipients:
        pk = getattr(recipient, "pk", recipient)
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ValueError(f"a recipient is a user or a user's id, not {recipient!r}")
        ids.add(pk)
    return sorted(ids)


def _check(key, kind, context, link):
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_MAX_LENGTH:
        raise ValueError(f"a notice key is a non-empty string of at most {KEY_MAX_LENGTH} characters")
    render.check_kind(kind)
    if not isinstance(context, dict):
        raise ValueError("a notice's context is a dict")
    reserved = render.RESERVED & set(context)
    if reserved:
        raise ValueError(f"a notice's context may not set {', '.join(sorted(reserved))}: the templates get them")
    try:
        encoded = json.dumps(context)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a notice's context must be JSON (strings, numbers, lists, dicts): {exc}") from None
    if not isinstance(link, str) or len(link) > LINK_MAX_LENGTH or (
        link and not link.startswith(("/", "http://", "https://"))
    ):
        raise ValueError(f"a notice's link is a path or an http(s) URL of at most {LINK_MAX_LENGTH} characters")
    return json.loads(encoded)


def queue(key, recipients, kind, context=None, *, link="", enqueue):
    """Record one notice of `kind` per recipient for `key`, in the current
    transaction, and hand the new ones to `enqueue` after it commits. The
    ids of the notices this call created (none for a repeated call)."""
    context = _check(key, kind, {} if context is None else context, link)
    user_ids = _user_ids(recipients)
    if not user_ids:
        return []
    now = timezone.now()
    Notice.objects.bulk_create(
        [
            Notice(key=key, recipient_id=pk, kind=kind, context=context, link=link, created_at=now)
            for pk in user_ids
        ],
        ignore_conflicts=True,
    )
    ids = list(
        Notice.objects.filter(key=key, recipient_id__in=user_ids, created_at=now, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        transaction.on_commit(lambda: _send(ids, enqueue), robust=True)
    return ids


def _send(ids, enqueue):
    """Enqueue after the commit; never fails the caller: a broker that is
    down leaves the notices pending, for the safety net."""
    try:
        delivery.enqueue_chunks(Notice.objects.filter(pk__in=ids).order_by("pk"), enqueue, policy())
    except Exception:
        logger.exception("Notices %s were not queued (or, run eagerly, failed); the safety net re-sends them", ids)


def send_chunk(notice_ids):
    """Claim, render and send one chunk of notices."""
    return delivery.send_chunk(Notice.objects.select_related("recipient"), notice_ids, policy(), _build)


def _build(notices, chunk):
    chunk.skip([n.pk for n in notices if not n.recipient.is_active], "account inactive")
    chunk.skip([n.pk for n in notices if n.recipient.is_active and not n.recipient.email], "no email address")
    sendable = [n for n in notices if n.recipient.is_active and n.recipient.email]
    languages = languages_for([n.recipient for n in sendable])
    emails = []
    for notice in sendable:
        try:
            emails.append(render.render(notice, languages[notice.recipient_id]))
        except Exception as exc:  # a template that went or broke: recorded, not retried
            logger.exception("Notice %s could not be rendered", notice.pk)
            chunk.fail([notice.pk], f"rendering failed: {type(exc).__name__}: {exc}")
    return emails


def requeue_stale(now=None, *, enqueue):
    """The safety net: re-enqueue abandoned notices (notifications.delivery.stale_q)."""
    return delivery.requeue_stale(Notice.objects.order_by("pk"), enqueue, policy(), now)
