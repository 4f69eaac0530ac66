"""The facet postings (search.backends.database.postings): the counts,
filters and sorts the database backend computes in the process on
PostgreSQL.

* Against a brute-force count of the same entries (any database): random
  catalogues and selections, the multi-select rule, year ranges, sorts.
* Against the SQL statement (the reference, what SQLite runs) on
  PostgreSQL: the same searches give the same totals, counts and pages.
* Freshness: a write the search's own transaction made is seen, a
  rolled-back one is forgotten, a committed one from elsewhere is seen.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exchange.transfers import record_accepted
from practices.factories import (
    CaseStudyPageFactory,
    ChallengeFactory,
    CityPageFactory,
    SectorFactory,
)
from search import schema
from search.backends.contract import SearchQuery
from search.backends.database import DatabaseBackend, postings

# --- The postings alone, against brute force ---

CHALLENGES = ["a", "b", "c", "d"]
CITIES = ["x", "y", "z"]


def _entries(draw_rows):
    out = []
    for pk, (challenges, city, year, day, live, adapted) in enumerate(draw_rows, start=1):
        tokens = [f"challenge:{c}" for c in sorted(set(challenges))] + [f"city:{city}"]
        if year is not None:
            tokens.append(f"start_year:{year}")
        published = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day) if day is not None else None
        out.append((pk * 3, tokens, published, year, live, adapted))
    return out


rows = st.lists(
    st.tuples(
        st.lists(st.sampled_from(CHALLENGES), max_size=3),
        st.sampled_from(CITIES),
        st.one_of(st.none(), st.integers(2000, 2012)),
        st.one_of(st.none(), st.integers(0, 5)),  # ties on purpose
        st.booleans(),
        st.one_of(st.none(), st.integers(0, 2)),  # adapted by
    ),
    max_size=150,  # more than 64: several words per posting list
)
selections = st.fixed_dictionaries(
    {},
    optional={
        "challenge": st.lists(st.sampled_from(CHALLENGES), min_size=1, max_size=2, unique=True),
        "city": st.lists(st.sampled_from(CITIES), min_size=1, max_size=2, unique=True),
        "start_year": st.lists(st.sampled_from(["2000-2004", "2005-2009", "2010-2014"]), min_size=1, unique=True),
    },
)


def brute_force(entries, query, matching_ids):
    """The multi-select rule, spelled out entry by entry."""
    def passes(entry, name, values):
        wanted = {f"{name}:{v}" for v in schema.FACETS[name].filter_values(values)}
        return bool(wanted & set(entry[1]))

    live = [e for e in entries if e[4] and e[0] in matching_ids]
    counts, total, passing = {}, 0, []
    for entry in live:
        failed = [name for name, values in query.filters.items() if not passes(entry, name, values)]
        if len(failed) > 1:
            continue
        for token in entry[1]:
            name = token.partition(":")[0]
            if not failed or failed == [name]:
                counts[token] = counts.get(token, 0) + 1
        if not failed:
            total += 1
            passing.append(entry)
    return counts, total, passing


def sql_order(entries, sort):
    """SORT_COLUMNS of the SQL statement, in Python."""
    def key(e):
        pk, _, published, year, _, adapted = e
        if sort == "most_adapted":
            return (adapted is None, -(adapted or 0), published is None,
                    -(published.timestamp() if published else 0), -pk)
        if sort == "newest":
            return (published is None, -(published.timestamp() if published else 0), -pk)
        if sort == "oldest":
            return (published is None, published.timestamp() if published else 0, pk)
        return (year is None, -(year or 0), -pk)

    return [e[0] for e in sorted(entries, key=key)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows, filters=selections, sort=st.sampled_from(postings.SORTS), text_share=st.integers(1, 3),
       offset=st.integers(0, 20))
def test_postings_count_filter_and_sort_like_brute_force(rows, filters, sort, text_share, offset):
    entries = _entries(rows)
    index = postings.Postings(postings.Fingerprint(len(entries), 0), entries)
    matching_ids = {e[0] for i, e in enumerate(entries) if i % text_share == 0}  # "the text matched these"
    query = SearchQuery(filters=filters, sort=sort)
    counted = index.count(query, index.bits_of(index.positions(sorted(matching_ids))))
    counts, total, passing = brute_force(entries, query, matching_ids)
    assert dict(counted.rows) == counts
    assert counted.total == total
    assert index.page(counted.passing, sort, offset, 7) == sql_order(passing, sort)[offset:offset + 7]


def test_year_range_keeps_the_years_inside_and_drops_entries_without_one():
    entries = _entries([(["a"], "x", 2001, 0, True, 0), (["a"], "x", 2005, 1, True, 0), (["a"], "x", None, 2, True, 0)])
    index = postings.Postings(postings.Fingerprint(3, 0), entries)
    inside = index.everything() & index.years(2004, None)
    counted = index.count(SearchQuery(), inside)
    assert index.passing_ids(counted.passing) == [6]  # the 2005 entry
    assert index.count(SearchQuery(), index.everything() & index.years(None, 2001)).total == 1


def test_positions_drop_ids_the_postings_do_not_hold():
    index = postings.Postings(postings.Fingerprint(2, 0), _entries([(["a"], "x", 2001, 0, True, 1)] * 2))
    assert list(index.positions([3, 4, 6, 999])) == [0, 1]
    empty = postings.Postings(postings.Fingerprint(0, 0), [])
    assert list(empty.positions([3])) == []
    assert empty.count(SearchQuery(filters={"city": ["x"]}), empty.everything()).total == 0


# --- Against the SQL statement, on PostgreSQL ---

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the postings serve PostgreSQL; SQLite runs the SQL statement"
)


@pytest.fixture
def catalogue(site_tree):
    challenges = [ChallengeFactory(name=f"Challenge {c}", slug=f"challenge-{c}") for c in "abcd"]
    sectors = [SectorFactory(name=f"Sector {s}", slug=f"sector-{s}") for s in "pq"]
    cities = [site_tree["dublin"], site_tree["turin"], CityPageFactory(parent=site_tree["cities"], title="Bilbao",
                                                                     slug="bilbao", country="ES")]
    words = ["cooperative housing", "social procurement", "community energy", "repair cafe"]
    pages = []
    for i in range(90):
        page = CaseStudyPageFactory(
            parent=cities[i % 3], title=f"{words[i % 4].capitalize()} {i}",
            challenges=challenges[i % 4: i % 4 + 1 + i % 2], sectors=[sectors[i % 2]],
            start_year=1995 + (i * 7) % 30, status=["pilot", "running", "scaled", "ended"][i % 4],
        )
        pages.append(page)
    for i, page in enumerate(pages[:12]):  # adapted by 1, 2 or 3 other cities: the most_adapted sort
        for city in [c for c in cities if c.pk != page.get_parent().pk][: 1 + i % 2] + cities[2:3] * (i % 3 == 0):
            if city.pk != page.get_parent().pk:
                record_accepted(page, city, stage="exploring")
    call_command("search_index", "--rebuild", "--only", "database")
    return pages


QUERIES = [
    SearchQuery(),
    SearchQuery(page_size=50, page=2),
    SearchQuery(sort="oldest", page_size=5, page=3),
    SearchQuery(sort="start_year"),
    SearchQuery(sort="most_adapted", page_size=30),
    SearchQuery(filters={"adapted_elsewhere": ["yes"]}, sort="most_adapted"),
    SearchQuery(filters={"challenge": ["challenge-a"]}),
    SearchQuery(filters={"challenge": ["challenge-a", "challenge-c"], "city": ["turin"]}),
    SearchQuery(filters={"challenge": ["challenge-b"], "city": ["dublin", "bilbao"], "sector": ["sector-p"],
                         "start_year": ["2000-2004", "2015-2019"]}),
    SearchQuery(year_from=2000, year_to=2010, sort="newest"),
    SearchQuery(text="cooperative"),
    SearchQuery(text="cooperative housing", filters={"status": ["running", "scaled"]}, page_size=5),
    SearchQuery(text="energy", sort="oldest", year_from=2005),
    SearchQuery(text="procurement", filters={"city": ["turin"], "challenge": ["challenge-d"]}),
    SearchQuery(text="nothingmatchesthis", exact=True),
    SearchQuery(filters={"city": ["nowhere"]}),
]


def _same(result):
    return (result.total, [h.pk for h in result.hits], result.facets, result.corrected)


@postgres_only
def test_postings_give_what_the_sql_statement_gives(catalogue):
    fast, reference = DatabaseBackend(use_postings=True), DatabaseBackend(use_postings=False)
    for query in QUERIES:
        assert _same(fast.search(query)) == _same(reference.search(query)), query
    assert fast.search(SearchQuery()).total == 90
    assert [h.adapted_by for h in fast.search(SearchQuery(sort="most_adapted", page_size=5)).hits][0] >= 2


@postgres_only
def test_a_write_in_the_searchs_own_transaction_is_seen_and_forgotten_with_its_rollback(catalogue, site_tree):
    backend = DatabaseBackend(use_postings=True)
    before = backend.search(SearchQuery(filters={"city": ["turin"]})).total
    with pytest.raises(RuntimeError), transaction.atomic():
        draft = CaseStudyPageFactory(parent=site_tree["turin"], title="Rolled back", live=False)
        draft.save_revision().publish()
        inside = backend.search(SearchQuery(filters={"city": ["turin"]}))
        assert inside.total == before + 1
        assert inside.hits[0].title == "Rolled back"
        raise RuntimeError("the editor's request fails")
    after = backend.search(SearchQuery(filters={"city": ["turin"]}))
    assert after.total == before
    assert "Rolled back" not in [h.title for h in after.hits]


@postgres_only
def test_an_unpublish_is_seen_at_once(catalogue):
    backend = DatabaseBackend(use_postings=True)
    newest = backend.search(SearchQuery()).hits[0]
    page = next(p for p in catalogue if p.pk == newest.pk)
    page.unpublish()
    result = backend.search(SearchQuery())
    assert result.total == 89
    assert newest.pk not in [h.pk for h in result.hits]


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committed_by_another_connection_is_seen(site_tree):
    """The fingerprint changes with any committed write, whoever made it;
    here another connection rewrites every entry (as a rebuild by a worker
    would) after this process has read its postings."""
    from django.db import connections

    CaseStudyPageFactory(parent=site_tree["dublin"], title="Kept", challenges=[ChallengeFactory(slug="kept")])
    call_command("search_index", "--rebuild", "--only", "database")
    backend = DatabaseBackend(use_postings=True)
    assert backend.search(SearchQuery(filters={"challenge": ["kept"]})).total == 1
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("UPDATE search_searchentry SET facets = '[]'::jsonb")
    finally:
        other.close()
    assert backend.search(SearchQuery(filters={"challenge": ["kept"]})).total == 0


@postgres_only
def test_the_drain_prunes_the_change_log_and_searches_stay_right(catalogue):
    """Every write to the index adds a row to the change log (the
    fingerprint); the outbox drain on beat keeps it short."""
    from search.backends.database import postgres
    from search.tasks import drain_outbox

    backend, reference = DatabaseBackend(use_postings=True), DatabaseBackend(use_postings=False)
    query = SearchQuery(filters={"challenge": ["challenge-a"]})
    backend.search(query)
    for page in catalogue[:30]:
        page.save_revision().publish()  # each publish rewrites the page's entry
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_entry_change")
        logged = cursor.fetchone()[0]
    assert logged >= 30
    assert postgres.prune_changes(keep=5) >= logged - 6
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_entry_change")
        assert cursor.fetchone()[0] <= 6
    assert _same(backend.search(query)) == _same(reference.search(query))
    drain_outbox()  # prunes to the newest 1,000 on beat
    assert _same(backend.search(query)) == _same(reference.search(query))
