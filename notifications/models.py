"""The rows that make an email exactly-once: `Delivery`, the abstract row
every kind of email is sent from (the working-group digests' DigestDelivery,
the notices' Notice), and `Notice`, one one-off email to one user."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending (claimed by a worker)")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (nothing new, or unsubscribed)")


class Delivery(models.Model):
    """One email to one recipient. The unique row (each subclass declares
    what makes it unique) is the exactly-once guard: a worker claims it
    (pending → sending, with a claim token and a lease) right before sending
    and marks it sent in the transaction that sees the SMTP server accept
    the message (notifications.delivery, notifications.smtp)."""

    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True


class Notice(Delivery):
    """A one-off email to one user about one event (`key`), rendered when it
    is sent from the templates of its `kind` and its JSON `context`; see
    notifications.notices. One row per (key, recipient): asking twice
    queues nothing more."""

    key = models.CharField(max_length=200, help_text=_('What the notice is about, e.g. "question:42:asked".'))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(
        max_length=100, help_text=_("The templates: notifications/<kind>_subject.txt, <kind>.txt, <kind>.html.")
    )
    context = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True, help_text=_("The page the notice is about."))
    address = models.EmailField(blank=True, help_text=_("Where it was sent (read from the account at send time)."))

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="notice_once"),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notice_status"),
            models.Index(fields=["claim_token"], name="notice_claim"),
            models.Index(fields=["kind", "created_at"], name="notice_kind"),
        ]

    def __str__(self):
        return f"{self.kind} ({self.key}) → user {self.recipient_id}: {self.status}"
