from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cities.models import CityPage
from practices.models import CaseStudyPage, PracticeIndexPage


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
        context["latest_practices"] = (
            CaseStudyPage.objects.listable().for_listing().order_by("-first_published_at", "-pk")[:6]
        )
        context["cities"] = CityPage.objects.live().public().order_by("title")
        context["practice_index"] = PracticeIndexPage.objects.live().public().first()
        return context
