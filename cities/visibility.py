"""What the public may see of the page tree: live pages that are under no
view restriction (a restricted page and everything below it is private).

Wagtail's `PageQuerySet.public()` reads every view restriction, with its
page, each time it is called, and a page of this site lists several things.
Here the restricted paths are read once per request (inside
`request_scope()`, which `VisibilityMiddleware` opens around each GET and
HEAD request) and on every call outside one (other requests, tasks,
commands, shells), so a request lists against the restrictions as they were
when it started, never older; a restriction saved or deleted, or a page
moved, inside a scope drops what it read.
Every app lists public pages through `VisiblePageQuerySet.public()` (page
managers) or `private_q()` (a relation to pages)."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Q
from wagtail.models import PageManager, PageViewRestriction
from wagtail.query import PageQuerySet

from .page_locales import canonical_q, page_language

_scope: ContextVar[dict | None] = ContextVar("visibility_scope", default=None)


def restricted_paths() -> tuple[tuple[str, int], ...]:
    """(path, depth) of every page carrying a view restriction: one query,
    once per request scope."""
    scope = _scope.get()
    if scope is not None and "paths" in scope:
        return scope["paths"]
    paths = tuple(PageViewRestriction.objects.order_by("page__path").values_list("page__path", "page__depth"))
    if scope is not None:
        scope["paths"] = paths
    return paths


def private_q(prefix: str = "") -> Q:
    """A condition matching the private pages (`prefix`: the relation to
    the page, e.g. "page__"); matches nothing when no page is restricted."""
    q = Q()
    for path, depth in restricted_paths():
        q |= Q(**{f"{prefix}path__startswith": path, f"{prefix}depth__gte": depth})
    return q if q else Q(pk__in=[])


def is_public(page) -> bool:
    """Whether the public may see `page` (anything with `live` and `path`):
    live and under no view restriction. No query once the request has read
    the restrictions."""
    return bool(page.live) and not any(page.path.startswith(path) for path, _depth in restricted_paths())


@contextmanager
def request_scope():
    """Read the restrictions at most once inside this block."""
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def scope():
    """`request_scope()` unless one is open already (a request's): code that
    checks many pages reads the restrictions once, in a task or a command too."""
    if _scope.get() is not None:
        yield
        return
    with request_scope():
        yield


def forget():
    """Drop what the current scope read (a restriction was added or removed,
    or a page moved, in this request: see cities.signals)."""
    scope = _scope.get()
    if scope is not None:
        scope.clear()


class VisibilityMiddleware:
    """Opens a `request_scope()` around each GET and HEAD request (requests
    that change pages, and so may change restrictions, read them anew every
    time)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with request_scope():
            return self.get_response(request)


class VisiblePageQuerySet(PageQuerySet):
    """Wagtail's page queryset, whose `public()` / `private()` read the
    restricted paths once per request."""

    def private_q(self):
        return private_q()

    def canonical(self):
        """One page per translation group: the default language's, which
        stands for it wherever pages are counted or listed as data (the
        search index, digests, feeds, exports, counts; cities.page_locales)."""
        return self.filter(canonical_q())

    def in_language(self, language=None):
        """The pages of the active language's tree (or `language`'s): what a
        page in that language lists and links to."""
        return self.filter(locale__language_code=page_language(language))


VisiblePageManager = PageManager.from_queryset(VisiblePageQuerySet)
