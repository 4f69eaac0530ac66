"""The public pages as a visitor sees them: what each page type shows, the
practice index filters and pagination, the contact email rule, and that
unpublished, private and in-review case studies never leak into a listing."""

import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
import wagtail_factories
from django.template.loader import render_to_string
from wagtail.models import PageViewRestriction

from practices.factories import (
    CaseStudyOutcomeFactory,
    CaseStudyPageFactory,
    CaseStudyPartnerFactory,
    ChallengeFactory,
    PolicyLeverFactory,
    SectorFactory,
    TargetGroupFactory,
    WorkingGroupFactory,
    publish,
)
from practices.models import PAGE_SIZE, CaseStudySource


class _Headings(HTMLParser):
    """Collects (level, text) of the h1-h6 headings, in document order."""

    def __init__(self):
        super().__init__()
        self.headings = []
        self._level = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self._level, self._text = int(tag[1]), []

    def handle_endtag(self, tag):
        if self._level and tag == f"h{self._level}":
            self.headings.append((self._level, " ".join("".join(self._text).split())))
            self._level = None

    def handle_data(self, data):
        if self._level:
            self._text.append(data)


def headings(response):
    parser = _Headings()
    parser.feed(response.content.decode())
    return parser.headings


def text(response):
    return response.content.decode()


def practice(city, **kwargs):
    """A published case study under `city`."""
    return publish(CaseStudyPageFactory(parent=city, **kwargs))


@pytest.fixture
def hidden_practices(site_tree, users):
    """A draft, a private page and a never-published page in review, all in
    Dublin and on the "Housing" challenge, next to one visible practice."""
    dublin = site_tree["dublin"]
    housing = ChallengeFactory(name="Housing", slug="housing")
    visible = practice(dublin, title="Visible practice", challenges=[housing])

    draft = CaseStudyPageFactory(
        parent=dublin, title="Draft practice", live=False, challenges=[housing]
    )
    draft.save_revision(user=users["dublin"])

    private = practice(dublin, title="Private practice", challenges=[housing])
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    in_review = CaseStudyPageFactory(
        parent=dublin, title="Practice in review", live=False, challenges=[housing]
    )
    in_review.save_revision(user=users["dublin"])
    site_tree["workflow"].start(in_review, users["dublin"])
    in_review.refresh_from_db()
    assert in_review.workflow_in_progress  # the scenario under test: waiting for review

    return {
        "visible": visible,
        "draft": draft,
        "private": private,
        "in_review": in_review,
        "challenge": housing,
    }


HIDDEN_TITLES = ["Draft practice", "Private practice", "Practice in review"]


# --- Layout shared by every page ---


def test_base_layout_has_landmarks_skip_link_and_stylesheet(client, site_tree):
    response = client.get("/")
    html = text(response)
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and "Skip to main content" in html
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert "/static/css/site.css" in html
    assert 'href="/practices/">Practices</a>' in html
    assert 'href="/cities/">Cities</a>' in html
    assert html.index(">Practices</a>") < html.index(">Cities</a>")
    # Works without JavaScript for visitors: the one script only offers the
    # page in the browser's language (static/js/language-offer.js).
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/language-offer.js" defer>']


def test_nav_marks_the_current_section(client, site_tree):
    city = client.get("/cities/dublin/")
    assert 'href="/cities/" aria-current="true"' in text(city)
    index = client.get("/practices/")
    assert 'href="/practices/" aria-current="page"' in text(index)
    ChallengeFactory(name="Food", slug="food")
    challenge = client.get("/practices/challenges/food/")
    assert 'href="/practices/" aria-current="true"' in text(challenge)


def test_nav_leads_to_the_network_pages_and_marks_them(client, site_tree):
    home = text(client.get("/"))
    for path, label in (("/peers/", "Find peers"), ("/groups/", "Working groups"), ("/network/", "Network")):
        assert f'href="{path}">{label}</a>' in home
        assert f'href="{path}" aria-current="page">{label}</a>' in text(client.get(path))


