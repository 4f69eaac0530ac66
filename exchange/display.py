"""What the public pages show of the exchange, read lazily (a page whose
fragment is cached reads none of it) in a fixed number of queries.

* A case study (A's): its accepted transfers by public cities, with a link
  to the adopting city's own case study when that one is public, and
  "Adapted by N cities" (`exchange.adoption`); if it is B's own version of
  another case study, what it adapts (B's side: shown at once); its
  relations: those it makes (B's side, at once) and those made to it (A's
  side, once accepted, with the inverse label); its answered questions
  (`exchange.questions`), with the asker's name, organisation and city.
* A city page (B's): the practices the city is adapting (B's side: shown at
  once, pending ones marked as such).

Declined items show nowhere; nothing links to a draft or a private page."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q
from django.utils.translation import gettext, ngettext

from cities.visibility import is_public
from practices.compare import Cell, ComparisonRow, Entry

from . import adoption
from .models import Acceptance, Relation, Transfer
from .questions import answered_questions


@dataclass(frozen=True)
class ShownRelation:
    label: str  # read from this page: "Inspired by", or the inverse "Inspired"
    page: object  # the case study at the other end (public)
    pending: bool  # recorded by this page's city, not accepted yet by the other
    kind: str  # RelationKind value, as recorded (from the recording page)
    outgoing: bool  # recorded from this page (B's side), or to it (A's)


def _public_or_none(page):
    return page if page is not None and is_public(page) else None


class CaseStudyExchange:
    """The exchange as a case study page shows it."""

    def __init__(self, page):
        self.page = page

    @cached_property
    def _transfers(self) -> list[Transfer]:
        if self.page.pk is None:  # the preview of a page not saved yet
            return []
        return list(
            Transfer.objects.filter(Q(source=self.page) | Q(own_case_study=self.page))
            .exclude(acceptance=Acceptance.DECLINED)
            .select_related("adopting_city", "own_case_study", "source", "source__city")
            .order_by("adopting_city__title", "pk")
        )

    @cached_property
    def adaptations(self) -> list[Transfer]:
        """Accepted transfers of this case study by cities the public sees
        (any stage; `shown_own_case_study` set to the public one or None)."""
        shown = []
        for transfer in self._transfers:
            if transfer.source_id == self.page.pk and transfer.is_accepted and is_public(transfer.adopting_city):
                transfer.shown_own_case_study = _public_or_none(transfer.own_case_study)
                shown.append(transfer)
        return shown

    @cached_property
    def adapted_by(self) -> int:
        return adoption.adapted_by(self.page) if self.page.pk is not None else 0

    @cached_property
    def adapts(self) -> list[Transfer]:
        """Transfers whose own case study this page is (B's side): the
        public case studies it is a version of."""
        return [
            t for t in self._transfers
            if t.own_case_study_id == self.page.pk and t.source_id != self.page.pk and is_public(t.source)
        ]

    @cached_property
    def relations(self) -> list[ShownRelation]:
        if self.page.pk is None:
            return []
        rows = (
            Relation.objects.filter(Q(from_page=self.page) | Q(to_page=self.page))
            .exclude(acceptance=Acceptance.DECLINED)
            .select_related("from_page", "from_page__city", "to_page", "to_page__city")
            .order_by("kind", "pk")
        )
        shown = []
        for relation in rows:
            if relation.from_page_id == self.page.pk:
                if is_public(relation.to_page):
                    shown.append(ShownRelation(relation.get_kind_display(), relation.to_page, relation.is_pending,
                                               relation.kind, True))
            elif relation.is_accepted and is_public(relation.from_page):
                shown.append(ShownRelation(relation.inverse_label, relation.from_page, False, relation.kind, False))
        return shown

    @cached_property
    def questions(self) -> list:
        """The questions the public sees on this case study, newest answer
        first (`exchange.questions.answered_questions`)."""
        return answered_questions([self.page.pk]) if self.page.pk is not None else []

    def __bool__(self):
        return True


class CityExchange:
    """The exchange as a city page shows it (the city is B)."""

    def __init__(self, city):
        self.city = city

    @cached_property
    def adapting(self) -> list[Transfer]:
        if self.city.pk is None:  # the preview of a city not saved yet
            return []
        rows = (
            Transfer.objects.filter(adopting_city=self.city)
            .exclude(acceptance=Acceptance.DECLINED)
            .select_related("source", "source__city", "own_case_study")
            .order_by("source__title", "pk")
        )
        shown = []
        for transfer in rows:
            if is_public(transfer.source):
                transfer.shown_own_case_study = _public_or_none(transfer.own_case_study)
                shown.append(transfer)
        return shown


def compare_row(practices, request=None):
    """The compare page's "Transfers" row (practices.compare): for each case
    study, "Adapted by N cities" (`exchange.adoption`) and the public cities
    with an accepted transfer of it, each with its stage, linked to the
    city. Two queries whatever the number of columns; compared on which
    cities adapt it and at which stage."""
    ids = [page.pk for page in practices]
    counts = adoption.adapted_by_counts(ids)
    by_source = {pk: [] for pk in ids}
    transfers = (
        Transfer.objects.filter(source__in=ids, acceptance=Acceptance.ACCEPTED)
        .select_related("adopting_city")
        .order_by("adopting_city__title", "pk")
    )
    for transfer in transfers:
        if is_public(transfer.adopting_city):
            by_source[transfer.source_id].append(transfer)
    cells = []
    for pk in ids:
        shown = by_source[pk]
        count = counts.get(pk, 0)
        adapted = ngettext("Adapted by %(count)d city", "Adapted by %(count)d cities", count) % {"count": count}
        entries = [Entry(adapted)] if shown else []
        entries += [
            Entry(
                # Translators: a city and the stage of its transfer, e.g. "Bilbao: piloting".
                gettext("%(city)s: %(stage)s") % {"city": t.adopting_city.title, "stage": t.get_stage_display().lower()},
                t.adopting_city.get_url(request),
            )
            for t in shown
        ]
        cells.append(Cell(entries, key=frozenset((t.adopting_city_id, t.stage) for t in shown)))
    return ComparisonRow(
        "transfers", gettext("Transfers"), cells, note=gettext("Compared on the cities and their stages.")
    )
