"""The case study record of the import/export format (docs/import-format.md),
declared once as DRF serializers.

`CaseStudyRecord().run_validation(obj)` turns one decoded JSON Lines object
into the values to write (or raises a DRF ValidationError whose detail
`problems()` flattens to `(field path, reason)` pairs);
`CaseStudyRecord().to_representation(page)` is the object the export writes
for a page. A field declared here is therefore read, checked and written by
the same line, and round-trips. Plain model fields take their type, maximum
length, choices and year bounds from the model (`Meta.fields`); the rules
between facts are `practices.rules.fact_errors`, shared with the admin.

The fields are the strict ones of practices.json_fields: an optional key
given as null or "" counts as left out; a required one is reported as
`required`.
"""

from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django_countries import countries
from rest_framework import serializers
from rest_framework.settings import api_settings
from taggit.models import Tag
from wagtail import hooks
from wagtail.rich_text import RichText

from cities.models import CityPage

from .blocks import SECTIONS
from .json_fields import (
    EmailField,
    LenientChoiceField,
    NameListField,
    NumberField,
    RecordList,
    StrictObject,
    TextField,
    URLField,
    WholeNumberField,
    YearField,
    invalid,
    shown,
)
from .models import (
    TAXONOMIES,
    YEAR_VALIDATORS,
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyPartner,
    CaseStudySource,
)
from .richtext import html_to_text, paragraphs, text_to_html
from .rules import fact_errors

# Body blocks of the format: the sections, then free text.
BODY_SECTIONS = [(name, label) for name, label, _ in SECTIONS] + [("text", "Text")]
BODY_SECTION_NAMES = [name for name, _ in BODY_SECTIONS]


class TermsField(NameListField):
    """Taxonomy terms by name (or slug); written as their names."""

    def __init__(self, model, **kwargs):
        super().__init__(max_length=model._meta.get_field("name").max_length, **kwargs)

    def get_attribute(self, page):
        return [term.name for term in getattr(page, self.source).all()]


class TagsField(NameListField):
    """Free keywords; written in alphabetical order."""

    def __init__(self, **kwargs):
        super().__init__(max_length=Tag._meta.get_field("name").max_length, **kwargs)

    def get_attribute(self, page):
        return sorted((item.tag.name for item in page.tagged_items.all()), key=str.casefold)


class FundingField(TextField):
    """A string, or a list of strings joined with "; "."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.parts = NameListField(max_length=None)

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = "; ".join(self.parts.run_validation(data))
        return super().to_internal_value(data)


class CityField(TextField):
    """The title of the city page the case study is under."""

    def __init__(self, **kwargs):
        super().__init__(max_length=CityPage._meta.get_field("title").max_length, **kwargs)

    def get_attribute(self, page):
        return page.city.title if page.city else ""


class CountryField(TextField):
    """The ISO 3166-1 alpha-2 code of the city's country, in any case."""

    def to_internal_value(self, data):
        code = super().to_internal_value(data).upper()
        if not countries.alpha2(code):
            raise invalid(f"unknown ISO 3166-1 alpha-2 country code {shown(code)}")
        return code

    def get_attribute(self, page):
        return page.city.country.code if page.city else ""


class ExternalIdField(TextField):
    """The case study's stable id. A page made in the admin has none; it is
    written as "sce-" and its translation key (a UUID, stable across
    databases), which the importer recognises."""

    def get_attribute(self, page):
        return page.external_id or f"sce-{page.translation_key}"


# --- Objects ---


_STRICT_FIELDS = {
    serializers.CharField: TextField,
    serializers.EmailField: EmailField,
    serializers.URLField: URLField,
    serializers.IntegerField: WholeNumberField,
    serializers.DecimalField: NumberField,
}


class FormatSerializer(StrictObject, serializers.ModelSerializer):
    """A ModelSerializer whose fields built from the model are the strict
    fields above; model fields bounded by YEAR_VALIDATORS are years."""

    serializer_field_mapping = {
        model_field: _STRICT_FIELDS.get(field, field)
        for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
    }
    serializer_choice_field = LenientChoiceField

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_class is WholeNumberField and all(
            v in model_field.validators for v in YEAR_VALIDATORS
        ):
            field_class = YearField
        return field_class, kwargs


def model_field(model, name, *, field_class=None, **kwargs):
    """The field FormatSerializer builds for `model.name`, to declare by hand
    (under another key with `source=name`, or as another `field_class`)."""
    built_class, built = FormatSerializer().build_standard_field(name, model._meta.get_field(name))
    built.pop("model_field", None)
    return (field_class or built_class)(**{**built, **kwargs})


class PartnerRecord(FormatSerializer):
    type = model_field(CaseStudyPartner, "organisation_type", source="organisation_type")

    class Meta:
        model = CaseStudyPartner
        fields = ["name", "type", "role"]
        list_serializer_class = RecordList


class OutcomeRecord(FormatSerializer):
    class Meta:
        model = CaseStudyOutcome
        fields = ["metric", "value", "unit", "year"]
        list_serializer_class = RecordList


class SourceRecord(FormatSerializer):
    """A URL string, or {"url", "title"}; written as the URL alone when it
    has no title."""

    class Meta:
        model = CaseStudySource
        fields = ["url", "title"]
        list_serializer_class = RecordList

    def to_internal_value(self, data):
        return super().to_internal_value({"url": data} if isinstance(data, str) else data)

    def to_representation(self, source):
        return super().to_representation(source) if source.title else source.url


