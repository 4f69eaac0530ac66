"""The small interface every practice-search backend implements.

A `SearchQuery` goes in, a `SearchResult` comes out. Both backends
(`ElasticsearchBackend`, `DatabaseBackend`) honour the same contract:

* several values inside one facet are OR-ed, facets are AND-ed;
* each facet's counts apply every *other* facet's filters but not its own
  (the multi-select facet pattern);
* facet values come from the taxonomies and cities (`load_facet_options`),
  never from what the engine happens to return; a value is listed when it has
  results or is selected (selected values with 0 results still show);
* hits are live, public case studies, in order, as `SearchHit`s read from
  the backend's own index (what a result card shows), never from drafts.
"""

from __future__ import annotations

import functools
import html
import math
import re
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from typing import NamedTuple, TypedDict

from django.utils.safestring import SafeString

DEFAULT_PAGE_SIZE = 12
MAX_PAGE_SIZE = 50
MAX_QUERY_LENGTH = 500
MAX_QUERY_WORDS = 12
YEAR_BUCKET = 5  # the start-year facet groups years in 5-year ranges

# Facet name (also the URL parameter) -> label shown to people.
FACETS = {
    "challenge": "Challenge",
    "city": "City",
    "country": "Country",
    "sector": "Sector",
    "policy_lever": "Policy lever",
    "target_group": "Target group",
    "status": "Status",
    "start_year": "Start year",
}

SORTS = {
    "relevance": "Relevance",
    "newest": "Newest",
    "oldest": "Oldest",
    "start_year": "Start year (most recent first)",
}

# Highlight markers the engines put around matches; turned into <mark> after
# escaping, so highlighted fragments are always safe HTML.
MARK_START = "\ue000"
MARK_END = "\ue001"


class SearchBackendError(Exception):
    """The engine failed (unreachable, timed out, answered an error)."""


class FacetTruncatedError(SearchBackendError):
    """An aggregation did not return every value of a facet."""


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    year_from: int | None = None
    year_to: int | None = None

    def __post_init__(self):
        # Normalise: tuple values, no empty facets, known sort.
        clean = {k: tuple(dict.fromkeys(v)) for k, v in (self.filters or {}).items() if v}
        object.__setattr__(self, "filters", clean)
        object.__setattr__(self, "text", (self.text or "").strip())

    @property
    def words(self) -> list[str]:
        return [w for w in re.findall(r"\w+", self.text.lower())][:MAX_QUERY_WORDS]

    @property
    def effective_sort(self) -> str:
        """Relevance without text means nothing: browse newest first."""
        if self.sort == "relevance" and not self.words:
            return "newest"
        return self.sort

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def filters_except(self, facet: str) -> dict[str, tuple[str, ...]]:
        return {k: v for k, v in self.filters.items() if k != facet}

    def with_page(self, page: int) -> SearchQuery:
        return replace(self, page=page)


class FacetValue(TypedDict):
    """One value of a facet. A plain dict, so that the API sends it as it
    is (a search lists dozens of them); templates read `value.label` all
    the same."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass
class PageInfo:
    page: int
    page_size: int
    total: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.page_size + 1

    @property
    def end_index(self) -> int:
        return min(self.total, self.page * self.page_size)


class TermList(list):
    """A list that reads like a related manager in templates (`.all`)."""

    def all(self):
        return self


# The small parts of a hit are named tuples: a search builds several per hit.
class HitTerm(NamedTuple):
    slug: str
    name: str


@functools.lru_cache(maxsize=1024)
def _country_name(code: str, language: str) -> str:
    from django_countries import countries

    return str(countries.name(code) or code)


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in the active language, or in `language` (the
    caller's get_language(), read once for many names). Cached: the lookup
    goes through gettext."""
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or ""
    return _country_name(code, language)


class HitCountry(NamedTuple):
    code: str

    @property
    def name(self) -> str:
        return country_name(self.code)

    def __str__(self):
        return self.code


class HitCity(NamedTuple):
    slug: str
    title: str
    country_code: str

    @property
    def country(self) -> HitCountry | None:
        return HitCountry(self.country_code) if self.country_code else None


@dataclass(slots=True)
class SearchHit:
    """One result, as the index stores it: everything a result card and the
    API show, without touching the page tables."""

    pk: int
    title: str
    summary: str
    url_path: str
    language: str = ""
    city: HitCity | None = None
    challenges: TermList = field(default_factory=TermList)
    start_year: int | None = None
    end_year: int | None = None
    status: str = ""

    @classmethod
    def build(cls, pk, *, title, summary, url_path, language, city, city_name, country, challenges,
              challenge_names, start_year, end_year, status) -> SearchHit:
        return cls(
            pk=int(pk),
            title=title,
            summary=summary or "",
            url_path=url_path or "",
            language=language or "",
            city=HitCity(city, city_name or city, country or "") if city else None,
            challenges=TermList(map(HitTerm, challenges, challenge_names)) if challenges else TermList(),
            start_year=start_year,
            end_year=end_year,
            status=status or "",
        )

    @property
    def years(self) -> str:
        from practices.models import format_years

        return format_years(self.start_year, self.end_year, self.status)

    def get_url(self, urls: HitUrls) -> str | None:
        return urls(self.url_path)


