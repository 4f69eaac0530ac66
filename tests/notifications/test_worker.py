"""Notices through a real Celery worker process (Redis broker), a real beat
and a real SMTP server: exactly once per recipient under a repeated call
and racing workers, SMTP refusals, a worker killed mid-send, a broker down
at commit, a rolled-back transaction."""

import re
import threading
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from notifications import notices, notify
from notifications.models import DeliveryStatus, Notice
from notifications.tasks import send_notices
from tests.services import REDIS_TEST_URL, wait_until, wait_until_worker_idle

from .conftest import CONTEXT, LINK, make_users

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UNFINISHED = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]


@pytest.fixture(autouse=True)
def same_notice_settings_as_the_worker(settings, celery_worker_env):
    """This process queues and sweeps with the worker's timings."""
    for name, value in celery_worker_env.items():
        if name.startswith("NOTICE_"):
            setattr(settings, name, type(getattr(settings, name))(value))


def wait_for_all_final(timeout=90):
    wait_until(
        lambda: Notice.objects.exists() and not Notice.objects.filter(status__in=UNFINISHED).exists(),
        timeout=timeout, interval=0.1, message="every notice to be sent, failed or skipped",
    )


def per_recipient(sink):
    return Counter(rcpt.lower() for m in sink.messages for rcpt in m.rcpt_tos)


def rcpt_counter(sink):
    """Every RCPT the sink is asked for (refused ones included), by address."""
    counts = Counter()
    sink.on_rcpt(lambda address, n: counts.update([address.lower()]))
    return counts


