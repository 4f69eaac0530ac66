"""Rate limits on the public API (`/api/practices/`, `/api/practices/suggest/`,
`/api/cities/`, `/api/cities/<slug>/`).

Every client of the API is anonymous (it has no sign-in), so every client
is limited: API_ANON_RATE requests (settings, e.g. "120/minute") per client
address and per endpoint. The address is `accounts.client_ip.client_ip`,
which trusts X-Forwarded-For only through TRUSTED_PROXY_COUNT proxies. The
request history lives in the default cache (Redis in production), as DRF's
throttles keep it; a client over the limit gets a 429 with `Retry-After`.
"""

from __future__ import annotations

import math

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from accounts.client_ip import client_ip


class APIAnonRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, keyed by the project's client address and
    the view's `throttle_scope` (one budget per endpoint), at API_ANON_RATE."""

    def get_rate(self) -> str:
        return settings.API_ANON_RATE

    def get_cache_key(self, request, view) -> str:
        scope = getattr(view, "throttle_scope", None) or self.scope
        return self.cache_format % {"scope": scope, "ident": client_ip(request) or "unknown"}


def retry_after(throttles) -> int:
    """Whole seconds until every one of the refusing throttles lets a request
    through again (at least 1)."""
    waits = [throttle.wait() or throttle.duration for throttle in throttles]
    return max(1, math.ceil(max(waits)))
