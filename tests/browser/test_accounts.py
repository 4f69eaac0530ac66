"""A visitor signs up, confirms their address through the link in the email
they received (a real SMTP server), edits their profile and sees their name
in the header; then signs out and in again."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import Profile
from tests.services import wait_until

from .accessibility import report, violations
from .conftest import NARROW, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-peer-password-42"
EMAIL = "nadia.peer@example.org"


def assert_accessible(page):
    assert not report(page.url, found := violations(page)), report(page.url, found)


def test_sign_up_confirm_and_edit_the_profile(browser_site, smtp_settings, live_server, page):
    page.goto("/")
    header = page.get_by_role("navigation", name="Your account")
    header.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")

    page.get_by_label("Your name").fill("Nadia Peer")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("short")
    page.get_by_role("button", name="Sign up").click()
    # A password the validators refuse: the form again, the problem said next to the field.
    expect(page.get_by_role("alert")).to_contain_text("Please correct the problems marked below.")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    assert not EmailAddress.objects.filter(email=EMAIL).exists()
    assert_accessible(page)

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(header.get_by_role("link", name="Sign in")).to_be_visible()  # not signed in yet
    assert_accessible(page)

    wait_until(lambda: smtp_settings.to(EMAIL), timeout=10, message=f"the confirmation email to {EMAIL}")
    (received,) = smtp_settings.to(EMAIL)
    text = received.message.get_body(("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+/accounts/confirm-email/\S+/", text)
    page.goto(live_server.url + urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    expect(page.get_by_text(EMAIL)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()

    # Signed in, on the profile page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(header.get_by_role("link", name="Nadia Peer")).to_be_visible()
    page.get_by_label("Organisation").fill("Co-operative Development Agency")
    page.get_by_label("Role").fill("policy officer")
    page.get_by_label("City of the network").select_option(label="Turin")
    page.get_by_role("checkbox", name="Italian").check()
    page.get_by_role("checkbox", name="English").check()
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page.get_by_label("Organisation")).to_have_value("Co-operative Development Agency")
    assert_accessible(page)
    screenshot(page, "profile")
    page.set_viewport_size(NARROW)
    screenshot(page, "profile")

    profile = Profile.objects.get(user__email=EMAIL)
    assert (profile.organisation, profile.role, profile.city.title, profile.languages) == (
        "Co-operative Development Agency", "policy officer", "Turin", ["en", "it"])

    # Sign out, and in again with the password.
    header.get_by_role("link", name="Sign out").click()
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    expect(header.get_by_role("link", name="Sign in")).to_be_visible()
    header.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(header.get_by_role("link", name="Nadia Peer")).to_be_visible()
