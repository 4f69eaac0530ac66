"""Queueing the indexing task (`search.tasks.update_pages`).

The task carries the engine and alias configured in the sending process, so
that any worker indexes where this process searches. Sending never fails
the caller: an error is logged, and `search_index --check --fix` repairs
the drift."""

import logging

from django.conf import settings
from django.db import transaction

from .tasks import update_pages

logger = logging.getLogger(__name__)


def send(page_ids, es_url, index, database=False):
    try:
        update_pages.delay(sorted(page_ids), es_url, index, database=database)
    except Exception:
        logger.exception(
            "Search indexing of pages %s failed; `search_index --check --fix` will repair the drift", page_ids
        )


def send_after_commit(page_ids, database=False):
    """The task for these pages once the current transaction commits
    (`database`: the database index too, for events too big to index in the
    editor's request)."""
    target = (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX, database)
    transaction.on_commit(lambda: send(page_ids, *target), robust=True)


def reindex_elasticsearch(page_ids):
    """Bring these pages' Elasticsearch documents up to date in the
    background (e.g. documents a search met that the database index no
    longer holds: they are deleted)."""
    if settings.ELASTICSEARCH_URL:
        send(set(page_ids), settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX)
