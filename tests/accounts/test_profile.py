"""A peer edits their profile: name, organisation, role, an optional city
of the network (only live public cities are offered) and languages from the
fixed list. Officials and moderators have profiles too."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from accounts.models import Profile
from accounts.profiles import profile_of
from practices.factories import CityPageFactory

PROFILE = "/accounts/profile/"


def form(**overrides):
    data = {"display_name": "Ana Peer", "organisation": "Co-op Network", "role": "policy officer",
            "city": "", "languages": ["en", "es"], "language": "en"}
    data.update(overrides)
    return data


def test_the_profile_page_needs_a_signed_in_peer(client, site_tree):
    response = client.get(PROFILE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_a_peer_edits_their_profile(client, peer, site_tree):
    client.force_login(peer)
    page = client.get(PROFILE)
    html = page.content.decode()
    assert page.status_code == 200 and "Your profile" in html and "ana@example.org" in html
    for language in ("English", "Spanish", "French", "Italian", "Portuguese", "Polish", "Dutch"):
        assert language in html
    assert "<legend>Languages you speak</legend>" in html

    response = client.post(PROFILE, form(city=site_tree["turin"].pk, languages=["it", "en", "it"]))
    assert response.status_code == 302 and response["Location"] == PROFILE
    profile = Profile.objects.get(user=peer)
    assert (profile.display_name, profile.organisation, profile.role, profile.city_id, profile.languages) == (
        "Ana Peer", "Co-op Network", "policy officer", site_tree["turin"].pk, ["en", "it"])
    after = client.get(PROFILE).content.decode()
    assert "Your profile is saved." in after and 'value="Co-op Network"' in after
    assert "Ana Peer" in client.get("/").content.decode()

    # The city is optional.
    assert client.post(PROFILE, form(city="")).status_code == 302
    assert Profile.objects.get(user=peer).city is None


def test_only_live_public_cities_are_offered(client, peer, site_tree):
    draft = CityPageFactory(parent=site_tree["cities"], title="Draftville", slug="draftville", live=False)
    private = CityPageFactory(parent=site_tree["cities"], title="Hiddenburg", slug="hiddenburg")
    private.save_revision().publish()
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    client.force_login(peer)
    html = client.get(PROFILE).content.decode()
    assert "Dublin" in html and "Turin" in html
    assert "Draftville" not in html and "Hiddenburg" not in html
    for city in (draft, private):
        response = client.post(PROFILE, form(city=city.pk))
        assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
        assert Profile.objects.get(user=peer).city is None


@pytest.mark.parametrize("overrides,message", [
    ({"display_name": ""}, "This field is required."),
    ({"display_name": "x" * 81}, "at most 80 characters"),
    ({"organisation": "o" * 151}, "at most 150 characters"),
    ({"role": "r" * 101}, "at most 100 characters"),
    ({"display_name": '<img src=x onerror="alert(1)">'}, "Use plain text"),
    ({"organisation": "<a href='https://spam.example'>Buy</a>"}, "Use plain text"),
    ({"role": "officer <script>"}, "Use plain text"),
    ({"role": "officer\x07"}, "no control characters"),
    ({"languages": ["en", "klingon"]}, "Select a valid choice"),
    ({"city": "not-a-number"}, "Select a valid choice"),
    ({"city": "99999999"}, "Select a valid choice"),
])
def test_bad_profile_input_is_a_clear_message_and_writes_nothing(client, peer, site_tree, overrides, message):
    client.force_login(peer)
    before = Profile.objects.filter(user=peer).values().get()
    response = client.post(PROFILE, form(**overrides))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert message in html and 'role="alert"' in html and 'aria-invalid="true"' in html
    assert Profile.objects.filter(user=peer).values().get() == before
    assert "<script>" not in html and "onerror=\"alert" not in html  # echoed back escaped


def test_an_official_gets_a_profile_with_their_city_on_first_need(client, users):
    official = users["dublin"]
    assert not Profile.objects.filter(user=official).exists()
    client.force_login(official)
    assert "official-dublin" in client.get("/").content.decode()  # the header, with a new profile
    profile = Profile.objects.get(user=official)
    assert profile.city.title == "Dublin" and profile.display_name == "official-dublin"
    moderator = profile_of(users["moderator"])
    assert moderator.city is None


def test_an_official_of_two_cities_gets_no_default_city(users):
    official = users["dublin"]
    official.groups.add(Group.objects.get(name="Turin editors"))
    assert profile_of(official).city is None


def test_the_data_migration_gives_existing_accounts_profiles(users, django_user_model):
    official, moderator = users["turin"], users["moderator"]
    official.first_name, official.last_name = "Giulia", "Rossi"
    official.save()
    two_cities = django_user_model.objects.create_user("two-cities", password="pw")
    two_cities.groups.add(Group.objects.get(name="Turin editors"), Group.objects.get(name="Dublin editors"))
    Profile.objects.all().delete()

    migration = importlib.import_module("accounts.migrations.0002_profiles_for_existing_accounts")
    migration.create_profiles(apps, None)

    profiles = {p.user.username: p for p in Profile.objects.select_related("user", "city")}
    assert profiles["official-turin"].display_name == "Giulia Rossi"
    assert profiles["official-turin"].city.title == "Turin"
    assert profiles["official-dublin"].city.title == "Dublin"
    assert profiles["moderator"].city is None and profiles["moderator"].display_name == "moderator"
    assert profiles["two-cities"].city is None
    migration.create_profiles(apps, None)  # again: nothing new
    assert Profile.objects.count() == len(profiles) == django_user_model.objects.count()
    assert moderator.pk in {p.user_id for p in profiles.values()}
