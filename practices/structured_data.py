"""schema.org structured data (JSON-LD) for a case study: an ``Article``
about its challenges, set in its city, published by the site. The page puts
the document in its context as ``structured_data``; base.html renders it.
"""

from django.conf import settings
from wagtail.models import Site

from cities.structured_data import SCHEMA_ORG, city_place


def case_study_document(page, request=None):
    """The case study's JSON-LD: name and headline (the title), description
    (the summary), URL, publication dates, language, ``about`` (its
    challenges), ``spatialCoverage`` (its city) and ``publisher`` (the site)."""
    document = {
        "@context": SCHEMA_ORG,
        "@type": "Article",
        "name": page.title,
        "headline": page.title,
        "description": page.summary,
        "url": page.get_full_url(request),
        "inLanguage": page.language,
        "about": [{"@type": "DefinedTerm", "name": challenge.name} for challenge in page.challenges.all()],
    }
    if page.first_published_at:
        document["datePublished"] = page.first_published_at.isoformat()
    if page.last_published_at:
        document["dateModified"] = page.last_published_at.isoformat()
    if page.city:
        document["spatialCoverage"] = city_place(page.city, request)
    site = Site.find_for_request(request) if request else page.get_site()
    if site:
        document["publisher"] = {
            "@type": "Organization",
            "name": site.site_name or settings.WAGTAIL_SITE_NAME,
            "url": site.root_url,
        }
    return {key: value for key, value in document.items() if value not in (None, "", [])}
