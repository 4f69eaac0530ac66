"""Result URLs from stored url_paths: `cities.page_urls.HitUrls`, which the
exchange uses too (it sits below search), named here for the search code."""

from cities.page_urls import HitUrls

__all__ = ["HitUrls"]
