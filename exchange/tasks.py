"""Celery tasks of the exchange: thin wrappers around exchange.questions."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from . import questions


@shared_task(acks_late=True, ignore_result=True)
def send_question_reminders(now=None):
    """From beat every QUESTION_REMINDER_INTERVAL: remind of the questions
    left unanswered (`now`, an ISO datetime, moves the clock: tests)."""
    return questions.send_reminders(parse_datetime(now) if now else None)
