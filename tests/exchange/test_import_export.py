"""Transfers and relations in the case study import/export format
(docs/import-format.md): exported as the public sees them, imported as
accepted, every problem reported with its line and field and nothing
written, a line without the key leaving the page's transfers alone."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from wagtail.models import PageViewRestriction

from exchange import relations, transfers
from exchange.models import Acceptance, Relation, Transfer
from practices.importing import Importer, ImportFailed
from practices.models import CaseStudyPage
from tests.commands import explain, manage

pytestmark = pytest.mark.django_db


def export():
    out = io.StringIO()
    call_command("export_practices", stdout=out, stderr=io.StringIO())
    return {line["title"]: line for line in map(json.loads, out.getvalue().splitlines())}


def line(**values):
    base = {"external_id": "tur-1", "title": "CasaBottega", "city": "Turin", "country": "IT",
            "summary": "Empty shops become workshops."}
    return json.dumps({**base, **values})


def state():
    return (
        sorted(Transfer.objects.values_list("source__title", "adopting_city__title", "stage", "acceptance", "note")),
        sorted(Relation.objects.values_list("from_page__title", "kind", "to_page__title", "acceptance")),
    )


@pytest.fixture
def exchanged(net):
    users, pages = net["users"], net["pages"]
    moderator = users["moderator"]
    accepted = transfers.propose(moderator, Transfer(
        source=pages["casabottega"], adopting_city=net["dublin"], stage="piloting", started=dt.date(2025, 3, 1),
        changes="Offices, not shops.", own_case_study=pages["dublin_own"]))
    transfers.propose(users["bilbao"], Transfer(source=pages["casabottega"], adopting_city=net["bilbao"]))  # pending
    relations.propose(moderator, Relation(from_page=pages["dublin_own"], to_page=pages["casabottega"],
                                          kind="adapted_from"))
    relations.propose(moderator, Relation(from_page=pages["dublin_own"], to_page=pages["turin_other"],
                                          kind="complements"))
    return accepted


def test_the_export_has_the_accepted_public_transfers_and_relations(net, exchanged):
    lines = export()
    casabottega, dublin = net["pages"]["casabottega"], net["pages"]["dublin_own"]
    assert lines["CasaBottega"]["transfers"] == [{
        "city": "Dublin", "country": "IE", "stage": "piloting", "started": "2025-03-01",
        "changes": "Offices, not shops.", "own_case_study": f"sce-{dublin.translation_key}",
    }]
    assert lines["Dublin workshops"]["relations"] == [
        {"type": "adapted_from", "case_study": f"sce-{casabottega.translation_key}"},
        {"type": "complements", "case_study": f"sce-{net['pages']['turin_other'].translation_key}"},
    ]
    assert "transfers" not in lines["Turin housing"]
    # Made private: the relation to it, and Dublin's own case study, are no longer exported.
    PageViewRestriction.objects.create(page=net["pages"]["turin_other"], restriction_type="login")
    dublin.unpublish()
    lines = export()
    assert "own_case_study" not in lines["CasaBottega"]["transfers"][0]
    assert "Dublin workshops" not in lines


def test_export_then_import_reproduces_them(net, exchanged, tmp_path):
    lines = export()
    before = state()
    Transfer.objects.filter(acceptance=Acceptance.ACCEPTED).delete()
    Relation.objects.all().delete()
    result = Importer(publish=True).load("\n".join(json.dumps(v) for v in lines.values()).encode())
    assert "0 created" in str(result)
    after = state()
    assert after[0] == before[0] and after[1] == [r for r in before[1] if r[2] == "CasaBottega"] + [
        r for r in before[1] if r[2] != "CasaBottega"]
    assert Transfer.objects.get(adopting_city=net["dublin"]).own_case_study == net["pages"]["dublin_own"]


def test_a_line_without_the_key_leaves_them_alone_an_empty_list_removes_the_accepted(net, exchanged):
    before = state()
    Importer(publish=True).load(line(external_id=f"sce-{net['pages']['casabottega'].translation_key}").encode())
    assert state() == before
    Importer(publish=True).load(
        line(external_id=f"sce-{net['pages']['casabottega'].translation_key}", transfers=[]).encode())
    assert [t[1:4] for t in state()[0]] == [("Bilbao", "exploring", "pending")]  # the pending one stays


def test_an_import_records_them_accepted(net):
    Importer(publish=True).load("\n".join([
        line(transfers=[{"city": "Bilbao", "country": "es", "stage": "Adopted", "note": "Seen in Turin.",
                         "own_case_study": "bil-1"}],
             relations=[{"type": "Inspired by", "case_study": "bil-1"}]),
        line(external_id="bil-1", title="Bilbao workshops", city="Bilbao", country="ES"),
    ]).encode())
    transfer = Transfer.objects.get()
    assert (transfer.adopting_city, transfer.stage, transfer.acceptance, transfer.note) == (
        net["bilbao"], "adopted", Acceptance.ACCEPTED, "Seen in Turin.")
    assert transfer.own_case_study == CaseStudyPage.objects.get(external_id="bil-1")
    assert Relation.objects.get().kind == "inspired_by"


BAD = [
    ({"transfers": [{"city": "Atlantis", "country": "GR"}]},
     "line 1: transfers[0].city: unknown city 'Atlantis' (GR): no city page, and no case study of the file creates it"),
    ({"transfers": [{"city": "Turin", "country": "IT"}]},
     "line 1: transfers[0].city: Turin is the case study's own city: a city does not adapt its own practice"),
    ({"transfers": [{"city": "Dublin", "country": "IE"}, {"city": "dublin", "country": "IE"}]},
     "line 1: transfers[1].city: dublin is listed twice: one transfer per city"),
    ({"transfers": [{"city": "Dublin", "country": "IE", "own_case_study": "nowhere"}]},
     "line 1: transfers[0].own_case_study: unknown case study 'nowhere' (not in the file nor in the database)"),
    ({"transfers": [{"city": "Dublin", "country": "IE", "stage": "finished"}]},
     "line 1: transfers[0].stage: 'finished' is not one of exploring, planning, piloting, adopted, dropped"),
    ({"transfers": [{"city": "Dublin", "country": "IE", "started": "spring"}]},
     "line 1: transfers[0].started: not a date written YYYY-MM-DD: 'spring'"),
    ({"transfers": [{"city": "Dublin", "country": "IE", "colour": "red"}]},
     "line 1: transfers[0].colour: unknown field (expected city, country, stage, started, changes, lessons, note, "
     "own_case_study)"),
    ({"transfers": {"city": "Dublin"}}, "line 1: transfers: expected a list, got an object"),
    ({"relations": [{"type": "inspired_by", "case_study": "tur-1"}]},
     "line 1: relations[0].case_study: a case study cannot be related to itself"),
    ({"relations": [{"type": "sibling_of", "case_study": "x"}]},
     "line 1: relations[0].type: 'sibling_of' is not one of adapted_from, inspired_by, builds_on, complements, "
     "alternative_to"),
    ({"relations": [{"type": "complements", "case_study": "ghost"}]},
     "line 1: relations[0].case_study: unknown case study 'ghost' (not in the file nor in the database)"),
]


@pytest.mark.parametrize("values, problem", BAD)
def test_bad_transfers_and_relations_are_reported_and_nothing_is_written(net, values, problem):
    pages_before = CaseStudyPage.objects.count()
    with pytest.raises(ImportFailed) as failure:
        Importer(publish=True).load(line(**values).encode())
    assert [str(p) for p in failure.value.problems] == [problem]
    assert CaseStudyPage.objects.count() == pages_before and state() == ([], [])


def test_an_own_case_study_of_another_city_is_reported(net):
    bilbao_market = net["pages"]["bilbao_market"]
    with pytest.raises(ImportFailed) as failure:
        Importer().load(line(transfers=[{"city": "Dublin", "country": "IE",
                                         "own_case_study": f"sce-{bilbao_market.translation_key}"}]).encode())
    assert [str(p) for p in failure.value.problems] == [
        f"line 1: transfers[0].own_case_study: 'sce-{bilbao_market.translation_key}' is not a case study of Dublin"]


def test_the_commands_in_their_own_process(command_db, tmp_path):
    source = tmp_path / "exchange.jsonl"
    source.write_text("\n".join([
        line(transfers=[{"city": "Dublin", "country": "IE", "stage": "piloting", "started": "2025-03-01",
                         "lessons": "Start small.", "own_case_study": "dub-1"}]),
        line(external_id="dub-1", title="Dublin workshops", city="Dublin", country="IE",
             relations=[{"type": "adapted_from", "case_study": "tur-1"}]),
    ]) + "\n")
    tree = manage("shell", "-c", "from practices.factories import build_site_tree; build_site_tree()", db=command_db)
    assert tree.returncode == 0, explain(tree)
    run = manage("import_practices", str(source), "--publish", db=command_db)
    assert run.returncode == 0, explain(run)
    exported = tmp_path / "export.jsonl"
    run = manage("export_practices", "-o", str(exported), db=command_db)
    assert run.returncode == 0, explain(run)
    lines = {v["title"]: v for v in map(json.loads, exported.read_text().splitlines())}
    assert lines["CasaBottega"]["transfers"] == [{"city": "Dublin", "country": "IE", "stage": "piloting",
                                                  "started": "2025-03-01", "lessons": "Start small.",
                                                  "own_case_study": "dub-1"}]
    assert lines["Dublin workshops"]["relations"] == [{"type": "adapted_from", "case_study": "tur-1"}]
