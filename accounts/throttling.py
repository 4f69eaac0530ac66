"""Sign-in throttling per account (django-axes' AXES_USERNAME_CALLABLE).

The same account is reached with its user name (the admin sign-in forms)
or its email address (the peers' sign-in): both count towards one lockout,
under the account's user name, whatever the letter case. A name or address
that is no account's counts under itself, lower-cased."""

from django.contrib.auth import get_user_model
from django.db.models import Q

# Where each sign-in form puts the account's identifier.
IDENTIFIER_FIELDS = ("username", "email", "login")


def _identifier(request, credentials) -> str:
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        for name in IDENTIFIER_FIELDS:
            value = source.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def account_key(request, credentials=None) -> str | None:
    identifier = _identifier(request, credentials)
    if not identifier:
        return None
    key = identifier.lower()
    if "@" not in identifier or len(identifier) > 254 or "\x00" in identifier:
        return key
    from allauth.account.models import EmailAddress

    User = get_user_model()
    owners = list(
        User.objects.filter(
            Q(email__iexact=identifier) | Q(pk__in=EmailAddress.objects.filter(email__iexact=identifier).values("user"))
        ).values_list(User.USERNAME_FIELD, flat=True)[:2]
    )
    return owners[0].lower() if len(owners) == 1 else key
