"""The database backend's SQL on SQLite (the embedded default).

Text: the FTS5 table `search_entry_fts` over the four weighted text columns
and the translations' text of the same weights (Porter stemming, accents
folded, one tokenizer for every language; migrations 0003, 0009), every
word must match;
relevance is bm25 with column weights that keep a title match first. Facet
tokens: JSON lists read with `json_each`. Spelling: rapidfuzz over the
vocabulary.
"""

from __future__ import annotations

import json

from rapidfuzz import fuzz, process

from search.models import SearchWord

from .statement import Statement

# bm25 weights of text_a ... text_d.
BM25_WEIGHTS = "10.0, 4.0, 1.0, 0.5"
MATERIALIZED = "MATERIALIZED "
# Ends a subquery that the planner must not merge into the query around it.
FENCE = "LIMIT -1 OFFSET 0"
# rapidfuzz ratio (0-100) a correction needs.
MIN_SCORE = 70


def _match(words: list[str]) -> str:
    # Each word quoted: an FTS5 string, never an operator; words are \w+.
    return " ".join(f'"{word}"' for word in words)


def text_columns(table: str, words: list[str]) -> list[str]:
    return []


def text_join(st: Statement, table: str, words: list[str]) -> str:
    return f" JOIN search_entry_fts f ON f.rowid = {table}.page_id" if words else ""


def text_condition(st: Statement, table: str, words: list[str]) -> str:
    return f"search_entry_fts MATCH {st.param(_match(words))}"


def rank_column(st: Statement, table: str, words: list[str]) -> str:
    # bm25 is lower for better matches, and only valid beside MATCH.
    return f", -bm25(search_entry_fts, {BM25_WEIGHTS}) AS text_rank" if words else ""


def rank_expression(st: Statement, table: str, words: list[str]) -> str:
    return f"{table}.text_rank"


def has_any(st: Statement, column: str, tokens: list[str]) -> str:
    marks = ", ".join(st.param(t) for t in tokens)
    return f"EXISTS (SELECT 1 FROM json_each({column}) j WHERE j.value IN ({marks}))"


def expand(column: str) -> str:
    return f"json_each({column}) AS v"


def starts_with(value: str, prefix: str) -> str:
    return f"substr({value}, 1, length({prefix})) = {prefix}"


def in_ids(st: Statement, column: str, ids) -> str:
    return f"{column} IN (SELECT value FROM json_each({st.param(json.dumps([int(i) for i in ids]))}))"


def closest_words(words: set[str]) -> dict[str, str | None]:
    """Each word's closest word of the vocabulary, or None (the vocabulary
    is read once)."""
    vocabulary = list(SearchWord.objects.values_list("word", flat=True))
    out = {}
    for word in words:
        best = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        out[word] = best[0] if best else None
    return out


def text_order(words: list[str], ids=None) -> Statement:
    """The ids of the entries matching every word (among `ids` when
    given), by relevance (then newest): the text side of the hybrid
    ranking."""
    st = Statement()  # parameters in the order the SQL text names them
    match = f"search_entry_fts MATCH {st.param(_match(words))}"
    where = f" AND {in_ids(st, 'e.page_id', ids)}" if ids is not None else ""
    st.sql = (
        f"SELECT e.page_id FROM search_entry_fts f JOIN search_searchentry e ON e.page_id = f.rowid "
        f"WHERE {match}{where} "
        f"ORDER BY bm25(search_entry_fts, {BM25_WEIGHTS}), e.published DESC NULLS LAST, e.page_id DESC"
    )
    return st
