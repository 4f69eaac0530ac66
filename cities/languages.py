"""The languages of the network: one fixed list, in one place. A peer's
profile (`accounts`) and a city page (the languages spoken there) choose
from it, and the peer finder compares cities by it. Codes are ISO 639-1."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

# The names are lazy: they show in the active language wherever they are used.
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("it", _("Italian")),
    ("pt", _("Portuguese")),
    ("pl", _("Polish")),
    ("nl", _("Dutch")),
    ("de", _("German")),
    ("ca", _("Catalan")),
    ("eu", _("Basque")),
]
CODES = frozenset(code for code, _name in LANGUAGES)
NAMES = dict(LANGUAGES)


def ordered(codes) -> list[str]:
    """`codes` that are on the list, once each, in the list's order."""
    wanted = set(codes or ())
    return [code for code, _name in LANGUAGES if code in wanted]


def names(codes) -> list[str]:
    """The names of `codes` that are on the list, in the list's order, in the
    active language."""
    return [str(NAMES[code]) for code in ordered(codes)]


def validate_languages(value):
    if not isinstance(value, list) or any(code not in CODES for code in value):
        raise ValidationError(_("Choose languages from the list."), code="invalid_choice")


class LanguagesFormField(forms.MultipleChoiceField):
    """Checkboxes of the list; cleans to the ticked codes in the list's order."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", LANGUAGES)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        return ordered(super().clean(value))


class LanguagesField(models.JSONField):
    """A list of codes of `LANGUAGES` (JSON, so SQLite and PostgreSQL alike),
    edited as checkboxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
        if validate_languages not in self.validators:
            self._validators = [*self._validators, validate_languages]

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return LanguagesFormField(
            label=capfirst(self.verbose_name), help_text=self.help_text, required=not self.blank
        )