class ContactRecord(FormatSerializer):
    """The contact fields of the page, as one object."""

    name = model_field(CaseStudyPage, "contact_name", source="contact_name")
    role = model_field(CaseStudyPage, "contact_role", source="contact_role")
    email = model_field(CaseStudyPage, "contact_email", source="contact_email")

    class Meta:
        model = CaseStudyPage
        fields = ["name", "role", "email"]


class BodySection(StrictObject, serializers.Serializer):
    section = LenientChoiceField(BODY_SECTIONS)
    text = TextField()

    class Meta:
        list_serializer_class = RecordList


class BodyField(serializers.Field):
    """The body: a string (its paragraphs become `text` blocks) or a list of
    {"section", "text"}; read as StreamField blocks of rich text, written as
    the list with the rich text flattened to plain text. Blocks that are not
    sections or text (quotes, images, documents) are not part of the format."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sections = BodySection(many=True)

    def to_internal_value(self, data):
        if isinstance(data, str):
            items = [("text", p) for p in paragraphs(data)]
        else:
            items = [(item["section"], item["text"]) for item in self.sections.run_validation(data)]
        return [(section, RichText(text_to_html(text))) for section, text in items]

    def to_representation(self, stream):
        blocks = (
            {"section": block.block_type, "text": html_to_text(block.value)}
            for block in stream
            if block.block_type in BODY_SECTION_NAMES
        )
        return [block for block in blocks if block["text"]]


class RecordExtension:
    """A part of the case study record that a higher app keeps: the
    exchange's transfers and relations. Registered through the
    ``register_case_study_record_extensions`` Wagtail hook (a function
    returning a list of these; practices import no higher app).

    * `key`: the record's key (after the keys of this module, in an export);
    * `field()`: the DRF field that reads the value of a line and writes the
      value of a page (`get_attribute(page)`), optional (`required=False`);
      when a line leaves the key out, the importer leaves that part of the
      page alone;
    * `prefetch`: what the export prefetches for `field().get_attribute`;
    * `check(importer, records)`: phase 1, the problems of the valid lines
      against the database and the rest of the file (`jsonlines.Problem`s);
    * `write(importer, written)`: phase 2, in the import's transaction,
      after every page of the file is written; `written` is a list of
      (`importing.Record`, page)."""

    key = ""
    prefetch = ()

    def field(self):
        raise NotImplementedError

    def check(self, importer, records):
        return []

    def write(self, importer, written):
        pass


@cache
def record_extensions() -> tuple[RecordExtension, ...]:
    return tuple(
        extension for register in hooks.get_hooks("register_case_study_record_extensions") for extension in register()
    )


class CaseStudyRecord(FormatSerializer):
    """One case study: one line of the file (plus the keys of the
    `record_extensions()`)."""

    list_expected = False

    external_id = ExternalIdField(
        max_length=CaseStudyPage._meta.get_field("external_id").max_length, required=False
    )
    city = CityField()
    country = CountryField()
    tags = TagsField()
    funding_sources = model_field(CaseStudyPage, "funding_sources", field_class=FundingField)
    partners = PartnerRecord(many=True, required=False)
    outcomes = OutcomeRecord(many=True, required=False)
    body = BodyField(required=False)
    sources = SourceRecord(many=True, required=False)
    contact = ContactRecord(source="*", required=False)

    class Meta:
        model = CaseStudyPage
        # In the order an exported line has them.
        fields = [
            "external_id",
            "title",
            "city",
            "country",
            "summary",
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
        ]
        extra_kwargs = {
            "budget": {"min_value": 0, "error_messages": {"min_value": "cannot be negative"}},
            "language": {"described_as": "a language code Django knows, such as en, es, pt-br"},
        }

    def get_fields(self):
        fields = super().get_fields()
        for extension in record_extensions():
            fields[extension.key] = extension.field()
        return fields

    def build_field(self, field_name, info, model_class, nested_depth):
        if field_name in TAXONOMIES:
            return TermsField, {"model": TAXONOMIES[field_name]}
        return super().build_field(field_name, info, model_class, nested_depth)

    def validate(self, attrs):
        errors = fact_errors(
            start_year=attrs.get("start_year"),
            end_year=attrs.get("end_year"),
            budget=attrs.get("budget"),
            currency=attrs.get("currency", ""),
        )
        if errors:
            raise serializers.ValidationError(errors)
        if attrs.get("currency"):
            attrs["currency"] = attrs["currency"].upper()
        return attrs


@cache
def page_defaults():
    """{CaseStudyPage attribute: default} for every plain (non-relation)
    model field a record sets: what a line that leaves one out gets."""

    def collect(serializer):
        defaults = {}
        for field in serializer.fields.values():
            if field.source == "*" and isinstance(field, serializers.Serializer):
                defaults.update(collect(field))
                continue
            try:
                model_field = CaseStudyPage._meta.get_field(field.source)
            except FieldDoesNotExist:
                continue
            if model_field.concrete and not model_field.is_relation:
                defaults[field.source] = model_field.get_default()
        return defaults

    return collect(CaseStudyRecord())


def problems(detail, path=""):
    """Yield (field path, reason) for every message of a DRF error detail:
    `partners[1].type`, `contact.email`; `line` for the object itself."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                sub = path
            elif isinstance(key, int):
                sub = f"{path}[{key}]"
            else:
                sub = f"{path}.{key}" if path else key
            yield from problems(value, sub)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                yield from problems(value, f"{path}[{index}]")
            else:
                yield path or "line", str(value)
    else:
        yield path or "line", str(detail)
