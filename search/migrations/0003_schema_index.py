"""The database index follows the declared schema (search/schema.py): text
by weight, every facet's values as one JSON list of tokens, the card as
JSON, and a vocabulary for spelling corrections.

Full-text indexes are the database's own and differ by vendor, so they are
made here with SQL rather than model fields (a `GeneratedField` of a
`SearchVector` cannot exist on SQLite):

* PostgreSQL: `search_vector`, a generated, weighted `tsvector` over
  `text_a` ... `text_d` (configuration `sce_english` from 0002) with a GIN
  index; `pg_trgm` and a trigram GIN index on the vocabulary. The wide
  columns (text, card, vector) are kept out of line, the facet tokens in
  line, so that a search scans a narrow row and reads a vector only for the
  rows that pass the facets; `sce_text_matches` reads the matching ids from
  the GIN index.
* SQLite: `search_entry_fts`, an FTS5 table over the four text columns
  (Porter stemming, accents folded) that triggers keep in step with
  `search_searchentry`.

The old rows do not fit the new columns and are removed; the search app
rebuilds the index after `migrate` when it is empty (search/apps.py).
"""

from django.db import migrations, models

CONFIG = "sce_english"

VECTOR = " || ".join(
    f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce(text_{w.lower()}, '')), '{w}')" for w in "ABCD"
)

# The ids of the entries matching a tsquery, from the GIN index: the planner
# would scan the table instead (it does not count reading each row's vector
# out of line), and a function with its own settings is planned apart.
# A query of stop words only (no lexeme) matches every entry.
MATCH_FUNCTION = """
CREATE FUNCTION sce_text_matches(query tsquery) RETURNS SETOF integer
LANGUAGE sql STABLE PARALLEL SAFE SET enable_seqscan = off AS $$
    SELECT page_id FROM search_searchentry WHERE search_vector @@ query
    UNION ALL
    SELECT page_id FROM search_searchentry WHERE numnode(query) = 0
$$
"""

NARROW_ROW = (
    "ALTER TABLE search_searchentry SET (toast_tuple_target = 128), "
    + ", ".join(f"ALTER COLUMN {c} SET STORAGE EXTERNAL" for c in ("text_a", "text_b", "text_c", "text_d", "card"))
    + ", ALTER COLUMN search_vector SET STORAGE EXTERNAL, ALTER COLUMN facets SET STORAGE MAIN"
)

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5(text_a, text_b, text_c, text_d, "
    "content='search_searchentry', content_rowid='page_id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_entry_fts(rowid, text_a, text_b, text_c, text_d) "
    "VALUES (new.page_id, new.text_a, new.text_b, new.text_c, new.text_d); END",
    "CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, text_a, text_b, text_c, text_d) "
    "VALUES ('delete', old.page_id, old.text_a, old.text_b, old.text_c, old.text_d); END",
    "CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_searchentry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, text_a, text_b, text_c, text_d) "
    "VALUES ('delete', old.page_id, old.text_a, old.text_b, old.text_c, old.text_d); "
    "INSERT INTO search_entry_fts(rowid, text_a, text_b, text_c, text_d) "
    "VALUES (new.page_id, new.text_a, new.text_b, new.text_c, new.text_d); END",
]


def clear_and_drop_vector(apps, schema_editor):
    apps.get_model("search", "SearchEntry").objects.all().delete()
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_searchentry_vector")
        schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector")


def restore_old_vector(apps, schema_editor):
    """Backwards: the 0002 column over the old text columns (the rows are
    gone: `search_index --rebuild` refills them)."""
    if schema_editor.connection.vendor == "postgresql":
        old = " || ".join(
            f"setweight(to_tsvector('{CONFIG}'::regconfig, coalesce({column}, '')), '{w}')"
            for column, w in (("title", "A"), ("summary", "B"), ("body", "C"), ("partners", "D"))
        )
        schema_editor.execute(
            f"ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({old}) STORED"
        )
        schema_editor.execute("CREATE INDEX search_searchentry_vector ON search_searchentry USING gin (search_vector)")


def create_text_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
        )
        schema_editor.execute("CREATE INDEX search_searchentry_vector ON search_searchentry USING gin (search_vector)")
        schema_editor.execute(NARROW_ROW)
        schema_editor.execute(MATCH_FUNCTION)
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX search_searchword_trgm ON search_searchword USING gin (word gin_trgm_ops)"
        )
    elif vendor == "sqlite":
        for statement in SQLITE_FTS:
            schema_editor.execute(statement)


def drop_text_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS sce_text_matches(tsquery)")
        schema_editor.execute("DROP INDEX IF EXISTS search_searchword_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS search_searchentry_vector")
        schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector")
    elif vendor == "sqlite":
        for name in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS search_entry_fts_{name}")
        schema_editor.execute("DROP TABLE IF EXISTS search_entry_fts")


OLD_FIELDS = [
    "title", "summary", "body", "partners", "challenges", "sectors", "policy_levers", "target_groups", "city",
    "country", "status", "url_path", "language", "end_year", "city_name", "challenge_names",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0002_search_vector")]

    operations = [
        migrations.RunPython(clear_and_drop_vector, restore_old_vector),
        *[migrations.RemoveField("searchentry", name) for name in OLD_FIELDS],
        migrations.AddField("searchentry", "text_a", models.TextField(blank=True, default=""), preserve_default=False),
        migrations.AddField("searchentry", "text_b", models.TextField(blank=True, default=""), preserve_default=False),
        migrations.AddField("searchentry", "text_c", models.TextField(blank=True, default=""), preserve_default=False),
        migrations.AddField("searchentry", "text_d", models.TextField(blank=True, default=""), preserve_default=False),
        migrations.AddField("searchentry", "facets", models.JSONField(default=list)),
        migrations.AddField("searchentry", "card", models.JSONField(default=dict)),
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.CharField(max_length=64, primary_key=True, serialize=False))],
            options={"verbose_name": "search word"},
        ),
        migrations.RunPython(create_text_indexes, drop_text_indexes),
    ]
