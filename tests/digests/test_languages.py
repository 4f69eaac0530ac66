"""Each member reads the digest in their own language (their profile's):
subject, both parts, the HTML's `lang` and the dates, as an SMTP server
receives them through a real Celery worker, exactly once each. No catalogue
of ours exists yet, so the proof is what Django's own catalogues and
formats translate: the practices' publication dates."""

from collections import Counter
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.utils import formats, timezone, translation
from django.utils.translation import ngettext

from accounts.models import Profile
from cities.digests import render as digest_render
from cities.digests.delivery import fan_out
from cities.digests.recipients import recipients_for
from cities.digests.schedule import Period, group_zone
from cities.models import Cadence, DeliveryStatus, DigestDelivery, Membership
from cities.tasks import send_digest_chunk
from tests.services import wait_until, wait_until_worker_idle

from .conftest import INCLUDED

SPANISH_MONTHS = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
]


def member(group, username, language=None):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    if language:
        Profile.objects.create(user=user, display_name=username, language=language)
    return Membership.objects.create(user=user, group=group)


def published_date(world, language):
    """How the case studies' publication date reads in `language`, in the group's time zone."""
    when = timezone.localtime(world["published"], group_zone(world["group"]))
    with translation.override(language):
        return formats.date_format(when, "DATE_FORMAT")


def parts(message):
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_spanish_and_an_english_member_each_get_it_once_in_their_language(
    world, celery_worker, smtp_sink
):
    group = world["group"]
    member(group, "lucia", "es")
    member(group, "liam", "en")
    # An address without an account: the site's default language.
    Membership.objects.create(email="guest@example.org", group=group)
    now = timezone.now()
    # Twice, as two beats would: one delivery per member and period.
    fan_out(now=now, force=True, enqueue=send_digest_chunk.delay)
    fan_out(now=now, force=True, enqueue=send_digest_chunk.delay)

    def all_sent():
        return DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 3

    wait_until(all_sent, timeout=120, interval=0.2, message="every digest to be sent")
    wait_until_worker_idle()
    counts = Counter(rcpt.lower() for m in smtp_sink.messages for rcpt in m.rcpt_tos)
    assert counts == {"lucia@example.org": 1, "liam@example.org": 1, "guest@example.org": 1}

    spanish, english = published_date(world, "es"), published_date(world, "en")
    month = SPANISH_MONTHS[timezone.localtime(world["published"], group_zone(group)).month - 1]
    assert spanish != english and month in spanish
    (lucia,) = smtp_sink.to("lucia@example.org")
    text, html = parts(lucia.message)
    assert '<html lang="es">' in html
    assert spanish in text and spanish in html and english not in text and english not in html
    for title in INCLUDED:
        assert title in text and title in html
    for address in ("liam@example.org", "guest@example.org"):
        (received,) = smtp_sink.to(address)
        text, html = parts(received.message)
        assert '<html lang="en">' in html
        assert english in text and english in html and spanish not in text and spanish not in html
        # The subject in each member's language, from the catalogues.
        assert received.message["Subject"] != lucia.message["Subject"]
        with translation.override("es"):
            spanish_count = ngettext("%(count)d new practice", "%(count)d new practices", 2) % {"count": 2}
        assert spanish_count in lucia.message["Subject"] and spanish_count not in received.message["Subject"]


@pytest.mark.django_db
def test_rendered_once_per_language_not_once_per_member(world):
    group = world["group"]
    for i in range(3):
        member(group, f"es{i}", "es")
        member(group, f"pl{i}", "pl")
        member(group, f"en{i}")
    now = timezone.now()
    period = Period.current(Cadence.WEEKLY, now, group_zone(group))
    real = digest_render.render_to_string
    with mock.patch.object(digest_render, "render_to_string", side_effect=real) as rendered:
        digests = digest_render.build_digests(group, recipients_for(group, period, now))
        messages = [d.as_bytes() for d in digests]
    assert len(messages) == 9
    html_renders = [
        call for call in rendered.call_args_list if call.args[0] == "cities/email/digest.html"
    ]
    assert len(html_renders) == 3  # es, pl, en
    languages = Counter(d.language for d in digests)
    assert languages == {"es": 3, "pl": 3, "en": 3}
    for digest, data in zip(digests, messages, strict=True):
        assert f'<html lang="{digest.language}">'.encode() in data
        assert published_date(world, digest.language).encode() in data
