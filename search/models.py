"""The database backend's search index.

`SearchEntry` is to the database backend what the Elasticsearch document is
to the Elasticsearch backend: one row per live, public case study, written by
the same editorial events (`search.signals`) from the same page data
(`search.serialise.read_pages`) and the same declaration (`search.schema`):

* `text_a` ... `text_d`: the searchable text of each weight, in the
  original's language (`language`);
* `translations`: the text of each live, public translation by language
  and weight ({"es": {"a": title, "b": summary, "c": body}}), analysed in its
  language (`schema.TEXT_LANGUAGES`);
* `facets`: every facet's values as one JSON list of `facet:value` tokens,
  so that a new facet needs no migration;
* `start_year`, `published`, `adapted_by`: the year-range filter and the
  sorts (`adapted_by`: one column per `schema.SORT_NUMBERS`);
* `card`: what a result card shows, as JSON;
* `embedding`, `embedded_hash`: the case study's vector for search by
  meaning (`search.embeddings`: 384 little-endian float32 as bytes, read
  with one `numpy.frombuffer`, where a JSON list would be parsed number by
  number and take five times the room) and the hash of the text it was
  computed from. Written by the indexing task, not with the rest of the row
  (`search.indexing.embed_entries`); a row whose text changed keeps its old
  vector until then.

The full-text index over the four text columns and the translations is the
database's own: on PostgreSQL a generated, weighted `tsvector` column with a
GIN index (each language's text with its text search configuration), on
SQLite an FTS5 table kept in step by triggers (migrations 0003, 0009). Django does
not know either; `search.backends.database` queries them.

`SearchWord` is the index's vocabulary (every word of the indexed text),
against which the database backend corrects misspelt queries.

`IndexUpdate` is the outbox of index updates that are pending (see
`search.outbox`).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import schema


class SearchEntry(models.Model):
    page = models.OneToOneField(
        "practices.CaseStudyPage", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    live_revision_id = models.IntegerField(null=True)
    text_a = models.TextField(blank=True)
    text_b = models.TextField(blank=True)
    text_c = models.TextField(blank=True)
    text_d = models.TextField(blank=True)
    facets = models.JSONField(default=list)
    start_year = models.PositiveSmallIntegerField(null=True)
    published = models.DateTimeField(null=True)
    # Nullable, so that adding it keeps SQLite's full-text triggers (a NOT
    # NULL column would rebuild the table without them); written as a number.
    adapted_by = models.IntegerField(null=True)
    card = models.JSONField(default=dict)
    # Nullable (see adapted_by); never written by `entry_from`.
    embedding = models.BinaryField(null=True)
    embedded_hash = models.CharField(max_length=32, null=True)  # noqa: DJ001 - no default: SQLite adds the column in place
    # Nullable (see adapted_by): the original's language, and the
    # translations' text (see the module docstring).
    language = models.CharField(max_length=10, null=True)  # noqa: DJ001 - no default: SQLite adds the column in place
    translations = models.JSONField(null=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        # The newest case studies (the home page) without sorting the index.
        indexes = [models.Index(fields=["-published", "-page_id"], name="search_entry_newest")]

    def __str__(self):
        return self.card.get("title", str(self.page_id))


def entry_from(data: schema.PageData, texts: dict[str, str] | None = None) -> SearchEntry:
    """The database index row of one case study (`texts`: its
    `schema.texts(data)`, when the caller has them already)."""
    text = schema.texts_by_weight(texts if texts is not None else schema.texts(data))
    row = data.row
    return SearchEntry(
        page_id=row["pk"],
        live_revision_id=row["live_revision_id"],
        text_a=text["A"],
        text_b=text["B"],
        text_c=text["C"],
        text_d=text["D"],
        language=schema.original_language(data),
        translations=schema.translations_by_weight(data),
        facets=[token for facet in schema.FACET_LIST for token in facet.tokens(data)],
        start_year=row["start_year"],
        published=row["first_published_at"],
        card=schema.card(data),
        **schema.sort_numbers(data),
    )


class SearchWord(models.Model):
    """A word of the indexed text. Words are added as pages are indexed and
    pruned by `search_index --rebuild`; a correction is only offered when
    the corrected query finds live, public pages."""

    word = models.CharField(max_length=64, primary_key=True)

    class Meta:
        verbose_name = _("search word")

    def __str__(self):
        return self.word


class IndexUpdate(models.Model):
    """An index update not yet done: the outbox (`search.outbox`).

    Written in the editor's transaction by the event that asks for the
    update, so it exists exactly when the change committed; deleted by the
    task (`search.tasks.update_pages`) once the work is done; re-sent by the
    drain (beat) while it exists."""

    page_ids = models.JSONField()
    database = models.BooleanField(default=False)  # the database index too (events over SEARCH_SYNC_LIMIT)
    es_url = models.TextField(blank=True)  # the sender's engine ("" = none) and alias, as the task carries them
    index = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)  # re-sends by the drain
    retry_at = models.DateTimeField(null=True, db_index=True)  # set by the drain: when it may re-send again

    class Meta:
        verbose_name = _("pending search index update")

    def __str__(self):
        return f"pages {self.page_ids} since {self.created:%Y-%m-%d %H:%M:%S}"
