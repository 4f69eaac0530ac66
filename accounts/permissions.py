"""Who moderates: the network moderators (the "Moderators" group of
cities.roles) and superusers; and the admin permission policy of what only
they may do (peer accounts, selections to scale, shortlist entries)."""

from wagtail.permission_policies.base import BasePermissionPolicy

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


class ModeratorsOnly(BasePermissionPolicy):
    """The network moderators (and superusers) may do `actions`; nobody else anything."""

    def __init__(self, model, actions):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and is_moderator(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        return queryset if self.user_has_any_permission(user, actions) else queryset.none()

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model  # noqa: PLC0415

        return get_user_model().objects.none()
