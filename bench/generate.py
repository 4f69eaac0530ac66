"""Generate N realistic synthetic case studies fast: bulk inserts.

    .venv/bin/python bench/generate.py 10000 --migrate \\
        --database-url postgres://postgres@127.0.0.1:5432/sce_bench_10k

Varied cities (60 in 30 countries; `--cities N` adds numbered synthetic
ones in the same countries, for a network of hundreds), taxonomies, partners, start years and
body lengths; ~3% drafts and a few private pages (never searchable). Every
page gets a revision of its content (the live revision of live pages), as
publishing in the admin gives it, so the pages stay valid Wagtail pages and
are the source of truth: both search indexes can be rebuilt from them. Fills
Wagtail's own search index (the admin search, and the database backend's
text search on SQLite) and the database backend's index in bulk too. Idempotent
in the sense that it tops up to N case studies (and gives revisions to pages
without one).
"""

import argparse
import random
import time
import uuid

try:
    from bench.common import add_service_options, apply_service_options, make_log, setup_django
except ImportError:  # run as a script
    from common import add_service_options, apply_service_options, make_log, setup_django

WORDS = (
    "social solidarity economy cooperative worker housing energy community land trust procurement "
    "childcare care elderly youth unemployment training apprenticeship migrants refugees inclusion "
    "food waste market canteen circular repair reuse textile recycling mobility bicycle courier "
    "municipal council budget participatory neighbourhood district tenants retrofit solar heating "
    "poverty debt microcredit mutual bank currency local network incubator enterprise association "
    "foundation volunteer platform digital commons data open software library tool lending culture "
    "arts heritage tourism agriculture urban garden farm seeds water sanitation health clinic mental "
    "disability accessible employment wage contract tender clause social value impact evaluation "
    "scale pilot lessons transfer partnership university school students women gender equality "
    "homeless shelter rent affordable loan grant fund investment cooperative bank consumers producers"
).split()
CITIES = [
    ("Dublin", "IE"), ("Cork", "IE"), ("Turin", "IT"), ("Bologna", "IT"), ("Milan", "IT"), ("Naples", "IT"),
    ("Rotterdam", "NL"), ("Amsterdam", "NL"), ("Utrecht", "NL"), ("Montréal", "CA"), ("Toronto", "CA"),
    ("Barcelona", "ES"), ("Bilbao", "ES"), ("Seville", "ES"), ("Valencia", "ES"), ("Lisbon", "PT"),
    ("Porto", "PT"), ("Lyon", "FR"), ("Grenoble", "FR"), ("Lille", "FR"), ("Nantes", "FR"),
    ("Ghent", "BE"), ("Liège", "BE"), ("Berlin", "DE"), ("Leipzig", "DE"), ("Munich", "DE"),
    ("Vienna", "AT"), ("Graz", "AT"), ("Kraków", "PL"), ("Gdańsk", "PL"), ("Prague", "CZ"), ("Brno", "CZ"),
    ("Ljubljana", "SI"), ("Zagreb", "HR"), ("Athens", "GR"), ("Thessaloniki", "GR"), ("Helsinki", "FI"),
    ("Tampere", "FI"), ("Gothenburg", "SE"), ("Malmö", "SE"), ("Copenhagen", "DK"), ("Aarhus", "DK"),
    ("Glasgow", "GB"), ("Preston", "GB"), ("Cardiff", "GB"), ("Guadalajara", "MX"), ("Mexico City", "MX"),
    ("Bogotá", "CO"), ("Medellín", "CO"), ("São Paulo", "BR"), ("Porto Alegre", "BR"), ("Rosario", "AR"),
    ("Buenos Aires", "AR"), ("Montevideo", "UY"), ("Quezon City", "PH"), ("Seoul", "KR"), ("Dakar", "SN"),
    ("Durban", "ZA"), ("Nairobi", "KE"), ("Cleveland", "US"),
]
NAMED_CITIES = len(CITIES)
CHALLENGES = [
    "Youth unemployment", "Long-term unemployment", "Affordable housing", "Energy poverty", "Food insecurity",
    "Social isolation", "Childcare gaps", "Elderly care", "Migrant inclusion", "Climate adaptation",
    "Circular economy", "Local economic development", "Digital exclusion", "Gender inequality",
    "Homelessness", "Access to finance", "Urban regeneration", "Public procurement", "Mobility", "Health",
]
LEVERS = ["Procurement", "Grants", "Land and buildings", "Regulation", "Training", "Co-production",
          "Tax relief", "Loans and guarantees", "Networks", "Awareness raising"]
