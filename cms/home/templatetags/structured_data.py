"""``{{ structured_data|json_ld }}``: a schema.org JSON-LD block for the page
head, safe whatever the data holds."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

register = template.Library()

# As Django's json_script: no '<', '>' or '&' in the output, so no text can
# close the script element (a title holding "</script>") or open a comment.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter(is_safe=True)
def json_ld(data):
    """A ``<script type="application/ld+json">`` element holding `data`."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
