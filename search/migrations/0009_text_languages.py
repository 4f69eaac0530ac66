"""Each language's text analysed in its own language (search.schema.TEXT_LANGUAGES).

The entry keeps the original's language and the text of each live, public
translation by language and weight (`translations`).

* PostgreSQL: a text search configuration per language, `sce_<name>`,
  PostgreSQL's own with accents folded first (as `sce_english`, 0002):
  spanish, french, italian, portuguese, dutch, and `sce_simple` (no
  stemming) for Polish, which PostgreSQL has no configuration for, and for
  any other language. `search_vector` is rebuilt: the original's text
  (`text_a` ... `text_d`) with its language's configuration, and each
  translation's with its own, at the same weights. `sce_query(text)` is the
  query of a search text: each word in every configuration, OR-ed, the words
  AND-ed; a word that some language calls a stop word is left out (as a
  query of stop words only, it matches everything).
* SQLite: the FTS5 triggers index the translations' text with the
  original's, in the weighted columns (one tokenizer for every language:
  Porter, accents folded).
"""

from django.db import migrations, models

# (language code, PostgreSQL configuration) of the content languages; any
# other language is analysed with sce_simple.
LANGUAGES = [
    ("en", "english"),
    ("es", "spanish"),
    ("fr", "french"),
    ("it", "italian"),
    ("pt", "portuguese"),
    ("pl", "simple"),
    ("nl", "dutch"),
]
NEW_CONFIGS = ["spanish", "french", "italian", "portuguese", "dutch", "simple"]
WEIGHTS = "ABCD"
TRANSLATED_WEIGHTS = "ABC"  # title, summary, body


def _original(config: str) -> str:
    return " || ".join(
        f"setweight(to_tsvector('sce_{config}'::regconfig, coalesce(text_{w.lower()}, '')), '{w}')"
        for w in WEIGHTS
    )


def _translations() -> str:
    return " || ".join(
        f"setweight(to_tsvector('sce_{config}'::regconfig, coalesce(translations -> '{code}' ->> '{w.lower()}', '')), "
        f"'{w}')"
        for code, config in LANGUAGES
        for w in TRANSLATED_WEIGHTS
    )


ORIGINAL = (
    "CASE coalesce(nullif(language, ''), 'en') "
    + " ".join(f"WHEN '{code}' THEN {_original(config)}" for code, config in LANGUAGES)
    + f" ELSE {_original('simple')} END"
)
VECTOR = f"({ORIGINAL}) || {_translations()}"

OLD_VECTOR = " || ".join(
    f"setweight(to_tsvector('sce_english'::regconfig, coalesce(text_{w.lower()}, '')), '{w}')"
    for w in WEIGHTS
)

QUERY_CONFIGS = ", ".join(
    f"'sce_{config}'" for config in dict.fromkeys(config for _, config in LANGUAGES)
)
QUERY_FUNCTION = rf"""
CREATE OR REPLACE FUNCTION sce_query(query text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    word text;
    config regconfig;
    one tsquery;
    any_language tsquery;
    stop boolean;
    result tsquery;
BEGIN
    FOREACH word IN ARRAY regexp_split_to_array(coalesce(query, ''), '\s+') LOOP
        CONTINUE WHEN word = '';
        any_language := NULL;
        stop := false;
        FOREACH config IN ARRAY ARRAY[{QUERY_CONFIGS}]::regconfig[] LOOP
            one := plainto_tsquery(config, word);
            IF numnode(one) = 0 THEN
                stop := true;
                EXIT;
            END IF;
            any_language := CASE WHEN any_language IS NULL THEN one ELSE any_language || one END;
        END LOOP;
        IF NOT stop THEN
            result := CASE WHEN result IS NULL THEN any_language ELSE result && any_language END;
        END IF;
    END LOOP;
    -- No word left (stop words only): the empty query, which matches everything.
    RETURN coalesce(result, plainto_tsquery('simple', ''));
END
$$
"""


def _fts(text: str, row: str) -> str:
    """The FTS5 text of one weighted column: the original's, then the
    translations' of that weight."""
    if text == "d":
        return f"{row}.text_d"
    return (
        f"{row}.text_{text} || coalesce(char(10) || (SELECT group_concat(json_extract(j.value, '$.{text}'), char(10)) "
        f"FROM json_each({row}.translations) j), '')"
    )


def _sqlite_triggers(new: bool) -> list[str]:
    def values(row):
        return ", ".join(_fts(w, row) if new else f"{row}.text_{w}" for w in "abcd")

    columns = "text_a, text_b, text_c, text_d"
    insert = (
        f"INSERT INTO search_entry_fts(rowid, {columns}) VALUES (new.page_id, {values('new')});"
    )
    delete = (
        f"INSERT INTO search_entry_fts(search_entry_fts, rowid, {columns}) "
        f"VALUES ('delete', old.page_id, {values('old')});"
    )
    return [
        *(
            f"DROP TRIGGER IF EXISTS search_entry_fts_{name}"
            for name in ("insert", "delete", "update")
        ),
        f"CREATE TRIGGER search_entry_fts_insert AFTER INSERT ON search_searchentry BEGIN {insert} END",
        f"CREATE TRIGGER search_entry_fts_delete AFTER DELETE ON search_searchentry BEGIN {delete} END",
        f"CREATE TRIGGER search_entry_fts_update AFTER UPDATE ON search_searchentry BEGIN {delete} {insert} END",
    ]


def _vector_column(schema_editor, expression: str):
    schema_editor.execute("DROP INDEX IF EXISTS search_searchentry_vector")
    schema_editor.execute("ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(
        f"ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED"
    )
    schema_editor.execute(
        "ALTER TABLE search_searchentry ALTER COLUMN search_vector SET STORAGE MAIN"
    )  # 0006
    schema_editor.execute(
        "CREATE INDEX search_searchentry_vector ON search_searchentry USING gin (search_vector)"
    )


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in _sqlite_triggers(new=True):
            schema_editor.execute(statement)
        return
    if vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        # Accents are folded where sce_english folds them (0002: unaccent).
        cursor.execute(
            "SELECT 1 FROM pg_ts_config_map m JOIN pg_ts_config c ON c.oid = m.mapcfg "
            "JOIN pg_ts_dict d ON d.oid = ANY(ARRAY[m.mapdict]) WHERE c.cfgname = 'sce_english' "
            "AND d.dictname = 'unaccent'"
        )
        folded = cursor.fetchone() is not None
        for config in NEW_CONFIGS:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [f"sce_{config}"])
            if cursor.fetchone():
                continue
            cursor.execute(
                f"CREATE TEXT SEARCH CONFIGURATION sce_{config} (COPY = pg_catalog.{config})"
            )
            if folded:
                stem = "simple" if config == "simple" else f"{config}_stem"
                cursor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION sce_{config} "
                    f"ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stem}"
                )
    _vector_column(schema_editor, VECTOR)
    schema_editor.execute(QUERY_FUNCTION)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in _sqlite_triggers(new=False):
            schema_editor.execute(statement)
        return
    if vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS sce_query(text)")
    _vector_column(schema_editor, OLD_VECTOR)
    for config in NEW_CONFIGS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS sce_{config}")


class Migration(migrations.Migration):
    dependencies = [("search", "0008_entry_embedding")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="language",
            field=models.CharField(max_length=10, null=True),
        ),
        migrations.AddField(
            model_name="searchentry", name="translations", field=models.JSONField(null=True)
        ),
        migrations.RunPython(forwards, backwards),
    ]
