"""The page tree in seven languages (cities.page_locales, cms.languages):
every page answers under /es/, /fr/, ... as an alias of its original until
a city official translates it in wagtail-localize's editor; the reader is
told which language the text is in; the language switch is remembered;
private pages and drafts stay hidden in every language; the search index
and the lists of practices count each practice once."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.utils import translation
from wagtail.models import Locale, Page, PageViewRestriction
from wagtail_localize.models import Translation

from cities import page_locales
from exchange.transfers import record_accepted
from practices.factories import CaseStudyPageFactory, publish
from practices.models import CaseStudyPage
from search.models import SearchEntry

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def tree(site_tree):
    """The site tree with a published Dublin case study, in every language."""
    practice = publish(
        CaseStudyPageFactory(parent=site_tree["dublin"], title="Social enterprise committee", slug="committee")
    )
    page_locales.complete_tree()
    return {**site_tree, "practice": CaseStudyPage.objects.get(pk=practice.pk)}


def in_language(page, code):
    return page.get_translation(Locale.objects.get(language_code=code)).specific


def test_every_page_exists_in_every_language_as_an_alias(client, tree):
    practice = tree["practice"]
    group = Page.objects.filter(translation_key=practice.translation_key)
    assert sorted(group.values_list("locale__language_code", flat=True)) == sorted(LANGUAGES)
    assert all(page.alias_of_id == practice.pk for page in group.exclude(pk=practice.pk))
    response = client.get("/es/cities/dublin/committee/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "Social enterprise committee" in html
    # The text is the original's, marked as English, and the reader is told.
    assert '<h1 lang="en">Social enterprise committee</h1>' in html
    assert 'class="language-note"' in html


def test_english_page_in_english_has_no_language_note(client, tree):
    html = client.get("/cities/dublin/committee/").content.decode()
    assert '<html lang="en">' in html
    assert 'class="language-note"' not in html


def test_hreflang_alternates_name_every_language_and_x_default(client, tree):
    html = client.get("/fr/cities/dublin/committee/").content.decode()
    links = dict(re.findall(r'<link rel="alternate" hreflang="([a-z-]+)" href="([^"]+)">', html))
    assert links["en"] == "http://testserver/cities/dublin/committee/"
    assert links["x-default"] == links["en"]
    for code in LANGUAGES[1:]:
        assert links[code] == f"http://testserver/{code}/cities/dublin/committee/"


def test_the_sitemap_lists_each_language_with_its_alternates(client, tree):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locations = {url.find("s:loc", ns).text: url for url in root.findall("s:url", ns)}
    site = "http://localhost"  # the site's own address
    spanish = locations[f"{site}/es/cities/dublin/committee/"]
    alternates = {link.get("hreflang"): link.get("href") for link in spanish.findall("x:link", ns)}
    assert alternates["pl"] == f"{site}/pl/cities/dublin/committee/"
    assert alternates["x-default"] == f"{site}/cities/dublin/committee/"
    assert set(alternates) == {*LANGUAGES, "x-default"}


def test_the_switch_remembers_the_language_and_unprefixed_pages_follow_it(client, tree):
    response = client.get("/language/pt/", {"next": "/cities/dublin/committee/"})
    assert response.status_code == 302
    assert response["Location"] == "/pt/cities/dublin/committee/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pt"
    # Later, an English address sends the reader to their language.
    response = client.get("/cities/dublin/")
    assert response.status_code == 302 and response["Location"] == "/pt/cities/dublin/"
    response = client.get("/network/", {"a": "1"})
    assert response["Location"] == "/pt/network/?a=1"
    # The admin and the API are not redirected.
    assert client.get("/api/practices/").status_code == 200
    # Choosing English again ends the redirects.
    client.get("/language/en/", {"next": "/pt/cities/dublin/"})
    assert client.get("/cities/dublin/").status_code == 200


def test_the_switch_from_a_page_in_one_language_leads_to_the_page_in_the_chosen_one(client, tree):
    # The switcher names the page's address in the chosen language; a reader
    # who has chosen nothing yet reads in English when following it.
    response = client.get("/language/es/", {"next": "/es/cities/dublin/committee/"})
    assert response["Location"] == "/es/cities/dublin/committee/"
    client.cookies.clear()
    response = client.get("/language/nl/", {"next": "/nl/peers/?challenge=housing"})
    assert response["Location"] == "/nl/peers/?challenge=housing"


def test_a_practice_shows_its_adaptations_in_every_language(client, tree):
    # Transfers are recorded against the canonical (English) page.
    record_accepted(tree["practice"], tree["turin"], stage="piloting", lessons="Start small.")
    with translation.override("pl"):
        heading = translation.gettext("Cities adapting this practice")
    html = client.get("/pl/cities/dublin/committee/").content.decode()
    assert heading in html
    assert "Start small." in html


def test_the_switch_refuses_other_sites_and_unknown_languages(client, tree):
    response = client.get("/language/es/", {"next": "https://evil.example/"})
    assert response["Location"] == "/es/"
    response = client.get("/language/xx/", {"next": "/cities/dublin/"})
    assert response["Location"] == "/cities/dublin/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_every_page_shows_the_switcher_with_the_current_language_marked(client, tree):
    html = client.get("/it/peers/").content.decode()
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    assert switcher.count("<li>") == len(LANGUAGES)
    assert re.search(r'hreflang="it" lang="it" aria-current="true"', switcher)
    assert "/language/nl/?next=%2Fnl%2Fpeers%2F" in switcher


def test_a_private_page_is_private_in_every_language(client, tree):
    practice = tree["practice"]
    PageViewRestriction.objects.create(page=practice, restriction_type=PageViewRestriction.LOGIN)
    for code in LANGUAGES:
        prefix = "" if code == "en" else f"/{code}"
        response = client.get(f"{prefix}/cities/dublin/committee/")
        assert response.status_code == 302 and "login" in response["Location"], code
    # Lifting it lifts it everywhere.
    PageViewRestriction.objects.filter(page=practice).delete()
    assert client.get("/nl/cities/dublin/committee/").status_code == 200


def test_a_private_city_hides_its_practices_in_every_language(client, tree):
    PageViewRestriction.objects.create(page=tree["dublin"], restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/pl/cities/dublin/committee/").status_code == 302
    assert CaseStudyPage.objects.listable().filter(title="Social enterprise committee").count() == 0


def test_an_unpublished_practice_is_gone_in_every_language(client, tree):
    tree["practice"].unpublish()
    for code in LANGUAGES[1:]:
        assert client.get(f"/{code}/cities/dublin/committee/").status_code == 404


def test_the_search_index_and_lists_hold_each_practice_once(client, tree):
    practice = tree["practice"]
    publish(practice)  # republishing updates the aliases (Wagtail sends page_published for each)
    assert list(SearchEntry.objects.values_list("page_id", flat=True)) == [practice.pk]
    assert CaseStudyPage.objects.listable().canonical().count() == 1
    html = client.get("/es/cities/dublin/").content.decode()
    assert html.count("/es/cities/dublin/committee/") >= 1
    assert "/cities/dublin/committee/\"" not in html.replace("/es/cities/dublin/committee/", "")


def test_search_results_link_to_the_page_in_the_reader_language(client, tree):
    html = client.get("/es/practices/", {"q": "committee"}).content.decode()
    assert 'href="/es/cities/dublin/committee/"' in html


def test_moving_the_practice_moves_it_in_every_language(client, tree):
    tree["practice"].move(tree["turin"], pos="last-child")
    assert client.get("/it/cities/turin/committee/").status_code == 200
    old = client.get("/it/cities/dublin/committee/")  # Wagtail's redirect to where it went
    assert old.status_code == 301 and old["Location"] == "/it/cities/turin/committee/"
    assert in_language(tree["practice"], "it").city_id == in_language(tree["turin"], "it").pk


def test_deleting_the_practice_deletes_it_in_every_language(tree):
    practice = tree["practice"]
    key = practice.translation_key
    practice.delete()
    assert not Page.objects.filter(translation_key=key).exists()


def test_a_question_asked_from_a_translated_page_goes_to_the_practice(tree):
    spanish = in_language(tree["practice"], "es")
    assert page_locales.canonical(spanish).pk == tree["practice"].pk


@pytest.mark.django_db
def test_an_official_translates_a_practice_in_the_editor_with_the_machine_translator(
    client, tree, users, django_capture_on_commit_callbacks
):
    """wagtail-localize's editor: "Translate this page" into Spanish turns
    the Spanish alias into a translation; the library's dummy translator
    (tests) fills it; publishing shows it at /es/ with its language marked
    and a link to the original; the practice is still indexed once."""
    from django.contrib.auth import get_user_model

    practice = tree["practice"]
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(admin)
    spanish_locale = Locale.objects.get(language_code="es")
    response = client.post(
        f"/admin/localize/submit/page/{practice.pk}/", {"locales": [spanish_locale.pk]}
    )
    assert response.status_code == 302
    translation = Translation.objects.get(source__object_id=practice.translation_key, target_locale=spanish_locale)
    spanish = in_language(practice, "es")
    assert spanish.alias_of_id is None  # the alias became the translation
    response = client.post(
        f"/admin/localize/translate/{translation.pk}/machine_translate/", {"next": "/admin/"}
    )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # wagtail-localize publishes after the commit
        translation.save_target(user=admin, publish=True)
    spanish = in_language(practice, "es")
    assert spanish.title != practice.title  # the dummy translator reverses the words
    assert spanish.slug == practice.slug  # one address in every language but for the prefix
    assert spanish.language == "es"
    client.logout()
    html = client.get("/es/cities/dublin/committee/").content.decode()
    assert f'<h1 lang="es">{spanish.title}</h1>' in html
    assert 'href="/cities/dublin/committee/" hreflang="en"' in html  # "Read the original"
    assert list(SearchEntry.objects.values_list("page_id", flat=True)) == [practice.pk]
    # The English page still shows the original.
    assert "Social enterprise committee</h1>" in client.get("/cities/dublin/committee/").content.decode()
