"""`get_backend()`: Elasticsearch (behind a circuit breaker that falls back to
the database) when settings.ELASTICSEARCH_URL is set, the database otherwise.

The modules: `contract` (query in, result out), `facets` (facet values),
`urls` (result URLs), `highlight`, `database` (with one module per vendor)
and `elasticsearch`."""

from django.conf import settings

from ..breaker import CircuitBreaker, FallbackBackend
from .contract import BaseSearchBackend
from .database import DatabaseBackend
from .elasticsearch import ElasticsearchBackend

_backends: dict = {}


def get_backend(url: str | None = None, index: str | None = None) -> BaseSearchBackend:
    url = settings.ELASTICSEARCH_URL if url is None else url
    if not url:
        return DatabaseBackend()
    index = index or settings.ELASTICSEARCH_INDEX
    key = (url, index)
    if key not in _backends:
        _backends[key] = FallbackBackend(
            ElasticsearchBackend(url, index),
            DatabaseBackend(),
            CircuitBreaker(
                failure_threshold=settings.SEARCH_BREAKER_THRESHOLD,
                reset_after=settings.SEARCH_BREAKER_RESET,
            ),
        )
    return _backends[key]
