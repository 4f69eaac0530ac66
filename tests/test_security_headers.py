"""The Content-Security-Policy a browser receives: a strict one on the public
site (no inline script or style, nothing from another origin), the Wagtail
admin's own (inline scripts, which Wagtail 8 needs, but no inline event
handlers and no eval), and public pages that need nothing more."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from practices.factories import CaseStudyPageFactory
from tests.admin_helpers import edit_url

PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
}


def policy(response, header="Content-Security-Policy"):
    """The policy as {directive: [sources]}."""
    assert header in response, f"no {header} on {response.request['PATH_INFO']}"
    directives = [part.split() for part in response[header].split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


@pytest.fixture
def pages(site_tree):
    case_study = CaseStudyPageFactory(parent=site_tree["dublin"], title="Tool library")
    case_study.save_revision().publish()
    return {
        "home": "/",
        "case study": case_study.url,
        "city": site_tree["dublin"].url,
        "cities": site_tree["cities"].url,
        "search": "/practices/?q=tools",
        "not found": "/no-such-page/",
    }


def test_public_pages_get_the_strict_policy(client, pages):
    for name, url in pages.items():
        response = client.get(url)
        assert policy(response) == PUBLIC_POLICY, name


def test_public_pages_need_no_inline_script_or_style(client, pages):
    """What the strict policy would block: inline <script> (JSON-LD data
    blocks aside), <style> elements, style="" and on*="" attributes."""
    for name, url in pages.items():
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script\b([^>]*)>", html)
        assert all("src=" in attrs or 'type="application/ld+json"' in attrs for attrs in scripts), name
        assert "<style" not in html, name
        assert not re.search(r"<[^>]+\s(style|on[a-z]+)=", html), name


def test_search_page_script_is_a_static_file(client, pages):
    html = client.get(pages["search"]).content.decode()
    sources = re.findall(r'<script src="/static/([^"]+\.js)"', html)
    assert sources and all(finders.find(source) for source in sources)


def test_wagtail_admin_gets_its_own_policy(client, site_tree, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    login = policy(client.get("/admin/login/"))
    client.force_login(admin)
    case_study = CaseStudyPageFactory(parent=site_tree["dublin"], title="Tool library")
    for response in (client.get("/admin/"), client.get(edit_url(case_study))):
        assert response.status_code == 200
        assert policy(response) == login
    assert login == PUBLIC_POLICY | {
        "script-src": ["'self'", "'unsafe-inline'"],
        "script-src-attr": ["'none'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
    }
    assert "'unsafe-eval'" not in str(login)


def test_django_admin_and_the_api_keep_the_public_policy(client, site_tree):
    for url in ("/django-admin/login/", "/api/practices/", "/api/docs/"):
        assert policy(client.get(url)) == PUBLIC_POLICY, url


def test_no_third_party_requests_from_the_admin(client, site_tree, django_user_model):
    """The dashboard's version check and Gravatar avatars would load from
    other origins, which the admin's policy refuses: both are off."""
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw"))
    html = client.get("/admin/").content.decode()
    assert "gravatar.com" not in html and "releases.wagtail.org" not in html


def _headers_in_a_process(env, path):
    """The CSP headers a fresh process sends for `path` with `env` set."""
    code = (
        "import django; django.setup()\n"
        "from django.http import HttpResponse\n"
        "from django.test import RequestFactory\n"
        "from cms.content_security import AreaCSPMiddleware\n"
        f"request = RequestFactory().get({path!r})\n"
        "response = AreaCSPMiddleware(lambda r: HttpResponse('ok'))(request)\n"
        "for name in ('Content-Security-Policy', 'Content-Security-Policy-Report-Only'):\n"
        "    print(name, '=', response.get(name, ''))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cms.settings.test", **env},
        cwd=settings.BASE_DIR, capture_output=True, text=True, check=True,
    )
    return dict(line.split(" = ", 1) for line in result.stdout.splitlines())


def test_report_only_mode_reports_every_area_and_blocks_nothing():
    for path, marker in (("/", "script-src 'self'"), ("/admin/", "script-src-attr 'none'")):
        headers = _headers_in_a_process({"CSP_REPORT_ONLY": "1", "CSP_REPORT_URI": "/csp-reports/"}, path)
        assert headers["Content-Security-Policy"] == "", path
        assert marker in headers["Content-Security-Policy-Report-Only"], path
        assert "report-uri /csp-reports/" in headers["Content-Security-Policy-Report-Only"], path
    enforced = _headers_in_a_process({}, "/")
    assert "script-src 'self'" in enforced["Content-Security-Policy"]
    assert enforced["Content-Security-Policy-Report-Only"] == ""


def test_server_error_page_styles_come_from_a_stylesheet():
    html = render_to_string("500.html")
    assert "<style" not in html and "/static/css/error.css" in html
    assert finders.find("css/error.css")
