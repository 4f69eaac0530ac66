"""The "Notices" listing in the admin: moderators see every notice, filter
by status and kind, and open one; nobody adds, changes or deletes one;
city officials do not see it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from notifications.models import DeliveryStatus, Notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_notices(users):
    make = Notice.objects.create
    return {
        "sent": make(key="question:1:asked", recipient=users["dublin"], kind="question_asked",
                     status=DeliveryStatus.SENT, attempts=1, address="official-dublin@example.org"),
        "failed": make(key="question:2:asked", recipient=users["turin"], kind="question_asked",
                       status=DeliveryStatus.FAILED, attempts=1, last_error="550 5.1.1 Mailbox unavailable"),
        "reminder": make(key="question:3:reminder:7", recipient=users["turin"], kind="question_reminder",
                         status=DeliveryStatus.PENDING),
    }


def test_moderators_list_filter_and_inspect_notices(client, users, some_notices):
    client.force_login(users["moderator"])
    response = client.get("/admin/notices/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("question_asked", "question_reminder", "official-turin", "550 5.1.1 Mailbox unavailable", "Failed"):
        assert text in page

    failed = client.get("/admin/notices/", {"status": "failed"}).content.decode()
    assert "550 5.1.1 Mailbox unavailable" in failed and "question_reminder" not in failed
    reminders = client.get("/admin/notices/", {"kind": "question_reminder"}).content.decode()
    assert "question_reminder" in reminders and "Mailbox unavailable" not in reminders
    found = client.get("/admin/notices/", {"q": "question:3"}).content.decode()
    assert "question_reminder" in found and "Mailbox unavailable" not in found

    response = client.get(f"/admin/notices/inspect/{some_notices['failed'].pk}/")
    assert response.status_code == 200 and b"question:2:asked" in response.content


@pytest.mark.parametrize("who", ["moderator", "superuser"])
def test_nobody_adds_changes_or_deletes_a_notice(client, users, some_notices, who):
    user = users["moderator"] if who == "moderator" else get_user_model().objects.create_superuser(
        "root", "root@example.org", "pw"
    )
    client.force_login(user)
    notice = some_notices["failed"]
    for url in ("/admin/notices/new/", f"/admin/notices/edit/{notice.pk}/", f"/admin/notices/delete/{notice.pk}/"):
        for response in (client.get(url), client.post(url, {"status": "pending"})):
            assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    notice.refresh_from_db()
    assert notice.status == DeliveryStatus.FAILED and Notice.objects.count() == 3
    listing = client.get("/admin/notices/").content.decode()
    assert "/admin/notices/new/" not in listing and f"/admin/notices/edit/{notice.pk}/" not in listing


def test_city_officials_do_not_see_notices(client, users, some_notices):
    client.force_login(users["dublin"])
    for url in ("/admin/notices/", f"/admin/notices/inspect/{some_notices['sent'].pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "/admin/notices/" not in home
