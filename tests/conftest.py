import pytest

from cities.roles import ensure_site_roles
from practices.factories import build_site_tree

# The real-services harness (SMTP sink, Celery worker on Redis) and the
# manage.py-as-a-subprocess helpers (command_db), registered once so that
# every test directory shares one worker process and one migrated database.
pytest_plugins = ["tests.services", "tests.commands"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache and no facet options kept in
    the process (the database is rolled back between tests, caches are not)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import translation

    from cities.page_locales import forget_locales
    from search.backends.facets import facet_options_memo

    cache.clear()
    facet_options_memo.invalidate()
    forget_locales()  # locale ids change when a test flushes the database
    # A request to /it/... leaves Italian active in this thread (Django's
    # LocaleMiddleware activates, nothing deactivates): every test starts
    # in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture
def site_tree(db):
    """Home, cities index, practices index and two cities, with the
    moderators group, the Peer review workflow and one editors group per city."""
    tree = build_site_tree()
    tree["moderators"], tree["workflow"] = ensure_site_roles(tree["home"])
    return tree


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
