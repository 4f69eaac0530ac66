"""The case-study search schema: every facet, searchable text field and
result-card field, declared once.

Everything else reads this module: the Elasticsearch mapping and document
(`search.documents`), the database index row (`search.models.SearchEntry`:
text by weight, facet values as one list of tokens, the card as JSON), facet
options and counts on both backends (`search.backends.facets`), the search
page's filter boxes and the API's parameters, JSON and OpenAPI schema.

A facet is declared with its name (the URL parameter, the document field and
the prefix of its tokens in the database index), its label, its kind and a
function that reads its values from a `PageData`. Adding a facet is one line
here (plus a model field when the data is new): no migration, because the
database index keeps every facet's values in one list of `facet:value`
tokens, and the Elasticsearch mapping is rebuilt from this module by
`search_index --rebuild`.

Searchable text fields carry a weight, A (strongest) to D; the database
index keeps one text column per weight, Elasticsearch one field per text
field, boosted by its weight.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cities.models import CityPage
from practices.models import (
    TAXONOMIES,
    YEAR_MAX,
    YEAR_MIN,
    OrganisationType,
    Status,
)

YEAR_BUCKET = 5  # year facets group years in 5-year ranges


class Kind(Enum):
    TAXONOMY = "taxonomy"  # slugs of a controlled vocabulary (practices.models.TAXONOMIES)
    CHOICE = "choice"  # values of a TextChoices
    CITY = "city"  # slug of a live, public city
    COUNTRY = "country"  # ISO 3166-1 code of a live, public city
    YEAR = "year"  # a year, counted and filtered in YEAR_BUCKET-year ranges
    BOOLEAN = "boolean"  # "yes" or "no"


@dataclass
class PageData:
    """What the serialiser reads for one case study (see
    `search.serialise.read_pages`): its own columns, its terms per
    taxonomy as (slug, name), its partners as (name, organisation type), its
    outcomes as text, its keywords, its body as plain text, and the number
    of cities that adapted it (`exchange.adoption`: "Adapted by N cities")."""

    row: dict
    terms: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    partners: list[tuple[str, str]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    body: str = ""
    adapted_by: int = 0
    image: dict | None = None  # the lead image's card renditions (cities.lead_image.card_image)
    # The live, public translations of the practice (wagtail-localize's; not
    # aliases), one per language other than the original's: language ->
    # {"title", "summary", "body"} (see `TRANSLATED_FIELDS`).
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    def term_slugs(self, attr: str) -> list[str]:
        return [slug for slug, _ in self.terms.get(attr, ())]

    def term_names(self, attr: str) -> list[str]:
        return [name for _, name in self.terms.get(attr, ())]


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    kind: Kind
    values: Callable[[PageData], Iterable]
    # TAXONOMY: the TAXONOMIES key; CHOICE: the TextChoices class; BOOLEAN:
    # the labels of "yes" and "no".
    source: object = None

    def tokens(self, data: PageData) -> list[str]:
        """The database index's tokens for this facet's values of a page."""
        return [f"{self.name}:{value}" for value in self.page_values(data)]

    def page_values(self, data: PageData) -> list:
        values = self.values(data)
        if self.kind is Kind.BOOLEAN:
            return ["yes" if values else "no"]
        return [v for v in dict.fromkeys(values) if v not in (None, "")]

    def filter_values(self, selected: Iterable[str]) -> list[str]:
        """The stored values that a selection of facet values matches (a
        year range stands for each of its years)."""
        if self.kind is Kind.YEAR:
            out = []
            for value in selected:
                lo, hi = year_bucket_bounds(value)
                out += [str(year) for year in range(lo, hi + 1)]
            return out
        return list(selected)


def year_bucket(year: int) -> str:
    start = year - year % YEAR_BUCKET
    return f"{start}-{start + YEAR_BUCKET - 1}"


def year_bucket_label(value: str) -> str:
    """"2015-2019" as the search page shows it: "2015–2019"."""
    start, end = year_bucket_bounds(value)
    # Translators: a range of years in the search's "Start year" filter.
    return pgettext("year range", "%(start)s–%(end)s") % {"start": start, "end": end}


def year_bucket_bounds(value: str) -> tuple[int, int]:
    start, end = value.split("-")
    return int(start), int(end)


def _taxonomy(name, label, attr):
    return Facet(name, label, Kind.TAXONOMY, lambda d: d.term_slugs(attr), source=attr)


FACET_LIST: list[Facet] = [
    # Translators: the facets' labels (filters of the practice search).
    _taxonomy("challenge", _("Challenge"), "challenges"),
    Facet("city", _("City"), Kind.CITY, lambda d: [d.row["city__slug"]]),
    Facet("country", _("Country"), Kind.COUNTRY, lambda d: [d.row["city__country"] or None]),
    _taxonomy("sector", _("Sector"), "sectors"),
    _taxonomy("policy_lever", _("Policy lever"), "policy_levers"),
    _taxonomy("target_group", _("Target group"), "target_groups"),
    Facet("status", _("Status"), Kind.CHOICE, lambda d: [d.row["status"]], source=Status),
    Facet("organisation_type", _("Partner organisation type"), Kind.CHOICE,
          lambda d: sorted({kind for _kind, kind in d.partners}), source=OrganisationType),
    Facet("has_outcomes", _("Measured outcomes"), Kind.BOOLEAN, lambda d: bool(d.outcomes),
          source={"yes": _("With measured outcomes"), "no": _("Without measured outcomes")}),
    Facet("start_year", _("Start year"), Kind.YEAR, lambda d: [d.row["start_year"]]),
    Facet("adapted_elsewhere", _("Adapted elsewhere"), Kind.BOOLEAN, lambda d: d.adapted_by > 0,
          source={"yes": _("Adapted by another city"), "no": _("Not adapted elsewhere yet")}),
]
FACETS: dict[str, Facet] = {facet.name: facet for facet in FACET_LIST}


def facet_options(facet: Facet) -> dict[str, str]:
    """Every value the facet may take -> its label, in display order. A
    fixed number of queries per facet, whatever the size of the catalogue."""
    if facet.kind is Kind.TAXONOMY:
        model = TAXONOMIES[facet.source]
        return dict(model.objects.order_by("sort_order", "name").values_list("slug", "name"))
    if facet.kind is Kind.CHOICE:
        return {value: str(label) for value, label in facet.source.choices}
    if facet.kind is Kind.BOOLEAN:
        return {value: str(label) for value, label in facet.source.items()}
    if facet.kind is Kind.YEAR:
        # Every range of the validated span (no query); ranges without
        # results are not listed unless selected.
        return {year_bucket(y): year_bucket_label(year_bucket(y)) for y in range(YEAR_MIN, YEAR_MAX + 1, YEAR_BUCKET)}
    cities = CityPage.objects.live().public().canonical().order_by("title")
    if facet.kind is Kind.CITY:
        return dict(cities.values_list("slug", "title"))
    codes = {str(code) for code in cities.values_list("country", flat=True) if code}
    language = get_language() or ""
    return dict(sorted(((code, country_name(code, language)) for code in codes), key=lambda kv: kv[1]))


# --- Searchable text ---

WEIGHTS = ("A", "B", "C", "D")
# Elasticsearch boost per weight (the database ranks with ts_rank's weights
# or bm25's column weights, see search.backends.database).
BOOSTS = {"A": 3, "B": 2, "C": 1, "D": 1}


@dataclass(frozen=True)
class TextField:
    name: str
    weight: str
    value: Callable[[PageData], str]
    highlight: bool = False  # matching passages are shown on result cards
    embed: bool = False  # part of the text embedded for search by meaning (`embedding_text`)


def _names(attr):
    return lambda d: " ".join(d.term_names(attr))


@functools.lru_cache(maxsize=1024)
def _country_name(code: str, language: str) -> str:
    return str(countries.name(code) or code)


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in the active language, or in `language` (the
    caller's get_language(), read once for many names). Cached: the lookup
    goes through gettext."""
    if language is None:
        language = get_language() or ""
    return _country_name(code, language)


