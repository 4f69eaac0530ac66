"""The project's URLs plus two floors for the benchmarks:

* /bench/bare/: a bare Django JSON view (nothing but Django's request and
  response);
* /bench/bare-es/?i=N: a bare Django view that sends request N (body N,
  registered by the benchmark in BODIES, and the same filter_path) with the
  bare Elasticsearch client and returns the engine's JSON as it is.
"""

import time

from django.conf import settings
from django.http import JsonResponse
from django.urls import path

from cms import urls as cms_urls

BODIES: dict[int, dict] = {}
ENGINE_SECONDS = [0.0]  # the bare client's time in the last /bench/bare-es/ request


def bare(request):
    return JsonResponse({"total": 0, "results": [], "q": request.GET.get("q", "")})


def bare_es(request):
    from search.backends.elasticsearch import SEARCH_FILTER_PATH
    from search.es_client import get_client

    body = BODIES[int(request.GET["i"])]
    started = time.perf_counter()
    response = get_client().search(index=settings.ELASTICSEARCH_INDEX, body=body, filter_path=SEARCH_FILTER_PATH).body
    ENGINE_SECONDS[0] = time.perf_counter() - started
    return JsonResponse(response)


# The site's own patterns, listed (not included: they hold i18n_patterns,
# which Django allows only in the root URLconf).
urlpatterns = [path("bench/bare/", bare), path("bench/bare-es/", bare_es), *cms_urls.urlpatterns]
