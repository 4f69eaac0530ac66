from django.db import models
from django.utils.functional import SimpleLazyObject
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cities.map import CityMap, city_markers
from cities.models import CityPage
from cities.routing import DirectChildRouteMixin
from practices.models import PracticeIndexPage
from search.backends import hits

LATEST = 6  # case studies under "Latest practices"


class HomePage(DirectChildRouteMixin, Page):
    """The site root: what the network is, with a way into practices and cities."""

    intro = models.TextField(blank=True, help_text="One or two sentences shown under the title.")
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["cities.CitiesIndexPage", "practices.PracticeIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read when the template first uses them (never, when its fragment is cached).
        context["latest_practices"] = SimpleLazyObject(lambda: hits.with_urls(hits.newest(LATEST)))
        cities = SimpleLazyObject(lambda: list(CityPage.objects.live().public().order_by("title")))
        context["cities"] = cities
        context["city_map"] = SimpleLazyObject(
            lambda: CityMap("Map of the member cities", "member-cities", city_markers(cities))
        )
        context["practice_index"] = PracticeIndexPage.public_index()
        return context
