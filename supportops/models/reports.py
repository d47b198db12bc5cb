"""The monthly exec report: who gets it, when, what was built and what was sent (DESIGN.md §5).

A month's report is built once into a snapshot (MonthlyReport, with its charts) and every
recipient is sent that snapshot, so two execs never read different numbers for one month and the
archive shows exactly what went out. A delivery row per (month, address) is what makes sending
idempotent: it is claimed before the SMTP conversation and marked sent after it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models


def validate_timezone_name(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not value:
        return
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "Unknown time zone %(value)r: use an IANA name such as Europe/Berlin.",
            params={"value": value},
        ) from None


class ReportSchedule(models.Model):
    """A single row: when the monthly report goes out."""

    enabled = models.BooleanField(
        default=True, help_text="Off: beat sends nothing; previews and manual sends still work."
    )
    send_hour = models.PositiveSmallIntegerField(
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="Hour of the 1st of the month (0–23) in each recipient's time zone "
        "(the reporting time zone unless the recipient has one).",
    )

    class Meta:
        verbose_name = verbose_name_plural = "report schedule"

    def __str__(self):
        return "Report schedule"

    @classmethod
    def load(cls) -> "ReportSchedule":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class ReportRecipient(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone_name],
        help_text="IANA name; blank: the reporting time zone.",
    )
    skip_if_no_data = models.BooleanField(
        default=False, help_text="Send nothing for a month with no tickets at all."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email


class MonthlyReport(models.Model):
    """One month's report as built: the data and every rendering of it."""

    month = models.DateField(unique=True, help_text="The first day of the reported month.")
    built_at = models.DateTimeField()
    has_data = models.BooleanField(default=True, help_text="False: the month had no tickets.")
    data = models.JSONField(default=dict, help_text="The builder's figures, as the API gives them.")
    subject = models.CharField(max_length=200)
    html_email = models.TextField(help_text="The email's HTML part (images by cid:).")
    text = models.TextField(help_text="The email's plain-text part.")
    archive_html = models.TextField(help_text="The archived web page's body.")
    pdf = models.BinaryField()

    class Meta:
        ordering = ["-month"]

    def __str__(self):
        return f"Report {self.month:%Y-%m}"


class ReportChart(models.Model):
    """A chart of a report as a PNG; the email attaches it inline, the archive serves it."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="charts")
    name = models.SlugField(max_length=50)
    position = models.PositiveSmallIntegerField(default=0)
    png = models.BinaryField()
    alt = models.TextField(help_text="Alt text, with the chart's numbers.")

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "name"], name="reportchart_uniq"),
        ]

    def __str__(self):
        return f"{self.report}: {self.name}"


class ReportDelivery(models.Model):
    """One sending of a month's report to one address."""

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        TEST = "test", "Test"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will retry)"
        GAVE_UP = "gave_up", "Failed"
        SKIPPED = "skipped", "Skipped (no data)"

    month = models.DateField()
    email = models.EmailField()
    recipient = models.ForeignKey(
        ReportRecipient, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPORT)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "email"]
        verbose_name_plural = "report deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "email"],
                condition=models.Q(kind="report"),
                name="reportdelivery_once_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} → {self.email} ({self.status})"
