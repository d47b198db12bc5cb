import sys

from django.core.management.base import BaseCommand, CommandError

from connectors.errors import ConnectorError
from connectors.registry import CONNECTORS, enabled_sources
from connectors.sync import sync_source
from supportops.models import SyncRun
from supportops.redact import redact


class Command(BaseCommand):
    help = "Sync sources in the foreground (all configured sources when none is named)."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="*", metavar="SOURCE", help=", ".join(CONNECTORS))
        parser.add_argument(
            "--full", action="store_true", help="Forget saved cursors and re-read all history."
        )

    def handle(self, *args, sources, full, **options):
        sources = sources or enabled_sources()
        if not sources:
            raise CommandError("no source is configured; see .env.example (e.g. ZENDESK_URL)")
        live = self.stdout.isatty()
        failures = []
        for source in sources:
            try:
                run = sync_source(source=source, full=full, progress=self._progress(source, live))
            except ConnectorError as exc:
                raise CommandError(redact(f"{source}: {exc}")) from None
            if live:
                self.stdout.write("")
            if run.status == SyncRun.Status.SUCCEEDED:
                seconds = run.duration.total_seconds()
                self.stdout.write(
                    f"{source}: ok, {run.records_read} records in {run.pages} pages, "
                    f"{seconds:.1f}s ({_counts(run.counts)})"
                )
            else:
                failures.append(redact(f"{source}: {run.status}: {run.error}"))
        if failures:
            raise CommandError("; ".join(failures))

    def _progress(self, source, live):
        def report(*, stream, pages, records):
            line = f"{source}/{stream}: {records} records, page {pages}"
            if live:
                sys.stdout.write("\r\033[K" + line)
                sys.stdout.flush()
            elif pages % 10 == 0:
                self.stdout.write(line)

        return report


def _counts(counts: dict) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items())
