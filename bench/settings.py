"""Settings for the benchmarks: the base settings (DATABASE_URL,
ELASTICSEARCH_URL, CELERY_BROKER_URL from the environment), quiet logs and a
URLconf with a bare JSON view beside the real API. With CACHE_URL (a Redis
URL), the cache is Redis and page fragments are cached, as in production."""

import os

from cms.settings.base import *  # noqa: F403

if os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["CACHE_URL"]}}
    PAGE_FRAGMENT_SECONDS = int(os.environ.get("PAGE_FRAGMENT_SECONDS", "600"))

DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.urls"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"elastic_transport": {"level": "WARNING"}},
}
# The Wagtail (admin) search index is filled by the generator in bulk.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": True}}
# The API's rate limit stays in the path (its cost is measured) but far above
# what a benchmark sends from one address.
API_ANON_RATE = "1000000/second"
