"""The home page in one screen: what the network is for, the search box,
the practices selected to scale, calls to action that lead somewhere, and
the place the map goes."""

import re

import pytest

from groups.scaling import record_selected
from practices.factories import CaseStudyPageFactory


def _published(city, **kwargs):
    page = CaseStudyPageFactory(parent=city, **kwargs)
    page.save_revision().publish()
    return page


def _cta_links(html):
    block = html[html.index('class="calls-to-action"'):]
    block = block[:block.index("</ul>")]
    return dict((text, href) for href, text in re.findall(r'<a class="button" href="([^"]+)">([^<]+)</a>', block))


def test_home_says_what_the_network_is_for_with_search_and_selected_practices(client, site_tree):
    chosen = _published(site_tree["turin"], title="CasaBottega workshop")
    _published(site_tree["dublin"], title="Not chosen")
    record_selected(chosen)
    html = client.get("/").content.decode()
    hero = html[html.index('class="hero"'):html.index('id="selected-heading"')]
    assert 'role="search"' in hero and 'action="/practices/"' in hero and 'name="q"' in hero
    assert "Find what peer cities did" in hero
    selected = html[html.index('id="selected-heading"'):html.index('id="latest-heading"')]
    assert "CasaBottega workshop" in selected and "Not chosen" not in selected
    assert _cta_links(html).keys() == {"Publish your city's practice", "Ask a peer", "Join a working group"}


def test_a_selected_practice_unpublished_is_not_shown(client, site_tree):
    chosen = _published(site_tree["turin"], title="CasaBottega workshop")
    record_selected(chosen)
    chosen.unpublish()
    assert "Selected to scale" not in client.get("/").content.decode()


@pytest.mark.parametrize("signed_in", [None, "dublin", "peer"])
def test_every_call_to_action_leads_to_a_page(client, site_tree, users, django_user_model, signed_in):
    if signed_in == "peer":
        client.force_login(django_user_model.objects.create_user("peer", "peer@example.org", "pw"))
    elif signed_in:
        client.force_login(users[signed_in])
    for text, href in _cta_links(client.get("/").content.decode()).items():
        response = client.get(href, follow=True)
        assert response.status_code == 200, (text, href)


def test_publish_leads_an_official_to_the_new_case_study_form_of_their_city(client, site_tree, users):
    assert client.get("/publish/")["Location"].startswith("/admin/login/?next=/publish/")
    client.force_login(users["dublin"])
    assert client.get("/publish/")["Location"] == f"/admin/pages/add/practices/casestudypage/{site_tree['dublin'].pk}/"
