"""The behavioural contract of a practice-search backend, written once and
run against every backend (`engine` is parametrised: database, elasticsearch).

Known gaps are strict expected failures (`@gap`), so the suite notices when
a backend starts to support them.
"""

import pytest
from wagtail.models import PageViewRestriction

from search.backends.contract import SearchQuery

pytestmark = pytest.mark.django_db


def titles(result):
    return [p.title for p in result.hits]


def counts(result, facet):
    return {v["value"]: v["count"] for v in result.facets[facet]}


def selected(result, facet):
    return {v["value"] for v in result.facets[facet] if v["selected"]}


PUBLIC = 9


def test_empty_query_browses_everything_newest_first(engine, indexed):
    result = engine.search(SearchQuery(page_size=20))
    assert result.total == PUBLIC
    assert titles(result)[:3] == ["Repair café network 2", "Repair café network 1", "Repair café network 0"]
    assert titles(result)[-1] == "Cooperative housing land trust"


def test_text_hits_every_word_must_match(engine, indexed):
    result = engine.search(SearchQuery(text="social procurement childcare"))
    assert titles(result) == ["Social procurement for childcare cooperatives"]


def test_text_matches_title_summary_body_and_partners(engine, indexed):
    assert "Neighbourhood kitchens" in titles(engine.search(SearchQuery(text="procurement")))
    assert titles(engine.search(SearchQuery(text="retrofit"))) == ["Community energy for social housing"]
    assert titles(engine.search(SearchQuery(text="Legacoop"))) == ["Youth guarantee through worker cooperatives"]


def test_relevance_puts_title_matches_before_body_matches(engine, indexed):
    result = engine.search(SearchQuery(text="procurement"))
    assert titles(result) == ["Social procurement for childcare cooperatives", "Neighbourhood kitchens"]


def test_drafts_and_private_pages_never_returned(engine, indexed):
    every = titles(engine.search(SearchQuery(text="procurement", page_size=50)))
    every += titles(engine.search(SearchQuery(page_size=50)))
    assert "Secret procurement draft" not in every
    assert "Private procurement pilot" not in every


@pytest.mark.parametrize(
    "sort,expected",
    [
        ("newest", ["Repair café network 2", "Repair café network 1"]),
        ("oldest", ["Cooperative housing land trust", "Social procurement for childcare cooperatives"]),
        ("start_year", ["Repair café network 2", "Repair café network 1"]),
    ],
)
def test_sorts(engine, indexed, sort, expected):
    assert titles(engine.search(SearchQuery(sort=sort, page_size=2))) == expected


def test_start_year_sort_is_descending_by_year(engine, indexed):
    years = [p.start_year for p in engine.search(SearchQuery(sort="start_year", page_size=50)).hits]
    assert years == sorted(years, reverse=True)


def test_single_select_facet_counts(engine, indexed):
    result = engine.search(SearchQuery(filters={"challenge": ["youth-unemployment"]}))
    assert result.total == 3
    # The facet's own counts ignore its own filter (multi-select).
    assert counts(result, "challenge") == {
        "youth-unemployment": 3, "childcare": 1, "energy-poverty": 1, "housing": 2,
    }
    assert selected(result, "challenge") == {"youth-unemployment"}
    # Other facets count within the selection.
    assert counts(result, "country") == {"NL": 1, "IT": 1, "CA": 1}
    assert counts(result, "city") == {"rotterdam": 1, "turin": 1, "montreal": 1}
    assert counts(result, "status") == {"running": 2, "scaled": 1}
    assert counts(result, "start_year") == {"2015-2019": 2, "2020-2024": 1}


def test_facet_values_in_taxonomy_order_with_labels(engine, indexed):
    result = engine.search(SearchQuery())
    assert [(v["value"], v["label"]) for v in result.facets["challenge"]] == [
        ("youth-unemployment", "Youth unemployment"),
        ("childcare", "Childcare"),
        ("energy-poverty", "Energy poverty"),
        ("housing", "Housing"),
    ]
    assert [v["label"] for v in result.facets["country"]] == ["Canada", "Ireland", "Italy", "Netherlands"]


def test_multi_select_ors_within_a_facet_and_ands_across(engine, indexed):
    result = engine.search(SearchQuery(filters={"challenge": ["youth-unemployment", "housing"]}))
    assert result.total == 5
    result = engine.search(SearchQuery(filters={"challenge": ["youth-unemployment", "housing"], "country": ["IT"]}))
    assert sorted(titles(result)) == ["Cooperative housing land trust", "Youth guarantee through worker cooperatives"]
    # Challenge counts apply the country filter, not the challenge filter.
    assert counts(result, "challenge") == {"youth-unemployment": 1, "housing": 1}
    # Country counts apply the challenge filter, not the country filter.
    assert counts(result, "country") == {"NL": 1, "IT": 2, "CA": 1, "IE": 1}
    assert selected(result, "country") == {"IT"}


