"""Absolute links in digests: BASE_URL joined (notifications.links.absolute_url,
the one definition of an address in an email) to a path that Wagtail (pages)
or Django (the signed member links) resolves."""

import functools

from django.urls import reverse

from notifications.links import absolute_url


def page_url(page):
    """The page's absolute URL, or None if no Wagtail site serves it. The path
    is Wagtail's own (Page.get_url_parts, over the site root paths Wagtail
    caches); the host is BASE_URL, as for every link in an email."""
    parts = page.get_url_parts()
    if parts is None or parts[2] is None:
        return None
    return absolute_url(parts[2])


TOKEN_MARK = "__TOKEN__"


@functools.cache
def _link_template(name):
    return absolute_url(reverse(name, args=[TOKEN_MARK]))


def signed_link(name, token):
    """The absolute URL of the view `name` for a signed token (reverse() once per URL name)."""
    return _link_template(name).replace(TOKEN_MARK, token)
