"""Site-wide files that crawlers and browsers ask for: /robots.txt and
/favicon.ico (the sitemap is Wagtail's, at /sitemap.xml); /publish/, where
the home page's "Publish your city's practice" leads."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from cities.roles import cities_of


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


@require_safe
def publish_practice(request):
    """ "Publish your city's practice" (the home page): a city official goes
    to the admin's form for a new case study of their city (the dashboard,
    with one such button per city, when they edit several); a visitor signs
    in first; a signed-in peer who is no official learns who publishes."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    cities = list(cities_of(request.user).order_by("title")[:2])
    if len(cities) == 1:
        return redirect("wagtailadmin_pages:add", "practices", "casestudypage", cities[0].pk)
    if cities:
        return redirect("wagtailadmin_home")
    return render(request, "home/publish.html")
