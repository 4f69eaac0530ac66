"""The accounts in the Wagtail admin, for moderators: sign-in lockouts
(django-axes records failed sign-ins; moderators see who is locked out and
lift a lockout by deleting its record: cities.roles grants them that) and
peer accounts (suspend, unsuspend)."""

from axes.models import AccessAttempt
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import PeerAccountViewSet
from .languages import known_languages


class LockoutViewSet(SnippetViewSet):
    model = AccessAttempt
    icon = "lock"
    menu_label = _("Sign-in lockouts")
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    list_filter = []
    ordering = ["-attempt_time"]
    inspect_view_enabled = True


register_snippet(LockoutViewSet)


@hooks.register("register_admin_viewset")
def register_peer_accounts():
    """Peer accounts: moderators suspend and reinstate them (accounts.admin_views)."""
    return PeerAccountViewSet()


@hooks.register("notification_languages")
def notification_languages(users):
    """Every email is written in its recipient's language (accounts.languages)."""
    return known_languages(users)
