"""Database backend: /api/practices/ latency beside a bare Django JSON view
(the floor), the raw SQL of the same search, and the peer (the same search
as a Wagtail user would write it), all in one process and run.

    .venv/bin/python bench/db_search.py --rounds 3 \\
        --database-url postgres://postgres@127.0.0.1:5432/sce_bench_10k
    .venv/bin/python bench/db_search.py --generate 2000 --migrate \\
        --database-url sqlite:////tmp/sce-bench.sqlite3

The peer answers each mixed query with `CaseStudyPage.objects.live().public()`,
Wagtail's own database search (`.search(q, operator="and")`, Wagtail's
index) for the text, ORM filters for the facets and ORM facet counts
(`values(...).annotate(Count(...))` per facet, with every other facet's
filters applied: multi-select), the matched ids passed as a subquery; and
the same page of 12 results with their card fields. Its totals are compared
with ours (the two index different text: a difference is reported, not
hidden).

Prints p50/p95 per variant, the ratios (ours / peer), the number of SQL
queries per request for small and large page sizes and result counts (it
must not grow), and the peer's totals that differ from ours. Uses no Redis
(the bench settings' cache is local memory) and no port (Django's test
client): two runs on two databases go side by side.
"""

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: import bench.*

from bench.common import (  # noqa: E402
    Timer,
    add_service_options,
    apply_service_options,
    fmt,
    make_log,
    setup_django,
    summary,
)

PAGE_SIZE = 12

# Facet -> the ORM path its counts are grouped by (start_year: bucketed in Python).
PEER_COUNT_COLUMNS = {
    "challenge": "challenges__slug", "sector": "sectors__slug", "policy_lever": "policy_levers__slug",
    "target_group": "target_groups__slug", "city": "city__slug", "country": "city__country",
    "status": "status", "start_year": "start_year",
}
PEER_TAXONOMIES = {"challenge": "challenges", "sector": "sectors", "policy_lever": "policy_levers",
                   "target_group": "target_groups"}


def mixed_queries(rng, count):
    from bench.generate import WORDS
    from cities.models import CityPage
    from practices.models import Challenge, PolicyLever, Sector

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


def _peer_filter(facet, values):
    """The ORM test of one selected facet (values OR-ed), as subqueries so
    that a page in two selected terms is not counted twice."""
    from django.db.models import Q

    from cities.models import CityPage
    from practices.models import CaseStudyPage
    from search.schema import year_bucket_bounds

    if facet in PEER_TAXONOMIES:
        through = getattr(CaseStudyPage, PEER_TAXONOMIES[facet]).through
        term = getattr(CaseStudyPage, PEER_TAXONOMIES[facet]).field.related_model._meta.model_name
        return Q(pk__in=through.objects.filter(**{f"{term}__slug__in": values}).values("casestudypage_id"))
    if facet == "city":
        return Q(city__in=CityPage.objects.filter(slug__in=values))
    if facet == "country":
        return Q(city__in=CityPage.objects.filter(country__in=values))
    if facet == "status":
        return Q(status__in=values)
    if facet == "start_year":
        q = Q()
        for value in values:
            lo, hi = year_bucket_bounds(value)
            q |= Q(start_year__gte=lo, start_year__lte=hi)
        return q
    raise ValueError(f"unknown facet {facet}")


def peer_search(params, page_size=PAGE_SIZE):
    """The search as a Wagtail user would write it: the total, every facet's
    multi-select counts and the first page's cards (dicts), newest first
    without text, Wagtail's relevance with text."""
    from django.db.models import Count

    from practices.models import CaseStudyPage
    from search.schema import year_bucket

    base = CaseStudyPage.objects.live().public()
    text = params.get("q", "").strip()
    matched = base
    if text:
        ids = base.search(text, operator="and", order_by_relevance=False).get_queryset().values("pk")
        matched = base.filter(pk__in=ids)
    filters = {facet: _peer_filter(facet, values) for facet, values in params.items()
               if facet in PEER_COUNT_COLUMNS and values}
    facets = {}
    for facet, column in PEER_COUNT_COLUMNS.items():
        others = [test for other, test in filters.items() if other != facet]
        rows = matched.filter(*others).order_by().values_list(column).annotate(n=Count("pk")).values_list(column, "n")
        counts = {}
        for value, n in rows:
            if value is None or value == "":
                continue
            key = year_bucket(value) if facet == "start_year" else str(value)
            counts[key] = counts.get(key, 0) + n
        facets[facet] = counts
    passing = list(filters.values())
    total = matched.filter(*passing).count()
    listing = base.filter(*passing).select_related("city").prefetch_related("challenges")
    if text:
        page = list(listing.search(text, operator="and")[:page_size])
    else:
        page = list(listing.order_by("-first_published_at", "-pk")[:page_size])
    cards = [
        {
            "id": p.pk, "title": p.title, "url_path": p.url_path, "summary": p.summary,
            "city": p.city and {"slug": p.city.slug, "name": p.city.title, "country": str(p.city.country)},
            "challenges": [{"slug": c.slug, "name": c.name} for c in p.challenges.all()],
            "start_year": p.start_year, "status": p.status,
        }
        for p in page
    ]
    return {"total": total, "facets": facets, "results": cards}


