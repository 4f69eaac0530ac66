"""Who is a member of a working group, decided here only.

A member account is an active account, not suspended, that either

* follows the group (`cities.Membership` with this user, whatever its
  digest cadence: choosing no email does not leave the group), or
* is an official of one of the group's member cities (in that city's
  editors group, `cities.roles.cities_of`): the cities are the group's
  members, and their officials act for them.

Moderators are not members by virtue of moderating (they may be members
either way); people who follow a group by email address only have no
account, and so no vote. Members propose case studies for the group's
shortlist and vote on them (`groups.shortlist`)."""

from __future__ import annotations

from accounts.suspension import is_suspended
from cities.models import Membership, WorkingGroup
from cities.roles import cities_of


def may_take_part(user) -> bool:
    """A signed-in, active account that is not suspended."""
    return bool(user is not None and user.is_authenticated and user.is_active and not is_suspended(user))


def member_group_ids(user) -> frozenset[int]:
    """The ids of the working groups `user` is a member of (two queries, once
    per request: kept on the user object)."""
    if not may_take_part(user):
        return frozenset()
    cached = getattr(user, "_groups_member_of", None)
    if cached is None:
        following = Membership.objects.filter(user=user).values_list("group_id", flat=True)
        through_city = WorkingGroup.member_cities.through.objects.filter(
            citypage__in=cities_of(user)
        ).values_list("workinggroup_id", flat=True)
        cached = user._groups_member_of = frozenset(following) | frozenset(through_city)
    return cached


def is_member(user, group) -> bool:
    return group.pk in member_group_ids(user)
