"""A signed-in member's bad input to the shortlist's forms (the kinds of
tests/test_bad_input.py): a message or a 404, never a 5xx, and nothing
written."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from groups.shortlist import record_entry
from tests.test_bad_input import BAD, enc, writes

from .conftest import GROUP_URL, propose_url

pytestmark = pytest.mark.django_db


def test_a_members_bad_input_writes_nothing(client, world):
    client.raise_request_exception = False
    entry, _ = record_entry(world["group"], world["pages"]["casabottega"])
    client.force_login(world["accounts"]["dublin"])
    assert client.get(GROUP_URL).status_code == 200  # the account's profile is made on its first request
    for raw in BAD.values():  # one site for every kind: building it is most of the time
        check(client, entry, raw)


def check(client, entry, raw):
    value = enc(raw) if raw is not None else f"{entry.practice_id}&practice={entry.practice_id}"
    requests = [
        (propose_url(), f"practice={value}".encode()),
        (f"/groups/local-economies/shortlist/{enc(raw or b'0')}/vote/", b""),
        (f"/groups/local-economies/shortlist/{enc(raw or b'0')}/select/", b""),
        (f"/groups/{enc(raw or b'x')}/shortlist/propose/", b"practice=1"),
    ]
    for url, body in requests:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, (url, response.status_code)
        assert response.status_code in (303, 404), (url, response.status_code)
        assert not writes(queries.captured_queries), url
