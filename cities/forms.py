from django import forms
from django.utils.translation import gettext_lazy as _

from .memberships import join
from .models import Cadence


class PreferencesForm(forms.Form):
    """One cadence (weekly, monthly, off) per membership; for signed-in
    officials, the working groups of their city they may join."""

    def __init__(self, *args, memberships, joinable=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        for membership in self.memberships:
            self.fields[self.field_name(membership)] = forms.ChoiceField(
                label=membership.group.name,
                choices=Cadence.choices,
                initial=membership.cadence if membership.is_active else Cadence.OFF,
                widget=forms.RadioSelect,
            )
        if joinable is not None and joinable.exists():
            self.fields["join"] = forms.ModelMultipleChoiceField(
                queryset=joinable, required=False, widget=forms.CheckboxSelectMultiple,
                label=_("Join these working groups of your city"),
            )

    @staticmethod
    def field_name(membership):
        return f"cadence_{membership.pk}"

    def cadence_fields(self):
        return [(m, self[self.field_name(m)]) for m in self.memberships]

    def save(self, user=None):
        changed = 0
        for membership in self.memberships:
            cadence = self.cleaned_data[self.field_name(membership)]
            current = membership.cadence if membership.is_active else Cadence.OFF
            if cadence != current:
                membership.set_cadence(cadence)
                membership.save(update_fields=["cadence", "subscribed_at", "unsubscribed_at"])
                changed += 1
        for group in self.cleaned_data.get("join") or []:
            join(user, group)
            changed += 1
        return changed
