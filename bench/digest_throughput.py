"""Digest throughput: 10,000 members across 50 working groups.

Messages per second delivered to a local SMTP sink (aiosmtpd, in this process)
by the real pipeline — the fan-out, a Celery worker (prefork, Redis broker)
claiming, building and sending each chunk over one SMTP connection with the
exactly-once bookkeeping — as a ratio to the limit: plain smtplib sending the
same pre-built messages to the same sink over one connection. Also the peak
resident memory of the worker processes.

    .venv/bin/python bench/digest_throughput.py \
        [--database-url postgres://postgres@127.0.0.1:5432/sce_digest_bench] \
        [--redis-url redis://127.0.0.1:6379/14] [--smtp-port 0] [--worker-log PATH] \
        [--members 10000] [--groups 50] [--concurrency 2] [--chunk-size 100]

The database is created if missing (PostgreSQL) and migrated; its digest
data is replaced on every run. The Redis database of --redis-url is flushed.
Two runs side by side need their own --database-url and --redis-url (the
SMTP port and the worker log are free/new per run by default).
"""

import argparse
import os
import smtplib
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sce_digest_bench"),
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/14",
        help="the Celery broker of the run (its database is flushed)",
    )
    parser.add_argument("--smtp-port", type=int, default=0, help="the sink's port (default: a free one)")
    parser.add_argument(
        "--worker-log", type=Path, default=None,
        help="the Celery worker's log file (default: a new temporary file, printed)",
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=100)
    return parser.parse_args()


def ensure_postgres_database(url):
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            conn.execute(f'create database "{name}"')


def process_tree_peak_rss(pgid):
    """VmHWM (peak resident set) of every process in the worker's process group, in MiB."""
    peaks = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[int(entry.name)] = int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            continue
    return peaks


def build_world(members, groups):
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from wagtail.models import Page, Site

    from cities.digests.schedule import Period, group_zone
    from cities.models import Cadence, CityPage, DigestDelivery, Membership, WorkingGroup
    from practices.factories import (
        CaseStudyPageFactory,
        ChallengeFactory,
        CitiesIndexPageFactory,
        CityPageFactory,
        HomePageFactory,
    )
    from practices.models import CaseStudyPage, Challenge

    DigestDelivery.objects.all().delete()
    Membership.objects.all().delete()
    WorkingGroup.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench").delete()
    if not CaseStudyPage.objects.filter(slug__startswith="bench-").exists():
        root = Page.get_first_root_node()
        Site.objects.all().delete()
        for child in root.get_children():
            child.delete()
        home = HomePageFactory(parent=root)
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="SCE")
        index = CitiesIndexPageFactory(parent=home)
        challenges = [ChallengeFactory(name=f"Bench challenge {i}") for i in range(5)]
        for c in range(5):
            city = CityPageFactory(parent=index, title=f"Bench city {c}")
            for p in range(4):
                CaseStudyPageFactory(
                    parent=city, title=f"Bench {c}-{p}", slug=f"bench-{c}-{p}",
                    summary="A practice of the benchmark. " * 8, challenges=[challenges[(c + p) % 5]],
                )
    challenges = list(Challenge.objects.filter(name__startswith="Bench challenge").order_by("pk"))
    cities = list(CityPage.objects.filter(title__startswith="Bench city").order_by("pk"))
    now = timezone.now()
    zone_group = []
    for g in range(groups):
        group = WorkingGroup.objects.create(
            name=f"Bench group {g}", slug=f"bench-group-{g}", time_zone="Europe/Madrid",
        )
        group.challenges.set([challenges[g % 5]])
        group.member_cities.set([cities[(g + 1) % 5]])
        group.save()
        zone_group.append(group)
    published = Period.current(Cadence.WEEKLY, now, group_zone(zone_group[0])).start
    CaseStudyPage.objects.filter(slug__startswith="bench-").update(
        first_published_at=published, last_published_at=published
    )
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"bench{i}", email=f"bench{i}@example.org") for i in range(members)],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, group=zone_group[i % groups]) for i, u in enumerate(users)], batch_size=2000
    )
    return zone_group


