"""Shared helpers for the benchmark scripts."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def add_service_options(parser, *, fallback="the settings' SQLite file"):
    """The options that let two benchmark runs go side by side: the database
    and the log file. The database defaults to $DATABASE_URL, then to
    `fallback` (what the script does without one)."""
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="e.g. postgres://postgres@127.0.0.1:5432/sce_bench_10k "
                             f"(default: $DATABASE_URL, else {fallback})")
    parser.add_argument("--log", metavar="PATH", default="",
                        help="also append what is printed to this file (default: stdout only)")


def apply_service_options(args):
    """Put the options where the settings read them; call before setup_django()."""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url


def make_log(path=""):
    """A print() that also appends to `path` when one is given."""
    if not path:
        return print
    target = Path(path)

    def log(*parts):
        print(*parts, flush=True)
        with target.open("a", encoding="utf-8") as f:
            print(*parts, file=f)

    return log


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def pct(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summary(name, seconds):
    ms = [s * 1000 for s in seconds]
    return {
        "name": name, "n": len(ms), "p50": pct(ms, 50), "p95": pct(ms, 95),
        "mean": statistics.fmean(ms) if ms else float("nan"),
    }


def fmt(row):
    return f"{row['name']:<34} n={row['n']:<5} p50={row['p50']:8.2f} ms  p95={row['p95']:8.2f} ms"


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
