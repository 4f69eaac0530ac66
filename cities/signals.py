from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import CityPage
from .roles import ensure_city_editors


@receiver(post_save, sender=CityPage)
def create_city_editors(sender, instance, created, raw=False, **kwargs):
    """Every new city gets its "<City> editors" group at once."""
    if created and not raw:
        ensure_city_editors(instance)
