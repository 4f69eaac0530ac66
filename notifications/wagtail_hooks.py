"""The "Notices" listing in the admin, for moderators: every notice with its
status, recipient, kind, attempts and last error, filtered by status and
kind. Read-only for everyone (notices are written by notify() and the
workers only); seeing it takes the "view notice" permission, which
cities.roles gives the Moderators group."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import Notice


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """View (and inspect) with the model's view permission; nobody adds,
    changes or deletes, superusers included."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


register_permission_policy(Notice, ReadOnlyPermissionPolicy(Notice))


class NoticeViewSet(ModelViewSet):
    model = Notice
    icon = "mail"
    menu_label = _("Notices")
    menu_order = 312
    add_to_admin_menu = True
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["kind", "recipient", "status", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["key", "address", "recipient__email", "recipient__username"]
    search_backend_name = None  # the database, not a search index
    form_fields = []  # no form: nobody may add or change a notice (the policy above)
    inspect_view_fields = [
        "key", "kind", "recipient", "address", "link", "context", "status", "attempts",
        "created_at", "claimed_at", "sent_at", "message_id", "last_error",
    ]


@hooks.register("register_admin_viewset")
def register_notice_viewset():
    return NoticeViewSet("notices")
