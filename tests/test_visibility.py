"""cities.visibility: the view restrictions are read once per request, and
a restriction added or removed within the request applies at once (to the
listings and to the search index written in the same request); and the
system check that keeps page fragments out of a per-process cache."""

from wagtail.models import PageViewRestriction

from cities.visibility import request_scope
from practices.factories import CaseStudyPageFactory, publish
from practices.models import CaseStudyPage
from search.models import SearchEntry


def listed_ids():
    return set(CaseStudyPage.objects.listable().values_list("pk", flat=True))


def test_restrictions_are_read_once_per_request_scope(site_tree, django_assert_num_queries):
    page = publish(CaseStudyPageFactory(parent=site_tree["dublin"]))
    with request_scope():
        with django_assert_num_queries(2):  # the restricted paths, then the listing
            assert page.pk in listed_ids()
        with django_assert_num_queries(1):  # the listing only
            assert page.pk in listed_ids()


def test_a_restriction_added_within_a_request_applies_at_once(site_tree):
    page = publish(CaseStudyPageFactory(parent=site_tree["dublin"], title="Soon private"))
    assert SearchEntry.objects.filter(page_id=page.pk).exists()
    with request_scope():
        assert page.pk in listed_ids()  # the restrictions are read (none)
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
        assert page.pk not in listed_ids()
    assert not SearchEntry.objects.filter(page_id=page.pk).exists()  # indexed in the same request, as private


def test_a_restriction_on_a_city_hides_its_case_studies(site_tree):
    page = publish(CaseStudyPageFactory(parent=site_tree["turin"]))
    with request_scope():
        assert page.pk in listed_ids()
        restriction = PageViewRestriction.objects.create(page=site_tree["turin"], restriction_type="login")
        assert page.pk not in listed_ids()
        restriction.delete()
        assert page.pk in listed_ids()


def test_fragment_caching_with_a_per_process_cache_is_warned_about(settings):
    from cities.checks import page_fragment_cache

    settings.PAGE_FRAGMENT_SECONDS = 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in page_fragment_cache()] == ["cities.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/13"}}
    assert page_fragment_cache() == []
    settings.PAGE_FRAGMENT_SECONDS = 0
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert page_fragment_cache() == []
