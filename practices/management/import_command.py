"""What `import_practices` and `import_cities` share: read the file (or
standard input), run the importer, list every problem or say what changed."""

import sys

from django.core.management.base import BaseCommand, CommandError

from practices.importing import ImportFailed


class ImportCommand(BaseCommand):
    importer_class = None  # an Importer (or subclass) taking publish= and create_missing=
    publish_help = ""
    create_missing_help = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .jsonl file, or - for standard input.")
        parser.add_argument("--publish", action="store_true", help=self.publish_help)
        parser.add_argument("--create-missing", action="store_true", help=self.create_missing_help)

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
            result = self.importer_class(publish=publish, create_missing=create_missing).load(data)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{file}: {failure}") from None
        self.stdout.write(self.style.SUCCESS(str(result)))
