from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from cities import fragments
from cities.models import WorkingGroup

from .models import ScaleSelection


@receiver(post_save, sender=ScaleSelection)
@receiver(post_delete, sender=ScaleSelection)
@receiver(m2m_changed, sender=WorkingGroup.challenges.through)
def shown_in_fragments_changed(sender, **kwargs):
    """"Selected to scale" shows on case study and group pages, a group's
    challenges decide its page's case studies: their cached fragments go.
    (The shortlist and its votes are never cached.)"""
    fragments.changed()
