"""Similar practices: the live, public case studies nearest in meaning to
one, whatever their language (the vectors of search by meaning, kept in the
database index on either backend). For case study pages and the peer
finder."""

from __future__ import annotations

import numpy as np

from . import embeddings
from .backends import hits
from .backends.contract import SearchHit
from .backends.database import vectors
from .models import SearchEntry


def similar_practices(page_id: int, limit: int = 4) -> list[SearchHit]:
    """Up to `limit` visible case studies nearest to `page_id` (never
    itself), nearest first; [] when it has no vector yet (search by meaning
    off, or its indexing task has not run)."""
    nearest = vectors.current().similar(int(page_id), limit=limit * 3)
    return hits.in_order(nearest)[:limit]


def practice_vectors(practices) -> list[tuple[int, int, str, np.ndarray]] | None:
    """(page id, city id, title, vector) of the case studies of the queryset
    `practices` that have a vector, in one query; None, without a query,
    when search by meaning is off. The peer finder's `practice_vectors` hook
    (`exchange.peer_facts`): the caller's queryset says which pages may count."""
    if not embeddings.enabled():
        return None
    rows = (
        SearchEntry.objects.filter(page__in=practices.values("pk"), embedding__isnull=False)
        .order_by("page_id")
        .values_list("page_id", "page__city_id", "page__title", "embedding")
    )
    return [(pk, city_id, title, embeddings.from_bytes(data)) for pk, city_id, title, data in rows]
