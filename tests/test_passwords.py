"""Passwords of officials and moderators go through Django's validators
(AUTH_PASSWORD_VALIDATORS) wherever the Wagtail admin sets one: the user
create and edit forms and a user's own password change. A too-short or common
password is refused with the validator's message and changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.test.utils import WagtailTestUtils
from wagtail.test.utils.form_data import querydict_from_html

TOO_SHORT = ("Zq7!x", "This password is too short. It must contain at least 8 characters.")
COMMON = ("password123", "This password is too common.")
NUMERIC = ("40718253961", "This password is entirely numeric.")
GOOD = "Tram-lines-of-Turin-1985"


def form_containing(html, field_name):
    """The fields of the form on the page that has `field_name`, as a person's
    browser would submit them untouched."""
    soup = WagtailTestUtils.get_soup(html)
    form = next(f for f in soup.find_all("form") if f.find(attrs={"name": field_name}))
    return querydict_from_html(str(form))


def fill(data, **values):
    """`data` with each field set to one value (as typed into the form)."""
    for name, value in values.items():
        data[name] = value
    return data


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    return client


def create_official(client, password):
    url = reverse("wagtailusers_users:add")
    data = form_containing(client.get(url).content.decode(), "password1")
    fill(data, username="official-cork", email="cork@example.org", first_name="Aoife",
         last_name="Byrne", password1=password, password2=password)
    return client.post(url, data)


@pytest.mark.parametrize("password, message", [TOO_SHORT, COMMON, NUMERIC])
def test_creating_a_user_refuses_a_weak_password(superuser_client, site_tree, password, message):
    response = create_official(superuser_client, password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="official-cork").exists()


def test_creating_a_user_accepts_a_good_password(superuser_client, site_tree):
    response = create_official(superuser_client, GOOD)
    assert response.status_code == 302
    user = get_user_model().objects.get(username="official-cork")
    assert user.check_password(GOOD)


def test_setting_a_password_on_the_user_edit_form_is_validated(superuser_client, site_tree, users):
    official = users["dublin"]
    url = reverse("wagtailusers_users:edit", args=(official.pk,))
    for password, message in (TOO_SHORT, COMMON):
        data = form_containing(superuser_client.get(url).content.decode(), "password1")
        fill(data, first_name="Siobhan", last_name="Kelly", password1=password, password2=password, is_active="on")
        response = superuser_client.post(url, data)
        assert response.status_code == 200 and message in response.content.decode()
    official.refresh_from_db()
    assert official.check_password("pw")  # unchanged
    fill(data, password1=GOOD, password2=GOOD)
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    official.refresh_from_db()
    assert official.check_password(GOOD)


def change_own_password(client, old, new):
    url = reverse("wagtailadmin_account")
    data = form_containing(client.get(url).content.decode(), "password-new_password1")
    fill(data, **{"password-old_password": old, "password-new_password1": new, "password-new_password2": new})
    return client.post(url, data)


def test_an_official_changing_their_password_is_held_to_the_validators(client, users):
    official = users["turin"]
    official.first_name, official.last_name = "Chiara", "Rossi"  # the account form requires a name
    official.save()
    client.force_login(official)
    for password, message in (TOO_SHORT, COMMON, ("official-turin", "The password is too similar to the username.")):
        response = change_own_password(client, "pw", password)
        assert response.status_code == 200
        assert message in response.content.decode()
        official.refresh_from_db()
        assert official.check_password("pw")
    response = change_own_password(client, "pw", GOOD)
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.check_password(GOOD)
