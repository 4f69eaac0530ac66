"""Test data factories (factory_boy + wagtail-factories). Tests build their
own pages with these; they never depend on the demo content."""

import factory
import wagtail_factories
from django.utils.text import slugify
from wagtail.models import Page, Site

from cities import page_locales
from cities.models import CitiesIndexPage, CityPage, WorkingGroup
from cms.home.models import HomePage

from .models import (
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyPartner,
    Challenge,
    PolicyLever,
    PracticeIndexPage,
    Sector,
    TargetGroup,
)


class TermFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Term {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))

    class Meta:
        abstract = True
        django_get_or_create = ("slug",)


class ChallengeFactory(TermFactory):
    class Meta:
        model = Challenge
        django_get_or_create = ("slug",)


class PolicyLeverFactory(TermFactory):
    class Meta:
        model = PolicyLever
        django_get_or_create = ("slug",)


class SectorFactory(TermFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)


class TargetGroupFactory(TermFactory):
    class Meta:
        model = TargetGroup
        django_get_or_create = ("slug",)


class HomePageFactory(wagtail_factories.PageFactory):
    title = "Solidarity Cities Exchange"
    slug = "home"

    class Meta:
        model = HomePage


class CitiesIndexPageFactory(wagtail_factories.PageFactory):
    title = "Cities"
    slug = "cities"

    class Meta:
        model = CitiesIndexPage


class PracticeIndexPageFactory(wagtail_factories.PageFactory):
    title = "Practices"
    slug = "practices"

    class Meta:
        model = PracticeIndexPage


class CityPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"City {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    country = "IE"
    intro = factory.LazyAttribute(lambda o: f"{o.title} is a member city.")

    class Meta:
        model = CityPage


class CaseStudyPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Case study {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title))
    summary = factory.LazyAttribute(lambda o: f"Summary of {o.title}.")
    start_year = 2020
    status = "running"
    scale = "city"

    class Meta:
        model = CaseStudyPage
        skip_postgeneration_save = True

    @factory.post_generation
    def challenges(self, create, extracted, **kwargs):
        if create and extracted:
            self.challenges.set(extracted)
            self.save()

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            self.sectors.set(extracted)
            self.save()


class CaseStudyPartnerFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Partner {n}")
    organisation_type = "social_enterprise"
    role = "Delivery partner"

    class Meta:
        model = CaseStudyPartner


class CaseStudyOutcomeFactory(factory.django.DjangoModelFactory):
    metric = "People placed in work"
    value = 120
    unit = "people"
    year = 2022

    class Meta:
        model = CaseStudyOutcome


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Working group {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    time_zone = "Europe/Dublin"

    class Meta:
        model = WorkingGroup


def build_site_tree():
    """Home (the default site's root), the cities and practices indexes, and
    two cities, Dublin and Turin, replacing Wagtail's placeholder page."""
    page_locales.ensure_locales()  # the seven locales (a flushed database has none)
    root = Page.get_first_root_node()
    Site.objects.all().delete()
    root.get_children().delete()
    home = HomePageFactory(parent=root)
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="SCE")
    cities = CitiesIndexPageFactory(parent=home)
    practices = PracticeIndexPageFactory(parent=home)
    dublin = CityPageFactory(parent=cities, title="Dublin", slug="dublin", country="IE")
    turin = CityPageFactory(parent=cities, title="Turin", slug="turin", country="IT")
    return {"root": root, "home": home, "cities": cities, "practices": practices, "dublin": dublin, "turin": turin}


def publish(page):
    """Publish `page`'s current state as a moderator's approval does (a
    revision, published) and return it reloaded."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page
