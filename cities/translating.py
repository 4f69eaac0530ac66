"""Who may translate a page, and a translation sent for review.

wagtail-localize lets anyone with its `submit_translation` permission
translate or sync any page, and publishes a translation directly from its
editor. Here a page is translated only by those who may edit it in every
language it exists in (its city's officials, the moderators), and an
official's translation reaches readers the way any page of theirs does:
submitted to the "Peer review" workflow, published when a moderator
approves it (cities.roles).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from wagtail.models import Page
from wagtail_localize.fields import copy_synchronised_fields
from wagtail_localize.segments.ingest import ingest_segments

SUBMIT_TRANSLATION = "wagtail_localize.submit_translation"


def may_translate(user, page) -> bool:
    """Whether `user` may make, edit and sync the translations of `page`."""
    if not user.has_perm(SUBMIT_TRANSLATION):
        return False
    group = Page.objects.filter(translation_key=page.translation_key)
    return all(other.permissions_for_user(user).can_edit() for other in group)


def may_publish_translations(user, page) -> bool:
    """Whether `user` may publish `page`'s translations without review."""
    group = Page.objects.filter(translation_key=page.translation_key)
    return all(other.permissions_for_user(user).can_publish() for other in group)


def can_submit_for_review(user, translation) -> bool:
    """Whether `user` may send `translation` (its page in the target
    locale, from its strings as they are) to the review workflow."""
    page = translation.get_target_instance()
    return (
        translation.enabled
        and page.alias_of_id is None
        and page.permissions_for_user(user).can_edit()
        and page.get_workflow() is not None
        and not page.workflow_in_progress
    )


def submit_for_review(user, translation):
    """Save the translated page as a draft revision (the live page is left
    as it is) and start its workflow; returns the revision."""
    if not can_submit_for_review(user, translation):
        raise PermissionDenied
    page = translation.get_target_instance()
    source = translation.source
    original = source.as_instance()
    copy_synchronised_fields(original, page)
    # What Translation.save_target() does, but into a revision only: saving
    # the page itself would put the text live before anyone reviews it.
    segments = source._get_segments_for_translation(translation.target_locale, fallback=True)
    ingest_segments(original, page, source.locale, translation.target_locale, segments)
    revision = page.save_revision(user=user)
    page.get_workflow().start(page, user)
    return revision
