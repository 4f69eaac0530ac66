"""The digest's section "New transfers among your cities" (registered by
the groups app into cities.digests.content): which transfers it holds, its
words in the subject, its lines in both parts of the email as an SMTP
server receives it, and a query count that does not grow with them."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cities.digests import content
from cities.digests.recipients import recipients_for
from cities.digests.render import build_digests
from cities.digests.schedule import Period, group_zone
from cities.models import Cadence, Membership
from exchange.models import Transfer
from exchange.transfers import record_accepted
from practices.factories import CaseStudyPageFactory, CityPageFactory

from .conftest import publish

pytestmark = pytest.mark.django_db

AMONG = "Bilbao is adapting Dublin social enterprise committee from Dublin (stage: piloting)"


def digest_of(group):
    Membership.objects.get_or_create(email="ana@example.org", group=group)
    now = timezone.now()
    period = Period.current(Cadence.WEEKLY, now, group_zone(group))
    recipients = [r for r in recipients_for(group, period, now) if r.address == "ana@example.org"]
    (digest,) = build_digests(group, recipients)
    return digest


def test_the_section_comes_after_the_practices():
    names = [s.name for s in content.SECTIONS]
    assert names[0] == "practices" and "transfers" in names[1:]


def test_only_new_accepted_transfers_between_public_members(world):
    # Accepted long ago: in no current digest.
    old = record_accepted(world["pages"]["market"], world["dublin"])[0]
    Transfer.objects.filter(pk=old.pk).update(decided_at=timezone.now() - timedelta(days=90))
    digest = digest_of(world["group"])
    items = digest.items["transfers"]
    assert [(i.adopting_city, i.practice, i.stage) for i in items] == [
        ("Bilbao", "Dublin social enterprise committee", "piloting")
    ]  # not Turin's (no member), not the pending one, not the old one
    html, text = digest.renderer.render(digest)
    assert "== New transfers among your cities ==" in text and AMONG in text
    assert "Bilbao is adapting" in html and "Turin is adapting" not in html + text
    assert digest.subject.endswith("new practices and 1 new transfer among your cities")


def test_a_private_case_study_or_city_takes_its_transfers_out(world):
    PageViewRestriction.objects.create(page=world["pages"]["committee"], restriction_type="login")
    assert digest_of(world["group"]).items["transfers"] == []
    PageViewRestriction.objects.all().delete()
    PageViewRestriction.objects.create(page=world["bilbao"], restriction_type="login")
    assert digest_of(world["group"]).items["transfers"] == []


def test_the_query_count_does_not_grow_with_the_transfers(world):
    group = world["group"]
    digest_of(group)  # warm: Wagtail's site root paths

    def queries():
        with CaptureQueriesContext(connection) as captured:
            digest = digest_of(group)
        return len(captured), len(digest.items["transfers"])

    few = queries()
    for i in range(5):
        city = CityPageFactory(parent=world["cities"], title=f"Member {i}", slug=f"member-{i}", country="ES")
        group.member_cities.add(city)
        group.save()
        record_accepted(publish(CaseStudyPageFactory(parent=world["dublin"], title=f"Dublin practice {i}")), city)
    many = queries()
    assert many[1] == few[1] + 5
    assert many[0] == few[0]


def test_the_email_received_has_the_transfers_section(world, smtp_settings):
    sink = smtp_settings
    Membership.objects.create(email="ana@example.org", group=world["group"])
    call_command("send_digests", "--now", "--group", "local-economies", stdout=open("/dev/null", "w"))  # noqa: SIM115
    (received,) = sink.to("ana@example.org")
    message = received.message
    assert message["Subject"] == "Local economies: 4 new practices and 1 new transfer among your cities"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert AMONG in text
    assert "Hello ana, 4 new practices and 1 new transfer among your cities since your last digest" in text
    url = f"http://testserver{world['pages']['committee'].url}"
    assert url in text and f'href="{url}"' in html
    assert "<h2>New transfers among your cities</h2>" in html or "New transfers among your cities</h2>" in html
