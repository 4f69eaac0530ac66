"""The permission matrix, through real admin HTTP requests: an official edits
only their own city's pages; publishing needs a moderator."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from practices.factories import CaseStudyPageFactory
from practices.models import CaseStudyPage

from .admin_helpers import add_url, create_case_study, denied, edit_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def turin_page(site_tree):
    page = CaseStudyPageFactory(parent=site_tree["turin"], title="CasaBottega")
    page.save_revision().publish()
    return page


@pytest.fixture
def dublin_page(site_tree, users):
    page = CaseStudyPageFactory(parent=site_tree["dublin"], title="Enterprise Committee", live=False)
    page.owner = users["dublin"]
    page.save()
    page.save_revision(user=users["dublin"])
    return page


def test_official_creates_a_draft_under_own_city(client, site_tree, users):
    client.force_login(users["dublin"])
    response = create_case_study(client, site_tree["dublin"], "Social Enterprise Awards")
    assert response.status_code == 302
    page = CaseStudyPage.objects.canonical().get(title="Social Enterprise Awards")
    assert page.get_parent().pk == site_tree["dublin"].pk
    assert page.city_id == site_tree["dublin"].pk
    assert not page.live


def test_official_cannot_create_under_another_city(client, site_tree, users):
    client.force_login(users["dublin"])
    assert denied(client.get(add_url(site_tree["turin"])))
    response = client.post(
        add_url(site_tree["turin"]), {"title": "Intruder", "slug": "intruder", "summary": "x"}
    )
    assert denied(response)
    assert not CaseStudyPage.objects.filter(title="Intruder").exists()


def test_official_can_edit_own_city_page(client, dublin_page, users):
    client.force_login(users["dublin"])
    form = client.get(edit_url(dublin_page))
    assert form.status_code == 200
    response = client.post(edit_url(dublin_page), form_data(form, summary="A sharper summary."))
    assert response.status_code == 302
    dublin_page.refresh_from_db()
    assert dublin_page.get_latest_revision_as_object().summary == "A sharper summary."


def test_official_cannot_edit_another_city_page(client, turin_page, users):
    client.force_login(users["dublin"])
    assert denied(client.get(edit_url(turin_page)))
    response = client.post(edit_url(turin_page), {"title": "Hijacked", "summary": "x"})
    assert denied(response)
    turin_page.refresh_from_db()
    assert turin_page.title == "CasaBottega"
    assert turin_page.get_latest_revision_as_object().title == "CasaBottega"


def test_official_cannot_delete_another_city_page(client, turin_page, users):
    client.force_login(users["dublin"])
    url = reverse("wagtailadmin_pages:delete", args=(turin_page.pk,))
    assert denied(client.get(url))
    assert denied(client.post(url))
    assert Page.objects.filter(pk=turin_page.pk).exists()


def test_official_can_delete_own_draft(client, dublin_page, users):
    client.force_login(users["dublin"])
    response = client.post(reverse("wagtailadmin_pages:delete", args=(dublin_page.pk,)))
    assert response.status_code == 302
    assert not Page.objects.filter(pk=dublin_page.pk).exists()


def test_official_cannot_delete_own_published_page(client, dublin_page, users):
    dublin_page.save_revision().publish()
    client.force_login(users["dublin"])
    client.post(reverse("wagtailadmin_pages:delete", args=(dublin_page.pk,)))
    assert Page.objects.filter(pk=dublin_page.pk, live=True).exists()


def test_official_cannot_publish_another_city_page(client, site_tree, users):
    draft = CaseStudyPageFactory(parent=site_tree["turin"], title="Turin draft", live=False)
    draft.save_revision()
    client.force_login(users["dublin"])
    response = client.post(edit_url(draft), {"title": "Turin draft", "action-publish": "1"})
    assert denied(response)
    unpublish = reverse("wagtailadmin_pages:unpublish", args=(draft.pk,))
    assert denied(client.post(unpublish))
    draft.refresh_from_db()
    assert not draft.live


def test_official_cannot_publish_own_page_directly(client, dublin_page, users):
    client.force_login(users["dublin"])
    form = client.get(edit_url(dublin_page))
    data = form_data(form)
    data["action-publish"] = "1"
    client.post(edit_url(dublin_page), data)
    dublin_page.refresh_from_db()
    assert not dublin_page.live


def test_official_cannot_edit_another_city(client, site_tree, users):
    client.force_login(users["dublin"])
    assert denied(client.get(reverse("wagtailadmin_pages:edit", args=(site_tree["turin"].pk,))))


def test_official_does_not_see_other_cities_in_explorer_actions(client, site_tree, users):
    client.force_login(users["turin"])
    assert client.get(add_url(site_tree["turin"])).status_code == 200
    assert denied(client.get(add_url(site_tree["dublin"])))


def test_moderator_can_edit_and_publish_any_city(client, turin_page, users):
    client.force_login(users["moderator"])
    form = client.get(edit_url(turin_page))
    assert form.status_code == 200
    data = form_data(form, summary="Edited by the network.")
    data["action-publish"] = "1"
    assert client.post(edit_url(turin_page), data).status_code == 302
    turin_page.refresh_from_db()
    assert turin_page.summary == "Edited by the network."


def test_new_city_gets_its_editors_group(site_tree):
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission

    from practices.factories import CityPageFactory

    warsaw = CityPageFactory(parent=site_tree["cities"], title="Warsaw", slug="warsaw", country="PL")
    group = Group.objects.get(name="Warsaw editors")
    granted = set(
        GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission__codename")
    )
    assert granted == {(warsaw.pk, "add_page"), (warsaw.pk, "change_page")}


def test_cities_with_the_same_name_get_separate_groups(client, site_tree, django_user_model):
    from cities.roles import cities_of, city_editors_group
    from practices.factories import CityPageFactory

    spain = CityPageFactory(parent=site_tree["cities"], title="Valencia", slug="valencia", country="ES")
    venezuela = CityPageFactory(
        parent=site_tree["cities"], title="Valencia", slug="valencia-ve", country="VE"
    )
    assert city_editors_group(spain).name == "Valencia editors"
    assert city_editors_group(venezuela).name == "Valencia (VE) editors"

    official = django_user_model.objects.create_user("official-valencia-es", password="pw")
    official.groups.add(city_editors_group(spain))
    assert list(cities_of(official)) == [spain]
    client.force_login(official)
    assert client.get(add_url(spain)).status_code == 200
    assert denied(client.get(add_url(venezuela)))


def test_renamed_city_keeps_its_editors(site_tree, users):
    from cities.roles import cities_of, city_editors_group, ensure_city_editors

    dublin = site_tree["dublin"]
    group = city_editors_group(dublin)
    dublin.title = "Baile Átha Cliath"
    dublin.save()
    assert ensure_city_editors(dublin) == group
    assert list(cities_of(users["dublin"])) == [dublin]
