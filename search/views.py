"""The /practices/ search page (served by PracticeIndexPage.index)."""

from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext

from . import schema
from .api import DEGRADED_NOTICE
from .backends import get_backend
from .backends.contract import SORTS, SearchQuery
from .backends.facets import load_facet_options
from .params import SearchParamError, page_error, parse_search_params
from .result_map import results_map


def _url(params: list[tuple[str, str]]) -> str:
    return "?" + urlencode(params) if params else "?"


def _params(request, drop_page=True) -> list[tuple[str, str]]:
    return [
        (k, v)
        for k, values in request.GET.lists()
        for v in values
        if v != "" and not (drop_page and k == "page")
    ]


def search_context(request) -> tuple[dict, int]:
    """Everything the template needs, and the HTTP status."""
    options = load_facet_options()
    status = 200
    errors = {}
    try:
        query = parse_search_params(request.GET, options, allow_page_size=False)
    except SearchParamError as exc:
        errors = exc.errors
        status = 400
        query = SearchQuery()
    result = get_backend().search(query, options)
    if not errors and page_error(result):
        # As before the search page: a page past the end does not exist.
        raise Http404("No such page of results.")
    params = _params(request)
    chips = []
    facet_groups = []
    for name, values in result.facets.items():
        for value in query.filters.get(name, ()):
            label = options.labels(name).get(value, value)
            remaining = [(k, v) for k, v in params if not (k == name and v == value)]
            chips.append({"facet": schema.FACETS[name].label, "label": label, "remove_url": _url(remaining)})
        facet_groups.append({"name": name, "label": schema.FACETS[name].label, "values": values})
    for name in ("year_from", "year_to"):
        if getattr(query, name) is not None:
            remaining = [(k, v) for k, v in params if k != name]
            year = getattr(query, name)
            # Translators: a chip of the search's "Start year" filter, e.g. "from 2015".
            label = (gettext("from %(year)s") if name == "year_from" else gettext("to %(year)s")) % {"year": year}
            chips.append({"facet": schema.FACETS["start_year"].label, "label": label, "remove_url": _url(remaining)})
    info = result.page_info
    page_links = {}
    if info.has_previous:
        page_links["previous"] = _url(params + [("page", str(info.page - 1))])
    if info.has_next:
        page_links["next"] = _url(params + [("page", str(info.page + 1))])
    suggestion_url = original_url = None
    without_text = [(k, v) for k, v in params if k not in ("q", "exact")]
    if result.suggestion:
        suggestion_url = _url(without_text + [("q", result.suggestion)])
    if result.corrected:
        original_url = _url(without_text + [("q", query.text), ("exact", "1")])
    peers_url = reverse("exchange_peers")
    if len(query.filters.get("challenge", ())) == 1:
        peers_url += "?" + urlencode({"challenge": query.filters["challenge"][0]})
    urls = options.urls
    hits = [
        {"hit": hit, "url": hit.get_url(urls), "highlights": result.highlights.get(hit.pk, {})}
        for hit in result.hits
    ]
    context = {
        "search": result,
        "query": query,
        "hits": hits,
        "facet_groups": facet_groups,
        "chips": chips,
        "clear_url": _url([(k, v) for k, v in params if k in ("q", "sort")]),
        "sorts": SORTS,
        "page_info": info,
        "page_links": page_links,
        "errors": errors,
        "suggestion_url": suggestion_url,
        "original_url": original_url,
        "degraded_notice": DEGRADED_NOTICE if result.degraded else None,
        "city_map": results_map(result, query, options, params),
        # Zero results: the chips' links remove one filter each; the peer finder.
        "peers_url": peers_url,
    }
    return context, status


def practice_search(index_page, request):
    context, status = search_context(request)
    response = index_page.render(request, template="search/practice_search.html", context_overrides=context)
    response.status_code = status
    return response

