"""Send the working-group digests that are due: the same code path as the
hourly beat task (cities.digests.delivery.fan_out, then the send tasks)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cities.digests import delivery
from cities.models import WorkingGroup
from cities.tasks import send_digest_chunk


class Command(BaseCommand):
    help = "Create and send the digests that are due (with --now: the current period's, whatever the schedule)."

    def add_arguments(self, parser):
        parser.add_argument("--group", action="append", dest="groups", metavar="SLUG",
                            help="Only this working group (repeatable).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Print who would get what; send nothing, record nothing.")
        parser.add_argument("--now", action="store_true",
                            help="Send the current period's digests whatever the schedule says.")

    def handle(self, *args, groups=None, dry_run=False, now=False, **options):
        if groups:
            missing = set(groups) - set(WorkingGroup.objects.filter(slug__in=groups).values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No working group with slug {', '.join(sorted(missing))}.")
        moment = timezone.now()
        if groups or now or dry_run:
            report = delivery.fan_out(
                now=moment, group_slugs=groups, force=now, dry_run=dry_run, enqueue=send_digest_chunk.delay
            )
        else:
            report = delivery.run_scheduled(now=moment, enqueue=send_digest_chunk.delay)
        if not report.periods:
            self.stdout.write("No working group is due (use --now to send the current period anyway).")
        if dry_run:
            for group, period, members in report.periods:
                self.stdout.write(f"{group.slug} {period.key}: {members} member(s)")
            for digest in report.previews:
                line = f"  {digest.recipient.address or '(no address)'}: "
                line += f"{digest.subject}" if digest.count else "nothing new, no email"
                self.stdout.write(line)
            return
        for group, period, members in report.periods:
            counts = delivery.status_counts(group, period.key)
            summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
            self.stdout.write(f"{group.slug} {period.key}: {members} member(s); {summary or 'nothing to do'}")
        self.stdout.write(f"Enqueued {report.enqueued} digest(s), re-enqueued {report.requeued}.")
