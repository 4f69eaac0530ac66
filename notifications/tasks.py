"""Celery tasks for the notices: thin wrappers around notifications.notices.
Payloads are notice ids; the logic re-reads the database and tolerates rows
that have gone."""

from celery import shared_task

from . import notices
from .delivery import run_send_task


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def send_notices(self, notice_ids):
    """Send one chunk of notices; retry the temporarily failed (or busy) ones
    with backoff (notifications.delivery.run_send_task)."""
    return run_send_task(self, notice_ids, notices.send_chunk, notices.policy())


@shared_task(acks_late=True, ignore_result=True)
def requeue_notices():
    """The safety net, from beat every NOTICE_SWEEP_SECONDS."""
    return {"requeued": notices.requeue_stale(enqueue=send_notices.delay)}
