from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cities.digests.schedule import Period, group_zone
from cities.models import Cadence, Membership
from practices.factories import CaseStudyPageFactory, ChallengeFactory, WorkingGroupFactory
from practices.models import CaseStudyPage

GROUP_NAME = "Bilbao + Dublin: local economy recovery"


def stamp(page, when):
    CaseStudyPage.objects.filter(pk=page.pk).update(first_published_at=when, last_published_at=when)


def add_members(group, count, prefix="member", cadence=Cadence.WEEKLY):
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org", first_name=f"M{i}")
         for i in range(count)]
    )
    return Membership.objects.bulk_create(
        [Membership(user=user, group=group, cadence=cadence) for user in users]
    )


@pytest.fixture
def world(site_tree):
    """A working group (challenge "Local economy recovery", member city Dublin)
    and case studies that must, or must never, be in its digest."""
    dublin, turin = site_tree["dublin"], site_tree["turin"]
    economy = ChallengeFactory(name="Local economy recovery", slug="local-economy-recovery", sort_order=1)
    housing = ChallengeFactory(name="Housing", slug="housing", sort_order=2)
    group = WorkingGroupFactory(name=GROUP_NAME, slug="bilbao-dublin", time_zone="Europe/Madrid")
    group.challenges.set([economy])
    group.member_cities.set([dublin])
    group.save()

    now = timezone.now()
    published = Period.current(Cadence.WEEKLY, now, group_zone(group)).start - timedelta(days=1)
    pages = {
        # In: matches the group's challenge, from any city.
        "by_challenge": CaseStudyPageFactory(parent=turin, title="Turin worker buyouts", challenges=[economy]),
        # In: from a member city, on another challenge.
        "by_city": CaseStudyPageFactory(parent=dublin, title="Dublin community land trust", challenges=[housing]),
        # Out: neither the group's challenge nor one of its cities.
        "unrelated": CaseStudyPageFactory(parent=turin, title="Turin housing co-ops", challenges=[housing]),
        # Out: published long before.
        "old": CaseStudyPageFactory(parent=dublin, title="Dublin old practice", challenges=[economy]),
        # Out: drafts, private pages, pages in review that were never published.
        "draft": CaseStudyPageFactory(parent=dublin, title="Dublin draft practice", live=False, challenges=[economy]),
        "private": CaseStudyPageFactory(parent=dublin, title="Dublin private practice", challenges=[economy]),
        "in_review": CaseStudyPageFactory(parent=dublin, title="Dublin practice in review", live=False, challenges=[economy]),
    }
    for key, page in pages.items():
        stamp(page, published - timedelta(days=60) if key == "old" else published)
    PageViewRestriction.objects.create(page=pages["private"], restriction_type="password", password="secret")
    # A never-published page submitted for review.
    reviewer = get_user_model().objects.create_user("author", "author@example.org", "x")
    pages["in_review"].save_revision(user=reviewer)
    site_tree["workflow"].start(pages["in_review"], reviewer)
    # A live page with a newer unpublished draft: the digest shows the live title.
    live = pages["by_city"]
    live.title = "SECRET DRAFT TITLE"
    live.save_revision(user=reviewer)
    return {**site_tree, "group": group, "economy": economy, "housing": housing,
            "pages": pages, "published": published}


INCLUDED = ["Turin worker buyouts", "Dublin community land trust"]
EXCLUDED = [
    "Turin housing co-ops", "Dublin old practice", "Dublin draft practice",
    "Dublin private practice", "Dublin practice in review", "SECRET DRAFT TITLE",
]
