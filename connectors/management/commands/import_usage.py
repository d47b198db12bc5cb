from django.core.management.base import BaseCommand, CommandError

from connectors.errors import ConnectorError
from connectors.usage.csv_import import UsageFileRejected, usage_csv_import
from connectors.usage.rows import SOURCES
from supportops.redact import redact


class Command(BaseCommand):
    help = (
        "Import monthly API calls per account from a CSV file (columns account_id, month, "
        "api_calls; see VENDOR_APIS.md §5.2). A file with any bad row is rejected whole. "
        "Each import is recorded as a sync run of the usage source."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE.csv")
        parser.add_argument(
            "--source",
            default="manual",
            choices=SOURCES,
            help="Source recorded on rows whose `source` column is empty (default: manual).",
        )

    def handle(self, *args, path, source, **options):
        try:
            result = usage_csv_import(path=path, source=source)
        except UsageFileRejected as exc:
            count = len(exc.problems)
            lines = [f"{path}: rejected, nothing imported ({count} problem(s)):"]
            lines += [f"  {problem}" for problem in exc.problems]
            raise CommandError(redact("\n".join(lines))) from None
        except ConnectorError as exc:  # unreadable, or a usage sync is running
            raise CommandError(redact(f"{path}: {exc}")) from None
        self.stdout.write(f"{path}: {result.summary()}")
