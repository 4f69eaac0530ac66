"""Practice search on the database (any Django database: SQLite, PostgreSQL).

It reads the database index, `search.models.SearchEntry`: one row per live,
public case study with its words, every facet's values and what a result card
shows, written by the same editorial events as the Elasticsearch index.

A search is two SQL statements whatever the page size, the number of results
or the number of selected facets:

1. the facet counts and the total. The rows matching the text and the year
   range are materialised once (with one boolean column per selected facet);
   each facet then counts, over those rows, the ones passing every *other*
   selected facet (multi-select facets), and the total counts the rows
   passing all of them. On PostgreSQL the same statement also returns the
   ids of the requested page, in order, so the text is matched once;
2. the page's card fields (and the body, for highlighting): by primary key
   on PostgreSQL, the ordered page itself on SQLite.

Text on PostgreSQL: the generated, weighted `search_vector` column (GIN;
`sce_english`: English stemming, accents folded), every word must match,
relevance is `ts_rank` (title A > summary B > body C > partners D), then
newest first. On SQLite: Wagtail's FTS5 index plus a plain "contains" on
title, summary and partner names, ranked in Python (title, then summary,
then the engine's order, then newest).

Listability is checked again at query time (the page is live and not under a
view restriction), so a missed event cannot leak a draft or a private page.
"""

from __future__ import annotations

import json
import logging
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Q

from .base import (
    BaseSearchBackend,
    FacetOptions,
    SearchHit,
    SearchQuery,
    SearchResult,
    highlight_text,
    load_facet_options,
    year_bucket,
    year_bucket_bounds,
)

logger = logging.getLogger(__name__)

TS_CONFIG = "sce_english"  # created by search/migrations/0002_search_vector.py

# Facet -> SearchEntry column.
M2M_FACETS = {
    "challenge": "challenges",
    "sector": "sectors",
    "policy_lever": "policy_levers",
    "target_group": "target_groups",
}
FIELD_FACETS = {"city": "city", "country": "country", "status": "status"}
ALL_FACETS = [*M2M_FACETS, *FIELD_FACETS, "start_year"]

CARD_COLUMNS = [
    "page_id", "title", "summary", "url_path", "language", "city", "city_name", "country", "challenges",
    "challenge_names", "start_year", "end_year", "status",
]


def _case_studies():
    from practices.models import CaseStudyPage

    return CaseStudyPage.objects.listable()


def private_page_ids() -> list[int]:
    """Ids of the pages under a view restriction (usually none: one query)."""
    from wagtail.models import Page, PageViewRestriction

    paths = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    if not paths:
        return []
    return list(Page.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths))).values_list("pk", flat=True))


def _portable_text_match(words) -> dict[int, float]:
    """SQLite (and any non-PostgreSQL database): Wagtail's database search
    (FTS5) plus a plain "contains" on title, summary and partner names.
    Ids -> the engine's order (higher first). Only live pages; view
    restrictions are applied by the statements that use these ids (as for
    every search), not resolved a second time here."""
    from practices.models import CaseStudyPage, CaseStudyPartner

    base = CaseStudyPage.objects.live()
    ranked: list[int] = []
    try:
        # No engine ordering: on SQLite it is a correlated bm25() subquery per row.
        results = base.search(" ".join(words), operator="and", order_by_relevance=False)
        if hasattr(results, "get_queryset"):
            ranked = list(results.get_queryset().values_list("pk", flat=True))
        else:  # the fallback database backend
            ranked = [p.pk for p in results]
    except Exception:  # an unusable query string for the engine: plain matching only
        logger.warning("Wagtail database search failed for %r", words, exc_info=True)
    q = Q()
    for word in words:
        partners = CaseStudyPartner.objects.filter(name__icontains=word).values("page_id")
        q &= Q(title__icontains=word) | Q(summary__icontains=word) | Q(pk__in=partners)
    plain = base.filter(q).values_list("pk", flat=True)
    order = list(dict.fromkeys([*ranked, *plain]))
    return {pk: float(len(order) - i) for i, pk in enumerate(order)}


