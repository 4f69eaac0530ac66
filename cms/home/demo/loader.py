"""Load the demo content: site tree, taxonomies, cities and their
challenges, case studies, working groups, roles, demo users and their
profiles, demo peers, the
transfers of the two practices the programme chose to scale, their
selection to scale, a demo shortlist and the demo peers' questions (one
answered), and the case studies' translations into their city's language
(translating.py).

Idempotent: each step creates only what is missing and leaves existing rows
alone, so a second run changes nothing (no new rows, no new revisions). The
case studies go through the import service (practices.importing), like any
other import.
"""

import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from accounts.models import Profile
from cities import page_locales
from cities.memberships import subscribe_demo_officials
from cities.models import CitiesIndexPage, CityChallenge, CityPage, WorkingGroup
from cities.roles import MODERATORS_GROUP, city_editors_group, ensure_site_roles
from cms.home.models import HomePage
from exchange.models import Question, Stage, Transfer
from exchange.transfers import record_accepted
from groups.scaling import record_selected
from groups.shortlist import record_entry
from practices.importing import Importer
from practices.models import TAXONOMIES, CaseStudyPage, Challenge, PracticeIndexPage

from . import data
from .translating import load_translations

PRACTICES_FILE = Path(__file__).with_name("practices.jsonl")
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"
MODERATOR_USERNAME = "moderator"


def _say(out, message):
    if out is not None:
        out.write(message)


def _publish_new(parent, page):
    """Add a page under parent and publish it with a first revision."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def remove_wagtail_welcome_page():
    """Delete the placeholder page Wagtail's migrations create, if nobody has
    touched it (still a plain Page with its original title, no children)."""
    root = Page.get_first_root_node()
    for page in root.get_children().filter(title=WAGTAIL_WELCOME_TITLE, numchild=0):
        if page.specific_class is Page:
            page.delete()  # its Site goes with it (on_delete=CASCADE)


def ensure_site_tree(out=None):
    """Home page as the default site's root, with the cities and practices indexes."""
    remove_wagtail_welcome_page()
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # "home" may still be taken by a welcome page someone has edited.
        slug = (
            "home"
            if not root.get_children().filter(slug="home").exists()
            else slugify(data.SITE_NAME)
        )
        home = _publish_new(
            root,
            HomePage(title=data.SITE_NAME, slug=slug, intro=data.HOME_INTRO, body=data.HOME_BODY),
        )
        _say(out, "Created the home page.")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=data.SITE_NAME,
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])

    cities = CitiesIndexPage.objects.first()
    if cities is None:
        cities = _publish_new(
            home, CitiesIndexPage(title="Cities", slug="cities", intro=data.CITIES_INTRO)
        )
    practices = PracticeIndexPage.objects.first()
    if practices is None:
        practices = _publish_new(
            home, PracticeIndexPage(title="Practices", slug="practices", intro=data.PRACTICES_INTRO)
        )
    return home, cities, practices


def load_taxonomies():
    """Challenges, policy levers, sectors and target groups, in the order of data.py."""
    for key, terms in data.TAXONOMY_TERMS.items():
        model = TAXONOMIES[key]
        for order, (name, description) in enumerate(terms):
            model.objects.get_or_create(
                slug=slugify(name),
                defaults={"name": name, "description": description, "sort_order": order},
            )


def load_cities(cities_index):
    """The nine cities, published; their editors groups come from the
    post_save signal. Returns {slug: CityPage}."""
    existing = {city.slug: city for city in CityPage.objects.child_of(cities_index)}
    fields = (
        "title",
        "slug",
        "country",
        "region",
        "continent",
        "languages",
        "population",
        "latitude",
        "longitude",
        "intro",
        "ecosystem",
    )
    for values in data.CITIES:
        if values["slug"] not in existing:
            city = CityPage(**{name: values[name] for name in fields})
            existing[values["slug"]] = _publish_new(cities_index, city)
        elif not existing[values["slug"]].continent:  # a demo loaded before cities had a place and languages
            city = existing[values["slug"]]
            city.continent, city.languages = values["continent"], values["languages"]
            city.save_revision().publish()
    return existing


def load_city_challenges(cities):
    """Each city's challenges from the project's first phase (data.py). Only
    the missing ones are added, with a published revision of the city; a
    city that has them all is left alone."""
    challenges = {c.name: c for c in Challenge.objects.all()}
    for slug, items in data.CITY_CHALLENGES.items():
        city = CityPage.objects.get(pk=cities[slug].pk)
        present = set(city.city_challenges.values_list("challenge__name", flat=True))
        missing = [
            CityChallenge(challenge=challenges[name], note=note) for name, note in items if name not in present
        ]
        if missing:
            city.city_challenges = [*city.city_challenges.all(), *missing]
            city.save_revision().publish()


def load_practices(out=None):
    """The demo case studies, through the import service. Those already
    imported (same external_id) are skipped, so no new revisions appear."""
    importer = Importer(publish=True, skip_existing=True)
    result = importer.load(PRACTICES_FILE.read_bytes())
    _say(out, str(result))
    return result


def load_working_groups(cities):
    """The four working groups of the project. The place for follow-up demo
    data that hangs off the groups (e.g. subscribing the demo officials to
    digests), so that it runs after the groups exist."""
    time_zones = {city["slug"]: city["time_zone"] for city in data.CITIES}
    challenges = {c.name: c for c in Challenge.objects.all()}
    groups = []
    for values in data.WORKING_GROUPS:
        group = WorkingGroup.objects.filter(slug=values["slug"]).first()
        if group is None:
            group = WorkingGroup(
                name=values["name"],
                slug=values["slug"],
                description=values["description"],
                time_zone=time_zones[values["cities"][0]],
                default_cadence="weekly",
            )
            group.challenges = [challenges[name] for name in values["challenges"]]
            group.member_cities = [cities[slug] for slug in values["cities"]]
            group.save()
        groups.append(group)
    return groups


