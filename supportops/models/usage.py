from django.db import models


class UsageMonth(models.Model):
    """Product usage of one account in one calendar month (first day of the month)."""

    account_id = models.CharField("account ID", max_length=255)
    customer = models.ForeignKey(
        "supportops.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="usage",
    )
    month = models.DateField()
    api_calls = models.BigIntegerField("API calls")
    source = models.CharField(max_length=20, default="manual")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account_id", "month"], name="usage_account_month_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(api_calls__gte=0), name="usage_calls_not_negative"
            ),
        ]
        indexes = [
            # Support cohorts read every customer's usage of a window's months: one range scan
            # of those months that carries the customer and the calls (PostgreSQL answers it
            # from the index alone; bench/metrics.py "cohorts").
            models.Index(
                fields=["month"], include=["customer", "api_calls"], name="usage_month_idx"
            ),
        ]

    def __str__(self):
        return f"{self.account_id} {self.month:%Y-%m}: {self.api_calls}"
