from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.demo import DEMO_PASSWORD, demo_load
from projects.models import Programme


class Command(BaseCommand):
    help = "Load the demo programme, sites, projects and users (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if a programme already exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "load_demo refuses to run with DJANGO_DEBUG=0: it creates users "
                "with a published password."
            )
        if Programme.objects.exists():
            if options["if_empty"]:
                self.stdout.write("The database already holds a programme: demo not loaded.")
                return
            raise CommandError("The database already holds a programme; use a fresh database.")
        world = demo_load()
        self.stdout.write(self.style.SUCCESS("Demo loaded."))
        self.stdout.write(f"Users (password for all: {DEMO_PASSWORD}):")
        for username in world.users:
            self.stdout.write(f"  {username}")
