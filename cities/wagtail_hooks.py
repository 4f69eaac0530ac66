from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import WorkingGroup


class WorkingGroupViewSet(SnippetViewSet):
    model = WorkingGroup
    icon = "group"
    menu_label = _("Working groups")
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", "city_names", "time_zone", "default_cadence"]
    search_fields = ["name"]


register_snippet(WorkingGroupViewSet)


# --- Digests: memberships, preview and "send now" for moderators ---

from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.shortcuts import get_object_or_404, redirect  # noqa: E402
from django.template.response import TemplateResponse  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils.translation import gettext, ngettext  # noqa: E402
from django.views.decorators.http import require_http_methods  # noqa: E402
from wagtail import hooks  # noqa: E402
from wagtail.admin.widgets import Button  # noqa: E402

from .digests.delivery import fan_out, status_counts  # noqa: E402
from .digests.preview import preview  # noqa: E402
from .models import Membership  # noqa: E402
from .tasks import send_digest_chunk  # noqa: E402


class MembershipViewSet(SnippetViewSet):
    model = Membership
    icon = "mail"
    menu_label = _("Group members")
    menu_order = 311
    add_to_admin_menu = True
    list_display = ["__str__", "group", "cadence", "subscribed_at", "unsubscribed_at"]
    list_filter = ["group", "cadence"]
    search_fields = ["email", "user__email", "user__username"]


register_snippet(MembershipViewSet)


def can_send_digests(user):
    return user.has_perm("cities.change_workinggroup")


@require_http_methods(["GET", "POST"])
def digest_preview(request, pk):
    if not can_send_digests(request.user):
        raise PermissionDenied
    group = get_object_or_404(WorkingGroup, pk=pk)
    if request.method == "POST":
        report = fan_out(group_slugs=[group.slug], force=True, enqueue=send_digest_chunk.delay)
        counts = status_counts(group)
        messages.success(
            request,
            ngettext(
                "%(count)d digest of “%(group)s” queued for the current period "
                "(sent so far in all periods: %(sent)d). Members who already got this "
                "period's digest get nothing more.",
                "%(count)d digests of “%(group)s” queued for the current period "
                "(sent so far in all periods: %(sent)d). Members who already got this "
                "period's digest get nothing more.",
                report.enqueued,
            )
            % {"count": report.enqueued, "group": group.name, "sent": counts["sent"]},
        )
        return redirect("cities_digest_preview", pk=group.pk)
    context = preview(group)
    digest = context["digest"]
    html, text = digest.renderer.render(digest)
    context.update({
        "group": group, "html": html, "text": text, "subject": digest.subject,
        "page_title": gettext("Digest preview: %(group)s") % {"group": group.name}, "header_icon": "mail",
    })
    return TemplateResponse(request, "cities/email/admin_preview.html", context)


@hooks.register("register_admin_urls")
def register_digest_urls():
    return [path("digests/<int:pk>/preview/", digest_preview, name="cities_digest_preview")]


@hooks.register("register_snippet_listing_buttons")
def digest_preview_button(snippet, user, next_url=None):
    if isinstance(snippet, WorkingGroup) and can_send_digests(user):
        yield Button(
            gettext("Preview digest"), reverse("cities_digest_preview", args=[snippet.pk]),
            icon_name="mail", priority=50,
        )


# --- The page tree in every language (cities.page_locales) ---

from . import page_locales  # noqa: E402


@hooks.register("after_create_page")
@hooks.register("after_copy_page")
def page_in_every_language(request, page, *args):
    """A page made in the admin, in any language, gets an alias in every
    other one at once, to be translated later."""
    page_locales.complete(page)
