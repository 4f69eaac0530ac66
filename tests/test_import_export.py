"""import_practices / export_practices: the JSON Lines format of docs/import-format.md."""

import io
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag
from wagtail.models import Page, PageViewRestriction, Revision

from cities.models import CityPage
from practices.factories import (
    CaseStudyOutcomeFactory,
    CaseStudyPageFactory,
    CaseStudyPartnerFactory,
    ChallengeFactory,
    CityPageFactory,
    PolicyLeverFactory,
    SectorFactory,
    TargetGroupFactory,
)
from practices.importing import Importer
from practices.models import (
    TAXONOMIES,
    CaseStudyOutcome,
    CaseStudyPage,
    CaseStudyPartner,
    CaseStudySource,
    Challenge,
)
from practices.records import BODY_SECTION_NAMES as BODY_SECTIONS
from practices.richtext import html_to_text, text_to_html
from tests.commands import explain, manage

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


@pytest.fixture
def terms(site_tree):
    return {
        "challenge": ChallengeFactory(name="Youth unemployment", slug="youth-unemployment"),
        "challenge2": ChallengeFactory(name="Urban regeneration", slug="urban-regeneration"),
        "lever": PolicyLeverFactory(name="Financial tools", slug="financial-tools"),
        "sector": SectorFactory(
            name="Culture and creative industries", slug="culture-and-creative-industries"
        ),
        "target": TargetGroupFactory(name="Youth", slug="youth"),
    }


def record(**overrides):
    data = {
        "external_id": "turin-casabottega",
        "title": "CasaBottega",
        "city": "Turin",
        "country": "IT",
        "summary": "Empty shops become workshops for young artists.",
        "challenges": ["Youth unemployment", "urban-regeneration"],
        "policy_levers": ["financial-tools"],
        "sectors": ["Culture and creative industries"],
        "target_groups": ["youth"],
        "tags": ["artists", "empty shops"],
        "start_year": 2018,
        "end_year": 2024,
        "status": "scaled",
        "scale": "neighbourhood",
        "budget": 250000.5,
        "currency": "eur",
        "funding_sources": "municipal budget; foundations",
        "partners": [
            {"name": "Local entities", "type": "network", "role": "Run the partnership"},
            {"name": "Artists' association", "type": "association"},
        ],
        "outcomes": [{"metric": "Grant per artist", "value": 5000, "unit": "EUR", "year": 2020}],
        "body": [
            {"section": "context", "text": "Shops had closed.\n\nShutters stayed down."},
            {"section": "actions", "text": "Grants <of> 5,000 euros & a workshop."},
            {"section": "text", "text": "A paragraph outside the sections.\nWith a line break."},
        ],
        "sources": [
            "https://example.org/casabottega",
            {"url": "https://example.org/report", "title": "Report"},
        ],
        "language": "it",
        "contact": {"name": "Ada", "role": "Coordinator", "email": "ada@example.org"},
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def write(tmp_path, *lines, name="practices.jsonl"):
    """Write lines (dicts become JSON, str/bytes are written as they are)."""
    chunks = []
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line, ensure_ascii=False)
        chunks.append(line if isinstance(line, bytes) else line.encode("utf-8"))
    path = tmp_path / name
    path.write_bytes(b"\n".join(chunks) + b"\n")
    return path


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_practices", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_export(*args):
    out = io.StringIO()
    call_command("export_practices", *args, stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines() if line]


def db_state():
    state = {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "cities": CityPage.objects.count(),
        "tags": Tag.objects.count(),
        "groups": Group.objects.count(),
        "partners": CaseStudyPartner.objects.count(),
        "outcomes": CaseStudyOutcome.objects.count(),
        "sources": CaseStudySource.objects.count(),
    }
    state.update({key: model.objects.count() for key, model in TAXONOMIES.items()})
    return state


