"""Facet values: every value each declared facet may take, with its label
(`search.schema.facet_options`), kept in each process between the events
that change them, and the counts an engine returns turned into the values
a search shows."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.urls import get_script_prefix
from django.utils.functional import cached_property
from django.utils.translation import get_language

from cities.map import Place, read_places

from .. import schema
from .contract import FacetValue
from .urls import HitUrls


class FacetOptions:
    """Every value each facet may take, in display order: value -> label.

    Built once per version of the values (see `load_facet_options`) and
    shared by every search until then, so what each search needs from the
    values (lookup tables, an engine's aggregations, page URLs) is worked
    out here once, not per request."""

    def __init__(self, values: dict[str, dict[str, str]]):
        self.values = values
        # facet -> {value and its lowercase form (Elasticsearch's normaliser
        # lowercases keyword values): (display position, value, label)}
        self._lookup: dict[str, dict[str, tuple[int, str, str]]] = {}
        for facet, labels in values.items():
            table = {}
            for position, (value, label) in enumerate(labels.items()):
                entry = (position, value, label)
                table.setdefault(value.lower(), entry)
                table[value] = entry
            self._lookup[facet] = table
        self._urls: HitUrls | None = None

    def labels(self, facet: str) -> dict[str, str]:
        return self.values.get(facet, {})

    def size(self, facet: str) -> int:
        return len(self.values.get(facet, {}))

    def build(self, facet: str, counts: dict[str, int], selected: tuple[str, ...]) -> list[FacetValue]:
        """The facet's values in display order: those with results, and
        selected ones even at 0. Values the taxonomy does not know (a
        document not yet re-indexed after a rename) are left out."""
        lookup = self._lookup.get(facet, {})
        picked: dict[int, tuple[str, str, int]] = {}
        for key, count in counts.items():
            if count and (entry := lookup.get(key)) is not None:
                picked.setdefault(entry[0], (entry[1], entry[2], count))
        for value in selected:
            if (entry := lookup.get(value)) is not None and entry[0] not in picked:
                picked[entry[0]] = (entry[1], entry[2], 0)
        chosen = set(selected)
        return [
            {"value": value, "label": label, "count": count, "selected": value in chosen}
            for value, label, count in map(picked.__getitem__, sorted(picked))
        ]

    @cached_property
    def city_places(self) -> dict[str, Place]:
        """Where each live, public city is (the search page's map), read
        once per version of the options (city pages' editorial events
        invalidate them, see search.signals)."""
        return read_places()

    @property
    def urls(self) -> HitUrls:
        """Page URLs for result cards: Wagtail's site root paths, read once
        per version of the options (changes to sites and to their root
        pages invalidate the options, see search.signals)."""
        urls = self._urls
        if urls is None or urls.script_prefix != get_script_prefix():
            urls = self._urls = HitUrls()
        return urls


# --- Values every search reads, kept in each process between changes ---


class SharedVersionMemo:
    """A value each thread keeps until it changes anywhere.

    The version lives in the shared cache (Redis in production);
    `changed()` (called by the events that change the value, see
    search.signals and search.indexing) sets a new one, and this process
    drops its copy at once. Other processes look at the version at most
    every `recheck` seconds (a cache round trip), so they follow within that
    time; `ttl` bounds how long a missed event could leave a process behind.
    A copy is kept per active language (labels are translated when loaded)."""

    def __init__(self, key: str, load, ttl: float = 300, recheck: float = 1.0):
        self.key = key
        self.load = load
        self.ttl = ttl
        self.recheck = recheck
        self.generation = 0  # bumped by invalidate() in this process
        self._local = threading.local()

    def _version(self) -> str:
        version = cache.get(self.key)
        if version is None:  # never set, or evicted: start a new version
            cache.add(self.key, uuid.uuid4().hex, None)
            version = cache.get(self.key) or "none"
        return version

    def invalidate(self):
        self.generation += 1
        cache.set(self.key, uuid.uuid4().hex, None)

    def changed(self):
        """The value changed in the current transaction: invalidate now (this
        process, and tests) and again after the commit (so that no other
        process keeps what it read before the commit)."""
        self.invalidate()
        transaction.on_commit(self.invalidate, robust=True)

    def get(self):
        language = get_language() or ""
        kept: dict = getattr(self._local, "memos", None) or {}
        memo: _Kept | None = kept.get(language)
        now = time.monotonic()
        if memo is not None and memo.generation == self.generation and now - memo.loaded_at < self.ttl:
            if now - memo.checked_at < self.recheck:
                return memo.value
            version = self._version()
            if version == memo.version:
                memo.checked_at = now
                return memo.value
        else:
            version = self._version()
        value = self.load()
        self._local.memos = {**kept, language: _Kept(version, self.generation, now, now, value)}
        return value


@dataclass(slots=True)
class _Kept:
    """What a thread keeps for a `SharedVersionMemo`."""

    version: str
    generation: int
    loaded_at: float
    checked_at: float
    value: object


def load_facet_options() -> FacetOptions:
    """The facet values. They change only when a moderator edits a taxonomy,
    or a city or site is published, unpublished, moved, deleted or made
    private: kept between those events (usually no query and no cache round
    trip; see `SharedVersionMemo`)."""
    return facet_options_memo.get()


def read_facet_options() -> FacetOptions:
    """From the database: a fixed number of queries, whatever the size of
    the catalogue."""
    return FacetOptions({facet.name: schema.facet_options(facet) for facet in schema.FACET_LIST})


facet_options_memo = SharedVersionMemo("search:facet-options:version", read_facet_options)
