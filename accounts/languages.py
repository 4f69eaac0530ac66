"""The one language a person reads the site's emails in (settings.LANGUAGES),
whether or not they chose it:

1. the language chosen on their profile (set at sign-up from the language
   of the pages they signed up on, changed on the profile page);
2. otherwise, for staff and officials who never chose one, the Wagtail
   admin's own preferred language (their account settings in the admin);
3. otherwise the first spoken language of their city (the city on their
   profile, or the one city whose editors group they belong to) that the
   interface has;
4. otherwise settings.LANGUAGE_CODE.

`known_languages(users)` answers (1. to 3.) for many people in three
queries; this app registers it as notifications' `notification_languages`
hook (wagtail_hooks), which is how every email (notices and digests)
learns it, notifications falling back to LANGUAGE_CODE."""

from django.conf import settings
from django.utils import translation
from wagtail.users.models import UserProfile

from cities.models import CityPage

from .models import Profile


def interface_language(code) -> str | None:
    """`code` as one of settings.LANGUAGES ("pt-br" → "pt"), or None."""
    if not code:
        return None
    codes = {c for c, _name in settings.LANGUAGES}
    code = str(code).lower().replace("_", "-")
    for candidate in (code, code.split("-")[0]):
        if candidate in codes:
            return candidate
    return None


def signup_language() -> str:
    """The language a new account starts with: that of the request being
    answered (LocaleMiddleware sets it from the URL), else LANGUAGE_CODE."""
    return interface_language(translation.get_language()) or settings.LANGUAGE_CODE


def _first_interface_language(codes):
    for code in codes or ():
        language = interface_language(code)
        if language:
            return language
    return None


def known_languages(users) -> dict:
    """{user pk: language code} for those of `users` with a language of
    their own, a preferred one in the admin or a city (1. to 3. of the
    module's docstring): three queries whatever their number."""
    ids = {user.pk for user in users}
    if not ids:
        return {}
    chosen, profile_city = {}, {}
    for user_id, language, city_languages in Profile.objects.filter(user_id__in=ids).values_list(
        "user_id", "language", "city__languages"
    ):
        if interface_language(language):
            chosen[user_id] = interface_language(language)
        elif city_languages:
            profile_city[user_id] = city_languages
    admin_preferred = {
        user_id: interface_language(code)
        for user_id, code in UserProfile.objects.filter(user_id__in=ids - chosen.keys())
        .exclude(preferred_language="")
        .values_list("user_id", "preferred_language")
    }
    official_cities = {}
    for user_id, city_languages in (
        CityPage.objects.filter(
            group_permissions__group__user__in=ids - chosen.keys(),
            group_permissions__permission__codename="change_page",
        )
        .values_list("group_permissions__group__user", "languages")
        .distinct()
    ):
        official_cities.setdefault(user_id, []).append(city_languages)
    result = {}
    for user_id in ids:
        own_city = profile_city.get(user_id)
        if own_city is None and len(official_cities.get(user_id, ())) == 1:
            own_city = official_cities[user_id][0]
        language = (
            chosen.get(user_id)
            or admin_preferred.get(user_id)
            or _first_interface_language(own_city)
        )
        if language:
            result[user_id] = language
    return result


def language_for(user) -> str:
    """The language `user` reads the site's emails in."""
    return known_languages([user]).get(user.pk) or settings.LANGUAGE_CODE
