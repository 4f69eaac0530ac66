"""Engine-free tests: the generated Elasticsearch body, and parameter parsing."""

import pytest
from django.http import QueryDict
from django.utils import translation

from search import schema
from search.backends.contract import SearchQuery
from search.backends.elasticsearch import build_search
from search.backends.facets import FacetOptions
from search.backends.highlight import highlight_text
from search.params import SearchParamError, parse_search_params

OPTIONS = FacetOptions(
    {
        "challenge": {"youth": "Youth", "care": "Care"},
        "country": {"IT": "Italy", "NL": "Netherlands"},
        "start_year": {"2015-2019": "2015–2019", "2020-2024": "2020–2024"},
    }
)


def test_multi_select_body():
    query = SearchQuery(filters={"challenge": ["youth", "care"], "country": ["IT"]}, sort="newest", page=2, page_size=5)
    body = build_search(query, OPTIONS, "practices").to_dict()
    assert body["query"] == {"bool": {"must": [{"match_all": {}}]}}
    assert body["post_filter"] == {
        "bool": {"filter": [{"terms": {"challenge": ["youth", "care"]}}, {"terms": {"country": ["IT"]}}]}
    }
    # Each facet: every other facet's filters, not its own.
    assert body["aggs"]["challenge"] == {
        "filter": {"bool": {"filter": [{"terms": {"country": ["IT"]}}]}},
        "aggs": {"values": {"terms": {"field": "challenge", "size": 14}}},
    }
    assert body["aggs"]["country"]["filter"] == {"bool": {"filter": [{"terms": {"challenge": ["youth", "care"]}}]}}
    # Start years: the 5-year ranges that have documents, not every range.
    assert body["aggs"]["start_year"]["aggs"]["values"] == {
        "histogram": {"field": "start_year", "interval": 5, "min_doc_count": 1}
    }
    assert body["sort"] == [{"published": {"order": "desc", "missing": "_last"}}, {"page_id": "desc"}]
    assert body["from"] == 5 and body["size"] == 5
    assert body["_source"] == ["card"]  # the card is read from the index, not the pages
    assert "highlight" not in body and "suggest" not in body  # nothing to highlight without text


def test_text_body_is_fuzzy_on_named_fields_without_copy_to():
    body = build_search(SearchQuery(text="social procurment"), OPTIONS, "practices").to_dict()
    words = body["query"]["bool"]["must"][0]["bool"]["must"]
    assert len(words) == 2
    stemmed, plain, *languages = words[0]["bool"]["should"]
    assert stemmed["multi_match"] == {
        "query": "social", "fields": [f"{f.name}^{schema.BOOSTS[f.weight]}" for f in schema.TEXT_FIELDS],
        "fuzziness": "AUTO", "zero_terms_query": "all",
    }
    assert "title^3" in stemmed["multi_match"]["fields"] and "challenges^2" in stemmed["multi_match"]["fields"]
    assert plain["multi_match"]["fields"][0] == "title.plain^3"
    # Each language's text with its language's analyser (no fuzziness: stemmed).
    assert len(languages) == 8  # seven languages and "other"
    assert languages[1]["dis_max"]["queries"] == [
        {"match": {f"{name}_es": {"query": "social", "boost": boost, "zero_terms_query": "all"}}}
        for name, boost in (("title", 3.0), ("summary", 2.0), ("body", 1.0))
    ]
    assert set(body["highlight"]["fields"]) == {"summary", "summary.plain", "body", "body.plain"}
    assert body["suggest"]["did_you_mean"]["phrase"]["field"] == "spell"
    assert body["sort"][0] == "_score"


def test_the_reader_language_text_is_boosted():
    with translation.override("es"):
        body = build_search(SearchQuery(text="guarderías"), OPTIONS, "practices").to_dict()
    should = body["query"]["bool"]["must"][0]["bool"]["must"][0]["bool"]["should"]
    boosts = {
        name: spec["boost"] for clause in should[2:] for match in clause["dis_max"]["queries"]
        for name, spec in match["match"].items()
    }
    assert boosts["title_es"] == 6 and boosts["body_es"] == 2 and boosts["title_en"] == 3 and boosts["title_pl"] == 3


def test_year_filters_go_to_the_main_query_facets_to_post_filter():
    body = build_search(
        SearchQuery(year_from=2010, filters={"start_year": ["2015-2019"]}), OPTIONS, "practices"
    ).to_dict()
    assert body["query"]["bool"]["filter"] == [{"range": {"start_year": {"gte": 2010}}}]
    assert body["post_filter"]["bool"]["filter"] == [
        {"terms": {"start_year": [2015, 2016, 2017, 2018, 2019]}}
    ]


def test_parse_params():
    data = QueryDict("q=+childcare+&challenge=youth&challenge=care&challenge=youth&country=IT&sort=oldest&page=2")
    query = parse_search_params(data, OPTIONS)
    assert query.text == "childcare"
    assert query.filters == {"challenge": ("youth", "care"), "country": ("IT",)}
    assert query.sort == "oldest" and query.page == 2


@pytest.mark.parametrize(
    "qs,field",
    [("challenge=nope", "challenge"), ("page=0", "page"), ("year_from=x", "year_from"), ("q=" + "a" * 501, "q")],
)
def test_parse_params_errors(qs, field):
    with pytest.raises(SearchParamError) as error:
        parse_search_params(QueryDict(qs), OPTIONS)
    assert field in error.value.errors


def test_python_highlighting_escapes_and_marks():
    html = highlight_text("Kids <b>and</b> childcare & co-ops", ["childcare"], whole=True)
    assert html == "Kids &lt;b&gt;and&lt;/b&gt; <mark>childcare</mark> &amp; co-ops"
    fragment = highlight_text("word " * 100 + "needle " + "word " * 100, ["needle"], fragment_size=60)
    assert "<mark>needle</mark>" in fragment and fragment.startswith("…") and len(fragment) < 150
    assert highlight_text("nothing here", ["needle"]) is None
