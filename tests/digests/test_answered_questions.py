"""The digests' "answered questions" section (exchange.digest_sections): the
questions newly answered in a member's window on the practices the group's
digest covers (the same practices as its new-practices section), as the
public sees them; in a number of queries that does not grow with them."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile
from cities.digests.content import collect
from cities.digests.recipients import recipients_for
from cities.digests.render import build_digests
from cities.digests.schedule import Period, group_zone
from cities.models import Cadence
from exchange.models import Question

from .conftest import add_members


@pytest.fixture
def asked(world):
    """Questions on the world's case studies: the ones the digest shows
    ("shown: ..."), and the ones it must never show."""
    asker = get_user_model().objects.create_user("asker", "asker@example.org", "pw")
    Profile.objects.create(user=asker, display_name="Nadia Peer", organisation="Co-op Agency", city=world["dublin"])
    pages, when = world["pages"], world["published"]

    def question(page, text, answered_at=when, **values):
        return Question.objects.create(case_study=page, asker=asker, text=text, answer=f"Answer to {text}",
                                       asked_at=when - timedelta(days=70), answered_at=answered_at, **values)

    return [
        question(pages["by_challenge"], "shown: on the group's challenge"),
        question(pages["by_city"], "shown: on a member city's practice"),
        question(pages["unrelated"], "never: on a practice the group does not follow"),
        question(pages["private"], "never: on a private practice"),
        question(pages["draft"], "never: on a draft"),
        question(pages["by_city"], "never: the asker kept it private", public=False),
        question(pages["by_city"], "never: its answer hidden", answer_hidden=True),
        question(pages["by_city"], "never: hidden", question_hidden=True),
        question(pages["by_city"], "never: answered long ago", answered_at=when - timedelta(days=60)),
        question(pages["by_city"], "never: not answered", answered_at=None),
    ]


@pytest.mark.django_db
def test_newly_answered_public_questions_on_the_groups_practices(world, asked):
    group = world["group"]
    add_members(group, 2)
    period = Period.current(Cadence.WEEKLY, timezone.now(), group_zone(group))
    built = build_digests(group, recipients_for(group, period, timezone.now()))
    digest = built[0]
    assert [item.question for item in digest.items["answered_questions"]] == [
        "shown: on the group's challenge", "shown: on a member city's practice"]
    html, text = digest.renderer.render(digest)
    assert "== Questions answered ==" in text and "Questions answered</h2>" in html
    for body in (html, text):
        assert "shown: on the group's challenge" in body and "Answer to shown: on a member city's practice" in body
        assert "Nadia Peer (Co-op Agency, Dublin)" in body
        assert "never:" not in body and "asker@example.org" not in body


@pytest.mark.django_db
def test_the_section_reads_a_constant_number_of_queries(world, asked):
    group = world["group"]
    start, end = world["published"] - timedelta(days=1), world["published"] + timedelta(days=1)
    collect(group, start, end)  # a warm process (site root paths)
    with CaptureQueriesContext(connection) as few:
        assert len(collect(group, start, end)["answered_questions"]) == 2
    page = world["pages"]["by_city"]
    asker = get_user_model().objects.get(username="asker")
    Question.objects.bulk_create([
        Question(case_study=page, asker=asker, text=f"shown: more {i}", answer="Yes.",
                 asked_at=world["published"], answered_at=world["published"]) for i in range(20)])
    with CaptureQueriesContext(connection) as many:
        assert len(collect(group, start, end)["answered_questions"]) == 22
    assert len(many) == len(few)
