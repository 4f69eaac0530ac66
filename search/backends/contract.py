"""The small interface every practice-search backend implements.

A `SearchQuery` goes in, a `SearchResult` comes out. Both backends
(`ElasticsearchBackend`, `DatabaseBackend`) honour the same contract:

* several values inside one facet are OR-ed, facets are AND-ed;
* each facet's counts apply every *other* facet's filters but not its own
  (the multi-select facet pattern);
* facets are those of `search.schema`; their values come from the
  declaration (`search.backends.facets.load_facet_options`), never from what
  the engine happens to return; a value is listed when it has results or is
  selected (selected values with 0 results still show);
* a query whose words are not in the index's vocabulary may be answered for
  a corrected text (`SearchResult.corrected`), unless `SearchQuery.exact`;
* hits are live, public case studies, in order, as `SearchHit`s read from
  the backend's own index (what a result card shows), never from drafts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import NamedTuple, TypedDict

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from practices.models import format_years

from ..schema import country_name

DEFAULT_PAGE_SIZE = 12
MAX_PAGE_SIZE = 50
MAX_QUERY_LENGTH = 500
MAX_QUERY_WORDS = 12

SORTS = {
    # Translators: the orders of the practice search's results.
    "relevance": _("Relevance"),
    "newest": _("Newest"),
    "oldest": _("Oldest"),
    "start_year": _("Start year (most recent first)"),
    "most_adapted": _("Most adapted (by other cities)"),
}

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
    exact: bool = False  # search the words as typed, never a corrected text

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
    adapted_by: int = 0  # "Adapted by N cities" (exchange.adoption)
    image: dict | None = None  # src, srcset, width, height, alt, credit (cities.lead_image.card_image)
    # The language the practice was written in; `language` is that of the
    # title and summary shown (a translation's, in the reader's language).
    original_language: str = ""

    @classmethod
    def from_card(cls, pk, card: dict, language: str | None = None) -> SearchHit:
        """The hit of a stored card (`search.schema.card`), with the title
        and summary of its translation in `language` (the active language by
        default) when it has one, else the original's."""
        city = card.get("city")
        original = card.get("language", "")
        language = language or get_language() or ""
        shown = (card.get("translations") or {}).get(language) if language != original else None
        return cls(
            pk=int(pk),
            title=shown["title"] if shown else card.get("title", ""),
            summary=shown.get("summary", "") if shown else card.get("summary", ""),
            url_path=card.get("url_path", ""),
            language=language if shown else original,
            original_language=original,
            city=HitCity(city["slug"], city["title"], city["country"]) if city else None,
            challenges=TermList(HitTerm(c["slug"], c["name"]) for c in card.get("challenges", ())),
            start_year=card.get("start_year"),
            end_year=card.get("end_year"),
            status=card.get("status", ""),
            adapted_by=card.get("adapted_by") or 0,
            image=card.get("image"),
        )

    @property
    def translated(self) -> bool:
        """Whether the title and summary shown are a translation's."""
        return self.language != self.original_language

    @property
    def years(self) -> str:
        return format_years(self.start_year, self.end_year, self.status)

    def get_url(self, urls) -> str | None:
        """`urls`: a `search.backends.urls.HitUrls`."""
        return urls(self.url_path)


@dataclass
class SearchResult:
    query: SearchQuery
    hits: list[SearchHit]  # in result order
    total: int
    facets: dict[str, list[FacetValue]]
    highlights: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    suggestion: str | None = None  # "did you mean": a better text, not searched
    corrected: str | None = None  # the text searched instead of the query's (its words were unknown)
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

    def search(self, query: SearchQuery, options=None) -> SearchResult:
        """`options`: the `FacetOptions` to build facet values from (the
        caller's, read once per request; loaded when not given)."""
        raise NotImplementedError

    def related(self, page, limit: int = 4) -> list[SearchHit]:
        """Up to `limit` live, public case studies like `page` (never
        `page` itself), best first, as hits read from the database index."""
        raise NotImplementedError

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        raise NotImplementedError


