"""Import case studies from JSON Lines (the format is docs/import-format.md).

Two phases. `validate()` reads the whole file, checks every line against the
format and the database (prefetched once: terms, cities, known external ids)
and collects every problem as `line N: field: reason`. Only a clean file gets
to `run()`, which writes everything in one transaction: a failure there rolls
the whole import back.

    importer = Importer(publish=True)
    result = importer.load(path.read_bytes())   # raises ImportFailed

The management command `import_practices` is a thin wrapper around this;
load_demo uses it too.
"""

import codecs
import html
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, EmailValidator, URLValidator
from django.db import transaction
from django.utils.text import slugify
from django_countries import countries
from wagtail.models import Page
from wagtail.rich_text import RichText

from cities.models import CitiesIndexPage, CityPage

from .blocks import SECTION_NAMES
from .models import (
    LANGUAGE_CHOICES,
    TAXONOMIES,
    YEAR_VALIDATORS,
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyPartner,
    CaseStudySource,
    OrganisationType,
    Scale,
    Status,
)

REQUIRED = ("title", "city", "country", "summary")
OPTIONAL = (
    "external_id",
    *TAXONOMIES,
    "tags",
    "start_year",
    "end_year",
    "status",
    "scale",
    "budget",
    "currency",
    "funding_sources",
    "partners",
    "outcomes",
    "body",
    "sources",
    "language",
    "contact",
)
FIELDS = frozenset(REQUIRED + OPTIONAL)
BODY_SECTIONS = [*SECTION_NAMES, "text"]
# Ids that export_practices makes up for case studies created in the admin:
# "sce-" and the page's translation key, a UUID that is stable and unique
# across databases (a page id is not).
GENERATED_ID = re.compile(r"^sce-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$")


def _max_length(model, name):
    return model._meta.get_field(name).max_length


# --- Problems ---


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.field}: {self.reason}"


class ImportFailed(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s); nothing was imported")


# --- Rich text ---


def paragraphs(text):
    """Split plain text into paragraphs on blank lines."""
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]


def text_to_html(text):
    """Plain text paragraphs (blank-line separated) to rich text HTML; a
    single newline inside a paragraph becomes a line break."""
    return "".join(
        "<p>"
        + "<br/>".join(html.escape(line.strip(), quote=False) for line in p.splitlines())
        + "</p>"
        for p in paragraphs(text)
    )


# --- Validation of one line ---


@dataclass
class Record:
    """One valid line, with plain Python values ready to be written."""

    line: int
    external_id: str | None
    title: str
    city: str
    country: str
    values: dict  # CaseStudyPage field -> value
    terms: dict = field(default_factory=dict)  # taxonomy key -> [raw names]
    tags: list = field(default_factory=list)
    partners: list = field(default_factory=list)  # [{name, organisation_type, role}]
    outcomes: list = field(default_factory=list)  # [{metric, value, unit, year}]
    sources: list = field(default_factory=list)  # [{url, title}]
    body: list = field(default_factory=list)  # [(block type, plain text)]


