"""Export the live, public cities and their challenges as JSON Lines (docs/import-format.md)."""

from django.core.management.base import BaseCommand

from practices.exporting import export_cities_to


class Command(BaseCommand):
    help = "Write the live, public cities and their challenges as JSON Lines, in the cities import format."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, output=None, **options):
        if output:
            with open(output, "w", encoding="utf-8") as stream:
                count = export_cities_to(stream)
            self.stderr.write(f"Exported {count} cities to {output}.")
        else:
            export_cities_to(self.stdout)
