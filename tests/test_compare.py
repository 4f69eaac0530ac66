"""/practices/compare/: 2 to 4 public case studies side by side, the rows
where they differ marked in words, a clear message (and no table) for every
selection that cannot be compared, and the rows higher apps add through the
``construct_compare_rows`` hook."""

import re
from html.parser import HTMLParser

import pytest
from wagtail import hooks
from wagtail.models import PageViewRestriction
from wagtail.rich_text import RichText

from practices.compare import HOOK, Cell, ComparisonRow, Entry, read_selection
from practices.factories import (
    CaseStudyOutcomeFactory,
    CaseStudyPageFactory,
    CaseStudyPartnerFactory,
    ChallengeFactory,
    CityPageFactory,
    PolicyLeverFactory,
    SectorFactory,
    publish,
)
from search import indexing

COMPARE = "/practices/compare/"
NOT_GIVEN = "—not given"  # a dash, and "not given" for screen readers


class Table(HTMLParser):
    """The compare table as text: column headers, and {row label: [cell texts]}
    with the row's header text (its label and "Differs" when marked)."""

    def __init__(self, html):
        super().__init__()
        self.columns, self.rows, self.headers = [], {}, {}
        self._cell, self._row, self._in_head, self._in_table = None, None, False, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._in_table = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._in_table:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                self.columns = self._row[1:]
            elif self._row:
                header = self._row[0]
                label = header.replace("≠ Differs", "").split("  ")[0].strip()
                label = re.sub(r" Compared on .*$", "", label)
                self.rows[label] = self._row[1:]
                self.headers[label] = header
            self._row = None
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def differs(self, label):
        return "Differs" in self.headers[label]


@pytest.fixture
def practices(site_tree):
    """Four published case studies (two in Dublin, two in Turin) with
    different facts, a draft and a private one."""
    dublin, turin = site_tree["dublin"], site_tree["turin"]
    dublin.population = 592000
    publish(dublin)
    youth = ChallengeFactory(name="Youth unemployment", slug="youth-unemployment")
    housing = ChallengeFactory(name="Affordable housing", slug="affordable-housing")
    grants = PolicyLeverFactory(name="Financial tools", slug="financial-tools")
    care = SectorFactory(name="Care", slug="care")

    def make(parent, title, **kwargs):
        return CaseStudyPageFactory(parent=parent, title=title, **kwargs)

    a = make(dublin, "Social enterprise awards", challenges=[youth], start_year=2015, status="running",
             budget=250000, currency="EUR", funding_sources="city budget",
             body=[("transferability", RichText("<p>Needs a council committee.</p>"))])
    a.policy_levers.set([grants])
    CaseStudyPartnerFactory(page=a, name="Dublin City Council", organisation_type="public_body")
    CaseStudyPartnerFactory(page=a, name="Rediscover", organisation_type="social_enterprise")
    CaseStudyOutcomeFactory(page=a, metric="Awards given", value=12, unit="awards", year=2020)
    b = make(turin, "CasaBottega", challenges=[youth, housing], start_year=2018, end_year=2021,
             status="scaled", sectors=[care])
    b.policy_levers.set([grants])
    CaseStudyPartnerFactory(page=b, name="Comune di Torino", organisation_type="public_body")
    CaseStudyPartnerFactory(page=b, name="Local foundation", organisation_type="foundation")
    c = make(turin, "Barriera workshops", challenges=[youth], start_year=2019, status="running")
    d = make(dublin, "Tool library", start_year=2021)
    pages = {name: publish(page) for name, page in zip("abcd", (a, b, c, d), strict=True)}
    draft = make(dublin, "Unpublished idea", live=False)
    private = publish(make(turin, "Members only"))
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    indexing.rebuild_entries()
    return {**pages, "draft": draft, "private": private, "youth": youth}


def url(*pages):
    return COMPARE + "?" + "&".join(f"p={getattr(p, 'pk', p)}" for p in pages)