def test_unknown_url_shows_the_404_page(client, site_tree):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert 'href="/practices/"' in text(response)  # navigation still there


def test_500_page_renders_without_any_context():
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "<main" in html


# --- Home ---


def test_home_page_shows_intro_body_latest_practices_and_cities(client, site_tree):
    home = site_tree["home"]
    home.intro = "Cities sharing what works."
    home.body = "<p>Learn from peers.</p>"
    publish(home)
    challenge = ChallengeFactory(name="Youth unemployment")
    practice(site_tree["dublin"], title="Youth guarantee", challenges=[challenge])

    response = client.get("/")
    html = text(response)
    assert response.status_code == 200
    assert headings(response)[0] == (1, "Solidarity Cities Exchange")
    assert "Cities sharing what works." in html
    assert "Learn from peers." in html
    assert "Youth guarantee" in html
    assert "Dublin, Ireland" in html  # the card's city and country
    assert 'href="/practices/challenges/youth-unemployment/"' in html
    assert "Turin" in html and "Italy" in html
    assert "Browse all case studies" in html


def test_home_page_without_practices_says_so(client, site_tree):
    response = client.get("/")
    assert "No case studies have been published yet." in text(response)


# --- Cities ---


def test_cities_index_lists_cities_with_country_and_practice_links(client, site_tree):
    case = practice(site_tree["turin"], title="Social cooperatives for care")

    response = client.get("/cities/")
    html = text(response)
    assert response.status_code == 200
    assert (2, "Dublin") in headings(response)
    assert (2, "Turin") in headings(response)
    assert "Ireland" in html and "Italy" in html
    assert f'href="{case.url}"' in html and "Social cooperatives for care" in html


def test_city_page_shows_place_facts_ecosystem_practices_and_working_groups(client, site_tree):
    dublin = site_tree["dublin"]
    dublin.region = "Leinster"
    dublin.population = 592713
    dublin.latitude = Decimal("53.349805")
    dublin.longitude = Decimal("-6.260310")
    dublin.ecosystem = "<p>A strong network of credit unions.</p>"
    publish(dublin)
    practice(dublin, title="Community energy")
    group = WorkingGroupFactory(name="Just transition", description="Energy communities.")
    group.member_cities.set([dublin, site_tree["turin"]])
    group.save()

    response = client.get("/cities/dublin/")
    html = text(response)
    assert response.status_code == 200
    assert headings(response)[0] == (1, "Dublin")
    assert "Ireland" in html
    assert "Leinster" in html
    assert "592,713" in html
    assert "53.3498, -6.2603" in html
    assert "Dublin is a member city." in html  # intro
    assert "Since 2020" in html  # the card gives the years, not the city again
    assert "A strong network of credit unions." in html
    assert "Community energy" in html
    assert "Just transition" in html and "Energy communities." in html
    assert 'href="/cities/turin/"' in html  # a fellow member city


def test_city_page_without_practices_or_groups_shows_placeholders(client, site_tree):
    response = client.get("/cities/turin/")
    html = text(response)
    assert response.status_code == 200
    assert "Italy" in html
    assert "Turin has not published a case study yet." in html
    assert "Turin is not in a working group yet." in html


# --- Case study ---


