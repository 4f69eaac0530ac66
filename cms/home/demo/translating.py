"""The demo's translations, made the way a city official makes one in
wagtail-localize's editor, so the editor later shows them as translations
kept in step with the English source:

- each case study in its authoring city's language where that is not
  English (translations.jsonl, written for the demo from the English text);
- the site's own pages (the home page, the cities and the practices
  indexes) in the six other languages (site_translations.py).

For each translation: the page's TranslationSource, a Translation to the
target locale, one manual StringTranslation per segment (a case study's
matched by its English text, a site page's by field and paragraph; the slug,
and a field the data leaves out, keep the source's: every language shares
the page's address but for the prefix), the page saved from them (the alias
becomes the translation) and that revision published, as a moderator's
approval would. A translation already made is left alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue

from cities.models import CitiesIndexPage
from cms.home.models import HomePage
from practices.models import CaseStudyPage, PracticeIndexPage

from .site_translations import SITE_PAGES

TRANSLATIONS_FILE = Path(__file__).with_name("translations.jsonl")
UNTRANSLATED_PATHS = {"slug"}  # one address in every language (cities.page_locales)
SITE_PAGE_MODELS = {"home": HomePage, "cities": CitiesIndexPage, "practices": PracticeIndexPage}


@dataclass
class Made:
    """What load_translations did: {language: segments translated} for the
    case studies and for the site's pages it translated, and the segments
    it found no text for."""

    segments: dict[str, int] = field(default_factory=dict)
    site_segments: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def __str__(self):
        if not self.segments and not self.site_segments:
            return "The demo translations are in place."
        parts = []
        if self.segments:
            made = ", ".join(f"{code}: {count}" for code, count in sorted(self.segments.items()))
            parts.append(
                f"Translated {len(self.segments)} case studies into their city's language "
                f"(segments {made})"
            )
        if self.site_segments:
            parts.append(
                f"the site's own pages into {len(self.site_segments)} languages "
                f"({sum(self.site_segments.values())} segments)"
            )
        line = (" and " if len(parts) == 2 else "").join(parts)
        line = line[0].upper() + line[1:] + "."
        if self.missing:
            line += f" No text for {len(self.missing)} segments: {'; '.join(self.missing)}."
        return line


def records(path: Path = TRANSLATIONS_FILE) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def is_translated(page, locale) -> bool:
    """Whether `page` has a translation (not an alias) made through
    wagtail-localize in `locale`."""
    target = page.get_translation_or_none(locale)
    return (
        target is not None
        and target.alias_of_id is None
        and Translation.objects.filter(
            source__object_id=page.translation_key, target_locale=locale
        ).exists()
    )


def load_translations(moderator=None, out=None) -> Made:
    """Make the missing demo translations; `moderator` publishes them."""
    made = Made()
    User = get_user_model()
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    for record in records():
        page = (
            CaseStudyPage.objects.filter(external_id=record["case_study"])
            .select_related("city")
            .first()
        )
        locale = locales.get(record["language"])
        if page is None or locale is None or is_translated(page, locale):
            continue
        official = (
            User.objects.filter(username=f"official-{page.city.slug}").first()
            if page.city
            else None
        )
        texts = {item["source"]: item["translation"] for item in record["strings"]}

        def by_text(segment, texts=texts):
            text = StringValue(segment.string.data).render_text()
            return StringValue.from_plaintext(texts[text]) if text in texts else None

        count = _translate(page, locale, by_text, official, moderator, made)
        made.segments[locale.language_code] = made.segments.get(locale.language_code, 0) + count
    for key, model in SITE_PAGE_MODELS.items():
        page = model.objects.filter(locale__language_code="en").first()
        for code, fields in SITE_PAGES.get(key, {}).items():
            locale = locales.get(code)
            if page is None or locale is None or is_translated(page, locale):
                continue
            count = _translate(page, locale, _ByField(fields), moderator, moderator, made)
            made.site_segments[code] = made.site_segments.get(code, 0) + count
    if out is not None:
        out.write(str(made))
    return made


class _ByField:
    """A site page's segments translated from {field: text}: a text field
    whole, a rich text field paragraph by paragraph, in order; a field the
    data leaves out (the home page's title, the site's name) as it is."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        self.positions: dict[str, int] = {}

    def __call__(self, segment):
        name = segment.context.path.split(".")[0]
        value = self.fields.get(name)
        if value is None:
            return StringValue(segment.string.data)
        if not value.lstrip().startswith("<"):
            return StringValue.from_plaintext(value)
        paragraphs = re.findall(r"<p>(.*?)</p>", value, re.S)
        position = self.positions[name] = self.positions.get(name, -1) + 1
        if position >= len(paragraphs):
            return None
        return StringValue.from_translated_html(paragraphs[position])


def _translate(page, locale, lookup, translator, publisher, made: Made) -> int:
    """Translate `page` into `locale` (a manual StringTranslation for every
    segment of its source that `lookup` has a text for), save and publish
    the translation; returns the number of segments translated."""
    source, _ = TranslationSource.update_or_create_from_instance(page)
    translation, _ = Translation.objects.update_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    count = 0
    segments = source.stringsegment_set.select_related("string", "context").order_by("order")
    for segment in segments:
        if segment.context.path in UNTRANSLATED_PATHS:
            value = StringValue(segment.string.data)
        else:
            value = lookup(segment)
        if value is None:
            made.missing.append(f"{page.slug} {locale.language_code} {segment.context.path}")
            continue
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={
                "data": value.data,
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                "tool_name": "",
                "last_translated_by": translator,
            },
        )
        count += 1
    translation.save_target(user=translator, publish=False)
    page.get_translation(locale).get_latest_revision().publish(user=publisher)
    return count
