"""Who may do what with transfers and relations, decided here only.

An official acts for the cities of their "<City> editors" groups
(`cities.roles.cities_of`); a moderator (the "Moderators" group, or a
superuser) for every city. For a transfer of A's case study by city B, and
a relation from B's case study to A's:

* B's officials (and moderators) record it, edit it and delete it;
* A's officials (and moderators) accept or decline it;
* the officials of both cities (and moderators) see it in the admin;
  anyone else, another city's official included, does not (404).

A peer without a city records nothing.

Questions (`exchange.questions`): any signed-in peer who is not suspended
asks the city of a public case study (its own officials excepted: the
questions come to them); that city's officials (and moderators) see and
answer them; anyone else, another city's official included, does not see
them in the admin (404); only moderators hide a question or an answer."""

from __future__ import annotations

from functools import cached_property

from django.db.models import Q
from django.utils.translation import gettext
from wagtail.permission_policies.base import BasePermissionPolicy

from accounts.suspension import is_suspended
from cities.models import CityPage
from cities.roles import MODERATORS_GROUP, cities_of
from cities.visibility import is_public


class Actor:
    """A signed-in user as the exchange sees them (read once per request)."""

    def __init__(self, user):
        self.user = user

    @classmethod
    def of(cls, user) -> Actor:
        actor = getattr(user, "_exchange_actor", None)
        if actor is None:
            actor = cls(user)
            if user is not None and getattr(user, "is_authenticated", False):
                user._exchange_actor = actor
        return actor

    @cached_property
    def active(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated and self.user.is_active)

    @cached_property
    def is_moderator(self) -> bool:
        if not self.active:
            return False
        return self.user.is_superuser or self.user.groups.filter(name=MODERATORS_GROUP).exists()

    @cached_property
    def city_ids(self) -> frozenset[int]:
        """The cities this user is an official of."""
        if not self.active:
            return frozenset()
        return frozenset(cities_of(self.user).values_list("pk", flat=True))

    def cities(self):
        """The cities this user may record for (every city for a moderator)."""
        if self.is_moderator:
            return CityPage.objects.canonical().order_by("title")
        return CityPage.objects.canonical().filter(pk__in=self.city_ids).order_by("title")

    @property
    def may_record(self) -> bool:
        return self.is_moderator or bool(self.city_ids)

    def acts_for(self, city_id) -> bool:
        return self.is_moderator or (city_id is not None and city_id in self.city_ids)

    # Transfers: B is the adopting city, A the source's city.

    def may_edit_transfer(self, transfer) -> bool:
        return self.acts_for(transfer.adopting_city_id)

    def may_decide_transfer(self, transfer) -> bool:
        return self.acts_for(transfer.source.city_id)

    def transfers(self, queryset):
        """The transfers of `queryset` this user sees in the admin."""
        if self.is_moderator:
            return queryset
        ids = list(self.city_ids)
        return queryset.filter(Q(adopting_city__in=ids) | Q(source__city__in=ids))

    def editable_transfers(self, queryset):
        return queryset if self.is_moderator else queryset.filter(adopting_city__in=list(self.city_ids))

    # Relations: B's case study is `from_page`, A's is `to_page`.

    def may_edit_relation(self, relation) -> bool:
        return self.acts_for(relation.from_page.city_id)

    def may_decide_relation(self, relation) -> bool:
        return self.acts_for(relation.to_page.city_id)

    def relations(self, queryset):
        if self.is_moderator:
            return queryset
        ids = list(self.city_ids)
        return queryset.filter(Q(from_page__city__in=ids) | Q(to_page__city__in=ids))

    def editable_relations(self, queryset):
        return queryset if self.is_moderator else queryset.filter(from_page__city__in=list(self.city_ids))

    # Questions: asked of the case study's city.

    def why_not_ask(self, page) -> str:
        """Why this user may not ask the city of `page` a question ("" if they may)."""
        if not self.active:
            return gettext("Sign in to ask a question.")
        if is_suspended(self.user):
            return gettext("Your account is suspended.")
        if page.pk is None or not is_public(page) or page.city_id is None:
            return gettext("Questions can be asked about published case studies only.")
        if page.city_id in self.city_ids and not self.is_moderator:
            return gettext(
                "You are an official of %(city)s: questions about its case studies come to you, in the admin."
            ) % {"city": page.city.title}
        return ""

    def may_ask(self, page) -> bool:
        return not self.why_not_ask(page)

    def may_answer(self, question) -> bool:
        return self.acts_for(question.case_study.city_id)

    def questions(self, queryset):
        """The questions of `queryset` this user sees in the admin."""
        if self.is_moderator:
            return queryset
        return queryset.filter(case_study__city__in=list(self.city_ids))


class ExchangePermissionPolicy(BasePermissionPolicy):
    """Wagtail's permission policy for transfers and relations: any official
    or moderator may add and list (the listings show only what they may
    see); changing and deleting an item is for its recording side."""

    actions = ("add", "change", "delete", "view")

    def user_has_permission(self, user, action):
        return action in self.actions and Actor.of(user).may_record

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        actor = Actor.of(user)
        if action not in self.actions or not actor.may_record:
            return False
        if action in ("change", "delete"):
            if hasattr(instance, "adopting_city_id"):
                return actor.may_edit_transfer(instance)
            return actor.may_edit_relation(instance)
        return True

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, action, instance) for action in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        actor = Actor.of(user)
        queryset = self.model._default_manager.all()
        if not actor.may_record:
            return queryset.none()
        if self.model.__name__ == "Transfer":
            return actor.editable_transfers(queryset)
        return actor.editable_relations(queryset)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model  # noqa: PLC0415

        return get_user_model().objects.none()