class _Statement:
    """SQL text with its parameters, for one database vendor."""

    def __init__(self, postgres: bool):
        self.pg = postgres
        self.params: list = []

    def param(self, value) -> str:
        self.params.append(value)
        return "%s"

    def id_list(self, ids) -> str:
        """A list of ids as ONE parameter (thousands of ids are common)."""
        ids = [int(i) for i in ids]
        if self.pg:
            return f"ANY({self.param('{' + ','.join(map(str, ids)) + '}')}::integer[])"
        return f"(SELECT value FROM json_each({self.param(json.dumps(ids))}))"

    def in_ids(self, column, ids) -> str:
        return f"{column} = {self.id_list(ids)}" if self.pg else f"{column} IN {self.id_list(ids)}"

    def facet(self, facet: str, values: tuple[str, ...], table: str = "e") -> str:
        """The SQL test of one selected facet (values OR-ed)."""
        if facet in M2M_FACETS:
            column = f"{table}.{M2M_FACETS[facet]}"
            if self.pg:
                return f"({column} ?| {self.param(list(values))}::text[])"
            marks = ", ".join(self.param(v) for v in values)
            return f"EXISTS (SELECT 1 FROM json_each({column}) j WHERE j.value IN ({marks}))"
        if facet in FIELD_FACETS:
            marks = ", ".join(self.param(v) for v in values)
            return f"{table}.{FIELD_FACETS[facet]} IN ({marks})"
        if facet == "start_year":
            ranges = []
            for value in values:
                lo, hi = year_bucket_bounds(value)
                ranges.append(f"{table}.start_year BETWEEN {self.param(lo)} AND {self.param(hi)}")
            return "(" + " OR ".join(ranges) + ")"
        raise ValueError(f"unknown facet {facet}")

    def tsquery(self, text: str) -> str:
        return f"plainto_tsquery('{TS_CONFIG}', {self.param(text)})"


def _from_where(st: _Statement, query: SearchQuery, text_ids, private_ids) -> str:
    """FROM and WHERE for the rows matching the text, the year range and
    listability (not yet the facets)."""
    from search.models import SearchEntry

    conditions = [f"p.live = {st.param(True)}"]
    if private_ids:
        conditions.append(f"NOT ({st.in_ids('e.page_id', private_ids)})")
    if query.words:
        if st.pg:
            text = " ".join(query.words)
            # A query of stop words only ("the") matches everything, as on Elasticsearch.
            conditions.append(f"(numnode({st.tsquery(text)}) = 0 OR e.search_vector @@ {st.tsquery(text)})")
        else:
            conditions.append(st.in_ids("e.page_id", text_ids))
    if query.year_from is not None:
        conditions.append(f"e.start_year >= {st.param(query.year_from)}")
    if query.year_to is not None:
        conditions.append(f"e.start_year <= {st.param(query.year_to)}")
    return (
        f"FROM {SearchEntry._meta.db_table} e JOIN wagtailcore_page p ON p.id = e.page_id "
        f"WHERE {' AND '.join(conditions)}"
    )


def _order_by(st: _Statement, query: SearchQuery, table: str = "e") -> str:
    sort = query.effective_sort
    if sort == "relevance" and st.pg:
        return (f"ts_rank(e.search_vector, {st.tsquery(' '.join(query.words))}) DESC, "
                f"{table}.published DESC NULLS LAST, {table}.page_id DESC")
    if sort == "oldest":
        return f"{table}.published ASC NULLS LAST, {table}.page_id ASC"
    if sort == "start_year":
        return f"{table}.start_year DESC NULLS LAST, {table}.page_id DESC"
    # newest, and the tie-break of relevance ranked in Python
    return f"{table}.published DESC NULLS LAST, {table}.page_id DESC"