def test_selected_value_with_no_results_still_shows_with_zero(engine, indexed):
    result = engine.search(SearchQuery(filters={"challenge": ["food-waste"]}))
    assert result.total == 0
    food = [v for v in result.facets["challenge"] if v["value"] == "food-waste"]
    assert food and food[0]["count"] == 0 and food[0]["selected"]
    # Unselected values without results are not listed.
    result = engine.search(SearchQuery())
    assert "food-waste" not in counts(result, "challenge")


def test_text_and_facets_combine(engine, indexed):
    result = engine.search(SearchQuery(text="enterprises", filters={"country": ["NL"]}))
    assert titles(result) == ["Social procurement for childcare cooperatives"]
    assert counts(result, "country") == {"NL": 1, "CA": 1}


def test_year_range_and_year_facet(engine, indexed):
    result = engine.search(SearchQuery(year_from=2019, year_to=2021))
    assert sorted(titles(result)) == ["Montréal solidarity market", "Youth guarantee through worker cooperatives"]
    result = engine.search(SearchQuery(filters={"start_year": ["2010-2014", "2015-2019"]}, sort="oldest"))
    assert result.total == 4
    assert counts(result, "start_year") == {"2010-2014": 1, "2015-2019": 3, "2020-2024": 5}


def test_pagination_is_stable_and_complete(engine, indexed):
    seen = []
    for page in (1, 2, 3, 4):
        result = engine.search(SearchQuery(page=page, page_size=3))
        assert result.total == PUBLIC
        assert result.page_info.num_pages == 3
        seen += titles(result)
    assert len(seen) == PUBLIC and len(set(seen)) == PUBLIC


def test_highlights_mark_matches_in_summary_and_body(engine, indexed):
    result = engine.search(SearchQuery(text="retrofit"))
    page = result.hits[0]
    body = " ".join(result.highlights[page.pk]["body"])
    assert "<mark>retrofit</mark>" in body
    result = engine.search(SearchQuery(text="tenants"))
    summary = result.highlights[result.hits[0].pk]["summary"][0]
    assert "<mark>Tenants</mark>" in summary


def test_highlights_are_escaped(engine, indexed, mutating):
    page = indexed["pages"]["kitchens"]
    page.summary = "Kitchens <script>alert(1)</script> & shared ovens."
    page.save_revision().publish()
    engine.reindex()
    result = engine.search(SearchQuery(text="ovens"))
    summary = result.highlights[result.hits[0].pk]["summary"][0]
    assert "<script>" not in summary and "&lt;script&gt;" in summary


def test_updates_visible_after_indexing(engine, indexed, mutating, django_capture_on_commit_callbacks):
    page = indexed["pages"]["land_trust"]
    page.title = "Community land trust for affordable homes"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert titles(engine.search(SearchQuery(text="affordable homes"))) == [
        "Community land trust for affordable homes"
    ]
    assert engine.search(SearchQuery(text="Cooperative housing land")).total == 0


def test_unpublished_and_deleted_pages_disappear(engine, indexed, mutating, django_capture_on_commit_callbacks):
    pages = indexed["pages"]
    with django_capture_on_commit_callbacks(execute=True):
        pages["youth_coops"].unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        pages["market"].delete()
    result = engine.search(SearchQuery(page_size=50))
    assert result.total == PUBLIC - 2
    assert "Youth guarantee through worker cooperatives" not in titles(result)
    assert "Montréal solidarity market" not in titles(result)


def test_privacy_change_hides_page(engine, indexed, mutating, django_capture_on_commit_callbacks):
    page = indexed["pages"]["energy"]
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert engine.search(SearchQuery(text="retrofit")).total == 0


def test_newer_draft_does_not_leak(engine, indexed, mutating, django_capture_on_commit_callbacks):
    page = indexed["pages"]["kitchens"]
    page.title = "Kitchens with a zeppelin"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision()  # a draft, not published
    assert engine.search(SearchQuery(text="zeppelin")).total == 0
    assert titles(engine.search(SearchQuery(text="neighbourhood kitchens"))) == ["Neighbourhood kitchens"]


def test_taxonomy_rename_updates_labels_and_filters(engine, indexed, mutating, django_capture_on_commit_callbacks):
    challenge = indexed["challenges"]["energy"]
    challenge.name = "Energy justice"
    with django_capture_on_commit_callbacks(execute=True):
        challenge.save()
    result = engine.search(SearchQuery(filters={"challenge": ["energy-poverty"]}))
    assert titles(result) == ["Community energy for social housing"]
    assert [v["label"] for v in result.facets["challenge"] if v["value"] == "energy-poverty"] == ["Energy justice"]


