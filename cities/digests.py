"""Working-group digests: which groups are due, the period and window of each
member's digest, the digest context built once per group (never per member),
and the guarded send.

The flow (cities/tasks.py is one line into each step):

1. fan_out() — hourly from Celery beat, or `manage.py send_digests`. For each
   group whose weekly (Monday 08:00) or monthly (1st, 08:00) slot has come in
   the group's own time zone, it inserts one pending DigestDelivery per active
   member in bulk (`ignore_conflicts`: a second beat, or a second
   `send_digests --now`, inserts nothing) and enqueues the new rows in chunks.
2. send_chunk() — a Celery task per chunk. It *claims* its rows with one
   conditional UPDATE (pending → sending, with a claim token and a lease
   timestamp), builds the digests of the claimed rows in a constant number of
   queries, sends them over one SMTP connection and marks each row sent in a
   transaction that commits when the server accepts the message (see
   _smtp_transaction). A redelivered or duplicated task finds the rows sent or
   claimed and sends nothing; the rows of a worker killed mid-chunk are
   claimable again once their lease has expired.
3. Temporary SMTP failures (4xx, lost connection) put the row back to pending
   and the task retries with exponential backoff; after DIGEST_MAX_ATTEMPTS the
   row is failed. Permanent failures (5xx) fail that row only.

A member's digest covers the case studies first published since their last
digest (their first digest: the previous period), matching the group's
challenges or from the group's cities. Only live, public pages are included.
"""

import dataclasses
import functools
import html as html_lib
import logging
import re
import smtplib
import socket
import textwrap
import uuid
from collections import OrderedDict, defaultdict
from datetime import datetime, time, timedelta
from time import monotonic
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import make_msgid, sanitize_address
from django.db import connection as db
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import ngettext
from wagtail.models import Site

from .memberships import preferences_token, unsubscribe_token
from .models import Cadence, DeliveryStatus, DigestDelivery, Membership, WorkingGroup

logger = logging.getLogger(__name__)

SEND_TIME = time(8, 0)
# A slot stays due for this long, so that a missed beat (or a beat that is
# down at 08:00) still sends the digest later that day.
DUE_WINDOW = timedelta(hours=24)
CADENCES = (Cadence.WEEKLY, Cadence.MONTHLY)

DEFAULTS = {
    "CHUNK_SIZE": 100,
    "CLAIM_LEASE_SECONDS": 900,
    "MAX_ATTEMPTS": 5,
    "RETRY_BACKOFF_SECONDS": 60.0,
    "RETRY_BACKOFF_MAX_SECONDS": 3600.0,
    "REQUEUE_DAYS": 7,
}


def conf(name):
    return type(DEFAULTS[name])(getattr(settings, f"DIGEST_{name}", DEFAULTS[name]))


def lease():
    return timedelta(seconds=conf("CLAIM_LEASE_SECONDS"))


# --- Periods, in each group's time zone ---


def _slot(day, zone):
    return datetime.combine(day, SEND_TIME, tzinfo=zone)


@dataclasses.dataclass(frozen=True)
class Period:
    cadence: str
    start: datetime  # the scheduled send time (aware, in the group's zone)

    @classmethod
    def current(cls, cadence, now, zone):
        """The latest slot at or before `now`: Monday 08:00 or the 1st 08:00, local."""
        local = now.astimezone(zone)
        if cadence == Cadence.WEEKLY:
            day = local.date() - timedelta(days=local.weekday())
        else:
            day = local.date().replace(day=1)
        period = cls(cadence, _slot(day, zone))
        return period if period.start <= local else period.previous

    @property
    def key(self):
        return f"{self.cadence}:{self.start.date().isoformat()}"

    @property
    def previous(self):
        day = self.start.date()
        if self.cadence == Cadence.WEEKLY:
            day -= timedelta(days=7)
        else:
            day = (day - timedelta(days=1)).replace(day=1)
        return Period(self.cadence, _slot(day, self.start.tzinfo))

    @property
    def next(self):
        day = self.start.date()
        if self.cadence == Cadence.WEEKLY:
            day += timedelta(days=7)
        else:
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        return Period(self.cadence, _slot(day, self.start.tzinfo))

    def is_due(self, now):
        return self.start <= now < self.start + DUE_WINDOW