def snapshot():
    """Every imported/exported field of every case study, independent of ids."""
    result = {}
    for page in CaseStudyPage.objects.select_related("city").order_by("title"):
        result[page.title] = {
            "city": (page.city.title, page.city.country.code),
            "summary": page.summary,
            **{
                key: sorted((t.slug, t.name) for t in getattr(page, key).all())
                for key in TAXONOMIES
            },
            "tags": sorted(t.name for t in page.tags.all()),
            "years": (page.start_year, page.end_year),
            "status": page.status,
            "scale": page.scale,
            "budget": (page.budget, page.currency, page.funding_sources),
            "language": page.language,
            "contact": (page.contact_name, page.contact_role, page.contact_email),
            "live": page.live,
            "partners": [
                (p.name, p.organisation_type, p.role) for p in page.partners.order_by("sort_order")
            ],
            "outcomes": [
                (o.metric, o.value, o.unit, o.year) for o in page.outcomes.order_by("sort_order")
            ],
            "sources": [(s.url, s.title) for s in page.sources.order_by("sort_order")],
            # Quotes, images and documents are not part of the format.
            "body": [
                (b.block_type, html_to_text(b.value))
                for b in page.body
                if b.block_type in BODY_SECTIONS
            ],
        }
    return result


# --- A valid file ---


def test_valid_file_imports_drafts_by_default(site_tree, terms, tmp_path):
    path = write(
        tmp_path,
        record(),
        record(external_id="dublin-2", title="Second", city="Dublin", country="IE"),
    )
    out, err = run_import(path)

    assert "2 created, 0 updated" in out and err == ""
    page = CaseStudyPage.objects.canonical().get(external_id="turin-casabottega")
    assert page.get_parent().pk == site_tree["turin"].pk
    assert page.city_id == site_tree["turin"].pk
    assert not page.live and page.has_unpublished_changes
    assert page.revisions.count() == 1
    assert page.slug == "casabottega"
    assert page.summary == "Empty shops become workshops for young artists."
    assert [c.slug for c in page.challenges.all()] == ["urban-regeneration", "youth-unemployment"]
    assert [t.name for t in page.target_groups.all()] == ["Youth"]
    assert sorted(t.name for t in page.tags.all()) == ["artists", "empty shops"]
    assert (page.start_year, page.end_year, page.status, page.scale) == (
        2018,
        2024,
        "scaled",
        "neighbourhood",
    )
    assert str(page.budget) == "250000.50" and page.currency == "EUR"
    assert (page.contact_name, page.contact_email, page.language) == (
        "Ada",
        "ada@example.org",
        "it",
    )
    assert [(p.name, p.organisation_type, p.role) for p in page.partners.all()] == [
        ("Local entities", "network", "Run the partnership"),
        ("Artists' association", "association", ""),
    ]
    assert [(o.metric, o.value, o.unit, o.year) for o in page.outcomes.all()] == [
        ("Grant per artist", 5000, "EUR", 2020)
    ]
    assert [(s.url, s.title) for s in page.sources.all()] == [
        ("https://example.org/casabottega", ""),
        ("https://example.org/report", "Report"),
    ]
    assert [b.block_type for b in page.body] == ["context", "actions", "text"]
    assert page.body[0].value.source == "<p>Shops had closed.</p><p>Shutters stayed down.</p>"
    assert page.body[1].value.source == "<p>Grants &lt;of&gt; 5,000 euros &amp; a workshop.</p>"
    assert (
        page.body[2].value.source
        == "<p>A paragraph outside the sections.<br/>With a line break.</p>"
    )


def test_publish_flag_makes_pages_live(site_tree, terms, tmp_path):
    out, _ = run_import(write(tmp_path, record()), "--publish")
    page = CaseStudyPage.objects.canonical().get(external_id="turin-casabottega")
    assert "published" in out
    assert page.live and not page.has_unpublished_changes
    assert page.live_revision_id == page.latest_revision_id
    assert CaseStudyPage.objects.listable().filter(pk=page.pk).exists()


def test_body_as_a_string_becomes_text_blocks(site_tree, terms, tmp_path):
    run_import(write(tmp_path, record(body="First paragraph.\n\nSecond one.")))
    page = CaseStudyPage.objects.canonical().get()
    assert [(b.block_type, b.value.source) for b in page.body] == [
        ("text", "<p>First paragraph.</p>"),
        ("text", "<p>Second one.</p>"),
    ]


