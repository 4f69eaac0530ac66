from django.dispatch import receiver
from wagtail.signals import page_published, post_page_move

from .models import CaseStudyPage


@receiver(post_page_move)
def resync_city_after_move(sender, instance, **kwargs):
    """A case study moved under another city takes that city."""
    moved = instance.specific
    if isinstance(moved, CaseStudyPage):
        moved.sync_city()
        CaseStudyPage.objects.filter(pk=moved.pk).update(city_id=moved.city_id)


@receiver(page_published, sender=CaseStudyPage)
def published_translation_is_in_its_language(sender, instance, alias=False, **kwargs):
    """A translation, once its text is published, is written in its
    locale's language (until then readers see the text it was made from,
    in that text's language)."""
    if alias or instance.alias_of_id:
        return
    language = instance.locale.language_code
    if instance.language != language and instance.is_translation():
        instance.language = language
        CaseStudyPage.objects.filter(pk=instance.pk).update(language=language)