def group_zone(group):
    return ZoneInfo(group.time_zone)


def due_periods(group, now, force=False):
    """The periods of `group` to send now; with force, the current ones whatever the schedule."""
    zone = group_zone(group)
    for cadence in CADENCES:
        period = Period.current(cadence, now, zone)
        if force or period.is_due(now):
            yield period


# --- Recipients and the practices of a group ---


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


@dataclasses.dataclass
class PracticeItem:
    pk: int
    title: str
    city: str
    summary: str
    url: str
    published: datetime
    section: str
    section_order: tuple

    @property
    def summary_text(self):
        return textwrap.fill(self.summary, 72, initial_indent="  ", subsequent_indent="  ")


OTHER_SECTION = "Other new practices from your cities"


def _site_root_path():
    return (
        Site.objects.filter(is_default_site=True).values_list("root_page__url_path", flat=True).first()
        or "/"
    )


def absolute_url(path):
    return settings.BASE_URL.rstrip("/") + path


def group_practices(group, start, end):
    """The listable case studies first published in [start, end) that match the
    group's challenges or come from its cities: a fixed number of queries."""
    from practices.models import CaseStudyPage

    challenge_ids = set(group.challenges.values_list("pk", flat=True))
    city_ids = list(group.member_cities.values_list("pk", flat=True))
    matching = (
        CaseStudyPage.objects.listable()
        .filter(Q(challenges__in=challenge_ids) | Q(city_id__in=city_ids))
        .filter(first_published_at__gte=start, first_published_at__lt=end)
        .values("pk")
    )
    pages = (
        CaseStudyPage.objects.filter(pk__in=matching)
        .select_related("city")
        .prefetch_related("challenges")
        .order_by("first_published_at", "pk")
    )
    root = _site_root_path()
    items = []
    for page in pages:
        challenges = list(page.challenges.all())
        section = next((c for c in challenges if c.pk in challenge_ids), None)
        if section is None and challenges:  # from a member city, on another challenge
            section = challenges[0]
        path = page.url_path[len(root) - 1:] if page.url_path.startswith(root) else page.url_path
        items.append(
            PracticeItem(
                pk=page.pk,
                title=page.title,
                city=page.city.title if page.city else "",
                summary=page.summary,
                url=absolute_url(path),
                published=page.first_published_at,
                section=section.name if section else OTHER_SECTION,
                section_order=(0, section.sort_order, section.name) if section else (1, 0, ""),
            )
        )
    return items


# --- Building and rendering ---

# Per-member strings are substituted into a digest rendered (and CSS-inlined)
# once per distinct list of practices, not once per member.
NAME_MARK = "__DIGEST_NAME__"
UNSUBSCRIBE_MARK = "__DIGEST_UNSUBSCRIBE_URL__"
PREFERENCES_MARK = "__DIGEST_PREFERENCES_URL__"
NAME_TEXT_MARK = "__DIGEST_NAME_TEXT__"
TO_MARK = "digest-recipient@mark.invalid"
MESSAGE_ID_MARK = "<digest-message-id@mark.invalid>"


def sections(items):
    grouped = OrderedDict()
    for item in sorted(items, key=lambda i: (i.section_order, i.published, i.pk)):
        grouped.setdefault(item.section, []).append(item)
    return [{"name": name, "practices": practices} for name, practices in grouped.items()]


def subject_for(group, count):
    return ngettext(
        "%(group)s: %(count)d new practice", "%(group)s: %(count)d new practices", count
    ) % {"group": group.name, "count": count}


