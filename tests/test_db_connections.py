"""A database connection that the server dropped costs no request.

Production keeps connections open between requests (DB_CONN_MAX_AGE); when
PostgreSQL terminates one (a restart, a failover, an administrator, an idle
timeout), the next request served by that process must get a fresh
connection, not a 500. The app server runs as users run it: gunicorn, one
sync worker, so every request reuses the one kept connection.
"""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from practices.factories import CaseStudyPageFactory
from tests.services import database_url, free_port, wait_until

BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="terminates a PostgreSQL backend; CI runs the suite on PostgreSQL",
    ),
]


@pytest.fixture
def gunicorn_server(site_tree, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DB_CONN_MAX_AGE": "600",
    }
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "cms.wsgi:application", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--timeout", "30"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(f"{url}/robots.txt", timeout=10).status_code == 200
        except (requests.ConnectionError, requests.Timeout):
            return False

    try:
        wait_until(answers, timeout=60, message="gunicorn to answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def server_backends(own_pid):
    """Backends connected to the test database other than this process's."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"], own_pid],
        ).fetchall()
        return [pid for (pid,) in rows]


def terminate(pids):
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_terminated_connection_costs_no_request(gunicorn_server, site_tree):
    case_study = CaseStudyPageFactory(parent=site_tree["dublin"], title="Social enterprise committee")
    connection.ensure_connection()
    own_pid = connection.connection.info.backend_pid
    page = f"{gunicorn_server}{case_study.url}"

    first = requests.get(page, timeout=10)
    assert first.status_code == 200 and "Social enterprise committee" in first.text
    for round_number in range(5):
        kept = server_backends(own_pid)
        assert len(kept) == 1, f"round {round_number}: the worker keeps one connection, found {kept}"
        terminate(kept)
        wait_until(lambda kept=kept: not set(server_backends(own_pid)) & set(kept),
                   timeout=10, message="the backend to end")

        response = requests.get(page, timeout=10)
        assert response.status_code == 200, f"round {round_number}: {response.status_code}"
        assert "Social enterprise committee" in response.text
        assert server_backends(own_pid) != kept, "the worker connected again"
