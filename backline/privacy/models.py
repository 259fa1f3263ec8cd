"""The append-only audit log of reads of identified data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backline.lib import clock
from backline.privacy.actions import description_of


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def visible_to(self, viewer: models.Model) -> "AuditQuerySet":
        """Each person reads the entries about their own data."""
        if not getattr(viewer, "is_authenticated", False):
            return self.none()
        return self.filter(subject_id=viewer.pk)


class AuditEntry(models.Model):
    """Who read or changed whose identified data, when, and what.

    The rows keep plain ids rather than foreign keys so that deleting an account
    never rewrites history; triggers in the database refuse UPDATE and DELETE.
    """

    at = models.DateTimeField(default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(_("action"), max_length=60)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text=_("The person whose data was read."),
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject", "-at"], name="audit_by_subject")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries are append-only")

    @property
    def description(self) -> str:
        return description_of(self.action)
