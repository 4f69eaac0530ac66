from django.db import models
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cities.map import CityMap, city_markers
from cities.models import CityPage
from cities.routing import DirectChildRouteMixin
from groups.scaling import latest_selected_ids
from practices.models import PracticeIndexPage
from search.backends import hits

LATEST = 6  # case studies under "Latest practices"
SELECTED = 3  # case studies under "Selected to scale"


class HomePage(DirectChildRouteMixin, Page):
    """The site root: in one screen, what the network is for, the search box,
    the practices selected to scale (groups.scaling) and three ways in:
    publish a practice (/publish/), ask a peer (/peers/), join a working
    group (/groups/); then the latest practices and the member cities."""

    intro = models.TextField(blank=True, help_text=_("One or two sentences shown under the title."))
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["cities.CitiesIndexPage", "practices.PracticeIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Read when the template first uses them (never, when its fragment is cached).
        context["latest_practices"] = SimpleLazyObject(lambda: hits.with_urls(hits.newest(LATEST)))
        # Shown only while live and public (the search index holds no others).
        context["selected_practices"] = SimpleLazyObject(
            lambda: hits.with_urls(hits.in_order(latest_selected_ids(SELECTED)))
        )
        cities = SimpleLazyObject(lambda: list(CityPage.objects.live().public().in_language().order_by("title")))
        context["cities"] = cities
        context["city_map"] = SimpleLazyObject(
            lambda: CityMap(gettext("Map of the member cities"), "member-cities", city_markers(cities))
        )
        context["practice_index"] = PracticeIndexPage.public_index()
        return context
