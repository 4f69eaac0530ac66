"""Keeping the two search indexes in step with the pages.

The database index (`search.models.SearchEntry`, always there):

* `update_entries(ids)`: write the rows of the given case studies that are
  live and public, delete the others; a fixed number of queries per 500.
* `rebuild_entries()`: every row anew, in one transaction.
* `check_entries(fix=False)`: compare the rows with the pages.
* `embed_entries(ids)`: the vectors for search by meaning of the rows whose
  embedded text changed (`search.embeddings`), in batches; run by the
  indexing task, never in an editor's request.

The Elasticsearch index (a no-op when settings.ELASTICSEARCH_URL is empty):

* `update_pages(ids)`: (re)index the given case studies that are live and
  public, delete the others from the index; one bulk request.
* `rebuild()`: a fresh index, bulk loaded, then the alias swapped atomically.
* `check(fix=False)`: compare the database with the index; report drift and
  optionally repair it.

Both are written from the same page data (`serialise.read_pages`) and the
same declaration (`schema`); the database index's vocabulary
(`models.SearchWord`) is written with its rows.
"""

from __future__ import annotations

import logging
import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from elasticsearch import NotFoundError, helpers

from cities import fragments
from cities.page_locales import canonical_q
from practices.models import CaseStudyPage

from . import embeddings, schema
from .documents import CaseStudyDocument, document
from .es_client import get_client
from .models import SearchEntry, SearchWord, entry_from
from .serialise import read_pages

logger = logging.getLogger(__name__)

BULK_CHUNK = 500


def enabled() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


def alias_name() -> str:
    return settings.ELASTICSEARCH_INDEX


def indexable_pages():
    return CaseStudyPage.objects.listable().canonical().order_by("pk")


def case_study_ids_under(page) -> list[int]:
    """Ids of the case studies at or under a page (any state), and of the
    canonical pages of their translation groups (whose entries hold the
    translations' text: a city's translation moved or made private
    changes them)."""
    under = Q(path__startswith=page.path)
    groups = CaseStudyPage.objects.filter(under).values("translation_key")
    return list(CaseStudyPage.objects.filter(under | canonical_q() & Q(translation_key__in=groups))
                .order_by("pk").values_list("pk", flat=True))


def stored_vectors(page_ids) -> dict[int, bytes]:
    """The database index's vectors of these pages (those it has)."""
    rows = SearchEntry.objects.filter(page_id__in=list(page_ids), embedding__isnull=False)
    return {pk: bytes(vector) for pk, vector in rows.values_list("page_id", "embedding")}


def _actions(index: str, page_ids, chunk: int = BULK_CHUNK):
    page_ids = list(page_ids)
    for start in range(0, len(page_ids), chunk):
        ids = page_ids[start : start + chunk]
        vectors = stored_vectors(ids)
        for data in read_pages(ids):
            vector = vectors.get(data.row["pk"])
            doc = document(data, embeddings.from_bytes(vector) if vector is not None else None)
            doc_id = doc.pop("_id")
            yield {"_op_type": "index", "_index": index, "_id": doc_id, "_source": doc}


def listable_ids(page_ids=None) -> list[int]:
    qs = indexable_pages()
    if page_ids is not None:
        qs = qs.filter(pk__in=list(page_ids))
    return list(qs.values_list("pk", flat=True))


# --- The database index ---


VECTOR_FIELDS = ("embedding", "embedded_hash")


def _write_entries(pages, vectors=None):
    """Insert the rows and their words, or overwrite every field of the
    rows that exist but their vectors (the indexing task's,
    `embed_entries`). `vectors`: page id -> (text hash, vector) to keep for
    the rows whose embedded text has that hash (a rebuild)."""
    fields = [f.name for f in SearchEntry._meta.concrete_fields if not f.primary_key and f.name not in VECTOR_FIELDS]
    entries, words = [], set()
    for data in pages:
        texts = schema.texts(data)
        entry = entry_from(data, texts)
        kept = (vectors or {}).get(entry.page_id)
        if kept and kept[0] == embeddings.text_hash(schema.embedding_text(texts)):
            entry.embedded_hash, entry.embedding = kept
        entries.append(entry)
        words |= schema.vocabulary(texts)
        for translated in data.translations.values():
            words |= schema.vocabulary(translated)
    SearchEntry.objects.bulk_create(entries, update_conflicts=True, unique_fields=["page"], update_fields=fields)
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True)


