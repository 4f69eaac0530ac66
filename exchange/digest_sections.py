"""The digests' "answered questions" section (`cities.digests.content`):
the questions newly answered in a digest's window on the practices the
group's digest covers (`cities.digests.content.group_practices`), as the
public sees them (`exchange.questions.answered_questions`). Templates:
templates/cities/email/sections/answered_questions.html and .txt."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import datetime

from django.utils.translation import ngettext

from cities.digests.content import group_practices, section
from cities.digests.links import page_url

from .questions import answered_questions, described_asker


@dataclasses.dataclass
class AnsweredQuestionItem:
    pk: int
    practice: str
    city: str  # the city that answered (the case study's)
    asker: str  # name, organisation and city, as the case study shows them
    question: str
    answer: str
    url: str
    published: datetime  # when it was answered

    @property
    def key(self):
        return f"question:{self.pk}"

    @property
    def question_text(self):
        return textwrap.fill(self.question, 72, initial_indent="  ", subsequent_indent="  ")

    @property
    def answer_text(self):
        return textwrap.fill(self.answer, 72, initial_indent="  ", subsequent_indent="  ")


def describe_answered(count):
    return ngettext("%(count)d newly answered question", "%(count)d newly answered questions", count) % {
        "count": count
    }


@section("answered_questions", describe=describe_answered)
def newly_answered_questions(group, start, end):
    """Questions answered in [start, end) on the group's practices, oldest
    answer first (like the new practices), in a constant number of queries."""
    ids = list(group_practices(group).values_list("pk", flat=True))
    found = [q for q in answered_questions(ids, since=start) if q.answered_at < end]
    items = []
    for question in sorted(found, key=lambda q: (q.answered_at, q.pk)):
        url = page_url(question.case_study)
        if url is None:
            continue
        page = question.case_study
        items.append(AnsweredQuestionItem(
            pk=question.pk, practice=page.title, city=page.city.title if page.city_id else "",
            asker=described_asker(question.shown_asker), question=question.text, answer=question.answer,
            url=url, published=question.answered_at,
        ))
    return items