def test_accents_are_folded(engine, indexed):
    # Elasticsearch: asciifolding; PostgreSQL: unaccent in the sce_english
    # configuration; SQLite: FTS5's unicode61 tokenizer.
    assert titles(engine.search(SearchQuery(text="Montreal"))) == ["Montréal solidarity market"]
    assert titles(engine.search(SearchQuery(text="café network 1"))) == ["Repair café network 1"]


@pytest.mark.parametrize("typo", ["procuremnet", "Rotterdma", "childcrae"])
def test_typos_still_find_the_practice(engine, indexed, typo):
    assert "Social procurement for childcare cooperatives" in titles(engine.search(SearchQuery(text=typo)))


def test_did_you_mean(engine, indexed):
    result = engine.search(SearchQuery(text="procurment"))
    if engine.name == "database":
        # A word the index does not know: the corrected text is searched.
        assert result.corrected == "procurement" and result.suggestion is None
        assert "Social procurement for childcare cooperatives" in titles(result)
        # ... unless the words are to be taken as typed.
        exact = engine.search(SearchQuery(text="procurment", exact=True))
        assert exact.corrected is None
    else:
        # Typo tolerance already found the practices; the spelling is offered.
        assert result.suggestion == "procurement" and result.corrected is None
        assert "Social procurement for childcare cooperatives" in titles(result)


def test_a_misspelt_word_among_known_ones_is_corrected_and_facets_still_apply(engine, indexed):
    result = engine.search(SearchQuery(text="social procurment", filters={"country": ["NL"]}))
    assert titles(result) == ["Social procurement for childcare cooperatives"]
    assert counts(result, "country")["NL"] == 1


def test_unknown_words_with_no_close_neighbour_find_nothing(engine, indexed):
    result = engine.search(SearchQuery(text="xylophonequartz"))
    assert result.total == 0 and result.corrected is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("childcare", "Social procurement for childcare cooperatives"),  # a challenge name (and the title)
        ("energy poverty", "Community energy for social housing"),  # a challenge name only
        ("construction", "Cooperative housing land trust"),  # a sector name
        ("allotments", "Cooperative housing land trust"),  # a keyword
        ("older people", "Cooperative housing land trust"),  # a target group
        ("affordable households", "Cooperative housing land trust"),  # an outcome metric and unit
        ("Legacoop", "Youth guarantee through worker cooperatives"),  # a partner
        ("Canada", "Montréal solidarity market"),  # the country's name
        ("Rotterdam", "Social procurement for childcare cooperatives"),  # the city's name
    ],
)
def test_search_finds_what_the_page_shows(engine, indexed, text, expected):
    assert expected in titles(engine.search(SearchQuery(text=text, page_size=50)))


def test_autocomplete(engine, indexed):
    assert "Youth guarantee through worker cooperatives" in engine.backend.suggest("Youth")
    assert engine.backend.suggest("") == []


def test_related_practices(engine, indexed):
    page = indexed["pages"]["youth_coops"]
    related = engine.backend.related(page)
    assert related, "expected related practices"
    assert page.pk not in {hit.pk for hit in related}
    # Both backends relate practices sharing the youth-unemployment challenge.
    assert {hit.title for hit in related} & {"Montréal solidarity market", "Social procurement for childcare cooperatives"}
    # The draft and the private page share that challenge too; never shown.
    assert not {hit.title for hit in related} & {"Secret procurement draft", "Private procurement pilot"}
    # Cards as the search shows them, with their page's URL.
    assert all(hit.url_path and hit.city for hit in related)


def test_partner_organisation_type_facet(engine, indexed):
    result = engine.search(SearchQuery())
    assert counts(result, "organisation_type") == {"cooperative": 1}
    assert [v["label"] for v in result.facets["organisation_type"]] == ["Cooperative"]
    narrowed = engine.search(SearchQuery(filters={"organisation_type": ["cooperative"]}))
    assert titles(narrowed) == ["Youth guarantee through worker cooperatives"]


def test_measured_outcomes_facet(engine, indexed):
    result = engine.search(SearchQuery())
    assert counts(result, "has_outcomes") == {"yes": 1, "no": 8}
    narrowed = engine.search(SearchQuery(filters={"has_outcomes": ["yes"], "challenge": ["housing"]}))
    assert titles(narrowed) == ["Cooperative housing land trust"]
    # Multi-select: the facet's own counts ignore its own filter.
    assert counts(narrowed, "has_outcomes") == {"yes": 1, "no": 1}
