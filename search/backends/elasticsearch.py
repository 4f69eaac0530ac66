"""Practice search on Elasticsearch (elasticsearch-dsl).

Multi-select facets: the main query holds the text and the non-facet filters,
`post_filter` narrows the hits to every selected facet, and each facet's
aggregation is wrapped in a `filter` aggregation with all the *other* facets'
filters. Values come from the taxonomies (see `load_facet_options`), so
nothing relies on `min_doc_count: 0`; a terms aggregation reporting
`sum_other_doc_count > 0` is an error, never a silent truncation.

Search by meaning (when `search.embeddings.enabled()`): a top-level `knn`
beside the text query finds the `embeddings.SEMANTIC_K` documents nearest
to the query's vector with at least `embeddings.MIN_SIMILARITY` (within the
year range); Elasticsearch adds its score, times KNN_BOOST, to the text
score, and the facets' aggregations and post filter apply to both (see
docs/search.md, "Hybrid ranking").
"""

from __future__ import annotations

import copy
import functools
import logging

from django.conf import settings
from django.utils.translation import get_language
from elastic_transport import TransportError
from elasticsearch import ApiError
from elasticsearch.dsl import A, Q, Search

from .. import embeddings, queue, schema
from ..documents import PLAIN_FIELDS, TEXT_FIELDS, language_fields
from ..es_client import get_client
from ..models import SearchEntry
from . import hits as index_hits
from .contract import (
    BaseSearchBackend,
    FacetTruncatedError,
    SearchBackendError,
    SearchHit,
    SearchQuery,
    SearchResult,
)
from .facets import FacetOptions, load_facet_options
from .highlight import MARK_END, MARK_START, highlight_text, marked_to_html

logger = logging.getLogger(__name__)

# Only the parts of a search response that are read (the rest, such as each
# hit's index name, score and sort values, is never sent): less to transfer
# and to parse on every search.
SEARCH_FILTER_PATH = ",".join([
    "hits.total.value",
    "hits.hits._id",
    "hits.hits._source",
    "hits.hits.highlight",
    "aggregations.*.values.buckets.key",
    "aggregations.*.values.buckets.doc_count",
    "aggregations.*.values.sum_other_doc_count",
    "suggest.did_you_mean.options.text",
])


# The knn score (cosine similarity s as (1 + s) / 2: 0.90-0.95 for the
# matches) is multiplied by this and added to the text score: a practice the
# text and the meaning both match comes first, one only the meaning matches
# still ranks among those the text matches weakly.
KNN_BOOST = 10.0

SORT_CLAUSES = {
    "relevance": ["_score", {"published": {"order": "desc", "missing": "_last"}}, {"page_id": "desc"}],
    "newest": [{"published": {"order": "desc", "missing": "_last"}}, {"page_id": "desc"}],
    "oldest": [{"published": {"order": "asc", "missing": "_last"}}, {"page_id": "asc"}],
    "start_year": [{"start_year": {"order": "desc", "missing": "_last"}}, {"page_id": "desc"}],
    "most_adapted": [{"adapted_by": {"order": "desc", "missing": "_last"}},
                     {"published": {"order": "desc", "missing": "_last"}}, {"page_id": "desc"}],
}


@functools.lru_cache(maxsize=4096)
def _facet_filter(name: str, values: tuple[str, ...]) -> dict:
    """The filter for the selected values of one facet (OR-ed). Built with
    elasticsearch-dsl once per distinct selection and kept: the same few
    selections come back all the time, and request bodies only read it."""
    facet = schema.FACETS[name]
    stored = facet.filter_values(values)
    if facet.kind is schema.Kind.YEAR:
        stored = [int(year) for year in stored]
    return Q("terms", **{name: stored}).to_dict()


def _language_clause(word: str, fields: list[str]) -> Q:
    matches = []
    for spec in fields:
        name, _, boost = spec.partition("^")
        matches.append(Q("match", **{name: {"query": word, "boost": float(boost or 1), "zero_terms_query": "all"}}))
    return Q("dis_max", queries=matches)


@functools.lru_cache(maxsize=4096)
def _word_clause(word: str, reader: str | None = None) -> dict:
    return Q(
        "bool",
        should=[
            Q("multi_match", query=word, fields=TEXT_FIELDS, fuzziness="AUTO", zero_terms_query="all"),
            Q("multi_match", query=word, fields=PLAIN_FIELDS, fuzziness="AUTO"),
            # Each language's text with its language's analyser, the
            # reader's boosted; a word some language calls a stop word
            # matches all (as on the database backend): one clause per
            # language (`zero_terms_query` applies when no field of a
            # clause has a term), a `dis_max` of `match` queries, as a
            # best-fields `multi_match` is (noida-db ignores
            # `zero_terms_query` in a `multi_match`).
            *(_language_clause(word, fields) for fields in language_fields(reader).values()),
        ],
        minimum_should_match=1,
    ).to_dict()


