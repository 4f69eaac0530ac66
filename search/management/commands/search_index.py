"""Maintain the practice search index.

    manage.py search_index --rebuild       new index, bulk load, atomic alias swap
    manage.py search_index --check         report drift between database and index
    manage.py search_index --check --fix   ... and repair it
"""

from django.core.management.base import BaseCommand, CommandError

from search import indexing


class Command(BaseCommand):
    help = "Rebuild the practice search index (zero downtime) or check it against the database."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--rebuild", action="store_true", help="Build a new index and swap the alias.")
        group.add_argument("--check", action="store_true", help="Compare the database with the index.")
        parser.add_argument("--fix", action="store_true", help="With --check: repair the drift found.")

    def handle(self, *args, rebuild=False, check=False, fix=False, **options):
        if not indexing.enabled():
            raise CommandError("ELASTICSEARCH_URL is not set: the database backend needs no index.")
        if fix and not check:
            raise CommandError("--fix goes with --check.")
        if rebuild:
            info = indexing.rebuild()
            rate = info["documents"] / info["seconds"] if info["seconds"] else 0
            self.stdout.write(
                f"Indexed {info['documents']} case studies into {info['index']} in {info['seconds']:.2f}s "
                f"({rate:.0f} docs/s); alias {indexing.alias_name()} now points to it"
                + (f"; removed {', '.join(info['replaced'])}" if info["replaced"] else "")
            )
            return
        drift = indexing.check(fix=fix)
        if drift.clean:
            self.stdout.write("The index matches the database.")
            return
        self.stdout.write(str(drift))
        if fix:
            self.stdout.write("Fixed.")
        else:
            raise CommandError("The index has drifted from the database (run with --fix to repair).")
