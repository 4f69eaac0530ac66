"""Practice search on the database (SQLite, PostgreSQL).

It reads the database index, `search.models.SearchEntry`: one row per live,
public case study with its text by weight, its facet values as `facet:value`
tokens and its card. The SQL that differs by vendor is in `postgres` and
`sqlite` beside this module.

On SQLite, a search is one statement for the facet counts, the total and
the ids of the requested page, then one primary-key query for the page's
cards, whatever the page size, the number of results or of selected facets
(on PostgreSQL, the same rule runs in the process over the index's facet
postings, see `postings`; the statement stays the reference the tests
compare them with):

* the rows matching the text and the year range (and still live and not
  under a view restriction: a missed event cannot leak a page) are
  materialised once, each with one flag per selected facet it fails;
* rows failing two or more selected facets count for nothing; a row failing
  none counts for every facet's values and the total; a row failing exactly
  one facet counts for that facet's values only. That is the multi-select
  rule (each facet's counts apply every *other* facet's filters) in one pass
  over the tokens;
* the page's ids are the rows failing none, in the order asked for.

When some words of the text are not in the index's vocabulary
(`search.models.SearchWord`), they are corrected to the closest known words
(trigram similarity on PostgreSQL, rapidfuzz on SQLite) and the corrected
text is searched; the result says so (`SearchResult.corrected`). When the
corrected text finds nothing, the text as typed is searched (and when that
finds nothing either, the corrected text is the result's `suggestion`);
`SearchQuery.exact` skips the correction.

Search by meaning (when `search.embeddings.enabled()`): a query with words
also matches the case studies nearest to its meaning (`vectors`: the
index's vectors scored with numpy), whatever their language; facets, years
and visibility apply to them as to the text's matches, and by relevance the
two orders are fused (reciprocal rank fusion, `vectors.fuse`). A corrected
text is then searched only when its words match some case study.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import replace

from django.db import connection
from django.db.models import Case, Value, When
from wagtail.models import Page

from cities.visibility import private_q, restricted_paths
from search import embeddings, schema
from search.models import SearchEntry, SearchWord

from ..contract import BaseSearchBackend, SearchHit, SearchQuery, SearchResult
from ..facets import FacetOptions, load_facet_options
from ..highlight import highlight_text
from . import postgres, postings, sqlite, vectors
from .statement import Statement

SORT_COLUMNS = {
    "newest": "{t}.published DESC NULLS LAST, {t}.page_id DESC",
    "oldest": "{t}.published ASC NULLS LAST, {t}.page_id ASC",
    "start_year": "{t}.start_year DESC NULLS LAST, {t}.page_id DESC",
    "most_adapted": "{t}.adapted_by DESC NULLS LAST, {t}.published DESC NULLS LAST, {t}.page_id DESC",
}


def dialect():
    return postgres if connection.vendor == "postgresql" else sqlite


def private_page_ids() -> list[int]:
    """Ids of the pages under a view restriction (usually none: no query
    once the request has read the restrictions)."""
    if not restricted_paths():
        return []
    return list(Page.objects.filter(private_q()).values_list("pk", flat=True))


def fold(word: str) -> str:
    """A word as the vocabulary keeps it: lowercase, accents removed."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_statement(sql, query: SearchQuery, words: list[str], private_ids, ids=None) -> Statement:
    """The facet counts, the total and the requested page's ids (see the
    module docstring). Rows: (token, count) per facet value, ('', total),
    ('hit:<id>', position) per hit of the page.

    The cheap tests (years, privacy, the selected facets) run first, behind
    a fence (`OFFSET 0`: the planner does not merge such subqueries), so
    that the text is matched, and the page joined, only for rows that can
    still count. `ids`: only these entries can match (the hybrid search's
    text and meaning matches)."""
    st = Statement()  # parameters are taken in the order the SQL text names them
    selected = [(schema.FACETS[name], values) for name, values in sorted(query.filters.items())]
    columns = ["e.page_id", "e.facets", "e.published", "e.start_year",
               *(f"e.{name}" for name in schema.SORT_NUMBERS), *sql.text_columns("e", words)]
    for i, (facet, values) in enumerate(selected):
        tokens = [f"{facet.name}:{v}" for v in facet.filter_values(values)]
        columns.append(f"CASE WHEN {sql.has_any(st, 'e.facets', tokens)} THEN 0 ELSE 1 END AS x{i}")
    cheap = []
    if ids is not None:
        cheap.append(sql.in_ids(st, "e.page_id", ids))
    if private_ids:
        cheap.append(f"NOT ({sql.in_ids(st, 'e.page_id', private_ids)})")
    if query.year_from is not None:
        cheap.append(f"e.start_year >= {st.param(query.year_from)}")
    if query.year_to is not None:
        cheap.append(f"e.start_year <= {st.param(query.year_to)}")
    flags = f"SELECT {', '.join(columns)} FROM search_searchentry e"
    if cheap:
        flags += f" WHERE {' AND '.join(cheap)}"
    if selected:
        fails = " + ".join(f"q.x{i}" for i in range(len(selected)))
        only = " ".join(f"WHEN q.x{i} = 1 THEN '{facet.name}:'" for i, (facet, _) in enumerate(selected))
        rows = (f"SELECT q.*, {fails} AS fails, CASE {only} ELSE '' END AS only_facet "
                f"FROM ({flags} {sql.FENCE}) q WHERE {fails} <= 1 {sql.FENCE}")
        counted = f"m.fails = 0 OR {sql.starts_with('v.value', 'm.only_facet')}"
        passing = "m.fails = 0"
    else:
        rows = flags
        counted = passing = "1 = 1"
    rank = sql.rank_column(st, "s", words)
    join = sql.text_join(st, "s", words)
    conditions = [f"p.live = {st.param(True)}"]
    if words and (text := sql.text_condition(st, "s", words)):
        conditions.append(text)
    m = (f"SELECT s.*{rank} FROM ({rows}) s "
         f"JOIN wagtailcore_page p ON p.id = s.page_id{join} WHERE {' AND '.join(conditions)}")
    sort = query.effective_sort
    if sort == "relevance":
        order = f"{sql.rank_expression(st, 'm', words)} DESC, m.published DESC NULLS LAST, m.page_id DESC"
    else:
        order = SORT_COLUMNS[sort].format(t="m")
    h = (f"SELECT m.page_id, ROW_NUMBER() OVER (ORDER BY {order}) AS n FROM m WHERE {passing} "
         f"ORDER BY n LIMIT {st.param(query.page_size)} OFFSET {st.param(query.offset)}")
    st.sql = (
        f"WITH m AS {sql.MATERIALIZED}({m}), h AS ({h}) "
        f"SELECT v.value, COUNT(*) FROM m, {sql.expand('m.facets')} WHERE {counted} GROUP BY v.value "
        f"UNION ALL SELECT '', COUNT(*) FROM m WHERE {passing} "
        f"UNION ALL SELECT 'hit:' || CAST(h.page_id AS TEXT), h.n FROM h"
    )
    return st


