"""Every state change of a transfer, one plain function each: `propose`,
`update`, `accept`, `decline`, `remove` (and `record_accepted` for the
import and the demo). The checks are `errors()`, which the admin form
shows field by field; every function checks again, so no caller can skip
them. The other city's officials are emailed from these functions
(`exchange.proposal_notices`: a proposal to answer, an answer)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.visibility import is_public
from practices.models import YEAR_MAX, YEAR_MIN

from . import proposal_notices
from .models import Acceptance, Transfer
from .permissions import Actor

# What the recording city may change after the transfer is recorded (the
# case study and the city are the transfer itself: a new one is recorded).
EDITABLE = ("stage", "started", "changes", "lessons", "note", "own_case_study")
NOT_AN_OFFICIAL = _("Only a city's officials and the moderators can record transfers.")


def errors(actor: Actor, transfer: Transfer, *, new: bool) -> dict[str, list[str]]:
    """What is wrong with recording (`new`) or saving `transfer` as `actor`,
    by field; empty when nothing is."""
    found: dict[str, list[str]] = {}

    def add(field, message):
        found.setdefault(field, []).append(message)

    city = transfer.adopting_city if transfer.adopting_city_id else None
    source = transfer.source if transfer.source_id else None
    if city is not None and not actor.acts_for(city.pk):
        add("adopting_city", gettext("You can record transfers for your own city only, not for %(city)s.") % {
            "city": city.title
        })
    if source is not None:
        if new and not is_public(source):
            add("source", gettext(
                "“%(title)s” is not published (a draft or a private page): "
                "only a live, public case study can be adapted."
            ) % {"title": source.title})
        if city is not None and source.city_id == city.pk:
            add("source", gettext(
                "“%(title)s” is %(city)s's own case study: a city does not adapt its own practice."
            ) % {"title": source.title, "city": city.title})
    if new and city is not None and source is not None:
        if Transfer.objects.filter(source=source, adopting_city=city).exclude(pk=transfer.pk).exists():
            add("source", gettext(
                "%(city)s has already recorded a transfer of “%(title)s”: edit that one instead."
            ) % {"city": city.title, "title": source.title})
    own = transfer.own_case_study if transfer.own_case_study_id else None
    if own is not None and city is not None and own.city_id != city.pk:
        add("own_case_study", gettext(
            "Your own case study must be one of %(city)s's case studies; “%(title)s” is not."
        ) % {"city": city.title, "title": own.title})
    if transfer.started is not None and not YEAR_MIN <= transfer.started.year <= YEAR_MAX:
        add("started", gettext("Give a date between %(min)d and %(max)d.") % {"min": YEAR_MIN, "max": YEAR_MAX})
    for field in ("changes", "lessons", "note"):
        if "\x00" in getattr(transfer, field):
            add(field, gettext("Plain text only: no NUL characters."))
    return found


def _check(actor, transfer, *, new):
    if not actor.may_record:
        raise PermissionDenied(NOT_AN_OFFICIAL)
    found = errors(actor, transfer, new=new)
    if found:
        raise ValidationError(found)
    # Field rules of the model (lengths, choices); the relations are checked above.
    transfer.full_clean(exclude=["source", "adopting_city", "own_case_study"], validate_unique=False)


def _save(transfer):
    transfer.save_unique("source", gettext("This city has already recorded a transfer of this case study."))


def propose(user, transfer: Transfer) -> Transfer:
    """B's official records that B is adapting A's case study (`transfer`,
    not saved yet, with the source, the city and the fields set). Shown on
    B's side at once; on A's once accepted. A moderator, or an official of
    both cities, needs no one's answer: accepted at once."""
    actor = Actor.of(user)
    _check(actor, transfer, new=True)
    transfer.mark_recorded(user, accepted=actor.may_decide_transfer(transfer))
    _save(transfer)
    proposal_notices.proposed(transfer)
    return transfer


def update(user, transfer: Transfer, **values) -> Transfer:
    """B's official changes the stage, dates, notes or own case study
    (`values`, names of EDITABLE). The answer of A stands."""
    actor = Actor.of(user)
    if not actor.may_edit_transfer(transfer):
        raise PermissionDenied(
            gettext("Only the officials of the adopting city and the moderators can change this transfer.")
        )
    unknown = set(values) - set(EDITABLE)
    if unknown:
        message = gettext("This cannot be changed: record a new transfer instead.")
        raise ValidationError({name: [message] for name in unknown})
    for name, value in values.items():
        setattr(transfer, name, value)
    _check(actor, transfer, new=False)
    transfer.updated_at = timezone.now()
    _save(transfer)
    return transfer


def _decide(user, transfer, acceptance):
    if not Actor.of(user).may_decide_transfer(transfer):
        raise PermissionDenied(gettext("Only the officials of the case study's city and the moderators can answer."))
    transfer.mark_decided(user, acceptance)
    transfer.save(update_fields=transfer.DECISION_FIELDS)
    return transfer


def accept(user, transfer: Transfer) -> Transfer:
    """A's official (or a moderator) accepts: the transfer shows on A's case study."""
    _decide(user, transfer, Acceptance.ACCEPTED)
    proposal_notices.answered(transfer)
    return transfer


def decline(user, transfer: Transfer) -> Transfer:
    """A's official (or a moderator) declines, or withdraws an acceptance:
    the transfer shows on neither side (B still sees it in the admin)."""
    _decide(user, transfer, Acceptance.DECLINED)
    proposal_notices.answered(transfer)
    return transfer


def remove(user, transfer: Transfer) -> None:
    if not Actor.of(user).may_edit_transfer(transfer):
        raise PermissionDenied(
            gettext("Only the officials of the adopting city and the moderators can delete this transfer.")
        )
    transfer.delete()


def record_accepted(source, adopting_city, *, user=None, **values) -> tuple[Transfer, bool]:
    """An accepted transfer written by an administrator's import or the
    demo (no proposal, no one to tell): created, or the existing one of
    this source and city updated. The caller has checked the values."""
    now = timezone.now()
    transfer, created = Transfer.objects.get_or_create(
        source=source, adopting_city=adopting_city,
        defaults={**values, "acceptance": Acceptance.ACCEPTED, "recorded_by": user, "recorded_at": now,
                  "updated_at": now, "decided_by": user, "decided_at": now},
    )
    if not created:
        for name, value in values.items():
            setattr(transfer, name, value)
        transfer.acceptance, transfer.updated_at = Acceptance.ACCEPTED, now
        transfer.decided_at = transfer.decided_at or now
        transfer.save()
    return transfer, created
