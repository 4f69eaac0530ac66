"""A circuit breaker in front of Elasticsearch.

Closed: every search goes to Elasticsearch. After `failure_threshold`
consecutive failures it opens: searches go straight to the database backend
for `reset_after` seconds, then one trial request is let through (half-open).
Every fallback is logged and the result carries `degraded=True`.
"""

from __future__ import annotations

import logging
import threading
import time

from .backends.contract import (
    BaseSearchBackend,
    SearchBackendError,
    SearchQuery,
    SearchResult,
)

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, failure_threshold: int = 3, reset_after: float = 30.0, clock=time.monotonic):
        self.failure_threshold = failure_threshold
        self.reset_after = reset_after
        self.clock = clock
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.reset_after:
            return "half-open"
        return "open"

    def allow(self) -> bool:
        return self.state != "open"

    def success(self):
        with self._lock:
            self.failures = 0
            self.opened_at = None

    def failure(self):
        with self._lock:
            self.failures += 1
            if self.failures >= self.failure_threshold or self.opened_at is not None:
                self.opened_at = self.clock()


class FallbackBackend(BaseSearchBackend):
    """The primary backend behind a breaker, the database as the net."""

    def __init__(self, primary: BaseSearchBackend, fallback: BaseSearchBackend, breaker: CircuitBreaker):
        self.primary = primary
        self.fallback = fallback
        self.breaker = breaker
        self.name = primary.name

    def _call(self, method: str, *args, **kwargs):
        if self.breaker.allow():
            try:
                value = getattr(self.primary, method)(*args, **kwargs)
            except SearchBackendError as exc:
                self.breaker.failure()
                logger.warning(
                    "Search backend %s failed (%s); answering from %s (breaker %s)",
                    self.primary.name, exc, self.fallback.name, self.breaker.state,
                )
            else:
                self.breaker.success()
                return value, False
        else:
            logger.info("Search breaker open; answering from %s", self.fallback.name)
        return getattr(self.fallback, method)(*args, **kwargs), True

    def search(self, query: SearchQuery, options=None) -> SearchResult:
        result, degraded = self._call("search", query, options)
        result.degraded = degraded
        return result

    def related(self, page, limit: int = 4) -> list:
        return self._call("related", page, limit)[0]

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        return self._call("suggest", prefix, limit)[0]