SECTORS = ["Care", "Energy", "Construction", "Food", "Retail", "Finance", "Culture", "Education",
           "Manufacturing", "Transport", "Digital", "Agriculture"]
TARGETS = ["Young people", "Women", "Migrants", "Older people", "People with disabilities", "Tenants",
           "Long-term unemployed", "Small producers"]
ORG_TYPES = ["cooperative", "worker_cooperative", "association", "foundation", "social_enterprise",
             "public_body", "community_land_trust", "mutual_society", "network", "private_company"]
SECTIONS = ["context", "actions", "results", "lessons", "transferability"]


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng):
    return " ".join(sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(2, 6)))


def city_list(count=NAMED_CITIES):
    """`count` (name, country) pairs: the real names first, then numbered
    synthetic cities in the same countries (for a network of hundreds)."""
    extra = [(f"Bench city {i}", CITIES[i % len(CITIES)][1]) for i in range(len(CITIES) + 1, count + 1)]
    return (CITIES + extra)[:count]


def ensure_tree(city_count=NAMED_CITIES):
    from django.utils.text import slugify
    from wagtail.models import Page, Site

    from cities.models import CitiesIndexPage, CityPage
    from cms.home.models import HomePage
    from practices.models import PracticeIndexPage

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        for child in root.get_children():
            child.delete()
        home = root.add_child(instance=HomePage(title="Solidarity Cities Exchange", slug="home"))
        Site.objects.all().delete()
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="SCE")
    cities_index = CitiesIndexPage.objects.first() or home.add_child(instance=CitiesIndexPage(title="Cities", slug="cities"))
    if not PracticeIndexPage.objects.exists():
        home.add_child(instance=PracticeIndexPage(title="Practices", slug="practices"))
    cities = {c.title: c for c in CityPage.objects.all()}
    for name, country in city_list(city_count):
        if name not in cities:
            cities_index.refresh_from_db()
            cities[name] = cities_index.add_child(instance=CityPage(title=name, slug=slugify(name), country=country))
    return list(cities.values())


def ensure_terms():
    from django.utils.text import slugify

    from practices.models import Challenge, PolicyLever, Sector, TargetGroup

    out = {}
    for model, names in ((Challenge, CHALLENGES), (PolicyLever, LEVERS), (Sector, SECTORS), (TargetGroup, TARGETS)):
        for i, name in enumerate(names):
            model.objects.get_or_create(slug=slugify(name), defaults={"name": name, "sort_order": i})
        out[model] = list(model.objects.values_list("pk", flat=True))
    return out


def encode_step(number):
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, rem = divmod(number, 36)
        out = alphabet[rem] + out
    return out.rjust(4, "0")


