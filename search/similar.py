"""Similar practices: the live, public case studies nearest in meaning to
one, whatever their language (the vectors of search by meaning, kept in the
database index on either backend). For case study pages and the peer
finder."""

from __future__ import annotations

from .backends import hits
from .backends.contract import SearchHit
from .backends.database import vectors


def similar_practices(page_id: int, limit: int = 4) -> list[SearchHit]:
    """Up to `limit` visible case studies nearest to `page_id` (never
    itself), nearest first; [] when it has no vector yet (search by meaning
    off, or its indexing task has not run)."""
    nearest = vectors.current().similar(int(page_id), limit=limit * 3)
    return hits.in_order(nearest)[:limit]
