"""Index on editorial events, not on raw saves.

Published, unpublished, moved, deleted, privacy changed, taxonomy renamed or
deleted, city republished, a transfer recorded, answered, changed or deleted
(`exchange`: "Adapted by N cities" is on the card, a facet and a sort): the
affected case studies are re-read and

* the database index (`SearchEntry`) is written at once, inside the editor's
  transaction, so it commits (or rolls back) with the change itself; an event
  touching more than settings.SEARCH_SYNC_LIMIT case studies (a city moved, a
  busy challenge renamed) is handed to Celery instead, after the commit, so
  that the editor's request stays short;
* the Elasticsearch index, and the vectors of search by meaning
  (`search.embeddings`, computed in the task, never in the editor's
  request), are updated by a Celery task after the transaction commits; the update is first recorded in the outbox, in the editor's
  transaction, and re-sent by beat until the task has done it
  (`search.queue`, `search.outbox`).

Indexing never fails an editor's action: errors are logged, and
`search_index --check --fix` is the net for what no event told. Events that change the facet values
(taxonomies, cities, view restrictions) also invalidate the cached facet
options (see `backends.facets.load_facet_options`), and so do changes to sites
and their root pages (the options keep the site root paths for result URLs).
Every event, on any page, also retires the cached page fragments
(`cities.fragments`).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cities import fragments, page_locales
from cities.models import CityPage
from exchange.adoption import sources_adopted_by_cities_under
from exchange.models import Relation, Transfer
from practices.models import TAXONOMIES, CaseStudyPage

from . import embeddings, indexing, queue
from .backends.facets import facet_options_memo

logger = logging.getLogger(__name__)


def schedule(page_ids):
    """Update both indexes for these pages (see the module docstring)."""
    page_ids = {int(i) for i in page_ids}
    if not page_ids:
        return
    in_background = len(page_ids) > settings.SEARCH_SYNC_LIMIT
    if not in_background:
        try:
            with transaction.atomic():  # a savepoint: a failure leaves the editor's change intact
                indexing.update_entries(page_ids)
        except Exception:
            logger.exception("Database search index update of pages %s failed", sorted(page_ids))
    if in_background or indexing.enabled() or embeddings.enabled():
        queue.send_after_commit(page_ids, database=in_background)


def facet_values_changed():
    facet_options_memo.changed()


def canonical_ids(page) -> list[int]:
    """The index entry a case study's change touches: its translation
    group's canonical page (`cities.page_locales`), which holds the text of
    the original and of every translation; an alias or a translation never
    has an entry of its own."""
    if page_locales.is_canonical(page):
        return [page.pk]
    canonical = CaseStudyPage.objects.filter(
        translation_key=page.translation_key, locale_id=page_locales.default_locale_id()
    ).values_list("pk", flat=True).first()
    return [canonical] if canonical is not None else []


def _ids_for_page(page):
    if page.specific_class is CaseStudyPage:
        return canonical_ids(page)
    page = Page.objects.filter(pk=page.pk).first()  # the path after a move
    if page is not None and (page.specific_class is CityPage or page.is_site_root()):
        # New city values, or new site root paths (result card URLs).
        facet_values_changed()
    if page is not None and (page.specific_class is CityPage or page.numchild):
        # The case studies under it, and those its cities adapt ("Adapted
        # by N cities" counts only cities the public sees).
        return indexing.case_study_ids_under(page) + sources_adopted_by_cities_under(page)
    return []


def on_publish_change(sender, instance, **kwargs):
    fragments.changed()  # any page: titles, menus and listings are in other pages' fragments
    try:
        schedule(_ids_for_page(instance))
    except Exception:
        logger.exception("Search indexing hook failed for page %s", instance.pk)


def on_page_deleted(sender, instance, **kwargs):
    fragments.changed()


def on_alias_created(sender, instance, created=False, raw=False, **kwargs):
    """A practice written in another language gets its default-language
    page, the canonical one, as an alias (`page_locales.complete`) after its
    original was published: the entry is written then."""
    if not created or raw or not instance.alias_of_id or not instance.live:
        return
    try:
        if page_locales.is_canonical(instance):
            schedule([instance.pk])
    except Exception:
        logger.exception("Search indexing hook failed for alias %s", instance.pk)


def on_case_study_deleted(sender, instance, **kwargs):
    # The database index row went with the page (on_delete=CASCADE).
    if page_locales.is_canonical(instance):
        if indexing.enabled():
            queue.send_after_commit({instance.pk})
        return
    # A translation or an alias: its group's entry loses its text once the
    # deletion has committed (the canonical page may be going too).
    key = instance.translation_key

    def reindex():
        try:
            canonical = CaseStudyPage.objects.filter(
                translation_key=key, locale_id=page_locales.default_locale_id()
            ).values_list("pk", flat=True).first()
            if canonical is not None:
                schedule([canonical])
        except Exception:
            logger.exception("Search indexing hook failed for deleted page %s", instance.pk)

    transaction.on_commit(reindex, robust=True)


def on_city_deleted(sender, instance, **kwargs):
    facet_values_changed()


def on_site_change(sender, instance, **kwargs):
    # Result card URLs are built from the site root paths kept with the options.
    facet_values_changed()
    fragments.changed()


def on_restriction_change(sender, instance, **kwargs):
    try:
        facet_values_changed()
        fragments.changed()
        schedule(indexing.case_study_ids_under(instance.page) + sources_adopted_by_cities_under(instance.page))
    except Exception:
        logger.exception("Search indexing hook failed for restriction %s", instance.pk)


def on_term_saved(sender, instance, created=False, raw=False, **kwargs):
    facet_values_changed()
    fragments.changed()
    if created or raw:
        return
    schedule(instance.case_studies.values_list("pk", flat=True))


def on_term_deleting(sender, instance, **kwargs):
    # Collected before the rows go; indexed once they have gone.
    instance._search_case_study_ids = list(instance.case_studies.values_list("pk", flat=True))


def on_term_deleted(sender, instance, **kwargs):
    facet_values_changed()
    fragments.changed()
    schedule(getattr(instance, "_search_case_study_ids", []))


def on_transfer_saved(sender, instance, raw=False, **kwargs):
    """A transfer recorded, answered or changed: its case study's "Adapted
    by N cities" (both indexes: the card, a facet, a sort) and the pages
    that show it (both cities', the network) follow, like a publish."""
    fragments.changed()
    if raw:
        return
    try:
        schedule([instance.source_id])
    except Exception:
        logger.exception("Search indexing hook failed for transfer %s", instance.pk)


def on_transfer_deleted(sender, instance, **kwargs):
    """A transfer deleted, perhaps with its case study (a cascade): the
    index follows once the deletion has committed, when the case study is
    either still there or gone with its index row."""
    fragments.changed()
    source_id = instance.source_id

    def reindex():
        try:
            schedule([source_id])
        except Exception:
            logger.exception("Search indexing hook failed for deleted transfer %s", instance.pk)

    transaction.on_commit(reindex, robust=True)


def on_relation_change(sender, instance, **kwargs):
    """Both case studies show their relations (no index field)."""
    fragments.changed()


def connect():
    page_published.connect(on_publish_change, dispatch_uid="search_page_published")
    page_unpublished.connect(on_publish_change, dispatch_uid="search_page_unpublished")
    post_page_move.connect(on_publish_change, dispatch_uid="search_page_moved")
    post_delete.connect(on_page_deleted, sender=Page, dispatch_uid="search_any_page_deleted")
    post_delete.connect(on_case_study_deleted, sender=CaseStudyPage, dispatch_uid="search_page_deleted")
    post_save.connect(on_alias_created, sender=CaseStudyPage, dispatch_uid="search_alias_created")
    post_delete.connect(on_city_deleted, sender=CityPage, dispatch_uid="search_city_deleted")
    post_save.connect(on_site_change, sender=Site, dispatch_uid="search_site_saved")
    post_delete.connect(on_site_change, sender=Site, dispatch_uid="search_site_deleted")
    post_save.connect(on_restriction_change, sender=PageViewRestriction, dispatch_uid="search_restriction_saved")
    post_delete.connect(on_restriction_change, sender=PageViewRestriction, dispatch_uid="search_restriction_deleted")
    post_save.connect(on_transfer_saved, sender=Transfer, dispatch_uid="search_transfer_saved")
    post_delete.connect(on_transfer_deleted, sender=Transfer, dispatch_uid="search_transfer_deleted")
    post_save.connect(on_relation_change, sender=Relation, dispatch_uid="search_relation_saved")
    post_delete.connect(on_relation_change, sender=Relation, dispatch_uid="search_relation_deleted")
    for model in TAXONOMIES.values():
        name = model.__name__
        post_save.connect(on_term_saved, sender=model, dispatch_uid=f"search_term_saved_{name}")
        pre_delete.connect(on_term_deleting, sender=model, dispatch_uid=f"search_term_deleting_{name}")
        post_delete.connect(on_term_deleted, sender=model, dispatch_uid=f"search_term_deleted_{name}")
