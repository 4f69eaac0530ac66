"""PostgreSQL only: the full-text column of SearchEntry, computed by the
database, and its GIN index.

`sce_english` is PostgreSQL's English configuration with accents folded
first (`unaccent`, a trusted extension shipped with PostgreSQL: "Montreal"
finds "Montréal"). Where the extension cannot be created, the configuration
is plain English and accents are not folded. The column is
`GENERATED ALWAYS AS (...) STORED`, so every write through the ORM keeps it
right without Django knowing about it.
"""

from django.db import migrations

CONFIG = "sce_english"

VECTOR = (
    "setweight(to_tsvector('{c}'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('{c}'::regconfig, coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('{c}'::regconfig, coalesce(body, '')), 'C') || "
    "setweight(to_tsvector('{c}'::regconfig, coalesce(partners, '')), 'D')"
).format(c=CONFIG)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [CONFIG])
        if not cursor.fetchone():
            try:
                cursor.execute("SAVEPOINT sce_unaccent")
                cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
                cursor.execute("RELEASE SAVEPOINT sce_unaccent")
                folded = True
            except Exception:  # no permission, or contrib not installed
                cursor.execute("ROLLBACK TO SAVEPOINT sce_unaccent")
                folded = False
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.english)")
            if folded:
                cursor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
                    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
                )
        cursor.execute(
            f"ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED"
        )
        cursor.execute("CREATE INDEX search_searchentry_vector ON search_searchentry USING gin (search_vector)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS search_searchentry_vector")
        cursor.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_entry")]

    operations = [migrations.RunPython(forwards, backwards)]
