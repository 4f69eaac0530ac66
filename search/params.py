"""From URL parameters to a `SearchQuery`, shared by the page and the API.

The URL is the state: `?q=...&challenge=a&challenge=b&country=IT&sort=newest&page=2`.
Bad parameters raise `SearchParamError` with one clear message per parameter.
"""

from __future__ import annotations

from django.utils.translation import gettext, ngettext

from practices.models import YEAR_MAX, YEAR_MIN

from . import schema
from .backends.contract import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MAX_QUERY_LENGTH,
    SORTS,
    SearchQuery,
)
from .backends.facets import FacetOptions

# How deep results can be paged: Elasticsearch's default `max_result_window`
# (from + size), the same on both backends.
MAX_RESULT_WINDOW = 10_000
MAX_SUGGEST_LENGTH = 100
# The parameters that take one value; the facets (schema.FACETS) take several.
SINGLE_VALUED = ("q", "sort", "page", "page_size", "year_from", "year_to", "exact")
EXACT_VALUES = ("0", "1")


def max_page(page_size: int) -> int:
    return max(1, MAX_RESULT_WINDOW // page_size)


class SearchParamError(ValueError):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def _repeated(data, names, errors) -> None:
    """A single-valued parameter given more than once is an error, not the
    last value silently."""
    getlist = getattr(data, "getlist", None)
    if getlist is None:
        return
    for name in names:
        if (count := len(getlist(name))) > 1:
            errors[name] = ngettext(
                "give %(name)s once, not %(count)d time.", "give %(name)s once, not %(count)d times.", count
            ) % {"name": name, "count": count}


def _text(data, name, errors, limit) -> str:
    text = "" if name in errors else data.get(name) or ""
    if len(text) > limit:
        errors[name] = gettext("is too long (%(length)d characters; at most %(limit)d).") % {
            "length": len(text), "limit": limit,
        }
        return ""
    if "\x00" in text:
        errors[name] = gettext("must not contain NUL characters.")
        return ""
    return text


def _int(data, name, errors, default=None, lo=None, hi=None):
    if name in errors:
        return default
    raw = (data.get(name) or "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        errors[name] = gettext("must be a whole number, not %(value)s.") % {"value": repr(raw[:40])}
        return default
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        if hi is not None:
            errors[name] = gettext("must be between %(lo)s and %(hi)s.") % {"lo": lo, "hi": hi}
        else:
            errors[name] = gettext("must be at least %(lo)s.") % {"lo": lo}
        return default
    return value


def parse_search_params(data, options: FacetOptions, allow_page_size: bool = True) -> SearchQuery:
    errors: dict[str, str] = {}
    _repeated(data, SINGLE_VALUED if allow_page_size else [n for n in SINGLE_VALUED if n != "page_size"], errors)
    text = _text(data, "q", errors, MAX_QUERY_LENGTH)
    sort = "relevance" if "sort" in errors else (data.get("sort") or "relevance").strip()
    if sort not in SORTS:
        errors["sort"] = gettext("must be one of %(values)s.") % {"values": ", ".join(SORTS)}
        sort = "relevance"
    page_size = DEFAULT_PAGE_SIZE
    if allow_page_size:
        page_size = _int(data, "page_size", errors, default=DEFAULT_PAGE_SIZE, lo=1, hi=MAX_PAGE_SIZE)
    page = _int(data, "page", errors, default=1, lo=1, hi=max_page(page_size))
    year_from = _int(data, "year_from", errors, lo=YEAR_MIN, hi=YEAR_MAX)
    year_to = _int(data, "year_to", errors, lo=YEAR_MIN, hi=YEAR_MAX)
    if year_from and year_to and year_to < year_from:
        errors["year_to"] = gettext("must not be before year_from.")
    filters = {}
    getlist = getattr(data, "getlist", None)
    for facet in schema.FACETS:
        if getlist is None or facet not in data:
            continue
        values = [v.strip() for v in getlist(facet) if v and v.strip()]
        if not values:
            continue
        known = options.labels(facet)
        unknown = [v for v in values if v not in known]
        if unknown:
            value = repr(unknown[0][:60])
            if known:
                listed = ", ".join(list(known)[:20]) + (" …" if len(known) > 20 else "")
                errors[facet] = gettext("unknown value %(value)s. Known values: %(known)s.") % {
                    "value": value, "known": listed,
                }
            else:
                errors[facet] = gettext("unknown value %(value)s.") % {"value": value}
            continue
        filters[facet] = tuple(values)
    exact = "" if "exact" in errors else (data.get("exact") or "").strip()
    if exact not in ("", *EXACT_VALUES):
        errors["exact"] = gettext("must be 1 (search the words as typed) or 0.")
    if errors:
        raise SearchParamError(errors)
    return SearchQuery(
        text=text, filters=filters, sort=sort, page=page, page_size=page_size, year_from=year_from, year_to=year_to,
        exact=exact == "1",
    )


def page_error(result) -> dict[str, str] | None:
    """Page numbers past the last page are an error (page 1 always exists)."""
    if result.query.page > 1 and result.page_out_of_range:
        return {"page": f"page {result.query.page} is beyond the last page ({result.page_info.num_pages})."}
    return None


def parse_suggest_params(data) -> str:
    """What has been typed so far (`q`), for autocomplete."""
    errors: dict[str, str] = {}
    _repeated(data, ["q"], errors)
    prefix = _text(data, "q", errors, MAX_SUGGEST_LENGTH)
    if errors:
        raise SearchParamError(errors)
    return prefix
