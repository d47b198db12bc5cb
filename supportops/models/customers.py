from django.db import models

from .sources import Source, SourceRecord


class Customer(models.Model):
    """One account across every system; sources point at it through CustomerIdentity."""

    name = models.CharField(max_length=255)
    domains = models.JSONField(default=list, blank=True, help_text="Email domains, lower-case.")
    plan = models.ForeignKey(
        "supportops.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_paying = models.BooleanField("paying", default=False)
    is_enterprise = models.BooleanField("enterprise", default=False)
    mrr_minor = models.BigIntegerField(
        "MRR", default=0, help_text="Current monthly recurring revenue, from billing (minor units)."
    )
    currency = models.CharField(max_length=3, default="usd")
    signed_up_at = models.DateTimeField(
        "signed up",
        null=True,
        blank=True,
        db_index=True,
        help_text="The earliest creation time any linked source reports (DESIGN.md §4); "
        "empty while none reports one.",
    )
    last_contact_at = models.DateTimeField(
        "last contact",
        null=True,
        blank=True,
        help_text="Latest public message either way, any channel; kept by the sync.",
    )
    ticket_count = models.PositiveIntegerField(
        "tickets", default=0, help_text="Tickets not deleted, all time; kept by the sync."
    )
    created_at = models.DateTimeField(
        auto_now_add=True, help_text="When this row was made here: not the signup date."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mrr_minor__gte=0),
                name="customer_mrr_not_negative",
                violation_error_message="MRR cannot be negative.",
            )
        ]
        # One per order of the customers list and API (supportops/customer_filters.py), so a
        # page is an index walk, not a sort of every customer. Last contact's two (never
        # contacted = stalest) need NULLS FIRST / LAST, which SQLite cannot index: migration
        # 0012 makes them per database.
        indexes = [
            models.Index(fields=["name", "id"], name="customer_name_idx"),
            models.Index(fields=["mrr_minor", "name", "id"], name="customer_mrr_idx"),
            models.Index(fields=["-mrr_minor", "name", "id"], name="customer_mrr_desc_idx"),
            models.Index(fields=["ticket_count", "name", "id"], name="customer_tickets_idx"),
            models.Index(fields=["-ticket_count", "name", "id"], name="customer_tickets_desc_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Contacts find their customer by an exact, indexed match on these (identity.py
        # domain_index), so they are kept lower-case whoever types them.
        if isinstance(self.domains, list):
            self.domains = [d.strip().lower() if isinstance(d, str) else d for d in self.domains]
        super().save(*args, **kwargs)


class MatchMethod(models.TextChoices):
    EXPLICIT = "explicit", "Explicit id"
    DOMAIN = "domain", "Email domain"
    MANUAL = "manual", "Linked by an admin"
    CREATED = "created", "New customer"


class CustomerIdentity(SourceRecord):
    """An account-level record of one source (Zendesk organization, Stripe customer, ...).

    `customer` is null while the record is unmatched; `match_method=manual` marks links an
    admin made, which later syncs never overwrite.
    """

    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="identities"
    )
    name = models.CharField(max_length=255, blank=True)
    domains = models.JSONField(default=list, blank=True)
    account_key = models.CharField(
        max_length=255,
        blank=True,
        help_text="The product's own account id, when the source has it.",
    )
    match_method = models.CharField(max_length=20, choices=MatchMethod.choices, blank=True)
    references = models.JSONField(
        default=list,
        blank=True,
        help_text="Other systems' records this one names, as [source, external id] pairs: "
        "explicit evidence for identity resolution.",
    )
    source_created_at = models.DateTimeField(
        "created in source",
        null=True,
        blank=True,
        help_text="When the source says the record was created (usage: its first month).",
    )
    is_deleted = models.BooleanField("deleted", default=False)

    class Meta:
        verbose_name_plural = "customer identities"
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="identity_source_uniq")
        ]
        # The customers search looks a typed id up in every source at once.
        indexes = [
            models.Index(fields=["external_id"], name="identity_external_id_idx"),
            models.Index(
                fields=["account_key"],
                condition=~models.Q(account_key=""),
                name="identity_account_key_idx",
            ),
            # The customers list counts the records no customer claims on every view.
            models.Index(
                fields=["source"],
                condition=models.Q(customer__isnull=True, is_deleted=False),
                name="identity_unmatched_idx",
            ),
        ]

    def __str__(self):
        return f"{Source(self.source).label} {self.external_id} ({self.name})"


class Contact(SourceRecord):
    """A person: requester, end user, agent."""

    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    organization_external_id = models.CharField("organization ID", max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=30, blank=True, help_text="end-user, agent, admin, lead...")
    is_active = models.BooleanField("active", default=True)
    source_created_at = models.DateTimeField(
        "created in source",
        null=True,
        blank=True,
        help_text="When the source says the person was created.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="contact_source_uniq")
        ]

    def __str__(self):
        return self.email or self.name or self.external_id

    @property
    def is_agent(self) -> bool:
        return self.role in ("agent", "admin")


class CustomerMonthCost(models.Model):
    """A customer's share of one month's team cost, as the allocation gives it (largest remainder
    over every customer's replies that month: metrics/allocation.py), kept by a refresh after
    each sync or cost change.

    Why stored: a customer's share depends on everyone's replies that month, so "support cost
    to date" on one customer's page would otherwise rank every customer in every month.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="month_costs")
    month = models.DateField(help_text="The first day of the month, in the reporting time zone.")
    cost_cents = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="customermonthcost_uniq"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.month:%Y-%m}: {self.cost_cents}"


class CustomerCostState(models.Model):
    """A single row: which data version the CustomerMonthCost rows were computed at."""

    data_version = models.BigIntegerField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)

    def __str__(self):
        return f"customer costs at data version {self.data_version}"
