from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cities.views import country_outlines
from cms.home.views import FaviconView, publish_practice, robots_txt

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Practice search API (/api/practices/, /api/schema/), before Wagtail's catch-all.
    path("api/", include("search.urls")),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("map/countries.geojson", country_outlines, name="map_country_outlines"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("publish/", publish_practice, name="publish_practice"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("digests/", include("cities.urls"))]
urlpatterns += [path("", include("exchange.urls"))]  # /network/
urlpatterns += [path("", include("groups.urls"))]  # /groups/
# Peer accounts: sign-up, sign-in, password and email (django-allauth), the profile.
urlpatterns += [path("accounts/", include("accounts.urls"))]
urlpatterns += [path("", include(wagtail_urls))]
