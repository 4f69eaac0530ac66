"""Result URLs from stored url_paths, without page instances.

A page has the same path in every language but for the language prefix
(/es/, /fr/; cities.page_locales keeps translations' slugs equal to the
canonical page's), so the canonical page's stored path gives its address in
the active language."""

from __future__ import annotations

from urllib.parse import quote

from django.urls import get_script_prefix, reverse
from django.utils import translation
from wagtail.coreutils import WAGTAIL_APPEND_SLASH
from wagtail.models import Site


class HitUrls:
    """Page URLs from stored url_paths, as `Page.get_url` gives them:
    relative on a single site, absolute with several. Reads Wagtail's cached
    site root paths once (no query, and no per-request site lookup); the
    search code uses the one its `FacetOptions` keeps; the exchange makes
    one per request (the network, the peer finder)."""

    def __init__(self):
        self.script_prefix = get_script_prefix()
        self.roots = Site.get_site_root_paths()
        self.single_site = len({root.site_id for root in self.roots}) == 1
        self.append_slash = WAGTAIL_APPEND_SLASH
        self.prefixes = {}  # language: where Wagtail's URLs are mounted for it

    @property
    def prefix(self) -> str:
        language = translation.get_language()
        prefix = self.prefixes.get(language)
        if prefix is None:
            prefix = self.prefixes[language] = reverse("wagtail_serve", args=("",))
        return prefix

    def __call__(self, url_path: str) -> str | None:
        for root in self.roots:
            if url_path.startswith(root.root_path):
                # What reverse("wagtail_serve", ...) gives, without resolving
                # the pattern for every hit (unicode slugs percent-encoded).
                path = self.prefix + quote(url_path[len(root.root_path) :], safe="/~:@!$&'()*+,;=")
                if not self.append_slash and path != "/":
                    path = path.rstrip("/")
                return path if self.single_site else root.root_url + path
        return None  # not under any site: not routable
