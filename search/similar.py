"""Similar practices: the live, public case studies nearest in meaning to
one, whatever their language (the vectors of search by meaning, kept in the
database index on either backend). For case study pages and the peer
finder."""

from __future__ import annotations

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection

from . import embeddings
from .backends import hits
from .backends.contract import SearchHit
from .backends.database import postgres, vectors
from .backends.database.postings import Fingerprint
from .models import SearchEntry


def similar_practices(page_id: int, limit: int = 4) -> list[SearchHit]:
    """Up to `limit` visible case studies nearest to `page_id` (never
    itself), nearest first; [] when it has no vector yet (search by meaning
    off, or its indexing task has not run)."""
    nearest = vectors.current().similar(int(page_id), limit=limit * 3)
    return hits.in_order(nearest)[:limit]


def practice_vectors(practices) -> list[tuple[int, int, str, np.ndarray]] | None:
    """(page id, city id, title, vector) of the case studies of the queryset
    `practices` that have a vector, by page id, in one query; None, without
    a query, when search by meaning is off. The peer finder's
    `practice_vectors` hook (`exchange.peer_facts`): the caller's queryset
    says which pages may count.

    On PostgreSQL the vectors come from the process's matrix of the index
    (`vectors.current`, kept per fingerprint, as search by meaning reads
    them): the query reads the pages and the index's fingerprint, not
    megabytes of vectors. Elsewhere they are read with the pages."""
    if not embeddings.enabled():
        return None
    if connection.vendor != "postgresql":
        rows = (
            SearchEntry.objects.filter(page__in=practices.values("pk"), embedding__isnull=False)
            .order_by("page_id")
            .values_list("page_id", "page__city_id", "page__title", "embedding")
        )
        return [(pk, city_id, title, embeddings.from_bytes(data)) for pk, city_id, title, data in rows]
    try:
        sql, params = practices.order_by().values_list("pk", "city_id", "title").query.sql_with_params()
    except EmptyResultSet:  # a queryset that can match nothing
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.entries, f.checksum, p.* FROM ({postgres.FINGERPRINT}) f LEFT JOIN ({sql}) p ON true "
            "ORDER BY 3",
            params,
        )
        rows = cursor.fetchall()
    index = vectors.current(Fingerprint(int(rows[0][0]), int(rows[0][1])))
    pages = [row[2:] for row in rows if row[2] is not None]
    if not pages or not len(index.ids):
        return []
    at = np.searchsorted(index.ids, [pk for pk, _, _ in pages])
    at = np.minimum(at, len(index.ids) - 1)
    return [
        (pk, city_id, title, index.matrix[i])
        for (pk, city_id, title), i in zip(pages, at.tolist(), strict=True)
        if index.ids[i] == pk
    ]
