"""A digest reader follows the unsubscribe link of the email they received,
confirms, and gets no more digests of that group."""

import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cities.digests.schedule import Period, group_zone
from cities.models import Cadence
from practices.models import CaseStudyPage
from tests.services import wait_until

from .accessibility import report, violations
from .conftest import NARROW, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def digest_for(site, sink, address):
    """Send the group's digest of the current period; the message `address` received."""
    group = site["group"]
    published = Period.current(Cadence.WEEKLY, timezone.now(), group_zone(group)).start - timedelta(days=1)
    CaseStudyPage.objects.filter(challenges=site["challenges"]["youth"]).update(
        first_published_at=published, last_published_at=published
    )
    call_command("send_digests", "--now", "--group", group.slug, stdout=io.StringIO())
    wait_until(lambda: sink.to(address), timeout=10, message=f"a digest for {address}")
    (received,) = sink.to(address)
    return received.message


def test_unsubscribe_from_a_digest(browser_site, smtp_settings, live_server, page):
    message = digest_for(browser_site, smtp_settings, "reader@example.org")
    text = message.get_body(("plain",)).get_content()
    (link,) = {url for url in re.findall(r"https?://\S+", text) if "/digests/unsubscribe/" in url}
    assert message["List-Unsubscribe"].strip() == f"<{link}>"
    # The email's links carry BASE_URL's host; the path is what the site serves.
    page.goto(live_server.url + urlsplit(link).path)

    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe")
    expect(page.get_by_text("Stop the digest of the working group Youth employment for reader@example.org?")
           ).to_be_visible()
    membership = browser_site["membership"]
    membership.refresh_from_db()
    assert membership.is_active, "opening the link (a GET) does not unsubscribe"

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    expect(page.get_by_text("reader@example.org will no longer get the digest of Youth employment.")).to_be_visible()
    assert not report(page.url, found := violations(page)), report(page.url, found)
    screenshot(page, "unsubscribed")
    page.set_viewport_size(NARROW)
    screenshot(page, "unsubscribed")

    membership.refresh_from_db()
    assert not membership.is_active and membership.unsubscribed_at is not None
