from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Challenge, PolicyLever, Sector, TargetGroup


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
    menu_label = "Taxonomies"
    menu_icon = "tag"
    menu_order = 300
    items = (ChallengeViewSet, PolicyLeverViewSet, SectorViewSet, TargetGroupViewSet)


register_snippet(TaxonomyViewSetGroup)
