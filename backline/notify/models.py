"""Contact methods, notification rules and the outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backline.lib import clock
from backline.lib.fields import SealedTextField

MAX_CODE_GUESSES = 5
MAX_RULE_DELAY_MINUTES = 240


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")
    VOICE = "voice", _("Phone call")
    PUSH = "push", _("Browser notification")
    INAPP = "inapp", _("In Backline")


class ContactMethodQuerySet(models.QuerySet["ContactMethod"]):
    def visible_to(self, viewer: models.Model) -> ContactMethodQuerySet:
        """A person's contact methods are theirs alone."""
        if not getattr(viewer, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=viewer.pk)

    def usable(self) -> ContactMethodQuerySet:
        """What pages may use: verified and not turned off."""
        return self.filter(verified_at__isnull=False, disabled=False)


class ContactMethod(models.Model):
    """A way to reach a person. Its value (address, number, push subscription) is
    encrypted at rest; it is used for pages only once verified.

    Verification keeps only the digest of the code it sent (``code_digest``), when it
    expires, how many wrong guesses were made, and when and how often codes were sent
    (``code_sent_at``, ``code_sends``), so that resending can be limited.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_methods"
    )
    channel = models.CharField(_("kind"), max_length=10, choices=Channel.choices)
    label = models.CharField(_("label"), max_length=60, blank=True)
    value = SealedTextField(_("address or number"))
    verified_at = models.DateTimeField(null=True, blank=True)
    disabled = models.BooleanField(default=False)
    code_digest = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_sends = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = ContactMethodQuerySet.as_manager()

    class Meta:
        ordering = ["user", "created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(channel="inapp"), name="contact_method_not_inapp"),
            models.CheckConstraint(
                condition=Q(channel__in=["email", "sms", "voice", "push"]),
                name="contact_method_channel_known",
            ),
            models.CheckConstraint(
                condition=Q(code_attempts__lte=MAX_CODE_GUESSES),
                name="contact_method_guesses_bounded",
            ),
            models.CheckConstraint(
                condition=Q(code_digest="") | Q(code_expires_at__isnull=False),
                name="contact_method_code_expires",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.label}".strip()

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_usable(self) -> bool:
        return self.verified_at is not None and not self.disabled

    @property
    def shown_value(self) -> str:
        """What the owner sees of the value: a push subscription is not worth showing."""
        if self.channel == Channel.PUSH:
            return self.label or str(_("This browser"))
        return self.value


class NotificationRuleQuerySet(models.QuerySet["NotificationRule"]):
    def visible_to(self, viewer: models.Model) -> NotificationRuleQuerySet:
        """A person's notification rules are theirs alone."""
        if not getattr(viewer, "is_authenticated", False):
            return self.none()
        return self.filter(user_id=viewer.pk)


