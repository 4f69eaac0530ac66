"""The language of a member's emails: chosen on their profile (Spanish at
sign-up on Spanish pages), otherwise for staff and officials their Wagtail
admin preference, their city's language, or the site's default."""

from django.contrib.auth import get_user_model
from wagtail.users.models import UserProfile

from accounts.languages import language_for
from accounts.models import Profile
from accounts.profiles import profile_of

from .conftest import sign_up

PROFILE = "/accounts/profile/"
User = get_user_model()


def test_sign_up_keeps_the_language_of_the_pages_signed_up_on(client, site_tree):
    sign_up(client, email="lucia@example.org", language="es")  # the Spanish sign-up page
    assert User.objects.get(email="lucia@example.org").profile.language == "es"
    sign_up(client.__class__(), email="liam@example.org")
    assert User.objects.get(email="liam@example.org").profile.language == "en"


def test_a_peer_changes_the_language_of_their_emails_on_their_profile(client, peer, site_tree):
    client.force_login(peer)
    html = client.get(PROFILE).content.decode()
    assert "Language of the site and your emails" in html
    for autonym in (
        "English",
        "Español",
        "Français",
        "Italiano",
        "Português",
        "Polski",
        "Nederlands",
    ):
        assert f">{autonym}</option>" in html
    assert '<option value="en" selected>English</option>' in html  # never chosen: the one in effect
    data = {"display_name": "Ana Peer", "city": "", "language": "pl"}
    assert client.post(PROFILE, data).status_code == 302
    assert Profile.objects.get(user=peer).language == "pl" and language_for(peer) == "pl"
    assert '<option value="pl" selected>Polski</option>' in client.get(PROFILE).content.decode()

    for refused, message in (("de", "Select a valid choice"), ("", "This field is required")):
        response = client.post(PROFILE, {**data, "language": refused})
        assert response.status_code == 200 and message in response.content.decode()
        assert Profile.objects.get(user=peer).language == "pl"


def test_staff_and_officials_without_a_choice(users, site_tree):
    dublin, turin, moderator = users["dublin"], users["turin"], users["moderator"]
    site_tree["turin"].languages = ["it", "en"]
    site_tree["turin"].save()
    site_tree["dublin"].languages = ["de"]  # a language of the network, not of the interface
    site_tree["dublin"].save()
    # No profile, no admin preference: their city's first interface language, or the default.
    assert (language_for(turin), language_for(dublin), language_for(moderator)) == (
        "it",
        "en",
        "en",
    )
    # The Wagtail admin's own preference comes before the city's.
    UserProfile.objects.create(user=turin, preferred_language="fr")
    UserProfile.objects.create(user=moderator, preferred_language="pt-br")
    assert (language_for(turin), language_for(moderator)) == ("fr", "pt")
    # A profile without a choice (made before there was one) goes on the same way...
    profile = profile_of(turin)
    assert profile.language == "" and language_for(turin) == "fr"
    # ...and one that names a city speaks its language; a choice beats everything.
    peer = User.objects.create_user("peer", "peer@example.org", "pw")
    Profile.objects.create(user=peer, display_name="Peer", city=site_tree["turin"])
    assert language_for(peer) == "it"
    profile.language = "nl"
    profile.save()
    assert language_for(turin) == "nl"
