from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .dashboard import city_dashboard_panel
from .models import (
    CaseStudyPage,
    Challenge,
    PolicyLever,
    PracticeIndexPage,
    Sector,
    TargetGroup,
    paginate,
)


class TermViewSet(SnippetViewSet):
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]
    ordering = ["sort_order", "name"]


class ChallengeViewSet(TermViewSet):
    model = Challenge
    icon = "warning"


class PolicyLeverViewSet(TermViewSet):
    model = PolicyLever
    icon = "cogs"


class SectorViewSet(TermViewSet):
    model = Sector
    icon = "folder-open-inverse"


class TargetGroupViewSet(TermViewSet):
    model = TargetGroup
    icon = "group"


class TaxonomyViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Taxonomies")
    menu_icon = "tag"
    menu_order = 300
    items = (ChallengeViewSet, PolicyLeverViewSet, SectorViewSet, TargetGroupViewSet)


register_snippet(TaxonomyViewSetGroup)


# --- The case studies on the city pages (cities import no practices: they call these) ---


@hooks.register("construct_city_page_context")
def add_city_practices(city_page, request, context):
    """A city page lists the city's listable case studies, newest first, a
    page of PAGE_SIZE at a time."""
    context["practices"] = paginate(
        request,
        CaseStudyPage.objects.listable().child_of(city_page).for_listing().order_by("-first_published_at", "-pk"),
    )
    context["practice_index"] = PracticeIndexPage.public_index()


@hooks.register("construct_cities_index_context")
def add_cities_practices(index_page, request, context):
    """The cities index lists each city's listable case studies by title."""
    context["city_entries"] = CaseStudyPage.objects.listable().by_city(context["cities"])


@hooks.register("construct_homepage_panels")
def add_city_dashboard(request, panels):
    """An official's dashboard opens on their city: add a case study, their drafts."""
    panel = city_dashboard_panel(request.user)
    if panel is not None:
        panels.append(panel)
