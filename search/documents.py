"""The Elasticsearch document for case studies (elasticsearch-dsl), derived
from the declared schema (`search.schema`).

One text field per declared text field (English analysis with ASCII folding,
plus an unstemmed `.plain` sub-field for typo tolerance), the translated
fields (title, summary, body) once more per language with that language's
built-in analyser (`<field>_<language>`, `schema.TEXT_LANGUAGES`; `_other`
for a language that is none of them): the original's in its language's and
each live, public translation's in its own, one keyword field
per facet (an integer for year facets), one integer per sort number, the
card as an unindexed object, the vector for search by meaning (a
`dense_vector` of `search.embeddings`, cosine similarity, HNSW-indexed for
`knn`; absent when the case study has none yet), and
the fields that sorting, "did you mean", autocomplete and drift checks read.
The index is reached through an alias (settings.ELASTICSEARCH_INDEX);
concrete indexes are named `<alias>-<timestamp>` and swapped by
`search_index --rebuild`.
"""

from elasticsearch.dsl import (
    Completion,
    Date,
    DenseVector,
    Document,
    Integer,
    Keyword,
    Object,
    Text,
    analyzer,
    normalizer,
    token_filter,
)

from . import embeddings, schema

english_stop = token_filter("english_stop", "stop", stopwords="_english_")
english_stemmer = token_filter("english_stemmer", "stemmer", language="english")
english_possessive = token_filter("english_possessive_stemmer", "stemmer", language="possessive_english")

# English analysis with ASCII folding: "Montréal" finds "Montreal".
folded_english = analyzer(
    "folded_english",
    tokenizer="standard",
    filter=[english_possessive, "lowercase", "asciifolding", english_stop, english_stemmer],
)
# Unstemmed words, for typo tolerance and spelling suggestions: typos are
# measured against the words as written ("procuremnet" is 1 edit from
# "procurement", 5 from the stem "procur").
folded_plain = analyzer("folded_plain", tokenizer="standard", filter=["lowercase", "asciifolding"])
facet_normalizer = normalizer("facet_normalizer", filter=["lowercase", "asciifolding"])

# Query fields with their boosts, stemmed and as written.
TEXT_FIELDS = [f"{f.name}^{schema.BOOSTS[f.weight]}" for f in schema.TEXT_FIELDS]
PLAIN_FIELDS = [f"{f.name}.plain^{schema.BOOSTS[f.weight]}" for f in schema.TEXT_FIELDS]

# The languages of the per-language fields: the content languages and "other".
LANGUAGE_KEYS = [*schema.TEXT_LANGUAGES, "other"]
# A reader's own language's fields count this much more (a query in Spanish
# ranks the practices with Spanish text first).
READER_LANGUAGE_BOOST = 2


def language_field(name: str, key: str) -> str:
    """The field of a translated field's text in one language."""
    return f"{name}_{key}"


def language_fields(reader: str | None = None) -> dict[str, list[str]]:
    """Language key -> its per-language query fields with their boosts
    (`reader`'s language's boosted)."""
    out = {}
    for key in LANGUAGE_KEYS:
        factor = READER_LANGUAGE_BOOST if key == reader else 1
        out[key] = [
            f"{language_field(name, key)}^{schema.BOOSTS[schema.TEXT_WEIGHTS[name]] * factor}"
            for name in schema.TRANSLATED_FIELDS
        ]
    return out


def _analyser(key: str) -> str:
    return schema.text_language(key if key != "other" else "-").elasticsearch


def _facet_field(facet: schema.Facet):
    if facet.kind is schema.Kind.YEAR:
        return Integer()
    if facet.kind in (schema.Kind.TAXONOMY, schema.Kind.CITY):
        return Keyword(normalizer=facet_normalizer)  # slugs, matched case-insensitively
    return Keyword()


def _document_class():
    fields = {
        "page_id": Integer(),
        "spell": Text(analyzer=folded_plain),
        "suggest": Completion(analyzer=folded_plain),
        "published": Date(),
        "live_revision": Integer(),
        "card": Object(enabled=False),
        "embedding": DenseVector(dims=embeddings.DIMENSIONS, index=True, similarity="cosine"),
    }
    for text in schema.TEXT_FIELDS:
        fields[text.name] = Text(analyzer=folded_english, fields={"plain": Text(analyzer=folded_plain)})
    for key in LANGUAGE_KEYS:
        for name in schema.TRANSLATED_FIELDS:
            fields[language_field(name, key)] = Text(analyzer=_analyser(key))
    for facet in schema.FACET_LIST:
        fields[facet.name] = _facet_field(facet)
    for name in schema.SORT_NUMBERS:
        fields[name] = Integer()

    class Index:
        name = "practices"  # replaced by the settings alias at run time
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    return type("CaseStudyDocument", (Document,), {**fields, "Index": Index, "__module__": __name__})


CaseStudyDocument = _document_class()


def document(data: schema.PageData, vector=None) -> dict:
    """The index document (with `_id`) of one case study; `vector`: its
    embedding, when it has one (`search.indexing.embed_entries`)."""
    row = data.row
    values = schema.texts(data)
    translated = [fields[name] for fields in data.translations.values() for name in schema.TRANSLATED_FIELDS]
    doc = {
        "_id": str(row["pk"]),
        "page_id": row["pk"],
        **values,
        "spell": " ".join(v for v in [*values.values(), *translated] if v),
        "suggest": {"input": [row["title"], *(fields["title"] for fields in data.translations.values()),
                              *([row["city__title"]] if row["city__title"] else []),
                              *data.term_names("challenges")]},
        "published": row["first_published_at"].isoformat() if row["first_published_at"] else None,
        "live_revision": row["live_revision_id"],
        "card": schema.card(data),
    }
    for key, fields in schema.texts_by_language(data, values).items():
        for name, text in fields.items():
            doc[language_field(name, key)] = text
    for facet in schema.FACET_LIST:
        doc[facet.name] = facet.page_values(data)
    doc.update(schema.sort_numbers(data))
    if vector is not None:
        doc["embedding"] = [float(x) for x in vector]
    return doc
