"""Test settings: fast hashing, in-memory mail, eager tasks unless a test says otherwise."""

import os

# The tests reach no other host: no tile server, the map draws the bundled
# country outlines (read by base.py, which builds the CSP from it).
os.environ.setdefault("MAP_TILE_URL", "")

from .base import *  # noqa: E402, F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
ELASTICSEARCH_URL = ""  # the search tests choose their engine explicitly
# Embedding every case study a test builds would cost a tenth of a second
# each: the tests of search by meaning turn it on (tests/search/test_embeddings.py).
SEARCH_EMBEDDINGS = env_bool("SEARCH_EMBEDDINGS", False)  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = BASE_DIR / ".pytest_media"  # noqa: F405
WAGTAILADMIN_BASE_URL = BASE_URL = "http://testserver"
# Templates only tests use (e.g. a notice kind of the notification tests),
# in this process and in the test Celery worker.
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405
# High enough that no test meets the API's rate limit by accident; the
# throttling tests lower it themselves.
API_ANON_RATE = "1000000/minute"

# A file, not memory, for SQLite test databases: real worker processes
# (Celery) started by the test harness must see the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".pytest_db.sqlite3")}  # noqa: F405

# SQLite test database shared with real worker processes: wait for locks
# instead of failing at once, and let readers and a writer work side by side.
# PYTEST_SQLITE_NAME gives a run its own file (parallel runs in one checkout).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    if os.environ.get("PYTEST_SQLITE_NAME"):  # noqa: F405
        DATABASES["default"]["TEST"] = {"NAME": os.environ["PYTEST_SQLITE_NAME"]}  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).update(  # noqa: F405
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )

# A real Celery worker started by the test harness (tests/services.py) runs
# with these settings plus SCE_TEST_WORKER=1: a real broker instead of eager
# tasks, SMTP to the harness's sink instead of locmem mail, and short digest
# timings (DIGEST_* variables, read in base.py). The harness passes DATABASE_URL
# pointing at the test database.
if os.environ.get("SCE_TEST_WORKER"):  # noqa: F405
    CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]  # noqa: F405
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),  # noqa: F405
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    if os.environ.get("EMAIL_HOST"):  # noqa: F405
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        EMAIL_HOST = os.environ["EMAIL_HOST"]  # noqa: F405
        EMAIL_PORT = int(os.environ["EMAIL_PORT"])  # noqa: F405
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
        DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"  # noqa: F405

# wagtail-localize's own test translator (no service): "Translate" in the
# translation editor fills every segment, which the translation tests use.
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {"CLASS": "wagtail_localize.machine_translators.dummy.DummyTranslator"}
