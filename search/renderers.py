"""JSON for the API, encoded with orjson (lazy translation strings become
text); `dumps` is the one encoder of the API's views and DRF's renderer
(why orjson: docs/benchmarks.md)."""

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import JSONRenderer


def json_default(value):
    if isinstance(value, Promise):  # lazy translations
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data) -> bytes:
    return orjson.dumps(data, default=json_default)


class ORJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return dumps(data)
