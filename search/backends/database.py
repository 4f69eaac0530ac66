"""Practice search on the database (any Django database: SQLite, PostgreSQL).

Text: Wagtail's database search (full text on PostgreSQL, FTS5 on SQLite)
over title, summary and body, plus partner names; every word must match.
The matching documents are read once (id, date, start year, status, city,
country), and their taxonomy terms in one UNION ALL over the through tables;
the facet counts (each with every other facet's filters applied but not its
own), the total, the order and the page are then computed in one pass in
Python. The number of queries is fixed: it does not grow with the page size,
the result count or the number of facets.
"""

from __future__ import annotations

import logging
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Case, Count, Q, Value, When

from ..documents import body_text
from .base import (
    BaseSearchBackend,
    FacetOptions,
    SearchQuery,
    SearchResult,
    highlight_text,
    load_facet_options,
    year_bucket,
    year_bucket_bounds,
)

logger = logging.getLogger(__name__)

M2M_FACETS = {
    "challenge": "challenges",
    "sector": "sectors",
    "policy_lever": "policy_levers",
    "target_group": "target_groups",
}
FIELD_FACETS = {"city": "city__slug", "country": "city__country", "status": "status"}

ORDERINGS = {
    "newest": ("-first_published_at", "-pk"),
    "oldest": ("first_published_at", "pk"),
    "start_year": ("-start_year", "-pk"),
}


def _case_studies():
    from practices.models import CaseStudyPage

    return CaseStudyPage.objects.listable()


def _listable_base():
    """`listable()` (live, not under a view restriction) with the private
    pages resolved to ids once, instead of one path test per restriction in
    every query of the request."""
    from wagtail.models import Page, PageViewRestriction

    from practices.models import CaseStudyPage

    paths = list(PageViewRestriction.objects.values_list("page__path", flat=True))
    qs = CaseStudyPage.objects.live()
    if paths:
        private = Page.objects.filter(reduce(or_, (Q(path__startswith=p) for p in paths))).values_list("pk", flat=True)
        qs = qs.exclude(pk__in=list(private))
    return qs


def _int_array(ids) -> str:
    """An integer array literal ("{1,2,3}"): psycopg adapts a list of
    thousands of ints far more slowly than one string."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def _restrict(qs, ids):
    """qs limited to `ids`: one array parameter on PostgreSQL, IN elsewhere."""
    if connection.vendor == "postgresql":
        return qs.extra(
            where=['"practices_casestudypage"."page_ptr_id" = ANY(%s::integer[])'], params=[_int_array(ids)]
        )
    return qs.filter(pk__in=list(ids))


def facet_q(facet: str, values: tuple[str, ...]) -> Q:
    from practices.models import CaseStudyPage

    if facet in M2M_FACETS:
        attr = M2M_FACETS[facet]
        through = getattr(CaseStudyPage, attr).through
        term_field = getattr(CaseStudyPage, attr).field.m2m_reverse_field_name()
        page_field = getattr(CaseStudyPage, attr).field.m2m_field_name()
        return Q(pk__in=through.objects.filter(**{f"{term_field}__slug__in": values}).values(page_field))
    if facet in FIELD_FACETS:
        return Q(**{f"{FIELD_FACETS[facet]}__in": values})
    if facet == "start_year":
        return reduce(or_, (Q(start_year__range=year_bucket_bounds(v)) for v in values))
    raise ValueError(f"unknown facet {facet}")


def filters_q(filters: dict[str, tuple[str, ...]]) -> Q:
    q = Q()
    for facet, values in sorted(filters.items()):
        q &= facet_q(facet, values)
    return q


def text_match_ids(words: list[str], base=None) -> dict[int, float]:
    """Ids of live public case studies matching every word -> a relevance
    score (higher is better)."""
    base = base if base is not None else _listable_base()
    if connection.vendor == "postgresql":
        return _postgres_text_match(words, base)
    return _portable_text_match(words, base)


def _partner_q(word):
    from practices.models import CaseStudyPartner

    return Q(pk__in=CaseStudyPartner.objects.filter(name__icontains=word).values("page_id"))


def _postgres_text_scores(words) -> dict[int, float]:
    """Full text on Wagtail's index entries (GIN indexes on title and body):
    every word in the title, the body vector or a partner name. One query;
    not yet limited to what is listable (the index also holds drafts' live
    content)."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.postgres.search import SearchQuery as PgQuery
    from django.db.models import CharField, FloatField, IntegerField
    from django.db.models.functions import Cast
    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    from practices.models import CaseStudyPage, CaseStudyPartner

    config = getattr(get_search_backend(), "config", None)
    ct = ContentType.objects.get_for_model(CaseStudyPage)
    entries = IndexEntry.objects.filter(content_type=ct)
    for word in words:
        query = PgQuery(word, search_type="plain", config=config)
        partner_ids = (
            CaseStudyPartner.objects.filter(name__icontains=word)
            .annotate(_oid=Cast("page_id", CharField()))
            .values("_oid")
        )
        entries = entries.filter(Q(title=query) | Q(body=query) | Q(object_id__in=partner_ids))
    # Relevance: all words in the title first (a GIN test, far cheaper
    # than ts_rank over thousands of long bodies), then the rest.
    query = PgQuery(" ".join(words), search_type="plain", config=config)
    rows = entries.annotate(
        page_id=Cast("object_id", IntegerField()),
        score=Case(When(title=query, then=Value(3.0)), default=Value(1.0), output_field=FloatField()),
    ).values_list("page_id", "score")
    return dict(rows)


