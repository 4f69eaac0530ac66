"""The page tree in seven languages (Wagtail's localized tree).

Every page exists in every locale of `settings.WAGTAIL_CONTENT_LANGUAGES`:
as itself (the original, in the language it was written in), as a
translation made in wagtail-localize's editor, or, until someone
translates it, as a Wagtail *alias* of the original, which shows the
original's content at the locale's URL (/es/..., /fr/...). `complete()`
makes the missing aliases: Wagtail's `after_create_page` hook (the admin)
and every programmatic creator (the demo, the importers) call it.

One page of each translation group stands for the practice in everything
that counts or lists practices rather than showing a page (the search
index, digests, feeds, exports, counts, transfers, questions): the page in
the default locale (`settings.LANGUAGE_CODE`), the *canonical* page.
`canonical_q()` selects them; `canonical()` finds a page's. Links to a
page in the reader's language need no lookup: every language's page has
the same path but for the prefix (`cities.page_urls`).

A view restriction on a page holds for all its translations and aliases:
`mirror_restrictions()` copies it (signals), so a private page is private
in every language.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from wagtail.models import Locale, Page, PageViewRestriction, Site


def default_language() -> str:
    return settings.LANGUAGE_CODE


def content_languages() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def default_locale_id() -> int:
    """The id of the default locale (the locales are read once per process)."""
    return _locale_ids()[default_language()]


def page_language(language: str | None = None) -> str:
    """`language` (the active one by default) when it has a page tree, else
    the default language."""
    language = language or translation.get_language()
    return language if language in content_languages() else default_language()


def canonical_q(prefix: str = "") -> Q:
    """The pages that stand for their translation group (`prefix`: the
    relation to the page, e.g. "page__")."""
    return Q(**{f"{prefix}locale__language_code": default_language()})


def is_canonical(page) -> bool:
    return page.locale_id == default_locale_id()


def canonical(page):
    """The page standing for `page`'s translation group (itself when it is
    in the default locale); None when the group has none yet."""
    if is_canonical(page):
        return page
    return page.specific_class.objects.filter(
        translation_key=page.translation_key, locale_id=default_locale_id()
    ).first()


def language_of(page) -> str:
    """The language of `page`'s locale, without a query (the locales are
    read once per process)."""
    for code, pk in _locale_ids().items():
        if pk == page.locale_id:
            return code
    return page.locale.language_code


def in_active_language(page):
    """`page`'s page in the active language (itself when it is in it, or
    when it has none): Wagtail's `Page.localized`, reading the locales once
    per process instead of once per call."""
    wanted = _locale_id(page_language())
    if page is None or wanted is None or page.locale_id == wanted:
        return page
    return page.get_translation_or_none(wanted) or page


def content_language(page) -> str:
    """The language `page`'s content is written in: its locale's, or its
    original's for an alias (one query)."""
    if page.alias_of_id:
        return Page.objects.filter(pk=page.alias_of_id).values_list("locale__language_code", flat=True).first() or default_language()
    return language_of(page)


def _locale_id(language: str) -> int | None:
    return _locale_ids().get(language)


def _locale_ids() -> dict[str, int]:
    global _locale_id_map
    if _locale_id_map is None:
        _locale_id_map = dict(Locale.objects.values_list("language_code", "pk"))
    return _locale_id_map


_locale_id_map: dict[str, int] | None = None


def forget_locales():
    """Drop what this process remembers of the locale table (tests)."""
    global _locale_id_map
    _locale_id_map = None


def ensure_locales() -> list[Locale]:
    """A locale for every content language."""
    locales = [Locale.objects.get_or_create(language_code=code)[0] for code in content_languages()]
    forget_locales()
    return locales


def complete(page) -> list[Page]:
    """Aliases of `page` in every locale where its group has no page yet
    (under its parent's page in that locale, made first when missing).
    Returns the aliases made. An alias or a page of a locale that is not a
    content language is left alone."""
    if page.alias_of_id:
        return []
    made = []
    present = set(Page.objects.filter(translation_key=page.translation_key).values_list("locale_id", flat=True))
    for locale in Locale.objects.filter(language_code__in=content_languages()).exclude(pk__in=present):
        made.append(page.copy_for_translation(locale, copy_parents=True, alias=True))
    if made:
        mirror_restrictions(page)
        if page.depth <= 2:  # a site's home page: its addresses in each language are new
            Site.clear_site_root_paths_cache()
    return made


def complete_tree(root=None) -> int:
    """`complete()` for every page (or every page under `root`, itself
    included), top down: the number of aliases made."""
    pages = Page.objects.filter(depth__gt=1, alias_of__isnull=True).order_by("path")
    if root is not None:
        pages = pages.descendant_of(root, inclusive=True)
    return sum(len(complete(page.specific)) for page in pages)


def mirror_restrictions(page):
    """Give every translation and alias of `page` the view restrictions
    `page` has (same kind, password and groups), and no others."""
    restrictions = list(PageViewRestriction.objects.filter(page=page).prefetch_related("groups"))
    for other in Page.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk):
        _copy_restrictions(restrictions, other)


def _copy_restrictions(restrictions, target):
    wanted = {(r.restriction_type, r.password, frozenset(g.pk for g in r.groups.all())) for r in restrictions}
    existing = list(PageViewRestriction.objects.filter(page=target).prefetch_related("groups"))
    have = {}
    for restriction in existing:
        shape = (restriction.restriction_type, restriction.password, frozenset(g.pk for g in restriction.groups.all()))
        if shape in wanted and shape not in have:
            have[shape] = restriction
        else:
            restriction.delete()
    for kind, password, groups in wanted - set(have):
        copy = PageViewRestriction.objects.create(page=target, restriction_type=kind, password=password)
        copy.groups.set(groups)


def going_with(page) -> list[int]:
    """Before `page` is deleted: the pages that must go with it (outside its
    own subtree, which goes anyway): its aliases, and when it is the
    canonical page, every other page of its translation group."""
    others = Page.objects.filter(alias_of_id=page.pk)
    if is_canonical(page):
        others = Page.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk)
    return list(others.exclude(path__startswith=page.path).values_list("pk", flat=True))


def delete_pages(ids):
    """Delete the pages `ids` that are still there, with their subtrees."""
    if ids:
        Page.objects.filter(pk__in=ids).delete()


def slug_of_group(page) -> str | None:
    """The slug `page` must have: its canonical page's (a page has one
    path in every language, but for the prefix); None when `page` is
    canonical or its group has no canonical page yet."""
    if not page.translation_key or is_canonical(page) or (page.depth or 0) <= 2:
        return None  # a site's home page is its address's root: no slug in its URLs, one per language
    return Page.objects.filter(translation_key=page.translation_key, locale_id=default_locale_id()).values_list(
        "slug", flat=True
    ).first()


def spread_slug(page):
    """After the canonical `page` is saved: its translations and aliases take
    its slug (and so its path) where it changed."""
    if not is_canonical(page) or (page.depth or 0) <= 2:
        return
    others = Page.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk).exclude(slug=page.slug)
    for other in others:
        other.slug = page.slug
        other.save(clean=False)


def follow_move(page):
    """After the canonical `page` moved: its translations and aliases move
    under the new parent's page in their language."""
    if not is_canonical(page):
        return
    parent = page.get_parent()
    for other in Page.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk):
        target = parent.get_translation_or_none(other.locale)
        if target is not None and other.get_parent().pk != target.pk:
            other.move(target, pos="last-child")
