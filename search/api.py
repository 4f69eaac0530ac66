"""JSON API: `/api/practices/` (the same search as the page) and
`/api/practices/suggest/` (autocomplete), described in `/api/schema/`."""

from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from cities import fragments
from practices.models import YEAR_MAX, YEAR_MIN

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
    EXACT_VALUES,
    MAX_RESULT_WINDOW,
    MAX_SUGGEST_LENGTH,
    SearchParamError,
    page_error,
    parse_search_params,
    parse_suggest_params,
)
from .renderers import dumps
from .throttling import APIAnonRateThrottle, retry_after

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
    adapted_by = serializers.IntegerField(
        help_text="Adapted by N cities: distinct public cities with an accepted transfer of this case study, "
        "at any stage but dropped (details: /api/practices/{id}/exchange/)."
    )
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
        "adapted_by": hit.adapted_by,
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
            name: {"label": str(schema.FACETS[name].label), "values": values}
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
    on every search. `data` may be JSON encoded already (bytes)."""
    body = data if isinstance(data, bytes) else dumps(data)
    return HttpResponse(body, status=status, content_type="application/json")


def remembered_json(name: str, values, build) -> HttpResponse:
    """The JSON of `build()`, encoded once per pages version and kept with
    the page fragments (`cities.fragments.remember`: until the next
    editorial event, when fragments are cached at all). `values`: every
    parameter the answer depends on."""
    return json_response(fragments.remember(name, values, lambda: dumps(build())))


class JSONOnly(BaseContentNegotiation):
    """These endpoints answer JSON whatever the client asks for (they have
    no other representation), without parsing the Accept header."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


ONCE = " Give it at most once: a repeated value is a 400."
NO_NUL = r"^[^\x00]*$"


def _param(name, schema_type, description, **schema):
    """A single-valued query parameter; `schema`: its JSON Schema bounds."""
    return OpenApiParameter(name, {"type": schema_type, **schema}, description=description + ONCE)


FACET_PARAMETERS = [
    OpenApiParameter(
        facet.name, str, many=True, explode=True,
        description=f"{facet.label}: values (slugs), repeat the parameter for several (OR-ed). "
        "An unknown value is a 400; the values known when this schema was served are listed.",
    )
    for facet in schema.FACET_LIST
]


def complete_parameters(result, generator, request, public):
    """drf-spectacular post-processing hook, for what the decorators cannot
    say: an empty query parameter counts as absent (`allowEmptyValue`, as
    HTML forms send empty fields), and each facet parameter lists the values
    the search accepts now (taxonomies and cities change as editors work;
    the schema is generated per request)."""
    options = load_facet_options()
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                parameter["allowEmptyValue"] = True
                if parameter["name"] in schema.FACETS and parameter["schema"].get("type") == "array":
                    if values := list(options.labels(parameter["name"])):
                        parameter["schema"]["items"]["enum"] = values
                    else:  # nothing to filter on yet: any value is unknown
                        parameter["schema"]["maxItems"] = 0
    return result


TOO_MANY_REQUESTS = OpenApiResponse(
    ErrorSerializer, description="Too many requests from this address: retry after `Retry-After` seconds."
)


class PublicAPIView(APIView):
    """A DRF view, so that drf-spectacular describes it, whose GET and HEAD
    are served as a plain Django view: throttled (`search.throttling`), then
    no authentication, permissions, parsing or content negotiation: it reads
    the query string and answers JSON, encoded once. Other methods go
    through DRF (405)."""

    content_negotiation_class = JSONOnly
    throttle_classes = [APIAnonRateThrottle]

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            refused = [t for t in self.get_throttles() if not t.allow_request(request, self)]
            if refused:
                wait = retry_after(refused)
                response = json_response(
                    {"errors": {"rate": f"too many requests; try again in {wait} seconds."}}, status=429
                )
                response["Retry-After"] = str(wait)
                return response
            return self.get(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class PracticeSearchAPIView(PublicAPIView):
    throttle_scope = "api_search"

    @extend_schema(
        operation_id="practices_search",
        summary="Search the published case studies",
        description=(
            "Full-text search with multi-select facets. Values inside one facet are OR-ed, facets are AND-ed; "
            "each facet's counts apply the other facets' filters but not its own. Empty parameters count as "
            "absent."
        ),
        parameters=[
            _param("q", "string", "Search text; no NUL characters.", maxLength=MAX_QUERY_LENGTH, pattern=NO_NUL),
            *FACET_PARAMETERS,
            _param("year_from", "integer", "Start year at least.", minimum=YEAR_MIN, maximum=YEAR_MAX),
            _param(
                "year_to", "integer", "Start year at most (not before `year_from`).", minimum=YEAR_MIN, maximum=YEAR_MAX
            ),
            _param(
                "exact", "integer", "1: search the words of `q` as typed, never a corrected text.",
                enum=[int(v) for v in EXACT_VALUES],
            ),
            _param("sort", "string", "Result order.", enum=list(SORTS), default="relevance"),
            _param(
                "page", "integer",
                f"1-based page number, at most the last page; page × page_size at most {MAX_RESULT_WINDOW}.",
                minimum=1, maximum=MAX_RESULT_WINDOW, default=1,
            ),
            _param("page_size", "integer", "Results per page.", minimum=1, maximum=MAX_PAGE_SIZE,
                   default=DEFAULT_PAGE_SIZE),
        ],
        responses={200: SearchResponseSerializer, 400: ErrorSerializer, 429: TOO_MANY_REQUESTS},
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


class PracticeSuggestAPIView(PublicAPIView):
    throttle_scope = "api_suggest"

    @extend_schema(
        operation_id="practices_suggest",
        summary="Autocomplete suggestions for the search box",
        description="Titles of published case studies that complete what has been typed (at most 8).",
        parameters=[
            _param(
                "q", "string", "What has been typed so far (none: no suggestions); no NUL characters.",
                maxLength=MAX_SUGGEST_LENGTH, pattern=NO_NUL,
            )
        ],
        responses={
            200: inline_serializer("Suggestions", {"suggestions": serializers.ListField(child=serializers.CharField())}),
            400: ErrorSerializer,
            429: TOO_MANY_REQUESTS,
        },
    )
    def get(self, request):
        try:
            prefix = parse_suggest_params(request.GET)
        except SearchParamError as exc:
            return json_response({"errors": exc.errors}, status=400)
        return json_response({"suggestions": get_backend().suggest(prefix)})


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, as JSON (`application/json`, which browsers show)
    unless `?format=yaml` asks for YAML. Generated per request, so throttled
    like the API (through DRF's dispatch: a 429 with `Retry-After`)."""

    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer, OpenApiYamlRenderer, OpenApiYamlRenderer2]
    throttle_classes = [APIAnonRateThrottle]
    throttle_scope = "api_schema"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI at /api/docs/, from drf-spectacular-sidecar's static files.
    Its start-up script is a separate URL (`?script=`) and its styles a
    stylesheet: the page has no inline script or style."""

    template_name = "search/api_docs.html"
    url_name = "api-schema"
