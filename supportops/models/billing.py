from django.db import models

from .sources import SourceRecord


class Plan(SourceRecord):
    """A recurring price. Amounts in integer minor units with their currency."""

    name = models.CharField(max_length=255, blank=True)
    product_name = models.CharField(max_length=255, blank=True)
    unit_amount_minor = models.BigIntegerField("unit amount", default=0)
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=10, default="month")
    interval_count = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField("active", default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="plan_source_uniq"),
            models.CheckConstraint(
                condition=models.Q(unit_amount_minor__gte=0), name="plan_amount_not_negative"
            ),
        ]

    def __str__(self):
        return self.name or self.external_id


class Subscription(SourceRecord):
    customer = models.ForeignKey(
        "supportops.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscriptions",
    )
    customer_external_id = models.CharField("customer ID", max_length=255, blank=True)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=30)
    quantity = models.PositiveIntegerField(default=1)
    mrr_minor = models.BigIntegerField(
        "MRR", default=0, help_text="Current MRR: 0 unless the status counts (active, past due)."
    )
    list_mrr_minor = models.BigIntegerField(
        "list MRR",
        default=0,
        help_text="The MRR the subscription carries while live, whatever its status now.",
    )
    currency = models.CharField(max_length=3, default="usd")
    started_at = models.DateTimeField()
    trial_end_at = models.DateTimeField("trial end", null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="subscription_source_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(mrr_minor__gte=0), name="subscription_mrr_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(list_mrr_minor__gte=0),
                name="subscription_list_mrr_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="subscription_end_after_start",
            ),
        ]


class Invoice(SourceRecord):
    customer = models.ForeignKey(
        "supportops.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    customer_external_id = models.CharField("customer ID", max_length=255, blank=True)
    subscription_external_id = models.CharField("subscription ID", max_length=255, blank=True)
    status = models.CharField(max_length=30)
    amount_due_minor = models.BigIntegerField("amount due", default=0)
    amount_paid_minor = models.BigIntegerField("amount paid", default=0)
    currency = models.CharField(max_length=3, default="usd")
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    period_start_at = models.DateTimeField("period start", null=True, blank=True)
    period_end_at = models.DateTimeField("period end", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="invoice_source_uniq"),
            models.CheckConstraint(
                condition=models.Q(amount_due_minor__gte=0, amount_paid_minor__gte=0),
                name="invoice_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end_at__isnull=True)
                | models.Q(period_start_at__isnull=True)
                | models.Q(period_end_at__gte=models.F("period_start_at")),
                name="invoice_period_end_after_start",
            ),
        ]


class Charge(SourceRecord):
    """One payment attempt on a card or bank account. Amounts in integer minor units.

    `invoice_external_id` stays blank on the pinned API version (basil charges no longer name
    their invoice; the link lives in invoice payments); payloads of older versions fill it.
    """

    customer = models.ForeignKey(
        "supportops.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="charges",
    )
    customer_external_id = models.CharField("customer ID", max_length=255, blank=True)
    invoice_external_id = models.CharField("invoice ID", max_length=255, blank=True)
    payment_intent_external_id = models.CharField("payment intent ID", max_length=255, blank=True)
    amount_minor = models.BigIntegerField("amount", default=0)
    amount_captured_minor = models.BigIntegerField("amount captured", default=0)
    amount_refunded_minor = models.BigIntegerField("amount refunded", default=0)
    currency = models.CharField(max_length=3, default="usd")
    status = models.CharField(max_length=30)  # succeeded | pending | failed
    paid = models.BooleanField(default=False)
    refunded = models.BooleanField(default=False)
    disputed = models.BooleanField(default=False)
    failure_code = models.CharField(max_length=100, blank=True)
    failure_message = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="charge_source_uniq"),
            models.CheckConstraint(
                condition=models.Q(
                    amount_minor__gte=0, amount_captured_minor__gte=0, amount_refunded_minor__gte=0
                ),
                name="charge_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_refunded_minor__lte=models.F("amount_minor")),
                name="charge_refunded_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["customer", "created_at"], name="charge_customer_created")]

    def __str__(self):
        return self.external_id
