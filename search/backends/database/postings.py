"""Facet counts, filters and sorts of the database index on PostgreSQL,
computed in the process from the index's facet postings.

Counting facet values in SQL means expanding every matching row's token list
(about 130,000 rows at 10,000 case studies) on each search. Here each
process keeps, for the index as it last read it, one bit per entry and
token (`Postings`: a token's entries are its posting list, packed 64 to a
word) and the entries' order for each sort; a search then intersects bit
sets (`numpy`), which costs microseconds:

* the matching entries: every entry, or those the text matches (ids read
  from the full-text index by the caller), minus the years outside the
  range and the pages under a view restriction;
* the multi-select rule as in the SQL statement: each facet's counts apply
  every *other* facet's filters; the hits and the total apply them all;
* the page's ids in the order asked for (relevance is ranked by the
  database over the passing ids, by the caller).

The postings are valid for one *fingerprint* of the index: the row count
and a checksum of `search_entry_change`, a log that a trigger appends to on
every statement writing the index (`postgres.FINGERPRINT`). The caller reads
it in the statement that matches the text, so it describes what that
statement saw (the transaction's own uncommitted writes included, a
rolled-back write not); postings read under another fingerprint are read
again. The statement that loads the postings reads their fingerprint too,
so the two always describe the same snapshot.

An entry whose page is no longer live is left out when the postings are
read; the cards of the page's hits are read with the same test, so a page
unpublished by a path that skipped the index update never shows."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from search import schema

SORTS = ("newest", "oldest", "start_year", "most_adapted")


@dataclass(frozen=True)
class Fingerprint:
    count: int
    checksum: int


@dataclass(frozen=True)
class Counted:
    """What a search reads from the postings: (token, count) rows as the SQL
    statement returns them, the total, and the passing entries' positions
    (relevance order is the caller's)."""

    rows: list[tuple[str, int]]
    total: int
    passing: np.ndarray  # bool per entry position


class Postings:
    """One bit per (token, entry) of the index, and the sort orders."""

    def __init__(self, fingerprint: Fingerprint, entries: list[tuple]):
        """`entries`: (page_id, tokens, published, start_year, live,
        adapted_by), any order."""
        self.fingerprint = fingerprint
        entries = sorted((e for e in entries if e[4]), key=lambda e: e[0])
        n = len(entries)
        self.size = n
        self.ids = np.fromiter((e[0] for e in entries), dtype=np.int64, count=n)
        words = (n + 63) // 64
        token_rows: dict[str, list[int]] = {}
        for position, entry in enumerate(entries):
            for token in entry[1]:
                token_rows.setdefault(token, []).append(position)
        self.tokens: list[str] = sorted(token_rows)
        self.token_index = {token: i for i, token in enumerate(self.tokens)}
        bits = np.zeros((len(self.tokens), words * 64), dtype=bool)
        for i, token in enumerate(self.tokens):
            bits[i, token_rows[token]] = True
        self.matrix = _pack(bits) if n else np.zeros((len(self.tokens), 0), dtype=np.uint64)
        # Tokens grouped by facet: facet name -> (its token rows in the
        # matrix, its tokens), in the matrix's order.
        self.by_facet: dict[str, tuple[np.ndarray, list[str]]] = {}
        for facet in schema.FACET_LIST:
            prefix = f"{facet.name}:"
            rows = [i for i, token in enumerate(self.tokens) if token.startswith(prefix)]
            self.by_facet[facet.name] = (np.array(rows, dtype=np.intp), [self.tokens[i] for i in rows])
        self.words = words
        self.orders = _orders(self.ids, entries)

    def positions(self, page_ids) -> np.ndarray:
        """The positions of the entries with these page ids (ids the
        postings do not hold are dropped)."""
        ids = np.asarray(page_ids, dtype=np.int64)
        if not len(ids) or not self.size:
            return np.zeros(0, dtype=np.intp)
        at = np.searchsorted(self.ids, ids)
        at[at >= self.size] = 0
        return at[self.ids[at] == ids]

    def bits_of(self, positions) -> np.ndarray:
        """A packed bit set of these positions."""
        flags = np.zeros(self.words * 64, dtype=bool)
        flags[positions] = True
        return _pack(flags[None, :])[0]

    def everything(self) -> np.ndarray:
        return self.bits_of(np.arange(self.size))

    def years(self, lo: int | None, hi: int | None) -> np.ndarray:
        """The entries whose start year is within [lo, hi] (either open)."""
        _, tokens = self.by_facet.get("start_year", ((), []))
        inside = []
        for token in tokens:
            year = int(token.partition(":")[2])
            if (lo is None or year >= lo) and (hi is None or year <= hi):
                inside.append(token)
        return self.any_of(inside)

    def any_of(self, tokens) -> np.ndarray:
        """The entries holding at least one of the tokens."""
        rows = [self.token_index[t] for t in tokens if t in self.token_index]
        if not rows:
            return np.zeros(self.words, dtype=np.uint64)
        return np.bitwise_or.reduce(self.matrix[rows], axis=0)

    def count(self, query, matching: np.ndarray) -> Counted:
        """Facet counts, total and passing entries of `query` among the
        `matching` entries (packed), by the multi-select rule."""
        selected = {
            name: self.any_of(f"{name}:{v}" for v in schema.FACETS[name].filter_values(values))
            for name, values in query.filters.items()
        }
        rows: list[tuple[str, int]] = []
        for name, (token_rows, tokens) in self.by_facet.items():
            if not len(token_rows):
                continue
            base = matching
            for other, bits in selected.items():
                if other != name:
                    base = base & bits
            counts = np.bitwise_count(self.matrix[token_rows] & base).sum(axis=1)
            rows += [(token, int(c)) for token, c in zip(tokens, counts, strict=True) if c]
        passing = matching
        for bits in selected.values():
            passing = passing & bits
        flags = _unpack(passing, self.size)
        return Counted(rows=rows, total=int(np.count_nonzero(flags)), passing=flags)

    def page(self, passing: np.ndarray, sort: str, offset: int, limit: int) -> list[int]:
        """Page ids of the passing entries in a stored sort order."""
        order = self.orders[sort]
        chosen = order[passing[order]]
        return [int(i) for i in self.ids[chosen[offset : offset + limit]]]

    def passing_ids(self, passing: np.ndarray) -> list[int]:
        return [int(i) for i in self.ids[passing]]


def _pack(bits: np.ndarray) -> np.ndarray:
    """Rows of bools (a multiple of 64 columns) as rows of uint64 words."""
    return np.packbits(bits, axis=1, bitorder="little").view(np.uint64)


def _unpack(words: np.ndarray, size: int) -> np.ndarray:
    return np.unpackbits(words.view(np.uint8), bitorder="little")[:size].astype(bool)


def _orders(ids: np.ndarray, entries) -> dict[str, np.ndarray]:
    """Entry positions in each stored sort order, as the SQL statement sorts
    (`SORT_COLUMNS`): nulls last, ties by page id."""
    n = len(entries)

    def column(values):
        """The values, nulls as 0, and where the nulls are."""
        array = np.fromiter((np.nan if v is None else v for v in values), dtype=np.float64, count=n)
        nulls = np.isnan(array)
        return np.where(nulls, 0, array), nulls

    published, no_published = column(e[2].timestamp() if e[2] is not None else None for e in entries)
    year, no_year = column(e[3] for e in entries)
    adapted, no_adapted = column(e[5] for e in entries)
    # np.lexsort sorts by the last key first.
    return {
        "newest": np.lexsort((-ids, -published, no_published)),
        "oldest": np.lexsort((ids, published, no_published)),
        "start_year": np.lexsort((-ids, -year, no_year)),
        "most_adapted": np.lexsort((-ids, -published, no_published, -adapted, no_adapted)),
    }


class PostingsMemo:
    """The postings this process last read; read again when the index's
    fingerprint differs (`load(fingerprint)` is given the fingerprint the
    caller saw, returns postings with their own)."""

    def __init__(self):
        self._postings: Postings | None = None
        self._lock = threading.Lock()

    def get(self, fingerprint: Fingerprint, load) -> Postings:
        postings = self._postings
        if postings is not None and postings.fingerprint == fingerprint:
            return postings
        with self._lock:
            postings = self._postings
            if postings is None or postings.fingerprint != fingerprint:
                postings = load()
                self._postings = postings
        return postings


memo = PostingsMemo()