def test_three_practices_side_by_side(client, practices):
    a, b, c = practices["a"], practices["b"], practices["c"]
    response = client.get(url(a, b, c))
    assert response.status_code == 200
    html = response.content.decode()
    table = Table(html)
    assert table.columns == [
        "Social enterprise awards Dublin, Ireland", "CasaBottega Turin, Italy", "Barriera workshops Turin, Italy",
    ]
    assert table.rows["City and population"] == ["Dublin population 592,000", "Turin", "Turin"]
    assert table.rows["Country"] == ["Ireland", "Italy", "Italy"]
    assert table.rows["Years"] == ["Since 2015", "2018–2021", "Since 2019"]
    assert table.rows["Status"] == ["Running", "Scaled", "Running"]
    assert table.rows["Scale"] == ["City", "City", "City"]
    assert table.rows["Budget and funding"] == ["250,000 EUR Funding: city budget", NOT_GIVEN, NOT_GIVEN]
    assert table.rows["Challenges"] == [
        "Youth unemployment", "Affordable housing Youth unemployment", "Youth unemployment",
    ]
    assert table.rows["Policy levers"] == ["Financial tools", "Financial tools", NOT_GIVEN]
    assert table.rows["Sectors"] == [NOT_GIVEN, "Care", NOT_GIVEN]
    assert table.rows["Partners by organisation type"] == [
        "Public body: Dublin City Council Social enterprise: Rediscover",
        "Foundation: Local foundation Public body: Comune di Torino",
        NOT_GIVEN,
    ]
    assert table.rows["Outcomes (metric, value, unit, year)"] == [
        "Awards given: 12 awards (2020)", NOT_GIVEN, NOT_GIVEN,
    ]
    assert table.rows["Transferability"] == ["Needs a council committee.", NOT_GIVEN, NOT_GIVEN]
    assert len(table.rows["Last update"]) == 3
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", table.rows["Last update"][0])

    # Rows that differ say so in words; rows that do not are left unmarked.
    assert table.differs("Status") and table.differs("Challenges") and table.differs("Years")
    assert not table.differs("Scale")
    # The exchange's row (no transfers yet).
    assert table.rows["Transfers"] == [NOT_GIVEN] * 3 and not table.differs("Transfers")
    assert "rows differ: they are marked “Differs”" in html
    # Challenges link to their challenge pages; columns to the case studies.
    assert 'href="/practices/challenges/affordable-housing/"' in html
    assert f'href="{b.url}"' in html
    # The same comparison without one of them, for each of them.
    assert f'href="?p={a.pk}&amp;p={c.pk}"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_partners_compare_on_their_organisation_types(client, practices):
    a, b = practices["a"], practices["b"]
    table = Table(client.get(url(a, b)).content.decode())
    assert table.differs("Partners by organisation type")  # social enterprise vs foundation
    CaseStudyPartnerFactory(page=b, name="Rediscover Turin", organisation_type="social_enterprise")
    b.partners.filter(organisation_type="foundation").delete()
    publish(b)
    table = Table(client.get(url(a, b)).content.decode())
    # Other organisations, of the same types: the same on this row.
    assert not table.differs("Partners by organisation type")


def test_two_and_four_columns(client, practices):
    two = Table(client.get(url(practices["d"], practices["a"])).content.decode())
    assert [c.split(" Dublin")[0] for c in two.columns] == ["Tool library", "Social enterprise awards"]
    four = client.get(url(*(practices[k] for k in "abcd")))
    assert four.status_code == 200 and len(Table(four.content.decode()).columns) == 4


