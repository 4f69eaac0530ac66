"""Questions to the city whose case study it is, one plain function per
state change: `ask`, `answer`, `hide` / `unhide` (moderators), and
`send_reminders` (beat). Who may do what is `exchange.permissions.Actor`;
every function checks again, so no caller can skip it. Every email goes
through `notifications.notify`, with a key naming the event, so each is
sent once per recipient:

* `question:<id>:asked`: each official of the city, when a peer asks;
* `question:<id>:answered`: the asker, with the answer and a link;
* `question:<id>:reminder`: the city's officials, when it is still open
  after QUESTION_REMINDER_DAYS;
* `question:<id>:moderators`: the moderators, when it is still open after
  QUESTION_ESCALATION_DAYS.

What the public sees of the questions (`answered_questions`, the case study
page, the API, the digests) is `Question.objects.shown()`: answered, shown
by the asker's choice, nothing hidden, on a live public case study."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from accounts.models import Profile
from accounts.profiles import profile_of
from accounts.text import plain_text
from cities import fragments, visibility
from cities.digests.links import page_url
from cities.roles import moderator_accounts, officials_of
from cities.visibility import is_public
from notifications import notify

from .models import ANSWER_MAX, QUESTION_MAX, QUESTION_MIN, Question
from .permissions import Actor

HIDEABLE = ("question", "answer")


# --- Checks ---


def normalised(text) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def text_errors(text: str, *, minimum: int = QUESTION_MIN, maximum: int = QUESTION_MAX,
                what: str = "question") -> list[str]:
    """What is wrong with `text` (normalised) as a question (or an answer)."""
    answer = what == "answer"
    if not text:
        return [gettext("Write your answer.") if answer else gettext("Write your question.")]
    found = []
    values = {"count": len(text), "minimum": minimum, "length": number_format(len(text), force_grouping=True),
              "maximum": number_format(maximum, force_grouping=True)}
    if len(text) < minimum:
        if answer:
            short = ngettext(
                "Your answer is %(count)d character long: write at least %(minimum)d, "
                "so that the city knows what you are asking.",
                "Your answer is %(count)d characters long: write at least %(minimum)d, "
                "so that the city knows what you are asking.",
                len(text),
            )
        else:
            short = ngettext(
                "Your question is %(count)d character long: write at least %(minimum)d, "
                "so that the city knows what you are asking.",
                "Your question is %(count)d characters long: write at least %(minimum)d, "
                "so that the city knows what you are asking.",
                len(text),
            )
        found.append(short % values)
    if len(text) > maximum:
        if answer:
            long = ngettext(
                "Your answer is %(length)s character long: at most %(maximum)s are allowed.",
                "Your answer is %(length)s characters long: at most %(maximum)s are allowed.",
                len(text),
            )
        else:
            long = ngettext(
                "Your question is %(length)s character long: at most %(maximum)s are allowed.",
                "Your question is %(length)s characters long: at most %(maximum)s are allowed.",
                len(text),
            )
        found.append(long % values)
    try:
        plain_text(text)
    except ValidationError as error:
        found.extend(error.messages)
    return found


def asked_today(user, now=None) -> int:
    """How many questions `user` asked in the 24 hours before `now`."""
    now = now or timezone.now()
    return Question.objects.filter(asker=user, asked_at__gt=now - timedelta(days=1)).count()


def daily_limit_message(limit: int) -> str:
    return ngettext(
        "You have asked %(count)d question in the last 24 hours, the most a peer "
        "may ask in a day. Your question was not sent: ask it again tomorrow.",
        "You have asked %(count)d questions in the last 24 hours, the most a peer "
        "may ask in a day. Your question was not sent: ask it again tomorrow.",
        limit,
    ) % {"count": limit}


# --- Describing people and questions (emails, pages, API) ---


def asker_details(profile: Profile) -> dict:
    """What others may read about an asker: name, organisation and city
    (a city the public sees), never the email address."""
    city = profile.city if profile.city_id and is_public(profile.city) else None
    return {"name": profile.display_name, "organisation": profile.organisation,
            "city": city.title if city is not None else ""}


def described_asker(details: dict) -> str:
    """"Name (organisation, city)": an asker in one line (emails, digests)."""
    extra = ", ".join(v for v in (details["organisation"], details["city"]) if v)
    return f"{details['name']} ({extra})" if extra else details["name"]


def _context(question: Question, **more) -> dict:
    page = question.case_study
    return {
        "city": page.city.title if page.city_id else "",
        "practice": page.title,
        "question": question.text,
        "asker": described_asker(asker_details(profile_of(question.asker))),
        "asked_at": question.asked_at.isoformat(),
        **more,
    }


def admin_url(question: Question) -> str:
    return reverse("exchange_question", args=(question.pk,))


# --- State changes ---


def ask(user, case_study, text, *, public: bool = True, now: datetime | None = None) -> Question:
    """`user` asks the city of `case_study`. Refused (PermissionDenied) for
    who may not ask here; refused (ValidationError, by field) for a text
    that is empty, too short or too long or holds markup, and beyond
    QUESTIONS_PER_DAY questions in 24 hours; nothing is written then. Each
    official of the city gets one email, after the commit."""
    actor = Actor.of(user)
    if not actor.may_ask(case_study):
        raise PermissionDenied(actor.why_not_ask(case_study))
    text = normalised(text)
    found = text_errors(text)
    if found:
        raise ValidationError({"text": found})
    now = now or timezone.now()
    limit = settings.QUESTIONS_PER_DAY
    with transaction.atomic():
        profile = profile_of(user)
        # One asker's questions are counted and written one request at a time.
        Profile.objects.select_for_update().filter(pk=profile.pk).first()
        if asked_today(user, now) >= limit:
            raise ValidationError({"text": [daily_limit_message(limit)]})
        question = Question.objects.create(case_study=case_study, asker=user, text=text, public=bool(public),
                                           asked_at=now)
        notify(f"question:{question.pk}:asked", officials_of(case_study.city), "question_asked",
               _context(question), link=admin_url(question))
    return question


def answer(user, question: Question, text) -> Question:
    """An official of the question's city (or a moderator) answers, or
    corrects the answer. The asker is emailed the first answer, once."""
    if not Actor.of(user).may_answer(question):
        raise PermissionDenied(gettext("Only the officials of the case study's city and the moderators can answer."))
    if question.question_hidden:
        raise ValidationError({"answer": [gettext("A moderator hid this question: it cannot be answered.")]})
    text = normalised(text)
    found = text_errors(text, minimum=1, maximum=ANSWER_MAX, what="answer")
    if found:
        raise ValidationError({"answer": found})
    with transaction.atomic():
        first = question.answered_at is None
        question.answer, question.answered_by = text, user
        if first:
            question.answered_at = timezone.now()
        question.save(update_fields=["answer", "answered_by", "answered_at"])
        link = page_url(question.case_study) or ""
        notify(f"question:{question.pk}:answered", [question.asker_id], "question_answered",
               _context(question, answer=question.answer, public=question.public), link=link)
        fragments.changed()
    return question


def _set_hidden(user, question, part, hidden):
    if not Actor.of(user).is_moderator:
        raise PermissionDenied(gettext("Only the moderators can hide or show questions and answers."))
    if part not in HIDEABLE:
        raise ValidationError(gettext("Hide the question or the answer, not %(part)s.") % {"part": repr(part)})
    if part == "answer" and not question.is_answered:
        raise ValidationError(gettext("This question has no answer yet."))
    setattr(question, f"{part}_hidden", hidden)
    question.hidden_by = user
    question.save(update_fields=[f"{part}_hidden", "hidden_by"])
    fragments.changed()
    return question


def hide(user, question: Question, part: str) -> Question:
    """A moderator hides the question (and so its answer) or only its
    answer: it shows nowhere the public looks (page, API, digests), and a
    hidden question waits for no answer."""
    return _set_hidden(user, question, part, True)


def unhide(user, question: Question, part: str) -> Question:
    return _set_hidden(user, question, part, False)


def send_reminders(now: datetime | None = None) -> dict:
    """Questions still open: after QUESTION_REMINDER_DAYS the city's
    officials are reminded, after QUESTION_ESCALATION_DAYS the moderators
    are told; each once (the question records it, the notice key makes a
    repeat send nothing). Returns how many of each."""
    now = now or timezone.now()
    done = {"reminded": 0, "escalated": 0}
    steps = (
        ("reminded", "reminded_at", settings.QUESTION_REMINDER_DAYS, "reminder", "question_reminder"),
        ("escalated", "escalated_at", settings.QUESTION_ESCALATION_DAYS, "moderators", "question_unanswered"),
    )
    with visibility.scope():
        _remind(now, steps, done)
    return done


def _remind(now, steps, done):
    moderators = None
    for name, field, days, key, kind in steps:
        due = (
            Question.objects.open()
            .filter(**{f"{field}__isnull": True, "asked_at__lte": now - timedelta(days=days)})
            .select_related("case_study", "case_study__city", "asker__profile__city")
            .order_by("asked_at", "pk")
        )
        for question in due:
            with transaction.atomic():
                if name == "reminded":
                    recipients = officials_of(question.case_study.city) if question.case_study.city_id else []
                else:
                    moderators = moderators if moderators is not None else list(moderator_accounts())
                    recipients = moderators
                notify(f"question:{question.pk}:{key}", recipients, kind,
                       _context(question, days=days), link=admin_url(question))
                Question.objects.filter(pk=question.pk).update(**{field: now})
            done[name] += 1


# --- Reading ---


def answered_questions(case_study_ids, since: datetime | None = None, limit: int | None = None) -> list[Question]:
    """The questions the public sees on these case studies (see
    `QuestionQuerySet.shown`), newest answer first, answered at or after
    `since` if given, at most `limit`, in one query (with the case study,
    its city and the asker's profile and city); each with `shown_asker`,
    what the public may read of the asker (`asker_details`)."""
    ids = sorted({int(i) for i in case_study_ids})
    if not ids:
        return []
    with visibility.scope():
        return _answered_questions(ids, since, limit)


def _answered_questions(ids, since, limit):
    rows = (
        Question.objects.shown().filter(case_study__in=ids)
        .select_related("case_study", "case_study__city", "asker__profile__city")
        .order_by("-answered_at", "-pk")
    )
    if since is not None:
        rows = rows.filter(answered_at__gte=since)
    if limit is not None:
        rows = rows[: max(int(limit), 0)]
    found = list(rows)
    for question in found:
        question.shown_asker = asker_details(profile_of(question.asker))
    return found


def open_questions(actor):
    """The open questions `actor` answers (their cities', all for a moderator)."""
    return actor.questions(Question.objects.open())
