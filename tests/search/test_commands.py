"""`manage.py search_index` as users run it (a subprocess: the command-line
parsing and Django's system checks run too)."""

import sqlite3
from contextlib import closing

from tests.commands import explain, manage


def _path(url):
    return url.removeprefix("sqlite:///")


def test_search_index_rebuild_check_and_fix_on_the_command_line(command_db):
    demo = manage("load_demo", db=command_db)
    assert demo.returncode == 0, explain(demo)
    with closing(sqlite3.connect(_path(command_db))) as db:
        (practices,) = db.execute(
            # One entry per practice: its English page (the other languages'
            # pages are aliases or translations: cities.page_locales).
            "SELECT COUNT(*) FROM practices_casestudypage c JOIN wagtailcore_page p ON p.id = c.page_ptr_id "
            "JOIN wagtailcore_locale l ON l.id = p.locale_id WHERE p.live AND l.language_code = 'en'"
        ).fetchone()
    assert practices

    rebuilt = manage("search_index", "--rebuild", db=command_db)
    assert rebuilt.returncode == 0, explain(rebuilt)
    assert f"Database index: {practices} case studies" in rebuilt.stdout

    checked = manage("search_index", "--check", db=command_db)
    assert checked.returncode == 0, explain(checked)
    assert "Database index: matches the pages." in checked.stdout

    # Rows lost behind the application's back: --check says so and fails...
    with closing(sqlite3.connect(_path(command_db))) as db, db:
        (lost,) = db.execute("SELECT page_id FROM search_searchentry ORDER BY page_id LIMIT 1").fetchone()
        db.execute("DELETE FROM search_searchentry WHERE page_id = ?", [lost])
    drifted = manage("search_index", "--check", db=command_db)
    assert drifted.returncode == 1, explain(drifted)
    assert f"missing from the index: 1 [{lost}]" in drifted.stdout
    assert "has drifted from the pages" in drifted.stderr

    # ... and --fix repairs it.
    fixed = manage("search_index", "--check", "--fix", db=command_db)
    assert fixed.returncode == 0, explain(fixed)
    assert "Database index: fixed." in fixed.stdout
    assert manage("search_index", "--check", db=command_db).returncode == 0


def test_search_index_refuses_what_it_cannot_do(command_db):
    no_mode = manage("search_index", db=command_db)
    assert no_mode.returncode == 2 and "one of the arguments --rebuild --check is required" in no_mode.stderr
    fix_alone = manage("search_index", "--rebuild", "--fix", db=command_db)
    assert fix_alone.returncode == 1 and "--fix goes with --check." in fix_alone.stderr
    no_engine = manage("search_index", "--rebuild", "--only", "elasticsearch", db=command_db)
    assert no_engine.returncode == 1 and "ELASTICSEARCH_URL is not set" in no_engine.stderr


def test_migrate_fills_an_empty_database_index(command_db):
    """A new install, or an upgrade whose migration emptied the index: after
    `migrate` the search works without a manual rebuild."""
    demo = manage("load_demo", db=command_db)
    assert demo.returncode == 0, explain(demo)
    with closing(sqlite3.connect(_path(command_db))) as db, db:
        (before,) = db.execute("SELECT COUNT(*) FROM search_searchentry").fetchone()
        db.execute("DELETE FROM search_searchentry")
        db.execute("DELETE FROM search_searchword")
    assert before
    migrated = manage("migrate", "--noinput", db=command_db)
    assert migrated.returncode == 0, explain(migrated)
    with closing(sqlite3.connect(_path(command_db))) as db:
        assert db.execute("SELECT COUNT(*) FROM search_searchentry").fetchone() == (before,)
        assert db.execute("SELECT COUNT(*) FROM search_searchword").fetchone()[0] > 0
    assert manage("search_index", "--check", "--only", "database", db=command_db).returncode == 0


def test_search_index_check_reports_the_pending_updates_and_fix_resends_them(command_db):
    demo = manage("load_demo", db=command_db)
    assert demo.returncode == 0, explain(demo)
    checked = manage("search_index", "--check", db=command_db)
    assert "Pending index updates: none." in checked.stdout, explain(checked)

    # An update whose task the broker never took (the outbox row stayed).
    with closing(sqlite3.connect(_path(command_db))) as db, db:
        (page_id,) = db.execute("SELECT page_id FROM search_searchentry ORDER BY page_id LIMIT 1").fetchone()
        db.execute(
            "INSERT INTO search_indexupdate (page_ids, database, es_url, \"index\", created, attempts) "
            "VALUES (?, 1, '', '', '2026-01-02 03:04:05', 0)", [f"[{page_id}]"]
        )
    pending = manage("search_index", "--check", db=command_db)
    assert pending.returncode == 0, explain(pending)  # a backlog is reported, not a drift
    assert "Pending index updates: 1, the oldest from 2026-01-02 03:04:05" in pending.stdout

    fixed = manage("search_index", "--check", "--fix", db=command_db)
    assert fixed.returncode == 0, explain(fixed)
    # Celery runs eagerly in the command here: the task did the work and removed the row.
    assert "Pending index updates: 1 re-sent, 0 still pending." in fixed.stdout
    with closing(sqlite3.connect(_path(command_db))) as db:
        assert db.execute("SELECT COUNT(*) FROM search_indexupdate").fetchone() == (0,)
