"""Each language's text analysed in its own language (issue 12): one entry
per translation group (the canonical page's) carrying the original's text
and each live, public translation's, each with its language's stemming;
result cards in the reader's language."""

import pytest
from django.utils import translation
from wagtail.models import Locale, PageViewRestriction

from cities import page_locales
from practices.factories import CaseStudyPageFactory, publish
from practices.models import CaseStudyPage
from search import indexing
from search.backends.contract import SearchQuery
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend
from search.models import SearchEntry

pytestmark = pytest.mark.django_db

SPANISH = {
    "title": "Compra pública social para guarderías cooperativas",
    "summary": "La ciudad reserva contratos públicos a las guarderías de la economía social.",
    "body": "Los comedores escolares compran a productores locales.",
}
SPANISH_FIELDS = {
    "title": "Comedores escolares de proximidad",
    "summary": "Los comedores compran a productores locales.",
}


def in_language(page, code):
    return CaseStudyPage.objects.get(
        translation_key=page.translation_key, locale=Locale.objects.get(language_code=code)
    )


def translate(page, code, live=True, body=None, **fields):
    """`page`'s alias in `code` made a translation (as wagtail-localize's
    editor does) with `fields`, published unless `live` is False."""
    other = in_language(page, code)
    other.alias_of = None
    for name, value in fields.items():
        setattr(other, name, value)
    if body:
        other.body = [("context", f"<p>{body}</p>")]
    other.live = live
    other.save()
    revision = other.save_revision()
    if live:
        revision.publish()
    return CaseStudyPage.objects.get(pk=other.pk)


@pytest.fixture
def practice(site_tree):
    page = publish(
        CaseStudyPageFactory(
            parent=site_tree["dublin"],
            title="Social procurement for childcare",
            slug="childcare",
            summary="The council reserves contracts for social enterprises running nurseries.",
        )
    )
    page_locales.complete_tree()
    return CaseStudyPage.objects.get(pk=page.pk)


@pytest.fixture
def polish(site_tree, practice):
    """A practice written in Polish (an original in the English tree)."""
    page = publish(
        CaseStudyPageFactory(
            parent=site_tree["turin"],
            title="Żłobki spółdzielcze",
            slug="zlobki",
            language="pl",
            summary="Miasto finansuje żłobki środowiskowe prowadzone przez spółdzielnie socjalne.",
        )
    )
    page_locales.complete_tree()
    return CaseStudyPage.objects.get(pk=page.pk)


@pytest.fixture(params=["database", "elasticsearch"])
def search(request, db):
    """search(text, language="en") -> the ids found, on each backend (the
    indexes rebuilt from the pages first)."""
    if request.param == "database":
        backend = DatabaseBackend()
    else:
        settings = request.getfixturevalue("es_settings")
        backend = ElasticsearchBackend(settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX)

    def run(text, language="en"):
        indexing.rebuild_entries()
        if request.param == "elasticsearch":
            indexing.rebuild()
        with translation.override(language):
            result = backend.search(SearchQuery(text=text, exact=True))
        return [hit.pk for hit in result.hits], result

    run.backend = request.param
    return run


def test_a_spanish_translation_is_found_by_its_stemmed_words(practice, search):
    translate(
        practice, "es", body=SPANISH["body"], **{k: v for k, v in SPANISH.items() if k != "body"}
    )
    # "guardería" and "comedor" are not written: the Spanish stemmer finds
    # "guarderías" (title) and "comedores" (body).
    assert search("guardería", "es")[0] == [practice.pk]
    assert search("comedor escolar")[0] == [practice.pk]
    # A stop word of some language ("para") does not have to be written.
    assert search("guarderías para las cooperativas", "es")[0] == [practice.pk]
    # The original's English words still find it, once.
    assert search("nurseries")[0] == [practice.pk]


