from django.db import models


class Source(models.TextChoices):
    ZENDESK = "zendesk", "Zendesk"
    INTERCOM = "intercom", "Intercom"
    STRIPE = "stripe", "Stripe"
    SALESFORCE = "salesforce", "Salesforce"
    USAGE = "usage", "Product usage"
    MANUAL = "manual", "Manual"


class SourceRecord(models.Model):
    """A row that mirrors one record of one vendor system.

    (source, external_id) is unique in the database so bulk upserts stay idempotent even
    though they bypass `save()`; `extra` keeps every vendor field we do not model, so a new
    custom field never breaks a sync and nothing is dropped.
    """

    source = models.CharField(max_length=20, choices=Source.choices)
    external_id = models.CharField("external ID", max_length=255)
    extra = models.JSONField(
        "other fields", default=dict, blank=True, help_text="Vendor fields not modelled here."
    )
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
