"""Export the public case studies as JSON Lines, in the format that
`practices.importing` reads (docs/import-format.md), so that an export
imports again into another database."""

import json
from html.parser import HTMLParser

from .importing import BODY_SECTIONS
from .models import TAXONOMIES, CaseStudyPage

# Tags that end a paragraph of plain text.
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "pre"}
LINE_BREAK = "\x00"


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self.current = []

    def _end_paragraph(self):
        # Whitespace in HTML is not significant; line breaks come from <br>.
        lines = ("".join(self.current)).split(LINE_BREAK)
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.current.append(LINE_BREAK)
        elif tag in BLOCK_TAGS:
            self._end_paragraph()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self._end_paragraph()

    def handle_data(self, data):
        self.current.append(data)


def html_to_text(value):
    """Rich text HTML to plain text paragraphs separated by blank lines; links
    and formatting are dropped, line breaks kept."""
    parser = _TextExtractor()
    parser.feed(str(value.source if hasattr(value, "source") else value))
    parser.close()
    parser._end_paragraph()
    return "\n\n".join(parser.paragraphs)


def _number(value):
    """A Decimal as a JSON number: an int when whole, else a float (the
    importer reads it back through its decimal string)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def external_id(page):
    """The page's own external id, or a stable one made from its translation
    key that the importer recognises (so re-importing an export into the same
    database updates the pages instead of duplicating them)."""
    return page.external_id or f"sce-{page.translation_key}"


def export_queryset():
    return (
        CaseStudyPage.objects.listable()
        .select_related("city")
        .prefetch_related(*TAXONOMIES, "tagged_items__tag", "partners", "outcomes", "sources")
        .order_by("pk")
    )


def page_record(page):
    """One case study as an import-format dict; empty optional fields are left out."""
    record = {
        "external_id": external_id(page),
        "title": page.title,
        "city": page.city.title if page.city else "",
        "country": page.city.country.code if page.city else "",
        "summary": page.summary,
    }
    for key in TAXONOMIES:
        record[key] = [term.name for term in getattr(page, key).all()]
    record["tags"] = sorted((item.tag.name for item in page.tagged_items.all()), key=str.casefold)
    record.update(
        start_year=page.start_year,
        end_year=page.end_year,
        status=page.status,
        scale=page.scale,
        budget=_number(page.budget),
        currency=page.currency,
        funding_sources=page.funding_sources,
        partners=[
            {"name": p.name, "type": p.organisation_type, "role": p.role}
            for p in page.partners.all()
        ],
        outcomes=[
            {"metric": o.metric, "value": _number(o.value), "unit": o.unit, "year": o.year}
            for o in page.outcomes.all()
        ],
        body=[
            {"section": block.block_type, "text": html_to_text(block.value)}
            for block in page.body
            if block.block_type in BODY_SECTIONS
        ],
        sources=[
            {"url": s.url, "title": s.title} if s.title else s.url for s in page.sources.all()
        ],
        language=page.language,
        contact={"name": page.contact_name, "role": page.contact_role, "email": page.contact_email},
    )
    record["contact"] = {k: v for k, v in record["contact"].items() if v}
    for group in ("partners", "outcomes"):
        record[group] = [
            {k: v for k, v in item.items() if v not in ("", None)} for item in record[group]
        ]
    record["body"] = [item for item in record["body"] if item["text"]]
    return {k: v for k, v in record.items() if v not in ("", None, [], {})}


def export_lines(queryset=None):
    """Yield one JSON line (without newline) per public case study, by page id."""
    for page in export_queryset() if queryset is None else queryset:
        yield json.dumps(page_record(page), ensure_ascii=False)


def export_to(stream):
    """Write the export to a text stream; returns the number of case studies."""
    count = 0
    for line in export_lines():
        stream.write(line + "\n")
        count += 1
    return count
