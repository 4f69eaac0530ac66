"""What the facet postings (search.backends.database.postings) read on
PostgreSQL, made cheap:

* `search_entry_change`, a log with one row per statement that writes the
  index (triggers, a truncation included): its row count and a checksum of
  its ids are the index's fingerprint, which a search reads in a fraction
  of a millisecond whatever the size of the index (a checksum of every
  entry's row version costs a scan of the index: 3-8 ms at 10,000 case
  studies). Pruned by the outbox drain (`search.outbox`);
* a partial index of the pages that are not live, read on every search (a
  page unpublished behind the index's back is never counted);
* the search vector kept in the row (STORAGE MAIN) rather than out of line:
  relevance reads the vector of every passing entry, and each out-of-line
  value costs a TOAST lookup (ranking 9,680 entries: 37 ms out of line,
  about 19 ms in the row). The rows are rewritten so that existing entries
  move too.

Nothing on SQLite (the SQL statement counts there)."""

from django.db import migrations

FORWARD = [
    "CREATE TABLE IF NOT EXISTS search_entry_change (id bigserial PRIMARY KEY)",
    """CREATE OR REPLACE FUNCTION sce_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_entry_change DEFAULT VALUES;
    RETURN NULL;
END
$$""",
    "CREATE TRIGGER search_entry_changed AFTER INSERT OR UPDATE OR DELETE ON search_searchentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION sce_entry_changed()",
    "CREATE TRIGGER search_entry_truncated AFTER TRUNCATE ON search_searchentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION sce_entry_changed()",
    "CREATE INDEX IF NOT EXISTS search_page_not_live ON wagtailcore_page (id) WHERE NOT live",
    "ALTER TABLE search_searchentry ALTER COLUMN search_vector SET STORAGE MAIN",
    "UPDATE search_searchentry SET text_a = text_a",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS search_entry_changed ON search_searchentry",
    "DROP TRIGGER IF EXISTS search_entry_truncated ON search_searchentry",
    "DROP FUNCTION IF EXISTS sce_entry_changed()",
    "DROP TABLE IF EXISTS search_entry_change",
    "DROP INDEX IF EXISTS search_page_not_live",
    "ALTER TABLE search_searchentry ALTER COLUMN search_vector SET STORAGE EXTERNAL",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_entry_newest_index"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
