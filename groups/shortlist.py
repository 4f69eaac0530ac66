"""A working group's shortlist: members propose live, public case studies
for the group to explore and vote on them, one vote per member account per
case study; moderators remove entries. One function per state change, each
checking who may do it (`groups.members`), so that no caller can skip the
rules; refusals are `ShortlistRefused` with the message the person sees.

What the public sees of a shortlist is read by `shown_entries()`: an entry
whose case study is a draft or private (now) is left out, and comes back if
the case study is published or made public again."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_moderator
from cities.visibility import is_public, private_q

from .members import is_member, may_take_part
from .models import ScaleSelection, ShortlistEntry, Vote

NOT_A_MEMBER = _(
    "Only members of “%(group)s” can propose and vote: the officials of its cities and the people who follow it."
)


class ShortlistRefused(Exception):
    """What was asked is not done (nothing was written); `str()` says why."""


def _check_member(user, group):
    if not may_take_part(user):
        raise PermissionDenied(gettext("Sign in with an account in good standing to propose and vote."))
    if not is_member(user, group):
        raise PermissionDenied(NOT_A_MEMBER % {"group": group.name})


def propose(user, group, practice) -> ShortlistEntry:
    """A member proposes a live, public case study for the group to explore."""
    _check_member(user, group)
    if practice is None or not is_public(practice):
        raise ShortlistRefused(gettext("Only a published, public case study can be proposed."))
    already = gettext("“%(title)s” is already on the shortlist of %(group)s.") % {
        "title": practice.title, "group": group.name,
    }
    if ShortlistEntry.objects.filter(group=group, practice=practice).exists():
        raise ShortlistRefused(already)
    try:
        with transaction.atomic():
            return ShortlistEntry.objects.create(group=group, practice=practice, proposed_by=user)
    except IntegrityError:  # proposed by someone else in the meantime
        raise ShortlistRefused(already) from None


def vote(user, entry) -> Vote:
    """A member votes for an entry of their group's shortlist, once."""
    _check_member(user, entry.group)
    if not is_public(entry.practice):
        raise ShortlistRefused(gettext("This case study is not public any more: it cannot be voted on."))
    already = gettext("You have already voted for “%(title)s”: one vote per member.") % {"title": entry.practice.title}
    if Vote.objects.filter(entry=entry, user=user).exists():
        raise ShortlistRefused(already)
    try:
        with transaction.atomic():
            return Vote.objects.create(entry=entry, user=user)
    except IntegrityError:  # a second request of the same member, at the same time
        raise ShortlistRefused(already) from None


def remove(user, entry) -> None:
    """A moderator takes an entry (and its votes) off the shortlist."""
    if not is_moderator(user):
        raise PermissionDenied(gettext("Only moderators can remove a shortlist entry."))
    entry.delete()


def shown_entries(group):
    """The entries of `group`'s shortlist the public may see (live, public
    case studies), most votes first, each with `vote_count` and `selected`
    (selected to scale): one query."""
    return (
        ShortlistEntry.objects.filter(group=group, practice__live=True)
        .exclude(private_q("practice__"))
        .select_related("practice", "practice__city")
        .annotate(
            vote_count=Count("votes"),
            selected=Exists(ScaleSelection.objects.filter(practice=OuterRef("practice"))),
        )
        .order_by("-vote_count", "proposed_at", "pk")
    )


def voted_entry_ids(user, group) -> frozenset[int]:
    """The entries of `group`'s shortlist `user` voted for (one query; none
    for a visitor)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(Vote.objects.filter(user=user, entry__group=group).values_list("entry_id", flat=True))


def record_entry(group, practice, *, proposed_by=None, voters=()) -> tuple[ShortlistEntry, int]:
    """An entry and its votes written by the demo (no rules to check, nobody
    to tell): created if missing; returns the entry and the number of new rows."""
    entry, created = ShortlistEntry.objects.get_or_create(
        group=group, practice=practice, defaults={"proposed_by": proposed_by}
    )
    new = int(created)
    for user in voters:
        new += Vote.objects.get_or_create(entry=entry, user=user)[1]
    return entry, new
