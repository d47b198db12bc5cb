from django.db import models

from ..redact import redact
from .sources import Source


class SyncState(models.Model):
    """Where one stream of one source has got to; saved in the same transaction as its page."""

    source = models.CharField(max_length=20, choices=Source.choices)
    stream = models.CharField(max_length=50)
    cursor = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "stream"], name="syncstate_uniq")]

    def __str__(self):
        return f"{self.source}/{self.stream}"


class SyncRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (another run was in progress)"

    source = models.CharField(max_length=20, choices=Source.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    full = models.BooleanField(
        "full sync", default=False, help_text="Started from scratch (--full)."
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    records_read = models.PositiveIntegerField(default=0)
    records_written = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    counts = models.JSONField(
        "records per stream", default=dict, blank=True, help_text="Records read per stream."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self):
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    def save(self, *args, **kwargs):
        # Whoever records a run (the sync engine, the CSV import, admin), its error is shown
        # in admin, on every page's freshness line and by the commands: never a credential.
        self.error = redact(self.error)
        super().save(*args, **kwargs)

    @property
    def duration(self):
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at


class SourceLock(models.Model):
    """At most one sync per source: a run holds this row until it ends or goes stale."""

    source = models.CharField(max_length=20, choices=Source.choices, unique=True)
    run = models.ForeignKey(SyncRun, null=True, blank=True, on_delete=models.SET_NULL)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"lock {self.source}"


class DataVersion(models.Model):
    """A counter that moves whenever data the metrics read may have changed (supportops/
    data_version.py): a sync finishing, a cost input or setting edited, a customer linked.

    Why a row and not a cache key: the web workers, the Celery worker and `manage.py sync` are
    separate processes; each reads this one row to know whether a cached result still holds.
    """

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"data version {self.number}"
