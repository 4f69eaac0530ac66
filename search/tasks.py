"""Celery tasks: one line into `search.indexing`. Payloads are page ids."""

from celery import shared_task
from elastic_transport import TransportError

from . import indexing


@shared_task(
    name="search.update_pages",
    autoretry_for=(TransportError, ConnectionError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def update_pages(page_ids, es_url=None, index=None, database=False):
    """The database index first when asked (big events; it never waits on
    Elasticsearch), then Elasticsearch when it is configured."""
    done = {}
    if database:
        done["database"] = indexing.update_entries(page_ids)
    if es_url:
        done["elasticsearch"] = indexing.update_pages(page_ids, url=es_url, index=index)
    return done
