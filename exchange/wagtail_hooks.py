"""The exchange in the Wagtail admin (transfers, relations, proposals to
answer, questions to answer) and on the public pages of the lower apps (through their hooks:
they import no exchange)."""

from urllib.parse import urlencode

from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cities import page_locales
from cities.visibility import is_public

from . import admin_views, forms
from .display import CaseStudyExchange, CityExchange, compare_row
from .models import Relation, Transfer
from .peer_finder import city_peers
from .permissions import Actor, ExchangePermissionPolicy
from .questions import answered_questions, open_questions
from .records import RelationsExtension, TransfersExtension

register_permission_policy(Transfer, ExchangePermissionPolicy(Transfer))
register_permission_policy(Relation, ExchangePermissionPolicy(Relation))


class TransferViewSet(ModelViewSet):
    model = Transfer
    name = "exchange_transfers"
    url_prefix = "exchange/transfers"
    icon = "resubmit"
    menu_label = _("Transfers")
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = admin_views.TransferIndexView
    add_view_class = admin_views.TransferCreateView
    edit_view_class = admin_views.TransferEditView
    delete_view_class = admin_views.TransferDeleteView
    list_display = ["__str__", "stage", "acceptance", "recorded_at"]
    list_filter = ["stage", "acceptance"]
    ordering = ["-recorded_at", "-pk"]

    def get_edit_handler(self):
        return forms.transfer_create_panels

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            panel=forms.transfer_edit_panels, form_class=forms.transfer_edit_panels.get_form_class(), **kwargs
        )


class RelationViewSet(ModelViewSet):
    model = Relation
    name = "exchange_relations"
    url_prefix = "exchange/relations"
    icon = "link"
    menu_label = _("Case study relations")
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = admin_views.RelationIndexView
    add_view_class = admin_views.RelationCreateView
    edit_view_class = admin_views.RelationEditView
    delete_view_class = admin_views.RelationDeleteView
    list_display = ["__str__", "kind", "acceptance", "recorded_at"]
    list_filter = ["kind", "acceptance"]
    ordering = ["-recorded_at", "-pk"]

    def get_edit_handler(self):
        return forms.relation_create_panels

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(
            panel=forms.relation_edit_panels, form_class=forms.relation_edit_panels.get_form_class(), **kwargs
        )


class ExchangeViewSetGroup(ViewSetGroup):
    menu_label = _("Exchange")
    menu_icon = "resubmit"
    menu_order = 320
    items = (TransferViewSet, RelationViewSet)


@hooks.register("register_admin_viewset")
def register_exchange_viewsets():
    return ExchangeViewSetGroup()


@hooks.register("register_admin_urls")
def register_exchange_urls():
    return [
        path("exchange/proposals/", admin_views.proposals, name="exchange_proposals"),
        path("exchange/review/transfer/<int:pk>/", admin_views.review, {"kind": "transfer"},
             name="exchange_review_transfer"),
        path("exchange/review/relation/<int:pk>/", admin_views.review, {"kind": "relation"},
             name="exchange_review_relation"),
        path("exchange/questions/", admin_views.questions_index, name="exchange_questions"),
        path("exchange/questions/<int:pk>/", admin_views.question_detail, name="exchange_question"),
    ]


class ProposalsMenuItem(MenuItem):
    def is_shown(self, request):
        return Actor.of(request.user).may_record


@hooks.register("register_admin_menu_item")
def register_proposals_menu_item():
    return ProposalsMenuItem(_("Proposals to answer"), reverse("exchange_proposals"), icon_name="tasks", order=321)


@hooks.register("register_admin_menu_item")
def register_questions_menu_item():
    return ProposalsMenuItem(_("Questions to answer"), reverse("exchange_questions"), icon_name="help", order=322)


class QuestionsPanel(Component):
    """On the dashboard of an official (or a moderator): how many questions
    to their cities wait for an answer."""

    name = "exchange_questions"
    template_name = "exchange/admin/questions_panel.html"
    order = 206

    def __init__(self, waiting, is_moderator):
        self.waiting, self.is_moderator = waiting, is_moderator

    def get_context_data(self, parent_context=None):
        return {"waiting": self.waiting, "is_moderator": self.is_moderator, "url": reverse("exchange_questions")}