def test_exactly_once_per_recipient_under_a_repeated_call_and_racing_workers(
    django_user_model, celery_worker, smtp_sink
):
    users = make_users(django_user_model, 40)
    log_start = len(celery_worker.log())
    with transaction.atomic():
        ids = notify("question:7:asked", users, "test_notice", CONTEXT, link=LINK)
    # The same call again, and the same chunk sent three more times at once:
    # two worker processes take the tasks side by side and race for the rows.
    with transaction.atomic():
        assert notify("question:7:asked", users, "test_notice", CONTEXT, link=LINK) == []
    for _ in range(3):
        send_notices.delay(ids)
    wait_for_all_final()
    wait_until_worker_idle()

    counts = per_recipient(smtp_sink)
    assert counts == Counter({f"peer{i}@example.org": 1 for i in range(40)})
    # Each row was claimed once: the losing tasks claimed nothing. They did
    # race: one found the rows claimed by a live worker and retried later.
    assert set(Notice.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    assert re.search(r"notifications\.tasks\.send_notices\[[^]]+\] retry: Retry in", celery_worker.log()[log_start:])
    # The email as received shows the rendered template.
    message = smtp_sink.to("peer3@example.org")[0].message
    assert message["Subject"] == "Turin asks about “Rikx & co-operatives”"
    notice = Notice.objects.get(recipient__username="peer3")
    assert message["Message-ID"] == f"<notice.{notice.pk}@testserver>" == notice.message_id
    text = message.get_body(("plain",)).get_content()
    assert "Hello peer3," in text and "How did you choose the <first> artists?" in text
    assert "Answer it: http://testserver/cities/turin/casabottega/" in text
    assert "How did you choose the &lt;first&gt; artists?" in message.get_body(("html",)).get_content()


def test_a_temporary_refusal_is_retried_then_delivered_once(people, celery_worker, smtp_sink):
    smtp_sink.refuse_temporarily("ana@example.org", times=1)
    rcpts = rcpt_counter(smtp_sink)
    with transaction.atomic():
        notify("q:1", [people["ana"], people["bo"]], "test_plain", {"number": 1})
    wait_for_all_final()
    wait_until_worker_idle()

    assert per_recipient(smtp_sink) == Counter({"ana@example.org": 1, "bo@example.org": 1})
    assert rcpts["ana@example.org"] == 2  # refused (451), then accepted
    ana = Notice.objects.get(recipient=people["ana"])
    assert (ana.status, ana.attempts, ana.last_error) == (DeliveryStatus.SENT, 2, "")


def test_a_permanent_refusal_is_failed_and_not_retried(people, celery_worker, smtp_sink):
    smtp_sink.refuse_permanently("bo@example.org")
    rcpts = rcpt_counter(smtp_sink)
    with transaction.atomic():
        notify("q:1", [people["ana"], people["bo"]], "test_plain", {"number": 1})
    wait_for_all_final()
    wait_until_worker_idle()
    # The safety net does not take it up again either, however late.
    assert notices.requeue_stale(now=timezone.now() + timedelta(hours=1), enqueue=send_notices.delay) == 0
    wait_until_worker_idle()

    assert per_recipient(smtp_sink) == Counter({"ana@example.org": 1})
    assert rcpts["bo@example.org"] == 1
    bo = Notice.objects.get(recipient=people["bo"])
    assert (bo.status, bo.attempts) == (DeliveryStatus.FAILED, 1)
    assert bo.last_error.startswith("550 5.1.1 Mailbox unavailable")


@pytest.fixture
def single_process_worker(celery_worker):
    """The worker with one pool process, so that the kill below lands at a
    known point of the SMTP exchange (see notifications.smtp.smtp_transaction
    for the sub-millisecond window no SMTP client can close)."""
    concurrency = celery_worker.concurrency
    celery_worker.kill()
    celery_worker.concurrency = 1
    celery_worker.start()
    yield celery_worker
    celery_worker.kill()  # the next test's fixture starts it again
    celery_worker.concurrency = concurrency


def test_a_worker_killed_mid_send_is_resent_by_the_beat_safety_net_without_a_duplicate(
    django_user_model, single_process_worker, celery_beat, smtp_sink
):
    worker = single_process_worker
    users = make_users(django_user_model, 30)
    killed = threading.Event()

    def kill_at_10th(address, n):
        # SIGKILL the worker while it is in the middle of an SMTP transaction
        # (after RCPT, before DATA), in the middle of its chunk.
        if n == 10 and not killed.is_set():
            worker.kill()
            killed.set()

    smtp_sink.on_rcpt(kill_at_10th)
    with transaction.atomic():
        notify("transfer:3:recorded", users, "test_plain", {"number": 3})
    assert killed.wait(60), "the worker was never killed"
    smtp_sink.on_rcpt(None)
    assert smtp_sink.count() == 9
    assert Notice.objects.filter(status=DeliveryStatus.SENT).count() == 9
    assert Notice.objects.filter(status=DeliveryStatus.SENDING).count() == 21  # claimed by the dead worker
    # Lose the killed worker's task too (Redis would hand it out again once
    # its visibility timeout passes): only beat's safety net is left.
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.delete("unacked", "unacked_index")
    finally:
        client.close()

    worker.start()
    celery_beat.start()
    wait_for_all_final()
    celery_beat.stop()
    wait_until_worker_idle()

    counts = per_recipient(smtp_sink)
    assert len(counts) == 30, "notices lost"
    assert set(counts.values()) == {1}, "notices sent twice"
    assert Notice.objects.filter(status=DeliveryStatus.SENT).count() == 30
    assert "notifications.tasks.requeue_notices" in celery_beat.log()


def test_a_broker_down_at_commit_is_made_up_for_by_the_beat_safety_net(people, celery_worker, celery_beat, smtp_sink):
    def broker_down(ids):
        raise ConnectionError("Error 111 connecting to the broker")

    with transaction.atomic():
        notices.queue("q:1", [people["ana"], people["bo"]], "test_plain", {"number": 1}, enqueue=broker_down)
    assert Notice.objects.filter(status=DeliveryStatus.PENDING).count() == 2
    celery_beat.start()
    wait_for_all_final()
    celery_beat.stop()
    wait_until_worker_idle()
    assert per_recipient(smtp_sink) == Counter({"ana@example.org": 1, "bo@example.org": 1})


def test_a_notice_in_a_transaction_that_rolls_back_is_never_sent(people, celery_worker, smtp_sink):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify("question:9:asked", [people["ana"]], "test_notice", CONTEXT, link=LINK)
        raise RuntimeError("the question could not be saved")
    with transaction.atomic():
        notify("question:10:asked", [people["bo"]], "test_notice", CONTEXT, link=LINK)
    wait_for_all_final()
    # Even a sweep long after finds nothing to send.
    assert notices.requeue_stale(now=timezone.now() + timedelta(hours=1), enqueue=send_notices.delay) == 0
    wait_until_worker_idle()
    assert per_recipient(smtp_sink) == Counter({"bo@example.org": 1})
    assert list(Notice.objects.values_list("key", flat=True)) == ["question:10:asked"]
