"""Every state change of a typed relation between two case studies, one
plain function each: `propose`, `update`, `accept`, `decline`, `remove`
(and `record_accepted` for the import). `errors()` holds the checks, which
the admin form shows field by field and every function applies again."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cities.visibility import is_public

from . import proposal_notices
from .models import SYMMETRIC_KINDS, Acceptance, Relation
from .permissions import Actor

NOT_AN_OFFICIAL = _("Only a city's officials and the moderators can relate case studies.")


def duplicate_of(relation: Relation):
    """The relation already recorded that `relation` would repeat, or None."""
    same = Q(from_page=relation.from_page_id, to_page=relation.to_page_id, kind=relation.kind)
    if relation.kind in SYMMETRIC_KINDS:
        same |= Q(from_page=relation.to_page_id, to_page=relation.from_page_id, kind=relation.kind)
    return Relation.objects.filter(same).exclude(pk=relation.pk).first()


def errors(actor: Actor, relation: Relation, *, check_target: bool) -> dict[str, list[str]]:
    """What is wrong with saving `relation` as `actor`, by field
    (`check_target`: the related case study is new, so it must be public)."""
    found: dict[str, list[str]] = {}

    def add(field, message):
        found.setdefault(field, []).append(message)

    source = relation.from_page if relation.from_page_id else None
    target = relation.to_page if relation.to_page_id else None
    if source is not None and not actor.acts_for(source.city_id):
        add("from_page", gettext("You can relate your own city's case studies only; “%(title)s” is not one.") % {
            "title": source.title
        })
    if source is not None and target is not None and source.pk == target.pk:
        add("to_page", gettext("A case study cannot be related to itself."))
    elif target is not None:
        if check_target and not is_public(target):
            add("to_page", gettext(
                "“%(title)s” is not published (a draft or a private page): "
                "only a live, public case study can be related."
            ) % {"title": target.title})
        if source is not None and relation.kind and duplicate_of(relation) is not None:
            add("to_page", gettext("This relation between “%(source)s” and “%(target)s” is already recorded.") % {
                "source": source.title, "target": target.title,
            })
    return found


def _check(actor, relation, *, check_target):
    if not actor.may_record:
        raise PermissionDenied(NOT_AN_OFFICIAL)
    found = errors(actor, relation, check_target=check_target)
    if found:
        raise ValidationError(found)
    relation.full_clean(exclude=["from_page", "to_page"], validate_unique=False, validate_constraints=False)


def _save(relation):
    relation.save_unique("to_page", gettext("This relation is already recorded."))


def propose(user, relation: Relation) -> Relation:
    """B's official relates B's case study to A's (`relation`, not saved
    yet). Shown on B's case study at once, on A's once accepted; accepted
    at once when the official may answer for A too, or is a moderator."""
    actor = Actor.of(user)
    _check(actor, relation, check_target=True)
    relation.mark_recorded(user, accepted=actor.may_decide_relation(relation))
    _save(relation)
    proposal_notices.proposed(relation)
    return relation


def update(user, relation: Relation, *, kind) -> Relation:
    """B's official changes the kind of relation: A is asked again (unless
    the official may answer for A)."""
    actor = Actor.of(user)
    if not actor.may_edit_relation(relation):
        raise PermissionDenied(gettext("Only the officials of the case study's city and the moderators can change this."))
    changed = kind != relation.kind
    relation.kind = kind
    _check(actor, relation, check_target=False)
    relation.updated_at = timezone.now()
    if changed and not actor.may_decide_relation(relation):
        relation.mark_pending()
    _save(relation)
    if changed:
        proposal_notices.proposed(relation)  # A is asked again, about the new kind
    return relation


def _decide(user, relation, acceptance):
    if not Actor.of(user).may_decide_relation(relation):
        raise PermissionDenied(
            gettext("Only the officials of the related case study's city and the moderators can answer.")
        )
    relation.mark_decided(user, acceptance)
    relation.save(update_fields=relation.DECISION_FIELDS)
    return relation


def accept(user, relation: Relation) -> Relation:
    _decide(user, relation, Acceptance.ACCEPTED)
    proposal_notices.answered(relation)
    return relation


def decline(user, relation: Relation) -> Relation:
    _decide(user, relation, Acceptance.DECLINED)
    proposal_notices.answered(relation)
    return relation


def remove(user, relation: Relation) -> None:
    if not Actor.of(user).may_edit_relation(relation):
        raise PermissionDenied(gettext("Only the officials of the case study's city and the moderators can delete this."))
    relation.delete()


def record_accepted(from_page, to_page, kind, *, user=None) -> tuple[Relation, bool]:
    """An accepted relation written by an administrator's import (checked
    by the caller)."""
    now = timezone.now()
    relation, created = Relation.objects.get_or_create(
        from_page=from_page, to_page=to_page, kind=kind,
        defaults={"acceptance": Acceptance.ACCEPTED, "recorded_by": user, "recorded_at": now,
                  "updated_at": now, "decided_by": user, "decided_at": now},
    )
    if not created and not relation.is_accepted:
        relation.acceptance, relation.decided_by, relation.decided_at = Acceptance.ACCEPTED, user, now
        relation.save(update_fields=["acceptance", "decided_by", "decided_at"])
    return relation, created
