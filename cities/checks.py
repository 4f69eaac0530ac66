"""System checks of the cities app's settings."""

from django.conf import settings
from django.core.checks import Warning, register

PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register()
def page_fragment_cache(app_configs=None, **kwargs):
    """Cached page fragments need a cache every process shares (see
    cities.fragments): with a per-process cache, one process would keep
    serving fragments that an editorial event in another has retired."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.PAGE_FRAGMENT_SECONDS > 0 and backend in PER_PROCESS_CACHES:
        return [Warning(
            "PAGE_FRAGMENT_SECONDS is set but the default cache is not shared between processes.",
            hint="Use a shared cache (REDIS_URL) or set PAGE_FRAGMENT_SECONDS=0 when more than one process serves pages.",
            id="cities.W001",
        )]
    return []


@register()
def map_country_outlines(app_configs=None, **kwargs):
    """The map's fallback layer (cities.country_outlines) reads Natural
    Earth's countries from the pyogrio package: without it, a map whose
    tile server does not answer shows its markers on a blank ground."""
    from .country_outlines import OutlinesUnavailable, source_path

    try:
        source_path()
    except OutlinesUnavailable as error:
        return [Warning(
            f"The map's country outlines are unavailable: {error}.",
            hint="Install the project's dependencies (pyogrio ships Natural Earth's 1:110m countries).",
            id="cities.W002",
        )]
    return []
