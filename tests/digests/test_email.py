"""The message as received by a real SMTP server, and the links in it."""

import re
import time
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from cities.memberships import unsubscribe_token
from cities.models import Cadence, DeliveryStatus, DigestDelivery, Membership

from .conftest import EXCLUDED, INCLUDED, add_members

pytestmark = pytest.mark.django_db


def send_now(*args):
    call_command("send_digests", "--now", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_received_mime_headers_links_and_one_click_unsubscribe(world, smtp_settings, client):
    sink = smtp_settings
    member = Membership.objects.create(email="ana@example.org", group=world["group"])
    send_now()
    (received,) = sink.to("ana@example.org")
    message = received.message

    assert message["Subject"] == "Bilbao + Dublin: local economy recovery: 2 new practices"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"]
    assert "bilbao-dublin" in message["List-Id"]
    unsubscribe = message["List-Unsubscribe"].strip()
    assert unsubscribe.startswith("<http://testserver/digests/unsubscribe/") and unsubscribe.endswith(">")
    unsubscribe = unsubscribe[1:-1]

    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for title in INCLUDED:
        assert title in text and title in html
    for title in EXCLUDED:
        assert title not in text and title not in html
    # CSS inlined, every link absolute, the unsubscribe link in both parts.
    assert "<style" not in html and 'style="' in html
    links = re.findall(r'href="([^"]+)"', html)
    assert links and all(link.startswith("http://testserver/") for link in links)
    assert unsubscribe in links and unsubscribe in text
    assert "http://testserver/cities/turin/turin-worker-buyouts/" in text

    # Following the link: a confirmation page (a GET must not unsubscribe)...
    path = urlsplit(unsubscribe).path
    response = client.get(path)
    assert response.status_code == 200 and b"Unsubscribe" in response.content
    member.refresh_from_db()
    assert member.is_active
    # ...and the one-click POST of RFC 8058, with no session and no CSRF token.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    member.refresh_from_db()
    assert not member.is_active and member.unsubscribed_at

    # Running the command again in the same period sends nothing more.
    Membership.objects.create(email="bo@example.org", group=world["group"])
    member.set_cadence(Cadence.WEEKLY)
    member.save()
    send_now()
    assert len(sink.to("ana@example.org")) == 1
    assert len(sink.to("bo@example.org")) == 1


def test_tampered_and_expired_links_are_refused_with_a_page(world, client):
    member = Membership.objects.create(email="ana@example.org", group=world["group"])
    token = unsubscribe_token(member)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "nonsense", token.replace(":", "x", 1)):
        response = client.post(f"/digests/unsubscribe/{bad}/")
        assert response.status_code == 400
        assert b"This link is not valid" in response.content
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 61 * 86400):
        old = unsubscribe_token(member)
    response = client.get(f"/digests/unsubscribe/{old}/")
    assert response.status_code == 400
    assert b"This link has expired" in response.content
    response = client.post(f"/digests/unsubscribe/{old}/")
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.is_active


