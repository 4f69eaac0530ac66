"""Test settings: fast hashing, in-memory mail, eager tasks unless a test says otherwise."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
ELASTICSEARCH_URL = ""  # the search tests choose their engine explicitly
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = BASE_DIR / ".pytest_media"  # noqa: F405
WAGTAILADMIN_BASE_URL = BASE_URL = "http://testserver"

# A file, not memory, for SQLite test databases: real worker processes
# (Celery) started by the test harness must see the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".pytest_db.sqlite3")}  # noqa: F405