def text_query(words: list[str], reader: str | None = None) -> dict:
    """Every word must match some field (AND across words, like the database
    backend), each with typo tolerance or in some language's analysis
    (`reader`: the reader's language, whose text is boosted); multi-word
    queries reward the words appearing together. Each word's clause is
    built with elasticsearch-dsl once and kept (see `_facet_filter`)."""
    clauses = [_word_clause(word, reader) for word in words]
    if len(words) > 1:
        phrase = Q("multi_match", query=" ".join(words), fields=TEXT_FIELDS, type="phrase", slop=2)
        return {"bool": {"must": clauses, "should": [phrase.to_dict()]}}
    return {"bool": {"must": clauses}}


HIGHLIGHT = {
    "pre_tags": [MARK_START],
    "post_tags": [MARK_END],
    "encoder": "default",
    "fields": {
        name: ({"number_of_fragments": 0} if name == "summary" else {"fragment_size": 160, "number_of_fragments": 2})
        for field in schema.HIGHLIGHT_FIELDS
        for name in (field, f"{field}.plain")
    },
}


def _facet_buckets(options: FacetOptions) -> dict[str, dict]:
    """Each facet's bucket aggregation; it depends only on the facet
    options, so it is built once per (cached) options object."""
    cached = getattr(options, "_es_buckets", None)
    if cached is None:
        cached = {}
        for facet in schema.FACET_LIST:
            if facet.kind is schema.Kind.YEAR:
                # The ranges that have documents (histogram keys are the
                # ranges' first years); a range aggregation would list every
                # range of the span on every search.
                inner = A("histogram", field=facet.name, interval=schema.YEAR_BUCKET, min_doc_count=1)
            else:
                # Big enough for every value the facet has, and then some.
                inner = A("terms", field=facet.name, size=max(10, options.size(facet.name) * 2 + 10))
            cached[facet.name] = inner.to_dict()
        options._es_buckets = cached
    return cached


def knn_clause(vector, year_range: dict) -> dict:
    """The nearest documents to the query's meaning (`search.embeddings`)."""
    knn = {
        "field": "embedding",
        "query_vector": [float(x) for x in vector],
        "k": embeddings.SEMANTIC_K,
        "num_candidates": max(100, 2 * embeddings.SEMANTIC_K),
        "similarity": embeddings.MIN_SIMILARITY,
        "boost": KNN_BOOST,
    }
    if year_range:
        knn["filter"] = [{"range": {"start_year": year_range}}]
    return knn


def search_body(query: SearchQuery, options: FacetOptions, meaning=None) -> dict:
    """The request body: queries and aggregations built with
    elasticsearch-dsl, assembled into one dict. The pieces that repeat
    (each word's clause, each facet selection's filter, the buckets) are
    built once and shared: the body is only serialised, never changed, and
    this runs on every search. `meaning`: the query's vector, for search
    by meaning (`knn`)."""
    words = query.words
    main = {"bool": {"must": [text_query(words, get_language()) if words else {"match_all": {}}]}}
    year_range = {}
    if query.year_from is not None:
        year_range["gte"] = query.year_from
    if query.year_to is not None:
        year_range["lte"] = query.year_to
    if year_range:
        main["bool"]["filter"] = [{"range": {"start_year": year_range}}]
    body = {"query": main}
    if meaning is not None and words:
        body["knn"] = knn_clause(meaning, year_range)
    selected = {facet: _facet_filter(facet, values) for facet, values in sorted(query.filters.items())}
    if selected:
        body["post_filter"] = {"bool": {"filter": list(selected.values())}}
    aggs = {}
    for facet, inner in _facet_buckets(options).items():
        # Multi-select: every other facet's filters, not its own.
        others = [clause for name, clause in selected.items() if name != facet]
        aggs[facet] = {"filter": {"bool": {"filter": others}} if others else {"match_all": {}},
                       "aggs": {"values": inner}}
    body["aggs"] = aggs
    if words:
        body["highlight"] = HIGHLIGHT
        body["suggest"] = {"did_you_mean": {"text": query.text, "phrase": {
            "field": "spell", "size": 1, "gram_size": 1,
            "direct_generator": [{"field": "spell", "suggest_mode": "missing"}],
        }}}
    body["sort"] = SORT_CLAUSES[query.effective_sort]
    body["_source"] = ["card"]
    body["from"] = query.offset
    body["size"] = query.page_size
    return body