def generate(n, seed=1, batch=1000, log=print, city_count=NAMED_CITIES):
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone
    from wagtail.models import Locale, Page, PageViewRestriction

    from practices.models import (
        CaseStudyPage,
        CaseStudyPartner,
        Challenge,
        PolicyLever,
        Sector,
        TargetGroup,
    )

    started = time.perf_counter()
    cities = ensure_tree(city_count)
    terms = ensure_terms()
    existing = CaseStudyPage.objects.count()
    todo = max(0, n - existing)
    log(f"{existing} case studies exist; generating {todo}")
    if not todo:
        if ensure_revisions(log):  # pages of an older generator: the indexes hold their revision ids
            fill_search_entries(log)
            analyze(log)
        return 0
    rng = random.Random(seed + existing)
    ct = ContentType.objects.get_for_model(CaseStudyPage)
    locale = Locale.get_default()
    now = timezone.now()
    made = 0
    while made < todo:
        size = min(batch, todo - made)
        with transaction.atomic():
            fresh = {c.pk: c for c in Page.objects.filter(pk__in=[c.pk for c in cities])}
            per_city = {}
            base_rows, extra = [], []
            for i in range(size):
                city = rng.choice(cities)
                k = fresh[city.pk].numchild + per_city.get(city.pk, 0) + 1
                per_city[city.pk] = per_city.get(city.pk, 0) + 1
                words = [rng.choice(WORDS) for _ in range(rng.randint(2, 5))]
                title = f"{' '.join(words).capitalize()} in {city.title} #{existing + made + i + 1}"
                slug = f"practice-{existing + made + i + 1}"
                live = rng.random() > 0.03
                published = now - timezone.timedelta(days=rng.randint(0, 3650), seconds=rng.randint(0, 86400))
                base_rows.append(
                    Page(
                        title=title, draft_title=title, slug=slug, content_type=ct, locale=locale,
                        translation_key=uuid.uuid4(), path=fresh[city.pk].path + encode_step(k),
                        depth=fresh[city.pk].depth + 1, numchild=0, url_path=f"{fresh[city.pk].url_path}{slug}/",
                        live=live, has_unpublished_changes=not live,
                        first_published_at=published if live else None, last_published_at=published if live else None,
                    )
                )
                extra.append((city, live))
            Page.objects.bulk_create(base_rows)
            children, throughs, partners = [], {m: [] for m in terms}, []
            for page, (city, _live) in zip(base_rows, extra, strict=True):
                start = rng.randint(1995, 2025)
                body = [
                    {"type": rng.choice(SECTIONS), "value": f"<p>{paragraph(rng)}</p>", "id": str(uuid.uuid4())}
                    for _ in range(rng.randint(1, 6))
                ]
                cs = CaseStudyPage(
                    page_ptr_id=page.pk, summary=sentence(rng, rng.randint(12, 40))[:500], body=body,
                    start_year=start, end_year=start + rng.randint(1, 8) if rng.random() < 0.3 else None,
                    status=rng.choice(["pilot", "running", "running", "scaled", "ended"]),
                    scale=rng.choice(["neighbourhood", "city", "region", "national"]),
                    language=rng.choice(["en", "en", "en", "it", "es", "fr", "nl"]), city_id=city.pk,
                )
                children.append(cs)
                for model, key in ((Challenge, "challenge"), (PolicyLever, "policylever"), (Sector, "sector"),
                                   (TargetGroup, "targetgroup")):
                    field = {Challenge: "challenges", PolicyLever: "policy_levers", Sector: "sectors",
                             TargetGroup: "target_groups"}[model]
                    through = getattr(CaseStudyPage, field).through
                    for term_id in rng.sample(terms[model], rng.randint(0 if model is not Challenge else 1, 3)):
                        throughs[model].append(through(casestudypage_id=page.pk, **{f"{key}_id": term_id}))
                for j in range(rng.randint(0, 4)):
                    partners.append(CaseStudyPartner(
                        page_id=page.pk, sort_order=j, organisation_type=rng.choice(ORG_TYPES),
                        name=f"{rng.choice(WORDS).capitalize()} {rng.choice(['Coop', 'Network', 'Foundation', 'Trust'])}",
                    ))
            fields = [f for f in CaseStudyPage._meta.local_concrete_fields]
            CaseStudyPage._base_manager._insert(children, fields=fields)
            for rows in throughs.values():
                if rows:
                    type(rows[0]).objects.bulk_create(rows)
            CaseStudyPartner.objects.bulk_create(partners)
            for city_pk, count in per_city.items():
                Page.objects.filter(pk=city_pk).update(numchild=F("numchild") + count)
        made += size
        log(f"  {existing + made} case studies ({time.perf_counter() - started:.1f}s)")
    ensure_revisions(log)
    # A few private pages: never searchable.
    for page in CaseStudyPage.objects.filter(live=True).order_by("?")[:10]:
        PageViewRestriction.objects.get_or_create(page=page, restriction_type=PageViewRestriction.LOGIN)
    fill_wagtail_index(log)
    fill_search_entries(log)
    analyze(log)
    log(f"done in {time.perf_counter() - started:.1f}s")
    return made


