"""{% load page_url_tags %} {{ page|url_here }}: a page's address in the
reader's language, whichever language's page it is (every language's page
has the same path but for the prefix: cities.page_urls)."""

from django import template

from cities.page_urls import HitUrls

register = template.Library()


@register.filter
def url_here(page):
    if page is None:
        return ""
    return HitUrls()(page.url_path) or page.get_url()
