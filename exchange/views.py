"""Public pages of the exchange: `/network/`, the network of cities and
transfers, as an SVG graph and the same data as a table and a list
(`exchange.network`); `/peers/`, the peer finder (`exchange.peer_finder`);
`/questions/ask/<case study id>/` (a signed-in peer asks the case study's
city, `exchange.questions`)."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from cities import page_locales
from practices.models import CaseStudyPage

from . import questions
from .forms import QuestionForm
from .network_markup import NetworkPage
from .peer_facts import PeerFacts
from .peer_finder import PeerParamError
from .peer_finder import ask as ask_peers
from .permissions import Actor

MAX_ID = 2**31 - 1  # page ids are 32-bit integers


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
        context["result"] = ask_peers(source, request.GET)
    except PeerParamError as error:
        context["errors"] = error.errors
        return TemplateResponse(request, "exchange/peers.html", context, status=400)
    return TemplateResponse(request, "exchange/peers.html", context)


def _case_study(page_id):
    """The live, public case study with this id (any text: 404 otherwise)."""
    if re.fullmatch(r"[0-9]{1,10}", page_id) and 0 < int(page_id) <= MAX_ID:
        page = CaseStudyPage.objects.listable().select_related("city").filter(pk=int(page_id)).first()
        if page is not None and not page_locales.is_canonical(page):  # asked from its page in another language
            page = CaseStudyPage.objects.listable().select_related("city").filter(pk=page_locales.canonical(page).pk).first()
        if page is not None and page.city_id is not None:
            return page
    raise Http404("No published case study has this id.")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request, page_id):
    """GET: the form; POST: ask. A form with a problem is answered 400 and
    writes nothing; a signed-out visitor is sent to sign in first."""
    page = _case_study(page_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    actor = Actor.of(request.user)
    context = {"case_study": page, "city": page.city, "limit": settings.QUESTIONS_PER_DAY}
    refusal = actor.why_not_ask(page)
    if refusal:
        return TemplateResponse(request, "exchange/ask.html", {**context, "refusal": refusal}, status=403)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                questions.ask(request.user, page, form.cleaned_data["text"], public=form.cleaned_data["public"])
            except ValidationError as error:
                for message in error.message_dict.get("text", error.messages):
                    form.add_error("text", message)
            else:
                messages.success(request, gettext(
                    "Your question is sent to %(city)s's officials. You will get their answer by email."
                ) % {"city": page.city.title})
                return redirect("exchange_ask", page_id=page.pk)
        return TemplateResponse(request, "exchange/ask.html", {**context, "form": form}, status=400)
    return TemplateResponse(request, "exchange/ask.html", {**context, "form": form})