def _postgres_text_match(words, base):
    scores = _postgres_text_scores(words)
    # Only what is listable now (the index also holds drafts' live content).
    listable = _restrict(base, scores).values_list("pk", flat=True)
    return {pk: scores[pk] for pk in listable}


def _portable_text_match(words, base):
    """Wagtail's database search (FTS5 on SQLite), plus a plain "contains" on
    title, summary and partner names."""
    ranked: list[int] = []
    try:
        # No engine ordering: on SQLite it is a correlated bm25() subquery per
        # row. Ranking is done after (title, then summary, then newest).
        results = base.search(" ".join(words), operator="and", order_by_relevance=False)
        if hasattr(results, "get_queryset"):
            ranked = list(results.get_queryset().values_list("pk", flat=True))
        else:  # the fallback database backend
            ranked = [p.pk for p in results]
    except Exception:  # an unusable query string for the engine: plain matching only
        logger.warning("Wagtail database search failed for %r", words, exc_info=True)
    q = Q()
    for word in words:
        q &= Q(title__icontains=word) | Q(summary__icontains=word) | _partner_q(word)
    plain = base.filter(q).order_by("-first_published_at", "-pk").values_list("pk", flat=True)
    order = list(dict.fromkeys([*ranked, *plain]))
    return {pk: float(len(order) - i) for i, pk in enumerate(order)}


ALL_FACETS = [*M2M_FACETS, *FIELD_FACETS, "start_year"]


