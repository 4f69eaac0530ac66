"""Questions to a city through real HTTP requests: asking (bad input writes
nothing and says why; at most QUESTIONS_PER_DAY a day; who may ask), the
permission matrix in the admin (another city's official can neither see,
answer nor hide; a moderator hides), what the public sees on the page and in
the API, the emails (locmem, eager Celery here; through a real worker and
SMTP server in test_questions_flow.py) and the reminders with the clock moved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from accounts.suspension import suspend
from exchange import questions
from exchange.models import Question
from exchange.tasks import send_question_reminders
from notifications.models import Notice

QUESTION = "How did you choose the first artists who moved into the empty shops?"
ANSWER = "A public call, judged by the neighbourhood association and the city together."


def ask_url(page):
    return reverse("exchange_ask", args=(page.pk,))


def question_url(question):
    return reverse("exchange_question", args=(question.pk,))


@pytest.fixture
def qnet(net, django_user_model):
    """The exchange network, with a second Turin official, and the peer's
    profile (name, organisation, city: Dublin)."""
    second = django_user_model.objects.create_user("official-turin-2", "official-turin-2@example.org", "pw")
    second.groups.add(Group.objects.get(name="Turin editors"))
    peer = net["users"]["peer"]
    Profile.objects.update_or_create(user=peer, defaults={
        "display_name": "Nadia Peer", "organisation": "Co-operative Development Agency", "city": net["dublin"]})
    return {**net, "users": {**net["users"], "turin2": second}}


_capture = None


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """What a commit would do (send the notices), run at the end of each
    block of `committed()`."""
    global _capture  # noqa: PLW0603 - the helpers below read it
    _capture = django_capture_on_commit_callbacks
    yield


def committed():
    return _capture(execute=True)


def ask(client, user, page, text=QUESTION, public=True):
    client.force_login(user)
    data = {"text": text}
    if public:
        data["public"] = "on"
    with committed():
        return client.post(ask_url(page), data)


def post(client, url, data):
    with committed():
        return client.post(url, data)


def answered(qnet, text=QUESTION, public=True):
    with committed():
        question = questions.ask(qnet["users"]["peer"], qnet["pages"]["casabottega"], text, public=public)
        return questions.answer(qnet["users"]["turin"], question, ANSWER)


# --- Asking ---


def test_the_case_study_offers_asking_to_peers_and_signing_in_to_visitors(client, qnet):
    page = qnet["pages"]["casabottega"]
    html = client.get(page.url).content.decode()
    assert "Sign in to ask Turin about this practice" in html
    assert f"/accounts/login/?next=%2Fquestions%2Fask%2F{page.pk}%2F" in html
    client.force_login(qnet["users"]["peer"])
    html = client.get(page.url).content.decode()
    assert "Ask Turin about this practice" in html and ask_url(page) in html
    # Turin's own officials answer; they do not ask.
    client.force_login(qnet["users"]["turin"])
    assert "about this practice" not in client.get(page.url).content.decode()
    # A visitor following the link is sent to sign in first.
    client.logout()
    response = client.get(ask_url(page))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_asking_emails_each_official_once_and_lists_the_question_for_the_city(client, qnet):
    page = qnet["pages"]["casabottega"]
    client.force_login(qnet["users"]["peer"])
    form = client.get(ask_url(page)).content.decode()
    assert 'name="public"' in form and "checked" in form.split('name="public"')[1].split(">")[0]
    response = ask(client, qnet["users"]["peer"], page)
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.text, question.public, question.case_study_id) == (QUESTION, True, page.pk)
    assert "Your question is sent to Turin" in client.get(response["Location"]).content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["official-turin-2@example.org", "official-turin@example.org"]
    message = mail.outbox[0]
    assert message.subject == "A question about “CasaBottega”"
    assert QUESTION in message.body and "Nadia Peer (Co-operative Development Agency, Dublin)" in message.body
    assert f"http://testserver{question_url(question)}" in message.body
    assert "peer@example.org" not in message.body
    # Asking the same again is a new question; the first one's notices are not repeated.
    assert Notice.objects.filter(key=f"question:{question.pk}:asked").count() == 2


@pytest.mark.parametrize(("text", "message"), [
    ("", "Write your question."),
    ("   \n  ", "Write your question."),
    ("Too short?", "Your question is 10 characters long: write at least 20"),
    ("x" * 2001, "Your question is 2,001 characters long: at most 2,000 are allowed."),
    ("How did you <b>choose</b> the first artists?", "Use plain text: no HTML, no &lt; or &gt; characters."),
    ("How did you choose\x00 the first artists?", "Null characters are not allowed."),
])
def test_bad_questions_write_nothing_and_say_why(client, qnet, text, message):
    response = ask(client, qnet["users"]["peer"], qnet["pages"]["casabottega"], text)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Question.objects.exists() and not Notice.objects.exists() and not mail.outbox


def test_a_sixth_question_in_a_day_is_refused_with_a_clear_message(client, qnet, settings):
    assert settings.QUESTIONS_PER_DAY == 5
    page = qnet["pages"]["casabottega"]
    for i in range(5):
        assert ask(client, qnet["users"]["peer"], page, f"{QUESTION} (number {i})").status_code == 302
    sent = len(mail.outbox)
    response = ask(client, qnet["users"]["peer"], page, f"{QUESTION} (number 6)")
    assert response.status_code == 400
    assert "You have asked 5 questions in the last 24 hours, the most a peer may ask in a day" in (
        response.content.decode())
    assert Question.objects.count() == 5 and len(mail.outbox) == sent
    # A day later the peer may ask again.
    Question.objects.update(asked_at=timezone.now() - timedelta(days=1, minutes=1))
    assert ask(client, qnet["users"]["peer"], page, f"{QUESTION} (number 6)").status_code == 302


@pytest.mark.parametrize("page_key", ["turin_draft", "turin_private"])
def test_no_question_about_a_draft_or_a_private_case_study(client, qnet, page_key):
    response = ask(client, qnet["users"]["peer"], qnet["pages"][page_key])
    assert response.status_code == 404
    assert not Question.objects.exists()


@pytest.mark.parametrize("bad", ["0", "abc", "9223372036854775808", "9" * 5000, "-1"])
def test_an_id_that_is_no_case_studys_is_a_404(client, qnet, bad):
    client.force_login(qnet["users"]["peer"])
    assert client.get(f"/questions/ask/{bad}/").status_code == 404


def test_a_citys_own_official_cannot_ask_it(client, qnet):
    response = ask(client, qnet["users"]["turin"], qnet["pages"]["casabottega"])
    assert response.status_code == 403
    assert "You are an official of Turin" in response.content.decode()
    assert not Question.objects.exists()


def test_a_suspended_account_can_ask_nothing(client, qnet):
    peer = qnet["users"]["peer"]
    suspend(peer.profile, qnet["users"]["moderator"], "Spam.")
    page = qnet["pages"]["casabottega"]
    response = ask(client, peer, page)
    assert response.status_code == 403 and "suspended" in response.content.decode().lower()
    assert client.get(ask_url(page)).status_code == 403
    assert not Question.objects.exists()


# --- The admin: who sees, answers and hides ---


def test_an_official_of_another_city_can_neither_see_answer_nor_hide(client, qnet):
    question = questions.ask(qnet["users"]["peer"], qnet["pages"]["casabottega"], QUESTION)
    client.force_login(qnet["users"]["bilbao"])
    assert QUESTION not in client.get(reverse("exchange_questions") + "?status=all").content.decode()
    assert client.get(question_url(question)).status_code == 404
    for data in ({"action": "answer", "answer": ANSWER}, {"action": "hide", "part": "question"}):
        assert client.post(question_url(question), data).status_code == 404
    # Nor can a peer without a city (no admin at all).
    client.force_login(qnet["users"]["peer"])
    assert client.get(question_url(question)).status_code in (302, 403)
    question.refresh_from_db()
    assert (question.answered_at, question.answer, question.question_hidden) == (None, "", False)


def test_the_citys_official_answers_and_the_asker_is_emailed_once(client, qnet):
    question = questions.ask(qnet["users"]["peer"], qnet["pages"]["casabottega"], QUESTION)
    mail.outbox.clear()
    client.force_login(qnet["users"]["turin"])
    assert QUESTION in client.get(reverse("exchange_questions")).content.decode()
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "1 question about your city's case studies waits for an answer" in dashboard
    # An official cannot hide (Wagtail answers a refusal with its "no permission" redirect).
    response = client.post(question_url(question), {"action": "hide", "part": "question"}, follow=True)
    assert "Sorry, you do not have permission" in response.content.decode()
    question.refresh_from_db()
    assert not question.question_hidden
    response = post(client, question_url(question), {"action": "answer", "answer": "<b>no</b>"})
    assert response.status_code == 400 and not mail.outbox
    assert post(client, question_url(question), {"action": "answer", "answer": ANSWER}).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["peer@example.org"]
    assert message.subject == "Turin answered your question about “CasaBottega”"
    assert ANSWER in message.body and f"http://testserver{qnet['pages']['casabottega'].url}" in message.body
    # Correcting the answer sends nothing more.
    post(client, question_url(question), {"action": "answer", "answer": ANSWER + " Twice a year."})
    assert len(mail.outbox) == 1
    assert "for an answer" not in client.get(reverse("wagtailadmin_home")).content.decode()  # no panel


def test_answered_public_questions_show_on_the_page_and_in_the_api_with_no_email(client, qnet):
    question = answered(qnet)
    private = answered(qnet, text="A question the asker keeps to themselves, please.", public=False)
    page = qnet["pages"]["casabottega"]
    html = client.get(page.url).content.decode()
    assert QUESTION in html and ANSWER in html
    assert "Nadia Peer, Co-operative Development Agency (Dublin)" in html
    assert private.text not in html and "peer@example.org" not in html
    data = client.get(f"/api/practices/{page.pk}/exchange/").json()
    assert [(q["id"], q["question"], q["answer"]) for q in data["questions"]] == [(question.pk, QUESTION, ANSWER)]
    assert data["questions"][0]["asker"] == {
        "name": "Nadia Peer", "organisation": "Co-operative Development Agency", "city": "Dublin"}
    assert "peer@example.org" not in str(data)


@pytest.mark.parametrize("part", ["question", "answer"])
def test_a_moderator_hides_a_question_or_its_answer_and_it_disappears(client, qnet, part):
    question = answered(qnet)
    page = qnet["pages"]["casabottega"]
    client.force_login(qnet["users"]["moderator"])
    assert QUESTION in client.get(reverse("exchange_questions") + "?status=all").content.decode()
    assert client.post(question_url(question), {"action": "hide", "part": part}).status_code == 302
    client.logout()
    assert QUESTION not in client.get(page.url).content.decode()
    assert client.get(f"/api/practices/{page.pk}/exchange/").json()["questions"] == []
    assert questions.answered_questions([page.pk]) == []
    client.force_login(qnet["users"]["moderator"])
    client.post(question_url(question), {"action": "show", "part": part})
    client.logout()
    assert QUESTION in client.get(page.url).content.decode()


def test_answered_questions_in_a_constant_number_of_queries(qnet, django_assert_num_queries, settings):
    settings.QUESTIONS_PER_DAY = 10
    pages = [qnet["pages"]["casabottega"], qnet["pages"]["turin_other"]]
    for page in pages:
        for i in range(3):
            q = questions.ask(qnet["users"]["peer"], page, f"{QUESTION} ({page.title} {i})")
            questions.answer(qnet["users"]["turin"], q, ANSWER)
    ids = [p.pk for p in pages]
    with django_assert_num_queries(2):  # the view restrictions, the questions with everything shown
        found = questions.answered_questions(ids)
    assert len(found) == 6
    assert [q.answered_at for q in found] == sorted((q.answered_at for q in found), reverse=True)
    assert len(questions.answered_questions(ids, limit=2)) == 2
    assert questions.answered_questions(ids, since=timezone.now() + timedelta(seconds=1)) == []


# --- Reminders, with the clock moved ---


def remind(now):
    """Beat's task, run at `now` (eagerly here), its notices sent."""
    with committed():
        return send_question_reminders(now)


