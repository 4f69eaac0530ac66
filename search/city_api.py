"""JSON API of the member cities: `/api/cities/` (every live, public city
with the challenges it works on) and `/api/cities/<slug>/` (one of them),
described in `/api/schema/` beside the practice search.

Drafts and cities under a view restriction are never listed, and a slug of
one answers exactly as an unknown slug does (404)."""

from __future__ import annotations

import re

from django.db.models import Prefetch
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers

from cities import languages
from cities.models import NOTE_MAX_LENGTH, CityChallenge, CityPage, Continent

from . import schema
from .api import TOO_MANY_REQUESTS, ErrorSerializer, PublicAPIView, json_response
from .backends.urls import HitUrls

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")
SLUG_PATTERN = f"^{SLUG.pattern}$"


class CityChallengeSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The challenge's slug, as in the `challenge` filter of `/api/practices/`.")
    name = serializers.CharField()
    note = serializers.CharField(help_text=f"Plain text, at most {NOTE_MAX_LENGTH} characters; may be empty.")
    since = serializers.IntegerField(allow_null=True, help_text="The year the city started on it, when known.")


class CityDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    country_name = serializers.CharField()
    region = serializers.CharField(help_text="May be empty.")
    continent = serializers.ChoiceField(choices=[("", "")] + Continent.choices, help_text="May be empty.")
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=languages.LANGUAGES), help_text="Languages spoken (ISO 639-1 codes)."
    )
    population = serializers.IntegerField(allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    challenges = CityChallengeSerializer(many=True, help_text="The challenges the city works on, in its order.")


class CityListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = CityDetailSerializer(many=True)


def public_cities():
    """The live, public cities with their challenges: two queries however
    many there are."""
    return (
        CityPage.objects.live()
        .public()
        .canonical()
        .order_by("title", "pk")
        .prefetch_related(
            Prefetch("city_challenges", queryset=CityChallenge.objects.select_related("challenge"))
        )
    )


def _coordinate(value):
    return float(value) if value is not None else None


def city_data(city, urls: HitUrls, language: str) -> dict:
    code = city.country.code
    return {
        "id": city.pk,
        "slug": city.slug,
        "name": city.title,
        "url": urls(city.url_path),
        "country": code,
        "country_name": schema.country_name(code, language),
        "region": city.region,
        "continent": city.continent,
        "languages": languages.ordered(city.languages),
        "population": city.population,
        "latitude": _coordinate(city.latitude),
        "longitude": _coordinate(city.longitude),
        "challenges": [
            {"slug": item.challenge.slug, "name": item.challenge.name, "note": item.note, "since": item.since}
            for item in city.city_challenges.all()
        ],
    }


class CityListAPIView(PublicAPIView):
    throttle_scope = "api_cities"

    @extend_schema(
        operation_id="cities_list",
        summary="The member cities and the challenges they work on",
        description="Every published, public city of the network, by name (the network has hundreds of cities, "
        "not millions: the list is not paginated).",
        responses={200: CityListSerializer, 429: TOO_MANY_REQUESTS},
    )
    def get(self, request):
        urls, language = HitUrls(), get_language() or ""
        results = [city_data(city, urls, language) for city in public_cities()]
        return json_response({"count": len(results), "results": results})


class CityDetailAPIView(PublicAPIView):
    throttle_scope = "api_city"

    @extend_schema(
        operation_id="cities_detail",
        summary="One member city and the challenges it works on",
        parameters=[
            OpenApiParameter(
                "slug", {"type": "string", "pattern": SLUG_PATTERN}, OpenApiParameter.PATH,
                description="The city's slug, as in its page's URL.",
                examples=[OpenApiExample("Dublin", value="dublin")],
            )
        ],
        responses={
            200: CityDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No published, public city has this slug."),
            429: TOO_MANY_REQUESTS,
        },
    )
    def get(self, request, slug):
        city = public_cities().filter(slug=slug).first() if SLUG.fullmatch(slug) else None
        if city is None:
            return json_response({"errors": {"slug": "no published city has this slug."}}, status=404)
        return json_response(city_data(city, HitUrls(), get_language() or ""))