class _Line:
    """Checks the fields of one JSON object and collects its problems."""

    def __init__(self, number, data, problems):
        self.number = number
        self.data = data
        self.problems = problems

    def problem(self, name, reason):
        self.problems.append(Problem(self.number, name, reason))

    @staticmethod
    def _type_name(value):
        return {dict: "an object", list: "a list", str: "a string", bool: "true/false"}.get(
            type(value), "null" if value is None else "a number"
        )

    def string(self, name, value, *, required=False, max_length=None):
        if value is None or value == "":
            if required:
                self.problem(name, "required")
            return ""
        if not isinstance(value, str):
            self.problem(name, f"expected a string, got {self._type_name(value)}")
            return ""
        value = value.strip()
        if "\x00" in value:
            self.problem(name, "contains a NUL character")
            return ""
        if required and not value:
            self.problem(name, "required")
        if max_length and len(value) > max_length:
            self.problem(name, f"at most {max_length} characters (got {len(value)})")
        return value

    def string_list(self, name, value, *, max_length=None):
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(name, f"expected a list of strings, got {self._type_name(value)}")
            return []
        result = []
        for index, item in enumerate(value):
            item = self.string(f"{name}[{index}]", item, required=True, max_length=max_length)
            if item and item.casefold() not in {r.casefold() for r in result}:
                result.append(item)
        return result

    def choice(self, name, value, choices):
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value.lower() not in choices:
            self.problem(name, f"{value!r} is not one of {', '.join(choices)}")
            return None
        return value.lower()

    def year(self, name, value):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"expected a year such as 2020, got {value!r}")
            return None
        try:
            for validator in YEAR_VALIDATORS:
                validator(value)
        except ValidationError:
            self.problem(name, f"not a plausible year: {value} (1900-2100)")
            return None
        return value

    def decimal(self, name, value, *, max_digits, decimal_places, required=False):
        if value is None or value == "":
            if required:
                self.problem(name, "required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(name, f"expected a number, got {self._type_name(value)}")
            return None
        try:
            number = Decimal(str(value).strip())
            if not number.is_finite():
                raise InvalidOperation
            DecimalValidator(max_digits, decimal_places)(number)
        except InvalidOperation:
            self.problem(name, f"not a number: {value!r}")
            return None
        except ValidationError as error:
            self.problem(name, " ".join(error.messages))
            return None
        return number

    def obj(self, name, value, allowed):
        """An object with only `allowed` keys, or None."""
        if not isinstance(value, dict):
            self.problem(name, f"expected an object, got {self._type_name(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.problem(f"{name}.{key}", f"unknown field (expected {', '.join(allowed)})")
        return value

    def url(self, name, value):
        url = self.string(
            name, value, required=True, max_length=_max_length(CaseStudySource, "url")
        )
        return self._validated(name, url, URLValidator(), "a valid URL")

    def email(self, name, value):
        email = self.string(name, value, max_length=_max_length(CaseStudyPage, "contact_email"))
        return self._validated(name, email, EmailValidator(), "a valid email address")

    def _validated(self, name, text, validator, what):
        """`text` if the Django validator accepts it (or it is empty), else
        "" with the problem recorded."""
        if text:
            try:
                validator(text)
            except ValidationError:
                self.problem(name, f"not {what}: {text!r}")
                return ""
        return text


def _list(line, name, value):
    if value is None:
        return []
    if not isinstance(value, list):
        line.problem(name, f"expected a list, got {line._type_name(value)}")
        return []
    return value


def validate_object(number, data, problems):
    """Check one decoded line against the format (not the database). Returns a
    Record, or None when a problem was found."""
    before = len(problems)
    line = _Line(number, data, problems)
    for key in data:
        if key not in FIELDS:
            line.problem(key, "unknown field")

    external_id = line.string(
        "external_id", data.get("external_id"), max_length=_max_length(CaseStudyPage, "external_id")
    )
    title = line.string(
        "title", data.get("title"), required=True, max_length=_max_length(Page, "title")
    )
    city = line.string(
        "city", data.get("city"), required=True, max_length=_max_length(CityPage, "title")
    )
    country = line.string("country", data.get("country"), required=True).upper()
    if country and not countries.alpha2(country):
        line.problem("country", f"unknown ISO 3166-1 alpha-2 country code {country!r}")
    summary = line.string(
        "summary",
        data.get("summary"),
        required=True,
        max_length=_max_length(CaseStudyPage, "summary"),
    )

    start_year = line.year("start_year", data.get("start_year"))
    end_year = line.year("end_year", data.get("end_year"))
    if start_year and end_year and end_year < start_year:
        line.problem("end_year", f"{end_year} is before the start year {start_year}")
    budget = line.decimal("budget", data.get("budget"), max_digits=14, decimal_places=2)
    if budget is not None and budget < 0:
        line.problem("budget", "cannot be negative")
    currency = line.string("currency", data.get("currency")).upper()
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        line.problem(
            "currency", f"expected a three-letter ISO 4217 code such as EUR, got {currency!r}"
        )
    if budget is not None and not currency:
        line.problem("currency", "required with a budget")

    funding = data.get("funding_sources")
    if isinstance(funding, list):
        funding = "; ".join(line.string_list("funding_sources", funding))
    funding = line.string(
        "funding_sources", funding, max_length=_max_length(CaseStudyPage, "funding_sources")
    )

    contact = {}
    if data.get("contact") is not None:
        contact = line.obj("contact", data["contact"], ("name", "role", "email")) or {}
    values = {
        "summary": summary,
        "start_year": start_year,
        "end_year": end_year,
        "status": line.choice("status", data.get("status"), Status.values) or Status.RUNNING,
        "scale": line.choice("scale", data.get("scale"), Scale.values) or Scale.CITY,
        "budget": budget,
        "currency": currency,
        "funding_sources": funding,
        "language": line.choice("language", data.get("language"), [c for c, _ in LANGUAGE_CHOICES])
        or "en",
        "contact_name": line.string(
            "contact.name",
            contact.get("name"),
            max_length=_max_length(CaseStudyPage, "contact_name"),
        ),
        "contact_role": line.string(
            "contact.role",
            contact.get("role"),
            max_length=_max_length(CaseStudyPage, "contact_role"),
        ),
        "contact_email": line.email("contact.email", contact.get("email")),
    }
    record = Record(number, external_id or None, title, city, country, values)

    for key, model in TAXONOMIES.items():
        record.terms[key] = line.string_list(
            key, data.get(key), max_length=_max_length(model, "name")
        )
    record.tags = line.string_list("tags", data.get("tags"), max_length=100)

    for index, item in enumerate(_list(line, "partners", data.get("partners"))):
        name = f"partners[{index}]"
        if line.obj(name, item, ("name", "type", "role")) is None:
            continue
        org_type = line.choice(f"{name}.type", item.get("type"), OrganisationType.values)
        if org_type is None and not item.get("type"):
            line.problem(f"{name}.type", "required")
        record.partners.append(
            {
                "name": line.string(
                    f"{name}.name",
                    item.get("name"),
                    required=True,
                    max_length=_max_length(CaseStudyPartner, "name"),
                ),
                "organisation_type": org_type or "",
                "role": line.string(
                    f"{name}.role",
                    item.get("role"),
                    max_length=_max_length(CaseStudyPartner, "role"),
                ),
            }
        )

    for index, item in enumerate(_list(line, "outcomes", data.get("outcomes"))):
        name = f"outcomes[{index}]"
        if line.obj(name, item, ("metric", "value", "unit", "year")) is None:
            continue
        record.outcomes.append(
            {
                "metric": line.string(
                    f"{name}.metric",
                    item.get("metric"),
                    required=True,
                    max_length=_max_length(CaseStudyOutcome, "metric"),
                ),
                "value": line.decimal(
                    f"{name}.value",
                    item.get("value"),
                    max_digits=16,
                    decimal_places=2,
                    required=True,
                ),
                "unit": line.string(
                    f"{name}.unit",
                    item.get("unit"),
                    max_length=_max_length(CaseStudyOutcome, "unit"),
                ),
                "year": line.year(f"{name}.year", item.get("year")),
            }
        )

    for index, item in enumerate(_list(line, "sources", data.get("sources"))):
        name = f"sources[{index}]"
        if isinstance(item, str):
            item = {"url": item}
        if line.obj(name, item, ("url", "title")) is None:
            continue
        record.sources.append(
            {
                "url": line.url(f"{name}.url", item.get("url")),
                "title": line.string(
                    f"{name}.title",
                    item.get("title"),
                    max_length=_max_length(CaseStudySource, "title"),
                ),
            }
        )

    body = data.get("body")
    if isinstance(body, str):
        record.body = [("text", p) for p in paragraphs(body)]
    else:
        for index, item in enumerate(_list(line, "body", body)):
            name = f"body[{index}]"
            if line.obj(name, item, ("section", "text")) is None:
                continue
            section = item.get("section")
            if section not in BODY_SECTIONS:
                line.problem(
                    f"{name}.section", f"{section!r} is not one of {', '.join(BODY_SECTIONS)}"
                )
            text = line.string(f"{name}.text", item.get("text"), required=True)
            if text and section in BODY_SECTIONS:
                record.body.append((section, text))

    return record if len(problems) == before else None


def read_lines(data, problems):
    """Decode JSON Lines bytes: yields (line number, object) for every
    well-formed line and adds a problem for each bad one. Blank lines are
    skipped."""

    def reject_constant(name):
        raise ValueError(f"{name} is not valid JSON")

    for number, raw in enumerate(data.split(b"\n"), start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(number, "line", f"not valid UTF-8 (byte {error.start + 1})"))
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text, parse_constant=reject_constant)
        except json.JSONDecodeError as error:
            problems.append(
                Problem(number, "line", f"invalid JSON: {error.msg} (column {error.colno})")
            )
            continue
        except ValueError as error:
            problems.append(Problem(number, "line", f"invalid JSON: {error}"))
            continue
        if not isinstance(value, dict):
            problems.append(
                Problem(number, "line", f"expected a JSON object, got {_Line._type_name(value)}")
            )
            continue
        yield number, value


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
        for city in CityPage.objects.all():
            self.cities[(city.title.casefold(), city.country.code)] = city
            self.city_countries.setdefault(city.title.casefold(), set()).add(city.country.code)
        self.new_cities = {}  # (name casefold, country) -> (name, country)
        self.cities_index = CitiesIndexPage.objects.first()

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
        problems = []
        objects = list(read_lines(data, problems))
        self._prefetch()
        records, seen = [], {}
        for number, obj in objects:
            external_id = obj.get("external_id")
            if isinstance(external_id, str) and external_id.strip():
                external_id = external_id.strip()
                if external_id in seen:
                    problems.append(
                        Problem(
                            number,
                            "external_id",
                            f"{external_id!r} already used on line {seen[external_id]}",
                        )
                    )
                seen.setdefault(external_id, number)
            record = validate_object(number, obj, problems)
            if record is None:
                continue
            self._check_terms(record, problems)
            self._check_city(record, problems)
            records.append(record)
        if problems:
            raise ImportFailed(sorted(problems, key=lambda p: p.line))
        self._find_existing(records)
        return records

    # Phase 2: write, all or nothing.

    @transaction.atomic
    def run(self, records):
        result = ImportResult(published=self.publish)
        self._create_terms(result)
        self._create_cities(result)
        self.sibling_slugs = self._sibling_slugs()
        for record in records:
            existing = self.existing.get(record.external_id) if record.external_id else None
            if existing and self.skip_existing:
                result.skipped += 1
                continue
            try:
                if existing:
                    self._update(existing, record)
                    result.updated += 1
                else:
                    self._create(record)
                    result.created += 1
            except ValidationError as error:
                # A model check the format does not know about: report it like the others.
                messages = getattr(error, "error_dict", None) or {"line": error.error_list}
                raise ImportFailed(
                    Problem(record.line, name, " ".join(ValidationError(errors).messages))
                    for name, errors in messages.items()
                ) from error
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
        page.title = record.title
        for name, value in record.values.items():
            setattr(page, name, value)
        if record.external_id:
            page.external_id = record.external_id
        for key, values in record.terms.items():
            getattr(page, key).set([self._find_term(key, value) for value in values])
        page.tags.set(record.tags)
        page.partners = [CaseStudyPartner(**values) for values in record.partners]
        page.outcomes = [CaseStudyOutcome(**values) for values in record.outcomes]
        page.sources = [CaseStudySource(**values) for values in record.sources]
        page.body = [(block, RichText(text_to_html(text))) for block, text in record.body]

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