def _facet_counts_sql(query: SearchQuery, text_ids, private_ids, with_page: bool = False) -> _Statement:
    """The facet counts and the total; with `with_page` (PostgreSQL), also
    the ids of the requested page, in order, from the same materialised
    rows, so that the text is matched once per search."""
    from search.models import SearchEntry

    st = _Statement(connection.vendor == "postgresql")
    selected = sorted(query.filters.items())
    flags = [f"{st.facet(facet, values)} AS f_{facet}" for facet, values in selected]
    columns = ", ".join(["e.page_id", *(f"e.{c}" for c in M2M_FACETS.values()), "e.city", "e.country",
                         "e.status", "e.start_year", "e.published", *flags])
    parts = []

    def passing(*, except_facet=None) -> str:
        tests = [f"m.f_{facet}" for facet, _ in selected if facet != except_facet]
        return " AND ".join(tests) if tests else "1 = 1"

    for facet, column in M2M_FACETS.items():
        values = "jsonb_array_elements_text(m.{c})" if st.pg else "json_each(m.{c})"
        parts.append(
            f"SELECT '{facet}', v.value, COUNT(*) FROM m CROSS JOIN {values.format(c=column)} AS v"
            f"{'(value)' if st.pg else ''} WHERE {passing(except_facet=facet)} GROUP BY v.value"
        )
    for facet, column in FIELD_FACETS.items():
        parts.append(
            f"SELECT '{facet}', m.{column}, COUNT(*) FROM m WHERE {passing(except_facet=facet)} GROUP BY m.{column}"
        )
    parts.append(
        "SELECT 'start_year', CAST(m.start_year AS TEXT), COUNT(*) FROM m "
        f"WHERE m.start_year IS NOT NULL AND {passing(except_facet='start_year')} GROUP BY m.start_year"
    )
    parts.append(f"SELECT '', '', COUNT(*) FROM m WHERE {passing()}")
    materialized = "MATERIALIZED " if st.pg else ""
    sql_from = _from_where(st, query, text_ids, private_ids)
    page = ""
    if with_page:
        # The rank needs the row's tsvector: read back by primary key, for
        # the rows passing every facet only (not matched again).
        join = f" JOIN {SearchEntry._meta.db_table} e ON e.page_id = m.page_id" if query.words else ""
        order = _order_by(st, query, table="m")
        page = (
            f", h AS (SELECT m.page_id, ROW_NUMBER() OVER (ORDER BY {order}) AS n FROM m{join} "
            f"WHERE {passing()} ORDER BY n LIMIT {st.param(query.page_size)} OFFSET {st.param(query.offset)})"
        )
        parts.append("SELECT 'hit', CAST(h.page_id AS TEXT), h.n FROM h")
    st.sql = f"WITH m AS {materialized}(SELECT {columns} {sql_from}){page} " + " UNION ALL ".join(parts)
    return st


def _cards_sql(query: SearchQuery, page_ids: list[int]) -> _Statement:
    """The card columns (and the body, for highlighting) of the page's hits."""
    from search.models import SearchEntry

    st = _Statement(connection.vendor == "postgresql")
    columns = [f"e.{c}" for c in CARD_COLUMNS] + (["e.body"] if query.words else [])
    st.sql = f"SELECT {', '.join(columns)} FROM {SearchEntry._meta.db_table} e WHERE {st.in_ids('e.page_id', page_ids)}"
    return st


def _hits_sql(query: SearchQuery, text_ids, private_ids, *, paged: bool) -> _Statement:
    st = _Statement(connection.vendor == "postgresql")
    columns = [f"e.{c}" for c in CARD_COLUMNS]
    if query.words:
        columns.append("e.body")
    sql_from = _from_where(st, query, text_ids, private_ids)
    facet_tests = [st.facet(facet, values) for facet, values in sorted(query.filters.items())]
    where = sql_from + "".join(f" AND {t}" for t in facet_tests)
    st.sql = f"SELECT {', '.join(columns)} {where} ORDER BY {_order_by(st, query)}"
    if paged:
        st.sql += f" LIMIT {st.param(query.page_size)} OFFSET {st.param(query.offset)}"
    return st


def _run(st: _Statement) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(st.sql, st.params)
        return cursor.fetchall()


def _json_list(value):
    if isinstance(value, str):  # SQLite returns JSON as text
        return json.loads(value)
    return value or []


