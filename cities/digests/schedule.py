"""When digests are due: the weekly (Monday 08:00) and monthly (the 1st,
08:00) periods of a working group, in the group's own time zone."""

import dataclasses
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..models import Cadence

SEND_TIME = time(8, 0)
# A slot stays due for this long, so that a missed beat (or a beat that is
# down at 08:00) still sends the digest later that day.
DUE_WINDOW = timedelta(hours=24)
CADENCES = (Cadence.WEEKLY, Cadence.MONTHLY)


def _slot(day, zone):
    return datetime.combine(day, SEND_TIME, tzinfo=zone)


@dataclasses.dataclass(frozen=True)
class Period:
    cadence: str
    start: datetime  # the scheduled send time (aware, in the group's zone)

    @classmethod
    def current(cls, cadence, now, zone):
        """The latest slot at or before `now`: Monday 08:00 or the 1st 08:00, local."""
        local = now.astimezone(zone)
        if cadence == Cadence.WEEKLY:
            day = local.date() - timedelta(days=local.weekday())
        else:
            day = local.date().replace(day=1)
        period = cls(cadence, _slot(day, zone))
        return period if period.start <= local else period.previous

    @property
    def key(self):
        return f"{self.cadence}:{self.start.date().isoformat()}"

    @property
    def previous(self):
        day = self.start.date()
        if self.cadence == Cadence.WEEKLY:
            day -= timedelta(days=7)
        else:
            day = (day - timedelta(days=1)).replace(day=1)
        return Period(self.cadence, _slot(day, self.start.tzinfo))

    @property
    def next(self):
        day = self.start.date()
        if self.cadence == Cadence.WEEKLY:
            day += timedelta(days=7)
        else:
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        return Period(self.cadence, _slot(day, self.start.tzinfo))

    def is_due(self, now):
        return self.start <= now < self.start + DUE_WINDOW


def group_zone(group):
    return ZoneInfo(group.time_zone)


def due_periods(group, now, force=False):
    """The periods of `group` to send now; with force, the current ones whatever the schedule."""
    zone = group_zone(group)
    for cadence in CADENCES:
        period = Period.current(cadence, now, zone)
        if force or period.is_due(now):
            yield period
