"""The peer finder and the network at the size of a large network, in process.

    .venv/bin/python bench/generate.py 10000 --cities 500 --migrate \\
        --database-url postgres://postgres@127.0.0.1:5432/sce_peers_bench
    .venv/bin/python bench/peers.py --setup --database-url postgres://postgres@127.0.0.1:5432/sce_peers_bench
    .venv/bin/python bench/peers.py --requests 200 \\
        --database-url postgres://postgres@127.0.0.1:5432/sce_peers_bench [--cache-url redis://127.0.0.1:6379/3]

`--setup` adds what `generate.py` leaves out, idempotently: each city's
continent, languages, region and population (from its country, seeded), 1 to
4 challenges per city, and accepted transfers (any stage) up to
`--transfers`, each of a live case study by a city other than its own.

Then, for each URL type (peers of a city, cities on a challenge, the API of
both, `/network/`, `/api/network/`): `--requests` requests through Django's
test client (the whole middleware stack, the bench settings), rotating over
a sample of cities and challenges, after one unmeasured request per URL;
p50 and p95 per type against the target (p95 at most TARGET_MS), the same
for this process's CPU time (what the machine's other work does not add
to: the database's time is not in it), the load average, and the SQL
queries per request (the smallest and largest count seen: they must not
depend on the city or challenge asked). `--cache-url` gives the process a
Redis cache with page fragments cached, as in production (the steady state
between two editorial events); without it nothing is cached. `--profile`
prints, per URL type, the queries of one request and a cProfile summary
(bench/page_profile.py's).
"""

import argparse
import os
import random
import time

try:
    from bench.common import add_service_options, apply_service_options, make_log, pct, setup_django
except ImportError:  # run as a script
    from common import add_service_options, apply_service_options, make_log, pct, setup_django

TARGET_MS = 150

CONTINENTS = {
    "europe": "IE IT NL ES PT FR BE DE AT PL CZ SI HR GR FI SE DK GB",
    "north_america": "CA US MX", "south_america": "CO BR AR UY", "asia": "PH KR", "africa": "SN ZA KE",
}
CONTINENT_OF = {code: continent for continent, codes in CONTINENTS.items() for code in codes.split()}
LANGUAGES_OF = {"IE": ["en"], "GB": ["en"], "US": ["en", "es"], "IT": ["it"], "NL": ["nl", "en"], "ES": ["es"],
                "PT": ["pt"], "BR": ["pt"], "FR": ["fr"], "BE": ["nl", "fr"], "DE": ["de"], "AT": ["de"],
                "PL": ["pl"], "CA": ["en", "fr"], "MX": ["es"], "CO": ["es"], "AR": ["es"], "UY": ["es"]}


def setup(transfers: int, seed: int, log):
    """Fill the cities' facts and the transfers (idempotent)."""
    from django.db import transaction

    from cities.models import CityChallenge, CityPage
    from exchange.models import Acceptance, Stage, Transfer
    from practices.models import CaseStudyPage, Challenge

    rng = random.Random(seed)
    started = time.perf_counter()
    challenge_ids = list(Challenge.objects.values_list("pk", flat=True))
    with transaction.atomic():
        cities = list(CityPage.objects.order_by("pk"))
        for city in cities:
            code = city.country.code
            city.continent = CONTINENT_OF.get(code, "europe")
            spoken = list(LANGUAGES_OF.get(code, ["en"]))
            if code == "ES" and rng.random() < 0.3:
                spoken.append(rng.choice(["ca", "eu"]))
            city.languages = spoken
            city.region = f"Region {rng.randint(1, 4)}"
            city.population = int(rng.lognormvariate(12.5, 1.1))
        CityPage.objects.bulk_update(cities, ["continent", "languages", "region", "population"], batch_size=500)
        if not CityChallenge.objects.exists():
            CityChallenge.objects.bulk_create([
                CityChallenge(page_id=city.pk, challenge_id=challenge, sort_order=i, note="Bench.", since=2020)
                for city in cities
                for i, challenge in enumerate(rng.sample(challenge_ids, rng.randint(1, 4)))
            ])
        have = Transfer.objects.count()
        if have < transfers:
            sources = list(CaseStudyPage.objects.filter(live=True).values_list("pk", "city_id"))
            taken = set(Transfer.objects.values_list("source_id", "adopting_city_id"))
            city_ids = [city.pk for city in cities]
            new = []
            while have + len(new) < transfers:
                source, source_city = rng.choice(sources)
                adopting = rng.choice(city_ids)
                if adopting == source_city or (source, adopting) in taken:
                    continue
                taken.add((source, adopting))
                new.append(Transfer(source_id=source, adopting_city_id=adopting, acceptance=Acceptance.ACCEPTED,
                                    stage=rng.choice(Stage.values)))
            Transfer.objects.bulk_create(new)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"setup: {len(cities)} cities, {CityChallenge.objects.count()} city challenges, "
        f"{Transfer.objects.count()} transfers in {time.perf_counter() - started:.1f}s")


