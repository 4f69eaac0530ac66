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
def update_pages(page_ids, es_url=None, index=None):
    return indexing.update_pages(page_ids, url=es_url, index=index)
