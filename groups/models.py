"""What a working group does on its page: members propose live, public case
studies for the group to explore (its shortlist) and vote on them; the
network's moderators mark case studies "selected to scale".

The groups themselves and who follows them are `cities.WorkingGroup` and
`cities.Membership`; who counts as a member here is `groups.members`. Every
state change is one function of `groups.shortlist` or `groups.scaling`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from cities.visibility import is_public

NOTE_MAX = 500


class ShortlistEntry(models.Model):
    """A case study a member proposed for `group` to explore (once per group)."""

    group = models.ForeignKey("cities.WorkingGroup", on_delete=models.CASCADE, related_name="shortlist")
    practice = models.ForeignKey(
        "practices.CaseStudyPage", on_delete=models.CASCADE, related_name="shortlist_entries",
        verbose_name=_("case study"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    proposed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        ordering = ["group", "-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "practice"], name="groups_shortlist_once"),
        ]

    def __str__(self):
        group = self.group.name if self.group_id else "?"
        practice = self.practice.title if self.practice_id else "?"
        return f"“{practice}” on the shortlist of {group}"


class Vote(models.Model):
    """One member account's vote for a shortlist entry (once per account)."""

    entry = models.ForeignKey(ShortlistEntry, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlist_votes")
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "user"], name="groups_vote_once"),
        ]
        indexes = [models.Index(fields=["user", "entry"], name="groups_vote_by_user")]

    def __str__(self):
        return f"vote of user {self.user_id} for entry {self.entry_id}"


class ScaleSelection(models.Model):
    """The network's moderators chose this case study to scale (network-wide:
    shown on its page, on the group pages, in their shortlists)."""

    practice = models.OneToOneField(
        "practices.CaseStudyPage", on_delete=models.CASCADE, related_name="scale_selection",
        verbose_name=_("case study"),
    )
    group = models.ForeignKey(
        "cities.WorkingGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The working group whose shortlist it was chosen from, if any."),
    )
    note = models.TextField(
        blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)],
        help_text=lazy(
            lambda: gettext("Why or when it was chosen, in plain text (at most %(count)d characters).")
            % {"count": NOTE_MAX},
            str,
        )(),
    )
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+",
    )
    selected_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [FieldPanel("practice"), FieldPanel("group"), FieldPanel("note")]

    class Meta:
        verbose_name = _("selection to scale")
        verbose_name_plural = _("selected to scale")
        ordering = ["-selected_at", "-pk"]

    def __str__(self):
        practice = self.practice.title if self.practice_id else "?"
        return f"“{practice}” selected to scale"

    def clean(self):
        super().clean()
        if self.practice_id and not is_public(self.practice):
            raise ValidationError(
                {"practice": _("Choose a published, public case study (not a draft or a private page).")}
            )
        if "\x00" in self.note:
            raise ValidationError({"note": _("Plain text only: no NUL characters.")})
