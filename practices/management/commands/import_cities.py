"""Import cities and their challenges from a JSON Lines file: see docs/import-format.md."""

from practices.city_importing import CityImporter
from practices.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import cities and the challenges they work on from a JSON Lines file (the cities format of "
        "docs/import-format.md). The whole file is checked first; if any line has a problem, every "
        "problem is listed and nothing changes."
    )
    importer_class = CityImporter
    publish_help = "Publish the city pages (default: save drafts)."
    create_missing_help = "Create unknown challenges."
