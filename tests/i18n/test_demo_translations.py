"""The demo's translations: `python manage.py load_demo` makes each case
study's translation into its city's language (wagtail-localize, one manual
string translation per segment), shows it at its language's address, keeps
the English original as it was, and a second run adds nothing."""

import json
from pathlib import Path

from cms.home.demo.translating import TRANSLATIONS_FILE

from ..commands import explain, manage

# Run in the command's own process, on its database: what a reader and the
# editor see afterwards.
INSPECT = """
import json
from django.test import Client
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from practices.models import CaseStudyPage

client = Client()
result = {"translations": {}, "pages": {}, "site": {}}
for translation in Translation.objects.select_related("source", "target_locale"):
    original = translation.source.get_source_instance()
    if not isinstance(original, CaseStudyPage):  # the site's own pages
        result["site"].setdefault(translation.target_locale.language_code, []).append(original.slug)
        continue
    target = original.get_translation(translation.target_locale)
    segments = StringSegment.objects.filter(source=translation.source)
    manual = StringTranslation.objects.filter(
        locale=translation.target_locale, translation_type="manual",
        translation_of__in=segments.values("string"), context__in=segments.values("context"),
    )
    result["translations"].setdefault(translation.target_locale.language_code, []).append({
        "case_study": original.external_id, "segments": segments.count(), "manual": manual.count(),
        "alias": target.alias_of_id is not None, "live": target.live, "language": target.language,
        "has_unpublished_changes": target.has_unpublished_changes, "title": target.title,
    })
rikx = CaseStudyPage.objects.get(external_id="demo-rotterdam-rikx")
dutch = rikx.get_translation(Locale.objects.get(language_code="nl"))
dublin = CaseStudyPage.objects.get(external_id="demo-dublin-social-enterprise-committee")
dublin_es = dublin.get_translation(Locale.objects.get(language_code="es"))
pages = {"original": rikx, "dutch": dutch, "dublin_es": dublin_es}
pages["home_es"] = Page.objects.get(depth=2, locale__language_code="es")
for name, page in pages.items():
    response = client.get(page.url)
    result["pages"][name] = {"url": page.url, "status": response.status_code, "html": response.content.decode()}
result["groups"] = sorted(
    Page.objects.filter(translation_key=rikx.translation_key).values_list("locale__language_code", flat=True)
)
print(json.dumps(result))
"""


def inspect(db):
    result = manage("shell", "-c", INSPECT, db=db)
    assert result.returncode == 0, explain(result)
    return json.loads(result.stdout.strip().splitlines()[-1])


def demo_translations():
    return {
        (record["case_study"], record["language"]): record
        for record in map(
            json.loads, Path(TRANSLATIONS_FILE).read_text(encoding="utf-8").splitlines()
        )
    }


def test_load_demo_translates_the_case_studies_into_their_city_language_once(command_db):
    first = manage("load_demo", db=command_db)
    assert first.returncode == 0, explain(first)
    assert "Translated 4 case studies into their city's language (segments " in first.stdout
    assert "No text for" not in first.stdout
    after_first = inspect(command_db)

    # Montreal in French, Rotterdam in Dutch, Turin in Italian, Warsaw in Polish;
    # Dublin and San Francisco write in English.
    translations = after_first["translations"]
    assert {code: [t["case_study"] for t in items] for code, items in translations.items()} == {
        "fr": ["demo-montreal-sse-concertation-panel"],
        "nl": ["demo-rotterdam-rikx"],
        "it": ["demo-turin-casabottega"],
        "pl": ["demo-warsaw-social-procurement-childcare"],
    }
    expected = demo_translations()
    for code, (made,) in translations.items():
        # Every segment has the city's own (manual) translation; the page is a
        # published translation, written in its locale's language.
        assert made["manual"] == made["segments"] > 0, made
        assert (made["alias"], made["live"], made["has_unpublished_changes"]) == (
            False,
            True,
            False,
        ), made
        assert made["language"] == code
        strings = {
            s["source"]: s["translation"] for s in expected[(made["case_study"], code)]["strings"]
        }
        assert made["title"] in strings.values()

    dutch, original = after_first["pages"]["dutch"], after_first["pages"]["original"]
    assert dutch["url"].startswith("/nl/cities/rotterdam/")
    assert dutch["status"] == 200
    assert '<html lang="nl">' in dutch["html"]
    assert '<h1 lang="nl">Rikx: een marktplaats voor maatschappelijke impact</h1>' in dutch["html"]
    assert "Sociaal ondernemers dragen projecten aan" in dutch["html"]
    assert 'class="language-note"' in dutch["html"]  # translated from English, with a link to it
    assert f'href="{original["url"]}" hreflang="en"' in dutch["html"]
    assert original["status"] == 200
    assert '<h1 lang="en">Rikx: a marketplace for social impact</h1>' in original["html"]
    assert "een marktplaats" not in original["html"]
    assert 'class="language-note"' not in original["html"]

    # A practice written in English, not translated, is read in every language.
    dublin_es = after_first["pages"]["dublin_es"]
    assert dublin_es["status"] == 200, dublin_es["url"]
    assert '<h1 lang="en">Dublin City Social Enterprise Committee</h1>' in dublin_es["html"]

    # The site's own pages read in every language.
    assert {code: sorted(slugs) for code, slugs in after_first["site"].items()} == {
        code: sorted(["cities", "home", "practices"])
        for code in ("es", "fr", "it", "nl", "pl", "pt")
    }
    home_es = after_first["pages"]["home_es"]
    assert home_es["status"] == 200
    assert "Una red de aprendizaje entre pares" in home_es["html"]
    assert "The network is modelled on" not in home_es["html"]

    second = manage("load_demo", db=command_db)
    assert second.returncode == 0, explain(second)
    assert "The demo translations are in place." in second.stdout
    after_second = inspect(command_db)
    assert after_second["translations"] == translations  # one translation per language, unchanged
    assert after_second["site"] == after_first["site"]
    assert after_second["groups"] == after_first["groups"]
    assert len(after_second["groups"]) == len(set(after_second["groups"]))