def ensure_wagtail_index(log=print):
    """The peer reads Wagtail's own search index: fill it if it is empty."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.models import IndexEntry

    from practices.models import CaseStudyPage

    if IndexEntry.objects.filter(content_type=ContentType.objects.get_for_model(CaseStudyPage)).exists():
        return
    from bench.generate import fill_wagtail_index
    fill_wagtail_index(log)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service_options(parser)
    parser.add_argument("--generate", type=int, default=0, metavar="N",
                        help="top the catalogue up to N case studies first")
    parser.add_argument("--migrate", action="store_true", help="run migrations first")
    parser.add_argument("--queries", type=int, default=40, help="mixed queries (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the mixed queries (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the mixed queries (default: %(default)s)")
    parser.add_argument("--target-ms", type=float, default=0,
                        help="p95 target of the API (default: 100 ms up to 20,000 case studies, else 300 ms)")
    parser.add_argument("--no-peer", action="store_true", help="skip the Wagtail peer")
    args = parser.parse_args()
    apply_service_options(args)
    setup_django()
    log = make_log(args.log)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    assert not settings.ELASTICSEARCH_URL, "unset ELASTICSEARCH_URL: this measures the database backend"
    if args.migrate:
        call_command("migrate", verbosity=0)
    if args.generate:
        from bench.generate import generate
        generate(args.generate, log=log)
    peer = not args.no_peer
    if peer:
        ensure_wagtail_index(log)

    from practices.models import CaseStudyPage

    rng = random.Random(args.seed)
    client = Client(HTTP_HOST="localhost")
    queries = mixed_queries(rng, args.queries)
    n = CaseStudyPage.objects.listable().count()
    db_name = connection.settings_dict["NAME"]
    log(f"database: {connection.vendor} {db_name}, {n} public case studies, "
        f"{len(queries)} mixed queries x {args.rounds} rounds")

    # The SQL the API runs for each query, to replay raw; the peer's totals and query counts.
    sql, counts, peer_counts, mismatches = {}, [], [], []
    for i, params in enumerate(queries):
        count, captured, total = query_count(client, params)
        sql[i] = [q["sql"] for q in captured]
        counts.append((count, total))
        if peer:
            with CaptureQueriesContext(connection) as ctx:
                theirs = peer_search(params)
            peer_counts.append(len(ctx.captured_queries))
            if theirs["total"] != total:
                mismatches.append((params, total, theirs["total"]))

    api, bare, raw, wagtail = [], [], [], []
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
            if peer:
                with Timer() as t:
                    peer_search(params)
                wagtail.append(t.seconds)
    rows = [summary("bare Django JSON view (floor)", bare), summary("raw SQL of the same search", raw),
            summary("/api/practices/ (database backend)", api)]
    if peer:
        rows.append(summary("Wagtail peer (search + ORM facets)", wagtail))
    for row in rows:
        log(fmt(row))
    b, r, a = rows[:3]
    log(f"ratio api/bare p50={a['p50'] / b['p50']:.1f}x p95={a['p95'] / b['p95']:.1f}x; "
        f"api/raw-SQL p50={a['p50'] / r['p50']:.2f}x p95={a['p95'] / r['p95']:.2f}x")
    if peer:
        w = rows[3]
        log(f"ours / wagtail peer: p50={a['p50'] / w['p50']:.2f}x p95={a['p95'] / w['p95']:.2f}x "
            f"(peer is {w['p50'] / a['p50']:.1f}x slower at p50, {w['p95'] / a['p95']:.1f}x at p95)")
        log(f"peer SQL queries per search: min={min(peer_counts)} max={max(peer_counts)}")
        log(f"peer totals differing from ours: {len(mismatches)} of {len(queries)} queries"
            + (f" (ours larger in {sum(o > t for _, o, t in mismatches)}; "
               f"total rows ours {sum(o for _, o, _ in mismatches)} vs peer {sum(t for _, _, t in mismatches)})"
               if mismatches else ""))
        for params, ours, theirs in mismatches[:3]:
            log(f"  e.g. {params}: ours {ours}, peer {theirs}")
    target = args.target_ms or (100 if n <= 20000 else 300)
    log(f"target p95 <= {target:.0f} ms: {'MET' if a['p95'] <= target else 'MISSED'} ({a['p95']:.1f} ms)")

    # Queries per request: constant in page size and result count.
    broad = {"page_size": 5}
    checks = {
        "browse, page_size=5": broad,
        "browse, page_size=50": {"page_size": 50},
        "text, page_size=5": {"q": queries[0]["q"], "page_size": 5},
        "text, page_size=50": {"q": queries[0]["q"], "page_size": 50},
        "narrow facets, page_size=50": {**queries[1], "page_size": 50},
    }
    for label, params in checks.items():
        count, _, total = query_count(client, params)
        log(f"SQL queries per request [{label}, {total} results]: {count}")
    log(f"query counts over the mixed set: min={min(c for c, _ in counts)} max={max(c for c, _ in counts)}")
    log("query count constant in page size:", "YES" if len({query_count(client, broad)[0],
        query_count(client, {"page_size": 50})[0]}) == 1 else "NO")


if __name__ == "__main__":
    main()
