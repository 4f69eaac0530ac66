"""Who may moderate peer accounts: the network moderators (the "Moderators"
group of cities.roles) and superusers."""

from cities.roles import MODERATORS_GROUP


def is_moderator(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_accounts_is_moderator", None)
    if cached is None:
        cached = user._accounts_is_moderator = user.groups.filter(name=MODERATORS_GROUP).exists()
    return cached
