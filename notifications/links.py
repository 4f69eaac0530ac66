"""Absolute links in emails: BASE_URL joined to a path. The one definition
of an address in an email (the digests' page and member links use it too)."""

from django.conf import settings


def absolute_url(path):
    """`path` ("/cities/turin/") under BASE_URL; an absolute http(s) URL as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.BASE_URL.rstrip("/") + path
