"""The admin forms of transfers and relations: each field limited to what
the official may choose, and the checks of `exchange.transfers` /
`exchange.relations` shown field by field (the views save through those
modules, which check again)."""

from __future__ import annotations

import copy

from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList

from practices.models import CaseStudyPage

from . import questions, relations, transfers
from .models import QUESTION_MAX, QUESTION_MIN, Relation, Transfer
from .permissions import Actor


def _add_errors(form, found):
    for field, messages in found.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


def _candidate(form):
    """The instance as the form's values would make it (not saved)."""
    candidate = copy.copy(form.instance)
    for name, value in form.cleaned_data.items():
        if name in {f.name for f in form.instance._meta.fields}:
            setattr(candidate, name, value)
    return candidate


class TransferForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = Actor.of(self.for_user)
        if "adopting_city" in self.fields:
            cities = self.actor.cities()
            field = self.fields["adopting_city"]
            field.queryset = cities
            field.help_text = _("The city that is adapting the case study: yours.")
            if not self.actor.is_moderator and len(self.actor.city_ids) == 1:
                field.empty_label = None

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            _add_errors(self, transfers.errors(self.actor, _candidate(self), new=self.instance.pk is None))
        return cleaned


class RelationForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = Actor.of(self.for_user)
        if "from_page" in self.fields:
            pages = CaseStudyPage.objects.canonical().order_by("title")
            if not self.actor.is_moderator:
                pages = pages.filter(city__in=list(self.actor.city_ids))
            self.fields["from_page"].queryset = pages
            self.fields["from_page"].help_text = _("One of your city's case studies.")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            candidate = _candidate(self)
            new_target = self.instance.pk is None
            _add_errors(self, relations.errors(self.actor, candidate, check_target=new_target))
        return cleaned


TRANSFER_DETAILS = [
    FieldRowPanel([FieldPanel("stage"), FieldPanel("started")]),
    FieldPanel("changes"),
    FieldPanel("lessons"),
    FieldPanel("note"),
    FieldPanel("own_case_study"),
]

transfer_create_panels = ObjectList(
    [
        MultiFieldPanel(
            [FieldPanel("source"), FieldPanel("adopting_city", widget=forms.Select)],
            heading=_("Which case study, adapted by which city"),
        ),
        *TRANSFER_DETAILS,
    ],
    base_form_class=TransferForm,
).bind_to_model(Transfer)

# The case study and the city are the transfer itself: not changed later.
transfer_edit_panels = ObjectList(
    [
        FieldPanel("source", read_only=True),
        FieldPanel("adopting_city", read_only=True),
        *TRANSFER_DETAILS,
    ],
    base_form_class=TransferForm,
).bind_to_model(Transfer)

relation_create_panels = ObjectList(
    [FieldPanel("from_page", widget=forms.Select), FieldPanel("kind"), FieldPanel("to_page")],
    base_form_class=RelationForm,
).bind_to_model(Relation)

relation_edit_panels = ObjectList(
    [FieldPanel("from_page", read_only=True), FieldPanel("kind"), FieldPanel("to_page", read_only=True)],
    base_form_class=RelationForm,
).bind_to_model(Relation)


# --- Asking a city (the public form: exchange.views.ask) ---


class QuestionForm(forms.Form):
    """A peer's question; its checks are `exchange.questions.text_errors`
    (the view asks through `exchange.questions.ask`, which checks again)."""

    text = forms.CharField(
        label=_("Your question"), strip=False, required=False,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": QUESTION_MAX, "minlength": QUESTION_MIN}),
        help_text=lazy(
            lambda: gettext(
                "Plain text, %(min)s to %(max)s characters. Ask what the case study does not "
                "tell: how the city chose, what it would do differently, who to talk to."
            ) % {"min": number_format(QUESTION_MIN), "max": number_format(QUESTION_MAX, force_grouping=True)},
            str,
        )(),
    )
    public = forms.BooleanField(
        label=_("Show my question and its answer on the case study"), required=False, initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_suffix = ""

    def clean_text(self):
        text = questions.normalised(self.cleaned_data.get("text"))
        for message in questions.text_errors(text):
            self.add_error("text", message)
        return text
