"""The database backend's search index: one row per live, public case study.

`SearchEntry` is to the database backend what the Elasticsearch document is
to the Elasticsearch backend: a denormalised copy of what search reads (the
words, every facet's values, what a result card shows), written by the same
editorial events (see `search.signals`) from the same serialiser
(`search.documents.serialise_many`). One row a case study means a search
reads one table: no joins to the taxonomies, no per-request work that grows
with the number of terms.

On PostgreSQL, migration 0002 adds a `search_vector` column that the database
computes itself (`GENERATED ALWAYS AS ... STORED`: title weight A, summary B,
body C, partners D, English stemming with accents folded by `unaccent`) and a
GIN index on it. Django does not know that column; `search.backends.database`
queries it with SQL. On SQLite the text part goes through Wagtail's FTS5
index, and this table supplies the facets.
"""

from django.db import models


class SearchEntry(models.Model):
    page = models.OneToOneField(
        "practices.CaseStudyPage", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    live_revision_id = models.IntegerField(null=True)

    # Text (matched, highlighted, shown).
    title = models.TextField()
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    partners = models.TextField(blank=True)

    # Facets: slugs (JSON lists for the taxonomies).
    challenges = models.JSONField(default=list)
    sectors = models.JSONField(default=list)
    policy_levers = models.JSONField(default=list)
    target_groups = models.JSONField(default=list)
    city = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True)
    status = models.CharField(max_length=16, blank=True)
    start_year = models.PositiveSmallIntegerField(null=True)
    published = models.DateTimeField(null=True)

    # What a result card shows besides the above.
    url_path = models.TextField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    end_year = models.PositiveSmallIntegerField(null=True)
    city_name = models.CharField(max_length=255, blank=True)
    challenge_names = models.JSONField(default=list)

    class Meta:
        verbose_name = "search entry"
        verbose_name_plural = "search entries"

    def __str__(self):
        return self.title