def _page_country_name(data: PageData) -> str:
    code = data.row["city__country"]
    return country_name(str(code)) if code else ""


TEXT_FIELDS: list[TextField] = [
    TextField("title", "A", lambda d: d.row["title"], embed=True),
    TextField("summary", "B", lambda d: d.row["summary"] or "", highlight=True, embed=True),
    TextField("keywords", "B", lambda d: " ".join(d.tags)),
    TextField("challenges", "B", _names("challenges"), embed=True),
    TextField("policy_levers", "B", _names("policy_levers")),
    TextField("sectors", "B", _names("sectors")),
    TextField("target_groups", "B", _names("target_groups")),
    TextField("body", "C", lambda d: d.body, highlight=True, embed=True),
    TextField("outcomes", "C", lambda d: " ".join(d.outcomes)),
    TextField("partners", "D", lambda d: " ".join(name for name, _ in d.partners)),
    TextField("city_name", "D", lambda d: d.row["city__title"] or ""),
    TextField("country_name", "D", _page_country_name),
]

# Text fields whose matching passages are shown, in that order.
HIGHLIGHT_FIELDS = [f.name for f in TEXT_FIELDS if f.highlight]


def texts(data: PageData) -> dict[str, str]:
    return {f.name: f.value(data) for f in TEXT_FIELDS}


