"""Strict DRF serializer fields for JSON input, and the problems they raise.

JSON is typed, so these are too: a string is not a number and a number is not
a string; strings are trimmed and may not hold NUL; a choice is found by its
value or its label in any spelling (`LenientChoiceField`); an object rejects
keys it does not declare (`StrictObject`). Each reason is short and lower
case, to read as `line N: field: reason`.
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import (
    EmailValidator,
    MaxLengthValidator,
    ProhibitNullCharactersValidator,
    URLValidator,
)
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from .jsonlines import type_name

REQUIRED = "required"
REQUIRED_MESSAGES = {"required": REQUIRED, "null": REQUIRED, "blank": REQUIRED}


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
    # Checked in to_internal_value (surrogates when the line is decoded,
    # practices.jsonlines), with the reasons of the format.
    replaced_validators = (
        MaxLengthValidator,
        ProhibitNullCharactersValidator,
        ProhibitSurrogateCharactersValidator,
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, self.replaced_validators)
        ]

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
    """ "Public body", "public_body", "PUBLIC  BODY" -> "public body"."""
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
