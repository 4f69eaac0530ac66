"""Indexing: events to tasks on commit, rebuild through an alias swap,
drift checks, and an engine outage that never fails a publish."""

import logging

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from cities import fragments
from search import indexing, signals
from search.backends.contract import SearchQuery
from search.backends.elasticsearch import get_client
from search.documents import document
from search.serialise import read_pages

from .conftest import free_port, make_engine

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", params=["elasticsearch"])
def engine(request, shared_catalogue, django_db_blocker):
    """Indexing concerns the Elasticsearch backend only."""
    yield from make_engine(request.param, request, django_db_blocker)


@pytest.fixture
def es_engine(engine):
    return engine


def test_rebuild_swaps_the_alias_atomically(indexed, mutating, es_engine, settings, capsys):
    client = get_client(settings.ELASTICSEARCH_URL)
    alias = settings.ELASTICSEARCH_INDEX
    before = indexing.concrete_indexes(client, alias)
    assert len(before) == 1
    call_command("search_index", "--rebuild")
    out = capsys.readouterr().out
    after = indexing.concrete_indexes(client, alias)
    assert len(after) == 1 and after != before
    assert "Elasticsearch: indexed 9 case studies" in out
    assert "Database index: 9 case studies" in out
    # The old index is gone and searches answer from the new one.
    assert not client.indices.exists(index=before[0])
    assert es_engine.search(SearchQuery()).total == 9


def test_an_elasticsearch_update_retires_cached_pages(indexed, mutating, es_engine):
    """A page cached between the publish and its index update (the task runs
    after the commit) does not outlive the update: /practices/ answers from
    the index."""
    before = fragments.version()
    indexing.update_pages([indexed.pages["kitchens"].pk])
    assert fragments.version() != before


def test_check_reports_and_fixes_drift(indexed, mutating, es_engine, settings, capsys):
    client = get_client(settings.ELASTICSEARCH_URL)
    alias = settings.ELASTICSEARCH_INDEX
    call_command("search_index", "--check")
    assert "Elasticsearch: matches the pages." in capsys.readouterr().out

    missing = indexed.pages["market"]
    client.delete(index=alias, id=str(missing.pk), refresh=True)
    stale = indexed.pages["energy"]
    stale_doc = document(read_pages([stale.pk])[0])
    stale_doc.pop("_id")
    stale_doc["live_revision"] = -1
    client.index(index=alias, id=str(stale.pk), document=stale_doc, refresh=True)
    draft = indexed.pages["draft"]
    client.index(index=alias, id=str(draft.pk), document={"page_id": draft.pk, "title": draft.title}, refresh=True)

    with pytest.raises(CommandError, match="drifted"):
        call_command("search_index", "--check")
    out = capsys.readouterr().out
    assert f"missing from the index: 1 [{missing.pk}]" in out
    assert f"in the index but not public: 1 [{draft.pk}]" in out
    assert f"stale (another revision): 1 [{stale.pk}]" in out

    call_command("search_index", "--check", "--fix")
    assert "Elasticsearch: fixed." in capsys.readouterr().out
    call_command("search_index", "--check")
    assert "Elasticsearch: matches the pages." in capsys.readouterr().out
    assert es_engine.search(SearchQuery()).total == 9


def test_command_without_elasticsearch_keeps_the_database_index(settings, capsys):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL"):
        call_command("search_index", "--rebuild", "--only", "elasticsearch")
    call_command("search_index", "--rebuild")
    assert capsys.readouterr().out.startswith("Database index: 9 case studies")


