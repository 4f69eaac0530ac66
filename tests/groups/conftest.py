"""A small working group for the groups tests: "Local economies" with
Dublin and Bilbao as member cities and the challenge "Local economy
recovery". Turin, outside the group, publishes CasaBottega on that
challenge; Dublin and Bilbao publish their own; a draft, a private page and
a case study on another challenge must never show. Transfers: Bilbao
adapting Dublin's (accepted: among members), Turin adapting Dublin's
(accepted, Turin is no member), Dublin adapting Bilbao's (pending).

Accounts: a follower (a Membership of the group), Dublin's official (a
member through the city), Turin's official (no member), a peer without a
city or membership, a suspended follower, and a moderator."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from accounts.profiles import profile_of
from accounts.suspension import suspend
from cities.models import Membership
from cities.roles import ensure_city_editors
from exchange.models import Transfer
from exchange.transfers import record_accepted
from practices.factories import (
    CaseStudyPageFactory,
    ChallengeFactory,
    CityPageFactory,
    WorkingGroupFactory,
    publish,
)


@pytest.fixture
def world(site_tree, users, django_user_model):
    dublin, turin = site_tree["dublin"], site_tree["turin"]
    bilbao = CityPageFactory(parent=site_tree["cities"], title="Bilbao", slug="bilbao", country="ES")
    ensure_city_editors(bilbao)
    economy = ChallengeFactory(name="Local economy recovery", slug="local-economy-recovery", sort_order=1)
    housing = ChallengeFactory(name="Housing", slug="housing", sort_order=2)
    group = WorkingGroupFactory(name="Local economies", slug="local-economies",
                                description="Bilbao and Dublin on local economies.")
    group.challenges.set([economy])
    group.member_cities.set([dublin, bilbao])
    group.save()
    other_group = WorkingGroupFactory(name="Housing together", slug="housing-together")
    other_group.challenges.set([housing])
    other_group.member_cities.set([turin])
    other_group.save()

    pages = {
        "casabottega": publish(CaseStudyPageFactory(parent=turin, title="CasaBottega", challenges=[economy])),
        "committee": publish(CaseStudyPageFactory(parent=dublin, title="Dublin social enterprise committee",
                                                  challenges=[economy])),
        "market": publish(CaseStudyPageFactory(parent=bilbao, title="Bilbao solidarity market", challenges=[economy])),
        "housing": publish(CaseStudyPageFactory(parent=dublin, title="Dublin housing co-ops", challenges=[housing])),
        "draft": CaseStudyPageFactory(parent=dublin, title="Dublin draft practice", live=False, challenges=[economy]),
        "private": publish(CaseStudyPageFactory(parent=turin, title="Turin private practice", challenges=[economy])),
    }
    PageViewRestriction.objects.create(page=pages["private"], restriction_type=PageViewRestriction.LOGIN)

    transfers = {
        "among": record_accepted(pages["committee"], bilbao, stage="piloting")[0],
        "outside": record_accepted(pages["committee"], turin, stage="planning")[0],
        "pending": Transfer.objects.create(source=pages["market"], adopting_city=dublin),
    }

    def account(username, *groups):
        user = django_user_model.objects.create_user(username, email=f"{username}@example.org", password="pw")
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    follower = account("follower")
    Membership.objects.create(user=follower, group=group)
    suspended = account("suspended-follower")
    Membership.objects.create(user=suspended, group=group)
    suspend(profile_of(suspended), users["moderator"], "Spam.")
    suspended = django_user_model.objects.get(pk=suspended.pk)  # not the profile read before
    return {
        **site_tree, "bilbao": bilbao, "group": group, "other_group": other_group,
        "challenges": {"economy": economy, "housing": housing}, "pages": pages, "transfers": transfers,
        "accounts": {
            "follower": follower, "dublin": users["dublin"], "turin": users["turin"],
            "peer": account("peer"), "suspended": suspended, "moderator": users["moderator"],
            "bilbao": account("official-bilbao", "Bilbao editors"),
        },
    }


GROUP_URL = "/groups/local-economies/"


def propose_url(slug="local-economies"):
    return f"/groups/{slug}/shortlist/propose/"


def vote_url(entry, slug="local-economies"):
    return f"/groups/{slug}/shortlist/{entry.pk}/vote/"


def select_url(entry, slug="local-economies"):
    return f"/groups/{slug}/shortlist/{entry.pk}/select/"


def messages_of(response) -> str:
    """The messages shown on the page a form redirected to (followed)."""
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""
