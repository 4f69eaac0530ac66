"""Public pages of the exchange, included at the site root by cms/urls.py."""

from django.urls import path

from .views import ask, network_page, peers_page

urlpatterns = [
    path("network/", network_page, name="exchange_network"),
    path("peers/", peers_page, name="exchange_peers"),
    # Any text for the id: the view answers 404 for what is not a published case study's.
    path("questions/ask/<str:page_id>/", ask, name="exchange_ask"),
]
