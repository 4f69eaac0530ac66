"""The challenges a city works on: edited in the city page editor by that
city's officials (and published through peer review), shown on the public
city page (in its cached fragment), in the `cities` import/export format,
and in the API (`/api/cities/`). Drafts and private cities appear nowhere."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cities.models import CityChallenge, CityPage
from practices.city_importing import CityImporter
from practices.factories import ChallengeFactory, CityPageFactory, publish
from practices.importing import ImportFailed
from practices.models import Challenge

from .admin_helpers import denied, edit_url
from .commands import explain, manage

pytestmark = pytest.mark.django_db

PREFIX = "city_challenges"


@pytest.fixture
def challenges(site_tree):
    return {
        "youth": ChallengeFactory(name="Youth unemployment", slug="youth-unemployment", sort_order=1),
        "markets": ChallengeFactory(name="Local markets", slug="local-markets", sort_order=2),
        "digital": ChallengeFactory(name="Digital divide", slug="digital-divide", sort_order=3),
    }


def give(city, *items):
    """Set the city's challenges, (challenge, note, since) each, and publish it."""
    city = CityPage.objects.get(pk=city.pk)
    city.city_challenges = [CityChallenge(challenge=c, note=note, since=since) for c, note, since in items]
    return publish(city)


@pytest.fixture
def network(site_tree, challenges):
    """Dublin and Turin with challenges, a draft city and a private one (each
    with challenges too)."""
    dublin = give(site_tree["dublin"], (challenges["youth"], "Awards for social enterprises that hire.", 2015),
                  (challenges["markets"], "", None))
    turin = give(site_tree["turin"], (challenges["markets"], "Empty shops become workshops.", 2018))
    draft = CityPageFactory(parent=site_tree["cities"], title="Draftville", slug="draftville", country="FR",
                            live=False)
    draft.city_challenges = [CityChallenge(challenge=challenges["digital"], note="Secret plan.")]
    draft.save()
    private = give(CityPageFactory(parent=site_tree["cities"], title="Hiddenburg", slug="hiddenburg",
                                   country="DE"), (challenges["digital"], "Members only.", 2020))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    return {"dublin": dublin, "turin": turin, "draft": draft, "private": private}


# --- The public city page ---


def test_the_city_page_lists_its_challenges_in_order(client, network):
    html = client.get("/cities/dublin/").content.decode()
    section = html.split('<h2 id="challenges-heading">Challenges Dublin works on</h2>', 1)[1].split("</section>")[0]
    youth = section.index('<a href="/practices/challenges/youth-unemployment/">Youth unemployment</a>')
    markets = section.index('<a href="/practices/challenges/local-markets/">Local markets</a>')
    assert youth < markets
    assert "Since 2015" in section and "Awards for social enterprises that hire." in section
    assert section.count("Since") == 1  # no year given for local markets


def test_a_city_without_challenges_says_so(client, site_tree):
    html = client.get("/cities/turin/").content.decode()
    assert "Turin has not named the challenges it works on yet." in html


def test_notes_are_plain_text(client, site_tree, challenges):
    give(site_tree["dublin"], (challenges["youth"], "<script>alert(1)</script> & <b>bold</b>", None))
    html = client.get("/cities/dublin/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)" not in html


def test_publishing_the_city_retires_its_cached_page(client, network, settings):
    settings.PAGE_FRAGMENT_SECONDS = 60
    for url in ("/cities/dublin/", "/cities/dublin/?from=fragments"):  # whole page and fragment caches
        assert "Awards for social enterprises that hire." in client.get(url).content.decode()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) < 10, url  # served from the caches
    # A draft of the city changes nothing public.
    city = CityPage.objects.get(pk=network["dublin"].pk)
    city.city_challenges = [CityChallenge(challenge=Challenge.objects.get(slug="digital-divide"), note="Laptops.")]
    revision = city.save_revision()
    for url in ("/cities/dublin/", "/cities/dublin/?from=fragments"):
        html = client.get(url).content.decode()
        assert "Awards for social enterprises that hire." in html and "Laptops." not in html, url
    # Its publication shows on the next request, from both caches.
    revision.publish()
    for url in ("/cities/dublin/", "/cities/dublin/?from=fragments"):
        html = client.get(url).content.decode()
        assert "Laptops." in html and "Awards for social enterprises that hire." not in html, url


