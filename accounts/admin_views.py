"""Peer accounts in the Wagtail admin, for moderators only: a listing, and
one page per account with its profile, its suspension history and the form
that suspends it or lifts the suspension."""

from django.contrib import messages
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from django_filters import BooleanFilter
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from .forms import SuspensionForm
from .models import Profile
from .permissions import ModeratorsOnly, is_moderator
from .suspension import suspend, unsuspend

# What moderators may do here; nobody adds, edits or deletes profiles in the admin.
MODERATOR_ACTIONS = {"view", "suspend"}


class StatusColumn(Column):
    def get_value(self, instance):
        if instance.is_suspended:
            return gettext("Suspended since %(date)s") % {"date": f"{instance.suspended_at:%Y-%m-%d}"}
        return gettext("Active")


class PeerAccountFilterSet(WagtailFilterSet):
    suspended = BooleanFilter(field_name="suspended_at", lookup_expr="isnull", exclude=True, label=_("Suspended"))

    class Meta:
        model = Profile
        fields = []


class PeerAccountIndexView(IndexView):
    account_url_name = None

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "city")

    def get_edit_url(self, instance):
        return reverse(self.account_url_name, args=[instance.pk])

    def get_list_more_buttons(self, instance):
        return []


class PeerAccountView(WagtailAdminTemplateMixin, FormView):
    """One account: profile, history, and suspend or unsuspend (with a reason)."""

    template_name = "accounts/admin/account.html"
    form_class = SuspensionForm
    header_icon = "user"
    index_url_name = None
    account_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not is_moderator(request.user):
            raise PermissionDenied
        self.profile = get_object_or_404(Profile.objects.select_related("user", "city"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return gettext("Peer account")

    def get_page_subtitle(self):
        return self.profile.display_name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": gettext("Peer accounts")},
            {"url": "", "label": self.profile.display_name},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            profile=self.profile,
            account=self.profile.user,
            history=self.profile.suspensions.select_related("by__profile"),
            **kwargs,
        )

    def form_valid(self, form):
        decide = unsuspend if self.profile.is_suspended else suspend
        try:
            decide(self.profile, self.request.user, form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        if decide is suspend:
            done = gettext("%(name)s's account is suspended.")
        else:
            done = gettext("%(name)s's account is no longer suspended.")
        messages.success(self.request, done % {"name": self.profile.display_name})
        return redirect(reverse(self.account_url_name, args=[self.profile.pk]))


class PeerAccountViewSet(ModelViewSet):
    model = Profile
    name = "peer_accounts"
    url_prefix = "peer-accounts"
    icon = "group"
    menu_label = _("Peer accounts")
    menu_order = 890
    add_to_admin_menu = True
    index_view_class = PeerAccountIndexView
    list_display = ["display_name", "user__email", "organisation", "role", "city",
                    StatusColumn("status", label=_("Status"))]
    filterset_class = PeerAccountFilterSet
    search_fields = ["display_name", "organisation", "role", "user__email"]
    ordering = ["display_name", "pk"]
    add_to_reference_index = False

    def get_permissions_to_register(self):
        return Permission.objects.none()  # moderators' rights come from their group (ModeratorsOnly)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(account_url_name=self.get_url_name("account"), **kwargs)

    @property
    def account_view(self):
        return PeerAccountView.as_view(
            index_url_name=self.get_url_name("index"), account_url_name=self.get_url_name("account")
        )

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.account_view, name="account"),
        ]


register_permission_policy(Profile, ModeratorsOnly(Profile, MODERATOR_ACTIONS))
