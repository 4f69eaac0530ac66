"""Every public page but Home has one breadcrumb trail from Home (one
include: templates/home/includes/breadcrumb.html), labelled, the page
shown last and marked aria-current="page", with a schema.org BreadcrumbList."""

import json
import re

import pytest

from practices.factories import CaseStudyPageFactory, ChallengeFactory, WorkingGroupFactory

NAV = re.compile(r'<nav class="breadcrumb" aria-label="Breadcrumb">(.*?)</nav>', re.S)
ITEM = re.compile(r"<li>(.*?)</li>", re.S)


@pytest.fixture
def pages(site_tree):
    challenge = ChallengeFactory(name="Housing", slug="housing")
    practice = CaseStudyPageFactory(parent=site_tree["dublin"], title="Community land trust")
    practice.challenges.add(challenge)
    practice.save_revision().publish()
    other = CaseStudyPageFactory(parent=site_tree["turin"], title="Shared kitchens")
    other.save_revision().publish()
    group = WorkingGroupFactory(name="Housing group", slug="housing-group")
    return {"practice": practice, "other": other, "group": group}


# (URL, the trail as the visitor reads it, the user signed in or False)
TRAILS = {
    "case study": (lambda p: p["practice"].url, ["Home", "Cities", "Dublin", "Community land trust"], False),
    "city": (lambda p: "/cities/dublin/", ["Home", "Cities", "Dublin"], False),
    "cities index": (lambda p: "/cities/", ["Home", "Cities"], False),
    "practices index": (lambda p: "/practices/", ["Home", "Practices"], False),
    "search": (lambda p: "/practices/?q=land", ["Home", "Practices"], False),
    "challenge": (lambda p: "/practices/challenges/housing/", ["Home", "Practices", "Housing"], False),
    "compare": (lambda p: f"/practices/compare/?p={p['practice'].pk}&p={p['other'].pk}", ["Home", "Practices", "Compare"], False),
    "network": (lambda p: "/network/", ["Home", "Network"], False),
    "peers": (lambda p: "/peers/", ["Home", "Find your peers"], False),
    "groups index": (lambda p: "/groups/", ["Home", "Working groups"], False),
    "group": (lambda p: "/groups/housing-group/", ["Home", "Working groups", "Housing group"], False),
    "ask": (lambda p: f"/questions/ask/{p['practice'].pk}/", ["Home", "Cities", "Dublin", "Community land trust", "Ask a question"], "turin"),
    "profile": (lambda p: "/accounts/profile/", ["Home", "Your profile"], "dublin"),
    "digest preferences": (lambda p: "/digests/preferences/", ["Home", "Digest preferences"], "dublin"),
    "sign in": (lambda p: "/accounts/login/", ["Home", "Sign in"], False),
    "sign up": (lambda p: "/accounts/signup/", ["Home", "Sign up"], False),
}


@pytest.mark.parametrize("page_type", list(TRAILS))
def test_every_public_page_has_a_breadcrumb_from_home(client, pages, users, page_type):
    url, expected, signed_in = TRAILS[page_type]
    if signed_in:
        client.force_login(users[signed_in])
    response = client.get(url(pages))
    assert response.status_code == 200
    html = response.content.decode()
    navs = NAV.findall(html)
    assert len(navs) == 1, "one breadcrumb per page"
    items = ITEM.findall(navs[0])
    assert [re.sub(r"<[^>]+>", "", item).strip() for item in items] == expected
    assert 'aria-current="page"' in items[-1] and "<a " not in items[-1]
    assert all('<a href="' in item for item in items[:-1])
    assert '<a href="/">Home</a>' in items[0]
    data = [json.loads(block) for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]
    trail = next(d for d in data if d.get("@type") == "BreadcrumbList")
    assert [item["name"] for item in trail["itemListElement"]] == expected


def test_home_has_no_breadcrumb(client, site_tree):
    assert 'class="breadcrumb"' not in client.get("/").content.decode()
