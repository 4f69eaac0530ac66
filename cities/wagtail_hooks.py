from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import WorkingGroup


class WorkingGroupViewSet(SnippetViewSet):
    model = WorkingGroup
    icon = "group"
    menu_label = "Working groups"
    menu_order = 310
    add_to_admin_menu = True
    list_display = ["name", "city_names", "time_zone", "default_cadence"]
    search_fields = ["name"]


register_snippet(WorkingGroupViewSet)
