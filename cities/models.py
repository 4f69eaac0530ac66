import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django_countries.fields import CountryField
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class CitiesIndexPage(Page):
    """The list of member cities. Each city's case studies live under it."""

    intro = models.TextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["cities.CityPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["cities"] = (
            CityPage.objects.child_of(self).live().public().order_by("title")
        )
        context["city_entries"] = self.city_entries(context["cities"])
        return context

    @staticmethod
    def city_entries(cities):
        """(city, its listable case studies) pairs in two queries, for the index template."""
        from practices.models import CaseStudyPage

        cities = list(cities)
        by_city = {city.pk: [] for city in cities}
        practices = (
            CaseStudyPage.objects.listable()
            .filter(city__in=cities)
            .order_by("title", "pk")
        )
        for practice in practices:
            by_city[practice.city_id].append(practice)
        return [(city, by_city[city.pk]) for city in cities]


class CityPage(Page):
    """A member city. Its case studies are its children, so that Wagtail's page
    permissions give each city's officials rights on their own subtree only."""

    country = CountryField(help_text="ISO 3166-1 alpha-2 code.")
    region = models.CharField(max_length=120, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    intro = models.TextField(blank=True, help_text="A short introduction to the city.")
    ecosystem = RichTextField(
        blank=True, features=RICH_TEXT_FEATURES,
        help_text="The city's Social and Solidarity Economy ecosystem: actors, networks, policies.",
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("country"), FieldPanel("region")]),
                FieldPanel("population"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading="Place",
        ),
        FieldPanel("intro"),
        FieldPanel("ecosystem"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.FilterField("country"),
    ]
    parent_page_types = ["cities.CitiesIndexPage"]
    subpage_types = ["practices.CaseStudyPage"]

    class Meta:
        verbose_name = "city"
        verbose_name_plural = "cities"

    @property
    def name(self):
        return self.title

    def get_context(self, request, *args, **kwargs):
        from practices.models import CaseStudyPage, PracticeIndexPage

        context = super().get_context(request, *args, **kwargs)
        context["practices"] = (
            CaseStudyPage.objects.listable()
            .child_of(self)
            .for_listing()
            .order_by("-first_published_at", "-pk")
        )
        context["practice_index"] = PracticeIndexPage.objects.live().public().first()
        context["working_groups"] = self.working_groups.prefetch_related("member_cities")
        return context


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Dublin).")


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    OFF = "off", "Off"


class WorkingGroup(ClusterableModel):
    """Cities exploring one set of challenges together."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    challenges = ParentalManyToManyField("practices.Challenge", blank=True, related_name="working_groups")
    member_cities = ParentalManyToManyField(CityPage, blank=True, related_name="working_groups")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    default_cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("challenges"),
        FieldPanel("member_cities"),
        FieldRowPanel([FieldPanel("time_zone"), FieldPanel("default_cadence")]),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @cached_property
    def city_names(self):
        return ", ".join(c.title for c in self.member_cities.all())
