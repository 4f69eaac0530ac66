"""notify() in the embedded default (eager Celery): rows in the caller's
transaction, sent after the commit, exactly once per (key, recipient),
rendered at send time; the email as an SMTP server receives it; bad input
refused with nothing written; the safety net's timing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from wagtail import hooks

from notifications import notices, notify
from notifications.models import DeliveryStatus, Notice
from notifications.tasks import send_notices

from .conftest import CONTEXT, LINK

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """notify() in a transaction that commits (its after-commit send runs)."""

    def call(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(*args, **kwargs)

    return call


def test_once_per_recipient_however_often_it_is_asked(people, committed):
    ana, bo, cy = people["ana"], people["bo"], people["cy"]
    ids = committed("question:1:asked", [ana, bo], "test_notice", CONTEXT, link=LINK)
    assert len(ids) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]

    # The same key again, a recipient twice in one call, by id or as a user: nothing more.
    assert committed("question:1:asked", [ana, bo, ana.pk], "test_notice", CONTEXT, link=LINK) == []
    assert len(mail.outbox) == 2
    # A new recipient for the same key gets theirs; another key is another notice.
    committed("question:1:asked", [ana, cy], "test_notice", CONTEXT, link=LINK)
    committed("question:1:answered", [ana], "test_plain", {"number": 1})
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana@example.org", "ana@example.org", "bo@example.org", "cy@example.org",
    ]
    assert Notice.objects.filter(status=DeliveryStatus.SENT).count() == 4
    assert set(Notice.objects.values_list("attempts", flat=True)) == {1}


def test_the_received_email_is_the_rendered_template(people, committed, smtp_settings):
    sink = smtp_settings
    ana = people["ana"]
    (notice_id,) = committed("question:1:asked", [ana], "test_notice", CONTEXT, link=LINK)
    (received,) = sink.to("ana@example.org")
    message = received.message

    assert message["Subject"] == "Turin asks about “Rikx & co-operatives”"
    assert message["To"] == "ana@example.org"
    assert message["Message-ID"] == f"<notice.{notice_id}@testserver>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None  # digests only
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content()
    assert text.startswith("Hello Ana Ruiz,\n")
    # The text part is not HTML-escaped; the HTML part is, with its CSS inlined.
    assert "Marta Rossi from Turin asks about Rikx & co-operatives:" in text
    assert "How did you choose the <first> artists?" in text
    assert "Answer it: http://testserver/cities/turin/casabottega/" in text
    assert "(language: en)" in text
    assert "<strong>Rikx &amp; co-operatives</strong>" in html
    assert "How did you choose the &lt;first&gt; artists?" in html
    assert 'href="http://testserver/cities/turin/casabottega/"' in html and ">Answer it</a>" in html
    assert "<style" not in html and 'style="' in html
    assert '<html lang="en">' in html
    notice = Notice.objects.get(pk=notice_id)
    assert (notice.status, notice.address, notice.message_id) == (
        DeliveryStatus.SENT, "ana@example.org", message["Message-ID"]
    )


def test_rendered_when_sent_with_the_recipients_address_and_language(people, django_capture_on_commit_callbacks):
    ana = people["ana"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify("question:1:asked", [ana], "test_notice", CONTEXT)
    # Between the commit and the send, Ana changes her address and (through
    # the hook a higher app registers) reads French.
    ana.email = "ana.ruiz@example.org"
    ana.save()
    with hooks.register_temporarily("notification_languages", lambda users: {ana.pk: "fr"}):
        for callback in callbacks:
            callback()
    (message,) = mail.outbox
    assert message.to == ["ana.ruiz@example.org"]
    assert "(language: fr)" in message.body
    assert "Answer it" not in message.body  # no link given: no link line


def test_a_kind_without_html_is_a_text_email(people, committed, smtp_settings):
    committed("plain:1", [people["bo"]], "test_plain", {"number": 7})
    (received,) = smtp_settings.to("bo@example.org")
    assert received.message["Subject"] == "Plain notice 7"
    assert received.message.get_content_type() == "text/plain"
    assert "Hello bo,\n\nPlain notice number 7." in received.message.get_content().replace("\r\n", "\n")


def test_a_rolled_back_notice_is_never_sent(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify("question:1:asked", [people["ana"]], "test_notice", CONTEXT)
            raise RuntimeError("the caller's change failed")
    assert callbacks == []
    assert not Notice.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (("", "test_notice", CONTEXT), {}, "a notice key is a non-empty string"),
        (("k" * 201, "test_notice", CONTEXT), {}, "a notice key is a non-empty string of at most 200"),
        (("q:1", "no_such_kind", CONTEXT), {}, "has no template notifications/no_such_kind_subject.txt"),
        (("q:1", "../cities/email/digest", CONTEXT), {}, "is not a notice kind"),
        (("q:1", "test_notice", {"when": timezone.now()}), {}, "must be JSON"),
        (("q:1", "test_notice", {"link": "/x/"}), {}, "may not set link"),
        (("q:1", "test_notice", ["not", "a", "dict"]), {}, "context is a dict"),
        (("q:1", "test_notice", CONTEXT), {"link": "javascript:alert(1)"}, "link is a path or an http(s) URL"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(people, django_capture_on_commit_callbacks, args, kwargs, message):
    key, kind, context = args
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
            notify(key, [people["ana"]], kind, context, **kwargs)
    assert not callbacks and not Notice.objects.exists() and not mail.outbox


def test_a_recipient_must_be_a_user_or_an_id(people):
    with pytest.raises(ValueError, match="a recipient is a user or a user's id"):
        notify("q:1", [people["ana"], "bo@example.org"], "test_notice", CONTEXT)
    assert not Notice.objects.exists()


def test_inactive_and_addressless_recipients_are_skipped(people, committed):
    ana, bo = people["ana"], people["bo"]
    ana.is_active = False
    ana.save()
    bo.email = ""
    bo.save()
    committed("q:1", [ana, bo, people["cy"]], "test_notice", CONTEXT)
    assert [m.to for m in mail.outbox] == [["cy@example.org"]]
    rows = {n.recipient.username: n for n in Notice.objects.select_related("recipient")}
    assert (rows["ana"].status, rows["ana"].last_error) == (DeliveryStatus.SKIPPED, "account inactive")
    assert (rows["bo"].status, rows["bo"].last_error) == (DeliveryStatus.SKIPPED, "no email address")


def test_a_notice_that_cannot_be_rendered_is_failed_and_recorded(people, committed):
    committed("broken:1", [people["ana"]], "test_broken", {})
    committed("plain:1", [people["ana"]], "test_plain", {"number": 1})
    assert [m.subject for m in mail.outbox] == ["Plain notice 1"]
    broken = Notice.objects.get(key="broken:1")
    assert broken.status == DeliveryStatus.FAILED and broken.attempts == 1
    assert broken.last_error.startswith("rendering failed: TemplateDoesNotExist")


def test_smtp_refusals_in_eager_mode(people, committed, smtp_settings):
    """4xx retried (in-process when eager) and delivered once; 5xx failed at once."""
    sink = smtp_settings
    sink.refuse_temporarily("ana@example.org", times=1)
    sink.refuse_permanently("bo@example.org")
    committed("q:1", [people["ana"], people["bo"], people["cy"]], "test_plain", {"number": 1})
    rows = {n.recipient.username: n for n in Notice.objects.select_related("recipient")}
    assert len(sink.to("ana@example.org")) == 1 and (rows["ana"].status, rows["ana"].attempts) == ("sent", 2)
    assert not sink.to("bo@example.org")
    assert (rows["bo"].status, rows["bo"].attempts) == ("failed", 1)
    assert rows["bo"].last_error.startswith("550")
    assert len(sink.to("cy@example.org")) == 1


def test_a_broker_down_at_commit_leaves_the_notice_for_the_safety_net(people, django_capture_on_commit_callbacks, settings):
    def broker_down(ids):
        raise ConnectionError("Error 111 connecting to the broker")

    with django_capture_on_commit_callbacks(execute=True):
        notices.queue("q:1", [people["ana"]], "test_plain", {"number": 1}, enqueue=broker_down)
    # The caller was not failed; the notice waits, pending.
    notice = Notice.objects.get()
    assert notice.status == DeliveryStatus.PENDING and not mail.outbox
    # Beat's safety net takes it once it is older than a lease (not before).
    lease = timedelta(seconds=settings.NOTICE_CLAIM_LEASE_SECONDS)
    assert notices.requeue_stale(now=notice.created_at + lease / 2, enqueue=send_notices.delay) == 0
    assert notices.requeue_stale(now=notice.created_at + lease * 2, enqueue=send_notices.delay) == 1
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    notice.refresh_from_db()
    assert notice.status == DeliveryStatus.SENT


def test_the_safety_net_leaves_a_retry_alone_until_it_is_overdue(people, settings):
    """A row put back after a 4xx is retried by its task after the backoff;
    the safety net takes it only once that retry is overdue by a lease."""
    settings.NOTICE_RETRY_BACKOFF_SECONDS = 60
    lease = timedelta(seconds=settings.NOTICE_CLAIM_LEASE_SECONDS)
    start = timezone.now() - timedelta(days=1)
    make = Notice.objects.create
    retrying = make(key="a", recipient=people["ana"], kind="test_plain", created_at=start,
                    status=DeliveryStatus.PENDING, attempts=3, claimed_at=start)  # backoff(3) = 240 s
    dead = make(key="b", recipient=people["ana"], kind="test_plain", created_at=start,
                status=DeliveryStatus.SENDING, attempts=1, claimed_at=start)
    make(key="c", recipient=people["ana"], kind="test_plain", created_at=start, status=DeliveryStatus.SENT)

    def swept(after):
        queued = []
        notices.requeue_stale(now=start + after, enqueue=queued.extend)
        return sorted(queued)

    assert swept(lease - timedelta(seconds=1)) == []
    assert swept(lease + timedelta(seconds=1)) == [dead.pk]  # its worker died
    assert swept(lease + timedelta(seconds=239)) == [dead.pk]
    assert swept(lease + timedelta(seconds=241)) == [retrying.pk, dead.pk]  # its retry was lost
    # Nothing older than NOTICE_REQUEUE_DAYS.
    assert swept(timedelta(days=settings.NOTICE_REQUEUE_DAYS + 2)) == []
