from django.db import models

from .sources import SourceRecord


class Product(models.Model):
    """What a ticket is about. The Enterprise coverage group is a product of its own."""

    name = models.CharField(max_length=100, unique=True)
    is_enterprise_group = models.BooleanField(
        "enterprise group",
        default=False,
        help_text="Tickets of enterprise customers are counted here instead.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProductRule(models.Model):
    """Maps a ticket to a product by a custom-field value, a tag or a form; first match wins."""

    class Kind(models.TextChoices):
        FIELD = "field", "Custom field value"
        TAG = "tag", "Tag"
        FORM = "form", "Ticket form id"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    field_id = models.CharField(
        max_length=64, blank=True, help_text="Custom field id (only for 'Custom field value')."
    )
    value = models.CharField(max_length=255, help_text="Value, tag or form id to match.")
    position = models.PositiveIntegerField(default=100, help_text="Lower runs first.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="field") | ~models.Q(field_id=""),
                name="productrule_field_needs_id",
                violation_error_message="A custom-field rule needs the field id.",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.field_id} = {self.value} → {self.product}"


class Ticket(SourceRecord):
    """A support thread in any channel: Zendesk ticket, Intercom conversation, ..."""

    customer = models.ForeignKey(
        "supportops.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    organization_external_id = models.CharField("organization ID", max_length=255, blank=True)
    requester = models.ForeignKey(
        "supportops.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requester_external_id = models.CharField("requester ID", max_length=255, blank=True)
    channel = models.CharField(max_length=40, blank=True)
    subject = models.TextField(blank=True)
    status = models.CharField(max_length=20, blank=True)
    type = models.CharField(max_length=20, blank=True)
    priority = models.CharField(max_length=20, blank=True)
    tags = models.JSONField(default=list, blank=True)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    problem_external_id = models.CharField("problem ticket ID", max_length=255, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    solved_at = models.DateTimeField(null=True, blank=True)
    first_reply_minutes = models.IntegerField("first reply (minutes)", null=True, blank=True)
    full_resolution_minutes = models.IntegerField(
        "full resolution (minutes)", null=True, blank=True
    )
    reopens = models.PositiveIntegerField(
        null=True, blank=True, help_text="How often the vendor saw it reopened; empty if not given."
    )
    form_id = models.CharField(
        "ticket form ID",
        max_length=64,
        blank=True,
        help_text="Kept so product rules on forms can re-map existing tickets.",
    )
    custom_fields = models.JSONField(default=dict, blank=True, help_text="{field id: value}")
    is_deleted = models.BooleanField("deleted", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="ticket_source_uniq"),
            models.CheckConstraint(
                condition=models.Q(solved_at__isnull=True)
                | models.Q(solved_at__gte=models.F("created_at")),
                name="ticket_solved_after_created",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["customer", "created_at"]),
            # Metrics exclude deleted tickets: the few deleted ids, without a scan of all.
            models.Index(
                fields=["id"], condition=models.Q(is_deleted=True), name="ticket_deleted_idx"
            ),
            # Open days and backlogs look for tickets solved after a month began.
            models.Index(fields=["solved_at"], name="ticket_solved_at_idx"),
            # Replies joined to their live ticket's customer and channel (allocation, margin):
            # index-only lookups instead of a scan of every ticket (bench/metrics.py).
            models.Index(
                fields=["id"],
                include=["customer", "channel"],
                condition=models.Q(is_deleted=False),
                name="ticket_live_id_idx",
            ),
            # A problem ticket's incidents (bug impact).
            models.Index(
                fields=["source", "problem_external_id"],
                condition=~models.Q(problem_external_id=""),
                name="ticket_problem_incident_idx",
            ),
        ]

    def __str__(self):
        return f"{self.source} #{self.external_id}: {self.subject[:60]}"


class Interaction(SourceRecord):
    """One message in a ticket. Replies and interactions are counted from these."""

    class AuthorRole(models.TextChoices):
        AGENT = "agent", "Agent"
        CUSTOMER = "customer", "Customer"
        SYSTEM = "system", "System"

    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="interactions"
    )
    ticket_external_id = models.CharField("ticket ID", max_length=255)
    author_external_id = models.CharField("author ID", max_length=255, blank=True)
    author_role = models.CharField(max_length=10, choices=AuthorRole.choices)
    is_public = models.BooleanField("public", default=True)
    created_at = models.DateTimeField()
    body = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="interaction_source_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["created_at"]),
            # Replies and interactions per month are counted from public messages of either
            # side; covering them lets PostgreSQL count from the index alone (bench/metrics.py).
            models.Index(
                fields=["created_at"],
                include=["id", "author_role", "ticket"],
                condition=models.Q(is_public=True, author_role__in=["agent", "customer"]),
                name="interaction_public_created_idx",
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.external_id} on #{self.ticket_external_id}"


class ProductRemap(models.Model):
    """One run of re-mapping existing tickets after the product rules changed.

    A row per request, so the admin and the API can show its progress while a worker runs it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=255, blank=True, help_text="What changed.")
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    tickets_total = models.PositiveIntegerField(default=0)
    tickets_done = models.PositiveIntegerField(default=0)
    tickets_changed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "product re-map"

    def __str__(self):
        return f"re-map {self.requested_at:%Y-%m-%d %H:%M} {self.status}"
