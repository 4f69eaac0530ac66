"""The indexing pipeline end to end, with a real Celery worker on Redis
(tests/services.py): publish in the admin -> found through the API within
seconds; unpublish -> gone."""

import pytest
from django.urls import reverse

from practices.factories import CaseStudyPageFactory, ChallengeFactory
from search import indexing
from tests.admin_helpers import edit_url, form_data
from tests.services import wait_until

# serialized_rollback: the flush after a transactional test would take
# Wagtail's root page (made by a migration) with it.
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def api_titles(client, **params):
    response = client.get("/api/practices/", params)
    assert response.status_code == 200
    data = response.json()
    assert data["backend"] == "elasticsearch" and not data["degraded"]
    return [r["title"] for r in data["results"]]


def test_publish_in_admin_then_unpublish(site_tree, es_settings, celery_worker, client, django_user_model):
    indexing.rebuild()  # an empty index behind the alias
    challenge = ChallengeFactory(name="Youth unemployment", slug="youth-unemployment")
    page = CaseStudyPageFactory(
        parent=site_tree["dublin"], title="Zebra crossing cooperative", slug="zebra-crossing-cooperative",
        summary="Young people run a bicycle courier cooperative.", challenges=[challenge], live=False,
    )
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(admin)

    form = client.get(edit_url(page))
    assert form.status_code == 200
    data = form_data(form)
    data["action-publish"] = "1"
    response = client.post(edit_url(page), data)
    assert response.status_code == 302, response.content[:2000]
    page.refresh_from_db()
    assert page.live

    # Searchable within seconds of the publish (the deadline is the check).
    wait_until(lambda: "Zebra crossing cooperative" in api_titles(client, q="zebra"), timeout=5,
               message="the published page in the search")
    assert "Zebra crossing cooperative" in api_titles(client, challenge="youth-unemployment")

    response = client.post(reverse("wagtailadmin_pages:unpublish", args=(page.pk,)))
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.live
    wait_until(lambda: api_titles(client, q="zebra") == [], timeout=15, message="the unpublished page to go")
    assert celery_worker.alive
    assert "search.update_pages" in celery_worker.log()
