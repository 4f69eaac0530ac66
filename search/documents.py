"""The Elasticsearch document for case studies (elasticsearch-dsl).

Text fields for matching, keyword slugs for facets. The index is reached
through an alias (settings.ELASTICSEARCH_INDEX); concrete indexes are named
`<alias>-<timestamp>` and swapped by `search_index --rebuild`.

No `copy_to`: queries name their fields explicitly, and the "did you mean"
field (`spell`) is filled at serialisation time.
"""

import datetime
import html
import re

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast
from elasticsearch.dsl import (
    Completion,
    Date,
    Document,
    Integer,
    Keyword,
    Text,
    analyzer,
    normalizer,
    token_filter,
)

english_stop = token_filter("english_stop", "stop", stopwords="_english_")
english_stemmer = token_filter("english_stemmer", "stemmer", language="english")
english_possessive = token_filter("english_possessive_stemmer", "stemmer", language="possessive_english")

# English analysis with ASCII folding: "Montréal" finds "Montreal".
folded_english = analyzer(
    "folded_english",
    tokenizer="standard",
    filter=[english_possessive, "lowercase", "asciifolding", english_stop, english_stemmer],
)
# Unstemmed words, for spelling suggestions.
folded_plain = analyzer("folded_plain", tokenizer="standard", filter=["lowercase", "asciifolding"])
facet_normalizer = normalizer("facet_normalizer", filter=["lowercase", "asciifolding"])

TEXT_FIELDS = ["title^3", "summary^2", "body", "partners"]
# The same fields unstemmed (multi-fields, not copy_to): typos are measured
# against the words as written ("procuremnet" is 1 edit from "procurement",
# 5 from the stem "procur").
PLAIN_FIELDS = ["title.plain^3", "summary.plain^2", "body.plain", "partners.plain"]
HIGHLIGHT_FIELDS = ["summary", "body"]
# Document field per facet (the facet names are the field names).
FACET_FIELDS = [
    "challenge",
    "city",
    "country",
    "sector",
    "policy_lever",
    "target_group",
    "status",
]


def FacetKeyword():  # noqa: N802 - reads like a field class
    return Keyword(normalizer=facet_normalizer)


def SearchText():  # noqa: N802
    return Text(analyzer=folded_english, fields={"plain": Text(analyzer=folded_plain)})


class CaseStudyDocument(Document):
    page_id = Integer()
    title = SearchText()
    summary = SearchText()
    body = SearchText()
    partners = SearchText()
    outcomes = Text(analyzer=folded_english)
    spell = Text(analyzer=folded_plain)
    suggest = Completion(analyzer=folded_plain)

    challenge = FacetKeyword()
    city = FacetKeyword()
    country = Keyword()
    sector = FacetKeyword()
    policy_lever = FacetKeyword()
    target_group = FacetKeyword()
    status = Keyword()
    scale = Keyword()
    organisation_type = Keyword()
    language = Keyword()
    tags = FacetKeyword()
    start_year = Integer()
    end_year = Integer()
    published = Date()
    live_revision = Integer()
    url_path = Keyword()
    # Shown on result cards (read from _source; not searched).
    city_name = Keyword(index=False)
    challenge_names = Keyword(index=False)

    class Index:
        name = "practices"  # replaced by the settings alias at run time
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


def _raw_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("image", "document", "alt_text"):  # ids and alt text are not body text
                yield from _raw_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _raw_strings(item)


def _body_text_from_raw(raw) -> str:
    if isinstance(raw, str):
        raw = orjson.loads(raw or "[]")
    parts = [s for block in raw or [] for s in _raw_strings(block.get("value"))]
    return " ".join(" ".join(rich_text_to_plain(p).split()) for p in parts if p)


_TAG = re.compile(r"<[^>]*>")


def rich_text_to_plain(value: str) -> str:
    """The words of a stored rich text value. Wagtail stores rich text as
    well-formed HTML (a literal "<" is "&lt;"), so removing the tags and
    unescaping the entities is enough, at a fraction of the cost of
    django.utils.html.strip_tags (an HTML parser run until nothing changes,
    which also leaves entities such as "&amp;" in the text)."""
    if "<" not in value and "&" not in value:
        return value
    return html.unescape(_TAG.sub(" ", value))


