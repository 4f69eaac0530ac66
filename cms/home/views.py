"""Site-wide files that crawlers and browsers ask for: /robots.txt and
/favicon.ico (the sitemap is Wagtail's, at /sitemap.xml)."""

from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """Everything public may be crawled; the admin and the personal digest
    links may not. Names the sitemap with this request's host."""
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return render(request, "home/robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain; charset=utf-8")


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page links to: send them
    to the site's icon among the static files."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")
