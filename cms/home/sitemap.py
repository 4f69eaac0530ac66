"""/sitemap.xml: every live public page in every language, each listing its
other languages as `hreflang` alternates (and `x-default`, the English
page), as search engines ask of a multilingual site."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap
from wagtail.models import Page

from cities.visibility import VisiblePageQuerySet


class MultilingualSitemap(Sitemap):
    def items(self):
        site = self.get_wagtail_site()
        roots = Page.objects.filter(translation_key=site.root_page.translation_key)
        condition = None
        for root in roots:
            part = Page.objects.descendant_of(root, inclusive=True)
            condition = part if condition is None else condition | part
        pages = VisiblePageQuerySet(Page).filter(pk__in=condition.values("pk")).live().public()
        return pages.order_by("path").select_related("locale").defer_streamfields().specific()

    def _urls(self, page, protocol, domain):
        entries = []
        for item in self.paginator.page(page).object_list:
            entries.extend((item, url) for url in item.get_sitemap_urls(self.request))
        groups = defaultdict(dict)
        for item, url in entries:
            groups[item.translation_key][item.locale.language_code] = url["location"]
        languages = dict(settings.LANGUAGES)
        urls = []
        for item, url in entries:
            urls.append(url)
            located = groups[item.translation_key]
            url["alternates"] = [
                {"lang_code": code, "location": location} for code, location in located.items() if code in languages
            ]
            if settings.LANGUAGE_CODE in located:
                url["alternates"].append({"lang_code": "x-default", "location": located[settings.LANGUAGE_CODE]})
        last_mods = {url.get("lastmod") for url in urls}
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls


def sitemap_sections():
    return {"pages": MultilingualSitemap}
