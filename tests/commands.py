"""Management commands as users run them: ``python manage.py ...`` in a
subprocess (so Django's system checks and the command-line parsing run too),
against a SQLite file database of its own.

- ``manage(*args, db=url)`` runs one command and returns the finished process
  (``returncode``, ``stdout``, ``stderr`` as text); it never raises on a
  non-zero exit, so a test can assert the failure it expects.
- ``command_db`` (fixture) is the URL of a fresh, migrated SQLite file for one
  test: the migrations run once per session, each test gets a copy.

Registered as a plugin in tests/conftest.py.
"""

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS = "cms.settings.test"
TIMEOUT_SECONDS = 300


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def manage(*args: str, db: str, env: dict | None = None, input: str | None = None,
           timeout: float = TIMEOUT_SECONDS) -> subprocess.CompletedProcess:
    """Run ``python manage.py *args`` from the repository root with the test
    settings and DATABASE_URL=db; ``env`` adds or overrides variables."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": db,
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=environment, input=input, capture_output=True, text=True,
        timeout=timeout,
    )


def explain(result: subprocess.CompletedProcess) -> str:
    """The command, its exit code and its output, for an assertion message."""
    return (
        f"{' '.join(result.args[1:])} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


@pytest.fixture(scope="session")
def migrated_command_db(tmp_path_factory) -> Path:
    """A SQLite file with every migration applied, made once per session."""
    path = tmp_path_factory.mktemp("command-db") / "migrated.sqlite3"
    result = manage("migrate", "--noinput", db=sqlite_url(path))
    assert result.returncode == 0, explain(result)
    return path


@pytest.fixture
def command_db(migrated_command_db, tmp_path) -> str:
    """The URL of this test's own copy of the migrated database."""
    copy = tmp_path / "db.sqlite3"
    # SQLite's backup API, not a file copy: it also takes what is still in the WAL.
    with closing(sqlite3.connect(migrated_command_db)) as source:
        with closing(sqlite3.connect(copy)) as target:
            source.backup(target)
    return sqlite_url(copy)
