from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def fill_empty_index(sender, using="default", **kwargs):
    """After `migrate`: a database search index that is empty while there
    are public case studies (a new install, or a migration that changed the
    index's columns) is rebuilt, so that search works without a manual step
    (its vectors for search by meaning are left to `search_index --rebuild`
    or the next indexing task: `migrate` stays quick)."""
    from .indexing import indexable_pages, rebuild_entries  # noqa: PLC0415 - models are loaded only now
    from .models import SearchEntry  # noqa: PLC0415

    if not SearchEntry.objects.using(using).exists() and indexable_pages().using(using).exists():
        rebuild_entries(embed=False)


class SearchConfig(AppConfig):
    name = "search"
    label = "search"
    verbose_name = _("Practice search")

    def ready(self):
        from . import checks, signals  # noqa: F401, PLC0415 - signal handlers need the models, loaded only now

        signals.connect()
        post_migrate.connect(fill_empty_index, sender=self, dispatch_uid="search_fill_empty_index")
