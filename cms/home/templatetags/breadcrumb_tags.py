"""{% load breadcrumb_tags %} {% breadcrumbs page "Title" url ... "Current" %}:
the trail from Home to the page shown, on every public page (one include,
templates/home/includes/breadcrumb.html), with a schema.org BreadcrumbList.

`page`: a Wagtail page (its ancestors below Home come first, then the page
itself) or None (a Django view: Home, then the items). The items are
titles and URLs in turn, the last one a title alone: the current page,
marked aria-current="page". Without items the page is the current one.
One query for the ancestors of a page three levels or more below Home (a
case study: the cities index and its city), one for the parent of a page
two levels below (none when the page has read it already: a city page);
none otherwise (Home, and a top-level section under it, are the site's)."""

from django import template
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Site

from cities import page_locales

register = template.Library()

HOME_LABEL = _("Home")


def _url(request, path):
    return request.build_absolute_uri(path) if request and path else path


@register.inclusion_tag("home/includes/breadcrumb.html", takes_context=True)
def breadcrumbs(context, page=None, *items):
    request = context.get("request")
    site = context.get("current_site") or (Site.find_for_request(request) if request else None)
    root = page_locales.in_active_language(site.root_page) if site else None  # the home page in the active language
    trail = [{"title": str(HOME_LABEL), "url": root.get_url(request) if root else "/"}]
    if isinstance(page, Page) and root is not None and page.pk != root.pk:
        if page.depth == root.depth + 2:
            # Its parent is a section under Home: treebeard keeps the parent
            # on the page, so a template that read it already pays nothing.
            ancestors = [page.get_parent()]
        elif page.depth > root.depth + 2:
            ancestors = page.get_ancestors().filter(depth__gt=root.depth).only("title", "url_path", "path", "depth")
        else:
            ancestors = []
        trail += [{"title": a.title, "url": a.get_url(request)} for a in ancestors]
        trail.append({"title": page.title, "url": page.get_url(request)})
    items = list(items)
    while len(items) >= 2:
        title, url = items.pop(0), items.pop(0)
        trail.append({"title": str(title), "url": url})
    if items:
        trail.append({"title": str(items[0]), "url": None})
    trail[-1]["url"] = None  # the page shown: not a link
    json_ld = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": item["title"],
             **({"item": _url(request, item["url"])} if item["url"] else {})}
            for i, item in enumerate(trail, 1)
        ],
    }
    return {"trail": trail, "structured_data": json_ld}
