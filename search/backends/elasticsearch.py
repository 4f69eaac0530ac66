"""Practice search on Elasticsearch (elasticsearch-dsl).

Multi-select facets: the main query holds the text and the non-facet filters,
`post_filter` narrows the hits to every selected facet, and each facet's
aggregation is wrapped in a `filter` aggregation with all the *other* facets'
filters. Values come from the taxonomies (see `load_facet_options`), so
nothing relies on `min_doc_count: 0`; a terms aggregation reporting
`sum_other_doc_count > 0` is an error, never a silent truncation.
"""

from __future__ import annotations

import logging

from django.conf import settings
from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch
from elasticsearch.dsl import A, Q, Search

from ..documents import FACET_FIELDS, HIGHLIGHT_FIELDS, PLAIN_FIELDS, TEXT_FIELDS
from .base import (
    MARK_END,
    MARK_START,
    BaseSearchBackend,
    FacetOptions,
    FacetTruncatedError,
    SearchBackendError,
    SearchHit,
    SearchQuery,
    SearchResult,
    load_facet_options,
    marked_to_html,
    year_bucket_bounds,
)

logger = logging.getLogger(__name__)

_clients: dict[tuple, Elasticsearch] = {}


def get_client(url: str | None = None, timeout: float | None = None) -> Elasticsearch:
    url = url or settings.ELASTICSEARCH_URL
    timeout = timeout or getattr(settings, "ELASTICSEARCH_TIMEOUT", 3)
    key = (url, timeout)
    if key not in _clients:
        _clients[key] = Elasticsearch(url, request_timeout=timeout, max_retries=0, retry_on_timeout=False)
    return _clients[key]


SORT_CLAUSES = {
    "relevance": ["_score", {"published": {"order": "desc", "missing": "_last"}}, {"page_id": "desc"}],
    "newest": [{"published": {"order": "desc", "missing": "_last"}}, {"page_id": "desc"}],
    "oldest": [{"published": {"order": "asc", "missing": "_last"}}, {"page_id": "asc"}],
    "start_year": [{"start_year": {"order": "desc", "missing": "_last"}}, {"page_id": "desc"}],
}


def facet_filter(facet: str, values: tuple[str, ...]):
    if facet == "start_year":
        ranges = []
        for value in values:
            lo, hi = year_bucket_bounds(value)
            ranges.append(Q("range", start_year={"gte": lo, "lte": hi}))
        return Q("bool", should=ranges, minimum_should_match=1)
    return Q("terms", **{facet: list(values)})


def text_query(query: SearchQuery):
    """Every word must match some field (AND across words, like the database
    backend), each with typo tolerance."""
    clauses = [
        Q(
            "bool",
            should=[
                Q("multi_match", query=word, fields=TEXT_FIELDS, fuzziness="AUTO", zero_terms_query="all"),
                Q("multi_match", query=word, fields=PLAIN_FIELDS, fuzziness="AUTO"),
            ],
            minimum_should_match=1,
        )
        for word in query.words
    ]
    if len(query.words) > 1:
        # Reward the words appearing together.
        should = [Q("multi_match", query=" ".join(query.words), fields=TEXT_FIELDS, type="phrase", slop=2)]
        return Q("bool", must=clauses, should=should)
    return Q("bool", must=clauses)


# What a result card needs, read from _source (no page query).
CARD_SOURCE = [
    "title", "summary", "url_path", "language", "city", "city_name", "country", "challenge", "challenge_names",
    "start_year", "end_year", "status",
]


HIGHLIGHT = {
    "pre_tags": [MARK_START],
    "post_tags": [MARK_END],
    "encoder": "default",
    "fields": {
        "summary": {"number_of_fragments": 0},
        "summary.plain": {"number_of_fragments": 0},
        "body": {"fragment_size": 160, "number_of_fragments": 2},
        "body.plain": {"fragment_size": 160, "number_of_fragments": 2},
    },
}


