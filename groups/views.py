"""`/groups/` and `/groups/<slug>/`, and the shortlist's forms (POST with a
CSRF token, no JavaScript needed): propose, vote, select to scale. Each
form answers with a redirect to the group's page and a message saying what
was done, or why nothing was."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe
from wagtail import hooks

from accounts.permissions import is_moderator
from cities import page_locales
from cities.models import WorkingGroup
from practices.models import CaseStudyPage, PracticeIndexPage, paginate

from . import scaling, shortlist
from .display import GroupPage, groups_for_index, practices_on, proposable
from .members import is_member, may_take_part
from .models import ShortlistEntry


@require_safe
def groups_index(request):
    return TemplateResponse(request, "groups/groups_index.html", {"groups": groups_for_index})


def group_context(request, group) -> dict:
    """The page's context: `group_page`, `practices` (a page of them) and
    `practices_on_challenges` (the same for every visitor: in the cached
    fragment), `extra_sections` (templates that `construct_working_group_context`
    hooks add to it: docs/groups.md), and the shortlist with what this
    visitor may do (read per request)."""
    user = request.user
    on_challenges = practices_on(group)
    context = {
        "group": group,
        "group_page": GroupPage(group),
        "practices": paginate(request, on_challenges),
        "practices_on_challenges": on_challenges,  # for hooks: not evaluated here
        "practice_index": PracticeIndexPage.public_index(),
        "extra_sections": [],
        "request": request,
    }
    # Higher and lower apps add sections to the cached part of the page
    # (e.g. the exchange's answered questions): docs/groups.md.
    for construct in hooks.get_hooks("construct_working_group_context"):
        construct(group, context)
    member = is_member(user, group)
    context.update({
        "entries": list(shortlist.shown_entries(group)),
        "voted": shortlist.voted_entry_ids(user, group),
        "is_member": member,
        "may_take_part": may_take_part(user),
        "is_moderator": is_moderator(user),
    })
    if member:
        shortlisted = {entry.practice_id for entry in context["entries"]}
        context["proposable"] = [row for row in proposable(group) if row[0] not in shortlisted]
    return context


@require_safe
def group_page(request, slug):
    group = get_object_or_404(WorkingGroup, slug=slug)
    return TemplateResponse(request, "groups/group_page.html", group_context(request, group))


# --- The shortlist's forms ---


def _back(group):
    return HttpResponseRedirect(reverse("groups_page", args=[group.slug]) + "#shortlist", status=303)


def _posted_id(request, name):
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdigit() and len(value) <= 18) or int(value) == 0:
        return None
    return int(value)


def _act(request, slug, action):
    """Run `action(group)` for a signed-in visitor and say how it went."""
    group = get_object_or_404(WorkingGroup, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("groups_page", args=[group.slug]))
    try:
        done = action(group)
    except PermissionDenied as refusal:
        messages.error(request, str(refusal) or gettext("You may not do this."))
    except shortlist.ShortlistRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return _back(group)


@require_POST
def propose(request, slug):
    def action(group):
        pk = _posted_id(request, "practice")
        practice = CaseStudyPage.objects.filter(pk=pk).first() if pk else None
        if practice is not None:
            practice = page_locales.canonical(practice)  # proposed from its page in another language
        if practice is None:
            if not is_member(request.user, group):
                raise PermissionDenied(shortlist.NOT_A_MEMBER % {"group": group.name})
            raise shortlist.ShortlistRefused(gettext("Choose a published case study to propose."))
        shortlist.propose(request.user, group, practice)
        return gettext("“%(title)s” is on the shortlist of %(group)s.") % {"title": practice.title, "group": group.name}

    return _act(request, slug, action)


def _entry(group, pk):
    return get_object_or_404(ShortlistEntry.objects.select_related("practice", "group"), group=group, pk=pk)


@require_POST
def vote(request, slug, pk):
    def action(group):
        entry = _entry(group, pk)
        shortlist.vote(request.user, entry)
        return gettext("Your vote for “%(title)s” is counted.") % {"title": entry.practice.title}

    return _act(request, slug, action)


@require_POST
def select_to_scale(request, slug, pk):
    def action(group):
        entry = _entry(group, pk)
        scaling.select(request.user, entry.practice, group=group)
        return gettext("“%(title)s” is selected to scale, across the network.") % {"title": entry.practice.title}

    return _act(request, slug, action)
