"""Export the public case studies, or the public cities, as JSON Lines:
each line is the representation of a page by its format's declaration
(practices.records, practices.city_records), so an export imports again
into another database."""

import json

from django.db.models import Prefetch

from cities.models import CityChallenge, CityPage

from .city_records import CityRecord
from .models import TAXONOMIES, CaseStudyPage
from .records import CaseStudyRecord, record_extensions

EMPTY = ("", None, [], {})


def export_queryset():
    return (
        CaseStudyPage.objects.listable()
        .canonical()
        .select_related("city")
        .prefetch_related(*TAXONOMIES, "tagged_items__tag", "partners", "outcomes", "sources",
                          *(lookup for extension in record_extensions() for lookup in extension.prefetch))
        .order_by("pk")
    )


def pruned(value):
    """`value` without empty optional fields ("", null, [], {}), at any depth."""
    if isinstance(value, dict):
        items = ((key, pruned(item)) for key, item in value.items())
        return {key: item for key, item in items if item not in EMPTY}
    if isinstance(value, list):
        return [pruned(item) for item in value]
    return value


def export_lines(queryset=None):
    """Yield one JSON line (without newline) per public case study, by page id."""
    record = CaseStudyRecord()
    for page in export_queryset() if queryset is None else queryset:
        yield json.dumps(pruned(record.to_representation(page)), ensure_ascii=False)


def write_lines(lines, stream):
    """Write JSON lines to a text stream, one per line; returns how many."""
    count = 0
    for line in lines:
        stream.write(line + "\n")
        count += 1
    return count


def export_to(stream):
    """Write the export to a text stream; returns the number of case studies."""
    return write_lines(export_lines(), stream)


# --- Cities (the `cities` format) ---


def city_export_queryset():
    """The live, public cities by page id, with their challenges."""
    return (
        CityPage.objects.live()
        .public()
        .canonical()
        .prefetch_related(Prefetch("city_challenges", queryset=CityChallenge.objects.select_related("challenge")))
        .order_by("pk")
    )


def export_city_lines(queryset=None):
    """Yield one JSON line (without newline) per public city, by page id."""
    record = CityRecord()
    for city in city_export_queryset() if queryset is None else queryset:
        yield json.dumps(pruned(record.to_representation(city)), ensure_ascii=False)


def export_cities_to(stream):
    """Write the cities export to a text stream; returns the number of cities."""
    return write_lines(export_city_lines(), stream)
