"""What a digest says: its sections.

A section is one function, registered with ``@section("name", describe=...)``, plus its
template lines in ``templates/cities/email/sections/<name>.html`` and
``<name>.txt``. The function takes ``(group, start, end)`` and returns the
section's items for the whole group over ``[start, end)``, in display order,
in a constant number of queries; each item has a ``key`` (its identity: the
rendered digest is cached per distinct list of keys) and ``published`` (an
aware datetime: a member gets the items inside their own window). The
templates get the member's items as ``items``; ``describe(count)`` says
what a number of them are ("2 new practices"), for the subject and the
first line. A digest with no item in any section is not sent. Sections
appear in the order they are registered: this module's first, then those
higher apps register when they load (the groups app: "transfers").
"""

import dataclasses
import textwrap
from collections.abc import Callable
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from ..page_locales import canonical_q
from .links import page_url


@dataclasses.dataclass(frozen=True)
class Section:
    name: str
    items: Callable  # (group, start, end) -> list of items, in display order
    describe: Callable  # (count) -> what `count` items are, e.g. "2 new practices"

    @property
    def html_template(self):
        return f"cities/email/sections/{self.name}.html"

    @property
    def text_template(self):
        return f"cities/email/sections/{self.name}.txt"


SECTIONS: list[Section] = []


def describe_items(count):
    return ngettext("%(count)d new item", "%(count)d new items", count) % {"count": count}


def section(name, *, describe=describe_items):
    """Register the decorated function as the digest section `name`
    (`describe(count)`: what that many of its items are, "N new items" if
    not given). Registering a name again replaces the section (a module
    imported twice)."""

    def register(function):
        new = Section(name, function, describe)
        for index, existing in enumerate(SECTIONS):
            if existing.name == name:
                SECTIONS[index] = new
                break
        else:
            SECTIONS.append(new)
        return function

    return register


def summary(items):
    """What a member's digest holds, in words: "2 new practices and 1 new
    transfer among your cities" (`items`: by section name; empty ones left out)."""
    parts = [s.describe(len(items[s.name])) for s in SECTIONS if items.get(s.name)]
    if len(parts) <= 1:
        return "".join(parts)
    # Translators: the end of a list, e.g. "2 new practices, 1 new question and 1 new transfer".
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(parts[:-1]), "last": parts[-1]}


def collect(group, start, end):
    """Every section's items for `group` over [start, end), by section name."""
    return {s.name: s.items(group, start, end) for s in SECTIONS}


def in_window(collected, start, end):
    """The items of `collect()` that fall in one member's window, order kept."""
    return {
        name: [item for item in items if start <= item.published < end]
        for name, items in collected.items()
    }


# --- New practices ---

OTHER_HEADING = _("Other new practices from your cities")


@dataclasses.dataclass
class PracticeItem:
    pk: int
    title: str
    city: str
    summary: str
    url: str
    published: datetime
    heading: str  # the challenge the practice is listed under
    heading_order: tuple

    @property
    def key(self):
        return self.pk

    @property
    def summary_text(self):
        return textwrap.fill(self.summary, 72, initial_indent="  ", subsequent_indent="  ")


def group_practices(group):
    """The practices a group's digest covers: the live, public case studies
    that match the group's challenges or are pages of its member cities (as
    generic pages: a city page holds case studies only). Every section
    about practices (new ones, their answered questions) reads this."""
    in_scope = Q(pk__in=group.challenges.values("case_studies"))
    for city in group.member_cities.all():
        in_scope |= Page.objects.child_of_q(city)
    return Page.objects.live().public().filter(in_scope).filter(canonical_q())


def describe_practices(count):
    return ngettext("%(count)d new practice", "%(count)d new practices", count) % {"count": count}


@section("practices", describe=describe_practices)
def new_practices(group, start, end):
    """The case studies first published in [start, end) among those the
    group's digest covers (`group_practices`), grouped under a challenge:
    the group's own first, then "other".

    Read through Wagtail's generic page API, so that cities need not import
    practices (which imports cities): the case studies of a challenge are its
    reverse relation, those of a city are the city's children (a city page
    holds case studies only), `specific()` gives the case study pages."""
    challenge_ids = set(group.challenges.values_list("pk", flat=True))
    pages = (
        group_practices(group)
        .filter(first_published_at__gte=start, first_published_at__lt=end)
        .order_by("first_published_at", "pk")
        .specific()
        .select_related("city", for_specific_subqueries=True)
        .prefetch_related("challenges", for_specific_subqueries=True)
    )
    items = []
    for page in pages:
        url = page_url(page)
        if url is None:  # no site serves it: nothing to link to
            continue
        challenges = list(page.challenges.all())
        heading = next((c for c in challenges if c.pk in challenge_ids), None)
        if heading is None and challenges:  # from a member city, on another challenge
            heading = challenges[0]
        items.append(
            PracticeItem(
                pk=page.pk,
                title=page.title,
                city=page.city.title if page.city else "",
                summary=page.summary,
                url=url,
                published=page.first_published_at,
                heading=heading.name if heading else str(OTHER_HEADING),
                heading_order=(0, heading.sort_order, heading.name) if heading else (1, 0, ""),
            )
        )
    return sorted(items, key=lambda i: (i.heading_order, i.published, i.pk))
