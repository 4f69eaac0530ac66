import pytest
from wagtail.models import Page, Site

from cities.roles import ensure_site_roles
from practices.factories import (
    CitiesIndexPageFactory,
    CityPageFactory,
    HomePageFactory,
    PracticeIndexPageFactory,
)

# The real-services harness (SMTP sink, Celery worker on Redis), registered
# once so that every test directory shares one worker process per session.
pytest_plugins = ["tests.services"]


@pytest.fixture
def site_tree(db):
    """Home, cities index, practices index and two cities, with the
    moderators group, the Peer review workflow and one editors group per city."""
    root = Page.get_first_root_node()
    Site.objects.all().delete()
    root.get_children().delete()  # Wagtail's placeholder welcome page
    home = HomePageFactory(parent=root)
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="SCE")
    cities = CitiesIndexPageFactory(parent=home)
    practices = PracticeIndexPageFactory(parent=home)
    dublin = CityPageFactory(parent=cities, title="Dublin", slug="dublin", country="IE")
    turin = CityPageFactory(parent=cities, title="Turin", slug="turin", country="IT")
    moderators, workflow = ensure_site_roles(home)
    return {
        "root": root,
        "home": home,
        "cities": cities,
        "practices": practices,
        "dublin": dublin,
        "turin": turin,
        "moderators": moderators,
        "workflow": workflow,
    }


@pytest.fixture
def users(site_tree, django_user_model):
    """A Dublin official, a Turin official and a network moderator."""
    from django.contrib.auth.models import Group

    def make(username, group_name):
        user = django_user_model.objects.create_user(
            username=username, email=f"{username}@example.org", password="pw"
        )
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return {
        "dublin": make("official-dublin", "Dublin editors"),
        "turin": make("official-turin", "Turin editors"),
        "moderator": make("moderator", "Moderators"),
    }
