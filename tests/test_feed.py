import xml.etree.ElementTree as ET

import pytest
from wagtail.models import PageViewRestriction

from practices.factories import CaseStudyPageFactory, ChallengeFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_feed_lists_published_public_practices_only(client, site_tree):
    challenge = ChallengeFactory(name="Social procurement")
    published = CaseStudyPageFactory(parent=site_tree["dublin"], title="Published one", challenges=[challenge])
    published.save_revision().publish()
    CaseStudyPageFactory(parent=site_tree["dublin"], title="A draft", live=False).save_revision()
    private = CaseStudyPageFactory(parent=site_tree["turin"], title="Members only")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    response = client.get(site_tree["practices"].url + "feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Published one"]
    entry = entries[0]
    assert entry.find(f"{ATOM}link").get("href").endswith(published.url)
    assert entry.find(f"{ATOM}summary").text == published.summary
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["Social procurement"]
    assert entry.find(f"{ATOM}author/{ATOM}name").text == "Dublin"


def test_pages_advertise_the_feed(client, site_tree):
    body = client.get(site_tree["home"].url).content.decode()
    assert f'type="application/atom+xml" title="New practices" href="{site_tree["practices"].url}feed/"' in body
