"""The page in the other interface languages: `hreflang` alternates for the
page head and the language switcher (cms.languages)."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from cities import fragments, page_locales
from cms.languages import alternates

register = template.Library()


@register.simple_tag(takes_context=True)
def language_versions(context):
    """[{code, name, url, absolute_url, switch_url, current}] for every
    interface language in which this page exists, in settings order."""
    request = context.get("request")
    if request is None:
        return []
    page = context.get("page")
    page = page if getattr(page, "pk", None) else None
    # Kept with the page fragments until the next editorial event (a page's
    # translations change only with one).
    found = fragments.remember(
        "language-alternates", [page.pk if page else request.path], lambda: alternates(request, page)
    )
    current = translation.get_language()
    query = request.META.get("QUERY_STRING", "")
    versions = []
    for code, name in settings.LANGUAGES:
        url = found.get(code)
        if not url:
            continue
        target = f"{url}?{query}" if query else url
        versions.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "switch_url": f"{reverse('switch_language', args=[code])}?{urlencode({'next': target})}",
                "current": code == current,
            }
        )
    return versions


@register.filter
def in_active_language(page):
    """`page` (e.g. the site's home page) in the reader's language."""
    return page_locales.in_active_language(page)
