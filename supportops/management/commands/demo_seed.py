import secrets
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from supportops.demo import demo_inputs_load


class Command(BaseCommand):
    help = "Load the demo's cost inputs and product rules, and create a demo login."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", help="Default: a random one, printed.")
        parser.add_argument("--start-date", default="2020-01-01", type=date.fromisoformat)
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            help="Date the team's story counts back from. Default: today (UTC), like the sandbox.",
        )

    def handle(self, *args, username, password, start_date, today, **options):
        today = today or timezone.now().date()
        try:
            demo_inputs_load(start_date=start_date, today=today)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        password = password or secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.email = user.email or f"{username}@supportops.local"  # admin's "send a test to myself"
        user.set_password(password)
        user.save()
        self.stdout.write(f"login: {username} / {password}")