class NotificationRule(models.Model):
    """Page this person on this contact method this many minutes after a page starts."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_rules"
    )
    contact_method = models.ForeignKey(
        ContactMethod, on_delete=models.CASCADE, related_name="rules"
    )
    delay_minutes = models.PositiveSmallIntegerField(_("after (minutes)"), default=0)

    objects = NotificationRuleQuerySet.as_manager()

    class Meta:
        ordering = ["user", "delay_minutes", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact_method", "delay_minutes"], name="notification_rule_unique"
            ),
            models.CheckConstraint(
                condition=Q(delay_minutes__lte=MAX_RULE_DELAY_MINUTES),
                name="notification_rule_delay_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact_method} after {self.delay_minutes} min"


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting to send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class OutgoingMessageQuerySet(models.QuerySet["OutgoingMessage"]):
    def visible_to(self, viewer: models.Model) -> OutgoingMessageQuerySet:
        if not getattr(viewer, "is_authenticated", False):
            return self.none()
        return self.filter(recipient_id=viewer.pk)

    def inbox(self) -> OutgoingMessageQuerySet:
        """In-app messages that have started: one held for the morning shows then, and
        never when what it was about was cancelled before it."""
        return (
            self.filter(channel=Channel.INAPP, created_at__lte=clock.now())
            .exclude(status=Status.CANCELLED)
            .exclude(cancelled_at__lt=F("created_at"))
        )

    def unread(self) -> OutgoingMessageQuerySet:
        """What still asks for attention: not read, and not resolved by what followed."""
        return self.inbox().filter(read_at__isnull=True, resolved_at__isnull=True)


class OutgoingMessage(models.Model):
    """One message to one person on one channel: the outbox row.

    pending → sending (claimed by an engine, until a deadline it renews while the send is
    under way) → sent / delivered, or back to pending with a later ``next_attempt_at``
    (until ``retry_until``; a fallback row on the next method starts while it keeps
    failing), or failed (then a fallback row on the next method). A sending row past its
    deadline failed like any other attempt: a crash never loses it (``outbox`` has the
    claim's rules; docs/adr/0024-claims-held-by-a-lease.md).

    ``cancelled_at`` marks every row of a group when the group is cancelled: a row that
    was being sent at that moment is neither retried nor followed by a fallback.
    ``resolved_at`` marks an in-app row whose cause is over (the request was taken or
    ended): it stays in the inbox, saying so, and no longer counts as unread.

    ``action`` names what one tap or reply on the message does (``notify.actions``). A
    text with an action carries a reply code; the row keeps only ``reply_digest``, bound
    to the number it was sent to, and ``replied_at`` once the code was used.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    contact_method = models.ForeignKey(
        ContactMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    group_key = models.CharField(max_length=80, db_index=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    subject = models.CharField(max_length=120)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    # retried until then; never given up while its group is open when null (a page)
    retry_until = models.DateTimeField(null=True, blank=True)
    sending_deadline = models.DateTimeField(null=True, blank=True)
    # while "sending": the engine (host:pid) whose claim it is, which renews the deadline
    claimed_by = models.CharField(max_length=120, blank=True)
    provider_id = models.CharField(max_length=120, blank=True, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)
    fallback_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="fallback"
    )
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(
        max_length=120, blank=True, help_text=_("What became of it, e.g. taken by another peer.")
    )
    action = models.CharField(max_length=80, blank=True)
    reply_digest = models.CharField(max_length=64, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_due",
            ),
            models.Index(
                fields=["sending_deadline"],
                condition=Q(status="sending"),
                name="outbox_sending_deadline",
            ),
            models.Index(fields=["recipient", "channel", "-created_at"], name="outbox_inbox"),
            models.Index(
                fields=["recipient"],
                condition=Q(channel="inapp", read_at__isnull=True),
                name="outbox_unread",
            ),
            models.Index(
                fields=["reply_digest"], condition=~Q(reply_digest=""), name="outbox_reply_code"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(sending_deadline__isnull=False),
                name="outbox_sending_has_deadline",
            ),
            # a claimer's name exactly while its claim lasts
            models.CheckConstraint(
                condition=(Q(status="sending") & ~Q(claimed_by=""))
                | (~Q(status="sending") & Q(claimed_by="")),
                name="outbox_sending_has_claimer",
            ),
            # a message still to be sent needs its method; history may outlive it
            models.CheckConstraint(
                condition=Q(channel="inapp")
                | Q(contact_method__isnull=False)
                | ~Q(status__in=["pending", "sending"]),
                name="outbox_external_has_method",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(cancelled_at__isnull=True),
                name="outbox_cancelled_not_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "delivered"]) | Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="pending")
                | Q(sent_at__isnull=True, sending_deadline__isnull=True),
                name="outbox_pending_not_sent",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="outbox_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="outbox_status_known"
            ),
            # a reply code exists only for a text that offers an action
            models.CheckConstraint(
                condition=Q(reply_digest="") | (Q(channel="sms") & ~Q(action="")),
                name="outbox_reply_code_has_action",
            ),
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True) | ~Q(reply_digest=""),
                name="outbox_replied_had_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient_id}: {self.subject} ({self.status})"