def test_missing_city_is_created_with_its_editors_group(site_tree, terms, tmp_path):
    run_import(write(tmp_path, record(city="Bilbao", country="es")), "--publish")
    city = CityPage.objects.canonical().get(title="Bilbao")
    assert city.country.code == "ES"
    assert city.get_parent().pk == site_tree["cities"].pk
    assert city.live
    assert Group.objects.filter(name="Bilbao editors").exists()
    assert CaseStudyPage.objects.canonical().get().city_id == city.pk


def test_create_missing_creates_unknown_terms(site_tree, tmp_path):
    path = write(
        tmp_path,
        record(),
        record(external_id="two", title="Two", challenges=["Youth Unemployment"]),
    )
    out, _ = run_import(path, "--create-missing")
    assert "New terms: 5" in out
    assert Challenge.objects.get(slug="youth-unemployment").name == "Youth unemployment"
    assert Challenge.objects.count() == 2  # the same term twice, in two spellings, is created once


def test_slugs_stay_unique_under_a_city(site_tree, terms, tmp_path):
    CaseStudyPageFactory(parent=site_tree["turin"], title="CasaBottega", slug="casabottega")
    run_import(write(tmp_path, record(), record(external_id="again")))
    slugs = sorted(p.slug for p in CaseStudyPage.objects.child_of(site_tree["turin"]))
    assert slugs == ["casabottega", "casabottega-2", "casabottega-3"]


def test_validation_queries_do_not_grow_with_the_file(site_tree, terms):
    def lines(n):
        return "\n".join(
            json.dumps(
                record(
                    external_id=f"id-{i}",
                    city="Dublin" if i % 2 else "Turin",
                    country="IE" if i % 2 else "IT",
                )
            )
            for i in range(n)
        ).encode()

    def queries(n):
        with CaptureQueriesContext(connection) as context:
            assert len(Importer().validate(lines(n))) == n
        return len(context.captured_queries)

    assert queries(1) == queries(40) <= 8


# --- Bad input: every problem reported with line and field, nothing changes ---

