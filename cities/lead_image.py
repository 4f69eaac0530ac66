"""The optional lead image of a city or a case study: a Wagtail image with
the alt text and the credit line that must go with it wherever it is shown.

One definition for both page types (`LeadImageMixin`), the panel the admin
shows, and the renditions that pages and cards use (`CARD_WIDTHS`,
`PAGE_WIDTHS`). Cards of case studies read their image from the search
index's stored card (`search.schema.card`), whose renditions are made when
the page is indexed, never while a visitor waits."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.images.models import SourceImageIOError

# The renditions: one spec per use, so that the page, the cards and the
# stored cards ask for the same files (a rendition is made once per spec).
CARD_WIDTHS = (320, 480)  # 16:9 crops (fill-320x180, fill-480x270)
PAGE_WIDTHS = (480, 800, 1200)


class LeadImageMixin(models.Model):
    """Abstract: adds `lead_image`, `lead_image_alt`, `lead_image_credit`."""

    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("Optional. A photo or drawing of the city or the practice, shown at the top of the page and on its card."),
    )
    lead_image_alt = models.CharField(
        _("alt text"), max_length=250, blank=True,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )
    lead_image_credit = models.CharField(
        _("credit"), max_length=250, blank=True,
        help_text=_("Who made the image and under which licence, e.g. “Photo: A. Name, CC BY 4.0”. Required with an image."),
    )

    lead_image_panel = MultiFieldPanel(
        [FieldPanel("lead_image"), FieldPanel("lead_image_alt"), FieldPanel("lead_image_credit")],
        heading=_("Lead image"),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        errors = lead_image_errors(self.lead_image_id, self.lead_image_alt, self.lead_image_credit)
        if errors:
            raise ValidationError(errors)


def lead_image_errors(image_id, alt: str, credit: str) -> dict[str, str]:
    """The messages for a lead image without the text that must go with it."""
    if not image_id:
        return {}
    errors = {}
    if not (alt or "").strip():
        errors["lead_image_alt"] = _(
            "Describe the image for people who cannot see it (alt text): it is required with a lead image."
        )
    if not (credit or "").strip():
        errors["lead_image_credit"] = _(
            "Give the image's credit (author and licence): it is required with a lead image."
        )
    return errors


def card_image(image, alt: str, credit: str) -> dict | None:
    """The card picture of a lead image as plain data (what the search
    index stores with a case study's card): the URL, srcset and size of its
    renditions, the alt text and the credit. Makes the renditions (once per
    image and spec: Wagtail keeps them), so call it when indexing, not
    while a visitor waits. None without an image or when its file cannot
    be read."""
    if image is None:
        return None
    try:
        renditions = image.get_renditions(*(_card_spec(w) for w in CARD_WIDTHS))
    except (OSError, ValueError, SourceImageIOError):
        return None
    # As {% srcset_image %} does: the first (smallest) rendition is the src.
    first = renditions[_card_spec(CARD_WIDTHS[0])]
    return {
        "src": first.url,
        "srcset": ", ".join(f"{renditions[_card_spec(w)].url} {renditions[_card_spec(w)].width}w" for w in CARD_WIDTHS),
        "width": first.width,
        "height": first.height,
        "alt": alt,
        "credit": credit,
    }


def _card_spec(width: int) -> str:
    """The 16:9 crop of CARD_SPEC at `width` pixels."""
    return f"fill-{width}x{width * 9 // 16}"


def with_lead_images(queryset):
    """`queryset` (of pages with a lead image) with the images and their
    renditions prefetched: no query per card (none at all when no page
    has an image)."""
    from wagtail.images import get_image_model

    return queryset.prefetch_related(
        models.Prefetch("lead_image", queryset=get_image_model().objects.prefetch_renditions())
    )
