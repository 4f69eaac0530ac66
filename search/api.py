"""JSON API: `/api/practices/` (the same search as the page) and
`/api/practices/suggest/` (autocomplete), described in `/api/schema/`."""

from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from . import schema
from .backends import get_backend
from .backends.contract import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_QUERY_LENGTH,
    SORTS,
)
from .backends.facets import load_facet_options
from .backends.urls import HitUrls
from .params import (
    MAX_RESULT_WINDOW,
    MAX_SUGGEST_LENGTH,
    SearchParamError,
    page_error,
    parse_search_params,
    parse_suggest_params,
)
from .renderers import dumps

DEGRADED_NOTICE = "Search is running in a reduced mode: results may be less complete."


class TermSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CitySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField(allow_null=True)
    country_name = serializers.CharField(allow_null=True)


class HighlightSerializer(serializers.Serializer):
    summary = serializers.ListField(child=serializers.CharField(), required=False)
    body = serializers.ListField(child=serializers.CharField(), required=False)


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    summary = serializers.CharField()
    city = CitySerializer(allow_null=True)
    challenges = TermSerializer(many=True)
    start_year = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    highlights = HighlightSerializer(help_text="HTML fragments; matches wrapped in <mark>.")


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetSerializer(serializers.Serializer):
    label = serializers.CharField()
    values = FacetValueSerializer(many=True)


class PageInfoSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    page_size = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    has_next = serializers.BooleanField()
    has_previous = serializers.BooleanField()


class SearchResponseSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = PageInfoSerializer()
    results = HitSerializer(many=True)
    facets = serializers.DictField(child=FacetSerializer())
    suggestion = serializers.CharField(allow_null=True, help_text="'Did you mean' text, when the engine has one.")
    corrected = serializers.CharField(
        allow_null=True,
        help_text="The text that was searched instead of `q`, whose words the index does not know "
        "(null when `q` itself was searched; send `exact=1` to search `q` as typed).",
    )
    backend = serializers.CharField()
    degraded = serializers.BooleanField(help_text="True when Elasticsearch failed and the database answered.")
    notice = serializers.CharField(allow_null=True)


ErrorSerializer = inline_serializer(
    "SearchError", {"errors": serializers.DictField(child=serializers.CharField())}
)


def hit_data(hit, highlights, urls, language) -> dict:
    city = hit.city
    if city is not None:
        code = city.country_code
        city_data = {
            "slug": city.slug,
            "name": city.title,
            "country": code or None,
            "country_name": schema.country_name(code, language) if code else None,
        }
    else:
        city_data = None
    return {
        "id": hit.pk,
        "title": hit.title,
        "url": urls(hit.url_path),
        "summary": hit.summary,
        "city": city_data,
        "challenges": [{"slug": c.slug, "name": c.name} for c in hit.challenges],
        "start_year": hit.start_year,
        "status": hit.status,
        "highlights": highlights.get(hit.pk, {}),
    }


def result_data(result, urls: HitUrls) -> dict:
    info = result.page_info
    language = get_language() or ""
    highlights = result.highlights
    return {
        "total": result.total,
        "page": {
            "number": info.page,
            "page_size": info.page_size,
            "num_pages": info.num_pages,
            "has_next": info.has_next,
            "has_previous": info.has_previous,
        },
        "results": [hit_data(hit, highlights, urls, language) for hit in result.hits],
        "facets": {
            # FacetValues are dicts of exactly these keys.
            name: {"label": schema.FACETS[name].label, "values": values}
            for name, values in result.facets.items()
        },
        "suggestion": result.suggestion,
        "corrected": result.corrected,
        "backend": result.backend,
        "degraded": result.degraded,
        "notice": DEGRADED_NOTICE if result.degraded else None,
    }


def json_response(data, status: int = 200) -> HttpResponse:
    """JSON through orjson, straight into the response: the search response
    (hits, highlights, eight facets) is tens of kilobytes, and it is built
    on every search."""
    return HttpResponse(dumps(data), status=status, content_type="application/json")


class JSONOnly(BaseContentNegotiation):
    """These endpoints answer JSON whatever the client asks for (they have
    no other representation), without parsing the Accept header."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


FACET_PARAMETERS = [
    OpenApiParameter(
        facet.name, OpenApiTypes.STR, many=True, explode=True, description=f"{facet.label}: OR-ed values (slugs)."
    )
    for facet in schema.FACET_LIST
]


class PracticeSearchAPIView(APIView):
    """The search as JSON: a DRF view, so that drf-spectacular describes it,
    whose GET and HEAD are served as a plain Django view (no authentication,
    permissions, parsing or content negotiation: it reads the query string
    and answers JSON, encoded once). Other methods go through DRF (405)."""

    content_negotiation_class = JSONOnly

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            return self.get(request)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        operation_id="practices_search",
        summary="Search the published case studies",
        description=(
            "Full-text search with multi-select facets. Values inside one facet are OR-ed, facets are AND-ed; "
            "each facet's counts apply the other facets' filters but not its own."
        ),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description=f"Search text (at most {MAX_QUERY_LENGTH} characters)."),
            *FACET_PARAMETERS,
            OpenApiParameter("year_from", OpenApiTypes.INT, description="Start year at least."),
            OpenApiParameter("year_to", OpenApiTypes.INT, description="Start year at most."),
            OpenApiParameter(
                "exact", OpenApiTypes.INT, enum=[0, 1],
                description="1: search the words of `q` as typed, never a corrected text.",
            ),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(SORTS)),
            OpenApiParameter(
                "page", OpenApiTypes.INT,
                description=f"1-based page number; page × page_size at most {MAX_RESULT_WINDOW}.",
            ),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description=f"Default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}."
            ),
        ],
        responses={200: SearchResponseSerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        options = load_facet_options()
        try:
            query = parse_search_params(request.GET, options)
        except SearchParamError as exc:
            return json_response({"errors": exc.errors}, status=400)
        result = get_backend().search(query, options)
        if errors := page_error(result):
            return json_response({"errors": errors}, status=400)
        return json_response(result_data(result, options.urls))


class PracticeSuggestAPIView(APIView):
    content_negotiation_class = JSONOnly

    @extend_schema(
        operation_id="practices_suggest",
        summary="Autocomplete suggestions for the search box",
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, required=False,
                description=f"What has been typed so far (at most {MAX_SUGGEST_LENGTH} characters; none: no suggestions).",
            )
        ],
        responses={
            200: inline_serializer("Suggestions", {"suggestions": serializers.ListField(child=serializers.CharField())}),
            400: ErrorSerializer,
        },
    )
    def get(self, request):
        try:
            prefix = parse_suggest_params(request.query_params)
        except SearchParamError as exc:
            return Response({"errors": exc.errors}, status=400)
        return Response({"suggestions": get_backend().suggest(prefix)})
