"""Suspended accounts: a moderator suspends an account (and may lift the
suspension), saying why; a suspended account can do nothing but sign out.

Enforced in three places, each calling `is_suspended`:
- `SuspendedAccountMiddleware`: every request of a signed-in suspended
  account, except signing out, gets the "account suspended" page (403);
- the peers' sign-in (`accounts.adapter.AccountAdapter.pre_login`) and
- the admin sign-in forms (`accounts.forms`): a suspended account is told
  so and is not signed in."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Profile, Suspension
from .permissions import is_moderator
from .profiles import profile_of
from .text import plain_text

REASON_MAX_LENGTH = 1000
SUSPENDED_MESSAGE = _("Your account is suspended.")


def is_suspended(user) -> bool:
    return bool(user is not None and user.is_authenticated and profile_of(user).is_suspended)


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why."), code="required")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            gettext("At most %(count)d characters.") % {"count": REASON_MAX_LENGTH}, code="max_length"
        )
    plain_text(reason)
    return reason


@transaction.atomic
def _decide(profile: Profile, moderator, reason: str, action: str) -> Suspension:
    if not is_moderator(moderator):
        raise PermissionDenied(_("Only moderators suspend accounts."))
    reason = _clean_reason(reason)
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    suspending = action == Suspension.Action.SUSPENDED
    if suspending == profile.is_suspended:
        raise ValidationError(
            _("This account is already suspended.") if suspending else _("This account is not suspended."),
            code="unchanged",
        )
    if suspending and profile.user_id == moderator.pk:
        raise ValidationError(_("You cannot suspend your own account."), code="self")
    now = timezone.now()
    profile.suspended_at = now if suspending else None
    profile.save(update_fields=["suspended_at", "updated_at"])
    return Suspension.objects.create(profile=profile, action=action, by=moderator, at=now, reason=reason)


def suspend(profile: Profile, moderator, reason: str) -> Suspension:
    """Suspend the account (a moderator, with a reason): from its next request on
    it can only sign out."""
    return _decide(profile, moderator, reason, Suspension.Action.SUSPENDED)


def unsuspend(profile: Profile, moderator, reason: str) -> Suspension:
    """Lift the suspension (a moderator, with a reason)."""
    return _decide(profile, moderator, reason, Suspension.Action.UNSUSPENDED)


def suspended_response(request, status=403):
    """The "account suspended" page: a sign-out button when signed in."""
    response = render(request, "accounts/suspended.html", {"logout_url": reverse("account_logout")}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _sign_out_paths():
    return {reverse("account_logout"), reverse("wagtailadmin_logout"), reverse("admin:logout")}


class SuspendedAccountMiddleware:
    """Answers every request of a signed-in suspended account with the
    "account suspended" page (403), except signing out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_suspended(user):
            if request.path not in _sign_out_paths():
                return suspended_response(request)
        return self.get_response(request)