@pytest.fixture
def case_study(site_tree):
    challenge = ChallengeFactory(name="Youth unemployment", slug="youth-unemployment")
    page = CaseStudyPageFactory(
        parent=site_tree["dublin"],
        title="Youth guarantee through cooperatives",
        summary="Young people start worker cooperatives with city support.",
        start_year=2019,
        end_year=2023,
        status="scaled",
        scale="region",
        budget=Decimal("250000.00"),
        currency="EUR",
        funding_sources="Municipal budget; EU ESF+",
        language="en",
        contact_name="Aoife Byrne",
        contact_role="Programme lead",
        contact_email="aoife@example.org",
        challenges=[challenge],
        sectors=[SectorFactory(name="Care")],
    )
    page.policy_levers.set([PolicyLeverFactory(name="Public procurement")])
    page.target_groups.set([TargetGroupFactory(name="Young people")])
    page.tags.add("apprenticeships")
    page.body = json.dumps(
        [
            {"type": "context", "value": "<p>Youth unemployment was at 20%.</p>"},
            {
                "type": "quote",
                "value": {"quote": "It changed our lives.", "attribution": "A member"},
            },
            {"type": "actions", "value": "<p>The city funded ten cooperatives.</p>"},
            {"type": "lessons", "value": "<p>Start small.</p>"},
        ]
    )
    page.save()
    CaseStudyPartnerFactory(
        page=page, name="Dublin Co-op Hub", organisation_type="worker_cooperative", role="Mentoring"
    )
    CaseStudyOutcomeFactory(
        page=page, metric="People placed in work", value=120, unit="people", year=2022
    )
    CaseStudyOutcomeFactory(
        page=page, metric="Cooperatives founded", value=Decimal("12.50"), unit="", year=None
    )
    CaseStudySource.objects.create(
        page=page, url="https://example.org/report", title="Evaluation report"
    )
    return publish(page)


def test_case_study_shows_title_summary_and_facts_box(client, case_study):
    response = client.get(case_study.url)
    html = text(response)
    assert response.status_code == 200
    assert headings(response)[0] == (1, "Youth guarantee through cooperatives")
    assert "Young people start worker cooperatives with city support." in html
    assert "<aside" in html
    for value in (
        'href="/cities/dublin/">Dublin</a>',
        "Ireland",
        "2019–2023",
        "Scaled",
        "Region",
        "250,000 EUR",
        "Municipal budget; EU ESF+",
        "English",
        'href="/practices/challenges/youth-unemployment/">Youth unemployment</a>',
        "Public procurement",
        "Care",
        "Young people",
        "apprenticeships",
    ):
        assert value in html, value


def test_case_study_body_sections_are_h2_headings_in_order(client, case_study):
    response = client.get(case_study.url)
    html = text(response)
    levels = [level for level, _ in headings(response)]
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no skipped level
    titles = [title for level, title in headings(response) if level == 2]
    assert titles[:4] == ["Key facts", "Context and problem", "What was done", "Lessons learned"]
    assert "Youth unemployment was at 20%." in html
    assert "<blockquote>" in html and "It changed our lives." in html
    assert "<figcaption>— A member</figcaption>" in html


def test_case_study_shows_partners_outcomes_and_sources(client, case_study):
    response = client.get(case_study.url)
    html = text(response)
    assert "Dublin Co-op Hub" in html
    assert "Worker cooperative" in html
    assert "Mentoring" in html
    assert '<caption id="outcomes-caption">Measured results of Youth guarantee through cooperatives</caption>' in html
    assert '<th scope="row">People placed in work</th>' in html
    assert '<td class="numeric">120</td>' in html
    assert "<td>people</td>" in html
    assert '<td class="numeric">2022</td>' in html
    assert '<td class="numeric">12.5</td>' in html
    assert 'href="https://example.org/report">Evaluation report</a>' in html


def test_contact_email_hidden_from_anonymous_visitors(client, case_study):
    html = text(client.get(case_study.url))
    assert "Aoife Byrne" in html and "Programme lead" in html
    assert "aoife@example.org" not in html
    assert "Sign in" in html


def test_contact_email_shown_to_signed_in_users(client, case_study, users):
    client.force_login(users["turin"])
    html = text(client.get(case_study.url))
    assert 'href="mailto:aoife@example.org"' in html


