"""Cost inputs entered by admins, and the settings metrics read."""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}

END_NOT_BEFORE_START = models.Q(end_date__isnull=True) | models.Q(
    end_date__gte=models.F("start_date")
)

# Cost inputs are dated within this range: 0001-01-01 or 9999-12-31 are typing slips (a year
# typed short or long) that would otherwise be costed silently.
DATE_MIN, DATE_MAX = date(1970, 1, 1), date(2100, 12, 31)
DATE_RANGE_MESSAGE = f"Enter a date from {DATE_MIN:%Y-%m-%d} to {DATE_MAX:%Y-%m-%d}."
DATED_FIELDS = ("start_date", "end_date")


def date_range_errors(values: dict) -> dict[str, list[str]]:
    """{field: [message]} for the dates among `values` outside DATE_MIN..DATE_MAX; shared by
    the models' clean() (admin) and the API's serializers, so both say the same thing."""
    return {
        name: [DATE_RANGE_MESSAGE]
        for name in DATED_FIELDS
        if isinstance(values.get(name), date) and not DATE_MIN <= values[name] <= DATE_MAX
    }


class _Dated:
    def clean(self):
        super().clean()
        errors = date_range_errors({name: getattr(self, name) for name in DATED_FIELDS})
        if errors:
            raise ValidationError(errors)


class TeamMember(_Dated, models.Model):
    name = models.CharField(max_length=255)
    role = models.CharField(max_length=100, blank=True)
    annual_salary = models.DecimalField(**MONEY)
    annual_benefits = models.DecimalField(**MONEY, default=Decimal("0"))
    fte = models.DecimalField(
        "FTE",
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text="Full-time equivalent, from 0.01 to 1.",
    )
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="Last day employed; empty if still here."
    )
    products = models.ManyToManyField(
        "supportops.Product", blank=True, related_name="members", help_text="Products covered."
    )
    capacity_override = models.PositiveIntegerField(
        null=True, blank=True, help_text="Tickets per month, if not the default capacity."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annual_salary__gte=0, annual_benefits__gte=0),
                name="member_money_not_negative",
                violation_error_message="Salary and benefits cannot be negative.",
            ),
            models.CheckConstraint(
                condition=models.Q(fte__gt=0, fte__lte=1),
                name="member_fte_range",
                violation_error_message="FTE must be more than 0 and at most 1.",
            ),
            models.CheckConstraint(
                condition=END_NOT_BEFORE_START,
                name="member_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]

    def __str__(self):
        return self.name


class Expense(_Dated, models.Model):
    class Kind(models.TextChoices):
        TOOL = "tool", "Tool"
        OVERHEAD = "overhead", "Overhead"
        VARIABLE = "variable", "Variable"

    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    monthly_amount = models.DecimalField(**MONEY)
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="Last day active; empty if ongoing."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=0),
                name="expense_amount_not_negative",
                violation_error_message="The monthly amount cannot be negative.",
            ),
            models.CheckConstraint(
                condition=END_NOT_BEFORE_START,
                name="expense_end_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ]

    def __str__(self):
        return self.name


def _default_bug_tags():
    return ["bug"]


# Validators of MetricSettings, shared by admin (full_clean) and the API (which calls it too),
# so both show the same messages.
validate_currency = RegexValidator(
    r"\A[A-Z]{3}\Z", "The currency must be a 3-letter ISO 4217 code in capitals, like USD."
)


def _currency_errors(value) -> list[str]:
    """A code in the validator's shape that ISO 4217 does not know ("ZZZ"); the shape itself is
    `validate_currency`'s to report (a field validator, so it stays in the migrations)."""
    from supportops.currencies import ISO_4217

    if isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value) and value not in ISO_4217:
        return [f"Unknown currency {value!r}: use an ISO 4217 code like USD, EUR or JPY."]
    return []


def validate_holiday_country(value):
    import holidays

    if value not in holidays.list_supported_countries():
        raise ValidationError(
            "Unknown holiday country %(value)r: use a 2-letter country code the holidays "
            "package knows, like US or DE.",
            params={"value": value},
        )


def validate_regex(value):
    try:
        re.compile(value)
    except (re.error, TypeError) as e:
        raise ValidationError(
            "%(value)r is not a valid regular expression: %(error)s.",
            params={"value": value, "error": e},
        ) from None


def validate_feature_request_patterns(value):
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise ValidationError("Enter a list of regular expressions (strings).")
    for pattern in value:
        try:
            compiled = re.compile(pattern)
        except re.error as e:
            raise ValidationError(
                "The pattern %(pattern)r is not a valid regular expression: %(error)s.",
                params={"pattern": pattern, "error": e},
            ) from None
        if "name" not in compiled.groupindex:
            raise ValidationError(
                "The pattern %(pattern)r needs a named group (?P<name>...) for the integration.",
                params={"pattern": pattern},
            )


def validate_bug_tags(value):
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise ValidationError("Enter a list of non-empty tags (strings).")


MAX_RETENTION_MONTHS = 120


def _default_patterns():
    return [r"Requesting integration for (?P<name>.+)"]


class MetricSettings(models.Model):
    """A single row of knobs the metrics read (DESIGN.md §3)."""

    reporting_timezone = models.CharField(max_length=64, default="UTC")
    currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    active_usage_threshold = models.PositiveIntegerField(
        default=500, help_text="A customer is active above this many API calls a month (mean)."
    )
    tickets_per_engineer_day = models.PositiveIntegerField(default=10)
    enterprise_capacity_factor = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    holiday_country = models.CharField(
        max_length=2, default="US", validators=[validate_holiday_country]
    )
    enterprise_plan_pattern = models.CharField(
        max_length=255,
        default="enterprise",
        validators=[validate_regex],
        help_text="A regular expression: a customer whose paying plan's product name or price "
        "nickname matches it (case-insensitive) is Enterprise.",
    )
    feature_request_patterns = models.JSONField(
        default=_default_patterns,
        blank=True,
        validators=[validate_feature_request_patterns],
        help_text="Regular expressions on ticket subjects, each with a (?P<name>...) group.",
    )
    bug_tags = models.JSONField(
        default=_default_bug_tags, blank=True, validators=[validate_bug_tags]
    )
    ltv_cap_months = models.PositiveIntegerField("LTV cap (months)", default=60)
    retention_months = models.PositiveIntegerField("retention (months)", default=3)

    class Meta:
        verbose_name = verbose_name_plural = "metric settings"

    def __str__(self):
        return "Metric settings"

    def clean(self):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        errors = {}
        try:
            ZoneInfo(self.reporting_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["reporting_timezone"] = [f"Unknown time zone {self.reporting_timezone!r}."]
        if currency := _currency_errors(self.currency):
            errors["currency"] = currency
        if isinstance(self.retention_months, int) and self.retention_months > MAX_RETENTION_MONTHS:
            # Months past it would be beyond the calendar the metrics know (metrics.periods).
            errors["retention_months"] = [
                f"Retention is measured at most {MAX_RETENTION_MONTHS} months after a cohort."
            ]
        if errors:
            raise ValidationError(errors)

    @classmethod
    def load(cls) -> "MetricSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
