"""schema.org structured data (JSON-LD) for the city pages: a city as a
schema.org ``City`` place, and a city page's own document. The page puts the
document in its context as ``structured_data``; base.html renders it.
"""

SCHEMA_ORG = "https://schema.org"


def city_place(city, request=None):
    """The city as a ``City``: its name, page URL, coordinates (when both are
    known) and country."""
    place = {"@type": "City", "name": city.title, "url": city.get_full_url(request)}
    if city.latitude is not None and city.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(city.latitude),
            "longitude": float(city.longitude),
        }
    if city.country:
        place["containedInPlace"] = {
            "@type": "Country",
            "name": city.country.name,
            "identifier": city.country.code,
        }
    return place


def city_document(city, case_studies, request=None):
    """The city page's JSON-LD: the city, with the given case studies (the
    page's public listing, never drafts or private pages) as ``subjectOf``."""
    document = {"@context": SCHEMA_ORG, **city_place(city, request)}
    if city.intro:
        document["description"] = city.intro
    subject_of = [
        {"@type": "Article", "name": practice.title, "url": practice.get_full_url(request)}
        for practice in case_studies
    ]
    if subject_of:
        document["subjectOf"] = subject_of
    return document
