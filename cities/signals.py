from contextvars import ContextVar

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import post_page_move

from . import fragments, page_locales, visibility
from .models import CityPage, WorkingGroup
from .roles import ensure_city_editors, share_with_translations


@receiver(post_save, sender=CityPage)
def create_city_editors(sender, instance, created, raw=False, **kwargs):
    """Every new city gets its "<City> editors" group at once."""
    if created and not raw:
        ensure_city_editors(instance)  # its translations and aliases share the group


@receiver(post_save, sender=WorkingGroup)
@receiver(post_delete, sender=WorkingGroup)
@receiver(m2m_changed, sender=WorkingGroup.member_cities.through)
def working_group_changed(sender, **kwargs):
    """City pages show their working groups: their cached fragments go."""
    fragments.changed()


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
@receiver(post_page_move)
def restricted_paths_changed(sender, **kwargs):
    """What this request read of the view restrictions is out of date."""
    visibility.forget()


_mirroring = ContextVar("mirroring_restrictions", default=False)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
@receiver(m2m_changed, sender=PageViewRestriction.groups.through)
def restriction_in_every_language(sender, instance, raw=False, **kwargs):
    """A page's view restrictions hold for its translations and aliases
    (cities.page_locales): a private page is private in every language."""
    if raw or _mirroring.get() or not isinstance(instance, PageViewRestriction):
        return
    token = _mirroring.set(True)
    try:
        page = Page.objects.filter(pk=instance.page_id).first()
        if page is not None:
            page_locales.mirror_restrictions(page)
    finally:
        _mirroring.reset(token)
    visibility.forget()


@receiver(pre_save)
def same_slug_in_every_language(sender, instance, raw=False, **kwargs):
    """A translation keeps its canonical page's slug: a page has the same
    address in every language but for the prefix (/es/, /fr/)."""
    if raw or not isinstance(instance, Page) or instance.pk is None and not instance.translation_key:
        return
    slug = page_locales.slug_of_group(instance)
    if slug and slug != instance.slug:
        instance.slug = slug
        if instance.path:
            instance.set_url_path(instance.get_parent())


@receiver(post_save)
def slug_to_every_language(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, Page) or not issubclass(sender, Page) or sender is Page:
        return
    page_locales.spread_slug(instance)


@receiver(post_page_move)
def move_in_every_language(sender, instance, **kwargs):
    """A practice moved to another city moves in every language."""
    page_locales.follow_move(instance)


@receiver(post_save)
def roles_in_every_language(sender, instance, created, raw=False, **kwargs):
    """A page's translations and aliases, when they are made, get its
    editors' and moderators' rights and its review workflow."""
    if created and not raw and isinstance(instance, Page) and issubclass(sender, Page) and sender is not Page:
        share_with_translations(instance)


@receiver(pre_delete, sender=Page)
def note_pages_in_other_languages(sender, instance, **kwargs):
    """Deleting a page deletes its aliases (which would otherwise become
    pages of their own, showing its content); deleting the canonical page
    (the default language's) deletes the practice in every language. Noted
    before, deleted after the page (not inside its deletion)."""
    instance._going_with = page_locales.going_with(instance)


@receiver(post_delete, sender=Page)
def delete_in_every_language(sender, instance, **kwargs):
    page_locales.delete_pages(getattr(instance, "_going_with", ()))
