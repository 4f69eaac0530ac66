"""Shared helpers for the benchmark scripts."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
