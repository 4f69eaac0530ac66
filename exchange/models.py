"""What cities record of their exchanges: transfers (city B adapting city
A's case study) and typed relations between two case studies.

Both are proposed by one side and accepted (or declined) by the other:
B's officials record a transfer of A's case study, or a relation from B's
case study to A's; it shows on B's side at once and on A's side once A's
officials or a moderator accept it (`exchange.transfers`,
`exchange.relations`: the one place each state change happens)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cities.visibility import private_q

NOTE_MAX = 1000
TEXT_MAX = 2000
TEXT_HELP = lazy(lambda: gettext("Plain text, at most %(count)d characters.") % {"count": TEXT_MAX}, str)()


class Stage(models.TextChoices):
    EXPLORING = "exploring", _("Exploring")
    PLANNING = "planning", _("Planning")
    PILOTING = "piloting", _("Piloting")
    ADOPTED = "adopted", _("Adopted")
    DROPPED = "dropped", _("Dropped")


class Acceptance(models.TextChoices):
    PENDING = "pending", _("Waiting for the other city")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class RelationKind(models.TextChoices):
    """How one case study relates to another, read from the first: "B's
    case study *builds on* A's". The other page shows the inverse label."""

    ADAPTED_FROM = "adapted_from", _("Adapted from")
    INSPIRED_BY = "inspired_by", _("Inspired by")
    BUILDS_ON = "builds_on", _("Builds on")
    COMPLEMENTS = "complements", _("Complements")
    ALTERNATIVE_TO = "alternative_to", _("Alternative to")


# What the page at the other end of a relation shows.
INVERSE_LABELS = {
    RelationKind.ADAPTED_FROM: _("Adapted by"),
    # Translators: the inverse of "Inspired by": this case study inspired the other one.
    RelationKind.INSPIRED_BY: pgettext_lazy("relation", "Inspired"),
    RelationKind.BUILDS_ON: _("Built on by"),
    RelationKind.COMPLEMENTS: _("Complemented by"),
    RelationKind.ALTERNATIVE_TO: _("Alternative to"),
}
# Relations that read the same both ways: A→B is a duplicate of B→A.
SYMMETRIC_KINDS = {RelationKind.ALTERNATIVE_TO}


def plain_text(limit):
    return [MaxLengthValidator(limit)]


class Proposal(models.Model):
    """Who recorded it, when, and the other side's answer."""

    acceptance = models.CharField(max_length=10, choices=Acceptance.choices, default=Acceptance.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_accepted(self):
        return self.acceptance == Acceptance.ACCEPTED

    @property
    def is_pending(self):
        return self.acceptance == Acceptance.PENDING

    def mark_recorded(self, user, *, accepted: bool):
        """Recorded by `user` now: accepted at once when `user` may also
        answer for the other side, pending otherwise (not saved)."""
        now = timezone.now()
        self.recorded_by, self.recorded_at, self.updated_at = user, now, now
        if accepted:
            self.mark_decided(user, Acceptance.ACCEPTED, now=now)
        else:
            self.acceptance = Acceptance.PENDING

    def mark_decided(self, user, acceptance, *, now=None):
        """The other side's answer, given by `user` (not saved)."""
        self.acceptance, self.decided_by, self.decided_at = acceptance, user, now or timezone.now()

    def mark_pending(self):
        """Asked again: the earlier answer no longer stands (not saved)."""
        self.acceptance, self.decided_by, self.decided_at = Acceptance.PENDING, None, None

    DECISION_FIELDS = ["acceptance", "decided_by", "decided_at"]

    def save_unique(self, field: str, message: str, **kwargs):
        """Save; a row that breaks a uniqueness rule is `message` on `field`
        (a ValidationError), and nothing is written."""
        try:
            with transaction.atomic():
                self.save(**kwargs)
        except IntegrityError:
            raise ValidationError({field: [message]}) from None


class Transfer(Proposal):
    """City B (`adopting_city`) adapting city A's case study (`source`)."""

    source = models.ForeignKey(
        "practices.CaseStudyPage", on_delete=models.CASCADE, related_name="adaptations",
        verbose_name=_("case study adapted"),
        help_text=_("The other city's published case study that your city is adapting."),
    )
    adopting_city = models.ForeignKey(
        "cities.CityPage", on_delete=models.CASCADE, related_name="adaptations", verbose_name=_("adopting city"),
    )
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.EXPLORING)
    started = models.DateField(null=True, blank=True, help_text=_("When your city started, if known."))
    changes = models.TextField(
        _("what we changed"), blank=True, max_length=TEXT_MAX, validators=plain_text(TEXT_MAX),
        help_text=TEXT_HELP,
    )
    lessons = models.TextField(
        _("what we learned"), blank=True, max_length=TEXT_MAX, validators=plain_text(TEXT_MAX),
        help_text=TEXT_HELP,
    )
    note = models.TextField(
        blank=True, max_length=NOTE_MAX, validators=plain_text(NOTE_MAX),
        help_text=lazy(
            lambda: gettext("Context in a sentence or two (plain text, at most %(count)d characters).")
            % {"count": NOTE_MAX},
            str,
        )(),
    )
    own_case_study = models.ForeignKey(
        "practices.CaseStudyPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("our own case study"),
        help_text=_("Your city's case study of its version, once published (shown when it is public)."),
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "adopting_city"], name="exchange_transfer_once"),
        ]
        indexes = [models.Index(fields=["acceptance", "source"], name="exchange_transfer_accepted")]

    def __str__(self):
        city = getattr(self.adopting_city, "title", "?") if self.adopting_city_id else "?"
        source = getattr(self.source, "title", "?") if self.source_id else "?"
        return f"{city} adapting “{source}”"