BAD_LINES = [
    ("invalid JSON", '{"title": "x",', "line 2: line: invalid JSON"),
    ("not an object", "[1, 2]", "line 2: line: expected a JSON object, got a list"),
    ("missing title", json.dumps(record(external_id="b", title=None)), "line 2: title: required"),
    (
        "missing summary",
        json.dumps(record(external_id="b", summary="  ")),
        "line 2: summary: required",
    ),
    ("missing city", json.dumps(record(external_id="b", city=None)), "line 2: city: required"),
    (
        "unknown country",
        json.dumps(record(external_id="b", country="XX")),
        "line 2: country: unknown ISO 3166-1",
    ),
    (
        "city in another country",
        json.dumps(record(external_id="b", country="FR")),
        "line 2: country: Turin is a city in IT, not FR",
    ),
    (
        "unknown term",
        json.dumps(record(external_id="b", sectors=["Space tourism"])),
        "line 2: sectors: unknown term 'Space tourism' (use --create-missing to create it)",
    ),
    (
        "summary too long",
        json.dumps(record(external_id="b", summary="x" * 612)),
        "line 2: summary: at most 500 characters (got 612)",
    ),
    (
        "bad status",
        json.dumps(record(external_id="b", status="dormant")),
        "line 2: status: 'dormant' is not one of",
    ),
    (
        "bad scale",
        json.dumps(record(external_id="b", scale="planet")),
        "line 2: scale: 'planet' is not one of",
    ),
    (
        "bad URL",
        json.dumps(record(external_id="b", sources=["not a url"])),
        "line 2: sources[0].url: not a valid URL",
    ),
    (
        "bad email",
        json.dumps(record(external_id="b", contact={"email": "ada@"})),
        "line 2: contact.email: not a valid email address",
    ),
    (
        "bad year",
        json.dumps(record(external_id="b", start_year=1850)),
        "line 2: start_year: not a plausible year",
    ),
    (
        "year not a number",
        json.dumps(record(external_id="b", end_year="2020")),
        "line 2: end_year: expected a year",
    ),
    (
        "end before start",
        json.dumps(record(external_id="b", end_year=2010)),
        "line 2: end_year: 2010 is before",
    ),
    (
        "duplicate external_id",
        json.dumps(record()),
        "line 2: external_id: 'turin-casabottega' already used on line 1",
    ),
    ("non-UTF-8", b'{"title": "Caf\xe9"}', "line 2: line: not valid UTF-8"),
    (
        "unknown key",
        json.dumps(record(external_id="b", colour="red")),
        "line 2: colour: unknown field",
    ),
    (
        "budget without currency",
        json.dumps(record(external_id="b", currency=None)),
        "line 2: currency: required with a budget",
    ),
    (
        "bad partner type",
        json.dumps(record(external_id="b", partners=[{"name": "X", "type": "guild"}])),
        "line 2: partners[0].type: 'guild' is not one of",
    ),
    (
        "bad body section",
        json.dumps(record(external_id="b", body=[{"section": "intro", "text": "x"}])),
        "line 2: body[0].section: 'intro' is not one of",
    ),
    (
        "bad outcome value",
        json.dumps(record(external_id="b", outcomes=[{"metric": "m", "value": "lots"}])),
        "line 2: outcomes[0].value: not a number",
    ),
    ("bad language", json.dumps(record(external_id="b", language="klingon")), "line 2: language:"),
    (
        "NUL character",
        json.dumps(record(external_id="b", title="a\u0000b")),
        "line 2: title: contains a NUL character",
    ),
    (
        "tags not a list",
        json.dumps(record(external_id="b", tags="a, b")),
        "line 2: tags: expected a list",
    ),
    # Lines that a loose reading of JSON would crash on or take wrongly.
    (
        "100k-deep list",
        '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "line 2: line: nested too deeply (more than 10 levels)",
    ),
    (
        "100k-deep object",
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        "line 2: line: nested too deeply (more than 10 levels)",
    ),
    (
        "nesting in a field",
        json.dumps(record(external_id="b", tags=[[[[[[[[[[["x"]]]]]]]]]]])),
        "line 2: tags: nested too deeply (more than 10 levels)",
    ),
    (
        "lone surrogate escaped",
        json.dumps(record(external_id="b", title="x")).replace('"x"', '"a\\ud800b"'),
        "line 2: title: not valid Unicode: lone surrogate \\ud800",
    ),
    (
        "lone surrogate in a list",
        json.dumps(record(external_id="b", tags=["x"])).replace('"x"', '"\\udfff"'),
        "line 2: tags[0]: not valid Unicode: lone surrogate \\udfff",
    ),
    (
        "lone surrogate in a key",
        json.dumps(record(external_id="b", x=1)).replace('"x"', '"\\udc00"'),
        "line 2: \\udc00: key not valid Unicode: lone surrogate \\udc00",
    ),
    (
        "surrogate as raw bytes",
        b'{"title": "\xed\xa0\x80"}',
        "line 2: line: not valid UTF-8 (byte 12)",
    ),
    (
        "Latin-1 line",
        '{"title": "Café"}'.encode("latin-1"),
        "line 2: line: not valid UTF-8 (byte 15)",
    ),
    (
        "duplicate key",
        json.dumps(record(external_id="b"))[:-1] + ', "title": "Other"}',
        "line 2: title: duplicate key (given more than once)",
    ),
    (
        "duplicate key in a partner",
        json.dumps(record(external_id="b", partners=[{"name": "X", "type": "network"}])).replace(
            '"type"', '"name": "Y", "type"'
        ),
        "line 2: partners[0].name: duplicate key (given more than once)",
    ),
    (
        "integer too long",
        json.dumps(record(external_id="b"))[:-1] + ', "end_year": ' + "9" * 5000 + "}",
        "line 2: end_year: number too long to read (5000 digits)",
    ),
    (
        "huge exponent",
        json.dumps(record(external_id="b", budget=1)).replace(": 1,", ": 1e999,"),
        "line 2: budget: number out of range: 1e999",
    ),
    (
        "NaN",
        json.dumps(record(external_id="b", budget=1)).replace(": 1,", ": NaN,"),
        "line 2: line: invalid JSON: NaN is not valid JSON",
    ),
    ("a number line", "42", "line 2: line: expected a JSON object, got a number"),
    ("a string line", '"CasaBottega"', "line 2: line: expected a JSON object, got a string"),
    ("a null line", "null", "line 2: line: expected a JSON object, got null"),
    (
        "title a number",
        json.dumps(record(external_id="b", title=12)),
        "line 2: title: expected a string, got a number",
    ),
    (
        "budget true",
        json.dumps(record(external_id="b", budget=True)),
        "line 2: budget: expected a number, got true/false",
    ),
    (
        "negative budget",
        json.dumps(record(external_id="b", budget=-5)),
        "line 2: budget: cannot be negative",
    ),
    (
        "budget too large",
        json.dumps(record(external_id="b", budget=10**13)),
        "line 2: budget: at most 12 digits before the decimal point",
    ),
    (
        "bad currency code",
        json.dumps(record(external_id="b", currency="EU1")),
        "line 2: currency: expected a three-letter ISO 4217 code such as EUR, got 'EU1'",
    ),
    (
        "currency too long",
        json.dumps(record(external_id="b", currency="EURO")),
        "line 2: currency: at most 3 characters (got 4)",
    ),
    (
        "partners not a list",
        json.dumps(record(external_id="b", partners={"name": "X"})),
        "line 2: partners: expected a list, got an object",
    ),
    (
        "partner not an object",
        json.dumps(record(external_id="b", partners=["X"])),
        "line 2: partners[0]: expected an object, got a string",
    ),
    (
        "partner without a type",
        json.dumps(record(external_id="b", partners=[{"name": "X"}])),
        "line 2: partners[0].type: required",
    ),
    (
        "unknown partner key",
        json.dumps(record(external_id="b", partners=[{"name": "X", "type": "network", "c": 1}])),
        "line 2: partners[0].c: unknown field (expected name, type, role)",
    ),
    (
        "body a number",
        json.dumps(record(external_id="b", body=5)),
        "line 2: body: expected a list, got a number",
    ),
    (
        "contact not an object",
        json.dumps(record(external_id="b", contact="Ada")),
        "line 2: contact: expected an object, got a string",
    ),
    (
        "status not a string",
        json.dumps(record(external_id="b", status=["scaled"])),
        "line 2: status: expected a string, got a list",
    ),
]