@pytest.mark.parametrize(
    "values,message",
    [
        ([], "Choose at least 2 case studies to compare: none was chosen."),
        (["a"], "Choose at least 2 case studies to compare: only one was chosen."),
        (["a", "b", "c", "d", "99"], "Choose at most 4 case studies to compare: 5 were chosen."),
        (["a", "abc"], "“abc” is not a case study id"),
        (["a", "1.5"], "“1.5” is not a case study id"),
        (["a", "-3"], "“-3” is not a case study id"),
        (["a", "0"], "“0” is not a case study id"),
        (["a", "99999999999"], "“99999999999” is not a case study id"),
        (["a", ""], "“” is not a case study id"),
        (["a", "x" * 500], "“xxxxxxxxxxxxxxxxxxxx…” is not a case study id"),
        (["a", "co\x00op"], "“co\N{REPLACEMENT CHARACTER}op” is not a case study id"),
        (["a", "a"], "is chosen more than once: choose each one once."),
    ],
)
def test_malformed_selections_are_a_400_with_a_message(client, practices, values, message):
    values = [str(practices["a"].pk) if v == "a" else str(practices[v].pk) if v in "bcd" and v else v
              for v in values]
    response = client.get(COMPARE, {"p": values} if values else {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "These case studies cannot be compared" in html
    assert message in html.replace("&amp;", "&")
    assert "<table" not in html
    assert "\x00" not in html


def test_one_too_many_offers_the_chosen_ones_to_choose_again(client, practices):
    chosen = [practices[k] for k in "abcd"] + [practices["draft"]]
    response = client.get(url(*chosen))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at most 4 case studies to compare: 5 were chosen." in html
    for page in chosen[:4]:
        assert f'name="p" value="{page.pk}" checked' in html
    assert "Unpublished idea" not in html  # the draft is not offered


def test_problems_are_listed_once_each_and_at_most_five(client, practices):
    response = client.get(COMPARE, {"p": [f"bad{i}" for i in range(40)]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at most 4 case studies to compare: 40 were chosen." in html
    assert html.count("is not a case study id") == 4
    assert "…and 36 more problems like these." in html


def test_a_draft_or_private_page_is_reported_as_an_unknown_one(client, practices):
    a = practices["a"]
    unknown = max(practices[k].pk for k in practices if k != "youth") + 1000

    def answer(missing):
        response = client.get(url(a, missing))
        return response.status_code, response.content.decode().replace(str(missing), "ID")

    status, html = answer(unknown)
    assert status == 404
    assert "There is no published case study with the id ID." in html
    assert "<table" not in html
    # The public one is kept, ticked, to compare again.
    assert f'name="p" value="{a.pk}" checked' in html
    assert answer(practices["draft"].pk) == (status, html)
    assert answer(practices["private"].pk) == (status, html)
    assert "Unpublished idea" not in html and "Members only" not in html


def test_a_case_study_of_a_private_city_is_unknown(client, practices, site_tree):
    a, b = practices["a"], practices["b"]
    assert client.get(url(a, b)).status_code == 200
    PageViewRestriction.objects.create(page=site_tree["turin"], restriction_type=PageViewRestriction.LOGIN)
    response = client.get(url(a, b))
    assert response.status_code == 404
    html = response.content.decode()
    assert f"There is no published case study with the id {b.pk}." in html and "CasaBottega" not in html


def test_a_page_that_is_not_a_case_study_is_unknown_too(client, practices, site_tree):
    response = client.get(url(practices["a"], site_tree["dublin"]))
    assert response.status_code == 404
    assert f"There is no published case study with the id {site_tree['dublin'].pk}." in response.content.decode()


def test_a_higher_app_adds_a_row_through_the_hook(client, practices, monkeypatch):
    seen = []

    def extra(columns, rows, request):
        seen.append([page.pk for page in columns])
        cells = [Cell([Entry(f"{i} things")], key=i) for i, _ in enumerate(columns)]
        rows.add(ComparisonRow("things", "Things", cells), after="transferability")

    a, b = practices["a"], practices["b"]
    with hooks.register_temporarily(HOOK, extra):
        html = client.get(url(a, b)).content.decode()
    assert seen == [[a.pk, b.pk]]
    table = Table(html)
    labels = list(table.rows)
    assert labels[labels.index("Transferability") + 1] == "Things"
    assert labels[-1] == "Last update"
    assert table.rows["Things"] == ["0 things", "1 things"] and table.differs("Things")


def test_without_a_hook_there_is_no_transfers_row(client, practices, monkeypatch):
    real = hooks.get_hooks
    monkeypatch.setattr(hooks, "get_hooks", lambda name: [] if name == HOOK else real(name))
    table = Table(client.get(url(practices["a"], practices["b"])).content.decode())
    assert "Transfers" not in table.rows
    assert list(table.rows)[-2:] == ["Transferability", "Last update"]


def test_the_exchange_shows_accepted_transfers_by_public_cities(client, practices, site_tree):
    from exchange.models import Acceptance, Transfer
    from exchange.transfers import record_accepted

    a, b = practices["a"], practices["b"]
    bilbao = CityPageFactory(parent=site_tree["cities"], title="Bilbao", slug="bilbao", country="ES")
    bilbao.save_revision().publish()
    hidden = CityPageFactory(parent=site_tree["cities"], title="Hiddenburg", slug="hiddenburg", country="DE")
    hidden.save_revision().publish()
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    record_accepted(a, bilbao, stage="piloting")
    record_accepted(a, site_tree["turin"], stage="exploring")
    record_accepted(b, hidden, stage="adopted")  # a private city: not shown
    Transfer.objects.create(source=b, adopting_city=bilbao, acceptance=Acceptance.PENDING)  # not accepted yet
    table = Table(client.get(url(a, b)).content.decode())
    assert table.rows["Transfers"] == ["Adapted by 2 cities Bilbao: piloting Turin: exploring", NOT_GIVEN]
    assert table.differs("Transfers")
    labels = list(table.rows)
    assert labels[labels.index("Transferability") + 1] == "Transfers"


def test_read_selection_keeps_the_order_and_reads_no_database():
    # No database fixture: a query would raise.
    selection = read_selection(["12", " 7 ", "30"])
    assert selection.valid and selection.ids == [12, 7, 30]


def test_search_results_have_compare_checkboxes_in_a_form_of_their_own(client, practices):
    html = client.get("/practices/").content.decode()
    assert '<form method="get" action="/practices/compare/" id="compare-form"></form>' in html
    for key in "abcd":
        page = practices[key]
        assert (f'<input type="checkbox" name="p" value="{page.pk}" form="compare-form" id="compare-{page.pk}">'
                in html)
    assert '<button type="submit" form="compare-form" id="compare-submit">Compare the ticked practices</button>' in html
    # One result: nothing to compare it with on the page.
    html = client.get("/practices/", {"q": "Tool library"}).content.decode()
    assert 'form="compare-form"' not in html


def test_a_case_study_offers_to_compare_it_with_its_similar_practices(client, practices):
    a, b, c = practices["a"], practices["b"], practices["c"]
    html = client.get(a.url).content.decode()
    form = html.split('<form method="get" action="/practices/compare/" class="compare-with">', 1)[1].split("</form>")[0]
    assert f'<input type="hidden" name="p" value="{a.pk}">' in form
    # The similar practices (shared challenges on the database backend).
    assert f'<input type="checkbox" name="p" value="{b.pk}">' in form
    assert f'<input type="checkbox" name="p" value="{c.pk}">' in form
    assert "Members only" not in form
    # What the form sends compares them.
    response = client.get(COMPARE, {"p": [a.pk, c.pk]})
    assert response.status_code == 200 and len(Table(response.content.decode()).columns) == 2
