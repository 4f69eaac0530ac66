"""Requests per second per page type, beside a bare Django view served by
the same gunicorn server, in one run.

    .venv/bin/python bench/pages.py --requests 300 --concurrency 8 \\
        --database-url postgres://postgres@127.0.0.1:5432/sce_bench10k

Starts gunicorn itself (sync workers, the bench settings: DEBUG off,
persistent database connections as in production) on a free port of
127.0.0.1, sends a bounded number of requests per page type with a fixed
number of concurrent connections (a small asyncio HTTP/1.1 client, one
connection per request as gunicorn's sync workers close them), prints
requests/s and latency per page type and the ratio of each to the bare view
(`/bench/bare/`). The page types, the bare view included, are measured in
interleaved rounds, so that all share the machine's ups and downs. Then it
stops gunicorn. Case studies and city pages rotate over a sample of the
catalogue's live, public pages, so that no single page is measured; each
URL is requested once before the measurement (with `--cache-url`, the
measurement is of pages whose fragments are cached: the steady state between
two editorial events).
Every response must be a 200, else the run fails.

Targets (issue 10): case study, city and home pages at least 0.1 of the
bare view; the search page and the search API at least 0.02.
"""

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from urllib.request import urlopen

try:
    from bench.common import (
        ROOT,
        add_service_options,
        apply_service_options,
        make_log,
        pct,
        setup_django,
    )
except ImportError:  # run as a script
    from common import ROOT, add_service_options, apply_service_options, make_log, pct, setup_django

TARGETS = {"home": 0.1, "case study": 0.1, "city": 0.1, "practices": 0.02, "search+facet": 0.02, "api": 0.02}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_urls(sample: int, seed: int) -> dict[str, list[str]]:
    """The paths to request per page type, read from the bench database."""
    from search.backends.facets import load_facet_options
    from search.models import SearchEntry

    urls = load_facet_options().urls
    rng = random.Random(seed)
    ids = sorted(SearchEntry.objects.values_list("page_id", flat=True))
    picked = rng.sample(ids, min(sample, len(ids)))
    cards = dict(SearchEntry.objects.filter(page_id__in=picked).values_list("page_id", "card"))
    case_studies = [urls(cards[pk]["url_path"]) for pk in picked]
    cities = {card["city"]["slug"]: card["url_path"].rsplit("/", 2)[0] + "/" for card in cards.values() if card.get("city")}
    challenge = next(iter(load_facet_options().labels("challenge")))
    return {
        "bare": ["/bench/bare/"],
        "home": ["/"],
        "practices": ["/practices/"],
        "search+facet": [f"/practices/?challenge={challenge}"],
        "case study": case_studies,
        "city": sorted(urls(path) for path in cities.values()),
        "api": ["/api/practices/?q=cooperative"],
    }


async def fetch(port: int, path: str) -> tuple[int, int]:
    """(status, body bytes) of one GET on a new connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    status = int(data[9:12]) if data.startswith(b"HTTP/1.") else 0
    return status, len(data)


async def load(port: int, paths: list[str], requests: int, concurrency: int):
    """Send `requests` GETs over `concurrency` connections at a time;
    (seconds elapsed, per-request latencies, non-200 statuses)."""
    latencies, failures = [], []
    counter = iter(range(requests))

    async def worker():
        for i in counter:
            path = paths[i % len(paths)]
            started = time.perf_counter()
            status, _ = await fetch(port, path)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                failures.append((path, status))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def start_gunicorn(port: int, workers: int, database_url: str, cache_url: str):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", DB_CONN_MAX_AGE="60", PYTHONPATH=str(ROOT))
    if database_url:
        env["DATABASE_URL"] = database_url
    env.pop("CACHE_URL", None)
    if cache_url:  # the Redis cache, and page fragments kept in it (bench/settings.py)
        env["CACHE_URL"] = cache_url
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    if not os.path.exists(gunicorn):
        gunicorn = "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "cms.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("gunicorn did not start")
        time.sleep(0.2)  # polling for readiness, with a deadline


def stop_gunicorn(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service_options(parser)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--cache-url", default="",
                        help="a Redis database for the cache, emptied first, e.g. redis://127.0.0.1:6379/13; "
                             "page fragments are then cached as in production (default: no shared cache, "
                             "no fragment cache)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=300, help="requests per page type (default: %(default)s)")
    parser.add_argument("--bare-requests", type=int, default=0,
                        help="requests for each bare-view measurement (default: 5x --requests)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent connections (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds over every page type, the bare view included (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=10,
                        help="unmeasured requests per page type after one over each of its URLs (default: %(default)s)")
    parser.add_argument("--sample", type=int, default=50, help="case studies to rotate over (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", default="", help="comma-separated page types (default: all)")
    args = parser.parse_args()
    apply_service_options(args)
    log = make_log(args.log)
    setup_django()
    from django.db import connection

    urls = page_urls(args.sample, args.seed)
    connection.close()
    only = [name for name in args.only.split(",") if name and name != "bare"] or [name for name in urls if name != "bare"]
    port = args.port or free_port()
    if args.cache_url:
        import redis

        redis.Redis.from_url(args.cache_url).flushdb()  # no fragment of an earlier run
    process = start_gunicorn(port, args.workers, args.database_url, args.cache_url)
    failed = []
    names = ["bare", *only]
    seconds = dict.fromkeys(names, 0.0)
    counts = dict.fromkeys(names, 0)
    latencies = {name: [] for name in names}
    try:
        for name in names:  # unmeasured: every URL once, then --warmup more (each worker's caches)
            warm = len(urls[name]) + args.warmup
            asyncio.run(load(port, urls[name], warm, min(args.concurrency, warm)))
        for _round in range(args.rounds):
            # Interleaved, so that the bare view and each page type share
            # the machine's ups and downs.
            for name in names:
                count = (args.bare_requests or 5 * args.requests) if name == "bare" else args.requests
                count //= args.rounds
                took, times, failures = asyncio.run(load(port, urls[name], count, args.concurrency))
                seconds[name] += took
                counts[name] += count
                latencies[name] += times
                failed.extend(failures)
    finally:
        stop_gunicorn(process)
    rps = {name: counts[name] / seconds[name] for name in names}
    log(f"gunicorn {args.workers} sync workers, {connection.vendor}, "
        f"{'Redis cache, page fragments cached' if args.cache_url else 'no shared cache, no page fragments cached'}, "
        f"{len(urls['case study'])} case studies and "
        f"{len(urls['city'])} cities rotated; {args.requests} requests per page type in {args.rounds} interleaved "
        f"rounds, {args.concurrency} concurrent connections")
    log(f"{'page':<14} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'/bare':>7}  target")
    for name in names:
        ratio = rps[name] / rps["bare"]
        target = TARGETS.get(name)
        verdict = "" if target is None else f">= {target}: {'MET' if ratio >= target else 'MISSED'}"
        p50, p95 = pct(latencies[name], 50) * 1000, pct(latencies[name], 95) * 1000
        log(f"{name:<14} {rps[name]:8.1f} {p50:8.2f} {p95:8.2f} {ratio:7.3f}  {verdict}")
    if failed:
        log(f"{len(failed)} responses were not 200, e.g. {failed[:3]}")
        sys.exit(1)


if __name__ == "__main__":
    main()