@pytest.mark.parametrize(
    ("bad_line", "expected"), [c[1:] for c in BAD_LINES], ids=[c[0] for c in BAD_LINES]
)
def test_bad_input_is_reported_and_changes_nothing(site_tree, terms, tmp_path, bad_line, expected):
    # The first line is valid and would create a city: it must not be imported either.
    path = write(tmp_path, record(city="Bilbao", country="ES"), bad_line)
    before = db_state()
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_practices", str(path), "--publish", stdout=out, stderr=err)
    assert expected in err.getvalue()
    assert not any(problem.startswith("line 1:") for problem in err.getvalue().splitlines())
    assert db_state() == before
    assert out.getvalue() == ""


def test_every_problem_of_a_file_is_reported(site_tree, terms, tmp_path):
    path = write(
        tmp_path,
        record(summary="y" * 501),
        "not json",
        record(title="", status="unknown", sources=[{"url": "ftp:/x"}]),
        b"\xff\xfe",
        record(contact={"email": "nope"}),
    )
    before = db_state()
    err = io.StringIO()
    with pytest.raises(CommandError, match="9 problem"):
        call_command("import_practices", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "line 1: summary: at most 500 characters (got 501)",
        "line 2: line: invalid JSON: Expecting value (column 1)",
        "line 3: external_id: 'turin-casabottega' already used on line 1",
        "line 3: title: required",
        "line 3: status: 'unknown' is not one of pilot, running, scaled, ended",
        "line 3: sources[0].url: not a valid URL: 'ftp:/x'",
        "line 4: line: not valid UTF-8 (byte 1)",
        "line 5: external_id: 'turin-casabottega' already used on line 1",
        "line 5: contact.email: not a valid email address: 'nope'",
    ]
    assert db_state() == before


def test_a_failure_while_writing_rolls_everything_back(site_tree, terms, tmp_path, monkeypatch):
    create = Importer._create

    def fail_on_line_2(self, record):
        if record.line == 2:
            raise ValidationError({"summary": ["rejected by the model"]})
        return create(self, record)

    monkeypatch.setattr(Importer, "_create", fail_on_line_2)
    path = write(tmp_path, record(city="Bilbao", country="ES"), record(external_id="two"))
    before = db_state()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_practices", str(path), "--publish", "--create-missing", stderr=err)
    assert err.getvalue() == "line 2: summary: rejected by the model\n"
    assert db_state() == before


