from django.db import models

from .sources import SourceRecord


class Opportunity(SourceRecord):
    customer = models.ForeignKey(
        "supportops.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opportunities",
    )
    account_external_id = models.CharField("account ID", max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    stage = models.CharField(max_length=100, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="usd")
    is_closed = models.BooleanField("closed", default=False)
    is_won = models.BooleanField("won", default=False)
    created_at = models.DateTimeField()
    close_date = models.DateField(null=True, blank=True)
    is_deleted = models.BooleanField("deleted", default=False)

    class Meta:
        verbose_name_plural = "opportunities"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="opportunity_source_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                name="opportunity_amount_not_negative",
            ),
        ]


class CrmActivity(SourceRecord):
    """A CRM task or meeting logged against an account (Salesforce Task/Event), for the timeline."""

    class Kind(models.TextChoices):
        TASK = "task", "Task"
        EVENT = "event", "Event"

    customer = models.ForeignKey(
        "supportops.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crm_activities",
    )
    account_external_id = models.CharField("account ID", max_length=255, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField(help_text="When it happens or is due (else when created).")
    created_at = models.DateTimeField()
    is_deleted = models.BooleanField("deleted", default=False)

    class Meta:
        verbose_name_plural = "CRM activities"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="crmactivity_source_uniq"
            )
        ]
        indexes = [models.Index(fields=["customer", "occurred_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject or self.external_id}"
