"""The interface's translations: every string the code marks for
translation (templates, Python, emails, the admin's customisations) has a
translation in each of the six catalogues besides English, none of them
fuzzy; and the compiled catalogues are what pages show."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = ROOT / "cms" / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings marked in the code now, extracted as `make messages`
    does (Django's makemessages), into a scratch folder."""
    scratch = tmp_path_factory.mktemp("locale")
    import os

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        with override_settings(LOCALE_PATHS=[scratch]):
            call_command(
                "makemessages", locale=["en"], keep_pot=True, verbosity=0,
                ignore_patterns=[".venv", "tests", "bench", "staticfiles", "media", ".pytest_media"],
            )
    finally:
        os.chdir(here)
    return polib.pofile(str(scratch / "django.pot"))


def _key(entry):
    return (entry.msgctxt or "", entry.msgid)


def test_strings_are_marked_for_translation(extracted):
    ids = {entry.msgid for entry in extracted}
    # A few strings from templates, Python, emails and the admin.
    for marked in ("Find peers", "Working groups", "Language"):
        assert marked in ids, marked
    assert len(extracted) > 300


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_is_translated(extracted, language):
    path = CATALOGUES / language / "LC_MESSAGES" / "django.po"
    assert path.exists(), f"no catalogue for {language}: run `make messages` and translate it"
    catalogue = {_key(entry): entry for entry in polib.pofile(str(path)) if not entry.obsolete}
    problems = []
    for entry in extracted:
        translated = catalogue.get(_key(entry))
        if translated is None:
            problems.append(f"missing: {entry.msgid!r}")
        elif "fuzzy" in translated.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not translated.translated():
            problems.append(f"untranslated: {entry.msgid!r}")
    assert not problems, f"{language}: {len(problems)} strings without a translation:\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_show_the_compiled_translation(client, site_tree, language):
    """The compiled catalogue (make compilemessages) is what a page shows:
    the main navigation's "Find peers" in each language."""
    catalogue = polib.pofile(str(CATALOGUES / language / "LC_MESSAGES" / "django.po"))
    expected = next(entry.msgstr for entry in catalogue if entry.msgid == "Find peers" and not entry.msgctxt)
    assert expected and expected != "Find peers"
    html = client.get(f"/{language}/peers/").content.decode()
    assert f">{expected}</a>" in html
