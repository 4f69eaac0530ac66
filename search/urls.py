"""API routes, included under /api/ by cms/urls.py."""

from django.urls import path, register_converter

from .api import DocsView, PracticeSearchAPIView, PracticeSuggestAPIView, SchemaView
from .city_api import CityDetailAPIView, CityListAPIView
from .exchange_api import NetworkAPIView, PracticeExchangeAPIView
from .peer_api import PeersAPIView


class AnyText:
    """Any text, slashes and line breaks included (Django's `path`
    converter stops at a line break): the view answers what is no slug."""

    regex = "(?s:.+)"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AnyText, "anytext")

urlpatterns = [
    path("practices/", PracticeSearchAPIView.as_view(), name="api-practices"),
    path("practices/suggest/", PracticeSuggestAPIView.as_view(), name="api-practices-suggest"),
    path("cities/", CityListAPIView.as_view(), name="api-cities"),
    # Any text up to the last slash: a slug that cannot be a city's is
    # answered by the view, in JSON, like an unknown one.
    path("cities/<anytext:slug>/", CityDetailAPIView.as_view(), name="api-city"),
    path("practices/<str:id>/exchange/", PracticeExchangeAPIView.as_view(), name="api-practice-exchange"),
    path("network/", NetworkAPIView.as_view(), name="api-network"),
    path("peers/", PeersAPIView.as_view(), name="api-peers"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(), name="api-docs"),
]
