"""Peer accounts: each user's profile, and the record of suspensions.

The account itself is Django's user (Wagtail's groups give officials and
moderators their rights); django-allauth keeps its email addresses."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cities import languages
from cities.languages import validate_languages
from cities.models import CityPage

from .text import plain_text


class Profile(models.Model):
    """What a peer tells the network about themselves, and whether the
    account is suspended (by whom, when and why: the latest of its
    `suspensions`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(
        _("name"), max_length=80, validators=[plain_text], help_text=_("The name other peers see.")
    )
    organisation = models.CharField(max_length=150, blank=True, validators=[plain_text])
    role = models.CharField(
        max_length=100, blank=True, validators=[plain_text], help_text=_('For example "policy officer".')
    )
    city = models.ForeignKey(
        CityPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="peer_profiles",
        help_text=_("The city of the network you work for or with, if any."),
    )
    languages = models.JSONField(default=list, blank=True, validators=[validate_languages])
    # Blank until chosen (profiles older than the choice): accounts.languages decides then.
    language = models.CharField(
        _("language of the site and your emails"), max_length=8, blank=True, choices=settings.LANGUAGES
    )
    suspended_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "pk"]

    def __str__(self):
        return self.display_name

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def language_names(self) -> list[str]:
        return languages.names(self.languages)


class Suspension(models.Model):
    """One moderator's decision: an account suspended or reinstated, when and why."""

    class Action(models.TextChoices):
        SUSPENDED = "suspended", _("Suspended")
        UNSUSPENDED = "unsuspended", _("Unsuspended")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="suspensions")
    action = models.CharField(max_length=12, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The moderator who decided."),
    )
    at = models.DateTimeField()
    reason = models.TextField(max_length=1000)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.profile}: {self.get_action_display().lower()} {self.at:%Y-%m-%d %H:%M}"