class Relation(Proposal):
    """`from_page` (B's case study) [kind] `to_page` (A's case study)."""

    from_page = models.ForeignKey(
        "practices.CaseStudyPage", on_delete=models.CASCADE, related_name="relations_from",
        verbose_name=_("your case study"),
    )
    kind = models.CharField(_("relation"), max_length=16, choices=RelationKind.choices)
    to_page = models.ForeignKey(
        "practices.CaseStudyPage", on_delete=models.CASCADE, related_name="relations_to",
        verbose_name=_("related case study"), help_text=_("A published case study."),
    )

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["from_page", "to_page", "kind"], name="exchange_relation_once"),
            models.CheckConstraint(
                condition=~models.Q(from_page=models.F("to_page")), name="exchange_relation_not_to_itself"
            ),
        ]

    def __str__(self):
        source = getattr(self.from_page, "title", "?") if self.from_page_id else "?"
        target = getattr(self.to_page, "title", "?") if self.to_page_id else "?"
        return f"“{source}” {self.get_kind_display().lower()} “{target}”"

    @property
    def inverse_label(self):
        return INVERSE_LABELS[RelationKind(self.kind)]


QUESTION_MIN = 20
QUESTION_MAX = 2000
ANSWER_MAX = 5000


class QuestionQuerySet(models.QuerySet):
    def open(self):
        """Waiting for an answer (hidden ones wait for no one)."""
        return self.filter(answered_at__isnull=True, question_hidden=False)

    def shown(self):
        """What the public sees: answered, shown by the asker's choice, neither
        the question nor its answer hidden by a moderator, on a live case
        study under no view restriction."""
        return (
            self.filter(public=True, answered_at__isnull=False, question_hidden=False, answer_hidden=False,
                        case_study__live=True)
            .exclude(private_q("case_study__"))
        )


class Question(models.Model):
    """A signed-in peer's question to the city whose case study it is
    (`exchange.questions`: asking, answering, hiding, reminders). The city is
    the case study's, read through the page: the officials who see and
    answer it are that city's."""

    case_study = models.ForeignKey(
        "practices.CaseStudyPage", on_delete=models.CASCADE, related_name="questions",
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exchange_questions",
    )
    text = models.TextField(_("question"), max_length=QUESTION_MAX)
    public = models.BooleanField(
        _("show my question and its answer on the case study"), default=True,
        help_text=_("Your name, organisation and city are shown with it; your email address never is."),
    )
    asked_at = models.DateTimeField(default=timezone.now, editable=False)
    answer = models.TextField(blank=True, max_length=ANSWER_MAX)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    question_hidden = models.BooleanField(default=False, editable=False)
    answer_hidden = models.BooleanField(default=False, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the city's officials were reminded, and the moderators told, of
    # a question left unanswered (each once: exchange.questions.send_reminders).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [
            models.Index(fields=["case_study", "answered_at"], name="exchange_question_page"),
            models.Index(fields=["asker", "asked_at"], name="exchange_question_asker"),
            models.Index(fields=["answered_at", "asked_at"], name="exchange_question_open"),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return f"“{text}”"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
