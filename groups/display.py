"""What the public group pages show, read lazily (a fragment served from
the cache reads none of it), in a fixed number of queries whatever the
number of cities, case studies and transfers.

* `/groups/`: every working group with its public member cities and its
  challenges.
* `/groups/<slug>/`: the group's public member cities, its challenges, the
  live public case studies on those challenges (a page at a time), the
  accepted transfers among its member cities (both public, the case study
  live and public), the case studies the network selected to scale, and
  what hooks add (`construct_working_group_context`). The shortlist is
  read per request (`groups.shortlist`), never cached: a vote shows at once.

Nothing here links to a draft or a private page."""

from __future__ import annotations

from functools import cached_property

from django.db.models import Exists, OuterRef, Prefetch

from cities.models import CityPage, WorkingGroup
from cities.visibility import is_public, private_q
from exchange.models import Acceptance, Transfer
from practices.models import CaseStudyPage, Challenge

from .models import ScaleSelection


def public_cities():
    return CityPage.objects.live().public().canonical().order_by("title", "pk")


def groups_for_index():
    """Every working group by name, each with `public_members` and its
    challenges prefetched (three queries)."""
    return WorkingGroup.objects.order_by("name").prefetch_related(
        Prefetch("member_cities", queryset=public_cities(), to_attr="public_members"),
        Prefetch("challenges", queryset=Challenge.objects.order_by("sort_order", "name")),
    )


def with_selected(practices):
    """`practices` (case studies) annotated with `selected_to_scale`."""
    return practices.annotate(
        selected_to_scale=Exists(ScaleSelection.objects.filter(practice=OuterRef("pk")))
    )


def practices_on(group):
    """The live, public case studies on any of `group`'s challenges, newest first."""
    return with_selected(
        CaseStudyPage.objects.listable().for_listing()
        .filter(pk__in=_on_challenges_of(group))
        .order_by("-first_published_at", "-pk")
    )


def _on_challenges_of(group):
    return CaseStudyPage.objects.canonical().filter(challenges__working_groups=group).values("pk")


class GroupPage:
    """The parts of a group's page that are the same for every visitor."""

    def __init__(self, group):
        self.group = group

    @cached_property
    def members(self) -> list[CityPage]:
        return list(public_cities().filter(working_groups=self.group))

    @cached_property
    def challenges(self) -> list[Challenge]:
        return list(self.group.challenges.order_by("sort_order", "name"))

    @cached_property
    def transfers(self) -> list[Transfer]:
        """Accepted transfers from one public member city to another's live,
        public case study (any stage), by adopting city."""
        member_ids = {city.pk for city in self.members}
        if not member_ids:
            return []
        rows = (
            Transfer.objects.filter(
                acceptance=Acceptance.ACCEPTED, adopting_city__in=member_ids, source__city__in=member_ids,
                source__live=True,
            )
            .exclude(private_q("source__"))
            .select_related("source", "source__city", "adopting_city", "own_case_study")
            .order_by("adopting_city__title", "source__title", "pk")
        )
        shown = []
        for transfer in rows:
            own = transfer.own_case_study
            transfer.shown_own_case_study = own if own is not None and is_public(own) else None
            shown.append(transfer)
        return shown

    @cached_property
    def selected_to_scale(self) -> list[ScaleSelection]:
        """The network's selections (every group sees them), live public case studies only."""
        return list(
            ScaleSelection.objects.filter(practice__live=True)
            .exclude(private_q("practice__"))
            .select_related("practice", "practice__city")
            .order_by("practice__title", "pk")
        )


def proposable(group):
    """(id, title, city) of the case studies a member may propose from the
    group's page: those on its challenges, by title (one query)."""
    return (
        CaseStudyPage.objects.listable()
        .filter(pk__in=_on_challenges_of(group))
        .order_by("title", "pk")
        .values_list("pk", "title", "city__title")
    )
