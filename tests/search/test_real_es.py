"""Behaviour only a real Elasticsearch 8 shows (noida-db, the stand-in used in
CI, lacks it). Run with ELASTICSEARCH_URL=http://localhost:9200 (docs/search.md)."""

import pytest
from elasticsearch.dsl import Q, Search

from search.backends.contract import SearchBackendError, SearchQuery
from search.backends.elasticsearch import get_client

from .conftest import make_engine

pytestmark = [pytest.mark.django_db, pytest.mark.real_es]


@pytest.fixture(scope="module", params=["elasticsearch"])
def engine(request, shared_catalogue, django_db_blocker):
    yield from make_engine(request.param, request, django_db_blocker)


def test_malformed_query_is_rejected_as_a_backend_error(engine, indexed):
    # Real ES answers 400 (number_format_exception); noida-db accepts it.
    bad = Search(index=engine.backend.index).query(Q("range", start_year={"gte": "not-a-year"}))
    with pytest.raises(SearchBackendError):  # the search path (bare client)
        engine.backend._search_raw(bad.to_dict())
    with pytest.raises(SearchBackendError):  # related and suggest (elasticsearch-dsl)
        engine.backend._execute(bad)


def test_mapping_has_analysis_normaliser_and_plain_subfields(engine, indexed, settings):
    client = get_client(settings.ELASTICSEARCH_URL)
    mapping = next(iter(client.indices.get_mapping(index=settings.ELASTICSEARCH_INDEX).body.values()))
    props = mapping["mappings"]["properties"]
    assert props["title"]["analyzer"] == "folded_english"
    assert props["title"]["fields"]["plain"]["analyzer"] == "folded_plain"
    assert props["challenge"] == {"type": "keyword", "normalizer": "facet_normalizer"}
    assert "copy_to" not in str(props)
    analysed = client.indices.analyze(
        index=settings.ELASTICSEARCH_INDEX, analyzer="folded_english", text="Montréal's cooperatives"
    )
    assert [t["token"] for t in analysed["tokens"]] == ["montreal", "cooper"]


def test_empty_buckets_are_not_relied_upon(engine, indexed):
    # Real ES honours min_doc_count: 0; our facets never ask for it, so the
    # answer is the same: only values with results, plus selected ones.
    result = engine.search(SearchQuery(filters={"challenge": ["food-waste"]}))
    assert [(v["value"], v["count"]) for v in result.facets["challenge"] if v["value"] == "food-waste"] == [("food-waste", 0)]


def test_embedding_is_an_hnsw_dense_vector_and_knn_honours_the_similarity_floor(engine, indexed, settings):
    # Real ES stores the dense_vector with its HNSW index options and runs
    # knn approximately over the graph (num_candidates); noida-db answers
    # the same requests but does not promise either.
    from search import embeddings
    from search.backends.elasticsearch import knn_clause

    client = get_client(settings.ELASTICSEARCH_URL)
    index = settings.ELASTICSEARCH_INDEX
    mapping = next(iter(client.indices.get_mapping(index=index).body.values()))
    field = mapping["mappings"]["properties"]["embedding"]
    assert (field["type"], field["dims"], field["similarity"], field["index"]) == (
        "dense_vector", embeddings.DIMENSIONS, "cosine", True)
    assert "hnsw" in field.get("index_options", {}).get("type", "hnsw")
    axis = [0.0] * embeddings.DIMENSIONS
    axis[0] = 1.0
    page_id = indexed.pages["procurement"].pk
    client.update(index=index, id=str(page_id), doc={"embedding": axis}, refresh=True)
    near = client.search(index=index, knn=knn_clause(axis, {}), source=False).body
    assert [int(h["_id"]) for h in near["hits"]["hits"]] == [page_id]
    other = [0.0] * embeddings.DIMENSIONS
    other[1] = 1.0  # orthogonal: below the similarity floor
    far = client.search(index=index, knn=knn_clause(other, {}), source=False).body
    assert far["hits"]["hits"] == []