def test_case_study_image_and_document_blocks(client, site_tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = wagtail_factories.ImageFactory(title="Workshop")
    document = wagtail_factories.DocumentFactory(title="Annual report", file__filename="report.pdf")
    page = CaseStudyPageFactory(parent=site_tree["dublin"], title="Pictures")
    page.body = json.dumps(
        [
            {
                "type": "image",
                "value": {
                    "image": image.pk,
                    "alt_text": "Members at a workshop",
                    "caption": "Spring 2023",
                },
            },
            {"type": "document", "value": {"document": document.pk, "title": ""}},
        ]
    )
    publish(page)

    html = text(client.get(page.url))
    assert 'alt="Members at a workshop"' in html
    assert "<figcaption>Spring 2023</figcaption>" in html
    assert "Annual report" in html and "(PDF" in html
    assert document.url in html


def test_related_case_studies_show_only_published_ones(client, site_tree, case_study):
    other = practice(site_tree["turin"], title="Care cooperatives in Turin")
    draft = CaseStudyPageFactory(parent=site_tree["turin"], title="Unfinished draft", live=False)
    case_study.related_case_studies.set([other, draft])
    publish(case_study)

    html = text(client.get(case_study.url))
    assert "Related case studies" in html
    assert "Care cooperatives in Turin" in html
    assert "Unfinished draft" not in html


# --- Practice index and challenge pages ---


def test_practice_index_lists_practices_newest_first_with_card_details(client, site_tree):
    challenge = ChallengeFactory(name="Food", slug="food")
    practice(site_tree["dublin"], title="Older practice", summary="Old summary.")
    practice(
        site_tree["turin"], title="Newer practice", summary="New summary.", challenges=[challenge]
    )

    response = client.get("/practices/")
    html = text(response)
    assert response.status_code == 200
    assert html.index("Newer practice") < html.index("Older practice")
    assert "Turin, Italy" in html and "Dublin, Ireland" in html
    assert "New summary." in html
    assert 'href="/practices/challenges/food/">Food</a>' in html
    assert "2 case studies" in html


def test_practice_index_filters_by_challenge(client, site_tree):
    food = ChallengeFactory(name="Food", slug="food")
    practice(site_tree["dublin"], title="Food hubs", challenges=[food])
    practice(site_tree["dublin"], title="Housing co-ops")

    response = client.get("/practices/?challenge=food")
    html = text(response)
    assert "Food hubs" in html
    assert "Housing co-ops" not in html
    assert re.search(r'name="challenge" value="food"\s+checked', html)
    assert re.search(r'aria-label="Remove filter [^"]*: Food"', html)


def test_practice_index_filters_by_city(client, site_tree):
    practice(site_tree["dublin"], title="Dublin practice")
    practice(site_tree["turin"], title="Turin practice")

    response = client.get("/practices/?city=turin")
    html = text(response)
    assert "Turin practice" in html
    assert "Dublin practice" not in html
    assert re.search(r'name="city" value="turin"\s+checked', html)
    assert re.search(r'aria-label="Remove filter [^"]*: Turin"', html)


def test_practice_index_combines_filters_and_shows_an_empty_state(client, site_tree):
    food = ChallengeFactory(name="Food", slug="food")
    practice(site_tree["dublin"], title="Food hubs", challenges=[food])

    response = client.get("/practices/?challenge=food&city=turin")
    html = text(response)
    assert response.status_code == 200
    assert "Food hubs" not in html
    assert "No published case study matches these filters yet." in html
    # removing one filter keeps the other
    assert re.search(r'href="\?challenge=food"[^>]*aria-label="Remove filter [^"]*: Turin"', html)


def test_practice_index_with_no_practices_says_so(client, site_tree):
    response = client.get("/practices/")
    assert "No case studies have been published yet." in text(response)
    assert "Clear all filters" not in text(response)


def test_practice_index_paginates_and_keeps_filters(client, site_tree):
    food = ChallengeFactory(name="Food", slug="food")
    for n in range(PAGE_SIZE + 1):
        practice(site_tree["dublin"], title=f"Food practice {n:02d}", challenges=[food])

    first = text(client.get("/practices/?challenge=food"))
    assert "Food practice 12" in first  # newest first
    assert "Food practice 00" not in first
    assert 'href="?challenge=food&amp;page=2"' in first
    assert "Next page" in first

    second = client.get("/practices/?challenge=food&page=2")
    assert second.status_code == 200
    assert "Food practice 00" in text(second)
    assert "Previous page" in text(second)

    assert client.get("/practices/?challenge=food&page=3").status_code == 404
    assert client.get("/practices/?page=99").status_code == 404


def test_challenge_page_lists_its_practices(client, site_tree):
    food = ChallengeFactory(name="Food", slug="food", description="Access to good food for all.")
    practice(site_tree["dublin"], title="Food hubs", challenges=[food])
    practice(site_tree["turin"], title="Housing co-ops")

    response = client.get("/practices/challenges/food/")
    html = text(response)
    assert response.status_code == 200
    assert headings(response)[0] == (1, "Food")
    assert "Access to good food for all." in html
    assert "Food hubs" in html
    assert "Housing co-ops" not in html
    assert client.get("/practices/challenges/food/?page=2").status_code == 404
    assert client.get("/practices/challenges/no-such-challenge/").status_code == 404


def test_challenge_page_paginates(client, site_tree):
    food = ChallengeFactory(name="Food", slug="food")
    for n in range(PAGE_SIZE + 1):
        practice(site_tree["turin"], title=f"Food practice {n:02d}", challenges=[food])

    first = text(client.get("/practices/challenges/food/"))
    assert 'href="?page=2"' in first
    assert "Food practice 00" in text(client.get("/practices/challenges/food/?page=2"))


# --- Unpublished, private and in-review case studies stay out of sight ---


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/practices/",
        "/practices/?city=dublin",
        "/practices/challenges/housing/",
        "/cities/",
        "/cities/dublin/",
    ],
)
@pytest.mark.parametrize("fragment_seconds", [0, 60], ids=["uncached", "fragments cached"])
def test_hidden_practices_never_listed(client, settings, hidden_practices, url, fragment_seconds):
    settings.PAGE_FRAGMENT_SECONDS = fragment_seconds
    for _ in range(2):  # with the fragment cache, the second answer comes from it
        response = client.get(url)
        html = text(response)
        assert response.status_code == 200
        assert "Visible practice" in html
        for title in HIDDEN_TITLES:
            assert title not in html, f"{title!r} listed on {url}"


