"""The database backend's index (search.models.SearchEntry): written in the
editor's transaction by the editorial events, big events handed to Celery,
drift checked and repaired, listability checked again at query time, and a
search that costs the same number of queries whatever it asks for."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction

from practices.factories import CaseStudyPageFactory, ChallengeFactory
from search.backends.contract import SearchQuery
from search.backends.database import DatabaseBackend
from search.backends.facets import load_facet_options
from search.models import SearchEntry

pytestmark = pytest.mark.django_db


def titles(**query):
    return [hit.title for hit in DatabaseBackend().search(SearchQuery(**query)).hits]


@pytest.fixture
def draft(site_tree):
    youth = ChallengeFactory(name="Youth unemployment", slug="youth-unemployment")
    return CaseStudyPageFactory(
        parent=site_tree["dublin"], title="Tool library for tenants", live=False, challenges=[youth]
    )


def test_publish_writes_the_entry_inside_the_editors_transaction(draft):
    assert not SearchEntry.objects.filter(page_id=draft.pk).exists()
    with pytest.raises(RuntimeError), transaction.atomic():
        draft.save_revision().publish()
        assert SearchEntry.objects.filter(page_id=draft.pk).exists()  # before any commit
        raise RuntimeError("the editor's request fails")
    assert not SearchEntry.objects.filter(page_id=draft.pk).exists()  # rolled back with it

    draft.refresh_from_db()
    draft.save_revision().publish()
    entry = SearchEntry.objects.get(page_id=draft.pk)
    assert entry.card["title"] == "Tool library for tenants"
    assert {"city:dublin", "country:IE", "challenge:youth-unemployment"} <= set(entry.facets)
    assert entry.card["challenges"] == [{"slug": "youth-unemployment", "name": "Youth unemployment"}]
    assert "Youth unemployment" in entry.text_b and "Ireland" in entry.text_d
    assert titles(text="tool library") == ["Tool library for tenants"]


def test_unpublish_and_privacy_remove_the_entry(draft, site_tree):
    draft.save_revision().publish()
    draft.refresh_from_db()
    draft.unpublish()
    assert not SearchEntry.objects.filter(page_id=draft.pk).exists()
    assert titles(text="tool library") == []

    draft.refresh_from_db()
    draft.save_revision().publish()
    PageViewRestriction.objects.create(page=site_tree["dublin"], restriction_type=PageViewRestriction.LOGIN)
    assert not SearchEntry.objects.filter(page_id=draft.pk).exists()


def test_a_new_draft_leaves_the_published_text(draft):
    draft.save_revision().publish()
    draft.refresh_from_db()
    draft.title = "Zeppelin hangar"
    draft.save_revision()
    assert SearchEntry.objects.get(page_id=draft.pk).card["title"] == "Tool library for tenants"
    assert titles(text="zeppelin") == []


def test_taxonomy_slug_change_rewrites_the_entries(draft):
    draft.save_revision().publish()
    challenge = draft.challenges.get()
    challenge.slug = "youth-jobs"
    challenge.save()
    assert "challenge:youth-jobs" in SearchEntry.objects.get(page_id=draft.pk).facets
    assert titles(filters={"challenge": ["youth-jobs"]}) == ["Tool library for tenants"]


def challenge_tokens(entry):
    return [t for t in entry.facets if t.startswith("challenge:")]


def test_big_events_go_to_celery_after_the_commit(site_tree, settings, django_capture_on_commit_callbacks):
    settings.SEARCH_SYNC_LIMIT = 1
    food = ChallengeFactory(name="Food waste", slug="food-waste")
    pages = [CaseStudyPageFactory(parent=site_tree["turin"], title=f"Canteen {i}", challenges=[food]) for i in (1, 2)]
    call_command("search_index", "--rebuild", "--only", "database")
    food.slug = "food-loss"
    with django_capture_on_commit_callbacks(execute=True):
        food.save()
        # More pages than the limit: nothing written in the editor's request...
        assert [challenge_tokens(e) for e in SearchEntry.objects.all()] == [["challenge:food-waste"]] * 2
    # ...but by the task once the transaction committed (eager Celery here).
    assert [challenge_tokens(e) for e in SearchEntry.objects.filter(page_id__in=[p.pk for p in pages])] == [
        ["challenge:food-loss"]
    ] * 2


def test_query_time_checks_catch_what_no_event_told(draft, site_tree):
    """Rows for pages made private or unpublished behind the events' back
    (bulk updates send no signals) are never returned."""
    draft.save_revision().publish()
    other = CaseStudyPageFactory(parent=site_tree["turin"], title="Tool library in Turin")
    call_command("search_index", "--rebuild", "--only", "database")
    assert sorted(titles(text="tool library")) == ["Tool library for tenants", "Tool library in Turin"]
    Page.objects.filter(pk=draft.pk).update(live=False)
    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=Page.objects.get(pk=other.pk), restriction_type=PageViewRestriction.LOGIN)]
    )
    assert titles(text="tool library") == []
    assert DatabaseBackend().search(SearchQuery()).total == 0


def test_check_reports_and_fixes_drift(draft, site_tree, capsys):
    draft.save_revision().publish()
    extra = CaseStudyPageFactory(parent=site_tree["turin"], title="Never indexed")
    call_command("search_index", "--check", "--only", "database", "--fix")
    assert "fixed" in capsys.readouterr().out
    SearchEntry.objects.filter(page_id=draft.pk).delete()
    Page.objects.filter(pk=extra.pk).update(live=False)
    with pytest.raises(CommandError, match="database index has drifted"):
        call_command("search_index", "--check", "--only", "database")
    out = capsys.readouterr().out
    assert f"missing from the index: 1 [{draft.pk}]" in out
    assert f"in the index but not public: 1 [{extra.pk}]" in out
    call_command("search_index", "--check", "--only", "database", "--fix")
    call_command("search_index", "--check", "--only", "database")
    assert "Database index: matches the pages." in capsys.readouterr().out


def test_a_search_costs_the_same_queries_whatever_it_asks(site_tree):
    youth = ChallengeFactory(name="Youth unemployment", slug="youth-unemployment")
    for i in range(30):
        CaseStudyPageFactory(parent=site_tree["dublin" if i % 2 else "turin"], title=f"Cooperative {i}",
                             challenges=[youth], start_year=2000 + i)
    call_command("search_index", "--rebuild", "--only", "database")
    options = load_facet_options()
    backend = DatabaseBackend()
    backend.search(SearchQuery(), options)  # PostgreSQL: the postings are read once per index version
    counts = {}
    for label, query in {
        "browse, 1 a page": SearchQuery(page_size=1),
        "browse, 50 a page": SearchQuery(page_size=50),
        "text": SearchQuery(text="cooperative", page_size=50),
        "text and 3 facets": SearchQuery(
            text="cooperative", filters={"city": ["dublin"], "challenge": ["youth-unemployment"],
                                         "start_year": ["2010-2014", "2020-2024"]}, page_size=50),
    }.items():
        with CaptureQueriesContext(connection) as ctx:
            result = backend.search(query, options)
        counts[label] = len(ctx.captured_queries)
        assert result.total
    assert counts["browse, 1 a page"] == counts["browse, 50 a page"], counts
    assert counts["text"] == counts["text and 3 facets"], counts
    # The restriction paths, the counts with the page's ids, the page's
    # cards; with text, the look-up of its words in the vocabulary. On
    # PostgreSQL the counts come from the postings (one query for the
    # index's fingerprint and the matching ids) and relevance is one more.
    if connection.vendor == "postgresql":
        assert (counts["browse, 1 a page"], counts["text"]) == (3, 5), counts
    else:
        assert (counts["browse, 1 a page"], counts["text"]) == (3, 4), counts


def test_facet_options_are_cached_until_a_taxonomy_or_city_changes(site_tree, django_assert_num_queries):
    first = load_facet_options()
    with django_assert_num_queries(0):
        assert load_facet_options() is first
    ChallengeFactory(name="Energy poverty", slug="energy-poverty")
    assert "energy-poverty" in load_facet_options().labels("challenge")
    site_tree["turin"].title = "Torino"
    site_tree["turin"].save_revision().publish()
    assert load_facet_options().labels("city")["turin"] == "Torino"


def test_facet_options_follow_another_process_within_the_recheck_interval(site_tree, monkeypatch):
    from django.core.cache import cache

    from search.backends import facets as base

    first = load_facet_options()
    # Another process renamed a taxonomy: it changed the shared version.
    cache.set(base.facet_options_memo.key, "changed-elsewhere", None)
    assert load_facet_options() is first  # not looked at again within the interval
    monkeypatch.setattr(base.facet_options_memo, "recheck", 0)
    assert load_facet_options() is not first


def test_result_urls_follow_a_change_of_site(draft, client):
    from wagtail.models import Site

    draft.save_revision().publish()
    params = {"q": "tool library"}
    path = client.get("/api/practices/", params).json()["results"][0]["url"]
    assert path == draft.url and path.startswith("/")  # one site: relative, like Page.url
    Site.objects.create(hostname="dublin.example", port=80, root_page=draft.get_parent())
    # Two sites now: absolute URLs on the most specific site, at once (the
    # kept site root paths were dropped), as Wagtail gives them.
    url = client.get("/api/practices/", params).json()["results"][0]["url"]
    assert url == "http://dublin.example/tool-library-for-tenants/" == Page.objects.get(pk=draft.pk).full_url


def test_read_pages_returns_the_listable_pages_asked_for_and_no_other(site_tree):
    from search.serialise import read_pages

    pages = [CaseStudyPageFactory(parent=site_tree["dublin"], title=f"Practice {i}") for i in range(6)]
    draft = CaseStudyPageFactory(parent=site_tree["dublin"], title="Draft", live=False)
    ids = [p.pk for p in pages]
    # Every other page: close together (read as one id range), with pages
    # in between that were not asked for.
    assert [d.row["pk"] for d in read_pages(ids[::2])] == ids[::2]
    # Far apart (an IN list), and a draft that is never a document.
    spread = [ids[0], ids[-1] + 10_000, ids[-1]]
    assert [d.row["pk"] for d in read_pages([*spread, draft.pk])] == [ids[0], ids[-1]]
    assert read_pages([]) == []
