"""The facts the peer finder ranks on (`cities.peers`), read from the
database: the exchange is the lowest app that sees cities, practices and
transfers together.

Only what the public may see counts: live cities under no view
restriction, their live, public case studies, the accepted transfers
between two such cities of a live, public case study (any stage: a dropped
transfer is still an exchange between the two). A fixed number of queries
whatever the size of the network (`PeerFacts`): the challenges, the cities,
the challenges they name, the practices per city, challenge and status and
the asking city's transfers per other city (both counted by the database), and the
view restrictions once per request; with search by meaning on and a city
asking, one more: the vectors of the practices on the challenges asked about
(from the search app, through the `practice_vectors` Wagtail hook: the
exchange imports no search)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db.models import Count, Q
from wagtail import hooks

from cities import fragments
from cities.models import CityChallenge, CityPage
from cities.peers import CityFacts, Facts, PracticeVectors
from cities.visibility import private_q
from practices.models import CaseStudyPage, Challenge

from .models import Acceptance, Transfer

# The hook through which the search app gives the vectors of practices
# (`search.similar.practice_vectors`).
VECTORS_HOOK = "practice_vectors"
CITY_FIELDS = ("pk", "title", "slug", "url_path", "country", "region", "continent", "population", "languages")


@dataclass(frozen=True)
class ChallengeOption:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class CityChoice:
    id: int
    slug: str
    name: str


def _read_base() -> tuple:
    """(challenges, cities, the challenges each city names) as plain tuples:
    three queries (and the view restrictions)."""
    challenges = tuple(Challenge.objects.order_by("sort_order", "name", "pk").values_list("pk", "slug", "name"))
    rows = tuple(CityPage.objects.live().public().canonical().order_by("title", "pk").values_list(*CITY_FIELDS))
    named = defaultdict(list)
    for page_id, challenge_id in (
        CityChallenge.objects.filter(page_id__in=[row[0] for row in rows]).order_by("page", "sort_order", "pk")
        .values_list("page_id", "challenge_id")
    ):
        named[page_id].append(challenge_id)
    return challenges, rows, {pk: tuple(ids) for pk, ids in named.items()}


class PeerFacts:
    """What the peer finder reads, in two steps: the challenges and the
    public cities with the challenges they name (on creation: enough to read
    a question and to offer the form's choices; kept with the page fragments
    until the next editorial event, `cities.fragments.remember`), then
    `facts(asked)` (two queries: the practices on the challenges asked
    about, the asking city's transfers)."""

    def __init__(self):
        challenges, rows, self._named = fragments.remember("peer-facts", [], _read_base)
        self.challenges = [ChallengeOption(*row) for row in challenges]
        self._rows = {row[0]: dict(zip(CITY_FIELDS, row, strict=True)) for row in rows}
        self._by_slug = {row["slug"]: pk for pk, row in self._rows.items()}

    @cached_property
    def city_choices(self) -> list[CityChoice]:
        """The public cities, by name (the form's choices)."""
        return [CityChoice(pk, row["slug"], row["title"]) for pk, row in self._rows.items()]

    @cached_property
    def cities(self) -> dict[int, CityFacts]:
        """{id: the public city}, without its practices."""
        return {pk: self._city(pk, {}) for pk in self._rows}

    def challenge(self, slug: str) -> ChallengeOption | None:
        return next((c for c in self.challenges if c.slug == slug), None)

    def city(self, slug: str) -> CityFacts | None:
        pk = self._by_slug.get(slug)
        return self.city_by_id(pk) if pk is not None else None

    def city_by_id(self, pk: int) -> CityFacts | None:
        return self._city(pk, {}) if pk in self._rows else None

    def challenge_by_id(self, pk: int) -> ChallengeOption | None:
        return next((c for c in self.challenges if c.id == pk), None)

    def _city(self, pk, practices) -> CityFacts:
        row = self._rows[pk]
        return CityFacts(
            id=pk, name=row["title"], slug=row["slug"], url_path=row["url_path"], country=row["country"] or "",
            region=row["region"] or "", continent=row["continent"] or "", population=row["population"],
            languages=tuple(row["languages"] or ()), challenges=tuple(self._named.get(pk, ())),
            practices=practices,
        )

    def facts(self, asked_ids, asking: int | None = None) -> Facts:
        """The cities with their live, public practices on `asked_ids`
        (challenge ids), and the accepted transfers between the city
        `asking` (an id) and the others (none when no city asks)."""
        asked_ids = sorted(set(asked_ids))
        practices = defaultdict(lambda: defaultdict(dict))
        if asked_ids:
            through = CaseStudyPage.challenges.through
            counted = (
                through.objects.filter(challenge_id__in=asked_ids, casestudypage__live=True)
                .exclude(private_q("casestudypage__"))
                .order_by()
                .values_list("casestudypage__city_id", "challenge_id", "casestudypage__status")
                .annotate(n=Count("pk"))
            )
            for city_id, challenge_id, status, n in counted:
                if city_id in self._rows:
                    practices[city_id][challenge_id][status] = n
        transfers = defaultdict(int)
        between = (
            Transfer.objects.filter(Q(adopting_city=asking) | Q(source__city=asking))
            if asking is not None else Transfer.objects.none()
        )
        for adopting, source_city, n in (
            between.filter(acceptance=Acceptance.ACCEPTED, source__live=True)
            .exclude(private_q("source__"))
            .order_by()
            .values_list("adopting_city_id", "source__city_id")
            .annotate(n=Count("pk"))
        ):
            if adopting in self._rows and source_city in self._rows and adopting != source_city:
                transfers[frozenset((adopting, source_city))] += n
        return Facts(
            cities={pk: self._city(pk, {c: dict(s) for c, s in practices.get(pk, {}).items()}) for pk in self._rows},
            challenge_names={c.id: c.name for c in self.challenges},
            transfers=dict(transfers),
            meaning=self._meaning(asked_ids) if asking is not None and asked_ids else {},
        )

    def _meaning(self, asked_ids) -> dict[int, PracticeVectors]:
        """{city id: its live, public practices on `asked_ids` by meaning},
        from the first `practice_vectors` hook; {} when there is none or it
        gives nothing (search by meaning off: then no query)."""
        on_asked = CaseStudyPage.challenges.through.objects.filter(challenge_id__in=asked_ids)
        practices = (
            CaseStudyPage.objects.live().filter(pk__in=on_asked.values("casestudypage_id")).exclude(private_q())
        )
        for vectors_of in hooks.get_hooks(VECTORS_HOOK):
            rows = vectors_of(practices)
            if rows is not None:
                break
        else:
            return {}
        by_city = defaultdict(list)
        for _pk, city_id, title, vector in rows:  # by page id
            if city_id in self._rows:
                by_city[city_id].append((title, vector))
        return {
            city_id: PracticeVectors(tuple(t for t, _ in pairs), np.vstack([v for _, v in pairs]))
            for city_id, pairs in by_city.items()
        }
