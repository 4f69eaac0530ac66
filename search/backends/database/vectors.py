"""Search by meaning on the database backend: the index's vectors
(`SearchEntry.embedding`) as one float32 matrix in the process, scored with
numpy (10,000 case studies: 15 MB, a matrix-vector product of about a
millisecond).

On PostgreSQL the matrix is kept for one fingerprint of the index, like the
facet postings (`postings`: read again after any write to the index); on
SQLite, the embedded default for small catalogues, it is read for each
search.

* `Vectors.nearest(vector)`: the ids of the case studies that the query's
  meaning matches (`embeddings.SEMANTIC_K`, `embeddings.MIN_SIMILARITY`),
  nearest first;
* `Vectors.similar(page_id, limit)`: the case studies nearest to one;
* `fuse(text_order, meaning_order)`: the hybrid ranking, reciprocal rank
  fusion of the two orders (docs/search.md, "Hybrid ranking").
"""

from __future__ import annotations

import numpy as np
from django.db import connection

from search import embeddings

from . import postgres
from .postings import Fingerprint, PostingsMemo

RRF_K = 60  # the usual constant of reciprocal rank fusion

LOAD = ("SELECT page_id, embedding FROM search_searchentry WHERE embedding IS NOT NULL "
        "ORDER BY page_id")
# PostgreSQL: the fingerprint too, in the same snapshot (one row of nulls
# when there is no vector).
LOAD_WITH_FINGERPRINT = (
    f"SELECT f.entries, f.checksum, e.page_id, e.embedding FROM ({postgres.FINGERPRINT}) f "
    f"LEFT JOIN search_searchentry e ON e.embedding IS NOT NULL ORDER BY e.page_id"
)


class Vectors:
    def __init__(self, fingerprint: Fingerprint | None, rows):
        self.fingerprint = fingerprint
        self.ids = np.fromiter((pk for pk, _ in rows), dtype=np.int64, count=len(rows))
        self.matrix = np.zeros((len(rows), embeddings.DIMENSIONS), dtype=np.float32)
        for i, (_, data) in enumerate(rows):
            self.matrix[i] = embeddings.from_bytes(data)

    def similarities(self, vector) -> np.ndarray:
        return self.matrix @ np.asarray(vector, dtype=np.float32)

    def nearest(self, vector, k: int = embeddings.SEMANTIC_K,
                min_similarity: float = embeddings.MIN_SIMILARITY) -> list[int]:
        """Page ids of the at most `k` nearest vectors at least
        `min_similarity` alike, nearest first (ties: newest id first)."""
        if not len(self.ids):
            return []
        scores = self.similarities(vector)
        close = np.flatnonzero(scores >= min_similarity)
        order = close[np.lexsort((-self.ids[close], -scores[close]))][:k]
        return [int(i) for i in self.ids[order]]

    def similar(self, page_id: int, limit: int, exclude=()) -> list[int]:
        """Page ids nearest to `page_id`'s vector (never itself nor
        `exclude`), nearest first; [] when it has no vector."""
        at = np.flatnonzero(self.ids == page_id)
        if not len(at):
            return []
        scores = self.similarities(self.matrix[at[0]])
        skip = {int(page_id), *map(int, exclude)}
        out = []
        for i in np.lexsort((-self.ids, -scores)):
            pk = int(self.ids[i])
            if pk not in skip:
                out.append(pk)
                if len(out) == limit:
                    break
        return out


def read() -> Vectors:
    with connection.cursor() as cursor:
        cursor.execute(LOAD)
        return Vectors(None, cursor.fetchall())


def read_with_fingerprint() -> Vectors:
    with connection.cursor() as cursor:
        cursor.execute(LOAD_WITH_FINGERPRINT)
        rows = cursor.fetchall()
    fingerprint = Fingerprint(int(rows[0][0]), int(rows[0][1]))
    return Vectors(fingerprint, [(pk, data) for _, _, pk, data in rows if pk is not None])


memo = PostingsMemo()  # PostgreSQL: the vectors of the index as last read


def current(fingerprint: Fingerprint | None = None) -> Vectors:
    """The index's vectors: kept while the index's fingerprint is
    `fingerprint` (PostgreSQL; read for the fingerprint when not given), or
    read now (SQLite)."""
    if connection.vendor != "postgresql":
        return read()
    if fingerprint is None:
        with connection.cursor() as cursor:
            cursor.execute(postgres.FINGERPRINT)
            fingerprint = Fingerprint(*(int(v) for v in cursor.fetchone()))
    return memo.get(fingerprint, read_with_fingerprint)


def fuse(text_order: list[int], meaning_order: list[int], k: int = RRF_K) -> list[int]:
    """Reciprocal rank fusion: each id scores 1/(k + rank) in each order it
    is in (rank from 1); best first, ties by the better single rank, then
    the newest id."""
    score: dict[int, float] = {}
    best: dict[int, int] = {}
    for order in (text_order, meaning_order):
        for rank, pk in enumerate(order, start=1):
            score[pk] = score.get(pk, 0.0) + 1.0 / (k + rank)
            best[pk] = min(best.get(pk, rank), rank)
    return sorted(score, key=lambda pk: (-score[pk], best[pk], -pk))