def texts_by_weight(values: dict[str, str]) -> dict[str, str]:
    """The text of each weight, the fields joined in declaration order
    (the database index's `text_a` ... `text_d`)."""
    joined = {}
    for weight in WEIGHTS:
        joined[weight] = "\n".join(values[f.name] for f in TEXT_FIELDS if f.weight == weight and values[f.name])
    return joined


# The embedded text is cut here (characters, at a word boundary): the model
# reads 512 tokens at most per pass and costs time with every token; the
# title, summary and challenges come first and say what a practice is about.
EMBEDDING_MAX_CHARS = 1500


def embedding_text(values: dict[str, str]) -> str:
    """The text of a case study that search by meaning embeds
    (`search.embeddings`): the fields declared `embed=True`, one per line in
    declaration order, cut to about EMBEDDING_MAX_CHARS characters."""
    text = "\n".join(" ".join(values[f.name].split()) for f in TEXT_FIELDS if f.embed and values[f.name])
    if len(text) > EMBEDDING_MAX_CHARS:
        text = text[:EMBEDDING_MAX_CHARS].rsplit(" ", 1)[0]
    return text


_WORD = re.compile(r"[^\W\d_]{3,}")


def vocabulary(values: dict[str, str]) -> set[str]:
    """The words of a page that a query may be corrected to ("did you
    mean"): lowercase, letters only, at least three of them."""
    return {word for text in values.values() for word in _WORD.findall(text.lower()) if len(word) <= 64}


# --- Languages of the text ---


@dataclass(frozen=True)
class TextLanguage:
    """How one language's text is analysed: Elasticsearch's built-in
    analyser and PostgreSQL's text search configuration (ours: the
    configuration of that name with accents folded, `sce_<name>`, created by
    search/migrations/0009_text_languages.py)."""

    code: str
    elasticsearch: str
    postgres: str

    @property
    def ts_config(self) -> str:
        return f"sce_{self.postgres}"


