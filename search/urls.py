"""API routes, included under /api/ by cms/urls.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from .api import PracticeSearchAPIView, PracticeSuggestAPIView

urlpatterns = [
    path("practices/", PracticeSearchAPIView.as_view(), name="api-practices"),
    path("practices/suggest/", PracticeSuggestAPIView.as_view(), name="api-practices-suggest"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
