"""API routes, included under /api/ by cms/urls.py."""

from django.urls import path

from .api import DocsView, PracticeSearchAPIView, PracticeSuggestAPIView, SchemaView
from .exchange_api import NetworkAPIView, PracticeExchangeAPIView

urlpatterns = [
    path("practices/", PracticeSearchAPIView.as_view(), name="api-practices"),
    path("practices/suggest/", PracticeSuggestAPIView.as_view(), name="api-practices-suggest"),
    path("practices/<str:id>/exchange/", PracticeExchangeAPIView.as_view(), name="api-practice-exchange"),
    path("network/", NetworkAPIView.as_view(), name="api-network"),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(), name="api-docs"),
]