# The content languages. Neither engine ships a Polish stemmer (Elasticsearch
# has one only as a plugin): Polish text is kept as written (lowercase,
# accents folded on PostgreSQL), so its words are found exactly.
TEXT_LANGUAGES: dict[str, TextLanguage] = {
    code: TextLanguage(code, es, pg)
    for code, es, pg in (
        ("en", "english", "english"),
        ("es", "spanish", "spanish"),
        ("fr", "french", "french"),
        ("it", "italian", "italian"),
        ("pt", "portuguese", "portuguese"),
        ("pl", "standard", "simple"),
        ("nl", "dutch", "dutch"),
    )
}
# A language that is none of these (an original may be in any language).
UNLISTED_LANGUAGE = TextLanguage("", "standard", "simple")
DEFAULT_TEXT_LANGUAGE = "en"


def text_language(code: str | None) -> TextLanguage:
    return TEXT_LANGUAGES.get(code or DEFAULT_TEXT_LANGUAGE, UNLISTED_LANGUAGE)


def language_key(code: str | None) -> str:
    """The index's name for a language's text: its code when it is a
    content language, "other" otherwise."""
    code = code or DEFAULT_TEXT_LANGUAGE
    return code if code in TEXT_LANGUAGES else "other"


# The fields a translation has of its own (the rest, taxonomies, partners,
# the city, are shared by the translation group and written once); each
# keeps its text field's weight.
TRANSLATED_FIELDS = ("title", "summary", "body")
TEXT_WEIGHTS = {f.name: f.weight for f in TEXT_FIELDS}


def original_language(data: PageData) -> str:
    return data.row["language"] or DEFAULT_TEXT_LANGUAGE


def texts_by_language(data: PageData, values: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """Language key -> {field: text} of the translated fields: the
    original's in its language, then each translation's in its own."""
    values = values if values is not None else texts(data)
    out = {language_key(original_language(data)): {name: values[name] for name in TRANSLATED_FIELDS}}
    for code, fields in sorted(data.translations.items()):
        out.setdefault(language_key(code), {name: fields.get(name, "") for name in TRANSLATED_FIELDS})
    return out


def translations_by_weight(data: PageData) -> dict[str, dict[str, str]]:
    """The database index's `translations`: language -> {weight (lowercase):
    text} of each translation (the original's text is in `text_a` ...)."""
    out = {}
    for code, fields in sorted(data.translations.items()):
        joined: dict[str, str] = {}
        for name in TRANSLATED_FIELDS:
            if fields.get(name):
                weight = TEXT_WEIGHTS[name].lower()
                joined[weight] = "\n".join(filter(None, [joined.get(weight), fields[name]]))
        if joined:
            out[code] = joined
    return out


# --- Numbers the result order reads ---

# Stored as they are in both indexes: a `search.models.SearchEntry` column
# and an Elasticsearch integer field of the same name; the sorts of
# `search.backends.contract.SORTS` order by them ("most_adapted").
SORT_NUMBERS: dict[str, Callable[[PageData], int]] = {
    "adapted_by": lambda d: d.adapted_by,
}


def sort_numbers(data: PageData) -> dict[str, int]:
    return {name: value(data) for name, value in SORT_NUMBERS.items()}


# --- The result card ---


def card(data: PageData) -> dict:
    """What a result card and the API show of a hit, stored as it is in both
    indexes (`search.backends.contract.SearchHit.from_card` reads it)."""
    row = data.row
    return {
        "title": row["title"],
        "summary": row["summary"] or "",
        "url_path": row["url_path"],
        "language": row["language"] or "",
        "city": {"slug": row["city__slug"], "title": row["city__title"], "country": str(row["city__country"] or "")}
        if row["city__slug"] else None,
        "challenges": [{"slug": slug, "name": name} for slug, name in data.terms.get("challenges", ())],
        "start_year": row["start_year"],
        "end_year": row["end_year"],
        "status": row["status"] or "",
        "adapted_by": data.adapted_by,
        "image": data.image,
        # What a reader in another language is shown instead (SearchHit.from_card).
        "translations": {
            code: {"title": fields["title"], "summary": fields.get("summary", "")}
            for code, fields in sorted(data.translations.items())
        },
    }
