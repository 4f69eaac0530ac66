"""A city's officials translate their own city's pages, and only those; a
translation reaches readers through the same peer review as any page
(cities.translating, cities.roles)."""

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, Translation, TranslationSource

from cities import page_locales
from practices.factories import CaseStudyPageFactory, publish
from practices.models import CaseStudyPage

from ..admin_helpers import denied

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(site_tree):
    """A published Dublin case study, in every language (as aliases)."""
    page = publish(
        CaseStudyPageFactory(
            parent=site_tree["dublin"], title="Social enterprise committee", slug="committee"
        )
    )
    page_locales.complete_tree()
    return CaseStudyPage.objects.get(pk=page.pk)


@pytest.fixture
def spanish():
    return Locale.objects.get(language_code="es")


def in_spanish(practice, spanish):
    return practice.get_translation(spanish).specific


def submit_url(page):
    return reverse("wagtail_localize:submit_page_translation", args=[page.pk])


def start_translation(client, official, practice, spanish):
    client.force_login(official)
    response = client.post(submit_url(practice), {"locales": [spanish.pk]})
    assert response.status_code == 302, response.status_code
    return Translation.objects.get(
        source__object_id=practice.translation_key, target_locale=spanish
    )


def approve(client, moderator, page):
    client.force_login(moderator)
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    return client.post(url, {"comment": "Reviewed."})


def test_an_official_translates_their_city_practice_and_a_moderator_publishes_it(
    client, practice, users, spanish
):
    official = users["dublin"]
    client.force_login(official)
    assert client.get(submit_url(practice)).status_code == 200
    translation = start_translation(client, official, practice, spanish)
    page = in_spanish(practice, spanish)
    assert page.alias_of_id is None  # the alias became the translation, not yet translated

    # The official translates every string (here with the test translator).
    response = client.post(
        reverse("wagtail_localize:machine_translate", args=[translation.pk]), {"next": "/admin/"}
    )
    assert response.status_code == 302
    assert StringTranslation.objects.filter(locale=spanish, last_translated_by=official).exists()

    # They may not publish it themselves: not from the translation editor,
    # nor by syncing with "publish".
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]), {"action": "publish"}
    )
    assert denied(response)
    source = TranslationSource.objects.get(object_id=practice.translation_key)
    response = client.post(
        reverse("wagtail_localize:update_translations", args=[source.pk]),
        {"publish_translations": "on"},
    )
    assert denied(response)

    # They submit it for review, as any page of theirs.
    listing = client.get(
        reverse("wagtailadmin_explore", args=[page.get_parent().pk])
    ).content.decode()
    review_url = reverse("cities_submit_translation_for_review", args=[translation.pk])
    assert review_url in listing
    assert client.get(review_url).status_code == 200
    response = client.post(review_url)
    assert response.status_code == 302
    page = in_spanish(practice, spanish)
    assert page.workflow_in_progress
    client.logout()
    html = client.get("/es/cities/dublin/committee/").content.decode()
    assert "Social enterprise committee" in html  # readers still see the original's text
    assert "committee enterprise Social" not in html

    # The official cannot approve it; a moderator does, and it is published.
    approve(client, official, page)
    assert in_spanish(practice, spanish).workflow_in_progress
    response = approve(client, users["moderator"], page)
    assert response.status_code == 302
    page = in_spanish(practice, spanish)
    assert not page.workflow_in_progress and page.live and not page.has_unpublished_changes
    assert page.title != practice.title  # the dummy translator reverses the words
    client.logout()
    html = client.get("/es/cities/dublin/committee/").content.decode()
    assert f'<h1 lang="es">{page.title}</h1>' in html
    assert 'class="language-note"' in html
    # The English page is untouched.
    assert (
        '<h1 lang="en">Social enterprise committee</h1>'
        in client.get("/cities/dublin/committee/").content.decode()
    )


def test_an_official_of_another_city_cannot_translate_the_city_pages(
    client, site_tree, practice, users, spanish
):
    turin = users["turin"]
    client.force_login(turin)
    assert denied(client.get(submit_url(practice)))
    assert denied(client.post(submit_url(practice), {"locales": [spanish.pk]}))
    assert not Translation.objects.exists()
    assert in_spanish(practice, spanish).alias_of_id == practice.pk

    # Nor edit, sync or submit a translation Dublin's official started.
    translation = start_translation(client, users["dublin"], practice, spanish)
    page = in_spanish(practice, spanish)
    client.force_login(turin)
    assert denied(client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])))
    assert denied(
        client.post(
            reverse("wagtail_localize:machine_translate", args=[translation.pk]),
            {"next": "/admin/"},
        )
    )
    assert not StringTranslation.objects.exists()
    source = TranslationSource.objects.get(object_id=practice.translation_key)
    assert denied(client.get(reverse("wagtail_localize:update_translations", args=[source.pk])))
    assert denied(
        client.post(reverse("cities_submit_translation_for_review", args=[translation.pk]))
    )
    assert not in_spanish(practice, spanish).workflow_in_progress
    # Turin's own pages, in any language, stay theirs to translate.
    assert client.get(submit_url(site_tree["turin"])).status_code == 200


def test_the_city_editors_may_submit_translations_and_moderators_review_every_language(
    site_tree, practice, spanish
):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission

    group = Group.objects.get(name="Dublin editors")
    assert group.permissions.filter(codename="submit_translation").exists()
    home = site_tree["home"]
    spanish_home = home.get_translation(spanish)
    assert spanish_home.get_workflow() == home.get_workflow() is not None
    moderators = GroupPagePermission.objects.filter(
        group__name="Moderators", permission__codename="publish_page"
    )
    assert moderators.filter(page=spanish_home).exists()
    assert in_spanish(practice, spanish).get_workflow() is not None
