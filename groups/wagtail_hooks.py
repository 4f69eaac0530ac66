"""The groups in the Wagtail admin (moderators: the selections to scale and
the shortlists' entries) and on the lower apps' public pages, through their
hooks (they import no groups)."""

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from accounts.permissions import ModeratorsOnly
from cities import page_locales

from . import scaling
from .models import ScaleSelection, ShortlistEntry

register_permission_policy(ScaleSelection, ModeratorsOnly(ScaleSelection, ("add", "change", "delete", "view")))
# Entries are proposed on the group pages; moderators see and remove them.
register_permission_policy(ShortlistEntry, ModeratorsOnly(ShortlistEntry, ("delete", "view")))


class SelectionCreateView(CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.selected_by = self.request.user
        instance.save()
        return instance


class ScaleSelectionViewSet(ModelViewSet):
    model = ScaleSelection
    name = "groups_selections"
    url_prefix = "groups/selected-to-scale"
    icon = "pick"
    menu_label = _("Selected to scale")
    add_to_reference_index = False
    copy_view_enabled = False
    add_view_class = SelectionCreateView
    list_display = ["__str__", "group", "selected_at"]
    ordering = ["-selected_at", "-pk"]


class ShortlistEntryViewSet(ModelViewSet):
    model = ShortlistEntry
    name = "groups_shortlists"
    url_prefix = "groups/shortlists"
    icon = "list-ul"
    menu_label = _("Shortlist entries")
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = []  # nobody adds or changes an entry here (the policy above)
    list_display = ["__str__", "group", "proposed_by", "proposed_at"]
    list_filter = ["group"]
    ordering = ["group", "-proposed_at", "-pk"]
    inspect_view_fields = ["group", "practice", "proposed_by", "proposed_at"]


class GroupsViewSetGroup(ViewSetGroup):
    menu_label = _("Shortlists and scaling")
    menu_icon = "pick"
    menu_order = 312
    items = (ScaleSelectionViewSet, ShortlistEntryViewSet)


@hooks.register("register_admin_viewset")
def register_groups_viewsets():
    return GroupsViewSetGroup()


# --- The public pages of the lower apps ---


@hooks.register("construct_case_study_context")
def add_selected_to_scale(page, request, context):
    """"Selected to scale" among a case study's key facts (in its cached fragment)."""
    # Selections are recorded against the canonical page (the English one), whatever the language shown.
    context["selected_to_scale"] = SimpleLazyObject(lambda: scaling.is_selected(page_locales.canonical(page) or page))
    context["extra_facts"].append("groups/includes/selected_fact.html")


@hooks.register("construct_city_page_context")
def link_working_groups(city_page, request, context):
    """A city page's working groups link to their pages."""
    context["working_group_pages"] = True