def update_entries(page_ids) -> dict:
    """Write the database index rows of `page_ids`: the live, public ones
    (re)written, the others deleted."""
    ids = sorted({int(i) for i in page_ids})
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), BULK_CHUNK):
            chunk = ids[start : start + BULK_CHUNK]
            pages = read_pages(chunk)
            keep = {data.row["pk"] for data in pages}
            SearchEntry.objects.filter(page_id__in=[i for i in chunk if i not in keep]).delete()
            _write_entries(pages)
            written += len(pages)
        fragments.changed()  # pages show the index's cards (cities.fragments)
    return {"written": written, "deleted": len(ids) - written}


def rebuild_entries(chunk_size: int = BULK_CHUNK, embed: bool = True) -> dict:
    """Every row of the database index and its vocabulary anew, in one
    transaction (searches see the old rows until it commits). The vectors
    of texts that did not change are kept; with `embed`, the others are
    computed after the commit (`embed_entries`), when search by meaning is
    on."""
    started = time.perf_counter()
    ids = listable_ids()
    with transaction.atomic():
        kept = {pk: (digest, bytes(vector)) for pk, digest, vector in SearchEntry.objects.filter(
            embedding__isnull=False).values_list("page_id", "embedded_hash", "embedding")}
        SearchEntry.objects.all().delete()
        SearchWord.objects.all().delete()
        for start in range(0, len(ids), chunk_size):
            _write_entries(read_pages(ids[start : start + chunk_size]), kept)
        fragments.changed()
    info = {"documents": len(ids), "seconds": time.perf_counter() - started}
    if embed and embeddings.enabled():
        info["embedded"] = embed_entries(ids)["embedded"]
        info["seconds"] = time.perf_counter() - started
    return info


def without_vectors() -> list[int]:
    """Ids of the database index's rows that have no vector yet."""
    return list(SearchEntry.objects.filter(embedded_hash__isnull=True).order_by("page_id")
                .values_list("page_id", flat=True))


def embed_entries(page_ids, chunk_size: int = BULK_CHUNK) -> dict:
    """Compute and store the vectors of the rows among `page_ids` whose
    embedded text (`schema.embedding_text`) is not the one their vector was
    computed from; the others are left alone. The model embeds
    settings.SEARCH_EMBEDDING_BATCH texts per call; each chunk of rows is
    written in its own short transaction."""
    ids = sorted({int(i) for i in page_ids})
    embedded = 0
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        stored = dict(SearchEntry.objects.filter(page_id__in=chunk).values_list("page_id", "embedded_hash"))
        todo = []
        for data in read_pages(chunk):
            pk = data.row["pk"]
            text = schema.embedding_text(schema.texts(data))
            digest = embeddings.text_hash(text)
            if pk in stored and stored[pk] != digest:
                todo.append((pk, text, digest))
        if not todo:
            continue
        vectors = embeddings.embed_passages([text for _, text, _ in todo])
        rows = [SearchEntry(page_id=pk, embedded_hash=digest, embedding=embeddings.to_bytes(vector))
                for (pk, _, digest), vector in zip(todo, vectors, strict=True)]
        with transaction.atomic():
            # Only rows that still exist (a page may have left meanwhile).
            present = set(SearchEntry.objects.filter(page_id__in=[r.page_id for r in rows])
                          .values_list("page_id", flat=True))
            SearchEntry.objects.bulk_update([r for r in rows if r.page_id in present], list(VECTOR_FIELDS))
        embedded += len(rows)
    if embedded:
        fragments.changed()  # the peer finder's reasons read the vectors (cities.fragments)
    return {"embedded": embedded}


def check_entries(fix: bool = False) -> Drift:
    in_db = dict(indexable_pages().values_list("pk", "live_revision_id"))
    in_index = dict(SearchEntry.objects.values_list("page_id", "live_revision_id"))
    drift = Drift.between(in_db, in_index)
    if fix and not drift.clean:
        update_entries(drift.missing + drift.extra + drift.stale)
    return drift


# --- Elasticsearch ---


