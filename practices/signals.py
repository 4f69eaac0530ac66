from django.dispatch import receiver
from wagtail.signals import post_page_move

from .models import CaseStudyPage


@receiver(post_page_move)
def resync_city_after_move(sender, instance, **kwargs):
    """A case study moved under another city takes that city."""
    moved = instance.specific
    if isinstance(moved, CaseStudyPage):
        moved.sync_city()
        CaseStudyPage.objects.filter(pk=moved.pk).update(city_id=moved.city_id)