def test_preferences_through_the_link_in_the_digest(world, client):
    member = Membership.objects.create(email="ana@example.org", group=world["group"])
    send_now()
    (message,) = mail.outbox
    link = re.search(r"http://testserver(/digests/preferences/[^\s]+/)", message.body).group(1)
    response = client.get(link)
    assert response.status_code == 200 and world["group"].name.encode() in response.content
    response = client.post(link, {f"cadence_{member.pk}": "monthly"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.cadence == Cadence.MONTHLY
    response = client.post(link, {f"cadence_{member.pk}": "off"})
    member.refresh_from_db()
    assert not member.is_active
    assert client.get(link[:-5] + "xxxx/").status_code == 400


def test_signed_in_official_joins_their_citys_group_and_changes_cadence(world, client):
    official = get_user_model().objects.create_user("siobhan", "siobhan@example.org", "x")
    official.groups.add(Group.objects.get(name="Dublin editors"))
    client.force_login(official)
    response = client.get("/digests/preferences/")
    assert response.status_code == 200 and world["group"].name.encode() in response.content
    client.post("/digests/preferences/", {"join": [world["group"].pk]})
    membership = Membership.objects.get(user=official)
    assert membership.cadence == Cadence.WEEKLY
    client.post("/digests/preferences/", {f"cadence_{membership.pk}": "monthly"})
    membership.refresh_from_db()
    assert membership.cadence == Cadence.MONTHLY
    # An official of another city cannot join it.
    other = get_user_model().objects.create_user("marco", "marco@example.org", "x")
    other.groups.add(Group.objects.get(name="Turin editors"))
    client.force_login(other)
    client.post("/digests/preferences/", {"join": [world["group"].pk]})
    assert not Membership.objects.filter(user=other).exists()


def test_send_digests_dry_run_then_now_twice(world, capsys):
    add_members(world["group"], 5)
    call_command("send_digests", "--dry-run", "--now")
    out = capsys.readouterr().out
    assert "member0@example.org: Bilbao + Dublin: local economy recovery: 2 new practices" in out
    assert not DigestDelivery.objects.exists() and not mail.outbox
    call_command("send_digests", "--now", "--group", "bilbao-dublin")
    assert len(mail.outbox) == 5
    call_command("send_digests", "--now")
    assert len(mail.outbox) == 5
    assert DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 5


def test_nothing_new_means_no_email(world):
    for page in world["pages"].values():
        page.unpublish()
    add_members(world["group"], 2)
    send_now()
    assert not mail.outbox
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SKIPPED}


def test_beat_firing_twice_creates_no_duplicates(world):
    from cities.digests.schedule import Period, group_zone
    from cities.tasks import fan_out_digests

    add_members(world["group"], 30)
    slot = Period.current(Cadence.WEEKLY, world["published"], group_zone(world["group"])).next.start
    for minutes in (5, 5, 65):  # the same beat twice, then the next hour
        fan_out_digests.delay(now=(slot + __import__("datetime").timedelta(minutes=minutes)).isoformat())
    assert DigestDelivery.objects.count() == 30
    assert len(mail.outbox) == 30
    assert len({m.to[0] for m in mail.outbox}) == 30


def test_moderator_previews_and_sends_now(world, client):
    add_members(world["group"], 3)
    moderator = get_user_model().objects.create_user("mod", "mod@example.org", "x")
    moderator.groups.add(world["moderators"])
    client.force_login(moderator)
    url = f"/admin/digests/{world['group'].pk}/preview/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"2 new practices" in response.content and b"Turin worker buyouts" in response.content
    response = client.post(url)
    assert response.status_code == 302
    assert len(mail.outbox) == 3
    client.post(url)
    assert len(mail.outbox) == 3
    # Moderators manage the memberships (the "Group members" snippet).
    response = client.get("/admin/snippets/cities/membership/")
    assert response.status_code == 200 and b"member0@example.org" in response.content
    official = get_user_model().objects.create_user("siobhan", "siobhan@example.org", "x")
    official.groups.add(Group.objects.get(name="Dublin editors"))
    client.force_login(official)
    # An official may use the admin but not digests: Wagtail sends them back
    # to the dashboard with its permission message, and nothing is sent.
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    response = client.get(reverse("wagtailadmin_home"))
    assert b"Sorry, you do not have permission to access this area." in response.content
    assert len(mail.outbox) == 3


def test_eager_mode_retries_a_temporary_refusal(world, smtp_settings):
    """The embedded default (eager Celery) retries in-process."""
    sink = smtp_settings
    Membership.objects.create(email="ana@example.org", group=world["group"])
    Membership.objects.create(email="bo@example.org", group=world["group"])
    sink.refuse_temporarily("ana@example.org", times=2)
    sink.refuse_permanently("bo@example.org")
    send_now()
    assert len(sink.to("ana@example.org")) == 1
    ana = DigestDelivery.objects.get(membership__email="ana@example.org")
    bo = DigestDelivery.objects.get(membership__email="bo@example.org")
    assert (ana.status, ana.attempts) == (DeliveryStatus.SENT, 3)
    assert bo.status == DeliveryStatus.FAILED and bo.last_error.startswith("550")
