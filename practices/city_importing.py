"""Import cities and the challenges they work on from JSON Lines (the
`cities` format of docs/import-format.md), as practices.importing imports
case studies: `validate()` checks the whole file against the format
(practices.city_records) and the database, collecting every problem as
`line N: field: reason`; only a clean file gets to `run()`, which writes
everything in one transaction.

A city is found by its name (any case) and country, as the case study
format finds it; one that is not there is created under the cities index
(its editors group follows). A line describes the whole city: fields left
out are emptied, and its challenges are replaced by the line's.

    result = CityImporter(publish=True).load(path.read_bytes())   # raises ImportFailed
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from rest_framework import serializers

from cities import page_locales
from cities.models import CityChallenge, CityPage

from .city_records import CityRecord, city_defaults
from .importing import Importer, ImportFailed
from .jsonlines import Problem, read_lines
from .records import problems

CHALLENGES = "challenges"


@dataclass
class CityLine:
    """One valid line: its number and the values CityRecord read."""

    line: int
    data: dict

    @property
    def city(self):  # the name, as Importer._check_city reads it
        return self.data["title"]

    @property
    def country(self):
        return self.data["country"]

    @property
    def key(self):
        return (self.city.casefold(), self.country)

    @property
    def challenges(self):
        return self.data.get("city_challenges", [])


@dataclass
class CityImportResult:
    created: int = 0
    updated: int = 0
    terms_created: int = 0
    published: bool = False

    def __str__(self):
        state = "published" if self.published else "saved as drafts"
        return f"Cities: {self.created} created, {self.updated} updated ({state}). New challenges: {self.terms_created}."


class CityImporter(Importer):
    """Validate then import a JSON Lines file of cities.

    publish: publish the created and updated city pages; otherwise their
        changes are saved as draft revisions (a live city keeps its public
        version until a moderator publishes the new one).
    create_missing: create unknown challenges instead of reporting them.
    """

    def __init__(self, *, publish=False, create_missing=False, user=None):
        super().__init__(publish=publish, create_missing=create_missing, user=user)

    # Phase 1: the whole file against the format and the database.

    def _check_challenges(self, record, found):
        seen = {}  # the term (or its new slug) -> index of its first mention
        for index, item in enumerate(record.challenges):
            value = item["challenge"]
            path = f"{CHALLENGES}[{index}].challenge"
            term = self._find_term(CHALLENGES, value)
            slug = slugify(value)
            if term is None and not self.create_missing:
                found.append(Problem(record.line, path, f"unknown challenge {value!r} (use --create-missing to create it)"))
                continue
            if term is None and not slug:
                found.append(Problem(record.line, path, f"cannot make a slug from {value!r}"))
                continue
            if term is None:
                self.new_terms[CHALLENGES].setdefault(slug, value)
            identity = term.pk if term is not None else slug
            if identity in seen:
                found.append(Problem(record.line, path, f"{value!r} is given twice (also {CHALLENGES}[{seen[identity]}])"))
            seen.setdefault(identity, index)

    def validate(self, data):
        """The records of a clean file, or ImportFailed listing every problem."""
        found = []
        objects = list(read_lines(data, found))
        self._prefetch()
        format_ = CityRecord()
        records, lines = [], {}
        for number, obj in objects:
            try:
                record = CityLine(number, format_.run_validation(obj))
            except serializers.ValidationError as error:
                found.extend(Problem(number, path, reason) for path, reason in problems(error.detail))
                continue
            if record.key in lines:
                found.append(Problem(number, "name", f"{record.city} ({record.country}) is already on line {lines[record.key]}"))
                continue
            lines[record.key] = number
            self._check_city(record, found)
            self._check_challenges(record, found)
            records.append(record)
        if found:
            raise ImportFailed(sorted(found, key=lambda p: p.line))
        return records

    # Phase 2: write, all or nothing.

    @transaction.atomic
    def run(self, records):
        result = CityImportResult(published=self.publish)
        self._create_terms(result)
        taken = set(self.cities_index.get_children().values_list("slug", flat=True)) if self.cities_index else set()
        for record in records:
            try:
                if record.key in self.cities:
                    self._update(self.cities[record.key], record)
                    result.updated += 1
                else:
                    self._create(record, taken)
                    result.created += 1
            except ValidationError as error:
                messages = getattr(error, "error_dict", None) or {"line": error.error_list}
                raise ImportFailed(
                    Problem(record.line, name, " ".join(ValidationError(errors).messages))
                    for name, errors in messages.items()
                ) from error
        return result

    def _apply(self, city, record):
        for name, default in city_defaults().items():
            setattr(city, name, record.data.get(name, default))
        city.city_challenges = [
            CityChallenge(
                challenge=self._find_term(CHALLENGES, item["challenge"]),
                note=item.get("note", ""),
                since=item.get("since"),
            )
            for item in record.challenges
        ]

    def _save(self, city):
        revision = city.save_revision(user=self.user)
        if self.publish:
            revision.publish(user=self.user)

    def _create(self, record, taken):
        city = CityPage(
            title=record.city, slug=self._unique_slug(record.city, taken, "city"), country=record.country,
            live=self.publish,
        )
        self._apply(city, record)
        self.cities_index.add_child(instance=city)  # the editors group follows (signal)
        self._save(city)
        page_locales.complete(city)  # in every language (aliases)

    def _update(self, city, record):
        city = CityPage.objects.get(pk=city.pk)
        self._apply(city, record)
        if not city.live:
            # Nothing public to protect: keep the page row in step with the draft.
            city.save()
        # A live city keeps its public content until the revision is published.
        self._save(city)