class DigestRenderer:
    """Renders a group's digests; caches the HTML (inlined) and text per list of practices."""

    def __init__(self, group):
        self.group = group
        self.group_cities = group.city_names
        self._cache = {}
        self._mime = {}
        self.inliner = css_inline.CSSInliner(load_remote_stylesheets=False)

    def variant(self, items):
        key = tuple(item.pk for item in items)
        if key not in self._cache:
            context = {
                "group": self.group,
                "cities": self.group_cities,
                "sections": sections(items),
                "count": len(items),
                "subject": subject_for(self.group, len(items)),
                "name": NAME_MARK,
                "unsubscribe_url": UNSUBSCRIBE_MARK,
                "preferences_url": PREFERENCES_MARK,
                "site_name": settings.WAGTAIL_SITE_NAME,
                "site_url": absolute_url("/"),
            }
            html = self.inliner.inline(render_to_string("cities/email/digest.html", context))
            text = render_to_string("cities/email/digest.txt", context)
            self._cache[key] = (html, text)
        return self._cache[key]

    def render(self, digest):
        html, text = self.variant(digest.practices)
        values = {
            NAME_MARK: digest.recipient.membership.display_name,
            UNSUBSCRIBE_MARK: digest.unsubscribe_url,
            PREFERENCES_MARK: digest.preferences_url,
        }
        for mark, value in values.items():
            html = html.replace(mark, html_lib.escape(value))
            text = text.replace(mark, value)
        return html, text

    def mime_template(self, items):
        """The whole MIME message of a variant, serialized once, with marks
        where the per-member values go (building MIME is most of the cost of
        a message). None if a mark did not survive the encoding verbatim."""
        key = tuple(item.pk for item in items)
        if key not in self._mime:
            html, text = self.variant(items)
            message = make_message(
                self.group, subject_for(self.group, len(items)), text.replace(NAME_MARK, NAME_TEXT_MARK),
                html, TO_MARK, MESSAGE_ID_MARK, UNSUBSCRIBE_MARK,
            )
            data = message.message().as_bytes(linesep="\r\n")
            # Member names may not be ASCII: declare every text part 8bit.
            data = data.replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: 8bit")
            marks = (TO_MARK, MESSAGE_ID_MARK, NAME_MARK, NAME_TEXT_MARK, UNSUBSCRIBE_MARK, PREFERENCES_MARK)
            self._mime[key] = data if all(m.encode() in data for m in marks) else None
        return self._mime[key]

    def message_bytes(self, digest):
        template = self.mime_template(digest.practices)
        address = digest.recipient.address
        unsubscribe, preferences = digest.unsubscribe_url, digest.preferences_url
        plain = address.isascii() and all(
            html_lib.escape(url) == url and url.isascii() for url in (unsubscribe, preferences)
        )
        if template is None or not plain:
            return digest.message().message().as_bytes(linesep="\r\n")
        name = digest.recipient.membership.display_name
        for mark, value in (
            (TO_MARK, address),
            (MESSAGE_ID_MARK, digest.message_id),
            (NAME_MARK, html_lib.escape(name)),
            (NAME_TEXT_MARK, name),
            (UNSUBSCRIBE_MARK, unsubscribe),
            (PREFERENCES_MARK, preferences),
        ):
            template = template.replace(mark.encode(), value.encode())
        return template


TOKEN_MARK = "__TOKEN__"


@functools.cache
def _link_template(name):
    return absolute_url(reverse(name, args=[TOKEN_MARK]))


def link_for(name, token):
    """An absolute link with a signed token (reverse() once per URL name)."""
    return _link_template(name).replace(TOKEN_MARK, token)


