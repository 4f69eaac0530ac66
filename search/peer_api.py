"""`/api/peers/`: the peer finder in the JSON API (described in
`/api/schema/`), served like the rest of the API (`search.api.PublicAPIView`):
the same question and ranking as `/peers/` (`exchange.peer_finder`,
`cities.peers`)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers

from cities import languages
from cities.models import Continent
from cities.page_urls import HitUrls
from cities.peers import WEIGHTS
from exchange.peer_facts import PeerFacts
from exchange.peer_finder import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    SLUG_PATTERN,
    PeerParamError,
    ask,
    read_limit,
)

from .api import (
    ONCE,
    TOO_MANY_REQUESTS,
    ErrorSerializer,
    PublicAPIView,
    TermSerializer,
    json_response,
    remembered_json,
)

POINTS = ("practices", "challenges", "population", "geography", "languages", "transfers", "meaning")


class PeerCitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    region = serializers.CharField(help_text="May be empty.")
    continent = serializers.ChoiceField(choices=[("", "")] + Continent.choices, help_text="May be empty.")
    population = serializers.IntegerField(allow_null=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=languages.LANGUAGES), help_text="Languages spoken (ISO 639-1 codes)."
    )


class PeerSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    city = PeerCitySerializer()
    score = serializers.FloatField()
    points = serializers.DictField(
        child=serializers.FloatField(),
        help_text="The score's parts: " + ", ".join(POINTS) + " (the last five only when a city asks; "
        "`meaning` only with search by meaning on).",
    )
    reasons = serializers.ListField(child=serializers.CharField(), help_text="The reasons, in words.")


class PeersSerializer(serializers.Serializer):
    challenge = TermSerializer(allow_null=True, help_text="The challenge asked about, if any.")
    city = PeerCitySerializer(allow_null=True, help_text="The city asking, if any.")
    ranked_on = TermSerializer(many=True, help_text="The challenges the peers were ranked on.")
    count = serializers.IntegerField(help_text="Peers found (`results` holds at most `limit` of them).")
    results = PeerSerializer(many=True)
    weights = serializers.DictField(help_text="The weights of the score (docs/peers.md).")


def _city(city, urls) -> dict:
    return {
        "id": city.id, "slug": city.slug, "name": city.name, "url": urls(city.url_path), "country": city.country,
        "region": city.region, "continent": city.continent, "population": city.population,
        "languages": list(city.languages),
    }


def _challenge(challenge) -> dict:
    return {"slug": challenge.slug, "name": challenge.name}


class PeersAPIView(PublicAPIView):
    throttle_scope = "api_peers"

    @extend_schema(
        operation_id="peers",
        summary="Find a city's peers, or the cities working on a challenge",
        description="Cities with published practices on a challenge, or naming it among the challenges they work on, "
        "ranked (docs/peers.md). `challenge` alone: ranked on that challenge; `city` alone: ranked on the challenges "
        "the city works on and compared with it; both: the city's peers on that challenge. Give at least one. "
        "Drafts and private pages never count.",
        parameters=[
            OpenApiParameter("challenge", {"type": "string", "pattern": SLUG_PATTERN},
                             description="A challenge's slug (an unknown one is a 400)." + ONCE,
                             examples=[OpenApiExample("Local markets", value="local-markets")]),
            OpenApiParameter("city", {"type": "string", "pattern": SLUG_PATTERN},
                             description="A published city's slug (an unknown one is a 400)." + ONCE,
                             examples=[OpenApiExample("Dublin", value="dublin")]),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                       "default": DEFAULT_LIMIT},
                             description="Peers in `results` at most." + ONCE),
        ],
        responses={200: PeersSerializer, 400: ErrorSerializer, 429: TOO_MANY_REQUESTS},
    )
    def get(self, request):
        errors = {}
        limit = read_limit(request.GET, errors)
        source = PeerFacts()
        try:
            result = ask(source, request.GET, limit, errors)
        except PeerParamError as error:
            return json_response({"errors": error.errors}, status=400)
        if result is None:
            return json_response({"errors": {"challenge": "give a challenge or a city (or both)."}}, status=400)
        values = [getattr(result.challenge, "id", None), getattr(result.city, "id", None), limit]
        return remembered_json("api-peers", values, lambda: peers_data(result))


def peers_data(result) -> dict:
    urls = HitUrls()
    return {
        "challenge": _challenge(result.challenge) if result.challenge else None,
        "city": _city(result.city, urls) if result.city else None,
        "ranked_on": [_challenge(c) for c in result.asked],
        "count": result.total,
        "results": [
            {"rank": i, "city": _city(peer.city, urls), "score": peer.score, "points": peer.points,
             "reasons": peer.reasons}
            for i, peer in enumerate(result.peers, start=1)
        ],
        "weights": WEIGHTS,
    }


def complete_peer_parameters(result, generator, request, public):
    """drf-spectacular post-processing hook: `/api/peers/`'s `challenge` and
    `city` list the slugs it accepts now (challenges and published cities
    change as editors work; the schema is generated per request)."""
    operation = result.get("paths", {}).get("/api/peers/", {}).get("get")
    if operation is None:
        return result
    source = PeerFacts()
    slugs = {"challenge": [c.slug for c in source.challenges], "city": [c.slug for c in source.city_choices]}
    for parameter in operation.get("parameters", []):
        if parameter["name"] in slugs:
            if slugs[parameter["name"]]:
                parameter["schema"]["enum"] = slugs[parameter["name"]]
            else:  # none yet: any value is unknown
                parameter["schema"]["maxLength"] = 0
    return result
