"""Load the demo content (cms/home/demo): safe to run again, it only adds what is missing."""

from django.core.management.base import BaseCommand, CommandError

from cms.home.demo.loader import load_demo
from practices.importing import ImportFailed
from search.indexing import rebuild_entries


class Command(BaseCommand):
    help = (
        "Create the demo site: pages, taxonomies, the nine cities and their challenges, six case studies, "
        "working groups, roles, demo users with profiles and two demo peers. Idempotent; passwords are "
        "printed once, at creation."
    )

    def handle(self, *args, **options):
        try:
            load_demo(out=self.stdout)
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(f"cms/home/demo/practices.jsonl {problem}")
            raise CommandError(f"The demo case studies did not import: {failure}") from None
        # The database search index, whole (cheap for the demo; it also
        # covers a demo database loaded before the index existed).
        rebuild_entries()
        self.stdout.write(self.style.SUCCESS("Demo content is in place."))