class HitUrls:
    """Page URLs from stored url_paths, as `Page.get_url` gives them:
    relative on a single site, absolute with several. Reads Wagtail's cached
    site root paths once (no query, and no per-request site lookup); the
    search code uses the one its `FacetOptions` keeps."""

    def __init__(self):
        from django.conf import settings
        from django.urls import get_script_prefix, reverse
        from wagtail.models import Site

        self.script_prefix = get_script_prefix()
        self.roots = Site.get_site_root_paths()
        self.single_site = len({root.site_id for root in self.roots}) == 1
        self.append_slash = getattr(settings, "WAGTAIL_APPEND_SLASH", True)
        self.prefix = reverse("wagtail_serve", args=("",))  # where Wagtail's URLs are mounted

    def __call__(self, url_path: str) -> str | None:
        from urllib.parse import quote

        for root in self.roots:
            if url_path.startswith(root.root_path):
                # What reverse("wagtail_serve", ...) gives, without resolving
                # the pattern for every hit (unicode slugs percent-encoded).
                path = self.prefix + quote(url_path[len(root.root_path) :], safe="/~:@!$&'()*+,;=")
                if not self.append_slash and path != "/":
                    path = path.rstrip("/")
                return path if self.single_site else root.root_url + path
        return None  # not under any site: not routable


@dataclass
class SearchResult:
    query: SearchQuery
    hits: list[SearchHit]  # in result order
    total: int
    facets: dict[str, list[FacetValue]]
    highlights: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    suggestion: str | None = None
    backend: str = ""
    degraded: bool = False

    @property
    def page_info(self) -> PageInfo:
        return PageInfo(self.query.page, self.query.page_size, self.total)

    @property
    def page_out_of_range(self) -> bool:
        return self.query.page > self.page_info.num_pages


class BaseSearchBackend:
    name = "base"

    def search(self, query: SearchQuery, options: FacetOptions | None = None) -> SearchResult:
        raise NotImplementedError

    def related(self, page, limit: int = 4) -> list:
        raise NotImplementedError

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        raise NotImplementedError


# --- Facet values from the taxonomies, the cities and the choices ---


def year_bucket(year: int) -> str:
    start = year - year % YEAR_BUCKET
    return f"{start}-{start + YEAR_BUCKET - 1}"


def year_bucket_bounds(value: str) -> tuple[int, int]:
    start, end = value.split("-")
    return int(start), int(end)


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

    @property
    def urls(self) -> HitUrls:
        """Page URLs for result cards: Wagtail's site root paths, read once
        per version of the options (changes to sites and to their root
        pages invalidate the options, see search.signals)."""
        from django.urls import get_script_prefix

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
    time; `ttl` bounds how long a missed event could leave a process behind."""

    def __init__(self, key: str, load, ttl: float = 300, recheck: float = 1.0):
        self.key = key
        self.load = load
        self.ttl = ttl
        self.recheck = recheck
        self.generation = 0  # bumped by invalidate() in this process
        self._local = threading.local()

    def _version(self) -> str:
        from django.core.cache import cache

        version = cache.get(self.key)
        if version is None:  # never set, or evicted: start a new version
            cache.add(self.key, uuid.uuid4().hex, None)
            version = cache.get(self.key) or "none"
        return version

    def invalidate(self):
        from django.core.cache import cache

        self.generation += 1
        cache.set(self.key, uuid.uuid4().hex, None)

    def changed(self):
        """The value changed in the current transaction: invalidate now (this
        process, and tests) and again after the commit (so that no other
        process keeps what it read before the commit)."""
        from django.db import transaction

        self.invalidate()
        transaction.on_commit(self.invalidate, robust=True)

    def get(self):
        memo: _Kept | None = getattr(self._local, "memo", None)
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
        self._local.memo = _Kept(version, self.generation, now, now, value)
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
    from django_countries import countries

    from cities.models import CityPage
    from practices.models import TAXONOMIES, Status

    values: dict[str, dict[str, str]] = {}
    for facet, attr in (
        ("challenge", "challenges"),
        ("sector", "sectors"),
        ("policy_lever", "policy_levers"),
        ("target_group", "target_groups"),
    ):
        values[facet] = dict(TAXONOMIES[attr].objects.order_by("sort_order", "name").values_list("slug", "name"))
    cities = list(CityPage.objects.live().public().order_by("title").values_list("slug", "title", "country"))
    values["city"] = {slug: title for slug, title, _ in cities}
    codes = {str(code) for _, _, code in cities if code}
    values["country"] = dict(sorted(((c, countries.name(c) or c) for c in codes), key=lambda kv: kv[1]))
    values["status"] = {value: str(label) for value, label in Status.choices}
    # Start years in 5-year ranges over the validated span of years (no
    # query); ranges without results are not listed unless selected.
    values["start_year"] = {year_bucket(y): year_bucket(y).replace("-", "–") for y in range(1900, 2101, YEAR_BUCKET)}
    return FacetOptions(values)


# --- Highlighting helpers shared by both backends ---


def marked_to_html(fragment: str) -> str:
    """Escape an engine fragment, then turn the markers into <mark>.
    (What django.utils.html.escape does, without its lazy-string wrapper:
    this runs for every highlighted fragment of every search.)"""
    return SafeString(html.escape(fragment).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def highlight_text(text: str, words: list[str], fragment_size: int = 160, whole: bool = False) -> str | None:
    """Python highlighting: wrap each occurrence of the words (prefix match,
    case-insensitive) in markers; return a fragment around the first match,
    or None if nothing matches."""
    if not text or not words:
        return None
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\w*", re.I)
    first = pattern.search(text)
    if not first:
        return None
    if not whole and len(text) > fragment_size:
        begin = max(0, first.start() - fragment_size // 3)
        # Start on a word boundary.
        if begin:
            space = text.find(" ", begin)
            begin = space + 1 if 0 <= space < first.start() else begin
        text = ("…" if begin else "") + text[begin : begin + fragment_size] + (
            "…" if begin + fragment_size < len(text) else ""
        )
    return marked_to_html(pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, text))


facet_options_memo = SharedVersionMemo("search:facet-options:version", read_facet_options)