def prebuilt_messages(groups):
    """The same digests the worker sends, built here once, as (from, to, bytes)."""
    from django.conf import settings
    from django.utils import timezone

    from cities.digests.recipients import recipients_for
    from cities.digests.render import build_digests
    from cities.digests.schedule import due_periods

    now = timezone.now()
    out = []
    for group in groups:
        for period in due_periods(group, now, force=True):
            built = build_digests(group, recipients_for(group, period, now))
            for digest in built:
                if digest.count:  # the bytes the worker sends (DigestRenderer.message_bytes)
                    out.append((settings.DEFAULT_FROM_EMAIL, [digest.recipient.address], digest.as_bytes()))
    return out


def _send_plain(host, port, messages, results):
    smtp = smtplib.SMTP(host, port)
    start = time.perf_counter()
    for from_email, to, data in messages:
        smtp.sendmail(from_email, to, data)
    results.put(time.perf_counter() - start)
    smtp.quit()


def send_plain(sink, messages):
    """In a separate process, as the worker is: the sink keeps this process's GIL."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    process = context.Process(target=_send_plain, args=(sink.host, sink.port, messages, results))
    process.start()
    elapsed = results.get(timeout=1800)
    process.join()
    return elapsed


def main():
    args = parse_args()
    from tests.services import CeleryWorker, SmtpSink, database_url, flush_redis

    sink = SmtpSink(port=args.smtp_port or None).start()
    if args.worker_log is None:
        handle, name = tempfile.mkstemp(prefix="sce_digest_bench_worker_", suffix=".log")
        os.close(handle)
        args.worker_log = Path(name)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": args.database_url,
            "SCE_TEST_WORKER": "1",
            "CELERY_BROKER_URL": args.redis_url,
            "EMAIL_HOST": sink.host,
            "EMAIL_PORT": str(sink.port),
            "DIGEST_CHUNK_SIZE": str(args.chunk_size),
            "DIGEST_CLAIM_LEASE_SECONDS": "900",
            "LOG_LEVEL": "WARNING",
        }
    )
    ensure_postgres_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from cities.models import DeliveryStatus, DigestDelivery
    from cities.tasks import fan_out_digests

    print(f"database: {connection.vendor} ({args.database_url}), broker {args.redis_url}, "
          f"SMTP sink on port {sink.port}, worker log {args.worker_log}", flush=True)
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    groups = build_world(args.members, args.groups)
    print(f"data: {args.members} members in {args.groups} groups ({time.perf_counter() - t:.1f}s)", flush=True)

    messages = prebuilt_messages(groups)
    print(f"pre-built {len(messages)} messages, {sum(len(m[2]) for m in messages) / len(messages) / 1024:.1f} KiB each", flush=True)
    sink.reset()
    plain_elapsed = send_plain(sink, messages)
    assert sink.count() == len(messages)
    plain_rate = len(messages) / plain_elapsed

    sink.reset()
    flush_redis(args.redis_url)
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    worker = CeleryWorker(env, args.worker_log, concurrency=args.concurrency)
    worker.start()
    try:
        expected = len(messages)
        start = time.perf_counter()
        # The fan-out runs in the worker, as from beat (this process hosts the sink).
        fan_out_digests.delay(force=True)
        deadline = time.monotonic() + 1800
        while sink.count() < expected and time.monotonic() < deadline:
            if not worker.alive:
                raise SystemExit(f"worker died:\n{worker.log()[-3000:]}")
            time.sleep(0.02)
        pipeline_elapsed = time.perf_counter() - start
        peaks = process_tree_peak_rss(worker.proc.pid)
    finally:
        worker.stop()
        flush_redis(args.redis_url)
        sink.stop()
    sent = DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count()
    pipeline_rate = sink.count() / pipeline_elapsed
    ratio = pipeline_rate / plain_rate
    lines = [
        f"plain smtplib, one connection: {len(messages)} messages in {plain_elapsed:.2f}s = {plain_rate:.0f} msg/s (the limit)",
        f"digest pipeline ({args.concurrency} worker processes, chunks of {args.chunk_size}): "
        f"{sink.count()} messages in {pipeline_elapsed:.2f}s, fan-out included = {pipeline_rate:.0f} msg/s; {sent} rows sent",
        f"ratio to the limit: {ratio:.2f} (target >= 0.5)",
        "peak worker memory (VmHWM): "
        + ", ".join(f"{mib:.0f} MiB" for _, mib in sorted(peaks.items()))
        + f" (main process first; total {sum(peaks.values()):.0f} MiB)",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