def _counts(rows) -> tuple[dict[str, dict[str, int]], int, dict[int, int]]:
    """Facet counts (year facets in ranges), the total, and the page's ids
    with their positions, from the statement's rows."""
    counts: dict[str, dict[str, int]] = {facet.name: {} for facet in schema.FACET_LIST}
    total = 0
    hits: dict[int, int] = {}
    for token, count in rows:
        if token == "":
            total = count
            continue
        name, _, value = token.partition(":")
        if name == "hit":
            hits[int(value)] = count
            continue
        facet = schema.FACETS.get(name)
        if facet is None:  # a facet no longer declared (the index not rebuilt yet)
            continue
        if facet.kind is schema.Kind.YEAR:
            value = schema.year_bucket(int(value))
        bucket = counts[name]
        bucket[value] = bucket.get(value, 0) + count
    return counts, total, hits


def prune_change_log() -> int:
    """Rows pruned from the index's change log (PostgreSQL; see `postings`)."""
    return postgres.prune_changes() if connection.vendor == "postgresql" else 0


def _fetch_ids(st: Statement) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(st.sql, st.params)
        return [row[0] for row in cursor.fetchall()]


def _read_postings() -> postings.Postings:
    with connection.cursor() as cursor:
        cursor.execute(postgres.POSTINGS)
        rows = cursor.fetchall()
    fingerprint = postings.Fingerprint(int(rows[0][0]), int(rows[0][1]))
    entries = [(pk, tokens if isinstance(tokens, list) else json.loads(tokens), published, year, live, adapted)
               for _, _, pk, tokens, published, year, live, adapted in rows if pk is not None]
    return postings.Postings(fingerprint, entries)


