"""A member votes on the group's shortlist with JavaScript turned off: the
forms are plain forms; the vote shows at once, and the button goes."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from groups.models import Vote

from .conftest import PASSWORD, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_member_votes_without_javascript(browser_site, new_page):
    official = browser_site["official"]
    EmailAddress.objects.create(user=official, email=official.email, primary=True, verified=True)
    page = new_page(java_script_enabled=False)
    page.goto("/groups/youth-employment/")
    shortlist = page.get_by_role("region", name="Shortlist: practices to explore together")
    expect(shortlist.get_by_role("button", name="Vote")).to_have_count(0)  # a visitor
    shortlist.get_by_role("link", name="Sign in").click()

    page.get_by_label("Email address").fill(official.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/groups/youth-employment/")

    coops = browser_site["case_studies"]["coops"].title
    shortlist.get_by_role("button", name=f"Vote for {coops}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Your vote for “{coops}” is counted.")
    entry = shortlist.get_by_role("listitem").filter(has_text=coops)
    expect(entry).to_contain_text("1 vote")
    expect(entry).to_contain_text("You voted for it.")
    expect(shortlist.get_by_role("button", name=f"Vote for {coops}")).to_have_count(0)
    screenshot(page, "group-voted")
    assert Vote.objects.filter(user=official, entry__practice__title=coops).count() == 1
