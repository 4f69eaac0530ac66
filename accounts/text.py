"""Plain text from peers: what they write is shown as text, never as HTML."""

import re

from django.core.exceptions import ValidationError

MARKUP = re.compile(r"[<>]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(value):
    """Refuse markup (any < or >) and control characters."""
    if MARKUP.search(value or ""):
        raise ValidationError("Use plain text: no HTML, no < or > characters.", code="markup")
    if CONTROL.search(value or ""):
        raise ValidationError("Use plain text: no control characters.", code="control")
