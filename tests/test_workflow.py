"""Peer review end to end: an official submits, the page stays private, a
moderator approves, the page is public everywhere it should be."""

import pytest
from django.urls import reverse

from practices.factories import ChallengeFactory
from practices.models import CaseStudyPage

from .admin_helpers import add_url, form_data

pytestmark = pytest.mark.django_db


def submit_case_study(client, site_tree, users, challenge):
    client.force_login(users["dublin"])
    form = client.get(add_url(site_tree["dublin"]))
    data = form_data(
        form, title="Social Enterprise Committee", slug="social-enterprise-committee",
        summary="A committee that helps social enterprises grow.",
    )
    data.setlist("challenges", [str(challenge.pk)])
    data["action-submit"] = "1"
    response = client.post(add_url(site_tree["dublin"]), data)
    assert response.status_code == 302
    return CaseStudyPage.objects.canonical().get(slug="social-enterprise-committee")


def workflow_action(client, page, action):
    task_state = page.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    return client.post(url, {"comment": "Reviewed."})


def public_urls(site_tree, challenge):
    index = site_tree["practices"]
    return {
        "index": index.url,
        "city": site_tree["dublin"].url,
        "challenge": index.specific.challenge_url(challenge),
        "home": site_tree["home"].url,
    }


def test_submit_review_approve_publish(client, site_tree, users):
    challenge = ChallengeFactory(name="Youth unemployment")
    page = submit_case_study(client, site_tree, users, challenge)

    # In review: not live, 404 at its URL, on no listing.
    assert page.workflow_in_progress
    assert not page.live
    client.logout()
    assert client.get(page.url).status_code == 404
    for name, url in public_urls(site_tree, challenge).items():
        assert "Social Enterprise Committee" not in client.get(url).content.decode(), name

    # The official cannot approve their own submission.
    client.force_login(users["dublin"])
    response = workflow_action(client, page, "approve")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")  # Wagtail's answer to "permission denied"
    page.refresh_from_db()
    assert not page.live
    assert page.workflow_in_progress

    # A moderator approves: the page is published.
    client.force_login(users["moderator"])
    response = workflow_action(client, page, "approve")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=(page.pk,))
    page.refresh_from_db()
    assert page.live
    assert not page.workflow_in_progress

    client.logout()
    detail = client.get(page.url)
    assert detail.status_code == 200
    assert "A committee that helps social enterprises grow." in detail.content.decode()
    for name, url in public_urls(site_tree, challenge).items():
        body = client.get(url).content.decode()
        assert "Social Enterprise Committee" in body, name


def test_moderator_requests_changes(client, site_tree, users):
    challenge = ChallengeFactory(name="Local markets")
    page = submit_case_study(client, site_tree, users, challenge)
    client.force_login(users["moderator"])
    response = workflow_action(client, page, "reject")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=(page.pk,))
    page.refresh_from_db()
    assert not page.live
    # Back with the official: the workflow waits for changes, no task is open.
    assert page.current_workflow_state.status == "needs_changes"
    assert page.current_workflow_task_state is None
    client.logout()
    assert "Social Enterprise Committee" not in client.get(site_tree["practices"].url).content.decode()
