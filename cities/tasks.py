"""Celery tasks for the working-group digests: thin wrappers around
cities.digests.delivery, which gets `send_digest_chunk.delay` as the way to
enqueue a chunk. Payloads are ids and timestamps; the logic re-reads the
database and tolerates rows that have gone."""

import logging

from celery import shared_task
from django.utils.dateparse import parse_datetime

from notifications.delivery import run_send_task

from .digests import delivery

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fan_out_digests(now=None, group_slugs=None, force=False):
    """Hourly from beat: create and enqueue the digests of the due groups,
    and re-enqueue abandoned ones."""
    when = parse_datetime(now) if now else None
    if force or group_slugs:
        report = delivery.fan_out(now=when, group_slugs=group_slugs, force=force, enqueue=send_digest_chunk.delay)
    else:
        report = delivery.run_scheduled(now=when, enqueue=send_digest_chunk.delay)
    return {"enqueued": report.enqueued, "requeued": report.requeued}


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None)
def send_digest_chunk(self, delivery_ids):
    """Send one chunk; retry its temporarily failed (or busy) rows with backoff
    (notifications.delivery.run_send_task)."""
    return run_send_task(self, delivery_ids, delivery.send_chunk, delivery.policy())