def build_search(query: SearchQuery, options: FacetOptions, index: str, client=None) -> Search:
    """The same request as an elasticsearch-dsl Search (for inspection; a
    copy of the body, whose shared pieces must not change)."""
    return Search(using=client, index=index).update_from_dict(copy.deepcopy(search_body(query, options)))


def listable_now(ids: list[int]) -> set[int]:
    """The ids among `ids` that the database index holds for a live page:
    one primary-key query. The index is written in the same transaction as
    each publish, unpublish or privacy change, so a document that
    Elasticsearch has not caught up with yet (or failed to delete) is never
    shown, in any process, once the change has committed."""
    if not ids:
        return set()
    return set(SearchEntry.objects.filter(page_id__in=ids, page__live=True).values_list("page_id", flat=True))


def _highlights(hl: dict) -> dict[str, list[str]]:
    entry = {}
    for name in schema.HIGHLIGHT_FIELDS:
        # Stemmed matches first; typo matches come from the plain field.
        fragments = hl.get(name) or hl.get(f"{name}.plain")
        if fragments:
            entry[name] = [marked_to_html(f) for f in fragments]
    return entry


def _suggestion(response: dict, text: str) -> str | None:
    for entry in (response.get("suggest") or {}).get("did_you_mean", ()):
        for option in entry.get("options", ()):
            suggestion = option["text"]
            if suggestion and suggestion.lower() != text.lower():
                return suggestion
    return None


def _facets(aggs: dict, query: SearchQuery, options: FacetOptions) -> dict:
    facets = {}
    empty = {}
    for facet in schema.FACET_LIST:
        name = facet.name
        # filter_path leaves out what is empty.
        values = (aggs.get(name) or empty).get("values") or empty
        if values.get("sum_other_doc_count", 0) > 0:
            logger.error("Facet %s truncated: %s documents in other buckets", name, values["sum_other_doc_count"])
            raise FacetTruncatedError(f"facet {name} was truncated")
        buckets = values.get("buckets", ())
        if facet.kind is schema.Kind.YEAR:  # histogram: the first year of each range
            counts = {schema.year_bucket(int(b["key"])): b["doc_count"] for b in buckets}
        else:  # keyword terms
            counts = {str(b["key"]): b["doc_count"] for b in buckets}
        facets[name] = options.build(name, counts, query.filters.get(name, ()))
    return facets


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
            return self.client.search(index=self.index, body=body, filter_path=SEARCH_FILTER_PATH).body
        except (ApiError, TransportError) as exc:
            raise SearchBackendError(f"Elasticsearch failed: {exc}") from exc

    def search(self, query: SearchQuery, options: FacetOptions | None = None) -> SearchResult:
        options = options or load_facet_options()
        body = search_body(query, options, embeddings.meaning_of(query))
        response = self._search_raw(body)
        raw_hits = response["hits"].get("hits", ())  # filter_path drops an empty list
        ids = [int(h["_id"]) for h in raw_hits]
        allowed = listable_now(ids)
        stale = [i for i in ids if i not in allowed]
        if stale:
            logger.warning("Elasticsearch returned pages that are no longer public: %s; reindexing them", stale)
            queue.reindex_elasticsearch(stale)
        hits, highlights = [], {}
        for pk, raw in zip(ids, raw_hits, strict=True):
            if pk not in allowed:
                continue
            hit = SearchHit.from_card(pk, (raw.get("_source") or {}).get("card") or {})
            hits.append(hit)
            entry = _highlights(raw["highlight"]) if raw.get("highlight") else {}
            if hit.translated:  # the summary shown is the translation's, not the original's highlighted
                entry.pop("summary", None)
                if summary := highlight_text(hit.summary, query.words, whole=True):
                    entry["summary"] = [summary]
            if entry or raw.get("highlight"):
                highlights[pk] = entry
        return SearchResult(
            query=query,
            hits=hits,
            total=response["hits"]["total"]["value"] - len(stale),
            facets=_facets(response.get("aggregations", {}), query, options),
            highlights=highlights,
            suggestion=_suggestion(response, query.text) if query.text else None,
            backend=self.name,
        )

    def related(self, page, limit: int = 4) -> list[SearchHit]:
        mlt = Q(
            "more_like_this",
            fields=[*(f.name for f in schema.TEXT_FIELDS), "challenge", "sector"],
            like=[{"_index": self.index, "_id": str(page.pk)}],
            min_term_freq=1,
            min_doc_freq=1,
            max_query_terms=25,
            minimum_should_match="10%",
        )
        s = Search(index=self.index).query(Q("bool", must=[mlt], must_not=[Q("ids", values=[str(page.pk)])]))
        s = s.source(False)[:limit]
        response = self._execute(s)
        return index_hits.in_order([int(h.meta.id) for h in response if int(h.meta.id) != page.pk])

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
