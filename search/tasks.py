"""Celery tasks: one line into `search.indexing` / `search.queue`. Payloads
are page ids."""

import logging

from celery import shared_task
from elastic_transport import TransportError

from . import embeddings, indexing, outbox
from .backends.database import prune_change_log

logger = logging.getLogger(__name__)


@shared_task(
    name="search.update_pages",
    autoretry_for=(TransportError, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def update_pages(page_ids, es_url=None, index=None, database=False, update_id=None):
    """The database index first when asked (big events; it never waits on
    Elasticsearch), then the vectors for search by meaning when it is on
    (a failure is logged: the text index still follows), then
    Elasticsearch when it is configured (with the vectors); then the
    outbox row `update_id` goes (when there is one, and whether or not it
    is still there)."""
    done = {}
    if database:
        done["database"] = indexing.update_entries(page_ids)
    if embeddings.enabled():
        try:
            done["embeddings"] = indexing.embed_entries(page_ids)
        except Exception:
            logger.exception("Embedding pages %s failed; `search_index --rebuild` embeds them", page_ids)
    if es_url:
        done["elasticsearch"] = indexing.update_pages(page_ids, url=es_url, index=index)
    outbox.done(update_id)
    return done


@shared_task(name="search.drain_outbox", ignore_result=True)
def drain_outbox():
    """Re-send the outbox rows that are due (beat, every SEARCH_OUTBOX_INTERVAL),
    and keep the database index's change log short."""
    from . import queue  # noqa: PLC0415 - queue sends update_pages, defined above

    prune_change_log()
    return queue.resend_due()
