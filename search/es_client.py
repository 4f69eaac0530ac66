"""One Elasticsearch client per URL and timeout, shared by the process."""

from django.conf import settings
from elasticsearch import Elasticsearch
from elasticsearch.serializer import OrjsonSerializer

_clients: dict[tuple, Elasticsearch] = {}


def get_client(url: str | None = None, timeout: float | None = None) -> Elasticsearch:
    url = url or settings.ELASTICSEARCH_URL
    timeout = timeout or settings.ELASTICSEARCH_TIMEOUT
    key = (url, timeout)
    if key not in _clients:
        # orjson (a dependency already) for request bodies and responses.
        _clients[key] = Elasticsearch(
            url, request_timeout=timeout, max_retries=0, retry_on_timeout=False, serializer=OrjsonSerializer()
        )
    return _clients[key]
