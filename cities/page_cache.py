"""Whole responses of public Wagtail pages for anonymous visitors, kept in
the shared cache until the next editorial event.

The key holds the scheme, host and path of the request and the current
*pages version* (`cities.fragments.version()`), which every editorial event
replaces, in its transaction and again after the commit: a publish,
unpublish, move or privacy change shows on the next request in every
process. On, like the fragments, only when `settings.PAGE_FRAGMENT_SECONDS`
is above 0 (a cache every process shares: system check cities.W001).

Served from the cache: GET and HEAD requests with an empty query string
that carry no session or messages cookie, outside the admin, the API and the
digest forms. Stored: only a 200 answer of Wagtail's page serving to such a
GET, for a live page under no view restriction (a password-restricted page
answers 200 with its password form: never stored), outside a preview, that
sets no cookie, queues no message, uses no CSRF token and is not marked
private or no-cache.

`PageCacheMiddleware` sits inside the security, session, CSRF, clickjacking
and Content-Security-Policy middleware: a response served from the cache
passes back through them and gets their headers as a rendered one does.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from . import fragments
from .visibility import restricted_paths

# Never served from, nor stored in, the cache (forms, personal answers).
UNCACHED_PREFIXES = ("/admin/", "/django-admin/", "/api/", "/digests/", "/documents/")
PRIVATE_CACHE_CONTROL = ("private", "no-cache", "no-store")


def _seconds() -> int:
    return settings.PAGE_FRAGMENT_SECONDS


def _cookies_that_matter() -> tuple[str, ...]:
    return (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))


def cacheable_request(request) -> bool:
    """Whether `request` may be answered from (and its answer stored in)
    the cache: anonymous, no query string, a public path."""
    return (
        _seconds() > 0
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and not any(name in request.COOKIES for name in _cookies_that_matter())
        and not request.path.startswith(UNCACHED_PREFIXES)
    )


def cache_key(request) -> str:
    """The key of `request`'s page under the current pages version."""
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"pages:response:{fragments.version()}:{digest}"


def _served_page(request):
    """The page Wagtail's serve view routed `request` to, or None."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "wagtail_serve":
        return None
    route = getattr(request, "_wagtail_route_for_request", None)
    return route[0] if route else None


def _is_public(page) -> bool:
    return page.live and not any(page.path.startswith(path) for path, _depth in restricted_paths())


def storable(request, response) -> bool:
    """Whether `response` to `request` (a cacheable request) is the same for
    every anonymous visitor of the URL and may be stored."""
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in PRIVATE_CACHE_CONTROL) or response.get("Vary", "") == "*":
        return False
    if getattr(request, "is_preview", False):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    if getattr(getattr(request, "_messages", None), "_queued_messages", None):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    page = _served_page(request)
    return page is not None and _is_public(page)


def _stored(response) -> dict:
    return {"content": response.content, "headers": list(response.items())}


def _restored(stored: dict) -> HttpResponse:
    response = HttpResponse(stored["content"])
    for name, value in stored["headers"]:
        response[name] = value
    # The answer depends on the visitor's cookies (none here; a signed-in
    # editor gets another page), as the rendered one says through the session.
    patch_vary_headers(response, ("Cookie",))
    return response


class PageCacheMiddleware:
    """Answers anonymous requests of public pages from the cache, and
    stores the answers that may be (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        key = cache_key(request)
        stored = cache.get(key)
        if stored is not None:
            return _restored(stored)
        response = self.get_response(request)
        if storable(request, response):
            cache.set(key, _stored(response), _seconds())
        return response
