"""The official's panel on the Wagtail dashboard: for each city they edit,
a button to add a case study there and the city's case studies that have
changes not yet published (drafts, and pages with a newer draft). Their
pages in review are Wagtail's own panel ("Your pages and snippets in a
workflow"), kept beside this one."""

from django.db.models import Q
from django.urls import reverse
from wagtail.admin.ui.components import Component

from cities.roles import cities_of

from .models import CaseStudyPage

DRAFTS_SHOWN = 10


class CityDashboardPanel(Component):
    name = "city_dashboard"
    template_name = "practices/admin/city_dashboard.html"
    order = 50  # first: the official's own work

    def __init__(self, cities):
        self.cities = cities

    def get_context_data(self, parent_context=None):
        entries = []
        for city in self.cities:
            drafts = (
                CaseStudyPage.objects.filter(city__translation_key=city.translation_key)
                .filter(Q(live=False) | Q(has_unpublished_changes=True))
                .order_by("-latest_revision_created_at", "-pk")
            )
            entries.append({
                "city": city,
                "add_url": reverse(
                    "wagtailadmin_pages:add", args=("practices", "casestudypage", city.pk)
                ),
                "drafts": list(drafts[:DRAFTS_SHOWN]),
                "more_drafts": max(drafts.count() - DRAFTS_SHOWN, 0),
            })
        return {"entries": entries}


def city_dashboard_panel(user):
    """The panel for `user`, or None when they are no city's official."""
    cities = list(cities_of(user).order_by("title"))
    return CityDashboardPanel(cities) if cities else None
