"""Database backend: /api/practices/ latency beside a bare Django JSON view
(the floor) and the raw SQL of the same search, all in one process and run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sce_bench \
        .venv/bin/python bench/db_search.py --generate 10000
    DATABASE_URL=sqlite:////tmp/sce-bench.sqlite3 \
        .venv/bin/python bench/db_search.py --generate 2000 --migrate

Prints p50/p95 per variant, the ratios, and the number of SQL queries per
request for small and large page sizes and result counts (it must not grow).
"""

import argparse
import random
import time

try:
    from bench.common import Timer, fmt, setup_django, summary
except ImportError:
    from common import Timer, fmt, setup_django, summary


def mixed_queries(rng, count):
    from cities.models import CityPage
    from practices.models import Challenge, PolicyLever, Sector

    try:
        from bench.generate import WORDS
    except ImportError:
        from generate import WORDS

    challenges = list(Challenge.objects.values_list("slug", flat=True))
    levers = list(PolicyLever.objects.values_list("slug", flat=True))
    sectors = list(Sector.objects.values_list("slug", flat=True))
    countries = sorted({str(c) for c in CityPage.objects.values_list("country", flat=True)})
    queries = []
    for _ in range(count):
        params = {"q": " ".join(rng.sample(WORDS, rng.randint(1, 2)))}
        facets = rng.sample(["challenge", "country", "policy_lever", "sector", "status"], rng.randint(2, 3))
        for facet in facets:
            pool = {"challenge": challenges, "country": countries, "policy_lever": levers, "sector": sectors,
                    "status": ["pilot", "running", "scaled", "ended"]}[facet]
            params[facet] = rng.sample(pool, rng.randint(1, 2))
        queries.append(params)
    return queries


def query_count(client, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/practices/", params)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), ctx.captured_queries, response.json()["total"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate", type=int, default=0, help="top the catalogue up to N case studies first")
    parser.add_argument("--migrate", action="store_true")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    assert not settings.ELASTICSEARCH_URL, "unset ELASTICSEARCH_URL: this measures the database backend"
    if args.migrate:
        call_command("migrate", verbosity=0)
    if args.generate:
        try:
            from bench.generate import generate
        except ImportError:
            from generate import generate
        generate(args.generate)

    from practices.models import CaseStudyPage

    rng = random.Random(args.seed)
    client = Client(HTTP_HOST="localhost")
    queries = mixed_queries(rng, args.queries)
    n = CaseStudyPage.objects.listable().count()
    print(f"database: {connection.vendor}, {n} public case studies, {len(queries)} mixed queries x {args.rounds} rounds")

    # The SQL the API runs for each query, to replay raw.
    sql = {}
    counts = []
    for i, params in enumerate(queries):
        count, captured, total = query_count(client, params)
        sql[i] = [q["sql"] for q in captured]
        counts.append((count, total))

    api, bare, raw = [], [], []
    for _ in range(args.rounds):
        for i, params in enumerate(queries):
            with Timer() as t:
                response = client.get("/api/practices/", params)
            assert response.status_code == 200
            api.append(t.seconds)
            with Timer() as t:
                client.get("/bench/bare/", params)  # the same query string
            bare.append(t.seconds)
            with connection.cursor() as cursor, Timer() as t:
                for statement in sql[i]:
                    cursor.execute(statement)
                    cursor.fetchall()
            raw.append(t.seconds)
    rows = [summary("bare Django JSON view (floor)", bare), summary("raw SQL of the same search", raw),
            summary("/api/practices/ (database backend)", api)]
    for row in rows:
        print(fmt(row))
    b, r, a = rows
    print(f"ratio api/bare p50={a['p50'] / b['p50']:.1f}x p95={a['p95'] / b['p95']:.1f}x; "
          f"api/raw-SQL p50={a['p50'] / r['p50']:.2f}x p95={a['p95'] / r['p95']:.2f}x")
    print(f"target p95 <= 150 ms: {'MET' if a['p95'] <= 150 else 'MISSED'} ({a['p95']:.1f} ms)")

    # Queries per request: constant in page size and result count.
    broad = {"page_size": 5}
    checks = {
        "browse, page_size=5": broad,
        "browse, page_size=50": {"page_size": 50},
        "text, page_size=5": {"q": queries[0]["q"], "page_size": 5},
        "text, page_size=50": {"q": queries[0]["q"], "page_size": 50},
        "narrow facets, page_size=50": {**queries[1], "page_size": 50},
    }
    seen = set()
    for label, params in checks.items():
        count, _, total = query_count(client, params)
        seen.add(count)
        print(f"SQL queries per request [{label}, {total} results]: {count}")
    print(f"query counts over the mixed set: min={min(c for c, _ in counts)} max={max(c for c, _ in counts)}")
    print("query count constant in page size:", "YES" if len({query_count(client, broad)[0],
          query_count(client, {"page_size": 50})[0]}) == 1 else "NO")
    time.sleep(0)


if __name__ == "__main__":
    main()