def _hit(row) -> SearchHit:
    data = dict(zip(CARD_COLUMNS, row, strict=False))
    data["challenges"] = _json_list(data["challenges"])
    data["challenge_names"] = _json_list(data["challenge_names"])
    return SearchHit.build(data.pop("page_id"), **data)


def _python_relevance(rows, words, engine_order: dict[int, float]):
    """SQLite: title matches first, then summary, then the engine's order,
    then newest first (the rows come newest first)."""
    words = [w.lower() for w in words]

    def score(item):
        position, row = item
        title, summary = row[1].lower(), (row[2] or "").lower()
        text_score = sum(3 * (w in title) + 2 * (w in summary) for w in words)
        return (-text_score, -engine_order.get(row[0], 0), position)

    return [row for _, row in sorted(enumerate(rows), key=score)]


class DatabaseBackend(BaseSearchBackend):
    name = "database"

    def search(self, query: SearchQuery, options: FacetOptions | None = None) -> SearchResult:
        options = options or load_facet_options()
        for facet in query.filters:
            if facet not in ALL_FACETS:
                raise ValueError(f"unknown facet {facet}")
        pg = connection.vendor == "postgresql"
        text_ids = None
        if query.words and not pg:
            text_ids = _portable_text_match(query.words)
        private = private_page_ids()

        counts: dict[str, dict[str, int]] = {facet: {} for facet in ALL_FACETS}
        total = 0
        page_ids: dict[int, int] = {}  # PostgreSQL: the page's ids -> position
        for facet, value, count in _run(_facet_counts_sql(query, text_ids, private, with_page=pg)):
            if facet == "hit":
                page_ids[int(value)] = count
            elif facet == "":
                total = count
            elif value is None or value == "":
                continue
            elif facet == "start_year":
                bucket = year_bucket(int(value))
                counts[facet][bucket] = counts[facet].get(bucket, 0) + count
            else:
                counts[facet][str(value)] = count
        facets = {facet: options.build(facet, counts[facet], query.filters.get(facet, ())) for facet in ALL_FACETS}

        if pg:
            rows = sorted(_run(_cards_sql(query, list(page_ids))), key=lambda r: page_ids[r[0]]) if page_ids else []
        elif query.effective_sort == "relevance":
            rows = _python_relevance(_run(_hits_sql(query, text_ids, private, paged=False)), query.words, text_ids)
            rows = rows[query.offset : query.offset + query.page_size]
        elif total > query.offset:
            rows = _run(_hits_sql(query, text_ids, private, paged=True))
        else:
            rows = []
        hits = [_hit(row) for row in rows]

        highlights = {}
        if query.words:
            for hit, row in zip(hits, rows, strict=True):
                entry = {}
                if summary := highlight_text(hit.summary, query.words, whole=True):
                    entry["summary"] = [summary]
                if body := highlight_text(row[len(CARD_COLUMNS)], query.words):
                    entry["body"] = [body]
                if entry:
                    highlights[hit.pk] = entry
        return SearchResult(
            query=query, hits=hits, total=total, facets=facets, highlights=highlights, backend=self.name
        )

    def related(self, page, limit: int = 4) -> list:
        challenge_ids = list(page.challenges.values_list("pk", flat=True))
        if not challenge_ids:
            return []
        return list(
            _case_studies()
            .for_listing()
            .exclude(pk=page.pk)
            .filter(challenges__in=challenge_ids)
            .annotate(shared=Count("challenges", filter=Q(challenges__in=challenge_ids), distinct=True))
            .order_by("-shared", "-first_published_at", "-pk")[:limit]
        )

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        prefix = (prefix or "").strip()[:100]
        if not prefix:
            return []
        base = _case_studies()
        titles = list(base.filter(title__istartswith=prefix).order_by("title").values_list("title", flat=True)[:limit])
        if len(titles) < limit:
            more = base.filter(title__icontains=prefix).exclude(title__in=titles).order_by("title")
            titles += list(more.values_list("title", flat=True)[: limit - len(titles)])
        return titles
