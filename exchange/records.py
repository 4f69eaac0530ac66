"""Transfers and relations in the case study import/export format
(docs/import-format.md), registered as `practices.records.RecordExtension`s
by `exchange.wagtail_hooks`.

On a case study's line:

* `transfers`: the cities adapting it, as
  `{"city", "country", "stage", "started", "changes", "lessons", "note", "own_case_study"}`;
* `relations`: its relations to other case studies, as `{"type", "case_study"}`
  (the other case study by its `external_id`, in the file or the database).

The export writes the accepted ones that the public sees; an import writes
them accepted (an administrator's import needs no city's answer). A line
that leaves the key out leaves the page's transfers (relations) alone; a
line that gives it makes the accepted ones match the list."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from rest_framework import serializers

from cities.models import CityPage
from cities.visibility import is_public
from practices.json_fields import (
    LenientChoiceField,
    RecordList,
    StrictObject,
    TextField,
    invalid,
    shown,
)
from practices.jsonlines import Problem
from practices.models import YEAR_MAX, YEAR_MIN
from practices.records import CountryField, RecordExtension

from . import relations as relation_changes
from . import transfers as transfer_changes
from .models import NOTE_MAX, TEXT_MAX, Acceptance, Relation, RelationKind, Stage, Transfer


def external_id(page) -> str:
    """How the format names a case study (practices.records.ExternalIdField)."""
    return page.external_id or f"sce-{page.translation_key}"


class DateField(TextField):
    """A date written as YYYY-MM-DD."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            value = dt.date.fromisoformat(text)
        except ValueError:
            raise invalid(f"not a date written YYYY-MM-DD: {shown(text)}") from None
        if not YEAR_MIN <= value.year <= YEAR_MAX:
            raise invalid(f"not a plausible date: {text} ({YEAR_MIN}-{YEAR_MAX})")
        return value

    def to_representation(self, value):
        return value.isoformat() if value else None


class TransferRecord(StrictObject, serializers.Serializer):
    city = TextField(max_length=CityPage._meta.get_field("title").max_length)
    country = CountryField()
    stage = LenientChoiceField(Stage.choices, required=False)
    started = DateField(required=False)
    changes = TextField(max_length=TEXT_MAX, required=False)
    lessons = TextField(max_length=TEXT_MAX, required=False)
    note = TextField(max_length=NOTE_MAX, required=False)
    own_case_study = TextField(max_length=100, required=False)

    class Meta:
        list_serializer_class = RecordList

    def to_representation(self, transfer):
        own = transfer.own_case_study
        return {
            "city": transfer.adopting_city.title,
            "country": transfer.adopting_city.country.code,
            "stage": transfer.stage,
            "started": transfer.started.isoformat() if transfer.started else None,
            "changes": transfer.changes,
            "lessons": transfer.lessons,
            "note": transfer.note,
            "own_case_study": external_id(own) if own is not None and is_public(own) else None,
        }


class RelationRecord(StrictObject, serializers.Serializer):
    type = LenientChoiceField(RelationKind.choices)
    case_study = TextField(max_length=100)

    class Meta:
        list_serializer_class = RecordList

    def to_representation(self, relation):
        return {"type": relation.kind, "case_study": external_id(relation.to_page)}


class ListOf(serializers.Field):
    """A list of `record` objects; a page's value is `shown(page)`."""

    def __init__(self, record, shown, **kwargs):
        super().__init__(required=False, **kwargs)
        self.records = record(many=True)
        self.record = record()
        self.shown = shown

    def to_internal_value(self, data):
        return self.records.run_validation(data)

    def get_attribute(self, page):
        return self.shown(page)

    def to_representation(self, items):
        return [self.record.to_representation(item) for item in items]


def shown_transfers(page):
    """The accepted transfers of a public case study by cities the public
    sees, by city (from the export's prefetch)."""
    return sorted((t for t in page.adaptations.all() if is_public(t.adopting_city)), key=lambda t: t.adopting_city.title)


def shown_relations(page):
    return sorted((r for r in page.relations_from.all() if is_public(r.to_page)),
                  key=lambda r: (r.kind, external_id(r.to_page)))


