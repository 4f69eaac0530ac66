"""Index on editorial events, not on raw saves.

Published, unpublished, moved, deleted, privacy changed, taxonomy renamed,
city republished: the affected case-study ids go to a Celery task after the
transaction commits. Sending never fails an editor's action: errors are
logged, and `search_index --check --fix` is the net.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import indexing

logger = logging.getLogger(__name__)


def _send(page_ids, es_url, index):
    from .tasks import update_pages

    try:
        update_pages.delay(sorted(page_ids), es_url, index)
    except Exception:
        logger.exception(
            "Search indexing of pages %s failed; `search_index --check --fix` will repair the drift", page_ids
        )


def schedule(page_ids):
    """Queue an index update for these pages once the transaction commits."""
    page_ids = {int(i) for i in page_ids}
    if not page_ids or not indexing.enabled():
        return
    target = (settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_INDEX)
    transaction.on_commit(lambda: _send(page_ids, *target), robust=True)


def _ids_for_page(page):
    from wagtail.models import Page

    from cities.models import CityPage
    from practices.models import CaseStudyPage

    if page.specific_class is CaseStudyPage:
        return [page.pk]
    page = Page.objects.filter(pk=page.pk).first()  # the path after a move
    if page is not None and (page.specific_class is CityPage or page.numchild):
        return indexing.case_study_ids_under(page)
    return []


def on_publish_change(sender, instance, **kwargs):
    try:
        schedule(_ids_for_page(instance))
    except Exception:
        logger.exception("Search indexing hook failed for page %s", instance.pk)


def on_case_study_deleted(sender, instance, **kwargs):
    schedule([instance.pk])


def on_restriction_change(sender, instance, **kwargs):
    try:
        schedule(indexing.case_study_ids_under(instance.page))
    except Exception:
        logger.exception("Search indexing hook failed for restriction %s", instance.pk)


def on_term_saved(sender, instance, created=False, raw=False, **kwargs):
    if created or raw:
        return
    schedule(instance.case_studies.values_list("pk", flat=True))


def on_term_deleting(sender, instance, **kwargs):
    # Collected before the rows go; indexed after the commit.
    schedule(list(instance.case_studies.values_list("pk", flat=True)))


def connect():
    from practices.models import TAXONOMIES, CaseStudyPage

    page_published.connect(on_publish_change, dispatch_uid="search_page_published")
    page_unpublished.connect(on_publish_change, dispatch_uid="search_page_unpublished")
    post_page_move.connect(on_publish_change, dispatch_uid="search_page_moved")
    post_delete.connect(on_case_study_deleted, sender=CaseStudyPage, dispatch_uid="search_page_deleted")
    post_save.connect(on_restriction_change, sender=PageViewRestriction, dispatch_uid="search_restriction_saved")
    post_delete.connect(on_restriction_change, sender=PageViewRestriction, dispatch_uid="search_restriction_deleted")
    for model in TAXONOMIES.values():
        post_save.connect(on_term_saved, sender=model, dispatch_uid=f"search_term_saved_{model.__name__}")
        pre_delete.connect(on_term_deleting, sender=model, dispatch_uid=f"search_term_deleting_{model.__name__}")