def test_a_renamed_challenge_retires_the_cached_city_page(client, network, settings):
    settings.PAGE_FRAGMENT_SECONDS = 60
    assert "Local markets" in client.get("/cities/turin/").content.decode()
    markets = Challenge.objects.get(slug="local-markets")
    markets.name = "Neighbourhood markets"
    markets.save()
    assert "Neighbourhood markets" in client.get("/cities/turin/").content.decode()


# --- Editing in the admin ---


def edit_form(client, city):
    from wagtail.test.utils.form_data import querydict_from_html

    response = client.get(edit_url(city))
    assert response.status_code == 200
    return querydict_from_html(response.content.decode(), form_id="page-edit-form")


def with_challenges(data, *items):
    """The edit form's data with the city's challenges replaced by `items`
    ((challenge, note, since) each), as the inline panel sends them."""
    data = data.copy()
    for key in [k for k in data if k.startswith(f"{PREFIX}-")]:
        del data[key]
    data[f"{PREFIX}-TOTAL_FORMS"] = str(len(items))
    data[f"{PREFIX}-INITIAL_FORMS"] = "0"
    data[f"{PREFIX}-MIN_NUM_FORMS"] = "0"
    data[f"{PREFIX}-MAX_NUM_FORMS"] = "1000"
    for i, (challenge, note, since) in enumerate(items):
        data[f"{PREFIX}-{i}-challenge"] = str(challenge.pk)
        data[f"{PREFIX}-{i}-note"] = note
        data[f"{PREFIX}-{i}-since"] = str(since or "")
        data[f"{PREFIX}-{i}-ORDER"] = str(i + 1)
        data[f"{PREFIX}-{i}-id"] = ""
        data[f"{PREFIX}-{i}-DELETE"] = ""
    return data