def peer_urls(sample: int, seed: int) -> dict[str, list[str]]:
    from cities.models import CityPage
    from practices.models import Challenge

    rng = random.Random(seed)
    cities = list(CityPage.objects.live().public().filter(city_challenges__isnull=False).distinct()
                  .order_by("pk").values_list("slug", flat=True))
    challenges = list(Challenge.objects.order_by("pk").values_list("slug", flat=True))
    cities, challenges = rng.sample(cities, min(sample, len(cities))), challenges[:sample]
    return {
        "peers ?city=": [f"/peers/?city={slug}" for slug in cities],
        "peers ?challenge=": [f"/peers/?challenge={slug}" for slug in challenges],
        "api peers ?city=": [f"/api/peers/?city={slug}" for slug in cities],
        "api peers ?challenge=": [f"/api/peers/?challenge={slug}" for slug in challenges],
        "network": ["/network/"],
        "api network": ["/api/network/"],
    }


def measure(client, paths, requests):
    """(latencies, this process's CPU time, both in seconds, and query
    counts) of `requests` GETs over `paths`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path in paths:  # unmeasured: each URL once
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    latencies, cpu, counts = [], [], []
    for i in range(requests):
        path = paths[i % len(paths)]
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            latencies.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(queries))
    return latencies, cpu, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service_options(parser)
    parser.add_argument("--setup", action="store_true", help="fill the cities' facts and the transfers, then stop")
    parser.add_argument("--transfers", type=int, default=2000, help="accepted transfers (default: %(default)s)")
    parser.add_argument("--cache-url", default="",
                        help="a Redis database for the cache, emptied first (e.g. redis://127.0.0.1:6379/3): "
                             "page fragments are then cached (default: nothing cached)")
    parser.add_argument("--requests", type=int, default=200, help="requests per URL type (default: %(default)s)")
    parser.add_argument("--sample", type=int, default=20, help="cities and challenges rotated (default: %(default)s)")
    parser.add_argument("--only", default="", help="comma-separated URL types (default: all)")
    parser.add_argument("--profile", action="store_true", help="also print queries and a cProfile per URL type")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    apply_service_options(args)
    if args.cache_url:
        os.environ["CACHE_URL"] = args.cache_url
    log = make_log(args.log)
    setup_django()
    if args.setup:
        setup(args.transfers, args.seed, log)
        return
    from django.db import connection
    from django.test import Client

    import cms.wsgi  # noqa: F401  the process as a server runs it: start-up objects frozen for the GC
    from cities.models import CityPage
    from exchange.models import Transfer
    from practices.models import CaseStudyPage

    if args.cache_url:
        import redis

        redis.Redis.from_url(args.cache_url).flushdb()
    urls = peer_urls(args.sample, args.seed)
    only = [name for name in args.only.split(",") if name] or list(urls)
    client = Client()
    log(f"{connection.vendor}, {CityPage.objects.live().count()} live cities, "
        f"{CaseStudyPage.objects.live().count()} live case studies, {Transfer.objects.count()} transfers; "
        f"{'Redis cache, page fragments cached' if args.cache_url else 'nothing cached'}; "
        f"{args.requests} requests per URL type over {args.sample} cities or challenges")
    log(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    log(f"{'URL type':<22} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'queries':>8}  "
        f"target p95 <= {TARGET_MS} ms")
    missed = False
    for name in only:
        latencies, cpu, counts = measure(client, urls[name], args.requests)
        p50, p95 = pct(latencies, 50) * 1000, pct(latencies, 95) * 1000
        queries = str(min(counts)) if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"
        verdict = "MET" if p95 <= TARGET_MS else "MISSED"
        missed |= p95 > TARGET_MS
        log(f"{name:<22} {p50:8.1f} {p95:8.1f} {pct(cpu, 50) * 1000:8.1f} {pct(cpu, 95) * 1000:8.1f} "
            f"{queries:>8}  {verdict}")
    log(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.profile:
        try:
            from bench.page_profile import profile_paths
        except ImportError:
            from page_profile import profile_paths
        options = argparse.Namespace(rounds=min(args.requests, 20), top=25, sort="cumulative", width=150)
        for name in only:
            profile_paths(client, name, urls[name], options, log)
    if missed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
