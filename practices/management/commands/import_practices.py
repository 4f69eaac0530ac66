"""Import case studies from a JSON Lines file: see docs/import-format.md."""

from practices.importing import Importer
from practices.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Import case studies from a JSON Lines file (docs/import-format.md). The whole file is "
        "checked first; if any line has a problem, every problem is listed and nothing changes."
    )
    importer_class = Importer
    publish_help = "Publish the case studies (default: save drafts)."
    create_missing_help = "Create unknown challenges, policy levers, sectors and target groups."
