"""{% load search_tags %} {% related_practices page as related %}"""

import logging

from django import template

from search.backends import get_backend
from search.backends.facets import load_facet_options

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def related_practices(page, limit=4):
    """Related case studies for a case-study page, as {"hit", "url"} (a
    result card and its page's URL): more_like_this on Elasticsearch,
    shared challenges on the database backend."""
    try:
        hits = get_backend().related(page, limit)
        urls = load_facet_options().urls
        return [{"hit": hit, "url": hit.get_url(urls)} for hit in hits]
    except Exception:  # never break a case-study page over a recommendation
        logger.exception("Related practices failed for page %s", getattr(page, "pk", None))
        return []


@register.simple_tag
def facet_checked(value):
    return "checked" if value["selected"] else ""
