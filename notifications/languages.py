"""The language each recipient reads their emails in.

This app knows no profile: the first answer of the Wagtail hook
`notification_languages` decides, `fn(users)` → {user pk: language code}
for the users it knows (one call for a whole chunk, so a few queries
whatever its size); a user no hook answers for reads LANGUAGE_CODE. The app
that keeps people's languages (accounts) registers the hook."""

from django.conf import settings
from wagtail import hooks

HOOK = "notification_languages"


def languages_for(users) -> dict:
    """{user pk: language code} for `users`."""
    users = [user for user in users if user is not None]
    found = {}
    for fn in hooks.get_hooks(HOOK):
        missing = [user for user in users if user.pk not in found]
        if not missing:
            break
        for pk, code in (fn(missing) or {}).items():
            if code:
                found.setdefault(pk, code)
    return {user.pk: found.get(user.pk, settings.LANGUAGE_CODE) for user in users}


def language_for(user) -> str:
    """The language of one user (LANGUAGE_CODE for None: an address without an account)."""
    if user is None:
        return settings.LANGUAGE_CODE
    return languages_for([user])[user.pk]
