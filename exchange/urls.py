"""Public pages of the exchange, included at the site root by cms/urls.py."""

from django.urls import path

from .views import network_page, peers_page

urlpatterns = [
    path("network/", network_page, name="exchange_network"),
    path("peers/", peers_page, name="exchange_peers"),
]