def _documents(base, sort: str, score_words=None) -> list[tuple]:
    """One row per document of `base`: (pk, start_year, status, city slug,
    country, rank[, title/summary score]). `rank` is the document's place
    (1 = first) in the database's own ORDER BY for `sort` (for relevance:
    the newest-first tie-break), so that no dates are read back and NULLs
    sort exactly as the database sorts them."""
    import datetime

    from django.db.models import DateTimeField, F, Window
    from django.db.models.functions import Coalesce, RowNumber

    if sort == "relevance":
        # The tie-break of the relevance sort: newest first, no date as 0.
        epoch = Value(datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC), output_field=DateTimeField())
        ordering = (Coalesce("first_published_at", epoch).desc(), F("pk").desc())
    elif sort == "start_year":
        ordering = (F("start_year").desc(nulls_last=True), F("pk").desc())
    else:
        ordering = ORDERINGS[sort]
    qs = base.order_by().annotate(_rank=Window(RowNumber(), order_by=ordering))
    cols = ["pk", "start_year", "status", "city__slug", "city__country", "_rank"]
    if score_words:
        # The same title/summary score as before, computed by the database
        # (so "contains" keeps the database's case rules).
        qs = qs.annotate(
            _score=sum(
                (
                    Case(When(title__icontains=w, then=Value(3)), default=Value(0))
                    + Case(When(summary__icontains=w, then=Value(2)), default=Value(0))
                    for w in score_words
                ),
                start=Value(0),
            )
        )
        cols.append("_score")
    # Read on a cursor: plain ints and strings, no per-row converters. The
    # SQL lists the fields, then the annotations (_rank, _score), as `cols`.
    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = qs.values_list(*cols).query.sql_with_params()
    except EmptyResultSet:  # e.g. `pk IN ()`: nothing can match
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _terms(ids: list[int]) -> dict[str, dict[int, list[str]]]:
    """facet -> page id -> taxonomy slugs, for the given pages, in one query
    (a UNION ALL over the through tables)."""
    from practices.models import CaseStudyPage

    out: dict[str, dict[int, list[str]]] = {facet: {} for facet in M2M_FACETS}
    if not ids:
        return out
    qn = connection.ops.quote_name
    pg = connection.vendor == "postgresql"
    literal = _int_array(ids) if pg else None
    parts, params = [], []
    for facet, attr in M2M_FACETS.items():
        field = getattr(CaseStudyPage, attr).field
        through = field.remote_field.through
        page_col = qn(through._meta.get_field(field.m2m_field_name()).column)
        term_col = qn(through._meta.get_field(field.m2m_reverse_field_name()).column)
        term_model = field.related_model
        sql = (
            f"SELECT t.{page_col}, %s, r.{qn('slug')} FROM {qn(through._meta.db_table)} t "
            f"JOIN {qn(term_model._meta.db_table)} r ON r.{qn(term_model._meta.pk.column)} = t.{term_col}"
        )
        params.append(facet)
        if pg:
            # A constant array: PostgreSQL tests it with a hash (one pass
            # over the small through table, whatever the table statistics).
            sql += f" WHERE t.{page_col} = ANY(%s::integer[])"
            params.append(literal)
        # else: no id list (SQLite limits the parameters): every row,
        # filtered below.
        parts.append(sql)
    wanted = None if pg else set(ids)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    for page_id, facet, slug in rows:
        if slug and (wanted is None or page_id in wanted):
            by_page = out[facet]
            if page_id in by_page:
                by_page[page_id].append(slug)
            else:
                by_page[page_id] = [slug]
    return out


def _facet_test(facet: str, values: tuple[str, ...]):
    """The Python twin of facet_q: value of the document's facet -> bool."""
    if facet in M2M_FACETS:
        wanted = set(values)
        return lambda slugs: not wanted.isdisjoint(slugs)
    if facet in FIELD_FACETS:
        wanted = set(values)
        return lambda value: value is not None and value in wanted
    if facet == "start_year":
        ranges = [year_bucket_bounds(v) for v in values]
        return lambda year: year is not None and any(lo <= year <= hi for lo, hi in ranges)
    raise ValueError(f"unknown facet {facet}")


