"""`manage.py send_digests` as an operator runs it: a subprocess (with
Django's system checks) on the test database, enqueueing to the real Celery
worker, which sends to the SMTP sink."""

import subprocess
import sys

import pytest

from cities.models import DeliveryStatus, DigestDelivery
from tests.services import BASE_DIR, wait_until, wait_until_worker_idle

from .conftest import EXCLUDED, GROUP_NAME, INCLUDED, add_members

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def send_digests(worker, *args):
    """Run the command with the worker's environment (test settings, the
    test database, the worker's broker); its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", "send_digests", *args],
        cwd=BASE_DIR, env=worker.env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_dry_run_then_now_twice(world, celery_worker, smtp_sink):
    add_members(world["group"], 3)

    out = send_digests(celery_worker, "--dry-run", "--now")
    assert "bilbao-dublin weekly:" in out and ": 3 member(s)" in out
    for i in range(3):
        assert f"  member{i}@example.org: {GROUP_NAME}: 2 new practices\n" in out
    wait_until_worker_idle()
    assert not DigestDelivery.objects.exists()
    assert smtp_sink.count() == 0

    out = send_digests(celery_worker, "--now")
    assert "Enqueued 3 digest(s), re-enqueued 0." in out
    wait_until(
        lambda: DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 3,
        timeout=60, message="three digests sent",
    )
    wait_until_worker_idle()
    received = {m.rcpt_tos[0]: m.message for m in smtp_sink.messages}
    assert sorted(received) == [f"member{i}@example.org" for i in range(3)]
    for message in received.values():
        assert message["Subject"] == f"{GROUP_NAME}: 2 new practices"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert all(title in text and title in html for title in INCLUDED)
        assert not any(title in text or title in html for title in EXCLUDED)
        assert "http://testserver/cities/turin/turin-worker-buyouts/" in text

    out = send_digests(celery_worker, "--now")  # the same period again: nothing more
    assert "Enqueued 0 digest(s), re-enqueued 0." in out
    wait_until_worker_idle()
    assert smtp_sink.count() == 3
    assert DigestDelivery.objects.count() == 3


def test_an_unknown_group_is_an_error_and_changes_nothing(world, celery_worker):
    result = subprocess.run(
        [sys.executable, "manage.py", "send_digests", "--now", "--group", "no-such-group"],
        cwd=BASE_DIR, env=celery_worker.env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert "No working group with slug no-such-group." in result.stderr
    assert not DigestDelivery.objects.exists()
