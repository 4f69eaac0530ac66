"""Every account has a profile: made on sign-up, for the accounts that
existed before profiles by a data migration, and otherwise on first need
(`profile_of`), e.g. an official's first request after an administrator
created them."""

from django.db import IntegrityError, transaction

from cities.roles import cities_of

from .models import Profile


def default_display_name(user) -> str:
    return (user.get_full_name() or user.get_username())[:80]


def default_city(user):
    """An official's city: that of their editors group, when they have exactly one."""
    cities = list(cities_of(user)[:2])
    return cities[0] if len(cities) == 1 else None


def profile_of(user) -> Profile:
    """The user's profile, created with defaults if it does not exist yet
    (and kept on the user object for the rest of the request)."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        pass
    profile = Profile(user=user, display_name=default_display_name(user), city=default_city(user))
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:  # made by a concurrent request in the meantime
        profile = Profile.objects.get(user=user)
    user.profile = profile
    return profile
