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

Values are strict where JSON is typed: a string is not a number, a number is
not a string. An optional key given as null or "" counts as left out; a
required one is reported as `required`.
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django_countries import countries
from rest_framework import serializers
from rest_framework.settings import api_settings
from taggit.models import Tag
from wagtail.rich_text import RichText

from cities.models import CityPage

from .blocks import SECTIONS
from .jsonlines import type_name
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

REQUIRED = "required"
REQUIRED_MESSAGES = {"required": REQUIRED, "null": REQUIRED, "blank": REQUIRED}
# Body blocks of the format: the sections, then free text.
BODY_SECTIONS = [(name, label) for name, label, _ in SECTIONS] + [("text", "Text")]
BODY_SECTION_NAMES = [name for name, _ in BODY_SECTIONS]


def shown(value):
    """A value quoted in a problem, cut short when long."""
    text = repr(value)
    return text if len(text) <= 60 else text[:56] + "...'"


def invalid(reason):
    return serializers.ValidationError(reason)


# --- Fields ---


class TextField(serializers.CharField):
    """A JSON string, trimmed, without NUL characters."""

    default_error_messages = REQUIRED_MESSAGES

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise invalid(f"expected a string, got {type_name(data)}")
        value = data.strip() if self.trim_whitespace else data
        if "\x00" in value:
            raise invalid("contains a NUL character")
        if self.max_length is not None and len(value) > self.max_length:
            raise invalid(f"at most {self.max_length} characters (got {len(value)})")
        return value


class _ValidatedText(TextField):
    validator = None
    what = ""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            self.validator(value)
        except DjangoValidationError:
            raise invalid(f"not {self.what}: {shown(value)}") from None
        return value


class EmailField(_ValidatedText):
    validator = EmailValidator()
    what = "a valid email address"


class URLField(_ValidatedText):
    validator = URLValidator()
    what = "a valid URL"


class WholeNumberField(serializers.IntegerField):
    """A JSON integer (not true/false, not a string, not 2.0)."""

    default_error_messages = REQUIRED_MESSAGES
    expected = "a whole number"

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            raise invalid(f"expected {self.expected}, got {shown(data)}")
        if (self.min_value is not None and data < self.min_value) or (
            self.max_value is not None and data > self.max_value
        ):
            raise invalid(self.out_of_range(data))
        return data

    def out_of_range(self, value):
        return f"{value} is not between {self.min_value} and {self.max_value}"


class YearField(WholeNumberField):
    """A year within the bounds of the model's YEAR_VALIDATORS."""

    expected = "a year such as 2020"

    def out_of_range(self, value):
        return f"not a plausible year: {value} ({self.min_value}-{self.max_value})"


class NumberField(serializers.DecimalField):
    """A JSON number (or a string holding one), read exactly as a Decimal
    and written back as a JSON number."""

    default_error_messages = {
        **REQUIRED_MESSAGES,
        "max_digits": "at most {max_digits} digits in total",
        "max_decimal_places": "at most {max_decimal_places} digits after the decimal point",
        "max_whole_digits": "at most {max_whole_digits} digits before the decimal point",
        "max_string_length": "too long to be a number",
        "min_value": "at least {min_value}",
        "max_value": "at most {max_value}",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            raise invalid(f"expected a number, got {type_name(data)}")
        try:
            number = Decimal(str(data).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise invalid(f"not a number: {shown(data)}")
        return super().to_internal_value(number)

    def to_representation(self, value):
        """An int when whole, else a float (read back exactly through its
        shortest decimal string)."""
        return int(value) if value == value.to_integral_value() else float(value)


def choice_key(text):
    """"Public body", "public_body", "PUBLIC  BODY" -> "public body"."""
    return " ".join(str(text).replace("_", " ").replace("-", " ").split()).casefold()


class LenientChoiceField(serializers.ChoiceField):
    """A choice given by its value or its label, in any case, with spaces,
    underscores or hyphens between words ("public_body", "Public body",
    "PUBLIC BODY"). Always written as the value.

    described_as: how to name the valid choices in a problem, instead of
    listing every value (for long lists such as languages)."""

    default_error_messages = REQUIRED_MESSAGES

    def __init__(self, choices, *, described_as=None, **kwargs):
        super().__init__(choices, **kwargs)
        self.described_as = described_as
        self.lookup = {}
        for value, label in self.choices.items():
            for text in (value, label):
                if self.lookup.setdefault(choice_key(text), value) != value:
                    raise ImproperlyConfigured(f"{text!r} names two choices")

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise invalid(f"expected a string, got {type_name(data)}")
        try:
            return self.lookup[choice_key(data)]
        except KeyError:
            valid = self.described_as or f"one of {', '.join(map(str, self.choices))}"
            raise invalid(f"{shown(data)} is not {valid}") from None

    def to_representation(self, value):
        return value


class NameListField(serializers.ListField):
    """A list of names (terms, tags), trimmed; a name repeated in another
    case is kept once, as first written."""

    default_error_messages = REQUIRED_MESSAGES

    def __init__(self, *, max_length, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(child=TextField(max_length=max_length), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise invalid(f"expected a list of strings, got {type_name(data)}")
        names = {}
        for name in super().to_internal_value(data):
            names.setdefault(name.casefold(), name)
        return list(names.values())


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


class RecordList(serializers.ListSerializer):
    """A JSON list of objects of the format."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise invalid(f"expected a list, got {type_name(data)}")
        return super().to_internal_value(data)


class StrictObject:
    """Serializer mixin for a JSON object of the format: any key it does not
    declare is a problem, and an optional key given as null or "" counts as
    left out."""

    default_error_messages = {"null": "expected an object, got null", "required": REQUIRED}
    # Name the expected keys in an "unknown field" problem (not for the
    # record itself: docs/import-format.md lists them).
    list_expected = True

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            raise invalid(f"expected an object, got {type_name(data)}")
        reason = "unknown field"
        if self.list_expected:
            reason += f" (expected {', '.join(self.fields)})"
        unknown = {key: [reason] for key in data if key not in self.fields}
        given = {k: v for k, v in data.items() if k in self.fields and v is not None and v != ""}
        try:
            value = super().to_internal_value(given)
        except serializers.ValidationError as error:
            raise serializers.ValidationError({**unknown, **error.detail}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


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


class CaseStudyRecord(FormatSerializer):
    """One case study: one line of the file."""

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