def test_unreadable_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_practices", str(tmp_path / "missing.jsonl"))


# --- Re-import ---


def test_reimport_updates_the_page_in_place(site_tree, terms, tmp_path):
    run_import(write(tmp_path, record()), "--publish")
    page = CaseStudyPage.objects.canonical().get()
    changed = record(
        title="CasaBottega 2",
        summary="New summary.",
        challenges=["youth-unemployment"],
        target_groups=[],
        tags=["regeneration"],
        status="ended",
        budget=None,
        currency=None,
        partners=[{"name": "City of Turin", "type": "public_body"}],
        outcomes=None,
        sources=[],
        body=[{"section": "results", "text": "Chosen to scale."}],
    )
    out, _ = run_import(write(tmp_path, changed, name="changed.jsonl"), "--publish")

    assert "0 created, 1 updated" in out
    assert CaseStudyPage.objects.canonical().count() == 1
    page = CaseStudyPage.objects.canonical().get()
    assert page.pk == CaseStudyPage.objects.canonical().get(external_id="turin-casabottega").pk
    assert (page.title, page.summary, page.status, page.budget) == (
        "CasaBottega 2",
        "New summary.",
        "ended",
        None,
    )
    assert page.slug == "casabottega"  # the URL does not change
    assert [c.slug for c in page.challenges.all()] == ["youth-unemployment"]
    assert not page.target_groups.exists()
    assert [t.name for t in page.tags.all()] == ["regeneration"]
    assert [(p.name, p.organisation_type) for p in page.partners.all()] == [
        ("City of Turin", "public_body")
    ]
    assert not page.outcomes.exists() and not page.sources.exists()
    assert [b.block_type for b in page.body] == ["results"]
    assert page.revisions.count() == 2 and page.live


def test_reimport_without_publish_keeps_the_live_version(site_tree, terms, tmp_path):
    run_import(write(tmp_path, record()), "--publish")
    run_import(write(tmp_path, record(title="Draft title", summary="Draft."), name="draft.jsonl"))
    page = CaseStudyPage.objects.canonical().get()
    assert page.live and page.title == "CasaBottega" and page.has_unpublished_changes
    draft = page.get_latest_revision_as_object()
    assert (draft.title, draft.summary) == ("Draft title", "Draft.")
    assert page.revisions.count() == 2


def test_reimport_can_move_a_case_study_to_another_city(site_tree, terms, tmp_path):
    run_import(write(tmp_path, record()), "--publish")
    run_import(
        write(tmp_path, record(city="Dublin", country="IE"), name="moved.jsonl"), "--publish"
    )
    page = CaseStudyPage.objects.canonical().get()
    assert page.get_parent().pk == site_tree["dublin"].pk and page.city_id == site_tree["dublin"].pk


# --- Export ---


def make_case_studies(site_tree):
    """A mix of admin-made and imported case studies, with every kind of field."""
    challenge = ChallengeFactory(name="Social procurement", slug="social-procurement")
    sector = SectorFactory(name="Care and social services", slug="care-and-social-services")
    made = CaseStudyPageFactory(
        parent=site_tree["dublin"],
        title="Made in the admin",
        challenges=[challenge],
        sectors=[sector],
        body=[
            (
                "context",
                "<p>Some <b>bold</b> context, with a <a href='https://example.org'>link</a>.</p><ul><li>one</li><li>two</li></ul>",
            ),
            ("quote", {"quote": "Not exported", "attribution": "Someone"}),
        ],
        budget="1234.56",
        currency="EUR",
    )
    CaseStudyPartnerFactory(page=made, name="Council", organisation_type="public_body")
    CaseStudyOutcomeFactory(
        page=made, metric="Children cared for", value="12.50", unit="%", year=2022
    )
    made.tags.add("care")
    made.save()
    made.save_revision().publish()
    return made


