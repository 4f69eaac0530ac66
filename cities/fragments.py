"""Rendered fragments of public pages, kept in the shared cache until the
next editorial event.

A fragment's cache key holds the current *pages version*, a value in the
shared cache. Every editorial event that can change what a public page shows
calls `changed()` (publish, unpublish, move, delete, privacy, taxonomy,
site, database or Elasticsearch index update: `search.signals` and
`search.indexing`; working groups: `cities.signals`), which sets a new version at once and again after
the commit, so that no process serves a fragment rendered before the change
once it has committed (the version is read from the shared cache for every
fragment, never kept in a process). What no event announces (an image
replaced under the same name) shows within `PAGE_FRAGMENT_SECONDS`.

Fragments are cached only when `settings.PAGE_FRAGMENT_SECONDS` is above 0,
which needs a cache that every process shares (Redis in production): a
per-process cache would leave other processes behind an event. Never in a
preview, and only for fragments whose template varies on everything
personal they show (see the `{% pagefragment %}` tag)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.utils import translation

VERSION_KEY = "pages:fragments:version"


def version() -> str:
    value = cache.get(VERSION_KEY)
    if value is None:  # never set, or evicted: start a new version
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        value = cache.get(VERSION_KEY) or "none"
    return value


def _bump():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def changed():
    """What public pages show changed in the current transaction: a new
    version now (this process) and again after the commit (every process,
    whatever it rendered in between)."""
    _bump()
    transaction.on_commit(_bump, robust=True)


def remember(name: str, values, build):
    """`build()`, kept in the shared cache under `name` and `values` (every
    value the result depends on besides the public pages) until the next
    editorial event; built every time when fragments are not cached
    (`PAGE_FRAGMENT_SECONDS` 0). The active language is part of the key:
    every language has its own copy. What `build()` returns must be
    picklable: rendered HTML, encoded JSON."""
    seconds = settings.PAGE_FRAGMENT_SECONDS
    if not seconds:
        return build()
    key = make_template_fragment_key(name, [version(), translation.get_language(), *values])
    kept = cache.get(key)
    if kept is None:
        kept = build()
        cache.set(key, kept, seconds)
    return kept
