"""The production server as deployed: gunicorn with gunicorn.conf.py and the
production settings, in a subprocess on a free port. No `Server` banner; the
security headers on every response; HSTS behind TLS only."""

import http.client
import os
import signal
import subprocess

import pytest

from tests.commands import BASE_DIR
from tests.services import free_port, wait_until

GUNICORN = BASE_DIR / ".venv" / "bin" / "gunicorn"


@pytest.fixture
def production_server(command_db, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "gunicorn-test-key-not-secret-but-long-enough-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": command_db,
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    log = open(tmp_path / "gunicorn.log", "w+")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )

    def answers():
        assert process.poll() is None, (tmp_path / "gunicorn.log").read_text()
        try:
            get(port, "/robots.txt")
        except OSError:
            return False
        return True

    try:
        wait_until(answers, timeout=60, message="gunicorn to answer")
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def test_gunicorn_sends_no_server_banner_and_the_security_headers(production_server):
    for path in ("/robots.txt", "/sitemap.xml"):
        response = get(production_server, path)
        assert response.status == 200, path
        assert response.getheader("Server") is None, path
        assert "gunicorn" not in str(response.headers).lower(), path
        assert "script-src 'self'" in response.getheader("Content-Security-Policy"), path
        assert response.getheader("X-Content-Type-Options") == "nosniff", path
        assert response.getheader("Referrer-Policy") == "same-origin", path
        assert response.getheader("X-Frame-Options") == "SAMEORIGIN", path
        assert response.getheader("Strict-Transport-Security") is None, path  # plain http


def test_hsts_is_sent_behind_tls(production_server):
    response = get(production_server, "/robots.txt", {"X-Forwarded-Proto": "https"})
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    assert response.getheader("Server") is None
