"""Memberships of working groups: the signed links in digests, who may join
which group, and the demo subscriptions.

Tokens are signed with django.core.signing (HMAC with SECRET_KEY) and carry
a timestamp, so a link from an old email stops working after
DIGEST_TOKEN_MAX_AGE_DAYS (60 by default).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction

from .models import Cadence, CityPage, Membership, WorkingGroup
from .roles import MODERATORS_GROUP, cities_of, city_editors_group

UNSUBSCRIBE_SALT = "cities.digests.unsubscribe"
PREFERENCES_SALT = "cities.digests.preferences"


class TokenError(Exception):
    """A link that cannot be used; `reason` is "expired" or "invalid"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def token_max_age():
    return settings.DIGEST_TOKEN_MAX_AGE_DAYS * 24 * 3600


def _sign(payload, salt):
    return signing.TimestampSigner(salt=salt).sign_object(payload, compress=False)


def _unsign(token, salt, max_age=None):
    try:
        return signing.TimestampSigner(salt=salt).unsign_object(
            token, max_age=token_max_age() if max_age is None else max_age
        )
    except signing.SignatureExpired:
        raise TokenError("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise TokenError("invalid") from None


def unsubscribe_token(membership):
    return _sign({"m": membership.pk}, UNSUBSCRIBE_SALT)


def membership_from_unsubscribe_token(token, max_age=None):
    """The membership the link was made for, or None if it no longer exists."""
    payload = _unsign(token, UNSUBSCRIBE_SALT, max_age)
    if not isinstance(payload, dict) or not isinstance(payload.get("m"), int):
        raise TokenError("invalid")
    return Membership.objects.select_related("group", "user").filter(pk=payload["m"]).first()


def preferences_token(membership):
    """A link to manage every membership of the same person (user or address)."""
    if membership.user_id:
        return _sign({"u": membership.user_id}, PREFERENCES_SALT)
    return _sign({"e": membership.email.lower()}, PREFERENCES_SALT)


def memberships_from_preferences_token(token, max_age=None):
    payload = _unsign(token, PREFERENCES_SALT, max_age)
    if not isinstance(payload, dict):
        raise TokenError("invalid")
    if isinstance(payload.get("u"), int):
        return Membership.objects.for_address(user=payload["u"])
    if isinstance(payload.get("e"), str):
        return Membership.objects.for_address(email=payload["e"])
    raise TokenError("invalid")


def is_moderator(user):
    return user.is_superuser or user.groups.filter(name=MODERATORS_GROUP).exists()


def joinable_groups(user):
    """Officials may join the working groups of their city; moderators, any group."""
    groups = WorkingGroup.objects.all()
    if not is_moderator(user):
        groups = groups.filter(member_cities__in=cities_of(user))
    return groups.exclude(memberships__user=user).distinct().order_by("name")


def join(user, group, cadence=None):
    membership, created = Membership.objects.get_or_create(
        user=user, group=group, defaults={"cadence": cadence or default_cadence(group)}
    )
    if not created and not membership.is_active:
        membership.set_cadence(cadence or default_cadence(group))
        membership.save()
    return membership


def default_cadence(group):
    return group.default_cadence if group.default_cadence != Cadence.OFF else Cadence.WEEKLY


@transaction.atomic
def subscribe_demo_officials():
    """Subscribe every official (a user in their city's editors group) to the
    working groups of their city, at the group's default cadence. Idempotent;
    returns the number of memberships created. Called by load_demo."""
    User = get_user_model()
    created = 0
    for city in CityPage.objects.canonical().prefetch_related("working_groups"):
        groups = list(city.working_groups.all())
        if not groups:
            continue
        editors = city_editors_group(city)
        if editors is None:
            continue
        for user in User.objects.filter(groups=editors, is_active=True):
            for group in groups:
                _, new = Membership.objects.get_or_create(
                    user=user, group=group, defaults={"cadence": default_cadence(group)}
                )
                created += new
    return created
