"""A question end to end with a real Celery worker (Redis broker) and a real
SMTP server (tests/services.py): a peer asks through the page, both of the
city's officials get one email each, an official answers in the admin, the
asker gets one email with the answer and a link, the answer is on the page;
a question left open reminds the officials once after 7 days and tells the
moderators once after 14 (beat's task run by the worker, the clock moved)."""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Profile
from exchange.models import Question
from exchange.tasks import send_question_reminders
from tests.services import wait_until, wait_until_worker_idle

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUESTION = "How did you choose the first artists who moved into the empty shops?"
ANSWER = "A public call, judged by the neighbourhood association and the city together."
OFFICIALS = ["official-turin-2@example.org", "official-turin@example.org"]


def received(sink):
    return Counter(rcpt.lower() for m in sink.messages for rcpt in m.rcpt_tos)


def body(message):
    return message.message.get_body(("plain",)).get_content()


def wait_for(sink, count, what):
    wait_until(lambda: len(sink.messages) >= count, timeout=60, message=what)
    wait_until_worker_idle()


@pytest.fixture
def flow(net, django_user_model):
    second = django_user_model.objects.create_user("official-turin-2", "official-turin-2@example.org", "pw")
    second.groups.add(Group.objects.get(name="Turin editors"))
    Profile.objects.update_or_create(user=net["users"]["peer"], defaults={
        "display_name": "Nadia Peer", "organisation": "Co-operative Development Agency", "city": net["dublin"]})
    return net


def test_ask_answer_and_see_the_answer_with_one_email_each(client, flow, celery_worker, smtp_sink):
    page = flow["pages"]["casabottega"]
    client.force_login(flow["users"]["peer"])
    response = client.post(reverse("exchange_ask", args=(page.pk,)), {"text": QUESTION, "public": "on"})
    assert response.status_code == 302
    question = Question.objects.get()

    wait_for(smtp_sink, 2, "the officials' emails")
    assert received(smtp_sink) == Counter(dict.fromkeys(OFFICIALS, 1))
    asked = smtp_sink.to("official-turin@example.org")[0]
    assert asked.message["Subject"] == "A question about “CasaBottega”"
    assert QUESTION in body(asked)
    assert f"http://testserver/admin/exchange/questions/{question.pk}/" in body(asked)

    client.force_login(flow["users"]["turin"])
    answer_url = reverse("exchange_question", args=(question.pk,))
    assert client.post(answer_url, {"action": "answer", "answer": ANSWER}).status_code == 302
    wait_for(smtp_sink, 3, "the asker's email")
    assert received(smtp_sink) == Counter({**dict.fromkeys(OFFICIALS, 1), "peer@example.org": 1})
    (answered,) = smtp_sink.to("peer@example.org")
    assert answered.message["Subject"].strip() == "Turin answered your question about “CasaBottega”"
    assert ANSWER in body(answered) and f"http://testserver{page.url}" in body(answered)

    client.logout()
    html = client.get(page.url).content.decode()
    assert QUESTION in html and ANSWER in html and "Nadia Peer, Co-operative Development Agency (Dublin)" in html
    assert "peer@example.org" not in html


def test_reminders_after_7_and_14_days_once(client, flow, celery_worker, smtp_sink):
    page = flow["pages"]["casabottega"]
    client.force_login(flow["users"]["peer"])
    client.post(reverse("exchange_ask", args=(page.pk,)), {"text": QUESTION, "public": "on"})
    asked = Question.objects.get().asked_at
    wait_for(smtp_sink, 2, "the officials' emails")
    smtp_sink.reset()

    def remind(days):
        send_question_reminders.delay((asked + timedelta(days=days, minutes=1)).isoformat())
        wait_until_worker_idle()

    remind(6)
    assert not smtp_sink.messages
    remind(7)
    wait_for(smtp_sink, 2, "the reminders")
    assert received(smtp_sink) == Counter(dict.fromkeys(OFFICIALS, 1))
    assert "7 days ago" in body(smtp_sink.to("official-turin@example.org")[0])
    remind(8)
    remind(14)
    wait_for(smtp_sink, 3, "the moderators' email")
    remind(20)
    remind(20)
    assert received(smtp_sink) == Counter({**dict.fromkeys(OFFICIALS, 1), "moderator@example.org": 1})
    told = smtp_sink.to("moderator@example.org")[0]
    assert told.message["Subject"].strip() == "Unanswered for 14 days: a question to Turin"
