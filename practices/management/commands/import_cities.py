"""Import cities and their challenges from a JSON Lines file: see docs/import-format.md."""

import sys

from django.core.management.base import BaseCommand, CommandError

from practices.city_importing import CityImporter
from practices.importing import ImportFailed


class Command(BaseCommand):
    help = (
        "Import cities and the challenges they work on from a JSON Lines file (the cities format of "
        "docs/import-format.md). The whole file is checked first; if any line has a problem, every "
        "problem is listed and nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .jsonl file, or - for standard input.")
        parser.add_argument(
            "--publish", action="store_true", help="Publish the city pages (default: save drafts)."
        )
        parser.add_argument(
            "--create-missing", action="store_true", help="Create unknown challenges."
        )

    def handle(self, *args, file, publish, create_missing, **options):
        try:
            if file == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as stream:
                    data = stream.read()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from error

        try:
            result = CityImporter(publish=publish, create_missing=create_missing).load(data)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{file}: {failure}") from None
        self.stdout.write(self.style.SUCCESS(str(result)))