def _fused_page(query: SearchQuery, text_order, meaning_order, passing: set[int]) -> dict[int, int]:
    """The requested page of the passing entries by the fused ranking:
    page id -> position (from 1, over every page)."""
    order = vectors.fuse([i for i in text_order if i in passing], [i for i in meaning_order if i in passing])
    page = order[query.offset : query.offset + query.page_size]
    return {pk: n for n, pk in enumerate(page, start=query.offset + 1)}


class DatabaseBackend(BaseSearchBackend):
    name = "database"
    # On PostgreSQL, count, filter and sort with the facet postings
    # (`postings`); False: with the SQL statement, as on SQLite (the
    # reference the tests compare the postings with).
    use_postings = True

    def __init__(self, use_postings: bool | None = None):
        if use_postings is not None:
            self.use_postings = use_postings

    def search(self, query: SearchQuery, options: FacetOptions | None = None) -> SearchResult:
        options = options or load_facet_options()
        for name in query.filters:
            if name not in schema.FACETS:
                raise ValueError(f"unknown facet {name}")
        private = private_page_ids()
        meaning = embeddings.meaning_of(query)
        corrected = self._correction(query.words) if query.words and not query.exact else None
        if corrected is not None:
            result, matched = self._search(query, corrected, options, private, meaning)
            if matched:
                result.corrected = " ".join(corrected)
                return result
            result = self._search(query, query.words, options, private, meaning)[0]
            if not result.total:
                # Nothing either way (the filters leave nothing): the
                # zero-results page still offers the spelling.
                result.suggestion = " ".join(corrected)
            return result
        return self._search(query, query.words, options, private, meaning)[0]

    def _correction(self, words: list[str]) -> list[str] | None:
        """The words with those the vocabulary does not know replaced by
        the closest known ones; None when all are known or none has a
        close enough neighbour."""
        folded = [fold(w) for w in words]
        candidates = {w for w in folded if len(w) >= 3 and w.isalpha()}
        if not candidates:
            return None
        known = set(SearchWord.objects.filter(word__in=candidates).values_list("word", flat=True))
        unknown = candidates - known
        if not unknown:
            return None
        replacements = dialect().closest_words(unknown)
        if not any(replacements.values()):
            return None
        return [replacements.get(w) or w for w in folded]

    def _search(self, query: SearchQuery, words, options, private, meaning=None) -> tuple[SearchResult, int]:
        """The result, and how many entries the words matched (the total,
        without search by meaning)."""
        meaning = meaning if words else None
        if connection.vendor == "postgresql" and self.use_postings:
            counts, total, positions, matched = self._count_with_postings(query, words, private, meaning)
        elif meaning is not None:
            counts, total, positions, matched = self._count_hybrid(query, words, private, meaning)
        else:
            st = search_statement(dialect(), query, words, private)
            with connection.cursor() as cursor:
                cursor.execute(st.sql, st.params)
                counts, total, positions = _counts(cursor.fetchall())
            matched = total
        facets = {name: options.build(name, counts[name], query.filters.get(name, ())) for name in counts}
        hits, highlights = [], {}
        if positions:
            fields = ["page_id", "card"] + (["text_c"] if words else [])
            rows = SearchEntry.objects.filter(page_id__in=list(positions), page__live=True).values_list(*fields)
            for row in sorted(rows, key=lambda r: positions[r[0]]):
                hit = SearchHit.from_card(row[0], row[1])
                hits.append(hit)
                if words:
                    entry = {}
                    if summary := highlight_text(hit.summary, words, whole=True):
                        entry["summary"] = [summary]
                    if body := highlight_text(row[2], words):
                        entry["body"] = [body]
                    if entry:
                        highlights[hit.pk] = entry
        result = SearchResult(
            query=query, hits=hits, total=total, facets=facets, highlights=highlights, backend=self.name
        )
        return result, matched

    def _count_hybrid(self, query: SearchQuery, words, private, meaning):
        """`_counts` of a search by text and meaning with the SQL statement
        (SQLite): the statement counts the entries either matches; by
        relevance it lists every passing entry, which are then ranked by
        fusing the text's order with the meaning's. Also: how many entries
        the words matched."""
        sql = dialect()
        text = _fetch_ids(sql.text_order(words))
        meaning_order = vectors.current().nearest(meaning)
        union = sorted(set(text) | set(meaning_order))
        relevance = query.effective_sort == "relevance"
        asked = replace(query, text="", sort="newest", page=1, page_size=max(1, len(union))) if relevance \
            else replace(query, text="")
        st = search_statement(sql, asked, [], private, ids=union)
        with connection.cursor() as cursor:
            cursor.execute(st.sql, st.params)
            counts, total, positions = _counts(cursor.fetchall())
        if relevance:
            positions = _fused_page(query, text, meaning_order, set(positions))
        return counts, total, positions, len(text)

    def _count_with_postings(self, query: SearchQuery, words, private, meaning=None):
        """The facet counts, the total and the page's ids with positions, as
        `_counts` gives them from the statement (see `postings`), and how
        many entries the words matched."""
        st = postgres.matching_statement(words)
        with connection.cursor() as cursor:
            cursor.execute(st.sql, st.params)
            row = cursor.fetchone()
        fingerprint = postings.Fingerprint(int(row[0]), int(row[1]))
        index = postings.memo.get(fingerprint, _read_postings)
        text = row[2] or []
        meaning_order = vectors.current(fingerprint).nearest(meaning) if meaning is not None else []
        if words:
            matching = index.bits_of(index.positions(list(set(text) | set(meaning_order))))
        else:
            matching = index.everything()
        if query.year_from is not None or query.year_to is not None:
            matching = matching & index.years(query.year_from, query.year_to)
        hidden = list(private) + (row[3] or [])
        if hidden:
            matching = matching & ~index.bits_of(index.positions(hidden))
        counted = index.count(query, matching)
        sort = query.effective_sort
        if sort == "relevance" and meaning is not None:
            passing = set(index.passing_ids(counted.passing))
            text_passing = [i for i in text if i in passing]
            text_order = _fetch_ids(postgres.text_order(words, text_passing)) if text_passing else []
            fused = _fused_page(query, text_order, meaning_order, passing)
            page = sorted(fused, key=fused.get)
        elif sort == "relevance":
            st = postgres.ranked_statement(words, index.passing_ids(counted.passing), query.page_size, query.offset)
            with connection.cursor() as cursor:
                cursor.execute(st.sql, st.params)
                page = [r[0] for r in cursor.fetchall()]
        else:
            page = index.page(counted.passing, sort, query.offset, query.page_size)
        rows = counted.rows + [("", counted.total)]
        rows += [(f"hit:{pk}", n) for n, pk in enumerate(page, start=query.offset + 1)]
        return (*_counts(rows), len(text) if meaning is not None else counted.total)

    def related(self, page, limit: int = 4) -> list[SearchHit]:
        """The visible case studies sharing most challenges with `page`,
        then the newest: one statement over the index (plus the view
        restrictions, once per request)."""
        tokens = [f"challenge:{challenge.slug}" for challenge in page.challenges.all()]
        if not tokens:
            return []
        sql = dialect()
        st = Statement()
        shared = " + ".join(f"CASE WHEN {sql.has_any(st, 'e.facets', [token])} THEN 1 ELSE 0 END" for token in tokens)
        conditions = [f"e.page_id <> {st.param(page.pk)}", sql.has_any(st, "e.facets", tokens)]
        if private := private_page_ids():
            conditions.append(f"NOT ({sql.in_ids(st, 'e.page_id', private)})")
        conditions.append(f"p.live = {st.param(True)}")
        st.sql = (
            f"SELECT e.page_id, e.card, {shared} AS shared FROM search_searchentry e "
            f"JOIN wagtailcore_page p ON p.id = e.page_id WHERE {' AND '.join(conditions)} "
            f"ORDER BY shared DESC, e.published DESC, e.page_id DESC LIMIT {st.param(limit)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(st.sql, st.params)
            rows = cursor.fetchall()
        return [SearchHit.from_card(pk, card if isinstance(card, dict) else json.loads(card)) for pk, card, _ in rows]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        prefix = (prefix or "").strip()[:100]
        if not prefix:
            return []
        # One query: titles starting with the prefix first, then those containing it.
        starts = Case(When(card__title__istartswith=prefix, then=Value(0)), default=Value(1))
        titles = list(
            SearchEntry.objects.filter(page__live=True, card__title__icontains=prefix)
            .annotate(starts=starts)
            .order_by("starts", "card__title")
            .values_list("card__title", flat=True)[:limit]
        )
        return titles
