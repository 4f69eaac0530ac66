"""`get_backend()`: Elasticsearch (behind a circuit breaker that falls back to
the database) when settings.ELASTICSEARCH_URL is set, the database otherwise."""

from django.conf import settings

from .base import (  # noqa: F401
    FACETS,
    SORTS,
    BaseSearchBackend,
    FacetValue,
    PageInfo,
    SearchBackendError,
    SearchQuery,
    SearchResult,
    load_facet_options,
)
from .database import DatabaseBackend

_backends: dict = {}


def get_backend(url: str | None = None, index: str | None = None) -> BaseSearchBackend:
    url = settings.ELASTICSEARCH_URL if url is None else url
    if not url:
        return DatabaseBackend()
    index = index or settings.ELASTICSEARCH_INDEX
    key = (url, index)
    if key not in _backends:
        from ..breaker import CircuitBreaker, FallbackBackend
        from .elasticsearch import ElasticsearchBackend

        _backends[key] = FallbackBackend(
            ElasticsearchBackend(url, index),
            DatabaseBackend(),
            CircuitBreaker(
                failure_threshold=getattr(settings, "SEARCH_BREAKER_THRESHOLD", 3),
                reset_after=getattr(settings, "SEARCH_BREAKER_RESET", 30),
            ),
        )
    return _backends[key]
