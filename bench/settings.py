"""Settings for the benchmarks: the base settings (DATABASE_URL,
ELASTICSEARCH_URL, CELERY_BROKER_URL from the environment), quiet logs and a
URLconf with a bare JSON view beside the real API."""

from cms.settings.base import *  # noqa: F403

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
