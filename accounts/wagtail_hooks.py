"""Sign-in lockouts in the Wagtail admin: django-axes records failed
sign-ins; moderators see who is locked out and lift a lockout by deleting
its record (cities.roles grants them that)."""

from axes.models import AccessAttempt
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet


class LockoutViewSet(SnippetViewSet):
    model = AccessAttempt
    icon = "lock"
    menu_label = "Sign-in lockouts"
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    list_filter = []
    ordering = ["-attempt_time"]
    inspect_view_enabled = True


register_snippet(LockoutViewSet)