@pytest.mark.parametrize("fragment_seconds", [0, 60], ids=["uncached", "fragments cached"])
def test_similar_practices_never_show_hidden_ones(client, settings, site_tree, hidden_practices, fragment_seconds):
    settings.PAGE_FRAGMENT_SECONDS = fragment_seconds
    practice(site_tree["turin"], title="Other housing practice", challenges=[hidden_practices["challenge"]])
    for _ in range(2):
        html = text(client.get(hidden_practices["visible"].url))
        assert "Similar practices" in html and "Other housing practice" in html
        for title in HIDDEN_TITLES:
            assert title not in html, title


def test_a_practice_leaving_the_public_leaves_cached_pages_at_once(client, settings, site_tree):
    settings.PAGE_FRAGMENT_SECONDS = 60
    food = ChallengeFactory(name="Food", slug="food")
    page = practice(site_tree["dublin"], title="Food hubs", challenges=[food])
    leaving = practice(site_tree["dublin"], title="Community kitchens", challenges=[food])
    urls = ["/", "/cities/dublin/", page.url]
    for url in urls:  # rendered and kept
        assert "Community kitchens" in text(client.get(url)), url
    leaving.unpublish()
    for url in urls:
        assert "Community kitchens" not in text(client.get(url)), url


def test_hidden_practices_not_listed_for_signed_in_users_either(client, hidden_practices, users):
    client.force_login(users["moderator"])
    for url in ("/", "/practices/", "/practices/challenges/housing/", "/cities/dublin/"):
        html = text(client.get(url))
        for title in HIDDEN_TITLES:
            assert title not in html, f"{title!r} listed on {url}"


