"""Public pages of the exchange: `/network/`, the network of cities and
transfers, as an SVG graph and the same data as a table and a list
(`exchange.network`); `/peers/`, the peer finder (`exchange.peer_finder`)."""

from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from .network_markup import NetworkPage
from .peer_facts import PeerFacts
from .peer_finder import PeerParamError, ask


@require_safe
def network_page(request):
    return TemplateResponse(request, "exchange/network.html", {"shown": NetworkPage()})


@require_safe
def peers_page(request):
    """The form, and the peers it asks for; a 400 with the form and the
    message when a parameter is wrong (an unknown challenge or city)."""
    source = PeerFacts()
    context = {"challenges": source.challenges, "cities": source.city_choices, "errors": {}}
    try:
        context["result"] = ask(source, request.GET)
    except PeerParamError as error:
        context["errors"] = error.errors
        return TemplateResponse(request, "exchange/peers.html", context, status=400)
    return TemplateResponse(request, "exchange/peers.html", context)
