"""Reading case studies for the search indexes: `read_pages(ids)` gives the
`search.schema.PageData` of the live, public case studies among `ids` (with
the number of cities that adapted each, `exchange.adoption`), in a fixed
number of queries per call and without building page instances. Both
indexes are written from it (`search.documents.document`,
`search.models.entry_from`)."""

from __future__ import annotations

from collections import defaultdict

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast
from wagtail.images import get_image_model

from cities.lead_image import card_image
from cities.page_locales import canonical_q
from exchange.adoption import adapted_by_counts
from practices.models import (
    TAXONOMIES,
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyPartner,
    CaseStudyTag,
)
from practices.richtext import rich_text_words

from .schema import PageData

PAGE_COLUMNS = (
    "pk", "title", "summary", "body_json", "start_year", "end_year", "status", "scale", "language",
    "first_published_at", "live_revision_id", "url_path", "city__title", "city__slug", "city__country",
    "lead_image_id", "lead_image_alt", "lead_image_credit", "translation_key", "alias_of_id",
)
TRANSLATION_COLUMNS = ("pk", "translation_key", "language", "title", "summary", "body_json")


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


def body_text(raw) -> str:
    """The words of a stored StreamField body (its JSON text or list)."""
    if isinstance(raw, str):
        raw = orjson.loads(raw or "[]")
    parts = [s for block in raw or [] for s in _raw_strings(block.get("value"))]
    return " ".join(" ".join(rich_text_words(p).split()) for p in parts if p)


def ids_lookup(name: str, ids: set[int]) -> dict:
    """A filter on these ids: a range when they are dense (the chunks of a
    rebuild: two parameters, one index range), an IN list otherwise. Rows
    outside `ids` must be dropped by the caller."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return {f"{name}__gte": low, f"{name}__lte": high}  # (related fields have no __range)
    return {f"{name}__in": sorted(ids)}


def read_translations(data: dict[int, PageData]):
    """Fill each canonical page's `translations` (one query): the live,
    public pages of its translation group that are not aliases, in a
    language other than the original's, one per language. The original
    (when the canonical page is its alias) is not a translation."""
    groups = {page.row["translation_key"]: page for page in data.values()}
    originals = {page.row["alias_of_id"] for page in data.values() if page.row["alias_of_id"]}
    rows = (
        CaseStudyPage.objects.listable()
        .filter(translation_key__in=list(groups), alias_of__isnull=True)
        .exclude(canonical_q())
        .order_by("pk")
        .annotate(body_json=Cast("body", output_field=TextField()))
        .values_list(*TRANSLATION_COLUMNS)
    )
    for pk, key, language, title, summary, body_json in rows:
        page = groups.get(key)
        if page is None or pk in originals or not language or language == (page.row["language"] or "en"):
            continue
        page.translations.setdefault(language, {"title": title, "summary": summary or "", "body": body_text(body_json)})


def read_pages(page_ids) -> list[PageData]:
    wanted = {int(i) for i in page_ids}
    if not wanted:
        return []
    rows = [
        row
        for row in CaseStudyPage.objects.listable()
        .canonical()
        .filter(**ids_lookup("pk", wanted))
        .order_by("pk")
        # The body as its stored JSON text: a StreamValue per page costs
        # more than the rest of the document.
        .annotate(body_json=Cast("body", output_field=TextField()))
        .values(*PAGE_COLUMNS)
        if row["pk"] in wanted
    ]
    ids = {r["pk"] for r in rows}
    if not ids:
        return []
    data = {row["pk"]: PageData(row=row, body=body_text(row.pop("body_json"))) for row in rows}
    read_translations(data)
    for attr in TAXONOMIES:
        m2m = getattr(CaseStudyPage, attr).field
        page_col, term_col = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        terms = defaultdict(list)
        for page_id, slug, name in (
            m2m.remote_field.through.objects.filter(**ids_lookup(f"{page_col}_id", ids))
            .order_by(f"{term_col}__sort_order", f"{term_col}__name")
            .values_list(f"{page_col}_id", f"{term_col}__slug", f"{term_col}__name")
        ):
            if page_id in data:
                terms[page_id].append((slug, name))
        for page_id, page in data.items():
            page.terms[attr] = terms.get(page_id, [])
    for page_id, name, kind in (
        CaseStudyPartner.objects.filter(**ids_lookup("page_id", ids))
        .order_by("sort_order", "pk")
        .values_list("page_id", "name", "organisation_type")
    ):
        if page_id in data:
            data[page_id].partners.append((name, kind))
    for outcome in CaseStudyOutcome.objects.filter(**ids_lookup("page_id", ids)).order_by("sort_order", "pk"):
        if outcome.page_id in data:
            data[outcome.page_id].outcomes.append(str(outcome))
    for page_id, count in adapted_by_counts(ids).items():
        if page_id in data:
            data[page_id].adapted_by = count
    image_ids = {page.row["lead_image_id"] for page in data.values() if page.row["lead_image_id"]}
    if image_ids:
        images = get_image_model().objects.prefetch_renditions().in_bulk(image_ids)
        for page in data.values():
            row = page.row
            page.image = card_image(images.get(row["lead_image_id"]), row["lead_image_alt"], row["lead_image_credit"])
    for page_id, tag in (
        CaseStudyTag.objects.filter(**ids_lookup("content_object_id", ids))
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name")
    ):
        if page_id in data:
            data[page_id].tags.append(tag)
    return [data[pk] for pk in sorted(data)]
