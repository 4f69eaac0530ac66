"""Import case studies from JSON Lines (the format is docs/import-format.md).

Two phases. `validate()` reads the whole file, checks every line against the
format (practices.records) and the database (prefetched once: terms, cities,
known external ids) and collects every problem as `line N: field: reason`.
Only a clean file gets to `run()`, which writes everything in one
transaction: a failure there rolls the whole import back.

    importer = Importer(publish=True)
    result = importer.load(path.read_bytes())   # raises ImportFailed

The management command `import_practices` is a thin wrapper around this;
load_demo uses it too.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from rest_framework import serializers
from wagtail.models import Page

from cities import page_locales
from cities.models import CitiesIndexPage, CityPage

from .jsonlines import Problem, read_lines
from .models import (
    TAXONOMIES,
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyPartner,
    CaseStudySource,
)
from .records import CaseStudyRecord, page_defaults, problems, record_extensions

# Ids that export_practices makes up for case studies created in the admin:
# "sce-" and the page's translation key, a UUID that is stable and unique
# across databases (a page id is not).
GENERATED_ID = re.compile(r"^sce-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


class ImportFailed(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s); nothing was imported")


@dataclass
class Record:
    """One valid line: its number and the values CaseStudyRecord read."""

    line: int
    data: dict

    @property
    def external_id(self):
        return self.data.get("external_id")

    @property
    def title(self):
        return self.data["title"]

    @property
    def city(self):
        return self.data["city"]

    @property
    def country(self):
        return self.data["country"]

    @property
    def terms(self):
        """{taxonomy key: [names or slugs as written]}"""
        return {key: self.data.get(key, []) for key in TAXONOMIES}

    @property
    def values(self):
        """Every plain page field, a left-out one at its default: a line
        describes the whole case study."""
        return {name: self.data.get(name, default) for name, default in page_defaults().items()}

    def items(self, name):
        """The dicts of a list of objects (partners, outcomes, sources)."""
        return [dict(item) for item in self.data.get(name, [])]


# --- The importer ---


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    cities_created: int = 0
    terms_created: int = 0
    published: bool = False

    def __str__(self):
        state = "published" if self.published else "saved as drafts"
        text = f"{self.created} created, {self.updated} updated ({state})"
        if self.skipped:
            text += f", {self.skipped} skipped (already imported)"
        return f"Case studies: {text}. New cities: {self.cities_created}. New terms: {self.terms_created}."


class Importer:
    """Validate then import a JSON Lines file of case studies.

    publish: publish created and updated case studies (and new cities);
        otherwise they are saved as draft revisions.
    create_missing: create unknown taxonomy terms instead of reporting them.
    skip_existing: leave case studies whose external_id is already in the
        database untouched (load_demo uses this to stay idempotent).
    """

    def __init__(self, *, publish=False, create_missing=False, skip_existing=False, user=None):
        self.publish = publish
        self.create_missing = create_missing
        self.skip_existing = skip_existing
        self.user = user

    def load(self, data):
        return self.run(self.validate(data))

    # Phase 1: validate the whole file against the format and the database.

    def _prefetch(self):
        self.terms = {}  # taxonomy key -> {lookup key: term}
        for key, model in TAXONOMIES.items():
            lookup = {}
            for term in model.objects.all():
                lookup[term.slug] = term
                lookup.setdefault(term.name.casefold(), term)
            self.terms[key] = lookup
        self.new_terms = {key: {} for key in TAXONOMIES}  # taxonomy key -> {slug: name}
        self.cities = {}  # (name casefold, country) -> CityPage
        self.city_countries = {}  # name casefold -> {country codes}
        for city in CityPage.objects.canonical():
            self.cities[(city.title.casefold(), city.country.code)] = city
            self.city_countries.setdefault(city.title.casefold(), set()).add(city.country.code)
        self.new_cities = {}  # (name casefold, country) -> (name, country)
        self.cities_index = CitiesIndexPage.objects.canonical().first()

    def _find_term(self, key, value):
        lookup = self.terms[key]
        return lookup.get(value) or lookup.get(value.casefold()) or lookup.get(slugify(value))

    def _check_terms(self, record, problems):
        for key, values in record.terms.items():
            for value in values:
                if self._find_term(key, value):
                    continue
                slug = slugify(value)
                if not self.create_missing:
                    problems.append(
                        Problem(
                            record.line,
                            key,
                            f"unknown term {value!r} (use --create-missing to create it)",
                        )
                    )
                elif not slug:
                    problems.append(Problem(record.line, key, f"cannot make a slug from {value!r}"))
                else:
                    self.new_terms[key].setdefault(slug, value)

    def _check_city(self, record, problems):
        key = (record.city.casefold(), record.country)
        if key in self.cities or key in self.new_cities:
            return
        elsewhere = self.city_countries.get(record.city.casefold())
        if elsewhere:
            problems.append(
                Problem(
                    record.line,
                    "country",
                    f"{record.city} is a city in {', '.join(sorted(elsewhere))}, not {record.country}",
                )
            )
        elif self.cities_index is None:
            problems.append(
                Problem(
                    record.line,
                    "city",
                    f"{record.city!r} is new and there is no cities index to put it in",
                )
            )
        else:
            self.new_cities[key] = (record.city, record.country)

    def _find_existing(self, records):
        ids = [r.external_id for r in records if r.external_id]
        self.existing = {
            p.external_id: p for p in CaseStudyPage.objects.filter(external_id__in=ids)
        }
        generated = {}
        for external_id in ids:
            match = GENERATED_ID.match(external_id)
            if match and external_id not in self.existing:
                generated[match.group(1)] = external_id
        if generated:
            pages = CaseStudyPage.objects.filter(
                translation_key__in=generated, external_id__isnull=True
            )
            for page in pages:
                self.existing[generated[str(page.translation_key)]] = page

    def validate(self, data):
        """Return the records of a clean file, or raise ImportFailed listing
        every problem found."""
        found = []
        objects = list(read_lines(data, found))
        self._prefetch()
        format_ = CaseStudyRecord()
        records, seen = [], {}
        for number, obj in objects:
            external_id = obj.get("external_id")
            if isinstance(external_id, str) and external_id.strip():
                external_id = external_id.strip()
                if external_id in seen:
                    found.append(
                        Problem(
                            number,
                            "external_id",
                            f"{external_id!r} already used on line {seen[external_id]}",
                        )
                    )
                seen.setdefault(external_id, number)
            try:
                record = Record(number, format_.run_validation(obj))
            except serializers.ValidationError as error:
                found.extend(
                    Problem(number, path, reason) for path, reason in problems(error.detail)
                )
                continue
            self._check_terms(record, found)
            self._check_city(record, found)
            records.append(record)
        self.file_ids = {r.external_id: r for r in records if r.external_id}
        for extension in record_extensions():
            found.extend(extension.check(self, records))
        if found:
            raise ImportFailed(sorted(found, key=lambda p: p.line))
        self._find_existing(records)
        return records

    def city_known(self, name, country):
        """Whether the city exists, or this import creates it."""
        key = (name.casefold(), country)
        return key in self.cities or key in self.new_cities

    def city(self, name, country):
        """The city page (after phase 2 has created the new ones)."""
        return self.cities.get((name.casefold(), country))

    def find_case_studies(self, external_ids):
        """{external id: CaseStudyPage} of those of `external_ids` written
        by this import or already in the database (ids made up by the export
        included): one query for those not written here."""
        found = {i: page for i in external_ids if (page := getattr(self, "written_ids", {}).get(i)) is not None}
        missing = [i for i in external_ids if i not in found]
        if not missing:
            return found
        generated = {m.group(1): i for i in missing if (m := GENERATED_ID.match(i))}
        pages = CaseStudyPage.objects.filter(
            Q(external_id__in=missing) | Q(translation_key__in=list(generated), external_id__isnull=True)
        ).select_related("city")
        for page in pages:
            if page.external_id in missing:
                found[page.external_id] = page
            elif str(page.translation_key) in generated:
                found[generated[str(page.translation_key)]] = page
        return found

    # Phase 2: write, all or nothing.

    @transaction.atomic
    def run(self, records):
        result = ImportResult(published=self.publish)
        self._create_terms(result)
        self._create_cities(result)
        self.sibling_slugs = self._sibling_slugs()
        written = []
        self.written_ids = {}
        for record in records:
            existing = self.existing.get(record.external_id) if record.external_id else None
            if existing and self.skip_existing:
                result.skipped += 1
                continue
            try:
                if existing:
                    page = self._update(existing, record)
                    result.updated += 1
                else:
                    page = self._create(record)
                    result.created += 1
            except ValidationError as error:
                # A model check the format does not know about: report it like the others.
                messages = getattr(error, "error_dict", None) or {"line": error.error_list}
                raise ImportFailed(
                    Problem(record.line, name, " ".join(ValidationError(errors).messages))
                    for name, errors in messages.items()
                ) from error
            written.append((record, page))
            if record.external_id:
                self.written_ids[record.external_id] = page
        for extension in record_extensions():
            extension.write(self, written)
        return result

    def _create_terms(self, result):
        for key, new in self.new_terms.items():
            model = TAXONOMIES[key]
            for slug, name in new.items():
                term = model.objects.create(name=name, slug=slug)
                self.terms[key][slug] = term
                self.terms[key][name.casefold()] = term
                result.terms_created += 1

    def _create_cities(self, result):
        if not self.new_cities:
            return
        taken = set(self.cities_index.get_children().values_list("slug", flat=True))
        for key, (name, country) in self.new_cities.items():
            city = CityPage(
                title=name, slug=self._unique_slug(name, taken, "city"), country=country
            )
            city.live = self.publish
            self.cities_index.add_child(instance=city)  # the editors group follows (signal)
            revision = city.save_revision(user=self.user)
            if self.publish:
                revision.publish(user=self.user)
            page_locales.complete(city)  # in every language (aliases)
            self.cities[key] = city
            result.cities_created += 1

    def _sibling_slugs(self):
        """Slugs of every page under each city, in one query."""
        slugs = {city.path: set() for city in self.cities.values()}
        depths = {city.depth + 1 for city in self.cities.values()}
        steplen = Page.steplen
        for path, slug in Page.objects.filter(depth__in=depths).values_list("path", "slug"):
            slugs.setdefault(path[:-steplen], set()).add(slug)
        return slugs

    @staticmethod
    def _unique_slug(title, taken, fallback):
        base = slugify(title)[:240] or fallback
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        return slug

    def _apply(self, page, record):
        """Set every field, inline and relation of the page from the record.
        Fields left out of the record are emptied: a line describes the whole
        case study."""
        for name, value in record.values.items():
            setattr(page, name, value)
        for key, values in record.terms.items():
            getattr(page, key).set([self._find_term(key, value) for value in values])
        page.tags.set(record.data.get("tags", []))
        page.partners = [CaseStudyPartner(**values) for values in record.items("partners")]
        page.outcomes = [CaseStudyOutcome(**values) for values in record.items("outcomes")]
        page.sources = [CaseStudySource(**values) for values in record.items("sources")]

    def _save(self, page):
        revision = page.save_revision(user=self.user)
        if self.publish:
            revision.publish(user=self.user)

    def _create(self, record):
        city = self.cities[(record.city.casefold(), record.country)]
        taken = self.sibling_slugs.setdefault(city.path, set())
        page = CaseStudyPage(slug=self._unique_slug(record.title, taken, "case-study"), live=False)
        self._apply(page, record)
        city.add_child(instance=page)
        self._save(page)
        page_locales.complete(page)  # in every language (aliases, to be translated)
        return page

    def _update(self, page, record):
        city = self.cities[(record.city.casefold(), record.country)]
        if page.city_id != city.pk:
            taken = self.sibling_slugs.setdefault(city.path, set())
            if page.slug in taken:
                page.slug = self._unique_slug(page.title, taken, "case-study")
                page.save(update_fields=["slug"], clean=False)
            taken.add(page.slug)
            page.move(city, pos="last-child")
            page = CaseStudyPage.objects.get(pk=page.pk)
        self._apply(page, record)
        if not page.live:
            # Nothing public to protect: keep the page row in step with the draft.
            page.save()
        # A live page keeps its public content until the revision is published.
        self._save(page)
        return page
