"""Sending the indexing task (`search.tasks.update_pages`): the one place
that does.

The task carries the engine and alias configured in the sending process, so
that any worker indexes where this process searches. An editorial event's
update is first recorded in the outbox (`search.outbox`), in the editor's
transaction, and sent once it commits; the task deletes the row when the
work is done. Sending never fails the caller: an error is logged and the
row stays, to be re-sent by `resend_due` (the beat task
`search.drain_outbox`, every settings.SEARCH_OUTBOX_INTERVAL)."""

import logging

from django.conf import settings
from django.db import transaction

from . import outbox
from .tasks import update_pages

logger = logging.getLogger(__name__)


def send(page_ids, es_url, index, database=False, update_id=None) -> bool:
    """Queue the task; False (logged) when the broker did not take it."""
    try:
        update_pages.delay(sorted(page_ids), es_url, index, database=database, update_id=update_id)
    except Exception:
        logger.exception(
            "Search indexing of pages %s was not queued (or, run eagerly, failed); %s", sorted(page_ids),
            "the outbox will re-send it" if update_id is not None else "`search_index --check --fix` repairs the drift",
        )
        return False
    return True


def send_after_commit(page_ids, database=False):
    """An outbox row for these pages in the current transaction, and the
    task once it commits (`database`: the database index too, for events too
    big to index in the editor's request)."""
    target = (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX, database)
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the editor's change intact
            update_id = outbox.record(page_ids, *target)
    except Exception:
        logger.exception("The outbox row for pages %s could not be written", sorted(page_ids))
        update_id = None
    transaction.on_commit(lambda: send(page_ids, *target, update_id=update_id), robust=True)


def resend_due(grace=None) -> int:
    """Send again the outbox rows that are due (`outbox.claim_due`); the
    number sent."""
    sent = 0
    for row in outbox.claim_due(grace=grace):
        sent += send(row.page_ids, row.es_url, row.index, database=row.database, update_id=row.pk)
    return sent


def reindex_elasticsearch(page_ids):
    """Bring these pages' Elasticsearch documents up to date in the
    background (e.g. documents a search met that the database index no
    longer holds: they are deleted). A repair asked for by a search, not an
    editorial change: no outbox row."""
    if settings.ELASTICSEARCH_URL:
        send(set(page_ids), settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX)
