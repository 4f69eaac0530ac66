"""Case studies side by side: `/practices/compare/?p=<page id>&p=...`
(served by `PracticeIndexPage.compare`).

`read_selection(values)` checks the `p` values (2 to 4 whole numbers, each
once) without touching the database; `load_practices(ids)` reads the chosen
case studies that the public may see, in one query per kind of thing
whatever the number of columns; `comparison_rows(practices, index, request)`
makes the rows: one per structured field, each cell a list of entries, the
row marked as differing when its cells' comparison keys are not all equal.
A page that is a draft or private is reported exactly as an unknown id.

Higher apps add rows through the ``construct_compare_rows`` Wagtail hook,
called as ``fn(practices, rows, request)`` after the rows of this module are
made (practices import no higher app). ``practices`` are the columns, in
order (CaseStudyPage, live and public); ``rows`` is a `ComparisonRows`,
to which a hook adds its rows with ``rows.add(row, after="transferability")``;
it must read what it shows for all the columns at once (a constant number of
queries), and only what the public may see. Without such a hook, there is no
row for it: the exchange app adds its "transfers" row this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timezone import localdate
from django.utils.translation import gettext, ngettext
from wagtail import hooks

from .models import CaseStudyPage, OrganisationType
from .richtext import html_to_text

MIN_COLUMNS, MAX_COLUMNS = 2, 4
PARAMETER = "p"
# A page id: a positive whole number that fits the page table's key.
PAGE_ID = re.compile(r"[1-9][0-9]{0,9}")
MAX_PAGE_ID = 2**31 - 1
MAX_MESSAGES = 5  # problems listed; the rest are counted
MAX_OFFERED = 12  # public case studies offered to choose again, after a refusal
SHOWN_LENGTH = 20
HOOK = "construct_compare_rows"


# --- The selection ---


@dataclass
class Selection:
    """The page ids asked for, in order, and what is wrong with them."""

    ids: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def _shown(value: str) -> str:
    """A value quoted in a message: printable, and short."""
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in value)
    return f"“{text[:SHOWN_LENGTH]}…”" if len(text) > SHOWN_LENGTH else f"“{text}”"


def read_selection(values: list[str]) -> Selection:
    """The ids of the `p` values, or the problems that make them malformed:
    not a page id, a page chosen twice, fewer than MIN_COLUMNS or more than
    MAX_COLUMNS case studies. Reads no database."""
    selection = Selection()
    seen = set()
    problems = []
    for value in values:
        text = value.strip()
        if not PAGE_ID.fullmatch(text) or int(text) > MAX_PAGE_ID:
            problems.append(
                gettext("%(value)s is not a case study id (a whole number, as in the links of the search).")
                % {"value": _shown(value)}
            )
            continue
        page_id = int(text)
        if page_id in seen:
            problems.append(
                gettext("Case study %(id)d is chosen more than once: choose each one once.") % {"id": page_id}
            )
            continue
        seen.add(page_id)
        selection.ids.append(page_id)
    count = len(values)
    if count < MIN_COLUMNS:
        if not count:
            too_few = gettext("Choose at least %(min)d case studies to compare: none was chosen.")
        else:
            too_few = gettext("Choose at least %(min)d case studies to compare: only one was chosen.")
        problems.insert(0, too_few % {"min": MIN_COLUMNS})
    elif count > MAX_COLUMNS:
        problems.insert(0, gettext("Choose at most %(max)d case studies to compare: %(count)d were chosen.") % {
            "max": MAX_COLUMNS, "count": count,
        })
    if len(problems) > MAX_MESSAGES:
        more = len(problems) - MAX_MESSAGES
        problems = problems[:MAX_MESSAGES] + [
            ngettext("…and %(count)d more problem like these.", "…and %(count)d more problems like these.", more)
            % {"count": more}
        ]
    selection.problems = problems
    return selection


def load_practices(ids: list[int]) -> tuple[list[CaseStudyPage], list[int]]:
    """(the case studies among `ids` that the public may see, in the order
    of `ids`; the ids that are not one: unknown, draft or private alike)."""
    pages = (
        CaseStudyPage.objects.listable()
        .filter(pk__in=ids)
        .select_related("city")
        .prefetch_related("challenges", "policy_levers", "sectors", "target_groups", "partners", "outcomes")
    )
    by_id = {page.pk: page for page in pages}
    return [by_id[i] for i in ids if i in by_id], [i for i in ids if i not in by_id]


def missing_message(page_id: int) -> str:
    """What the page says of an id that is not a public case study (the same
    words for an unknown id, a draft and a private page)."""
    return gettext("There is no published case study with the id %(id)d.") % {"id": page_id}


# --- The rows ---


@dataclass
class Entry:
    """One thing shown in a cell: text, linked when `url` is given, or
    `html` (safe, rendered as is)."""

    text: str = ""
    url: str | None = None
    html: SafeString | None = None


@dataclass
class Cell:
    """One column's value in a row: its entries (none: "not given") and the
    key it is compared on, hashable (by default the entries' texts)."""

    entries: list[Entry] = field(default_factory=list)
    key: object = None

    def __post_init__(self):
        if self.key is None:
            self.key = tuple(entry.text or str(entry.html or "") for entry in self.entries)


@dataclass
class ComparisonRow:
    """One field across the columns. `note`: how the row is compared, when
    that is not plain equality of what it shows."""

    name: str
    label: str
    cells: list[Cell]
    note: str = ""

    @property
    def differs(self) -> bool:
        return len({cell.key for cell in self.cells}) > 1


class ComparisonRows(list):
    """The rows, in order; hooks add theirs with `add`."""

    def add(self, row: ComparisonRow, *, after: str | None = None):
        """Add `row` after the row named `after` (at the end when there is none)."""
        for index, existing in enumerate(self):
            if existing.name == after:
                self.insert(index + 1, row)
                return
        self.append(row)

    @property
    def differing(self) -> int:
        return sum(row.differs for row in self)


def _terms(terms, url=None) -> Cell:
    terms = list(terms)
    return Cell([Entry(t.name, url(t) if url else None) for t in terms], key=frozenset(t.slug for t in terms))


def _city(page, request) -> Cell:
    city = page.city
    if city is None:
        return Cell()
    entries = [Entry(city.title, city.get_url(request))]
    if city.population:
        entries.append(Entry(gettext("population %(count)s") % {"count": intcomma(city.population)}))
    return Cell(entries, key=(city.pk, city.population))


def _budget(page) -> Cell:
    entries = []
    if page.budget is not None:
        entries.append(Entry(f"{floatformat(page.budget, '-2g')} {page.currency}".strip()))
    if page.funding_sources:
        entries.append(Entry(gettext("Funding: %(sources)s") % {"sources": page.funding_sources}))
    return Cell(entries, key=(page.budget, page.currency, page.funding_sources.casefold()))


def _partners(page) -> Cell:
    by_type = {}
    for partner in page.partners.all():
        by_type.setdefault(partner.organisation_type, []).append(partner.name)
    labels = dict(OrganisationType.choices)
    entries = [
        Entry(f"{labels.get(kind, kind)}: {', '.join(names)}")
        for kind, names in sorted(by_type.items(), key=lambda item: labels.get(item[0], item[0]))
    ]
    return Cell(entries, key=frozenset(by_type))


def _outcomes(page) -> Cell:
    outcomes = list(page.outcomes.all())
    entries = []
    for outcome in outcomes:
        text = f"{outcome.metric}: {outcome.display_value}"
        if outcome.unit:
            text += f" {outcome.unit}"
        if outcome.year:
            text += f" ({outcome.year})"
        entries.append(Entry(text))
    key = frozenset((o.metric.casefold(), o.value, o.unit.casefold(), o.year) for o in outcomes)
    return Cell(entries, key=key)


def _transferability(page) -> Cell:
    blocks = [block for block in page.body if block.block_type == "transferability"]
    entries = [Entry(html=mark_safe(str(block.value))) for block in blocks]  # rich text, already safe
    key = " ".join(" ".join(html_to_text(block.value).split()) for block in blocks)
    return Cell(entries, key=key)


def _choice(page, name) -> Cell:
    return Cell([Entry(getattr(page, f"get_{name}_display")())], key=getattr(page, name))


def comparison_rows(practices: list[CaseStudyPage], index, request=None) -> ComparisonRows:
    """The rows comparing `practices` (from `load_practices`), then those
    the ``construct_compare_rows`` hooks add. `index`: the practice index
    page, whose challenge pages the challenges link to."""

    def row(name, label, make, note=""):
        return ComparisonRow(name, label, [make(page) for page in practices], note)

    def years(page):
        return Cell([Entry(capfirst(page.years))] if page.years else [], key=(page.start_year, page.end_year))

    def updated(page):
        when = page.last_published_at and localdate(page.last_published_at)
        return Cell([Entry(date_format(when, "j F Y"))] if when else [], key=when or None)

    rows = ComparisonRows([
        row("city", gettext("City and population"), lambda p: _city(p, request)),
        row("country", gettext("Country"), lambda p: Cell([Entry(p.country.name)] if p.city else [],
                                                 key=p.country.code if p.city else None)),
        row("years", gettext("Years"), years),
        row("status", gettext("Status"), lambda p: _choice(p, "status")),
        row("scale", gettext("Scale"), lambda p: _choice(p, "scale")),
        row("budget", gettext("Budget and funding"), _budget),
        row("challenges", gettext("Challenges"), lambda p: _terms(p.challenges.all(), index.challenge_url)),
        row("policy_levers", gettext("Policy levers"), lambda p: _terms(p.policy_levers.all())),
        row("sectors", gettext("Sectors"), lambda p: _terms(p.sectors.all())),
        row("target_groups", gettext("Target groups"), lambda p: _terms(p.target_groups.all())),
        row("partners", gettext("Partners by organisation type"), _partners,
            note=gettext("Compared on the types of organisation involved.")),
        row("outcomes", gettext("Outcomes (metric, value, unit, year)"), _outcomes),
        row("transferability", gettext("Transferability"), _transferability),
        row("updated", gettext("Last update"), updated),
    ])
    for construct in hooks.get_hooks(HOOK):
        construct(practices, rows, request)
    return rows


# --- The page ---


@dataclass
class Comparison:
    """What the compare page shows, and its HTTP status."""

    practices: list[CaseStudyPage] = field(default_factory=list)
    rows: ComparisonRows = field(default_factory=ComparisonRows)
    problems: list[str] = field(default_factory=list)
    status: int = 200

    @property
    def remove_links(self) -> list[dict]:
        """{"practice", "url"}: the same comparison without that case study
        (none when that would leave fewer than MIN_COLUMNS)."""
        if self.problems or len(self.practices) <= MIN_COLUMNS:
            return []
        return [
            {"practice": page, "url": query_string([p.pk for p in self.practices if p is not page])}
            for page in self.practices
        ]


def query_string(ids) -> str:
    """`?p=1&p=2`: the compare URL's query string for these page ids."""
    return "?" + urlencode([(PARAMETER, i) for i in ids])


def compare(values: list[str], index, request=None) -> Comparison:
    """The comparison of the case studies the `p` values name: a 400 with
    the problems when the values are malformed, a 404 naming the ids that
    are no public case study, the columns and rows otherwise. With a 400 or
    a 404, the public case studies among the ids are kept, to choose again."""
    selection = read_selection(values)
    if not selection.valid:
        # The public ones among the well-formed ids, ticked, to choose again
        # (one too many, say): no more than a page of them.
        practices, _ = load_practices(selection.ids[:MAX_OFFERED]) if selection.ids else ([], [])
        return Comparison(practices=practices, problems=selection.problems, status=400)
    practices, missing = load_practices(selection.ids)
    if missing:
        return Comparison(practices=practices, problems=[missing_message(i) for i in missing], status=404)
    return Comparison(practices=practices, rows=comparison_rows(practices, index, request))
