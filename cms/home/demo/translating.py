"""The demo's translations (translations.jsonl): each case study in its
authoring city's language where that is not English, made the way a city
official makes one in wagtail-localize's editor, so the editor later shows
them as translations kept in step with the English source.

For each translation: the page's TranslationSource, a Translation to the
target locale, one manual StringTranslation per segment (matched by its
English text; the slug keeps the source's, as every language shares the
page's address but for the prefix), the page saved from them (the alias
becomes the translation) and that revision published, as a moderator's
approval would. A translation already made is left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, Translation, TranslationSource
from wagtail_localize.strings import StringValue

from practices.models import CaseStudyPage

TRANSLATIONS_FILE = Path(__file__).with_name("translations.jsonl")
UNTRANSLATED_PATHS = {"slug"}  # one address in every language (cities.page_locales)


@dataclass
class Made:
    """What load_translations did: {language: segments translated} for the
    translations it made, and the segments it found no text for."""

    segments: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)

    def __str__(self):
        if not self.segments:
            return "The demo translations are in place."
        made = ", ".join(f"{code}: {count}" for code, count in sorted(self.segments.items()))
        line = f"Translated {len(self.segments)} case studies into their city's language (segments {made})."
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
    for record in records():
        page = (
            CaseStudyPage.objects.filter(external_id=record["case_study"])
            .select_related("city")
            .first()
        )
        locale = Locale.objects.filter(language_code=record["language"]).first()
        if page is None or locale is None or is_translated(page, locale):
            continue
        official = (
            User.objects.filter(username=f"official-{page.city.slug}").first()
            if page.city
            else None
        )
        texts = {item["source"]: item["translation"] for item in record["strings"]}
        translation = translate(page, locale, texts, official, made)
        translation.save_target(user=official, publish=False)
        target = page.get_translation(locale)
        target.get_latest_revision().publish(user=moderator)
    if out is not None:
        out.write(str(made))
    return made


def translate(page, locale, texts: dict[str, str], translator, made: Made) -> Translation:
    """The Translation of `page` into `locale` with a manual
    StringTranslation for every segment of its source."""
    source, _ = TranslationSource.update_or_create_from_instance(page)
    translation, _ = Translation.objects.update_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    count = 0
    for segment in source.stringsegment_set.select_related("string", "context").order_by("order"):
        text = StringValue(segment.string.data).render_text()
        if segment.context.path in UNTRANSLATED_PATHS:
            translated = text
        elif text in texts:
            translated = texts[text]
        else:
            made.missing.append(f"{page.external_id} {segment.context.path}")
            continue
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={
                "data": StringValue.from_plaintext(translated).data,
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                "tool_name": "",
                "last_translated_by": translator,
            },
        )
        count += 1
    made.segments[locale.language_code] = made.segments.get(locale.language_code, 0) + count
    return translation