class DatabaseBackend(BaseSearchBackend):
    name = "database"

    def search(self, query: SearchQuery, options: FacetOptions | None = None) -> SearchResult:
        options = options or load_facet_options()
        for facet in query.filters:
            if facet not in ALL_FACETS:
                raise ValueError(f"unknown facet {facet}")
        base = _listable_base()
        scores = None
        if query.words:
            if connection.vendor == "postgresql":
                # Listability is applied by the document query below.
                scores = _postgres_text_scores(query.words)
            else:
                scores = _portable_text_match(query.words, base)
            base = _restrict(base, scores)
        if query.year_from is not None:
            base = base.filter(start_year__gte=query.year_from)
        if query.year_to is not None:
            base = base.filter(start_year__lte=query.year_to)

        sort = query.effective_sort
        relevance = sort == "relevance" and scores is not None
        docs = _documents(
            base,
            "relevance" if relevance else sort,
            query.words if relevance and connection.vendor != "postgresql" else None,
        )
        # Every facet's counts in one pass: a document counts for facet f if
        # it satisfies every other facet's filter (multi-select facets).
        tests = {facet: _facet_test(facet, values) for facet, values in query.filters.items()}
        # A document failing two filters counts nowhere: drop those that
        # fail two of the page-field filters before reading taxonomy terms.
        columns = {"start_year": 1, "status": 2, "city": 3, "country": 4}
        field_tests = [(columns[f], test) for f, test in tests.items() if f in columns]
        if len(field_tests) >= 2:
            docs = [d for d in docs if sum(not test(d[i]) for i, test in field_tests) < 2]
        terms = _terms([d[0] for d in docs])
        # Per document, in ALL_FACETS order: 4 lists of slugs, then city,
        # country, status, start year.
        order = [*M2M_FACETS, "city", "country", "status", "start_year"]
        position = {facet: i for i, facet in enumerate(order)}
        checks = [(position[facet], test) for facet, test in tests.items()]
        by_page = [terms[facet] for facet in M2M_FACETS]
        buckets = [{} for _ in order]
        m2m_range = range(len(M2M_FACETS))
        year_at = position["start_year"]
        everything = range(len(order))
        matching = []
        for doc in docs:
            pk, start_year, status, city, country = doc[:5]
            values = [page_terms.get(pk, ()) for page_terms in by_page]
            values += (city, country, status, start_year)
            failed = [i for i, test in checks if not test(values[i])]
            if not failed:
                matching.append(doc)
                targets = everything
            elif len(failed) == 1:
                targets = failed
            else:
                continue
            for i in targets:
                bucket = buckets[i]
                if i in m2m_range:
                    for slug in values[i]:
                        bucket[slug] = bucket.get(slug, 0) + 1
                elif i == year_at:
                    if start_year is not None:
                        key = year_bucket(start_year)
                        bucket[key] = bucket.get(key, 0) + 1
                else:
                    value = values[i]
                    if value:
                        key = str(value)
                        bucket[key] = bucket.get(key, 0) + 1
        counts = dict(zip(order, buckets, strict=True))
        facets = {
            facet: options.build(facet, counts[facet], query.filters.get(facet, ())) for facet in ALL_FACETS
        }

        if relevance:
            if connection.vendor == "postgresql":
                # ts_rank with the title weighted 3x (see _postgres_text_match).
                rows = [(d[0], 0, -d[5]) for d in matching]
            else:
                # Title matches first, then summary, then elsewhere.
                rows = [(d[0], d[6], -d[5]) for d in matching]
            # Then the engine's score, then newest first (the rank).
            rows.sort(key=lambda r: (r[1], scores.get(r[0], 0), r[2]), reverse=True)
            ids = [r[0] for r in rows]
        else:
            ids = [d[0] for d in sorted(matching, key=lambda d: d[5])]
        total = len(ids)
        page_ids = ids[query.offset : query.offset + query.page_size]
        pages = _case_studies().model.objects.for_listing().in_bulk(page_ids)
        hits = [pages[pk] for pk in page_ids if pk in pages]

        highlights = {}
        if query.words:
            for page in hits:
                entry = {}
                if summary := highlight_text(page.summary, query.words, whole=True):
                    entry["summary"] = [summary]
                if body := highlight_text(body_text(page), query.words):
                    entry["body"] = [body]
                if entry:
                    highlights[page.pk] = entry
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
