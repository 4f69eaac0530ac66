""""Adapted by N cities": defined here, and only here.

N is the number of distinct cities with an *accepted* transfer of the case
study at any stage except *dropped*, counting only cities the public may
see (a live city page under no view restriction), so that the number
matches the cities a visitor can find. The case study page, its search
card (both search indexes, through `search.serialise`), the "adapted
elsewhere" facet, the "most adapted" sort and the API all read it from
`adapted_by_counts()`."""

from __future__ import annotations

from django.db.models import Count

from cities.visibility import private_q

from .models import Acceptance, Stage, Transfer


def counted_transfers():
    """The transfers that count towards "Adapted by N cities"."""
    return (
        Transfer.objects.filter(acceptance=Acceptance.ACCEPTED, adopting_city__live=True)
        .exclude(stage=Stage.DROPPED)
        .exclude(private_q("adopting_city__"))
    )


def adapted_by_counts(case_study_ids) -> dict[int, int]:
    """{case study id: N} for those of `case_study_ids` adapted by at least
    one city (one query)."""
    ids = sorted({int(i) for i in case_study_ids})
    if not ids:
        return {}
    rows = (
        counted_transfers().filter(source__in=ids).order_by()
        .values("source").annotate(cities=Count("adopting_city", distinct=True))
        .values_list("source", "cities")
    )
    return dict(rows)


def adapted_by(case_study) -> int:
    return adapted_by_counts([case_study.pk]).get(case_study.pk, 0)


def sources_adopted_by_cities_under(page) -> list[int]:
    """The case studies that cities at or under `page` have transfers of:
    their N changes when such a city is published, unpublished, moved or
    made private."""
    return list(
        Transfer.objects.filter(adopting_city__path__startswith=page.path)
        .order_by().values_list("source", flat=True).distinct()
    )
