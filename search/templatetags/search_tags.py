"""{% load search_tags %} {% related_practices page as related %}"""

import logging

from django import template

from search.backends import get_backend, hits

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def related_practices(page, limit=4):
    """Related case studies for a case-study page, as {"hit", "url"} (a
    result card and its page's URL): more_like_this on Elasticsearch,
    shared challenges on the database backend."""
    try:
        return hits.with_urls(get_backend().related(page, limit))
    except Exception:  # never break a case-study page over a recommendation
        logger.exception("Related practices failed for page %s", getattr(page, "pk", None))
        return []


@register.simple_tag
def facet_checked(value):
    return "checked" if value["selected"] else ""
