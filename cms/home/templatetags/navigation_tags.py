"""{% load navigation_tags %} {% site_sections as sections %}: the main navigation."""

from django import template
from wagtail.models import Page

from cities import page_locales
from cities.visibility import private_q

register = template.Library()


@register.simple_tag(takes_context=True)
def site_sections(context):
    """The current site's top-level sections (the root page's live, public
    children), the practice index first, as {"page", "current"} where
    `current` is the item's aria-current value for the page shown ("page",
    "true" for an ancestor or a sub-page of it, or ""). One query (the site
    and its root page are the request's; no ancestor query)."""
    site = context.get("current_site")
    if site is None:
        return []
    shown = context.get("page")
    sections = list(Page.objects.child_of(page_locales.in_active_language(site.root_page)).live().exclude(private_q()).order_by("path"))
    sections.sort(key=lambda section: section.cached_content_type.model != "practiceindexpage")
    items = []
    for section in sections:
        current = ""
        if isinstance(shown, Page) and shown.path.startswith(section.path):
            current = "page" if shown.pk == section.pk and not context.get("challenge") else "true"
        items.append({"page": section, "current": current})
    return items
