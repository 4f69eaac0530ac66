"""Where each page type spends its time, in process, on the bench database.

    .venv/bin/python bench/page_profile.py --rounds 20 \\
        --database-url postgres://postgres@127.0.0.1:5432/sce_bench10k

For each page type (the same pages as bench/pages.py): the time per request
through Django's test client, the SQL queries per request with their time
(the slowest statements named), and a cProfile summary of `--rounds`
requests: the functions with the largest cumulative time, project code and
the libraries it calls alike. The first request of each page type is not
measured (it fills the process's caches, as a server's first request does).
"""

import argparse
import cProfile
import pstats
import time

try:
    from bench.common import (
        ROOT,
        add_service_options,
        apply_service_options,
        make_log,
        setup_django,
    )
except ImportError:  # run as a script
    from common import ROOT, add_service_options, apply_service_options, make_log, setup_django


# The frames every request goes through (test client, handler, middleware,
# template nodes): listed in every profile, they say nothing of the page.
PLUMBING = (
    "django/test/", "django/core/handlers/", "django/utils/deprecation.py", "whitenoise/", "axes/middleware",
    "django/template/base.py", "django/template/loader_tags.py", "django/template/defaulttags.py",
    "django/template/response.py", "django/template/backends/", "django/template/library.py",
    "{built-in method builtins.exec}", "<string>",
)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service_options(parser)
    parser.add_argument("--rounds", type=int, default=20, help="requests per page type (default: %(default)s)")
    parser.add_argument("--top", type=int, default=25, help="functions listed per page type (default: %(default)s)")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (default: %(default)s)")
    parser.add_argument("--width", type=int, default=150, help="characters of SQL shown per query")
    parser.add_argument("--only", default="", help="comma-separated page types (default: all)")
    parser.add_argument("--sample", type=int, default=20, help="case studies to rotate over (default: %(default)s)")
    args = parser.parse_args()
    apply_service_options(args)
    log = make_log(args.log)
    setup_django()
    from django.test import Client

    try:
        from bench.pages import page_urls
    except ImportError:
        from pages import page_urls

    urls = page_urls(args.sample, 1)
    only = [name for name in args.only.split(",") if name] or [name for name in urls if name != "bare"]
    client = Client()
    for name in only:
        profile_paths(client, name, urls[name], args, log)


def profile_paths(client, name, paths, args, log):
    """Time, SQL and a cProfile summary of `args.rounds` requests over
    `paths` (args: rounds, top, sort, width), printed with `log`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path in paths[:3]:
        assert client.get(path).status_code == 200, path
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for i in range(args.rounds):
            client.get(paths[i % len(paths)])
        seconds = time.perf_counter() - started
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    log(f"\n=== {name}: {seconds / args.rounds * 1000:.1f} ms per request; "
        f"{len(queries) / args.rounds:.1f} SQL queries per request, {sql_ms / args.rounds:.1f} ms of SQL")
    with CaptureQueriesContext(connection) as one:
        client.get(paths[0])
    log(f"   the queries of one request ({paths[0]}):")
    for q in one.captured_queries:
        log(f"   {float(q['time']) * 1000:7.1f} ms  {' '.join(q['sql'].split())[:args.width]}")
    profile = cProfile.Profile()
    profile.enable()
    for i in range(args.rounds):
        client.get(paths[i % len(paths)])
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats(args.sort)
    log(f"   {'cum ms/req':>10} {'own ms/req':>10} {'calls/req':>9}  function (request plumbing left out)")
    shown = 0
    for func in stats.fcn_list:
        where = pstats.func_std_string(func)
        if any(plumbing in where for plumbing in PLUMBING):
            continue
        cc, nc, tt, ct, _ = stats.stats[func]
        for marker in ("site-packages/", "python3.11/", str(ROOT) + "/"):
            where = where.split(marker, 1)[-1]
        log(f"   {ct / args.rounds * 1000:10.2f} {tt / args.rounds * 1000:10.2f} {nc / args.rounds:9.1f}  {where}")
        shown += 1
        if shown == args.top:
            break


if __name__ == "__main__":
    main()