def test_export_then_import_into_an_empty_database_reproduces_the_case_studies(
    site_tree, terms, tmp_path
):
    make_case_studies(site_tree)
    run_import(
        write(
            tmp_path,
            record(),
            record(
                external_id="w", title="Warsaw care", city="Warsaw", country="PL", body="Plain."
            ),
        ),
        "--publish",
    )
    before = snapshot()
    made = before["Made in the admin"]
    assert made["partners"] == [("Council", "public_body", "Delivery partner")]
    assert made["outcomes"] == [("Children cared for", Decimal("12.50"), "%", 2022)]
    assert made["body"] == [("context", "Some bold context, with a link.\n\none\n\ntwo")]
    assert made["tags"] == ["care"] and made["budget"] == (Decimal("1234.56"), "EUR", "")
    exported = run_export()
    assert [r["title"] for r in exported] == ["Made in the admin", "CasaBottega", "Warsaw care"]

    # Empty the database of everything the export describes (a city deleted
    # goes in every language).
    for city in CityPage.objects.canonical():
        city.delete()
    for model in TAXONOMIES.values():
        model.objects.all().delete()
    Tag.objects.all().delete()
    assert not CaseStudyPage.objects.exists()

    path = tmp_path / "export.jsonl"
    call_command("export_practices", "-o", str(tmp_path / "empty.jsonl"), stderr=io.StringIO())
    assert (tmp_path / "empty.jsonl").read_text() == ""
    path.write_text("".join(json.dumps(r) + "\n" for r in exported))
    run_import(path, "--publish", "--create-missing")

    assert snapshot() == before
    assert run_export() == exported


def test_exported_admin_pages_reimport_in_place(site_tree, terms, tmp_path):
    made = make_case_studies(site_tree)
    exported = run_export()
    assert exported[0]["external_id"] == f"sce-{made.translation_key}"
    path = tmp_path / "export.jsonl"
    call_command("export_practices", "-o", str(path), stderr=io.StringIO())
    assert [json.loads(line) for line in path.read_text().splitlines()] == exported

    out, _ = run_import(path, "--publish")
    assert "0 created, 1 updated" in out
    made.refresh_from_db()
    assert made.external_id == f"sce-{made.translation_key}"
    assert CaseStudyPage.objects.canonical().count() == 1


def test_export_leaves_out_drafts_and_private_pages(site_tree):
    public = CaseStudyPageFactory(parent=site_tree["dublin"], title="Public")
    CaseStudyPageFactory(parent=site_tree["dublin"], title="Draft", live=False)
    private = CaseStudyPageFactory(parent=site_tree["dublin"], title="Private")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    hidden_city = CityPageFactory(parent=site_tree["cities"], title="Hidden", country="FR")
    CaseStudyPageFactory(parent=hidden_city, title="Under a private city")
    PageViewRestriction.objects.create(page=hidden_city, restriction_type="password", password="x")

    assert [r["title"] for r in run_export()] == [public.title]


def test_example_file_imports_cleanly(site_tree, tmp_path):
    out, err = run_import(DOCS / "example-practices.jsonl", "--create-missing")
    assert "2 created" in out and err == ""
    out, _ = run_import(DOCS / "example-practices.jsonl", "--create-missing")
    assert "0 created, 2 updated" in out


def test_rich_text_round_trip():
    text = "First & <second>.\nSame paragraph.\n\nNext paragraph."
    assert html_to_text(text_to_html(text)) == text
    assert (
        html_to_text("<h3>Title</h3><p>a  <i>b</i>\n c</p><ol><li>x</li><li>y</li></ol>")
        == "Title\n\na b c\n\nx\n\ny"
    )


# --- Choices: the value or the label, in any spelling ---


@pytest.mark.parametrize(
    "spelling", ["public_body", "Public body", "public body", "PUBLIC BODY", " Public  Body "]
)
def test_a_partner_type_is_read_by_value_or_label_and_exported_as_the_value(
    site_tree, terms, tmp_path, spelling
):
    line = record(partners=[{"name": "City of Turin", "type": spelling}])
    out, err = run_import(write(tmp_path, line), "--publish")
    assert "1 created" in out and err == ""
    page = CaseStudyPage.objects.canonical().get()
    assert [p.organisation_type for p in page.partners.all()] == ["public_body"]
    assert run_export()[0]["partners"] == [{"name": "City of Turin", "type": "public_body"}]


