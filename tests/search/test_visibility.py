"""Strict visibility across processes: once an unpublish or a privacy
restriction has committed, another process never shows the page, on either
backend, even while Elasticsearch still holds its document (the task that
would delete it was lost)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from wagtail.models import PageViewRestriction

from practices.factories import CaseStudyPageFactory
from search import indexing
from tests.services import database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]


class Searcher:
    """tests/search/searcher.py in its own process."""

    def __init__(self, env):
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "search" / "searcher.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        ready = self.proc.stdout.readline()
        assert ready.strip() == "ready", ready + self.proc.stderr.read()

    def hits(self, engine, text):
        self.proc.stdin.write(f"{engine} {text}\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, self.proc.stderr.read()
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def searcher(es_settings):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "SEARCHER_ELASTICSEARCH_URL": es_settings.ELASTICSEARCH_URL,
        "SEARCHER_ELASTICSEARCH_INDEX": es_settings.ELASTICSEARCH_INDEX,
        "PYTHONUNBUFFERED": "1",
    }
    process = Searcher(env)
    yield process
    process.close()


@pytest.fixture
def lost_tasks(monkeypatch):
    """Every Elasticsearch task is lost (a broker outage): only the database
    index follows the editors."""
    lost = []
    monkeypatch.setattr("search.queue.send", lambda page_ids, *args, **kwargs: lost.append(sorted(page_ids)))
    return lost


@pytest.mark.parametrize("change", ["unpublish", "privacy"])
def test_another_process_never_shows_a_page_once_it_left_the_public(site_tree, searcher, lost_tasks, change):
    page = CaseStudyPageFactory(
        parent=site_tree["dublin"], title="Quokka repair cooperative", summary="Volunteers repair bicycles.",
    )
    other = CaseStudyPageFactory(
        parent=site_tree["turin"], title="Quokka tool library", summary="Tools lent by a cooperative.",
    )
    indexing.rebuild_entries()
    indexing.rebuild()
    for engine in ("database", "elasticsearch"):
        assert sorted(searcher.hits(engine, "quokka")) == sorted([page.pk, other.pk]), engine

    if change == "unpublish":
        page.unpublish()  # commits (no surrounding transaction)
    else:
        PageViewRestriction.objects.create(page=site_tree["dublin"], restriction_type=PageViewRestriction.LOGIN)
    assert lost_tasks, "the Elasticsearch update was to be lost"
    client = indexing.get_client()
    client.indices.refresh(index=indexing.alias_name())
    assert client.exists(index=indexing.alias_name(), id=str(page.pk))  # Elasticsearch still has it

    # The other process's very next search, on each backend: gone.
    for engine in ("database", "elasticsearch"):
        assert searcher.hits(engine, "quokka") == [other.pk], engine