def ensure_revisions(log=print, chunk=500):
    """Give every case study without a revision one of its current content
    (Wagtail's `serializable_data()`, as `save_revision()` stores it), made
    the live revision of the live pages. Bulk: a fixed number of queries per
    chunk. Returns the number of pages given one."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Page, Revision

    from practices.models import CaseStudyPage

    ids = list(CaseStudyPage.objects.filter(latest_revision__isnull=True).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    started = time.perf_counter()
    ct = ContentType.objects.get_for_model(CaseStudyPage)
    base_ct = ContentType.objects.get_for_model(Page)
    now = timezone.now()
    relations = ["partners", "outcomes", "sources", "challenges", "policy_levers", "sectors", "target_groups",
                 "related_case_studies", "tagged_items", "wagtail_admin_comments"]
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            pages = list(CaseStudyPage.objects.filter(pk__in=ids[start : start + chunk]).prefetch_related(*relations))
            revisions = [
                Revision(content_type=ct, base_content_type=base_ct, object_id=str(page.pk),
                         content=page.serializable_data(), object_str=str(page),
                         created_at=page.last_published_at or now)
                for page in pages
            ]
            Revision.objects.bulk_create(revisions)
            for page, revision in zip(pages, revisions, strict=True):
                page.latest_revision_id = revision.pk
                page.latest_revision_created_at = revision.created_at
                page.live_revision_id = revision.pk if page.live else None
            CaseStudyPage.objects.bulk_update(pages, ["latest_revision", "latest_revision_created_at", "live_revision"])
    log(f"  revisions: {len(ids)} pages in {time.perf_counter() - started:.1f}s")
    return len(ids)


def analyze(log=print):
    """Refresh the planner's statistics after a bulk load, as autovacuum
    would on a live site; without it PostgreSQL plans the search with row
    estimates of an empty table."""
    from django.db import connection

    if connection.vendor in ("postgresql", "sqlite"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log("  ANALYZE done")


def fill_search_entries(log=print):
    """The database backend's index (search.models.SearchEntry), as
    `search_index --rebuild --only database` builds it."""
    from search import indexing

    info = indexing.rebuild_entries()
    log(f"  database search index: {info['documents']} case studies in {info['seconds']:.1f}s")


def fill_wagtail_index(log=print, chunk=1000):
    """Wagtail's database search index (the database backend's text search)."""
    from wagtail.search.backends import get_search_backend

    from practices.models import CaseStudyPage

    backend = get_search_backend()
    index = backend.get_index_for_model(CaseStudyPage)
    ids = list(CaseStudyPage.objects.order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    for start in range(0, len(ids), chunk):
        index.add_items(CaseStudyPage, list(CaseStudyPage.objects.filter(pk__in=ids[start : start + chunk])))
    log(f"  Wagtail search index: {len(ids)} pages in {time.perf_counter() - started:.1f}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_service_options(parser)
    parser.add_argument("n", type=int, help="top the catalogue up to N case studies")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: %(default)s)")
    parser.add_argument("--cities", type=int, default=NAMED_CITIES,
                        help="cities the case studies are spread over (default: %(default)s, the named ones; "
                             "more are numbered synthetic cities)")
    parser.add_argument("--migrate", action="store_true", help="run migrations first")
    args = parser.parse_args()
    apply_service_options(args)
    setup_django()
    if args.migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    generate(args.n, seed=args.seed, log=make_log(args.log), city_count=args.cities)


if __name__ == "__main__":
    main()
