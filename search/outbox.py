"""The outbox of index updates (`models.IndexUpdate`): no update is lost
when the broker cannot take the task.

* `record(...)`: a row, written in the caller's transaction (the editor's),
  so that it commits or rolls back with the change that asks for the update.
* `done(update_id)`: the row goes once its work is done (a row already gone
  is fine: a re-sent update may finish twice).
* `claim_due()`: the rows pending for longer than settings.SEARCH_OUTBOX_INTERVAL
  (the normal after-commit send has had its chance), or whose last re-send
  was longer ago than its back-off, claimed for one re-send each. A claim is
  one conditional UPDATE per row, re-checked by the database under the
  row's lock, so two drains running at once never both claim a row (on
  PostgreSQL and SQLite alike). Claiming never deletes: a row stays until
  `done`.
* `backlog()`: how many rows are pending, and since when.

This module keeps the rows; `search.queue` sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .models import IndexUpdate

BATCH = 500  # rows claimed per drain
MAX_BACKOFF = timedelta(hours=1)


def interval() -> timedelta:
    return timedelta(seconds=settings.SEARCH_OUTBOX_INTERVAL)


def record(page_ids, es_url: str, index: str, database: bool) -> int:
    """A pending update of these pages; its id."""
    row = IndexUpdate.objects.create(
        page_ids=sorted({int(i) for i in page_ids}), es_url=es_url or "", index=index or "", database=database
    )
    return row.pk


def done(update_id) -> None:
    if update_id is not None:
        IndexUpdate.objects.filter(pk=update_id).delete()


def backoff(attempts: int) -> timedelta:
    """How long after a re-send the row may be re-sent again, for a row
    re-sent `attempts` times before: one interval, doubling, at most an hour."""
    return min(interval() * 2 ** min(attempts, 20), MAX_BACKOFF)


def _due(now: datetime, grace: timedelta) -> Q:
    return Q(retry_at__isnull=True, created__lte=now - grace) | Q(retry_at__lte=now)


def claim_due(grace: timedelta | None = None, now: datetime | None = None) -> list[IndexUpdate]:
    """The rows this caller is to re-send (see the module docstring);
    `grace`: how old a row that was never re-sent must be (default: one
    interval)."""
    now = now or timezone.now()
    due = _due(now, interval() if grace is None else grace)
    claimed = []
    for row in IndexUpdate.objects.filter(due).order_by("created", "pk")[:BATCH]:
        retry_at = now + backoff(row.attempts)
        if IndexUpdate.objects.filter(due, pk=row.pk).update(retry_at=retry_at, attempts=F("attempts") + 1):
            row.retry_at, row.attempts = retry_at, row.attempts + 1
            claimed.append(row)
    return claimed


@dataclass
class Backlog:
    count: int
    oldest: datetime | None

    def __str__(self):
        if not self.count:
            return "Pending index updates: none."
        age = (timezone.now() - self.oldest).total_seconds()
        return f"Pending index updates: {self.count}, the oldest from {self.oldest:%Y-%m-%d %H:%M:%S} ({age:.0f}s ago)."


def backlog() -> Backlog:
    rows = IndexUpdate.objects.order_by("created")
    oldest = rows.values_list("created", flat=True).first()
    return Backlog(count=rows.count(), oldest=oldest)
