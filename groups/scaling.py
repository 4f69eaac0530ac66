""""Selected to scale": the network's moderators choose case studies to
scale (as the programme's all-peer event chose Rikx and CasaBottega). One
selection per case study, network-wide: its page, the group pages and
their shortlists show it, as long as the case study is live and public."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.permissions import is_moderator
from cities.visibility import is_public

from .models import ScaleSelection
from .shortlist import ShortlistRefused


def select(user, practice, *, group=None, note="") -> ScaleSelection:
    """A moderator marks a live, public case study "selected to scale"."""
    if not is_moderator(user):
        raise PermissionDenied(gettext("Only moderators can select a practice to scale."))
    if not is_public(practice):
        raise ShortlistRefused(gettext("Only a published, public case study can be selected to scale."))
    already = gettext("“%(title)s” is already selected to scale.") % {"title": practice.title}
    if ScaleSelection.objects.filter(practice=practice).exists():
        raise ShortlistRefused(already)
    try:
        with transaction.atomic():
            return ScaleSelection.objects.create(practice=practice, group=group, note=note, selected_by=user)
    except IntegrityError:
        raise ShortlistRefused(already) from None


def record_selected(practice, *, note="", group=None) -> tuple[ScaleSelection, bool]:
    """A selection written by the demo or an administrator's script (nobody
    to check): created if missing, left alone otherwise."""
    return ScaleSelection.objects.get_or_create(practice=practice, defaults={"note": note, "group": group})


def is_selected(practice) -> bool:
    return practice.pk is not None and ScaleSelection.objects.filter(practice=practice).exists()


def selected_ids(practice_ids) -> frozenset[int]:
    """Those of `practice_ids` selected to scale (one query)."""
    ids = {int(i) for i in practice_ids}
    if not ids:
        return frozenset()
    return frozenset(ScaleSelection.objects.filter(practice__in=ids).values_list("practice_id", flat=True))


def latest_selected_ids(limit: int) -> list[int]:
    """The case studies selected to scale, the latest selection first (one
    query; the caller shows only those that are live and public)."""
    return list(ScaleSelection.objects.order_by("-selected_at", "-pk").values_list("practice_id", flat=True)[:limit])
