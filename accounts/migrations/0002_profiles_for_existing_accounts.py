"""A profile for every account that existed before profiles: the name is
the user's full name or user name; an official's city is that of their
editors group when they have exactly one (as accounts.profiles does for
accounts made later). Their email addresses are left unconfirmed: a peer
sign-in confirms them once."""

from django.conf import settings
from django.db import migrations


def create_profiles(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Profile = apps.get_model("accounts", "Profile")
    CityPage = apps.get_model("cities", "CityPage")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    city_ids = set(CityPage.objects.values_list("pk", flat=True))
    group_cities = {}
    for group_id, page_id in GroupPagePermission.objects.filter(
        permission__codename="change_page", page_id__in=city_ids
    ).values_list("group_id", "page_id"):
        group_cities.setdefault(group_id, set()).add(page_id)

    for user in User.objects.filter(profile__isnull=True).prefetch_related("groups"):
        cities = set().union(*(group_cities.get(group.pk, set()) for group in user.groups.all()))
        name = " ".join(part for part in (user.first_name, user.last_name) if part).strip()
        Profile.objects.create(
            user=user,
            display_name=(name or user.username)[:80],
            city_id=cities.pop() if len(cities) == 1 else None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_profile_and_suspension"),
        ("wagtailcore", "0098_apitoken"),
        ("cities", "0003_membership_digestdelivery_and_more"),
    ]

    operations = [migrations.RunPython(create_profiles, migrations.RunPython.noop)]