def update_pages(page_ids, client=None, refresh="wait_for", url=None, index=None) -> dict:
    """Index what is listable among `page_ids`, delete the rest. `url` and
    `index` default to the settings (the task carries the sender's, so that
    any worker indexes where the sending process searches)."""
    url = url or settings.ELASTICSEARCH_URL
    if not url or not page_ids:
        return {"indexed": 0, "deleted": 0}
    client = client or get_client(url)
    ids = sorted({int(i) for i in page_ids})
    index = index or alias_name()
    keep = set()
    for start in range(0, len(ids), BULK_CHUNK):
        keep |= set(listable_ids(ids[start : start + BULK_CHUNK]))
    gone = [i for i in ids if i not in keep]
    actions = list(_actions(index, sorted(keep)))
    actions += [{"_op_type": "delete", "_index": index, "_id": str(i)} for i in gone]
    _ok, errors = helpers.bulk(client, actions, raise_on_error=False, refresh=refresh)
    errors = [e for e in errors if e.get("delete", {}).get("status") != 404]
    if errors:
        raise RuntimeError(f"{len(errors)} indexing errors, first: {errors[0]}")
    fragments.changed()  # searches answer anew: cached pages go (cities.page_cache)
    return {"indexed": len(keep), "deleted": len(gone)}


def create_index(client, name: str):
    CaseStudyDocument.init(index=name, using=client)


def concrete_indexes(client, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias).body.keys())
    except NotFoundError:
        return []


def _send(client, actions) -> int:
    ok, _errors = helpers.bulk(client, actions, chunk_size=max(1, len(actions)), raise_on_error=True)
    return ok


def _load(client, index: str, ids: list[int], chunk_size: int) -> int:
    """Bulk-load the documents of `ids`, serialising each chunk (database
    reads, in this thread) while the previous one is sent (another thread:
    the client is thread-safe, the database connection is not shared), so
    the engine and the database work at the same time. Small catalogues are
    cut into at least four chunks so that there is something to overlap."""
    chunk_size = max(50, min(chunk_size, math.ceil(len(ids) / 4)))
    count = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-bulk") as sender:
        pending = None
        for start in range(0, len(ids), chunk_size):
            actions = list(_actions(index, ids[start : start + chunk_size], chunk=chunk_size))
            if pending is not None:
                count += pending.result()
            pending = sender.submit(_send, client, actions)
        if pending is not None:
            count += pending.result()
    return count


def rebuild(client=None, chunk_size: int = BULK_CHUNK, stdout=None) -> dict:
    """Zero-downtime rebuild: new index, bulk load, atomic alias swap, then
    the old indexes are deleted."""
    client = client or get_client()
    alias = alias_name()
    new = f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
    create_index(client, new)
    started = time.perf_counter()
    count = _load(client, new, listable_ids(), chunk_size)
    client.indices.refresh(index=new)
    elapsed = time.perf_counter() - started
    old = concrete_indexes(client, alias)
    if not old and client.indices.exists(index=alias):
        # A concrete index squats the alias name (legacy): it has to go first.
        client.indices.delete(index=alias)
    swap = [{"remove": {"index": name, "alias": alias}} for name in old]
    swap.append({"add": {"index": new, "alias": alias}})
    client.indices.update_aliases(actions=swap)
    fragments.changed()
    for name in old:
        client.indices.delete(index=name, ignore_unavailable=True)
    return {"index": new, "documents": count, "seconds": elapsed, "replaced": old}


@dataclass
class Drift:
    missing: list[int] = field(default_factory=list)  # listable, not in the index
    extra: list[int] = field(default_factory=list)  # in the index, not listable
    stale: list[int] = field(default_factory=list)  # indexed from another revision

    @classmethod
    def between(cls, in_db: dict, in_index: dict) -> Drift:
        """Both maps are page id -> live revision id."""
        return cls(
            missing=sorted(set(in_db) - set(in_index)),
            extra=sorted(set(in_index) - set(in_db)),
            stale=sorted(pk for pk in set(in_db) & set(in_index) if in_db[pk] != in_index[pk]),
        )

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)

    def __str__(self):
        def fmt(ids):
            return ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")

        return (
            f"missing from the index: {len(self.missing)} [{fmt(self.missing)}]\n"
            f"in the index but not public: {len(self.extra)} [{fmt(self.extra)}]\n"
            f"stale (another revision): {len(self.stale)} [{fmt(self.stale)}]"
        )


def check(fix: bool = False, client=None) -> Drift:
    client = client or get_client()
    alias = alias_name()
    client.indices.refresh(index=alias)
    in_db = dict(indexable_pages().values_list("pk", "live_revision_id"))
    in_index = {}
    for hit in helpers.scan(client, index=alias, query={"_source": ["live_revision"]}):
        in_index[int(hit["_id"])] = hit.get("_source", {}).get("live_revision")
    drift = Drift.between(in_db, in_index)
    if fix and not drift.clean:
        update_pages(drift.missing + drift.extra + drift.stale, client=client, refresh=True)
    return drift