@dataclasses.dataclass
class Digest:
    group: WorkingGroup
    recipient: Recipient
    practices: list
    renderer: DigestRenderer

    @property
    def count(self):
        return len(self.practices)

    @property
    def subject(self):
        return subject_for(self.group, self.count)

    @cached_property
    def unsubscribe_url(self):
        return link_for("cities_digest_unsubscribe", unsubscribe_token(self.recipient.membership))

    @cached_property
    def preferences_url(self):
        return link_for("cities_digest_preferences_token", preferences_token(self.recipient.membership))

    @cached_property
    def message_id(self):
        domain = urlsplit(settings.BASE_URL).hostname or "localhost"
        delivery = self.recipient.delivery
        if delivery is None or delivery.pk is None:
            return make_msgid("digest", domain=domain)
        # Stable per delivery: if a send is ever repeated after a crash, mail
        # systems that deduplicate on Message-ID see the same message.
        return f"<digest.{delivery.pk}.{delivery.period.replace(':', '.')}@{domain}>"

    def message(self, connection=None):
        html, text = self.renderer.render(self)
        return make_message(
            self.group, self.subject, text, html, self.recipient.address, self.message_id,
            self.unsubscribe_url, connection,
        )

    def as_bytes(self):
        """The message as sent over SMTP; see DigestRenderer.message_bytes."""
        return self.renderer.message_bytes(self)