def _facet_buckets(options: FacetOptions) -> dict[str, dict]:
    """Each facet's bucket aggregation; it depends only on the facet
    options, so it is built once per (cached) options object."""
    cached = getattr(options, "_es_buckets", None)
    if cached is None:
        cached = {}
        for facet in [*FACET_FIELDS, "start_year"]:
            if facet == "start_year":
                ranges = []
                for value in options.labels("start_year"):
                    lo, hi = year_bucket_bounds(value)
                    ranges.append({"key": value, "from": lo, "to": hi + 1})
                inner = A("range", field="start_year", ranges=ranges or [{"key": "none", "to": 0}])
            else:
                # Big enough for every value the taxonomy has, and then some.
                inner = A("terms", field=facet, size=max(10, options.size(facet) * 2 + 10))
            cached[facet] = inner.to_dict()
        options._es_buckets = cached
    return cached


def search_body(query: SearchQuery, options: FacetOptions) -> dict:
    """The request body: queries and aggregations built with
    elasticsearch-dsl, assembled into one dict (no Search object is cloned
    a dozen times on the way: this runs on every search)."""
    main = [text_query(query)] if query.words else [Q("match_all")]
    year_range = {}
    if query.year_from is not None:
        year_range["gte"] = query.year_from
    if query.year_to is not None:
        year_range["lte"] = query.year_to
    filters = [Q("range", start_year=year_range)] if year_range else []
    body = {"query": Q("bool", must=main, filter=filters).to_dict()}
    selected = {facet: facet_filter(facet, values).to_dict() for facet, values in sorted(query.filters.items())}
    if selected:
        body["post_filter"] = {"bool": {"filter": list(selected.values())}}
    aggs = {}
    for facet, inner in _facet_buckets(options).items():
        # Multi-select: every other facet's filters, not its own.
        others = [clause for name, clause in selected.items() if name != facet]
        aggs[facet] = {"filter": {"bool": {"filter": others}} if others else {"match_all": {}},
                       "aggs": {"values": inner}}
    body["aggs"] = aggs
    if query.words:
        body["highlight"] = HIGHLIGHT
        body["suggest"] = {"did_you_mean": {"text": query.text, "phrase": {
            "field": "spell", "size": 1, "gram_size": 1,
            "direct_generator": [{"field": "spell", "suggest_mode": "missing"}],
        }}}
    body["sort"] = SORT_CLAUSES[query.effective_sort]
    body["_source"] = CARD_SOURCE
    body["from"] = query.offset
    body["size"] = query.page_size
    return body


def build_search(query: SearchQuery, options: FacetOptions, index: str, client=None) -> Search:
    """The same request as an elasticsearch-dsl Search (for inspection)."""
    return Search(using=client, index=index).update_from_dict(search_body(query, options))


def hydrate(ids: list[int]) -> list:
    """Page instances, in order (related practices on a case-study page)."""
    from practices.models import CaseStudyPage

    pages = CaseStudyPage.objects.listable().for_listing().in_bulk(ids)
    return [pages[i] for i in ids if i in pages]


def listable_now(ids: list[int]) -> set[int]:
    """The ids among `ids` that the database index holds: it is written in
    the same transaction as each publish, unpublish or privacy change, so a
    document that Elasticsearch has not caught up with yet (or failed to
    delete) is never shown. One query on the primary key."""
    from django.db import connection

    from search.models import SearchEntry

    if not ids:
        return set()
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:  # the ORM would cost more than the query
        cursor.execute(f"SELECT page_id FROM {SearchEntry._meta.db_table} WHERE page_id IN ({marks})", ids)
        return {row[0] for row in cursor.fetchall()}


def _hit(doc_id: str, source: dict) -> SearchHit:
    return SearchHit.build(
        doc_id,
        title=source.get("title", ""),
        summary=source.get("summary", ""),
        url_path=source.get("url_path", ""),
        language=source.get("language", ""),
        city=source.get("city"),
        city_name=source.get("city_name"),
        country=source.get("country"),
        challenges=source.get("challenge") or [],
        challenge_names=source.get("challenge_names") or [],
        start_year=source.get("start_year"),
        end_year=source.get("end_year"),
        status=source.get("status", ""),
    )


