"""What goes into a digest: periods in the group's time zone, the practices
chosen, and the number of queries to build a group's digests."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cities.digests.delivery import fan_out
from cities.digests.recipients import recipients_for
from cities.digests.render import build_digests
from cities.digests.schedule import Period, group_zone
from cities.models import Cadence
from cities.tasks import send_digest_chunk
from practices.factories import WorkingGroupFactory

from .conftest import EXCLUDED, INCLUDED, add_members

MADRID = ZoneInfo("Europe/Madrid")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "zone", "cadence", "key", "due"),
    [
        # Monday 23 November 2026, 08:00 in Madrid is 07:00 UTC.
        (utc(2026, 11, 23, 6, 59), MADRID, Cadence.WEEKLY, "weekly:2026-11-16", False),
        (utc(2026, 11, 23, 7, 0), MADRID, Cadence.WEEKLY, "weekly:2026-11-23", True),
        (utc(2026, 11, 24, 6, 59), MADRID, Cadence.WEEKLY, "weekly:2026-11-23", True),
        (utc(2026, 11, 24, 7, 0), MADRID, Cadence.WEEKLY, "weekly:2026-11-23", False),
        # 08:00 in New York is 13:00 UTC: at 12:30 UTC it is still last week there.
        (utc(2026, 11, 23, 12, 30), NEW_YORK, Cadence.WEEKLY, "weekly:2026-11-16", False),
        (utc(2026, 11, 23, 13, 0), NEW_YORK, Cadence.WEEKLY, "weekly:2026-11-23", True),
        # Summer time: Monday 30 March 2026, 08:00 in Madrid is 06:00 UTC.
        (utc(2026, 3, 30, 6, 0), MADRID, Cadence.WEEKLY, "weekly:2026-03-30", True),
        # Monthly: the 1st, 08:00 local.
        (utc(2026, 12, 1, 7, 0), MADRID, Cadence.MONTHLY, "monthly:2026-12-01", True),
        (utc(2026, 12, 1, 6, 0), MADRID, Cadence.MONTHLY, "monthly:2026-11-01", False),
        (utc(2027, 1, 1, 7, 30), MADRID, Cadence.MONTHLY, "monthly:2027-01-01", True),
    ],
)
def test_periods_in_the_groups_time_zone(now, zone, cadence, key, due):
    period = Period.current(cadence, now, zone)
    assert period.key == key
    assert period.is_due(now) is due
    assert period.previous.next == period


@pytest.mark.django_db
def test_only_matching_live_public_practices_grouped_by_challenge(world):
    group = world["group"]
    add_members(group, 3)
    period = Period.current(Cadence.WEEKLY, timezone.now(), group_zone(group))
    built = build_digests(group, recipients_for(group, period, timezone.now()))
    assert len(built) == 3
    digest = built[0]
    assert [p.title for p in digest.items["practices"]] == ["Turin worker buyouts", "Dublin community land trust"]
    html, text = digest.renderer.render(digest)
    for title in INCLUDED:
        assert title in html and title in text
    for title in EXCLUDED:
        assert title not in html and title not in text
    # Grouped by challenge: the group's own challenge first.
    assert text.index("== Local economy recovery ==") < text.index("Turin worker buyouts")
    assert text.index("Turin worker buyouts") < text.index("== Housing ==")
    assert text.index("== Housing ==") < text.index("Dublin community land trust")
    assert digest.subject == f"{group.name}: 2 new practices"


@pytest.mark.django_db
def test_a_members_digest_covers_what_is_new_since_their_last(world):
    group = world["group"]
    (member,) = add_members(group, 1)
    now = timezone.now()
    fan_out(now=now, force=True, enqueue=send_digest_chunk.delay)  # eager, locmem mail
    period = Period.current(Cadence.WEEKLY, now, group_zone(group))
    (later,) = recipients_for(group, period.next, now + timedelta(days=7))
    assert later.window_start == now  # the end of the digest just sent


@pytest.mark.django_db
def test_query_count_is_the_same_for_10_and_1000_members(world):
    now = timezone.now()

    def queries_to_build(members):
        group = WorkingGroupFactory(time_zone="Europe/Dublin")
        group.challenges.set([world["economy"]])
        group.member_cities.set([world["dublin"]])
        group.save()
        add_members(group, members, prefix=f"g{group.pk}-")
        group = type(group).objects.get(pk=group.pk)
        period = Period.current(Cadence.WEEKLY, now, group_zone(group))
        with CaptureQueriesContext(connection) as queries:
            built = build_digests(group, recipients_for(group, period, now))
            messages = [d.message() for d in built]
        assert len(messages) == members
        assert all(d.count == 2 for d in built)
        return len(queries)

    # The first build reads the site root paths, which Wagtail then caches
    # for every later page URL in this process.
    queries_to_build(1)
    assert queries_to_build(10) == queries_to_build(1000)


@pytest.mark.django_db
def test_demo_officials_are_subscribed_to_their_citys_groups(world):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from cities.memberships import subscribe_demo_officials
    from cities.models import Membership

    User = get_user_model()
    dublin = User.objects.create_user("aoife", "aoife@example.org", "x")
    dublin.groups.add(Group.objects.get(name="Dublin editors"))
    turin = User.objects.create_user("marco", "marco@example.org", "x")
    turin.groups.add(Group.objects.get(name="Turin editors"))
    assert subscribe_demo_officials() == 1
    assert subscribe_demo_officials() == 0
    (membership,) = Membership.objects.all()
    assert membership.user == dublin and membership.group == world["group"]
    assert world["moderators"].permissions.filter(codename="change_membership").exists()


@pytest.mark.django_db
def test_fast_mime_path_equals_the_django_message(world):
    """Over SMTP a digest is sent from a MIME template serialized once per
    group; it must be the message Django would build, member by member."""
    import email
    from email import policy

    from django.contrib.auth import get_user_model

    from cities.models import Membership

    group = world["group"]
    user = get_user_model().objects.create_user("s", "siobhan@example.org", "x", first_name="Siobhán <Ó>")
    Membership.objects.create(user=user, group=group)
    Membership.objects.create(email="plain@example.org", group=group)
    now = timezone.now()
    period = Period.current(Cadence.WEEKLY, now, group_zone(group))
    for digest in build_digests(group, recipients_for(group, period, now)):
        fast = email.message_from_bytes(digest.as_bytes(), policy=policy.default)
        slow = email.message_from_bytes(
            digest.message().message().as_bytes(linesep="\r\n"), policy=policy.default
        )
        for header in ("To", "Subject", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"):
            assert fast[header].strip() == slow[header].strip()
        for kind in ("plain", "html"):
            assert fast.get_body((kind,)).get_content() == slow.get_body((kind,)).get_content()
        assert fast["To"] == digest.recipient.address
        if digest.recipient.address == "siobhan@example.org":
            assert "Hello Siobhán &lt;Ó&gt;," in fast.get_body(("html",)).get_content()
            assert "Hello Siobhán <Ó>," in fast.get_body(("plain",)).get_content()


@pytest.mark.django_db
def test_a_new_section_is_one_function_and_its_template_lines(world, settings, tmp_path, monkeypatch):
    import dataclasses

    from cities.digests import content

    monkeypatch.setattr(content, "SECTIONS", list(content.SECTIONS))
    templates = tmp_path / "cities" / "email" / "sections"
    templates.mkdir(parents=True)
    (templates / "notices.html").write_text('{% for n in items %}<p class="notice">{{ n.text }}</p>{% endfor %}')
    (templates / "notices.txt").write_text("{% for n in items %}\nNOTICE: {{ n.text }}{% endfor %}")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    @dataclasses.dataclass
    class Notice:
        key: int
        text: str
        published: datetime

    @content.section("notices")
    def notices(group, start, end):
        return [n for n in [Notice(1, "Meeting on Friday", world["published"])] if start <= n.published < end]

    group = world["group"]
    add_members(group, 1)
    now = timezone.now()
    period = Period.current(Cadence.WEEKLY, now, group_zone(group))
    (digest,) = build_digests(group, recipients_for(group, period, now))
    html, text = digest.renderer.render(digest)
    assert "NOTICE: Meeting on Friday" in text and ">Meeting on Friday</p>" in html
    assert text.index("Dublin community land trust") < text.index("NOTICE: Meeting on Friday")
    assert digest.count == 3
