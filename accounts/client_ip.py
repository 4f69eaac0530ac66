"""The address a request comes from, for sign-in throttling.

Behind TRUSTED_PROXY_COUNT reverse proxies (settings; 0 when the app server
faces the clients), each proxy appends the address it received the request
from to X-Forwarded-For: the client's address is the one that many entries
from the right. Entries further left are the client's own claims and are
never trusted."""

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    hops = settings.TRUSTED_PROXY_COUNT
    if not hops:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote  # not through the expected proxies: the nearest peer is all we know
    return forwarded[-hops]
