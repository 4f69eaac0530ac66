"""{% load fragment_tags %}
{% pagefragment "name" var1 var2 %}...{% endpagefragment %}: the enclosed
template, cached until the next editorial event (see `cities.fragments`),
keyed on the name, the current site and the given values: give it every
value the fragment shows that is not the same for every visitor of the URL
(the page, the page number, whether the visitor is signed in...)."""

from django import template
from django.conf import settings
from wagtail.models import Site

from .. import fragments

register = template.Library()


class PageFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = context.get("request")
        if not settings.PAGE_FRAGMENT_SECONDS or request is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        site = Site.find_for_request(request)
        values = [getattr(site, "pk", None), *(v.resolve(context) for v in self.vary_on)]
        return fragments.remember(self.name, values, lambda: self.nodelist.render(context))


@register.tag
def pagefragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("{% pagefragment \"name\" [value ...] %} needs a quoted name")
    nodelist = parser.parse(("endpagefragment",))
    parser.delete_first_token()
    return PageFragmentNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
