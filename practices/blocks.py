"""StreamField blocks for a case study body: the sections peers look for,
plus quotes, images and document links."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

SECTION_FEATURES = ["h3", "bold", "italic", "link", "ol", "ul"]

# (block name, heading shown to readers, help for editors). The names are also
# the `section` values of the import format.
SECTIONS = [
    ("context", _("Context and problem"), _("The situation and the problem the city faced.")),
    ("actions", _("What was done"), _("The practice itself: who did what, how, with which means.")),
    ("results", _("Results"), _("What changed. Put measured figures in Outcomes as well.")),
    ("lessons", _("Lessons learned"), _("What worked, what did not, what you would do differently.")),
    ("transferability", _("Transferability"), _("What another city needs to copy it.")),
    ("resources", _("Resources"), _("Further reading, tools, contacts.")),
]
SECTION_NAMES = [name for name, _, _ in SECTIONS]
SECTION_LABELS = {name: label for name, label, _ in SECTIONS}


class SectionBlock(blocks.RichTextBlock):
    class Meta:
        icon = "doc-full"
        template = "practices/blocks/section.html"


class TextBlock(blocks.RichTextBlock):
    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "practices/blocks/text.html"
        description = _("A paragraph outside the standard sections.")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "practices/blocks/quote.html"
        description = _("A quotation from someone involved, with attribution.")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(
        max_length=250, help_text=_("Describe the image for people who cannot see it.")
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "practices/blocks/image.html"
        description = _("An image with alternative text and an optional caption.")


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(required=False, max_length=250, help_text=_("Defaults to the document title."))

    class Meta:
        icon = "doc-full-inverse"
        template = "practices/blocks/document_link.html"
        description = _("A link to a report, template or other document.")


class CaseStudyBodyBlock(blocks.StreamBlock):
    context = SectionBlock(label=SECTION_LABELS["context"], features=SECTION_FEATURES, help_text=SECTIONS[0][2])
    actions = SectionBlock(label=SECTION_LABELS["actions"], features=SECTION_FEATURES, help_text=SECTIONS[1][2])
    results = SectionBlock(label=SECTION_LABELS["results"], features=SECTION_FEATURES, help_text=SECTIONS[2][2])
    lessons = SectionBlock(label=SECTION_LABELS["lessons"], features=SECTION_FEATURES, help_text=SECTIONS[3][2])
    transferability = SectionBlock(
        label=SECTION_LABELS["transferability"], features=SECTION_FEATURES, help_text=SECTIONS[4][2]
    )
    resources = SectionBlock(label=SECTION_LABELS["resources"], features=SECTION_FEATURES, help_text=SECTIONS[5][2])
    text = TextBlock(features=SECTION_FEATURES)
    quote = QuoteBlock()
    image = ImageBlock()
    document = DocumentLinkBlock()
