"""Plain text from peers: what they write is shown as text, never as HTML."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MARKUP = re.compile(r"[<>]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What a browser's bytes that were not UTF-8 became when Django decoded them.
UNREADABLE = "\ufffd"


def plain_text(value):
    """Refuse markup (any < or >), control characters and characters that
    could not be read."""
    if MARKUP.search(value or ""):
        raise ValidationError(_("Use plain text: no HTML, no < or > characters."), code="markup")
    if CONTROL.search(value or ""):
        raise ValidationError(_("Use plain text: no control characters."), code="control")
    if UNREADABLE in (value or ""):
        raise ValidationError(_("Some characters could not be read: type them again."), code="unreadable")
