"""A small network for the exchange tests: Turin (city A) publishes
CasaBottega; Dublin (city B) and Bilbao (another city) have officials;
Bilbao has a case study of its own; Turin also has a draft and a private
case study; a moderator, a peer without a city, and an admin user without a
city."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import querydict_from_html

from cities.roles import ensure_city_editors
from exchange.models import Relation, Transfer
from practices.factories import CaseStudyPageFactory, CityPageFactory, publish

FORM_ID = "w-editor-form"


@pytest.fixture
def net(site_tree, users, django_user_model):
    turin, dublin = site_tree["turin"], site_tree["dublin"]
    bilbao = CityPageFactory(parent=site_tree["cities"], title="Bilbao", slug="bilbao", country="ES")
    publish(turin), publish(dublin), publish(bilbao)
    ensure_city_editors(bilbao)

    def user(username, *groups):
        account = django_user_model.objects.create_user(username, email=f"{username}@example.org", password="pw")
        for name in groups:
            account.groups.add(Group.objects.get(name=name))
        return account

    admin_only = Group.objects.create(name="Admin access only")
    admin_only.permissions.add(Permission.objects.get(codename="access_admin"))
    pages = {
        "casabottega": publish(CaseStudyPageFactory(parent=turin, title="CasaBottega")),
        "turin_other": publish(CaseStudyPageFactory(parent=turin, title="Turin housing")),
        "dublin_own": publish(CaseStudyPageFactory(parent=dublin, title="Dublin workshops")),
        "dublin_draft": CaseStudyPageFactory(parent=dublin, title="Dublin draft version", live=False),
        "bilbao_market": publish(CaseStudyPageFactory(parent=bilbao, title="Bilbao market")),
        "turin_draft": CaseStudyPageFactory(parent=turin, title="Turin draft", live=False),
        "turin_private": publish(CaseStudyPageFactory(parent=turin, title="Turin private")),
    }
    PageViewRestriction.objects.create(page=pages["turin_private"], restriction_type=PageViewRestriction.LOGIN)
    return {
        **site_tree,
        "bilbao": bilbao,
        "pages": pages,
        "users": {
            **users,
            "bilbao": user("official-bilbao", "Bilbao editors"),
            "peer": user("peer"),
            "staff": user("staff-without-city", "Admin access only"),
        },
    }


# --- Driving the admin forms as a person does ---


def add_transfer_url(source=None):
    url = reverse("exchange_transfers:add")
    return f"{url}?source={source.pk}" if source is not None else url


def form_values(client, url, **changes):
    """The form at `url` as the browser would submit it, with `changes`
    (None removes a field)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data = querydict_from_html(response.content.decode(), form_id=FORM_ID)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = str(value)
    return data


def record_transfer(client, source, city, **fields):
    """Fill in "Record a transfer" (opened from the case study's link) and save."""
    data = form_values(client, add_transfer_url(source), source=source.pk, adopting_city=city.pk,
                       stage=fields.pop("stage", "exploring"), **fields)
    return client.post(add_transfer_url(), data)


def record_relation(client, from_page, to_page, kind="inspired_by"):
    url = reverse("exchange_relations:add")
    data = form_values(client, url, from_page=from_page.pk, to_page=to_page.pk, kind=kind)
    return client.post(url, data)


def form_errors(response) -> str:
    """The text of the error messages of a form answered again (status 200)."""
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    return " ".join(str(m) for messages in form.errors.values() for m in messages)


def counts():
    return Transfer.objects.count(), Relation.objects.count()
