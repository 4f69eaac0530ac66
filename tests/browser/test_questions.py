"""Asking a city, as a peer clicks it: a visitor is asked to sign in first,
the peer signs in, asks Turin from its case study (an empty question is
refused with a message next to the field), and once Turin answers, the
question and its answer are on the case study; axe passes on each page."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import Profile
from exchange import questions
from exchange.models import Question

from .accessibility import report, violations
from .conftest import NARROW, PASSWORD, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUESTION = "How did you find the first young people to found the cooperatives?"
ANSWER = "Through the youth centres of the neighbourhoods."


def assert_accessible(page):
    assert not report(page.url, found := violations(page)), report(page.url, found)


def test_a_peer_asks_a_city_and_reads_the_answer_on_the_case_study(
    browser_site, page, django_user_model, browser_problems
):
    # A refused question is answered 400 (with the form and the message): expected once.
    browser_problems.allow(r"/questions/ask/\d+/: Failed to load resource: .* status of 400")
    peer = django_user_model.objects.create_user("nadia", "nadia@example.org", PASSWORD)
    EmailAddress.objects.create(user=peer, email=peer.email, verified=True, primary=True)
    Profile.objects.create(user=peer, display_name="Nadia Peer", organisation="Co-op Agency",
                           city=browser_site["dublin"])
    source = browser_site["case_studies"]["coops"]

    # Signed out: a link to sign in, which comes back to the question form.
    page.goto(source.url)
    page.get_by_role("link", name="Sign in to ask Turin about this practice").click()
    page.get_by_label("Email address").fill(peer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Ask Turin about {source.title}")
    checkbox = page.get_by_role("checkbox", name="Show my question and its answer on the case study")
    expect(checkbox).to_be_checked()
    assert_accessible(page)

    # An empty question: refused, said next to the field, nothing written.
    page.get_by_role("button", name="Send my question").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the problems marked below.")
    expect(page.get_by_label("Your question")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Write your question.")).to_be_visible()
    assert not Question.objects.exists()
    assert_accessible(page)

    page.get_by_label("Your question").fill(QUESTION)
    page.get_by_role("button", name="Send my question").click()
    expect(page.get_by_role("status")).to_contain_text("Your question is sent to Turin's officials.")
    assert_accessible(page)
    screenshot(page, "ask-question")
    page.set_viewport_size(NARROW)
    screenshot(page, "ask-question")
    question = Question.objects.get()
    assert (question.text, question.public, question.asker_id) == (QUESTION, True, peer.pk)

    # From the case study page, signed in, the link goes straight to the form.
    page.goto(source.url)
    expect(page.get_by_role("link", name="Ask Turin about this practice")).to_be_visible()

    # Answered (by a moderator here: the site has no Turin official), it is on the case study.
    questions.answer(browser_site["moderator"], question, ANSWER)
    page.goto(source.url)
    shown = page.get_by_role("region", name="Questions to Turin")
    expect(shown).to_contain_text(QUESTION)
    expect(shown).to_contain_text(ANSWER)
    expect(shown).to_contain_text("Nadia Peer, Co-op Agency (Dublin) asked")
    assert_accessible(page)
