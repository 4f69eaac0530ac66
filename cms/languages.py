"""The interface language: where each page is in the other languages, the
switch that remembers a reader's choice, and the redirect that honours it.

The language comes from the URL (`i18n_patterns`: English unprefixed,
/es/, /fr/, ... for the others). A Wagtail page's address in another
language is its translation's (or alias's) address, whose slugs may be
translated; any other view's is Django's `translate_url`.

Choosing a language in the switcher stores it in the language cookie;
afterwards an unprefixed (English) address asked for by that reader sends
them to the same page in their language (`RememberedLanguageMiddleware`),
until they choose English again. Nothing is guessed from the browser on the
server (pages stay cacheable): the page offers the reader's browser
language with a script (static/js/language-offer.js) reading the
alternates in the page head."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.models import Page, Site

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _wagtail_page_at(request, path: str):
    """The live page Wagtail serves at `path` (a path without language
    prefix is English), or None."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    language = language_of(path)
    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.url_name != "wagtail_serve":
            return None
        served = match.args[0] if match.args else match.kwargs.get("path", "")
        components = [component for component in served.split("/") if component]
        try:
            return site.root_page.localized.specific.route(request, components)[0]
        except Http404:
            return None


def language_of(path: str) -> str:
    """The interface language of `path`: its prefix's, English without one."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def page_alternates(page, request=None) -> dict[str, str]:
    """{language: the address of `page` in it} for its live translations
    and aliases in the interface languages, `page` included (one query)."""
    urls = {}
    for other in Page.objects.filter(translation_key=page.translation_key).live().select_related("locale"):
        code = other.locale.language_code
        if code in LANGUAGE_NAMES:
            url = other.get_url(request)
            if url:
                urls[code] = url
    return urls


def alternates(request, page=None) -> dict[str, str]:
    """{language: address} of what `request` shows, in each interface
    language where it exists."""
    if page is not None and getattr(page, "translation_key", None):
        return page_alternates(page, request)
    path = request.path
    return {code: translate_url(path, code) for code in LANGUAGE_NAMES}


def address_in(request, path: str, language: str) -> str:
    """Where `path` is in `language`: the page's translation, or the view's
    address with that prefix; `path` itself when there is none. `path` is
    read in its own language, whatever the request's active language (an
    English reader's switcher names the Spanish page's address)."""
    page = _wagtail_page_at(request, path)
    if page is not None:
        return page_alternates(page, request).get(language, path)
    with translation.override(language_of(path)):
        return translate_url(path, language)


def switch_language(request, code):
    """Remember `code` as the reader's language and go to `next` in it."""
    if code not in LANGUAGE_NAMES:
        code = settings.LANGUAGE_CODE
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    parts = urlsplit(target)
    destination = address_in(request, parts.path, code)
    if parts.query:
        destination = f"{destination}?{parts.query}"
    response = HttpResponseRedirect(destination)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,
    )
    return response


class RememberedLanguageMiddleware:
    """An unprefixed (English) page asked for with another remembered
    language goes to that language's address (GET and HEAD only; the
    admin, the API and files are not in the interface languages)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if (
            chosen
            and chosen != settings.LANGUAGE_CODE
            and chosen in LANGUAGE_NAMES
            and request.method in ("GET", "HEAD")
            and not translation.get_language_from_path(request.path_info)
        ):
            destination = address_in(request, request.path_info, chosen)
            if destination != request.path_info and translation.get_language_from_path(destination) == chosen:
                query = request.META.get("QUERY_STRING")
                return HttpResponseRedirect(f"{destination}?{query}" if query else destination)
        return self.get_response(request)
