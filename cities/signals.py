from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction
from wagtail.signals import post_page_move

from . import fragments, visibility
from .models import CityPage, WorkingGroup
from .roles import ensure_city_editors


@receiver(post_save, sender=CityPage)
def create_city_editors(sender, instance, created, raw=False, **kwargs):
    """Every new city gets its "<City> editors" group at once."""
    if created and not raw:
        ensure_city_editors(instance)


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