def _ids_lookup(name: str, ids: set[int]) -> dict:
    """A filter on these ids: a range when they are dense (the chunks of a
    rebuild), which the ORM prepares in two values instead of one per id and
    the database reads as one index range; rows outside `ids` are dropped
    by the caller. An IN list otherwise."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return {f"{name}__gte": low, f"{name}__lte": high}  # (related fields have no __range)
    return {f"{name}__in": sorted(ids)}


def serialise_many(page_ids) -> list[dict]:
    """Index documents (with `_id`) for the live, public case studies among
    `page_ids`, in a fixed number of queries per call and without building
    page instances (bulk indexing speed)."""
    from collections import defaultdict

    from practices.models import CaseStudyOutcome, CaseStudyPage, CaseStudyPartner, CaseStudyTag

    wanted = {int(i) for i in page_ids}
    if not wanted:
        return []
    rows = [
        row
        for row in CaseStudyPage.objects.listable()
        .filter(**_ids_lookup("pk", wanted))
        .order_by("pk")
        # The body as its stored JSON text: a StreamValue per page (what
        # the field gives) cost more than the rest of the document.
        .annotate(body_json=Cast("body", output_field=TextField()))
        .values(
            "pk", "title", "summary", "body_json", "start_year", "end_year", "status", "scale", "language",
            "first_published_at", "live_revision_id", "url_path", "city__title", "city__slug", "city__country",
        )
        if row["pk"] in wanted
    ]
    ids = {r["pk"] for r in rows}
    if not ids:
        return []
    related = defaultdict(lambda: defaultdict(list))
    for attr in ("challenges", "sectors", "policy_levers", "target_groups"):
        field = getattr(CaseStudyPage, attr).field
        through = field.remote_field.through
        page_col, term_col = field.m2m_field_name(), field.m2m_reverse_field_name()
        for page_id, slug, name in (
            through.objects.filter(**_ids_lookup(f"{page_col}_id", ids))
            .order_by(f"{term_col}__sort_order", f"{term_col}__name")
            .values_list(f"{page_col}_id", f"{term_col}__slug", f"{term_col}__name")
        ):
            related[page_id][attr].append((slug, name))
    for page_id, name, org_type in (
        CaseStudyPartner.objects.filter(**_ids_lookup("page_id", ids)).order_by("sort_order").values_list(
            "page_id", "name", "organisation_type"
        )
    ):
        related[page_id]["partners"].append((name, org_type))
    for outcome in CaseStudyOutcome.objects.filter(**_ids_lookup("page_id", ids)).order_by("sort_order"):
        related[outcome.page_id]["outcomes"].append(str(outcome))
    for page_id, tag in CaseStudyTag.objects.filter(**_ids_lookup("content_object_id", ids)).values_list(
        "content_object_id", "tag__name"
    ):
        related[page_id]["tags"].append(tag)
    return [_document(row, related[row["pk"]]) for row in rows]


def _document(row, rel) -> dict:
    body = _body_text_from_raw(row["body_json"])
    partner_names = " ".join(name for name, _ in rel["partners"])
    city = row["city__title"]
    challenges = rel["challenges"]
    return {
        "_id": str(row["pk"]),
        "page_id": row["pk"],
        "title": row["title"],
        "summary": row["summary"],
        "body": body,
        "partners": partner_names,
        "outcomes": " ".join(rel["outcomes"]),
        "spell": " ".join([row["title"], row["summary"], body, partner_names, city or ""]),
        "suggest": {"input": [row["title"]] + ([city] if city else []) + [name for _, name in challenges]},
        "challenge": [slug for slug, _ in challenges],
        "city": row["city__slug"],
        "country": str(row["city__country"]) if row["city__country"] else None,
        "sector": [slug for slug, _ in rel["sectors"]],
        "policy_lever": [slug for slug, _ in rel["policy_levers"]],
        "target_group": [slug for slug, _ in rel["target_groups"]],
        "status": row["status"],
        "scale": row["scale"],
        "organisation_type": sorted({t for _, t in rel["partners"]}),
        "language": row["language"],
        "tags": rel["tags"],
        "start_year": row["start_year"],
        "end_year": row["end_year"],
        "published": row["first_published_at"].isoformat() if row["first_published_at"] else None,
        "live_revision": row["live_revision_id"],
        "url_path": row["url_path"],
        "city_name": city or "",
        "challenge_names": [name for _, name in challenges],
    }


def entry_fields(doc: dict) -> dict:
    """The database index's row (search.models.SearchEntry) for a document."""
    return {
        "page_id": doc["page_id"],
        "live_revision_id": doc["live_revision"],
        "title": doc["title"],
        "summary": doc["summary"] or "",
        "body": doc["body"],
        "partners": doc["partners"],
        "challenges": doc["challenge"],
        "sectors": doc["sector"],
        "policy_levers": doc["policy_lever"],
        "target_groups": doc["target_group"],
        "city": doc["city"] or "",
        "country": doc["country"] or "",
        "status": doc["status"] or "",
        "start_year": doc["start_year"],
        "published": datetime.datetime.fromisoformat(doc["published"]) if doc["published"] else None,
        "url_path": doc["url_path"],
        "language": doc["language"] or "",
        "end_year": doc["end_year"],
        "city_name": doc["city_name"],
        "challenge_names": doc["challenge_names"],
    }


def serialise(page) -> dict:
    """One case study as an index document (None if it is not listable)."""
    docs = serialise_many([page.pk])
    return docs[0] if docs else None
