"""Plain text from and to stored rich text.

* `text_to_html` / `html_to_text`: the import format's body sections. Plain
  text is paragraphs separated by blank lines; a single newline inside a
  paragraph is a line break. `html_to_text(text_to_html(t)) == t` for any
  plain text whose paragraphs and lines carry no extra whitespace.
* `rich_text_words`: the words only, for search indexes (no structure; fast
  enough to run over a whole catalogue).
"""

import html
import re
from html.parser import HTMLParser

# Tags that end a paragraph of plain text.
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "div", "pre"}
LINE_BREAK = "\x00"


def paragraphs(text):
    """Split plain text into paragraphs on blank lines."""
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text.strip()) if p.strip()]


def text_to_html(text):
    """Plain text paragraphs to rich text HTML (escaped, one <p> each)."""
    return "".join(
        "<p>"
        + "<br/>".join(html.escape(line.strip(), quote=False) for line in p.splitlines())
        + "</p>"
        for p in paragraphs(text)
    )


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self.current = []

    def end_paragraph(self):
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
            self.end_paragraph()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BLOCK_TAGS:
            self.end_paragraph()

    def handle_data(self, data):
        self.current.append(data)


def html_to_text(value):
    """Rich text HTML (or a RichText value) to plain text paragraphs; links
    and formatting are dropped, headings and list items become paragraphs,
    line breaks stay."""
    parser = _TextExtractor()
    parser.feed(str(value.source if hasattr(value, "source") else value))
    parser.close()
    parser.end_paragraph()
    return "\n\n".join(parser.paragraphs)


_TAG = re.compile(r"<[^>]*>")


def rich_text_words(value: str) -> str:
    """The words of a stored rich text value, separated by spaces. Wagtail
    stores rich text as well-formed HTML (a literal "<" is "&lt;"), so
    removing the tags and unescaping the entities is enough."""
    if "<" not in value and "&" not in value:
        return value
    return html.unescape(_TAG.sub(" ", value))
