"""`/network/`: the network of cities and transfers, as an SVG graph and
the same data as a table and a list (`exchange.network`)."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from .network import read_network


@require_safe
def network_page(request):
    return TemplateResponse(request, "exchange/network.html", {"network": read_network})
