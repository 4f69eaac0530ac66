"""The Wagtail admin is the network's: its name and logo, nothing loaded
from another host, and an official's dashboard that opens on their city."""

import re

import pytest
from django.urls import reverse

from practices.factories import CaseStudyPageFactory

pytestmark = pytest.mark.django_db

# What a browser would fetch on its own: images, scripts, frames, stylesheets and icons.
OUTSIDE = re.compile(
    r"""(?:\bsrc|\bsrcset|\bdata|<link\b[^>]*\bhref)=["'](?:https?:)?//(?!testserver)""", re.IGNORECASE
)


def test_the_sign_in_page_is_branded_and_loads_nothing_from_outside(client):
    html = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "Sign in to Solidarity Cities Exchange" in html
    assert "Sign in to Wagtail" not in html
    assert "img/logo.svg" in html
    assert not OUTSIDE.search(html), OUTSIDE.search(html)


def test_an_officials_dashboard_offers_their_city_and_lists_their_drafts(client, site_tree, users):
    dublin, turin = site_tree["dublin"], site_tree["turin"]
    CaseStudyPageFactory(parent=dublin, title="Dublin draft on procurement", live=False)
    CaseStudyPageFactory(parent=turin, title="Turin draft on housing", live=False)
    published = CaseStudyPageFactory(parent=dublin, title="Dublin published practice")
    published.save_revision().publish()

    client.force_login(users["dublin"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "<title>Dashboard - Solidarity Cities Exchange</title>" in html
    add = reverse("wagtailadmin_pages:add", args=("practices", "casestudypage", dublin.pk))
    assert f'href="{add}"' in html and "Add a case study for Dublin" in html
    assert "Dublin draft on procurement" in html
    assert "Dublin published practice" not in html  # published as last edited
    assert "Turin" not in html  # another city's work is not theirs
    assert "What's new in Wagtail" not in html
    assert not OUTSIDE.search(html), OUTSIDE.search(html)

    # The button opens the editor of a new case study under Dublin.
    assert client.get(add).status_code == 200


def test_a_moderator_without_a_city_gets_no_city_panel(client, site_tree, users):
    client.force_login(users["moderator"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Add a case study for" not in html
