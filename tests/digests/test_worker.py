"""Digests through a real Celery worker process (Redis broker) and a real
SMTP server: exactly once per member, through beat firing twice, a worker
killed mid-run, and SMTP refusals."""

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from cities.digests.delivery import fan_out, requeue_stale
from cities.digests.schedule import Period, group_zone
from cities.models import Cadence, DeliveryStatus, DigestDelivery
from cities.tasks import fan_out_digests, send_digest_chunk
from tests.services import wait_until, wait_until_worker_idle

from .conftest import add_members

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UNFINISHED = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]


@pytest.fixture(autouse=True)
def same_digest_settings_as_the_worker(settings, celery_worker_env):
    """This process enqueues and sweeps (requeue_stale) with the worker's timings."""
    for name, value in celery_worker_env.items():
        if name.startswith("DIGEST_"):
            setattr(settings, name, type(getattr(settings, name))(value))


def wait_for_all(expected, sink, timeout=120, sweep=False):
    """Until every delivery is final; with sweep, re-enqueue abandoned ones
    every two seconds, as the hourly beat does."""
    last_sweep = time.monotonic()

    def done():
        nonlocal last_sweep
        if sweep and time.monotonic() - last_sweep > 2:
            last_sweep = time.monotonic()
            requeue_stale(enqueue=send_digest_chunk.delay)
        rows = DigestDelivery.objects.all()
        return rows.count() == expected and not rows.filter(status__in=UNFINISHED).exists()

    try:
        wait_until(done, timeout=timeout, interval=0.2, message="every digest to be final")
    except AssertionError as error:
        rows = DigestDelivery.objects.values_list("status", "attempts", "claimed_at", "last_error")
        raise AssertionError(f"{error}: {Counter(rows)} at {timezone.now()}") from None
    wait_until_worker_idle()


def per_recipient(sink):
    return Counter(rcpt.lower() for m in sink.messages for rcpt in m.rcpt_tos)


def test_1000_members_exactly_one_each_with_beat_firing_twice(world, celery_worker, smtp_sink):
    group = world["group"]
    add_members(group, 1000)
    beat = Period.current(Cadence.WEEKLY, world["published"], group_zone(group)).next.start
    beat += timedelta(minutes=2)
    # Beat fires twice for the same hour: both fan-outs run, concurrently.
    fan_out_digests.delay(now=beat.isoformat())
    fan_out_digests.delay(now=beat.isoformat())
    wait_for_all(1000, smtp_sink)

    counts = per_recipient(smtp_sink)
    assert len(counts) == 1000 and set(counts.values()) == {1}
    assert set(counts) == {f"member{i}@example.org" for i in range(1000)}
    assert DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 1000
    message = smtp_sink.messages[0].message
    assert message["Subject"] == f"{group.name}: 2 new practices"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    ids = [m.message["Message-ID"] for m in smtp_sink.messages]
    assert len(set(ids)) == 1000
    # One SMTP connection per chunk (50 in the test worker), not per message.
    connections = Counter(m.peer for m in smtp_sink.messages)
    assert len(connections) <= 2 * (1000 // 50) and max(connections.values()) <= 50


@pytest.fixture
def single_process_worker(celery_worker):
    """The worker with one pool process, so that the kill below lands at a
    known point of the SMTP exchange. With several processes the others are
    killed at arbitrary instants, and one may be in the sub-millisecond
    window between the server accepting a message and the database commit
    (see notifications.smtp.smtp_transaction) that no SMTP client can close."""
    concurrency = celery_worker.concurrency
    celery_worker.kill()
    celery_worker.concurrency = 1
    celery_worker.start()
    yield celery_worker
    celery_worker.kill()  # the next test's fixture starts it again
    celery_worker.concurrency = concurrency


def test_worker_killed_mid_run_then_restarted_sends_each_digest_once(
    world, single_process_worker, smtp_sink
):
    celery_worker = single_process_worker
    add_members(world["group"], 1000)
    killed = threading.Event()

    def kill_at_400th(address, n):
        # SIGKILL the worker and its pool while it is in the middle of an SMTP
        # transaction (after RCPT, before DATA) in the middle of a chunk.
        if n == 400 and not killed.is_set():
            celery_worker.kill()
            killed.set()

    smtp_sink.on_rcpt(kill_at_400th)
    fan_out(now=timezone.now(), force=True, enqueue=send_digest_chunk.delay)  # enqueues the chunks on Redis
    assert killed.wait(60), "the worker was never killed"
    smtp_sink.on_rcpt(None)
    # One worker process sends one message at a time: the 399 before the
    # 400th RCPT were accepted and recorded, the 400th was never sent.
    assert smtp_sink.count() == 399
    assert DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 399

    celery_worker.start()
    wait_for_all(1000, smtp_sink, sweep=True)

    counts = per_recipient(smtp_sink)
    assert len(counts) == 1000, "digests lost"
    assert set(counts.values()) == {1}, "digests sent twice"
    assert DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 1000


def test_smtp_refusals_retry_temporary_and_fail_permanent(world, celery_worker, smtp_sink):
    add_members(world["group"], 20)
    smtp_sink.refuse_temporarily("member0@example.org", times=2)  # then accepted
    smtp_sink.refuse_temporarily("member1@example.org", times=50)  # never within the bound
    smtp_sink.refuse_permanently("member2@example.org")
    fan_out(now=timezone.now(), force=True, enqueue=send_digest_chunk.delay)
    wait_for_all(20, smtp_sink)

    counts = per_recipient(smtp_sink)
    rows = {d.membership.user.email: d for d in DigestDelivery.objects.select_related("membership__user")}
    assert counts["member0@example.org"] == 1
    assert rows["member0@example.org"].status == DeliveryStatus.SENT
    assert rows["member0@example.org"].attempts == 3
    assert "member1@example.org" not in counts
    assert rows["member1@example.org"].status == DeliveryStatus.FAILED
    assert rows["member1@example.org"].attempts == 4  # DIGEST_MAX_ATTEMPTS in the worker
    assert rows["member1@example.org"].last_error.startswith("gave up after 4 attempts: 451")
    assert "member2@example.org" not in counts
    assert rows["member2@example.org"].status == DeliveryStatus.FAILED
    assert rows["member2@example.org"].attempts == 1
    assert rows["member2@example.org"].last_error.startswith("550")
    others = {f"member{i}@example.org" for i in range(3, 20)}
    assert all(counts[a] == 1 and rows[a].status == DeliveryStatus.SENT for a in others)
    assert sum(counts.values()) == 18
