"""Peer review in the Wagtail admin, as people click it: a city's official
adds a case study under their city and submits it to Peer review; a
moderator approves it from the dashboard; the case study is public."""

import re

import pytest
from playwright.sync_api import expect

from practices.models import CaseStudyPage

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TITLE = "Social Enterprise Committee"
SUMMARY = "A committee that helps social enterprises grow."


def sign_in(page, username):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_official_submits_moderator_approves(browser_site, new_page, page, browser_problems):
    # The official: their city in the page explorer, Add child page (a case
    # study is the only kind a city takes).
    sign_in(page, "official-dublin")
    page.goto(f"/admin/pages/{browser_site['dublin'].pk}/")
    expect(page).to_have_title(re.compile("Exploring: Dublin"))
    page.get_by_role("link", name="Add child page").first.click()
    expect(page).to_have_title(re.compile("New: Case study"))
    page.get_by_role("textbox", name="Title*").fill(TITLE)
    page.get_by_role("textbox", name="Summary*").fill(SUMMARY)
    page.get_by_role("checkbox", name="Youth unemployment").check()
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Peer review").click()
    expect(page.get_by_text(f"Page '{TITLE}' created and submitted for moderation.")).to_be_visible()

    case_study = CaseStudyPage.objects.canonical().get(title=TITLE)
    assert not case_study.live and case_study.workflow_in_progress
    browser_problems.allow(re.escape(case_study.url) + r": Failed to load resource: .* 404")
    visitor = new_page()
    assert visitor.goto(case_study.url).status == 404

    # The moderator: the dashboard lists it under "Awaiting your review".
    moderator = new_page()
    sign_in(moderator, "moderator")
    review = moderator.get_by_role("region", name="Awaiting your review")
    review.get_by_role("link", name=TITLE).click()
    expect(moderator).to_have_title(re.compile(f"Editing Case study: {TITLE}"))
    moderator.get_by_role("button", name="More actions").click()
    moderator.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(moderator).to_have_title(re.compile("Exploring: Dublin"))
    expect(moderator.get_by_role("status")).to_contain_text(f"'{TITLE}'")

    case_study.refresh_from_db()
    assert case_study.live and not case_study.workflow_in_progress
    response = visitor.goto(case_study.url)
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.get_by_text(SUMMARY)).to_be_visible()
    visitor.goto("/practices/?q=committee")
    expect(visitor.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    visitor.goto(browser_site["dublin"].url)
    expect(visitor.get_by_role("link", name=TITLE)).to_be_visible()