class ElasticsearchBackend(BaseSearchBackend):
    name = "elasticsearch"

    def __init__(self, url: str | None = None, index: str | None = None, timeout: float | None = None):
        self.url = url or settings.ELASTICSEARCH_URL
        self.index = index or settings.ELASTICSEARCH_INDEX
        self.client = get_client(self.url, timeout)

    def _execute(self, s: Search):
        try:
            return s.using(self.client).execute()
        except (ApiError, TransportError) as exc:
            raise SearchBackendError(f"Elasticsearch failed: {exc}") from exc

    def _search_raw(self, body: dict) -> dict:
        """The request body sent with the bare client; the plain JSON back."""
        try:
            return self.client.search(index=self.index, body=body).body
        except (ApiError, TransportError) as exc:
            raise SearchBackendError(f"Elasticsearch failed: {exc}") from exc

    def search(self, query: SearchQuery, options: FacetOptions | None = None) -> SearchResult:
        options = options or load_facet_options()
        body = search_body(query, options)
        response = self._search_raw(body)
        raw_hits = response["hits"]["hits"]
        allowed = listable_now([int(h["_id"]) for h in raw_hits])
        stale = [int(h["_id"]) for h in raw_hits if int(h["_id"]) not in allowed]
        if stale:
            logger.warning("Elasticsearch returned pages that are no longer public: %s; reindexing them", stale)
            from search.signals import reindex_elasticsearch

            reindex_elasticsearch(stale)
        hits, highlights = [], {}
        for raw in raw_hits:
            pk = int(raw["_id"])
            if pk not in allowed:
                continue
            hits.append(_hit(raw["_id"], raw.get("_source") or {}))
            hl = raw.get("highlight")
            if hl:
                entry = {}
                for name in HIGHLIGHT_FIELDS:
                    # Stemmed matches first; typo matches come from the plain field.
                    fragments = hl.get(name) or hl.get(f"{name}.plain")
                    if fragments:
                        entry[name] = [marked_to_html(f) for f in fragments]
                highlights[pk] = entry
        facets = {}
        aggs = response["aggregations"]
        for facet in [*FACET_FIELDS, "start_year"]:
            values = aggs[facet]["values"]
            if values.get("sum_other_doc_count", 0) > 0:
                logger.error("Facet %s truncated: %s documents in other buckets", facet, values["sum_other_doc_count"])
                raise FacetTruncatedError(f"facet {facet} was truncated")
            buckets = values["buckets"]
            if isinstance(buckets, dict):  # keyed ranges
                counts = {key: b["doc_count"] for key, b in buckets.items()}
            else:
                counts = {str(b["key"]): b["doc_count"] for b in buckets}
            facets[facet] = options.build(facet, counts, query.filters.get(facet, ()))
        suggestion = None
        for entry in (response.get("suggest") or {}).get("did_you_mean", []):
            for option in entry.get("options", []):
                text = option["text"]
                if text and text.lower() != query.text.lower():
                    suggestion = text
                    break
            if suggestion:
                break
        return SearchResult(
            query=query,
            hits=hits,
            total=response["hits"]["total"]["value"] - len(stale),
            facets=facets,
            highlights=highlights,
            suggestion=suggestion,
            backend=self.name,
        )

    def related(self, page, limit: int = 4) -> list:
        mlt = Q(
            "more_like_this",
            fields=["title", "summary", "body", "challenge", "sector"],
            like=[{"_index": self.index, "_id": str(page.pk)}],
            min_term_freq=1,
            min_doc_freq=1,
            max_query_terms=25,
            minimum_should_match="10%",
        )
        s = Search(index=self.index).query(Q("bool", must=[mlt], must_not=[Q("ids", values=[str(page.pk)])]))
        s = s.source(False)[:limit]
        response = self._execute(s)
        return hydrate([int(h.meta.id) for h in response if int(h.meta.id) != page.pk])

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        prefix = (prefix or "").strip()[:100]
        if not prefix:
            return []
        s = Search(index=self.index).suggest(
            "complete", prefix, completion={"field": "suggest", "size": limit, "skip_duplicates": True}
        ).source(False)[:0]
        response = self._execute(s)
        out = []
        for entry in (response.to_dict().get("suggest") or {}).get("complete", []):
            for option in entry["options"]:
                if option["text"] not in out:
                    out.append(option["text"])
        return out[:limit]
