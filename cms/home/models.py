from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cities.models import CityPage
from practices.models import PracticeIndexPage
from search.backends import hits
from search.backends.facets import load_facet_options

LATEST = 6  # case studies under "Latest practices"


class HomePage(Page):
    """The site root: what the network is, with a way into practices and cities."""

    intro = models.TextField(blank=True, help_text="One or two sentences shown under the title.")
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["cities.CitiesIndexPage", "practices.PracticeIndexPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        urls = load_facet_options().urls
        context["latest_practices"] = [{"hit": hit, "url": hit.get_url(urls)} for hit in hits.newest(LATEST)]
        context["cities"] = CityPage.objects.live().public().order_by("title")
        context["practice_index"] = PracticeIndexPage.public_index()
        return context