def test_a_spanish_hit_shows_the_spanish_title_to_a_spanish_reader(practice, search):
    translate(practice, "es", **{k: v for k, v in SPANISH.items() if k != "body"})
    hits = search("guarderías", "es")[1].hits
    assert [(hit.title, hit.language, hit.original_language) for hit in hits] == [
        (SPANISH["title"], "es", "en")
    ]
    hits = search("guarderías", "fr")[1].hits  # no French translation: the original, marked English
    assert [(hit.title, hit.language) for hit in hits] == [
        ("Social procurement for childcare", "en")
    ]


def test_polish_text_is_found_by_its_exact_words(polish, search):
    assert search("spółdzielnie")[0] == [polish.pk]
    assert search("żłobki", "pl")[0] == [polish.pk]
    assert search("srodowiskowe")[0] == [polish.pk]  # accents folded


def test_unpublishing_a_translation_removes_its_text(practice, search):
    spanish = translate(practice, "es", **{k: v for k, v in SPANISH.items() if k != "body"})
    assert search("guarderías")[0] == [practice.pk]
    spanish.unpublish()
    entry = SearchEntry.objects.get()
    # The signal re-indexed the group's entry.
    assert entry.page_id == practice.pk and entry.translations == {}
    assert search("guarderías")[0] == []
    assert search("childcare")[0] == [practice.pk]


def test_draft_and_private_translations_are_never_indexed(practice, search):
    translate(practice, "es", live=False, title="Borrador secreto de guarderías")
    italian = translate(practice, "it", title="Appalti sociali per gli asili nido")
    italian.title = "Bozza riservata"
    italian.save_revision()  # a draft of a published translation
    assert search("borrador")[0] == []
    assert search("riservata")[0] == []
    assert search("asili")[0] == [practice.pk]
    # A view restriction holds for the whole group (cities.page_locales):
    # neither the translation's text nor the practice is found.
    PageViewRestriction.objects.create(page=italian, restriction_type=PageViewRestriction.LOGIN)
    assert search("asili")[0] == []
    assert search("childcare")[0] == []


def test_aliases_never_have_an_entry(practice, polish):
    """Publishing the original republishes its aliases (Wagtail sends
    page_published for each): the group keeps its one entry."""
    publish(practice)
    assert sorted(SearchEntry.objects.values_list("page_id", flat=True)) == sorted(
        [practice.pk, polish.pk]
    )
    entry = SearchEntry.objects.get(page_id=polish.pk)
    assert entry.language == "pl"


def test_a_practice_written_in_spanish_is_indexed_from_its_english_alias(site_tree, practice):
    """An original in the Spanish tree: the entry is its English alias's
    (the canonical page), with the Spanish text analysed in Spanish."""
    es = Locale.objects.get(language_code="es")
    parent = site_tree["dublin"].get_translation(es)
    original = publish(
        CaseStudyPageFactory(parent=parent, slug="comedores", language="es", **SPANISH_FIELDS)
    )
    page_locales.complete(original)
    canonical = page_locales.canonical(original)
    assert canonical.alias_of_id == original.pk
    entry = SearchEntry.objects.get(page_id=canonical.pk)
    assert entry.language == "es" and entry.translations == {}
    assert not SearchEntry.objects.filter(page_id=original.pk).exists()
    with translation.override("es"):
        found = DatabaseBackend().search(SearchQuery(text="comedor", exact=True))
    assert [hit.pk for hit in found.hits] == [canonical.pk]


def test_result_cards_show_the_translation_in_the_reader_language(client, practice):
    translate(practice, "es", **{k: v for k, v in SPANISH.items() if k != "body"})
    html = client.get("/es/practices/", {"q": "guarderías"}).content.decode()
    assert f'lang="es"><a href="/es/cities/dublin/childcare/">{SPANISH["title"]}</a>' in html
    html = client.get("/practices/", {"q": "guarderías"}).content.decode()
    assert (
        'lang="en"><a href="/cities/dublin/childcare/">Social procurement for childcare</a>' in html
    )
