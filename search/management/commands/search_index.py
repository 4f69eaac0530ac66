"""Maintain the practice search indexes: the database index (always) and
the Elasticsearch index (when ELASTICSEARCH_URL is set).

    manage.py search_index --rebuild       both anew (Elasticsearch: new index, bulk load, atomic alias swap)
    manage.py search_index --check         report drift between the pages and each index, and the
                                           pending index updates (the outbox)
    manage.py search_index --check --fix   ... and repair the drift, and re-send the pending updates
                                           (with search by meaning: also report, and with --fix
                                           compute, the vectors still missing)
    ... --only database|elasticsearch      one of the two
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from search import embeddings, indexing, outbox, queue


class Command(BaseCommand):
    help = "Rebuild the practice search indexes (zero downtime) or check them against the pages."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--rebuild", action="store_true", help="Build the indexes anew.")
        group.add_argument("--check", action="store_true", help="Compare the pages with the indexes.")
        parser.add_argument("--fix", action="store_true", help="With --check: repair the drift found.")
        parser.add_argument("--only", choices=["database", "elasticsearch"], help="Just one of the two indexes.")

    def handle(self, *args, rebuild=False, check=False, fix=False, only=None, **options):
        if fix and not check:
            raise CommandError("--fix goes with --check.")
        if only == "elasticsearch" and not indexing.enabled():
            raise CommandError("ELASTICSEARCH_URL is not set: there is no Elasticsearch index.")
        targets = [only] if only else ["database"] + (["elasticsearch"] if indexing.enabled() else [])
        drifted = []
        for target in targets:
            if rebuild:
                self.rebuild_index(target)
            elif not self.check_index(target, fix):
                drifted.append(target)
        if check:
            self.check_outbox(fix)
        if drifted:
            raise CommandError(f"The {' and '.join(drifted)} index has drifted from the pages "
                               "(run with --fix to repair).")

    def rebuild_index(self, target):
        if target == "database":
            info = indexing.rebuild_entries()
            embedded = f", {info['embedded']} embedded" if "embedded" in info else ""
            self.stdout.write(f"Database index: {info['documents']} case studies in {info['seconds']:.2f}s{embedded}")
            return
        info = indexing.rebuild()
        rate = info["documents"] / info["seconds"] if info["seconds"] else 0
        self.stdout.write(
            f"Elasticsearch: indexed {info['documents']} case studies into {info['index']} in "
            f"{info['seconds']:.2f}s ({rate:.0f} docs/s); alias {indexing.alias_name()} now points to it"
            + (f"; removed {', '.join(info['replaced'])}" if info["replaced"] else "")
        )

    def check_vectors(self, fix):
        """Search by meaning: the rows without a vector (their task has not
        run, or failed); reported, never a failure; embedded with --fix."""
        missing = indexing.without_vectors()
        self.stdout.write(f"Vectors for search by meaning: {len(missing)} case studies without one.")
        if fix and missing:
            info = indexing.embed_entries(missing)
            self.stdout.write(f"Vectors for search by meaning: {info['embedded']} embedded.")

    def check_index(self, target, fix) -> bool:
        label = "Database index" if target == "database" else "Elasticsearch"
        if target == "database" and embeddings.enabled():
            self.check_vectors(fix)
        drift = indexing.check_entries(fix=fix) if target == "database" else indexing.check(fix=fix)
        if drift.clean:
            self.stdout.write(f"{label}: matches the pages.")
            return True
        self.stdout.write(f"{label}:\n{drift}")
        if fix:
            self.stdout.write(f"{label}: fixed.")
            return True
        return False

    def check_outbox(self, fix):
        self.stdout.write(str(outbox.backlog()))
        if fix:
            sent = queue.resend_due(grace=timedelta(0))
            self.stdout.write(f"Pending index updates: {sent} re-sent, {outbox.backlog().count} still pending.")
