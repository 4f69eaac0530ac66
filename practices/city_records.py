"""The city record of the `cities` import/export format
(docs/import-format.md, "Cities"), declared once as DRF serializers, as
practices.records declares the case study record: the same fields read a
line and write an export, with the same strict JSON types and the same
problem wording.

`CityRecord().run_validation(obj)` turns one decoded JSON Lines object into
the values to write (or raises a DRF ValidationError that
`practices.records.problems()` flattens); `CityRecord().to_representation(city)`
is the object the export writes for a city page. The challenges are named
as in the practices format (name or slug); the importer looks them up.
"""

from functools import cache

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from cities import languages
from cities.models import SINCE_MIN, CityChallenge, CityPage, validate_not_future_year

from .json_fields import LenientChoiceField, RecordList, TextField, YearField, invalid
from .jsonlines import type_name
from .models import Challenge
from .records import CountryField, FormatSerializer, model_field
from .richtext import html_to_text, text_to_html


class CityCountryField(CountryField):
    """The city's ISO 3166-1 alpha-2 code, in any case."""

    def get_attribute(self, city):
        return city.country.code


class SinceField(YearField):
    """A year from SINCE_MIN to the current one, checked with the admin's words."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            validate_not_future_year(value)
        except DjangoValidationError as error:
            raise invalid(error.messages[0]) from None
        return value


class ChallengeNameField(TextField):
    """A challenge by name or slug; written as its name."""

    def get_attribute(self, item):
        return item.challenge.name


class CityChallengeRecord(FormatSerializer):
    challenge = ChallengeNameField(max_length=Challenge._meta.get_field("name").max_length)
    since = SinceField(min_value=SINCE_MIN, required=False)

    class Meta:
        model = CityChallenge
        fields = ["challenge", "note", "since"]
        list_serializer_class = RecordList


class PlainRichTextField(TextField):
    """Rich text given as plain text (paragraphs separated by blank lines);
    written back as plain text."""

    def to_internal_value(self, data):
        return text_to_html(super().to_internal_value(data))

    def to_representation(self, value):
        return html_to_text(value)


class LanguagesField(serializers.ListField):
    """The languages spoken, as codes or names of `cities.languages`
    ("es", "Spanish"); kept once each, in the list's order."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(child=LenientChoiceField(languages.LANGUAGES), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise invalid(f"expected a list of strings, got {type_name(data)}")
        return languages.ordered(super().to_internal_value(data))

    def to_representation(self, value):
        return languages.ordered(value)


class CityRecord(FormatSerializer):
    """One city: one line of the file."""

    list_expected = False

    name = model_field(CityPage, "title", source="title")
    country = CityCountryField()
    ecosystem = PlainRichTextField(required=False)
    languages = LanguagesField()
    challenges = CityChallengeRecord(many=True, required=False, source="city_challenges")

    class Meta:
        model = CityPage
        # In the order an exported line has them.
        fields = ["name", "country", "region", "continent", "languages", "population", "latitude", "longitude",
                  "intro", "ecosystem", "challenges"]


@cache
def city_defaults():
    """{CityPage attribute: default} for every plain page field a record
    sets besides the name and country: what a line that leaves one out
    gets (a line describes the whole city)."""
    defaults = {}
    for field in CityRecord().fields.values():
        if field.source in ("title", "country"):
            continue
        try:
            model_field = CityPage._meta.get_field(field.source)
        except FieldDoesNotExist:
            continue
        if model_field.concrete and not model_field.is_relation:
            defaults[field.source] = model_field.get_default()
    return defaults
