"""Each recipient reads a notice in their own language (their profile's,
through the hook accounts registers): subject, text and HTML parts and the
HTML's `lang`, as an SMTP server receives them. No catalogue of ours exists
yet, so the proof is a word Django's own catalogues translate."""

import pytest

from accounts.models import Profile
from notifications import notify
from notifications.languages import languages_for

from .conftest import CONTEXT, LINK

pytestmark = pytest.mark.django_db


def test_each_recipient_gets_the_notice_in_their_language(
    people, smtp_settings, django_capture_on_commit_callbacks
):
    sink = smtp_settings
    ana, bo, cy = people["ana"], people["bo"], people["cy"]
    Profile.objects.create(user=ana, display_name="Ana", language="es")
    Profile.objects.create(user=bo, display_name="Bo", language="en")
    # Cy has no profile (an official an administrator made): the site's default.
    with django_capture_on_commit_callbacks(execute=True):
        notify("question:1:asked", [ana, bo, cy], "test_notice", CONTEXT, link=LINK)

    def parts(address):
        (received,) = sink.to(address)
        message = received.message
        text = message.get_body(("plain",)).get_content()
        return text, message.get_body(("html",)).get_content()

    text, html = parts("ana@example.org")
    assert "(language: es)" in text and "diciembre" in text
    assert '<html lang="es">' in html and "diciembre" in html and "December" not in html
    for address in ("bo@example.org", "cy@example.org"):
        text, html = parts(address)
        assert "(language: en)" in text and "December" in text
        assert '<html lang="en">' in html and "December" in html and "diciembre" not in html


def test_one_lookup_for_a_whole_chunk(people, django_assert_max_num_queries):
    for name, language in (("ana", "pl"), ("bo", "nl")):
        Profile.objects.create(user=people[name], display_name=name, language=language)
    with django_assert_max_num_queries(3):
        found = languages_for(people.values())
    assert found == {people["ana"].pk: "pl", people["bo"].pk: "nl", people["cy"].pk: "en"}