@hooks.register("construct_homepage_panels")
def add_questions_panel(request, panels):
    actor = Actor.of(request.user)
    if actor.may_record and (waiting := open_questions(actor).count()):
        panels.append(QuestionsPanel(waiting, actor.is_moderator))


class ProposalsPanel(Component):
    """On the dashboard of an official (or a moderator): how many transfers
    and relations wait for their answer."""

    name = "exchange_proposals"
    template_name = "exchange/admin/proposals_panel.html"
    order = 205

    def __init__(self, waiting):
        self.waiting = waiting

    def get_context_data(self, parent_context=None):
        return {"waiting": self.waiting, "url": reverse("exchange_proposals")}


@hooks.register("construct_homepage_panels")
def add_proposals_panel(request, panels):
    actor = Actor.of(request.user)
    if actor.may_record:
        waiting_transfers, waiting_relations = admin_views.waiting_for(actor)
        if waiting := len(waiting_transfers) + len(waiting_relations):
            panels.append(ProposalsPanel(waiting))


# --- The public pages (practices and cities call these hooks) ---


def record_transfer_url(page):
    return reverse("exchange_transfers:add") + f"?source={page.pk}"


def may_record_adaptation(user, page) -> bool:
    """A signed-in official of another city than the case study's (or a
    moderator), on a public case study."""
    if not user.is_authenticated or not is_public(page):
        return False
    actor = Actor.of(user)
    return actor.is_moderator or bool(actor.city_ids - {page.city_id})


@hooks.register("construct_case_study_context")
def add_case_study_exchange(page, request, context):
    # In every language the practice's transfers, relations and questions are the canonical page's.
    context["exchange"] = SimpleLazyObject(lambda: CaseStudyExchange(page_locales.canonical(page) or page))
    context["extra_facts"].append("exchange/includes/adapted_by_fact.html")
    context["extra_sections"].append("exchange/includes/case_study_exchange.html")
    if may_record_adaptation(request.user, page):
        context["record_transfer_url"] = record_transfer_url(page)
        context["visitor_actions"].append("exchange/includes/record_transfer_link.html")
    add_ask_action(page, request, context)


def add_ask_action(page, request, context):
    """"Ask <city> about this practice": for a signed-in peer who may ask,
    and as a link to sign in first for a visitor (the same for all of them:
    the page may be cached for every visitor)."""
    if page.pk is None or page.city_id is None or not page.live:
        return
    url = reverse("exchange_ask", args=(page.pk,))
    if not request.user.is_authenticated:
        # Wagtail served the page to this visitor: its view restrictions let
        # them in (read no more here: a cached fragment saves every query
        # but the page's own). The form checks again.
        context["ask_url"] = f"{reverse('account_login')}?{urlencode({'next': url})}"
        context["visitor_actions"].append("exchange/includes/ask_sign_in.html")
    elif Actor.of(request.user).may_ask(page):
        context["ask_url"] = url
        context["visitor_actions"].append("exchange/includes/ask_link.html")


GROUP_QUESTIONS_SHOWN = 5


@hooks.register("construct_working_group_context")
def add_group_questions(group, context):
    """A working group's page: the latest answered questions on the case
    studies of its challenges (read only when the fragment is rendered)."""
    practices = context["practices_on_challenges"]
    context["group_questions"] = SimpleLazyObject(
        lambda: answered_questions(practices.values_list("pk", flat=True), limit=GROUP_QUESTIONS_SHOWN)
    )
    context["extra_sections"].append("exchange/includes/group_questions.html")


@hooks.register("construct_city_page_context")
def add_city_exchange(city_page, request, context):
    city_page = page_locales.canonical(city_page) or city_page  # the city as the network records it
    context["city_exchange"] = SimpleLazyObject(lambda: CityExchange(city_page))
    context["extra_sections"].append("exchange/includes/city_adapting.html")
    # "Cities like <city>": read when the (cached) fragment is rendered.
    context["city_peers"] = SimpleLazyObject(lambda: city_peers(city_page) or False)
    context["extra_sections"].append("exchange/includes/city_peers.html")


# --- Import and export (practices.records) ---


@hooks.register("construct_compare_rows")
def add_compare_transfers(practices, rows, request):
    """The compare page's transfers row, after the transferability section."""
    rows.add(compare_row(practices, request), after="transferability")


@hooks.register("register_case_study_record_extensions")
def record_extensions():
    return [TransfersExtension(), RelationsExtension()]