def test_events_are_sent_after_commit_with_primitive_ids(indexed, mutating, es_engine, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("search.tasks.update_pages.delay", lambda *args, **kwargs: sent.append(args))
    page = indexed.pages["kitchens"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page.save_revision().publish()
        assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sent and sent[0][0] == [page.pk]
    assert all(isinstance(i, int) for i in sent[0][0])
    assert isinstance(sent[0][1], str) and isinstance(sent[0][2], str)


def test_city_republish_and_move_reindex_their_case_studies(indexed, mutating, es_engine, settings,
                                                            django_capture_on_commit_callbacks):
    turin = indexed.cities["turin"]
    turin.title = "Torino"
    with django_capture_on_commit_callbacks(execute=True):
        turin.save_revision().publish()
    client = get_client(settings.ELASTICSEARCH_URL)
    doc = client.get(index=settings.ELASTICSEARCH_INDEX, id=str(indexed.pages["land_trust"].pk))
    assert "Torino" in doc["_source"]["spell"]

    page = indexed.pages["land_trust"]
    with django_capture_on_commit_callbacks(execute=True):
        page.move(indexed.cities["dublin"], pos="last-child")
    result = es_engine.search(SearchQuery(filters={"city": ["dublin"]}, page_size=50))
    assert "Cooperative housing land trust" in [p.title for p in result.hits]


def test_engine_outage_never_fails_a_publish(indexed, mutating, es_engine, caplog,
                                             django_capture_on_commit_callbacks):
    page = indexed.pages["kitchens"]
    page.title = "Neighbourhood kitchens, extended"
    with override_settings(ELASTICSEARCH_URL=f"http://127.0.0.1:{free_port()}"):
        with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
            revision = page.save_revision()
            revision.publish()
    page.refresh_from_db()
    assert page.title == "Neighbourhood kitchens, extended" and page.live
    assert "Search indexing of pages" in caplog.text


def test_stale_document_is_never_shown(indexed, mutating, es_engine, settings):
    """A document Elasticsearch still holds for a page that is no longer
    public (an event it missed) is not shown, and is re-indexed away."""
    client = get_client(settings.ELASTICSEARCH_URL)
    draft = indexed.pages["draft"]
    doc = {"page_id": draft.pk, "title": draft.title, "summary": "procurement", "challenge": ["youth-unemployment"]}
    client.index(index=settings.ELASTICSEARCH_INDEX, id=str(draft.pk), document=doc, refresh=True)
    result = es_engine.search(SearchQuery(text="procurement", page_size=50))
    assert "Secret procurement draft" not in [h.title for h in result.hits]
    assert result.total == len(result.hits)
    # The search handed the stale id to the indexer (eager here), which deleted it.
    assert not client.exists(index=settings.ELASTICSEARCH_INDEX, id=str(draft.pk))


def test_a_page_another_process_unpublished_is_never_shown_although_elasticsearch_has_it(
    indexed, mutating, es_engine
):
    """Elasticsearch still holds the document; the database index no longer
    does (the other process's unpublish committed): the very next search
    does not show it, with no delay."""
    from search.models import SearchEntry

    page = indexed.pages["energy"]
    query = SearchQuery(text="energy", page_size=50)
    assert page.pk in [h.pk for h in es_engine.search(query).hits]
    SearchEntry.objects.filter(page_id=page.pk).delete()
    result = es_engine.search(query)
    assert page.pk not in [h.pk for h in result.hits]
    assert result.total == len(result.hits)


def test_the_elasticsearch_task_is_queued_after_the_commit_and_only_with_elasticsearch(
    db, settings, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr("search.queue.send", lambda page_ids, *target, **kw: sent.append(sorted(page_ids)))
    settings.ELASTICSEARCH_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        signals.schedule([1, 2])
    assert sent == []  # the commit's callbacks ran (the page fragments' version): none sent a task
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signals.schedule([1, 2])
        assert sent == []  # not before the commit
    for callback in callbacks:
        callback()
    assert sent == [[1, 2]]


def test_a_truncated_facet_is_an_error_not_a_silent_cut(indexed, mutating, es_engine, settings):
    from search.backends.contract import FacetTruncatedError
    from search.backends.facets import FacetOptions, load_facet_options

    client = get_client(settings.ELASTICSEARCH_URL)
    for i in range(12):  # more values than the taxonomy knows of
        client.index(index=settings.ELASTICSEARCH_INDEX, id=str(10_000 + i), document={"page_id": 10_000 + i,
                     "challenge": [f"ghost-{i}"]})
    client.indices.refresh(index=settings.ELASTICSEARCH_INDEX)
    options = load_facet_options()
    options = FacetOptions({**options.values, "challenge": {}})
    with pytest.raises(FacetTruncatedError):
        es_engine.backend.search(SearchQuery(), options)
