from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cities.views import country_outlines
from cms.home.sitemap import sitemap_sections
from cms.home.views import FaviconView, publish_practice, robots_txt
from cms.languages import switch_language

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Practice search API (/api/practices/, /api/schema/), before Wagtail's catch-all.
    path("api/", include("search.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": sitemap_sections()}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("map/countries.geojson", country_outlines, name="map_country_outlines"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    # The language switcher: remembers the choice, goes to the page in it.
    path("language/<str:code>/", switch_language, name="switch_language"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The pages people read, in each interface language: English at the
# unprefixed address, the others under /es/, /fr/, ... (LocaleMiddleware).
urlpatterns += i18n_patterns(
    path("publish/", publish_practice, name="publish_practice"),
    path("digests/", include("cities.urls")),
    path("", include("exchange.urls")),  # /network/, /peers/, /questions/
    path("", include("groups.urls")),  # /groups/
    # Peer accounts: sign-up, sign-in, password and email (django-allauth), the profile.
    path("accounts/", include("accounts.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
