"""`python manage.py send_report [--month YYYY-MM] [--to ADDRESS] [--dry-run]`.

Sends in the foreground, one attempt per address, through the same delivery rows as the
schedule: an address that has the month's report is never sent it again from here (a second
run says when it was sent); sending again on purpose is admin's "Resend". A failed attempt can
be repeated by running the command again. Exits non-zero when any address failed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.utils import timezone

from supportops.models import MonthlyReport, ReportDelivery, ReportRecipient
from supportops.redact import redact

from ...periods import BadPeriod, Month
from ...report import delivery as sender
from ...report.schedule import last_month, month_has_ended

Status = ReportDelivery.Status


class Command(BaseCommand):
    help = "Send a month's report now: to every active recipient, or to one address."

    def add_arguments(self, parser):
        parser.add_argument(
            "--month", default="", help="YYYY-MM; default: the last complete month."
        )
        parser.add_argument("--to", default="", help="Send to this address only.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Build the report and print it and its recipients; send and record nothing.",
        )

    def handle(self, *args, month, to, dry_run, **options):
        now = timezone.now()
        month = self._month(month, now)
        if to:
            try:
                validate_email(to)
            except ValidationError:
                raise CommandError(f"--to: {to!r} is not an email address") from None
        if dry_run:
            return self._dry_run(month, to, now)
        if not month_has_ended(month.first_date, now=now):
            raise CommandError(
                f"--month: {month} has not ended yet in the reporting time zone; its report "
                "would go out with partial numbers (--dry-run shows it as it stands)"
            )
        if to:
            row, _ = sender.queue_address(month.first_date, to)
            rows = [row]
        else:
            rows = sender.queue_month(month.first_date, now=now)
            if not rows:
                self.stdout.write("No active recipients: add some in admin (Report recipients).")
                return
        failed = 0
        for row in rows:
            if row.status == Status.GAVE_UP:  # asked for by hand: try again
                ReportDelivery.objects.filter(pk=row.pk, status=Status.GAVE_UP).update(
                    status=Status.PENDING
                )
            was = row.status
            row = sender.deliver(row.pk, max_attempts=row.attempts + 1, now=now)
            self.stdout.write(
                self._line(row, already=was not in sender.CLAIMABLE + [Status.GAVE_UP])
            )
            failed += row.status in (Status.FAILED, Status.GAVE_UP)
        if failed:
            raise CommandError(f"{failed} of {len(rows)} addresses failed (see above).")

    def _month(self, text: str, now) -> Month:
        if not text:
            return last_month(now=now)
        try:
            return Month.parse(text)
        except BadPeriod:
            raise CommandError(f"--month: expected YYYY-MM (e.g. 2026-11), not {text!r}") from None

    def _line(self, row: ReportDelivery, *, already: bool) -> str:
        if row.status == Status.SENT:
            when = f"{row.sent_at:%Y-%m-%d %H:%M} UTC"
            if already:
                return (
                    f"{row.email}: already sent on {when}, nothing sent "
                    "(admin → Report deliveries → Resend sends it again)"
                )
            return f"{row.email}: sent ({row.message_id})"
        if row.status == Status.SKIPPED:
            return f"{row.email}: skipped (the month has no data and the recipient skips those)"
        if row.status == Status.SENDING:
            return f"{row.email}: a send started {row.claimed_at:%Y-%m-%d %H:%M} UTC; nothing sent"
        return f"{row.email}: failed: {redact(row.last_error)}"

    def _dry_run(self, month: Month, to: str, now) -> None:
        from ...report.snapshot import preview

        report = MonthlyReport.objects.filter(month=month.first_date).first()
        report = report or preview(month.first_date, now=now)
        sent = dict(
            ReportDelivery.objects.filter(
                month=month.first_date, kind=ReportDelivery.Kind.REPORT
            ).values_list("email", "status")
        )
        if to:
            targets = [(to, False)]
        else:
            targets = list(
                ReportRecipient.objects.filter(active=True)
                .order_by("email")
                .values_list("email", "skip_if_no_data")
            )
        self.stdout.write(f"Subject: {report.subject}")
        self.stdout.write(f"Dry run: nothing is sent or recorded. Would send {month} to:")
        for address, skips in targets:
            status = sent.get(address)
            if status in (Status.SENT, Status.SENDING, Status.SKIPPED):
                note = f"no: {Status(status).label.lower()} already"
            elif skips and not report.has_data:
                note = "no: skipped (no data)"
            else:
                note = "yes"
            self.stdout.write(f"  {address}: {note}")
        if not targets:
            self.stdout.write("  (no active recipients)")
        self.stdout.write("")
        self.stdout.write(report.text)