def test_draft_and_in_review_urls_give_404(client, hidden_practices):
    assert client.get(hidden_practices["draft"].url).status_code == 404
    assert client.get(hidden_practices["in_review"].url).status_code == 404
    assert client.get(hidden_practices["visible"].url).status_code == 200


def test_unpublished_changes_to_a_live_practice_stay_unseen(client, site_tree):
    page = practice(site_tree["dublin"], title="Published title", summary="Published summary.")
    page.title = "Unpublished title"
    page.summary = "Unpublished summary."
    page.save_revision()

    for url in ("/", "/practices/", "/cities/", "/cities/dublin/", page.url):
        html = text(client.get(url))
        assert "Published title" in html, url
        assert "Unpublished title" not in html, url
    assert "Unpublished summary." not in text(client.get(page.url))


def test_private_practice_asks_anonymous_visitors_to_sign_in(client, hidden_practices):
    response = client.get(hidden_practices["private"].url)
    assert response.status_code == 302
    assert "Private practice" not in text(response)


def test_case_study_suggests_similar_published_practices(client, site_tree):
    food = ChallengeFactory(name="Food", slug="food")
    housing = ChallengeFactory(name="Housing", slug="housing")
    page = practice(site_tree["dublin"], title="Food hubs", challenges=[food])
    practice(site_tree["turin"], title="Community kitchens", challenges=[food])
    practice(site_tree["turin"], title="Housing co-ops", challenges=[housing])
    draft = CaseStudyPageFactory(parent=site_tree["turin"], title="Food draft", live=False)
    draft.challenges.set([food])
    draft.save_revision()

    html = text(client.get(page.url))
    similar = html.split("Similar practices", 1)[1]
    assert "Community kitchens" in similar
    assert "Housing co-ops" not in similar
    assert "Food draft" not in html


def test_search_results_highlight_matches_inside_the_card(client, site_tree):
    practice(
        site_tree["dublin"], title="Childcare contracts",
        summary="Social procurement of childcare from local cooperatives.",
    )
    html = text(client.get("/practices/", {"q": "procurement"}))
    card = html.split('class="card"', 1)[1].split("</article>", 1)[0]
    assert "Social <mark>procurement</mark> of childcare" in card
    assert html.count("Social <mark>procurement</mark> of childcare") == 1