def _ensure_user(username, email, group, out):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, email=email, password=password)
        _say(out, f"Created user {username} (password: {password})")
    else:
        _say(out, f"User {username} exists; password unchanged.")
    if group is not None:
        user.groups.add(group)
    # The demo addresses are taken as confirmed: demo users sign in at once,
    # on the peers' sign-in (/accounts/login/) too.
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _ensure_profile(user, **values):
    """The user's profile, made with these values if missing; never changed
    afterwards (a demo user may have edited it)."""
    profile, _ = Profile.objects.get_or_create(user=user, defaults=values)
    return profile


def load_users(cities, out=None):
    """One moderator and one official per city, in that city's editors group.
    Passwords are random and shown once, when the user is created."""
    moderator = _ensure_user(
        MODERATOR_USERNAME,
        f"{MODERATOR_USERNAME}@example.org",
        Group.objects.get(name=MODERATORS_GROUP),
        out,
    )
    _ensure_profile(moderator, **data.MODERATOR_PROFILE)
    users = [moderator]
    for values in data.CITIES:
        city = cities[values["slug"]]
        username = f"official-{values['slug']}"
        group = city_editors_group(city)
        official = _ensure_user(username, f"{username}@example.org", group, out)
        _ensure_profile(
            official,
            display_name=f"Demo official, {city.title}",
            role="city official (demo account)",
            city=city,
            languages=["en", *data.COUNTRY_LANGUAGES.get(values["country"], [])],
        )
        users.append(official)
    return users


def load_transfers(cities, out=None):
    """Every other city of the programme exploring Rikx and CasaBottega
    (data.TRANSFERS), accepted; transfers already there are left alone."""
    created = 0
    for values in data.TRANSFERS:
        source = CaseStudyPage.objects.filter(external_id=values["case_study"]).first()
        if source is None:
            continue
        for slug in (city["slug"] for city in data.CITIES):
            city = cities[slug]
            if city.pk == source.city_id or Transfer.objects.filter(source=source, adopting_city=city).exists():
                continue
            record_accepted(source, city, stage=Stage.EXPLORING, note=values["note"])
            created += 1
    if created:
        _say(out, f"Recorded {created} transfers of the practices the programme chose to scale (exploring).")
    return created


def load_scaling(out=None):
    """Rikx and CasaBottega selected to scale (data.SELECTED_TO_SCALE), and
    the demo shortlist with its votes (data.SHORTLIST); what is there is left alone."""
    User = get_user_model()
    created = 0
    for values in data.SELECTED_TO_SCALE:
        practice = CaseStudyPage.objects.filter(external_id=values["case_study"]).first()
        if practice is not None:
            created += record_selected(practice, note=values["note"])[1]
    for values in data.SHORTLIST:
        group = WorkingGroup.objects.filter(slug=values["group"]).first()
        practice = CaseStudyPage.objects.filter(external_id=values["case_study"]).first()
        if group is None or practice is None:
            continue
        voters = list(User.objects.filter(username__in=values["votes"]).order_by("username"))
        created += record_entry(
            group, practice, proposed_by=User.objects.filter(username=values["proposed_by"]).first(), voters=voters
        )[1]
    if created:
        _say(out, f"Marked the practices selected to scale and the demo shortlist ({created} rows).")
    return created


def load_peers(out=None):
    """Demo peers without a city role (no group): fictional, named as demo accounts."""
    peers = []
    for values in data.DEMO_PEERS:
        username = values["username"]
        peer = _ensure_user(username, f"{username}@example.org", None, out)
        _ensure_profile(peer, **{key: value for key, value in values.items() if key != "username"})
        peers.append(peer)
    return peers


def load_questions(out=None):
    """The demo peers' questions (data.DEMO_QUESTIONS), the answered one
    answered by the authoring city's demo official; questions already
    there (same asker, case study and text) are left alone. Written as
    they are, with no email: nobody needs telling about demo content."""
    created = 0
    User = get_user_model()
    for values in data.DEMO_QUESTIONS:
        page = CaseStudyPage.objects.filter(external_id=values["case_study"]).select_related("city").first()
        asker = User.objects.filter(username=values["asker"]).first()
        if page is None or page.city is None or asker is None:
            continue
        if Question.objects.filter(case_study=page, asker=asker, text=values["text"]).exists():
            continue
        question = Question(case_study=page, asker=asker, text=values["text"])
        if values.get("answer"):
            question.answer = values["answer"]
            question.answered_by = User.objects.filter(username=f"official-{page.city.slug}").first()
            question.answered_at = question.asked_at
        question.save()
        created += 1
    if created:
        _say(out, f"Added {created} questions of the demo peers.")
    return created


def load_demo(out=None):
    """Everything, in one transaction. `out` is a stream for progress messages."""
    with transaction.atomic():
        home, cities_index, _ = ensure_site_tree(out)
        load_taxonomies()
        cities = load_cities(cities_index)
        load_city_challenges(cities)
        ensure_site_roles(home)  # Moderators, Peer review workflow, every city's editors
        load_practices(out)
        load_working_groups(cities)
        load_users(cities, out)
        load_transfers(cities, out)
        load_scaling(out)
        load_peers(out)
        load_questions(out)
        made = page_locales.complete_tree()
        if made:
            _say(out, f"Made the pages of every language ({made} aliases, to be translated).")
        load_translations(get_user_model().objects.filter(username=MODERATOR_USERNAME).first(), out)
        subscribed = subscribe_demo_officials()
        if subscribed:
            _say(out, f"Subscribed the demo officials to their cities' working groups ({subscribed}).")
    return home