def test_reminders_after_7_and_14_days_once_each(qnet):
    question = questions.ask(qnet["users"]["peer"], qnet["pages"]["casabottega"], QUESTION)
    answered_one = questions.answer(
        qnet["users"]["turin"], questions.ask(qnet["users"]["peer"], qnet["pages"]["casabottega"], QUESTION + "?"),
        ANSWER)
    mail.outbox.clear()
    asked = question.asked_at
    assert remind((asked + timedelta(days=6, hours=23)).isoformat()) == {
        "reminded": 0, "escalated": 0}
    assert remind((asked + timedelta(days=7, minutes=1)).isoformat()) == {
        "reminded": 1, "escalated": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["official-turin-2@example.org", "official-turin@example.org"]
    assert all(QUESTION in m.body and "7 days ago" in m.body for m in mail.outbox)
    mail.outbox.clear()
    assert remind((asked + timedelta(days=8)).isoformat()) == {"reminded": 0, "escalated": 0}
    assert not mail.outbox
    assert remind((asked + timedelta(days=14, minutes=1)).isoformat()) == {
        "reminded": 0, "escalated": 1}
    (message,) = mail.outbox
    assert message.to == ["moderator@example.org"]
    assert message.subject == "Unanswered for 14 days: a question to Turin"
    assert remind((asked + timedelta(days=30)).isoformat()) == {"reminded": 0, "escalated": 0}
    assert len(mail.outbox) == 1
    assert not Notice.objects.filter(key__startswith=f"question:{answered_one.pk}:").exclude(
        key__endswith=":asked").exclude(key__endswith=":answered").exists()