def make_message(group, subject, text, html, address, message_id, unsubscribe_url, connection=None):
    domain = urlsplit(settings.BASE_URL).hostname or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        connection=connection,
        headers={
            "Message-ID": message_id,
            "List-Id": f"{group.name} <{group.slug}.digests.{domain}>",
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def build_digests(group, recipients):
    """The digests of `recipients` (all in `group`): the group's practices are
    fetched once for the widest window, then filtered per member in memory.
    A constant number of queries whatever the number of members."""
    if not recipients:
        return []
    start = min(r.window_start for r in recipients)
    end = max(r.window_end for r in recipients)
    practices = group_practices(group, start, end)
    renderer = DigestRenderer(group)
    return [
        Digest(
            group,
            r,
            [p for p in practices if r.window_start <= p.published < r.window_end],
            renderer,
        )
        for r in recipients
    ]


# --- Fan-out (beat, send_digests) ---


@dataclasses.dataclass
class FanOutReport:
    now: datetime
    periods: list = dataclasses.field(default_factory=list)  # (group, period, members)
    enqueued: int = 0
    requeued: int = 0
    previews: list = dataclasses.field(default_factory=list)  # dry run: Digest objects


def fan_out(now=None, group_slugs=None, force=False, dry_run=False):
    """Create the pending deliveries of every due group and enqueue them.

    Idempotent per period: the unique (membership, group, period) row makes a
    second call insert nothing, and only the rows this call inserted (plus
    abandoned ones, see requeue_stale) are enqueued.
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
            report.enqueued += enqueue(
                DigestDelivery.objects.filter(
                    group=group, period=period.key, status=DeliveryStatus.PENDING, created_at=now
                )
            )
    return report


def stale_q(now):
    """Rows nobody is working on: pending for longer than a lease (their task
    was lost), or claimed by a worker whose lease has expired (it died)."""
    return Q(status=DeliveryStatus.PENDING, created_at__lt=now - lease()) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - lease()
    )


def requeue_stale(now=None):
    """The safety net, run with every beat: re-enqueue abandoned rows of the
    last DIGEST_REQUEUE_DAYS. Duplicated tasks are harmless (rows are claimed)."""
    now = now or timezone.now()
    since = now - timedelta(days=conf("REQUEUE_DAYS"))
    return enqueue(DigestDelivery.objects.filter(stale_q(now), created_at__gte=since))


def enqueue(queryset):
    from .tasks import send_digest_chunk

    ids = list(queryset.order_by("group_id", "period", "pk").values_list("pk", flat=True))
    size = conf("CHUNK_SIZE")
    for i in range(0, len(ids), size):
        send_digest_chunk.delay(ids[i:i + size])
    return len(ids)


def run_scheduled(now=None):
    """What beat runs every hour."""
    now = now or timezone.now()
    report = fan_out(now=now)
    report.requeued = requeue_stale(now)
    return report


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
    base = conf("RETRY_BACKOFF_SECONDS")
    return min(base * (2 ** max(attempts - 1, 0)), conf("RETRY_BACKOFF_MAX_SECONDS"))


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
        """Recorded as the message goes out (see _smtp_transaction); the claim
        token stays on the row."""
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
        max_attempts = conf("MAX_ATTEMPTS")
        give_up = [d.pk for d in deliveries if d.attempts >= max_attempts]
        again = [d for d in deliveries if d.attempts < max_attempts]
        self.finish(give_up, DeliveryStatus.FAILED, f"gave up after {max_attempts} attempts: {error}")
        self.finish([d.pk for d in again], DeliveryStatus.PENDING, error, bucket=self.result.retry)
        if again:
            wait = backoff(min(d.attempts for d in again))
            self.result.retry_in = max(self.result.retry_in, wait)


def _smtp_code(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        return exc.smtp_code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return None, str(exc)


def send_chunk(delivery_ids):
    """Claim, build and send one chunk of deliveries; see the module docstring."""
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
    max_attempts = conf("MAX_ATTEMPTS")
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


def _smtp_transaction(smtp, from_addr, to_addrs, data, record_sent):
    """smtplib's sendmail, with the delivery recorded in a database
    transaction that spans the end of the SMTP DATA command.

    `record_sent()` runs in a transaction opened after the message data went
    out; the terminating "." is sent and the server's reply read inside it,
    and the transaction commits only on 250. A worker killed before that
    commit leaves the row claimed-but-unsent and the server without the dot
    (nothing delivered) — except in the sub-millisecond between the server
    accepting and the COMMIT reaching the database, where the message is
    delivered and will be sent again after the lease, with the same
    Message-ID. That window cannot be closed with SMTP (RFC 1047); this
    order makes a crash produce at worst a visible duplicate, never a silent
    loss, and keeps the window as short as the protocol allows.
    """
    if smtp.sock is not None:
        # The final dot is a separate small write: without TCP_NODELAY, Nagle's
        # algorithm holds it until the server's delayed ACK (~40 ms a message).
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(from_addr, options)
    if code != 250:
        smtp.close() if code == 421 else smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, from_addr)
    refused = {}
    for address in to_addrs:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(to_addrs):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        smtp.close() if code == 421 else smtp.rset()
        raise smtplib.SMTPDataError(code, reply)
    quoted = re.sub(rb"(?m)^\.", b"..", data)
    if not quoted.endswith(b"\r\n"):
        quoted += b"\r\n"
    smtp.send(quoted)
    with transaction.atomic():
        record_sent()
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:  # roll the record back
            smtp.close() if code == 421 else smtp.rset()
            raise smtplib.SMTPDataError(code, reply)


SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


@functools.lru_cache(maxsize=64)
def _envelope_address(address):
    if SIMPLE_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, settings.DEFAULT_CHARSET)


def _send_one(connection, digest, chunk):
    if isinstance(connection, SMTPBackend):
        _smtp_transaction(
            connection.connection,
            _envelope_address(settings.DEFAULT_FROM_EMAIL),
            [_envelope_address(digest.recipient.address)],
            digest.as_bytes(),
            lambda: chunk.mark_sent(digest),
        )
    else:  # console, locmem, file...: nothing can half-happen
        if not connection.send_messages([digest.message(connection)]):
            raise smtplib.SMTPException("the email backend sent nothing")
        chunk.mark_sent(digest)


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
                if isinstance(connection, SMTPBackend) and connection.connection is None:
                    connection.open()
                _send_one(connection, digest, chunk)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
                chunk.unmark_sent(delivery)
                code, text = _smtp_code(exc)
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


# --- Preview (admin) ---


def preview(group, now=None):
    """The digest the group's first member would get if it were sent now (or,
    with no members, what a new member would get), and who would get one."""
    now = now or timezone.now()
    cadence = group.default_cadence if group.default_cadence != Cadence.OFF else Cadence.WEEKLY
    period = Period.current(cadence, now, group_zone(group))
    recipients = [
        r for c in CADENCES for r in recipients_for(group, Period.current(c, now, group_zone(group)), now)
    ]
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
