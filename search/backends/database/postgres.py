"""The database backend's SQL on PostgreSQL.

Text: the generated, weighted `search_vector` column (GIN): the original's
text analysed with its language's text search configuration and each
translation's with its own (`sce_english`, `sce_spanish`, ..., `sce_simple`
for Polish: stemming, accents folded; migration 0009); every word must match
in some language (`sce_query`: each word in every configuration OR-ed, so
"cooperativas" finds a Spanish "cooperativa" and Polish words are found as
written; a word some language calls a stop word is left out, and a query of
stop words only matches everything, as on Elasticsearch), the matching ids
read from the GIN index by `sce_text_matches`;
relevance is `ts_rank` with weights that keep a title match above any number
of matches in the body. Facet tokens: `jsonb` lists, tested with `?|`.
Spelling: the vocabulary's trigram index (`pg_trgm`).
"""

from __future__ import annotations

from django.db import connection

from .statement import Statement

# The query of a search text in every language (search/migrations/0009_text_languages.py).
QUERY_FUNCTION = "sce_query"
# ts_rank's weights for D, C, B, A.
RANK_WEIGHTS = "{0.02, 0.1, 0.3, 1.0}"
MATERIALIZED = "MATERIALIZED "
# Ends a subquery that the planner must not merge into the query around it.
FENCE = "OFFSET 0"
# Trigram similarity a correction needs (pg_trgm's default is 0.3).
MIN_SIMILARITY = 0.35


def tsquery(st: Statement, words: list[str]) -> str:
    return f"{QUERY_FUNCTION}({st.param(' '.join(words))})"


def text_columns(table: str, words: list[str]) -> list[str]:
    """The columns the text test and the rank read later (a TOAST pointer
    until then: the vector is only read for the rows that get that far)."""
    return [f"{table}.search_vector"] if words else []


def text_join(st: Statement, table: str, words: list[str]) -> str:
    """The entries matching every word, by their ids from the GIN index
    (`sce_text_matches`, migration 0003)."""
    if not words:
        return ""
    return f" JOIN sce_text_matches({tsquery(st, words)}) AS t(page_id) ON t.page_id = {table}.page_id"


def text_condition(st: Statement, table: str, words: list[str]) -> str:
    return ""  # the join does it


def rank_column(st: Statement, table: str, words: list[str]) -> str:
    """Nothing: the rank is computed for the rows passing every facet only."""
    return ""


def rank_expression(st: Statement, table: str, words: list[str]) -> str:
    return f"ts_rank('{RANK_WEIGHTS}', {table}.search_vector, {tsquery(st, words)})"


def has_any(st: Statement, column: str, tokens: list[str]) -> str:
    return f"({column} ?| {st.param(tokens)}::text[])"


def expand(column: str) -> str:
    """A FROM item giving one row (`v.value`) per token of the list."""
    return f"jsonb_array_elements_text({column}) AS v(value)"


def starts_with(value: str, prefix: str) -> str:
    return f"starts_with({value}, {prefix})"


def in_ids(st: Statement, column: str, ids) -> str:
    """`column` is one of `ids`, passed as ONE parameter."""
    return f"{column} = ANY({st.param('{' + ','.join(str(int(i)) for i in ids) + '}')}::integer[])"


def closest_words(words: set[str]) -> dict[str, str | None]:
    """Each word's closest word of the vocabulary, or None (one query a
    word, each through the trigram index)."""
    out = {}
    with connection.cursor() as cursor:
        for word in words:
            cursor.execute(
                "SELECT word FROM search_searchword WHERE word %% %s AND similarity(word, %s) >= %s "
                "ORDER BY similarity(word, %s) DESC, word LIMIT 1",
                [word, word, MIN_SIMILARITY, word],
            )
            row = cursor.fetchone()
            out[word] = row[0] if row else None
    return out


# --- Facet postings (search.backends.database.postings) ---

# The index's fingerprint: the changes to the index that this snapshot sees.
# Every statement that writes search_searchentry (a truncation too) adds a
# row to search_entry_change (a trigger, migration 0006), so the fingerprint
# changes with any write visible to the reader: another transaction's once
# it commits, the reader's own at once, never a rolled-back one.
FINGERPRINT = (
    "SELECT count(*) AS entries, coalesce(sum(hashint8(c.id)), 0) AS checksum FROM search_entry_change c"
)


def matching_statement(words: list[str]) -> Statement:
    """One row, read in one snapshot: the index's fingerprint, the ids of
    the entries matching every word (None without words), and the ids of
    the pages that are not live (a page unpublished by a path that skipped
    the index update; through the partial index of migration 0006)."""
    st = Statement()
    matches = "NULL"
    if words:
        matches = f"(SELECT array_agg(t.page_id) FROM sce_text_matches({tsquery(st, words)}) AS t(page_id))"
    st.sql = (
        f"SELECT f.entries, f.checksum, {matches}, "
        f"(SELECT array_agg(p.id) FROM wagtailcore_page p WHERE NOT p.live) FROM ({FINGERPRINT}) f"
    )
    return st


# The fingerprint, then every entry with what the postings keep (one row of
# nulls when there is none), in one snapshot.
POSTINGS = (
    f"SELECT f.entries, f.checksum, e.page_id, e.facets, e.published, e.start_year, coalesce(p.live, false), "
    f"e.adapted_by "
    f"FROM ({FINGERPRINT}) f LEFT JOIN (search_searchentry e LEFT JOIN wagtailcore_page p ON p.id = e.page_id) "
    f"ON true"
)


def prune_changes(keep: int = 1000) -> int:
    """Keep the change log to about its newest `keep` rows (the drain, on
    beat); deleting rows changes the fingerprint: each process reads its
    postings once more."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM search_entry_change WHERE id <= (SELECT max(id) FROM search_entry_change) - %s", [keep]
        )
        return cursor.rowcount


def ranked_statement(words: list[str], ids, limit: int, offset: int) -> Statement:
    """The requested page of `ids` by relevance to the words (then newest)."""
    st = Statement()
    st.sql = (
        f"SELECT e.page_id FROM search_searchentry e WHERE {in_ids(st, 'e.page_id', ids)} "
        f"ORDER BY {rank_expression(st, 'e', words)} DESC, e.published DESC NULLS LAST, e.page_id DESC "
        f"LIMIT {st.param(limit)} OFFSET {st.param(offset)}"
    )
    return st


def text_order(words: list[str], ids=None) -> Statement:
    """The ids of the entries matching every word (among `ids` when
    given), by relevance (then newest): the text side of the hybrid
    ranking."""
    st = Statement()  # parameters in the order the SQL text names them
    join = f"JOIN sce_text_matches({tsquery(st, words)}) AS t(page_id) ON t.page_id = e.page_id"
    where = f" WHERE {in_ids(st, 'e.page_id', ids)}" if ids is not None else ""
    rank = rank_expression(st, "e", words)
    st.sql = (
        f"SELECT e.page_id FROM search_searchentry e {join}{where} "
        f"ORDER BY {rank} DESC, e.published DESC NULLS LAST, e.page_id DESC"
    )
    return st
