"""{% load search_tags %} {% related_practices page as related %}"""

import logging

from django import template

from cities import page_locales
from search import embeddings
from search.backends import get_backend, hits
from search.similar import similar_practices

register = template.Library()
logger = logging.getLogger(__name__)


@register.simple_tag
def related_practices(page, limit=4):
    """Related case studies for a case-study page, as {"hit", "url"} (a
    result card and its page's URL): with search by meaning, the nearest in
    meaning whatever their language (`search.similar`); otherwise, or until
    the page has its vector, more_like_this on Elasticsearch, shared
    challenges on the database backend. In every language, those of the
    canonical page (the one the index holds), never the practice itself."""
    try:
        page = page_locales.canonical(page) or page
        if embeddings.enabled() and (similar := similar_practices(page.pk, limit)):
            return hits.with_urls(similar)
        return hits.with_urls(get_backend().related(page, limit))
    except Exception:  # never break a case-study page over a recommendation
        logger.exception("Related practices failed for page %s", getattr(page, "pk", None))
        return []


@register.simple_tag
def facet_checked(value):
    return "checked" if value["selected"] else ""