def _head(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html[: html.index("</head>")]


def test_home_title_is_the_site_name_once(client, site_tree):
    head = _head(client, site_tree["home"].url)
    title = re.search(r"<title>(.*?)</title>", head, re.S).group(1).strip()
    assert title.count("|") == 0 and title == re.search(r'og:site_name" content="([^"]+)"', head).group(1)


def test_case_study_head_has_description_canonical_and_open_graph(client, site_tree):
    page = CaseStudyPageFactory(parent=site_tree["dublin"], title="Tool library", summary="Tenants lend tools & skills.")
    head = _head(client, page.url)
    assert '<meta name="description" content="Tenants lend tools &amp; skills.">' in head
    assert f'<link rel="canonical" href="{page.full_url}">' in head
    assert f'<meta property="og:url" content="{page.full_url}">' in head
    assert '<meta property="og:title" content="Tool library">' in head
    assert '<meta property="og:type" content="article">' in head
    assert re.search(r"<title>Tool library \| [^<]+</title>", head)


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_admin(client, site_tree):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines and "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_public_pages_only(client, site_tree):
    public = CaseStudyPageFactory(parent=site_tree["dublin"], title="Public practice", slug="public-practice")
    draft = CaseStudyPageFactory(parent=site_tree["dublin"], title="Draft practice", slug="draft-practice", live=False)
    private = CaseStudyPageFactory(parent=site_tree["turin"], title="Private practice", slug="private-practice")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = re.findall(r"<loc>(.*?)</loc>", response.content.decode())
    assert public.full_url in locations
    assert draft.full_url not in locations and private.full_url not in locations


def test_favicon_is_the_static_icon(client, site_tree):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")


# --- schema.org JSON-LD ---

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def json_ld(client, url):
    """The page's one JSON-LD document (beside its breadcrumb trail's
    BreadcrumbList: tests/face/test_breadcrumbs.py)."""
    response = client.get(url)
    assert response.status_code == 200
    blocks = [json.loads(block) for block in JSON_LD.findall(response.content.decode())]
    blocks = [block for block in blocks if block.get("@type") != "BreadcrumbList"]
    assert len(blocks) == 1, blocks
    return blocks[0]


def test_case_study_json_ld_describes_the_practice_its_city_and_publisher(client, site_tree):
    dublin = site_tree["dublin"]
    dublin.latitude, dublin.longitude = Decimal("53.349805"), Decimal("-6.260310")
    publish(dublin)
    housing = ChallengeFactory(name="Housing", slug="housing")
    page = practice(dublin, title="Tool library", summary="Tenants lend tools.", language="es", challenges=[housing])

    data = json_ld(client, page.url)
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["name"] == data["headline"] == "Tool library"
    assert data["description"] == "Tenants lend tools."
    assert data["url"] == page.full_url
    assert data["inLanguage"] == "es"
    assert data["dateModified"] == page.last_published_at.isoformat()
    assert data["about"] == [{"@type": "DefinedTerm", "name": "Housing"}]
    assert data["spatialCoverage"] == {
        "@type": "City",
        "name": "Dublin",
        "url": dublin.full_url,
        "geo": {"@type": "GeoCoordinates", "latitude": 53.349805, "longitude": -6.26031},
        "containedInPlace": {"@type": "Country", "name": "Ireland", "identifier": "IE"},
    }
    assert data["publisher"] == {"@type": "Organization", "name": "SCE", "url": site_tree["home"].get_site().root_url}


def test_city_json_ld_lists_only_live_public_case_studies(client, hidden_practices, site_tree):
    dublin = site_tree["dublin"]
    data = json_ld(client, dublin.url)
    assert data["@type"] == "City" and data["name"] == "Dublin" and data["url"] == dublin.full_url
    assert "geo" not in data  # no coordinates given
    assert data["containedInPlace"] == {"@type": "Country", "name": "Ireland", "identifier": "IE"}
    visible = hidden_practices["visible"]
    assert data["subjectOf"] == [{"@type": "Article", "name": "Visible practice", "url": visible.full_url}]


def test_json_ld_escapes_hostile_titles(client, site_tree):
    hostile = '</script><script>alert("x")</script><!-- & -->'
    page = practice(site_tree["dublin"], title=hostile, summary="</SCRIPT>")
    for url in (page.url, site_tree["dublin"].url):
        html = client.get(url).content.decode()
        for block in JSON_LD.findall(html):  # the page's and its breadcrumb trail's
            assert "<" not in block and ">" not in block and "&" not in block
        # The JSON-LD blocks and the language offer's script alone.
        assert hostile not in html and html.lower().count("<script") == 3
    assert json_ld(client, page.url)["name"] == hostile
    assert json_ld(client, page.url)["description"] == "</SCRIPT>"
    assert json_ld(client, site_tree["dublin"].url)["subjectOf"][0]["name"] == hostile


def test_hidden_practices_leak_into_no_head_json_ld_or_sitemap(client, hidden_practices, site_tree):
    """Drafts, private pages and pages in review: not in any public page's
    meta description, Open Graph tags, canonical link or JSON-LD, nor in the
    sitemap; their own URLs show the public nothing of theirs."""
    hidden = [hidden_practices[name] for name in ("draft", "private", "in_review")]
    pages = [
        site_tree["home"].url, site_tree["cities"].url, site_tree["dublin"].url,
        site_tree["practices"].url, hidden_practices["visible"].url, "/sitemap.xml",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for page in hidden:
            assert page.title not in html and page.get_url_parts()[2] not in html, (url, page.title)
            assert page.summary not in html, (url, page.title)
    for page in hidden:
        response = client.get(page.url)
        assert response.status_code in (302, 404)
        assert page.summary not in response.content.decode()