class TransfersExtension(RecordExtension):
    key = "transfers"

    @property
    def prefetch(self):
        accepted = Transfer.objects.filter(acceptance=Acceptance.ACCEPTED).select_related(
            "adopting_city", "own_case_study"
        )
        return (Prefetch("adaptations", queryset=accepted),)

    def field(self):
        return ListOf(TransferRecord, shown_transfers)

    def check(self, importer, records):
        given = [(record, record.data[self.key]) for record in records if self.key in record.data]
        referenced = {t["own_case_study"] for _, items in given for t in items if t.get("own_case_study")}
        known = importer.find_case_studies(sorted(referenced - set(importer.file_ids))) if referenced else {}
        problems = []
        for record, items in given:
            seen = set()
            for index, item in enumerate(items):
                where = f"{self.key}[{index}]"
                city_key = (item["city"].casefold(), item["country"])
                if not importer.city_known(item["city"], item["country"]):
                    problems.append(Problem(record.line, f"{where}.city",
                                            f"unknown city {item['city']!r} ({item['country']}): "
                                            "no city page, and no case study of the file creates it"))
                elif city_key == (record.city.casefold(), record.country):
                    problems.append(Problem(record.line, f"{where}.city",
                                            f"{item['city']} is the case study's own city: a city does not adapt "
                                            "its own practice"))
                if city_key in seen:
                    problems.append(Problem(record.line, f"{where}.city",
                                            f"{item['city']} is listed twice: one transfer per city"))
                seen.add(city_key)
                own = item.get("own_case_study")
                if own:
                    if own in importer.file_ids:
                        other = importer.file_ids[own]
                        own_city = (other.city.casefold(), other.country)
                    elif own in known:
                        page = known[own]
                        own_city = (page.city.title.casefold(), page.city.country.code) if page.city else None
                    else:
                        problems.append(Problem(record.line, f"{where}.own_case_study",
                                                f"unknown case study {own!r} (not in the file nor in the database)"))
                        continue
                    if own_city != city_key:
                        problems.append(Problem(record.line, f"{where}.own_case_study",
                                                f"{own!r} is not a case study of {item['city']}"))
        return problems

    def write(self, importer, written):
        given = [(record, page) for record, page in written if self.key in record.data]
        if not given:
            return
        referenced = sorted({t["own_case_study"] for r, _ in given for t in r.data[self.key] if t.get("own_case_study")})
        own_pages = importer.find_case_studies(referenced) if referenced else {}
        for record, page in given:
            kept = []
            for item in record.data[self.key]:
                city = importer.city(item["city"], item["country"])
                values = {
                    "stage": item.get("stage", Stage.EXPLORING),
                    "started": item.get("started"),
                    "changes": item.get("changes", ""),
                    "lessons": item.get("lessons", ""),
                    "note": item.get("note", ""),
                    "own_case_study": own_pages.get(item.get("own_case_study")),
                }
                transfer, _ = transfer_changes.record_accepted(page, city, user=importer.user, **values)
                kept.append(transfer.pk)
            for transfer in Transfer.objects.filter(source=page, acceptance=Acceptance.ACCEPTED).exclude(pk__in=kept):
                transfer.delete()  # one by one: each deletion is an editorial event (search.signals)


class RelationsExtension(RecordExtension):
    key = "relations"

    @property
    def prefetch(self):
        accepted = Relation.objects.filter(acceptance=Acceptance.ACCEPTED).select_related("to_page")
        return (Prefetch("relations_from", queryset=accepted),)

    def field(self):
        return ListOf(RelationRecord, shown_relations)

    def check(self, importer, records):
        given = [(record, record.data[self.key]) for record in records if self.key in record.data]
        referenced = {item["case_study"] for _, items in given for item in items}
        known = importer.find_case_studies(sorted(referenced - set(importer.file_ids))) if referenced else {}
        problems = []
        for record, items in given:
            seen = set()
            for index, item in enumerate(items):
                where = f"{self.key}[{index}]"
                target = item["case_study"]
                if target not in importer.file_ids and target not in known:
                    problems.append(Problem(record.line, f"{where}.case_study",
                                            f"unknown case study {target!r} (not in the file nor in the database)"))
                elif target == record.external_id:
                    problems.append(Problem(record.line, f"{where}.case_study",
                                            "a case study cannot be related to itself"))
                key = (item["type"], target)
                if key in seen:
                    problems.append(Problem(record.line, where, "the same relation is listed twice"))
                seen.add(key)
        return problems

    def write(self, importer, written):
        given = [(record, page) for record, page in written if self.key in record.data]
        if not given:
            return
        targets = importer.find_case_studies(sorted({i["case_study"] for r, _ in given for i in r.data[self.key]}))
        for record, page in given:
            kept = []
            for item in record.data[self.key]:
                target = targets[item["case_study"]]
                if target.pk == page.pk:
                    continue  # the same page under two ids: checked when it can be
                relation, _ = relation_changes.record_accepted(page, target, item["type"], user=importer.user)
                kept.append(relation.pk)
            for relation in Relation.objects.filter(from_page=page, acceptance=Acceptance.ACCEPTED).exclude(pk__in=kept):
                relation.delete()
