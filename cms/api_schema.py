"""drf-spectacular hook: the public schema documents our /api/ only, not the
Wagtail admin's internal DRF endpoints."""


def public_api_only(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