def test_an_official_submits_the_city_challenges_and_a_moderator_publishes_them(
    client, site_tree, challenges, users
):
    dublin = site_tree["dublin"]
    client.force_login(users["dublin"])
    data = with_challenges(edit_form(client, dublin), (challenges["markets"], "Neighbourhood trade.", 2021),
                           (challenges["youth"], "", None))
    data["action-submit"] = "1"
    response = client.post(edit_url(dublin), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    dublin = CityPage.objects.get(pk=dublin.pk)
    draft = dublin.get_latest_revision_as_object()
    assert [(c.challenge.slug, c.note, c.since) for c in draft.city_challenges.all()] == [
        ("local-markets", "Neighbourhood trade.", 2021), ("youth-unemployment", "", None),
    ]
    # In review: nothing public yet.
    assert not CityChallenge.objects.filter(page=dublin).exists()
    assert "Neighbourhood trade." not in client.get("/cities/dublin/").content.decode()

    client.force_login(users["moderator"])
    data = edit_form(client, dublin)
    data["action-publish"] = "1"
    assert client.post(edit_url(dublin), data).status_code == 302
    assert list(CityChallenge.objects.filter(page=dublin).values_list("challenge__slug", flat=True)) == [
        "local-markets", "youth-unemployment",
    ]
    client.logout()
    assert "Neighbourhood trade." in client.get("/cities/dublin/").content.decode()


def test_another_city_official_cannot_edit_the_city_challenges(client, site_tree, challenges, users):
    turin = site_tree["turin"]
    client.force_login(users["moderator"])
    data = with_challenges(edit_form(client, turin), (challenges["youth"], "Hijacked.", None))
    client.force_login(users["dublin"])
    assert denied(client.get(edit_url(turin)))
    data["action-submit"] = "1"
    assert denied(client.post(edit_url(turin), data))
    turin = CityPage.objects.get(pk=turin.pk)
    assert not CityChallenge.objects.filter(page=turin).exists()
    assert turin.get_latest_revision() is None or not turin.get_latest_revision_as_object().city_challenges.exists()


@pytest.mark.parametrize(
    "items,message",
    [
        (lambda c: [(c["youth"], "", None), (c["youth"], "Twice.", None)], "Please correct the duplicate values below."),
        (lambda c: [(c["youth"], "x" * 301, None)], "at most 300 characters"),
        (lambda c: [(c["youth"], "", 3000)], "3000 is in the future: give a year up to"),
        (lambda c: [(c["youth"], "", 1850)], "greater than or equal to 1900"),
    ],
)
def test_bad_city_challenges_are_refused_in_the_editor(client, site_tree, challenges, users, items, message):
    dublin = site_tree["dublin"]
    client.force_login(users["dublin"])
    revisions = dublin.revisions.count()
    data = with_challenges(edit_form(client, dublin), *items(challenges))
    response = client.post(edit_url(dublin), data)
    assert response.status_code == 200  # the form again, with the message
    assert message in response.content.decode()
    assert dublin.revisions.count() == revisions
    assert not CityChallenge.objects.exists()


# --- The API ---


def test_api_lists_the_public_cities_with_their_challenges(client, network):
    response = client.get("/api/cities/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["count"] == 2
    assert [city["name"] for city in data["results"]] == ["Dublin", "Turin"]
    dublin = data["results"][0]
    assert dublin == {
        "id": network["dublin"].pk, "slug": "dublin", "name": "Dublin", "url": "/cities/dublin/",
        "country": "IE", "country_name": "Ireland", "region": "", "continent": "", "languages": [], "population": None,
        "latitude": None, "longitude": None,
        "challenges": [
            {"slug": "youth-unemployment", "name": "Youth unemployment",
             "note": "Awards for social enterprises that hire.", "since": 2015},
            {"slug": "local-markets", "name": "Local markets", "note": "", "since": None},
        ],
    }
    assert "Draftville" not in response.content.decode() and "Hiddenburg" not in response.content.decode()
    assert "Secret plan" not in response.content.decode() and "Members only" not in response.content.decode()


def test_api_one_city(client, network):
    response = client.get("/api/cities/turin/")
    assert response.status_code == 200
    assert response.json()["challenges"] == [
        {"slug": "local-markets", "name": "Local markets", "note": "Empty shops become workshops.", "since": 2018},
    ]


@pytest.mark.parametrize("slug", ["draftville", "hiddenburg", "atlantis", "a/b", "x" * 300, "co%00op", "%FF",
                                  "%1F%0A%C3%98", "a%0A"])
def test_api_a_draft_or_private_city_is_an_unknown_one(client, network, slug):
    response = client.get(f"/api/cities/{slug}/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"errors": {"slug": "no published city has this slug."}}


def test_api_cities_queries_do_not_grow_with_the_cities(client, network, site_tree, challenges,
                                                         django_assert_num_queries):
    client.get("/api/cities/")  # warm: site root paths

    with django_assert_num_queries(3):  # view restrictions, cities, their challenges
        assert client.get("/api/cities/").json()["count"] == 2
    for i in range(10):
        give(CityPageFactory(parent=site_tree["cities"], title=f"Extra {i}", slug=f"extra-{i}"),
             (challenges["youth"], "", None), (challenges["digital"], "", 2020))
    client.get("/api/cities/")
    with django_assert_num_queries(3):
        assert client.get("/api/cities/").json()["count"] == 12


def test_api_schema_describes_the_cities_endpoints(client, network):
    schema = client.get("/api/schema/").json()
    listing = schema["paths"]["/api/cities/"]["get"]
    detail = schema["paths"]["/api/cities/{slug}/"]["get"]
    assert set(listing["responses"]) == {"200", "429"}
    assert set(detail["responses"]) == {"200", "404", "429"}
    city = schema["components"]["schemas"]["CityDetail"]
    assert set(city["required"]) == {"id", "slug", "name", "url", "country", "country_name", "region",
                                     "continent", "languages", "population", "latitude", "longitude", "challenges"}
    challenge = schema["components"]["schemas"]["CityChallenge"]
    assert challenge["properties"]["since"] == {
        "type": "integer", "nullable": True, "description": "The year the city started on it, when known.",
    }


# --- The cities import/export format ---


def lines(*records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


DUBLIN = {
    "name": "Dublin", "country": "IE", "region": "Leinster", "continent": "Europe", "languages": ["English"],
    "population": 592000,
    "latitude": 53.3498, "longitude": -6.2603, "intro": "Ireland's capital.",
    "ecosystem": "A committee since 2015.\n\nAwards every year.",
    "challenges": [
        {"challenge": "youth-unemployment", "note": "Awards for social enterprises that hire.", "since": 2015},
        {"challenge": "Local Markets"},
    ],
}


def test_import_updates_and_creates_cities_with_their_challenges(site_tree, challenges):
    bilbao = {"name": "Bilbao", "country": "es", "challenges": [{"challenge": "Local markets", "since": 2020}]}
    result = CityImporter(publish=True).load(lines(DUBLIN, bilbao))
    assert str(result) == "Cities: 1 created, 1 updated (published). New challenges: 0."
    dublin = CityPage.objects.canonical().get(slug="dublin")
    assert (dublin.region, dublin.continent, dublin.languages, dublin.population, float(dublin.latitude),
            dublin.intro) == ("Leinster", "europe", ["en"], 592000, 53.3498, "Ireland's capital.")
    assert dublin.ecosystem == "<p>A committee since 2015.</p><p>Awards every year.</p>"
    assert [(c.challenge.slug, c.note, c.since) for c in dublin.city_challenges.all()] == [
        ("youth-unemployment", "Awards for social enterprises that hire.", 2015), ("local-markets", "", None),
    ]
    new = CityPage.objects.canonical().get(title="Bilbao")
    assert new.live and new.country.code == "ES" and new.get_parent().pk == site_tree["cities"].pk
    assert [(c.challenge.slug, c.since) for c in new.city_challenges.all()] == [("local-markets", 2020)]
    from cities.roles import city_editors_group
    assert city_editors_group(new) is not None

    # A line describes the whole city: what it leaves out is emptied.
    CityImporter(publish=True).load(lines({"name": "dublin", "country": "IE"}))
    dublin = CityPage.objects.canonical().get(slug="dublin")
    assert (dublin.title, dublin.region, dublin.continent, dublin.languages, dublin.population,
            dublin.ecosystem) == ("Dublin", "", "", [], None, "")
    assert not dublin.city_challenges.exists()


def test_import_without_publish_keeps_the_public_city(site_tree, challenges, client):
    give(site_tree["dublin"], (challenges["digital"], "Laptops.", None))
    CityImporter().load(lines(DUBLIN))
    dublin = CityPage.objects.canonical().get(slug="dublin")
    assert [c.challenge.slug for c in dublin.city_challenges.all()] == ["digital-divide"]
    assert dublin.has_unpublished_changes
    draft = dublin.get_latest_revision_as_object()
    assert [c.challenge.slug for c in draft.city_challenges.all()] == ["youth-unemployment", "local-markets"]
    assert "Laptops." in client.get("/cities/dublin/").content.decode()
    assert [c["slug"] for c in client.get("/api/cities/dublin/").json()["challenges"]] == ["digital-divide"]


@pytest.mark.parametrize(
    "record,expected",
    [
        ({"country": "IE"}, "line 1: name: required"),
        ({"name": "Dublin", "country": "XX"}, "line 1: country: unknown ISO 3166-1 alpha-2 country code 'XX'"),
        ({"name": "Dublin", "country": "FR"}, "line 1: country: Dublin is a city in IE, not FR"),
        ({**DUBLIN, "population": "592000"}, "line 1: population: expected a whole number, got '592000'"),
        ({**DUBLIN, "latitude": 91}, "line 1: latitude: at most 90"),
        ({**DUBLIN, "mayor": "x"}, "line 1: mayor: unknown field"),
        ({**DUBLIN, "challenges": {"challenge": "x"}}, "line 1: challenges: expected a list, got an object"),
        ({**DUBLIN, "challenges": [{"note": "x"}]}, "line 1: challenges[0].challenge: required"),
        ({**DUBLIN, "challenges": [{"challenge": "Zeppelins"}]},
         "line 1: challenges[0].challenge: unknown challenge 'Zeppelins' (use --create-missing to create it)"),
        ({**DUBLIN, "challenges": [{"challenge": "Local markets"}, {"challenge": "local-markets"}]},
         "line 1: challenges[1].challenge: 'local-markets' is given twice (also challenges[0])"),
        ({**DUBLIN, "challenges": [{"challenge": "Local markets", "note": "x" * 301}]},
         "line 1: challenges[0].note: at most 300 characters (got 301)"),
        ({**DUBLIN, "challenges": [{"challenge": "Local markets", "since": 3000}]},
         "line 1: challenges[0].since: 3000 is in the future"),
        ({**DUBLIN, "challenges": [{"challenge": "Local markets", "since": 1800}]},
         "line 1: challenges[0].since: not a plausible year: 1800"),
        ({**DUBLIN, "challenges": [{"challenge": "Local markets", "since": "2020"}]},
         "line 1: challenges[0].since: expected a year such as 2020, got '2020'"),
        ({**DUBLIN, "challenges": [{"challenge": "Local markets", "note": "a\x00b"}]},
         "line 1: challenges[0].note: contains a NUL character"),
    ],
)
def test_a_bad_record_is_reported_with_its_line_and_nothing_is_written(site_tree, challenges, record, expected):
    before = (CityPage.objects.count(), CityChallenge.objects.count(), site_tree["dublin"].revisions.count())
    with pytest.raises(ImportFailed) as failure:
        CityImporter(publish=True).load(lines(record))
    assert any(str(problem).startswith(expected) for problem in failure.value.problems), failure.value.problems
    assert (CityPage.objects.count(), CityChallenge.objects.count(),
            site_tree["dublin"].revisions.count()) == before


def test_every_problem_of_a_file_is_reported_by_line(site_tree, challenges):
    data = lines(DUBLIN) + b"{not json\n" + lines({**DUBLIN, "name": "dublin"}, {"name": "Turin", "country": "IT",
                                                                               "population": -1})
    with pytest.raises(ImportFailed) as failure:
        CityImporter(publish=True).load(data)
    found = [str(p) for p in failure.value.problems]
    found[-1] = found[-1].rsplit(" ", 1)[0]  # the bound is the database's
    assert found == [
        "line 2: line: invalid JSON: Expecting property name enclosed in double quotes (column 2)",
        "line 3: name: dublin (IE) is already on line 1",
        "line 4: population: -1 is not between 0 and",
    ]
    assert not CityChallenge.objects.exists()


def test_create_missing_creates_unknown_challenges(site_tree):
    CityImporter(publish=True, create_missing=True).load(
        lines({"name": "Dublin", "country": "IE", "challenges": [{"challenge": "Care services"}]})
    )
    assert CityChallenge.objects.get().challenge.slug == "care-services"


def test_export_is_the_public_cities_and_imports_again(network, challenges):
    out = io.StringIO()
    call_command("export_cities", stdout=out)
    exported = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [city["name"] for city in exported] == ["Dublin", "Turin"]  # no draft, nothing private
    assert exported[0] == {
        "name": "Dublin", "country": "IE", "intro": "Dublin is a member city.",
        "challenges": [
            {"challenge": "Youth unemployment", "note": "Awards for social enterprises that hire.", "since": 2015},
            {"challenge": "Local markets"},
        ],
    }
    before = {c.pk: c.revisions.count() for c in CityPage.objects.all()}
    result = CityImporter(publish=True).load(out.getvalue().encode())
    assert (result.created, result.updated) == (0, 2)
    again = io.StringIO()
    call_command("export_cities", stdout=again)
    assert again.getvalue() == out.getvalue()
    assert CityPage.objects.count() == len(before)


def test_import_and_export_cities_commands_in_their_own_process(command_db, tmp_path):
    demo = manage("load_demo", db=command_db)
    assert demo.returncode == 0, explain(demo)
    exported = tmp_path / "cities.jsonl"
    run = manage("export_cities", "-o", str(exported), db=command_db)
    assert run.returncode == 0 and run.stderr == f"Exported 9 cities to {exported}.\n", explain(run)
    cities = [json.loads(line) for line in exported.read_text().splitlines()]
    bilbao = next(city for city in cities if city["name"] == "Bilbao")
    assert {c["challenge"] for c in bilbao["challenges"]} == {"Local economy recovery", "Local markets"}

    bad = tmp_path / "bad.jsonl"
    turin = next(city for city in cities if city["name"] == "Turin")
    bad.write_text(
        json.dumps({**bilbao, "challenges": [{"challenge": "Zeppelins"}]}) + "\n"
        + json.dumps({**turin, "challenges": [{"challenge": "Digital divide", "since": 2999}]}) + "\n[]\n"
    )
    before = manage("export_cities", db=command_db).stdout
    run = manage("import_cities", str(bad), "--publish", db=command_db)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.splitlines() == [
        "line 1: challenges[0].challenge: unknown challenge 'Zeppelins' (use --create-missing to create it)",
        f"line 2: challenges[0].since: 2999 is in the future: give a year up to {timezone.now().year}.",
        "line 3: line: expected a JSON object, got a list",
        f"CommandError: {bad}: 3 problem(s); nothing was imported",
    ], explain(run)
    assert manage("export_cities", db=command_db).stdout == before

    good = json.dumps({**bilbao, "challenges": [{"challenge": "Digital divide", "note": "Libraries lend laptops."}]})
    run = manage("import_cities", "-", "--publish", db=command_db, input=good + "\n")
    assert run.returncode == 0 and run.stdout.startswith("Cities: 0 created, 1 updated (published)."), explain(run)
    run = manage("export_cities", db=command_db)
    bilbao = next(json.loads(line) for line in run.stdout.splitlines() if '"Bilbao"' in line)
    assert bilbao["challenges"] == [{"challenge": "Digital divide", "note": "Libraries lend laptops."}]