def test_every_choice_of_the_format_takes_its_label(site_tree, terms, tmp_path):
    line = record(
        status="Scaled",
        scale="NEIGHBOURHOOD",
        language="Italian",
        partners=[{"name": "Coop", "type": "Worker cooperative"}],
        body=[
            {"section": "What was done", "text": "Grants."},
            {"section": "lessons learned", "text": "Ask early."},
            {"section": "TEXT", "text": "More."},
        ],
    )
    out, err = run_import(write(tmp_path, line), "--publish")
    assert "1 created" in out and err == ""
    exported = run_export()[0]
    assert (exported["status"], exported["scale"], exported["language"]) == (
        "scaled",
        "neighbourhood",
        "it",
    )
    assert exported["partners"][0]["type"] == "worker_cooperative"
    assert [b["section"] for b in exported["body"]] == ["actions", "lessons", "text"]


# --- The rules between facts are the admin's ---


@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"start_year": 2020, "end_year": 2019}, "end_year"),
        ({"budget": 100, "currency": ""}, "currency"),
        ({"budget": 100, "currency": "E1R"}, "currency"),
    ],
)
def test_import_and_admin_reject_inconsistent_facts_with_the_same_reason(
    site_tree, terms, tmp_path, facts, field
):
    page = CaseStudyPageFactory(parent=site_tree["dublin"])
    for name, value in facts.items():
        setattr(page, name, value)
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    (admin_reason,) = error.value.message_dict[field]

    line = record(**{name: value or None for name, value in facts.items()})
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_practices", str(write(tmp_path, line)), stderr=err)
    assert err.getvalue() == f"line 1: {field}: {admin_reason}\n"


# --- The commands as a user runs them ---


def table_counts(database):
    with sqlite3.connect(database) as db:
        tables = [
            name
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_") and name != "django_session"
        ]
        return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables}


def test_import_and_export_commands_in_their_own_process(command_db, tmp_path):
    database = command_db.removeprefix("sqlite:///")
    demo = manage("load_demo", db=command_db)
    assert demo.returncode == 0, explain(demo)

    exported = tmp_path / "before.jsonl"
    run = manage("export_practices", "-o", str(exported), db=command_db)
    assert (
        run.returncode == 0 and run.stderr == f"Exported 6 case studies to {exported}.\n"
    )
    before = table_counts(database)

    new = {
        "external_id": "cli-1",
        "title": "Tool library",
        "city": "Dublin",
        "country": "ie",
        "summary": "Neighbours lend each other tools.",
        "status": "Pilot",
        "partners": [{"name": "City council", "type": "Public body"}],
    }
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(
        json.dumps(new).encode()
        + b"\n"
        + b'{"title": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}\n"
        + json.dumps({**new, "external_id": "cli-2"}).replace("Pilot", "\\ud800").encode()
        + b"\n"
        + json.dumps({**new, "external_id": "cli-3"})[:-1].encode()
        + b', "title": "Again"}\n'
        + json.dumps({**new, "external_id": "cli-4", "budget": 1})
        .replace(": 1}", ": 1" + "0" * 5000 + "}")
        .encode()
        + b"\n[1]\n"
        + b'{"title": "Caf\xe9"}\n'
    )
    run = manage("import_practices", str(bad), "--publish", db=command_db)
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        "line 2: line: nested too deeply (more than 10 levels)",
        "line 3: status: not valid Unicode: lone surrogate \\ud800",
        "line 4: title: duplicate key (given more than once)",
        "line 5: budget: number too long to read (5001 digits)",
        "line 6: line: expected a JSON object, got a list",
        "line 7: line: not valid UTF-8 (byte 15)",
        f"CommandError: {bad}: 6 problem(s); nothing was imported",
    ]
    assert table_counts(database) == before

    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(new) + "\n")
    run = manage("import_practices", "-", "--publish", db=command_db, input=good.read_text())
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Case studies: 1 created, 0 updated (published).")

    after = tmp_path / "after.jsonl"
    assert manage("export_practices", "-o", str(after), db=command_db).returncode == 0
    lines = [json.loads(line) for line in after.read_text().splitlines()]
    assert lines[:-1] == [json.loads(line) for line in exported.read_text().splitlines()]
    assert lines[-1] == {
        **new,
        "country": "IE",
        "status": "pilot",
        "scale": "city",
        "language": "en",
        "partners": [{"name": "City council", "type": "public_body"}],
    }
