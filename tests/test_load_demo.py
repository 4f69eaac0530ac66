"""load_demo: the demo site, loaded once for the whole module, and loaded again
to prove that a second run changes nothing."""

import io
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import TestCase
from wagtail.models import Page, Site, WorkflowPage

from accounts.models import Profile
from cities.models import CitiesIndexPage, CityChallenge, CityPage, WorkingGroup
from cities.roles import MODERATORS_GROUP, REVIEW_WORKFLOW
from cms.home.demo import data
from cms.home.demo.loader import PRACTICES_FILE
from cms.home.models import HomePage
from practices.importing import Importer
from practices.models import TAXONOMIES, CaseStudyPage, PracticeIndexPage

from .commands import explain, manage

# The pages as written (the demo's site is in every language: cities.page_locales).
ENGLISH = {"locale__language_code": "en"}


def table_counts():
    """Rows in every table of every installed app."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def dump():
    """What a second run must not touch: pages, their revisions, users, groups."""
    User = get_user_model()
    return {
        "pages": [
            (
                p.path,
                p.title,
                p.live,
                p.specific_class.__name__,
                p.revisions.count(),
                p.latest_revision_id,
            )
            for p in Page.objects.order_by("path")
        ],
        "users": [
            (u.username, u.email, u.password, sorted(g.name for g in u.groups.all()))
            for u in User.objects.order_by("username")
        ],
        "groups": [
            (g.name, g.permissions.count(), g.page_permissions.count())
            for g in Group.objects.order_by("name")
        ],
        "profiles": [
            (p.user.username, p.display_name, p.organisation, p.role, p.city_id, p.languages, p.suspended_at)
            for p in Profile.objects.select_related("user").order_by("user__username")
        ],
        "email_addresses": [
            (e.user.username, e.email, e.verified, e.primary)
            for e in EmailAddress.objects.select_related("user").order_by("email")
        ],
        "working_groups": [
            (
                w.slug,
                w.time_zone,
                sorted(c.slug for c in w.member_cities.all()),
                sorted(c.slug for c in w.challenges.all()),
            )
            for w in WorkingGroup.objects.all()
        ],
        "city_challenges": [
            (c.page.slug, c.challenge.slug, c.note, c.since, c.sort_order)
            for c in CityChallenge.objects.select_related("page", "challenge").order_by("page__path", "sort_order")
        ],
    }


def run_load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())
    return out.getvalue()


class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_output = run_load_demo()
        cls.first_counts, cls.first_dump = table_counts(), dump()
        cls.second_output = run_load_demo()
        cls.second_counts, cls.second_dump = table_counts(), dump()

    def test_second_run_changes_nothing(self):
        self.assertEqual(self.first_counts, self.second_counts)
        self.assertEqual(self.first_dump, self.second_dump)

    def test_passwords_are_printed_once(self):
        self.assertIn("Created user moderator (password: ", self.first_output)
        self.assertIn("Created user official-dublin (password: ", self.first_output)
        self.assertNotIn("password: ", self.second_output)
        self.assertIn("User official-dublin exists", self.second_output)

    def test_site_tree(self):
        self.assertFalse(Page.objects.filter(title="Welcome to your new Wagtail site!").exists())
        home = HomePage.objects.get(**ENGLISH)
        self.assertEqual(home.depth, 2)
        self.assertIn("Respond, Rebuild, Reinvent", home.body)
        site = Site.objects.get(is_default_site=True)
        self.assertEqual(site.root_page_id, home.pk)
        self.assertEqual(CitiesIndexPage.objects.get(**ENGLISH).slug, "cities")
        self.assertEqual(PracticeIndexPage.objects.get(**ENGLISH).slug, "practices")
        self.assertTrue(all(p.live for p in Page.objects.filter(depth__gt=1)))

    def test_taxonomies(self):
        for key, terms in data.TAXONOMY_TERMS.items():
            model = TAXONOMIES[key]
            self.assertEqual(
                list(model.objects.values_list("name", flat=True)), [name for name, _ in terms]
            )
        self.assertEqual(TAXONOMIES["challenges"].objects.get(slug="digital-divide").sort_order, 5)

    def test_cities(self):
        cities = {c.slug: c for c in CityPage.objects.all()}
        self.assertEqual(
            sorted((c.title, c.country.code) for c in cities.values()),
            [
                ("Belo Horizonte", "BR"),
                ("Bilbao", "ES"),
                ("Dublin", "IE"),
                ("Guadalajara", "MX"),
                ("Montreal", "CA"),
                ("Rotterdam", "NL"),
                ("San Francisco", "US"),
                ("Turin", "IT"),
                ("Warsaw", "PL"),
            ],
        )
        for city in cities.values():
            self.assertTrue(city.region and city.population and city.intro and city.ecosystem)
            self.assertIsNotNone(city.latitude)
            self.assertIsNotNone(city.longitude)

    def test_city_challenges_follow_the_working_groups(self):
        """Each city works on the challenges of its working groups (the themes
        the first phase's challenges grouped the cities by), with a note and
        no year (the facts give none)."""
        expected = {}
        for group in WorkingGroup.objects.prefetch_related("member_cities", "challenges"):
            for city in group.member_cities.all():
                expected.setdefault(city.slug, set()).update(c.slug for c in group.challenges.all())
        for city in CityPage.objects.filter(**ENGLISH):
            items = list(city.city_challenges.select_related("challenge"))
            self.assertEqual({c.challenge.slug for c in items}, expected[city.slug], city.slug)
            self.assertTrue(all(c.note and len(c.note) <= 300 and c.since is None for c in items), city.slug)
        dublin = CityPage.objects.get(slug="dublin", **ENGLISH)
        self.assertEqual(
            [c.challenge.slug for c in dublin.city_challenges.all()],
            ["local-economy-recovery", "local-markets", "collaboration-between-sse-actors"],
        )
        response = self.client.get(dublin.url)
        self.assertContains(response, "Challenges Dublin works on")
        self.assertContains(response, "Collaboration between SSE actors")

    def test_working_groups(self):
        groups = {g.slug: g for g in WorkingGroup.objects.all()}
        self.assertEqual(len(groups), 4)
        collaboration = groups["sse-collaboration"]
        self.assertEqual(
            sorted(c.title for c in collaboration.member_cities.all()),
            ["Dublin", "Turin", "Warsaw"],
        )
        self.assertEqual(collaboration.time_zone, "Europe/Rome")
        self.assertEqual(collaboration.default_cadence, "weekly")
        self.assertEqual(groups["local-economies"].time_zone, "Europe/Madrid")
        self.assertEqual(
            [c.slug for c in groups["digital-divide"].challenges.all()], ["digital-divide"]
        )

    def test_roles_and_users(self):
        User = get_user_model()
        self.assertEqual(
            WorkflowPage.objects.get(page=HomePage.objects.get(**ENGLISH)).workflow.name, REVIEW_WORKFLOW
        )
        moderator = User.objects.get(username="moderator")
        self.assertEqual(list(moderator.groups.values_list("name", flat=True)), [MODERATORS_GROUP])
        for city in CityPage.objects.filter(**ENGLISH):
            official = User.objects.get(username=f"official-{city.slug}")
            self.assertEqual(official.email, f"official-{city.slug}@example.org")
            self.assertEqual(
                list(official.groups.values_list("name", flat=True)), [f"{city.title} editors"]
            )
            self.assertTrue(official.has_usable_password())
            self.assertEqual(official.profile.city, city)
            self.assertEqual(official.profile.display_name, f"Demo official, {city.title}")
            self.assertTrue(EmailAddress.objects.get(user=official, primary=True).verified)
        self.assertEqual(moderator.profile.display_name, "Demo moderator")
        self.assertIsNone(moderator.profile.city)
        self.assertEqual(User.objects.count(), 12)

    def test_demo_peers_have_profiles_and_no_city_role(self):
        User = get_user_model()
        for values in data.DEMO_PEERS:
            peer = User.objects.get(username=values["username"])
            self.assertFalse(peer.groups.exists())
            self.assertEqual(peer.profile.display_name, values["display_name"])
            self.assertEqual(peer.profile.languages, values["languages"])
            self.assertIsNone(peer.profile.city)
            self.assertTrue(EmailAddress.objects.get(user=peer, email=peer.email).verified)
        self.assertEqual(Profile.objects.count(), User.objects.count())

    def test_a_demo_peer_signs_in_on_the_peers_form(self):
        peer = get_user_model().objects.get(username="peer-researcher")
        peer.set_password("a-demo-password-123")
        peer.save()
        response = self.client.post(
            "/accounts/login/", {"login": "peer-researcher@example.org", "password": "a-demo-password-123"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertIn("Demo peer: researcher", self.client.get("/").content.decode())

    def test_practices_are_published_with_their_facts(self):
        pages = {p.external_id: p for p in CaseStudyPage.objects.filter(**ENGLISH).select_related("city")}
        self.assertEqual(len(pages), 6)
        self.assertTrue(all(p.live and p.revisions.count() == 1 for p in pages.values()))
        casabottega = pages["demo-turin-casabottega"]
        self.assertEqual((casabottega.city.title, casabottega.scale), ("Turin", "neighbourhood"))
        self.assertEqual([(o.value, o.unit) for o in casabottega.outcomes.all()], [(5000, "EUR")])
        self.assertEqual([t.slug for t in casabottega.target_groups.all()], ["youth"])
        self.assertEqual(pages["demo-dublin-social-enterprise-committee"].start_year, 2015)
        self.assertEqual(pages["demo-san-francisco-civic-innovation"].start_year, 2012)
        self.assertEqual(pages["demo-montreal-sse-concertation-panel"].start_year, 2020)
        for page in pages.values():
            self.assertTrue(
                page.challenges.exists() and page.policy_levers.exists() and page.partners.exists()
            )
            self.assertTrue(
                all(
                    block.block_type
                    in ("context", "actions", "results", "lessons", "transferability")
                    for block in page.body
                )
            )

    def test_practices_render(self):
        for page in CaseStudyPage.objects.select_related("city"):
            response = self.client.get(page.url)
            self.assertEqual(response.status_code, 200, page.url)
            self.assertContains(response, page.title.replace("'", "&#x27;"))
            self.assertContains(response, page.city.title)
            self.assertContains(response, page.get_status_display())

    def test_demo_file_is_valid_import_format(self):
        records = Importer().validate(PRACTICES_FILE.read_bytes())
        self.assertEqual(len(records), 6)
        lines = [json.loads(line) for line in Path(PRACTICES_FILE).read_text().splitlines()]
        self.assertEqual(
            {line["city"] for line in lines},
            {"Dublin", "San Francisco", "Montreal", "Warsaw", "Rotterdam", "Turin"},
        )

    def test_the_cities_explore_the_two_practices_chosen_to_scale(self):
        from exchange.models import Transfer
        from search.models import SearchEntry

        slugs = [city["slug"] for city in data.CITIES]
        for external_id, city, name in (("demo-rotterdam-rikx", "rotterdam", "Rikx"),
                                        ("demo-turin-casabottega", "turin", "CasaBottega")):
            transfers = Transfer.objects.filter(source__external_id=external_id).select_related("adopting_city")
            self.assertEqual(sorted(t.adopting_city.slug for t in transfers), sorted(s for s in slugs if s != city))
            for transfer in transfers:
                # Facts only: exploring, accepted, no date, nothing changed or learned.
                self.assertEqual((transfer.stage, transfer.acceptance, transfer.started), ("exploring", "accepted", None))
                self.assertEqual((transfer.changes, transfer.lessons), ("", ""))
                self.assertIn(f"chose {name} as one of the two practices to scale", transfer.note)
                self.assertIn("the cities of the programme then explored scaling it", transfer.note)
            page = CaseStudyPage.objects.get(external_id=external_id)
            self.assertEqual(SearchEntry.objects.get(page=page).card["adapted_by"], 8)
            self.assertContains(self.client.get(page.url), "Adapted by 8 cities.")
        self.assertEqual(Transfer.objects.count(), 16)

    def test_demo_peers_ask_the_cities_and_turin_answers_one(self):
        from exchange.models import Question

        asked = Question.objects.select_related("case_study", "asker", "answered_by").order_by("pk")
        self.assertEqual(
            [(q.asker.username, q.case_study.external_id, q.is_answered) for q in asked],
            [(v["asker"], v["case_study"], "answer" in v) for v in data.DEMO_QUESTIONS],
        )
        self.assertTrue(all(q.text.endswith("?") for q in asked))
        answered = asked.get(answered_at__isnull=False)
        self.assertEqual(answered.answered_by.username, "official-turin")
        page = self.client.get(answered.case_study.url)
        self.assertContains(page, "Questions to Turin")
        self.assertContains(page, "Demo peer: co-operative network, Example Co-operative Federation (demo)")
        self.assertContains(page, "5,000 euros")
        self.assertNotContains(page, "peer-cooperative@example.org")

    def test_rikx_and_casabottega_are_selected_to_scale_with_a_demo_shortlist(self):
        from groups.models import ScaleSelection, ShortlistEntry, Vote

        selected = ScaleSelection.objects.order_by("practice__external_id").values_list("practice__external_id", flat=True)
        self.assertEqual(list(selected), ["demo-rotterdam-rikx", "demo-turin-casabottega"])
        for selection in ScaleSelection.objects.all():
            self.assertIn("all-peer event of Respond, Rebuild, Reinvent", selection.note)
        casabottega = CaseStudyPage.objects.get(external_id="demo-turin-casabottega")
        self.assertContains(self.client.get(casabottega.url), "Selected to scale")
        entries = ShortlistEntry.objects.filter(group__slug="local-economies")
        self.assertEqual(entries.count(), 2)
        self.assertEqual(Vote.objects.filter(entry__in=entries).count(), 4)
        html = self.client.get("/groups/local-economies/").content.decode()
        self.assertIn("CasaBottega", html)
        self.assertIn("2 votes", html)
        self.assertIn("Rikx: a marketplace for social impact", html)


# --- As a user runs it: `python manage.py load_demo` on a migrated database ---


def row_counts(db_url):
    """Rows in every table of the SQLite file behind db_url (not the shadow
    tables in which full-text indexes keep their segments: rewriting the same
    rows changes how many segments there are, not what is indexed)."""
    path = db_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as connection:
        virtual = [
            name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
        ]
        tables = [
            name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if not any(name.startswith(f"{v}_") for v in virtual)
        ]
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def test_load_demo_command_names_the_demo_users_and_runs_again_harmlessly(command_db):
    usernames = ["moderator"] + [f"official-{city['slug']}" for city in data.CITIES]

    first = manage("load_demo", db=command_db)
    assert first.returncode == 0, explain(first)
    for username in usernames:
        assert f"Created user {username} (password: " in first.stdout
    assert "Demo content is in place." in first.stdout
    after_first = row_counts(command_db)
    assert after_first["practices_casestudypage"] > 0

    second = manage("load_demo", db=command_db)
    assert second.returncode == 0, explain(second)
    for username in usernames:
        assert f"User {username} exists; password unchanged." in second.stdout
    assert "password: " not in second.stdout
    assert row_counts(command_db) == after_first
