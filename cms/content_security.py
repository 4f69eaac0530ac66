"""The Content-Security-Policy header: one policy for the public site, and
an area's own policy for the paths that need more (the Wagtail admin).

The policies themselves are settings (``cms/settings/base.py``): the public
one is django-csp's ``CONTENT_SECURITY_POLICY`` (or ``..._REPORT_ONLY`` when
``CSP_REPORT_ONLY`` is on), and ``CONTENT_SECURITY_POLICY_AREAS`` maps a path
prefix to the directives that replace the public ones under it.
"""

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings


def area_directives(path):
    """The directives of the area `path` is in (longest prefix first), or None
    for the public site."""
    areas = getattr(settings, "CONTENT_SECURITY_POLICY_AREAS", {})
    for prefix in sorted(areas, key=len, reverse=True):
        if path.startswith(prefix):
            return areas[prefix]
    return None


class AreaCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, sending the area's policy on admin paths.

    A view decorated with django-csp's ``@csp(...)`` keeps its own policy;
    an area policy is sent in the mode (enforced or report-only) the public
    one is configured in, never in the other.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        mode_setting = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
        if parts.config is None and getattr(settings, mode_setting, None):
            directives = area_directives(request.path_info)
            if directives is not None:
                parts.config = default_config(directives)
        return parts
