"""The database backend's SQL on PostgreSQL.

Text: the generated, weighted `search_vector` column (GIN; `sce_english`:
English stemming, accents folded); every word must match (`plainto_tsquery`;
a query of stop words only matches everything, as on Elasticsearch), the
matching ids read from the GIN index by `sce_text_matches`;
relevance is `ts_rank` with weights that keep a title match above any number
of matches in the body. Facet tokens: `jsonb` lists, tested with `?|`.
Spelling: the vocabulary's trigram index (`pg_trgm`).
"""

from __future__ import annotations

from django.db import connection

from .statement import Statement

TS_CONFIG = "sce_english"  # created by search/migrations/0002_search_vector.py
# ts_rank's weights for D, C, B, A.
RANK_WEIGHTS = "{0.02, 0.1, 0.3, 1.0}"
MATERIALIZED = "MATERIALIZED "
# Ends a subquery that the planner must not merge into the query around it.
FENCE = "OFFSET 0"
# Trigram similarity a correction needs (pg_trgm's default is 0.3).
MIN_SIMILARITY = 0.35


def tsquery(st: Statement, words: list[str]) -> str:
    return f"plainto_tsquery('{TS_CONFIG}', {st.param(' '.join(words))})"


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
