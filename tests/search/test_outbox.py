"""No lost index updates: the outbox (search.outbox, search.queue).

An editorial event writes an `IndexUpdate` row in the editor's transaction;
the task sent after the commit deletes it once the work is done; a row the
broker never took is re-sent by the beat task `search.drain_outbox`, which
claims each row once however many drains run."""

import socket
import threading
import time
from contextlib import contextmanager, nullcontext
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cities import fragments
from cms.celery import app
from practices.factories import CaseStudyPageFactory
from search import indexing, outbox, queue
from search.backends.elasticsearch import get_client
from search.models import IndexUpdate, SearchEntry
from search.tasks import drain_outbox, update_pages
from tests.services import REDIS_TEST_URL, _use_broker, free_port, wait_until

ENGINE = "http://127.0.0.1:9"  # an engine nobody serves: the tasks here never reach it


@pytest.fixture
def draft(site_tree):
    return CaseStudyPageFactory(parent=site_tree["dublin"], title="Zebra crossing cooperative", live=False)


@pytest.fixture
def engine_named(settings):
    """Elasticsearch configured (so that events send the task), at an
    address the tests never let a task reach."""
    settings.ELASTICSEARCH_URL = ENGINE
    settings.ELASTICSEARCH_INDEX = "practices-outbox"
    return settings


@contextmanager
def broker(url):
    """This process's Celery app publishes to `url` (not eagerly) inside the block."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    _use_broker(app, url, eager=False)
    try:
        yield
    finally:
        _use_broker(app, *saved)


def closed_broker():
    return f"redis://127.0.0.1:{free_port()}/11"


def pending(page):
    return list(IndexUpdate.objects.filter(page_ids=[page.pk]))


def backdate(seconds):
    IndexUpdate.objects.update(created=timezone.now() - timedelta(seconds=seconds))


# --- Written in the editor's transaction ---


@pytest.mark.django_db
def test_a_rolled_back_publish_leaves_no_row_and_a_committed_one_leaves_one(
    draft, users, engine_named, django_capture_on_commit_callbacks
):
    moderator = users["moderator"]
    with pytest.raises(RuntimeError), transaction.atomic():
        draft.save_revision(user=moderator).publish(user=moderator)
        assert len(pending(draft)) == 1  # in the transaction, before any commit
        raise RuntimeError("the editor's request fails")
    assert IndexUpdate.objects.count() == 0

    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        draft.save_revision(user=moderator).publish(user=moderator)
    (row,) = pending(draft)
    assert (row.es_url, row.index, row.database, row.attempts) == (ENGINE, "practices-outbox", False, 0)
    sends = [c for c in callbacks if c is not fragments._bump]  # page fragments' version aside
    assert len(sends) == 1  # the send, after the commit


@pytest.mark.django_db
def test_a_task_that_did_its_work_removes_its_row_and_one_that_failed_keeps_it(
    draft, engine_named, django_capture_on_commit_callbacks
):
    draft.save_revision().publish()
    IndexUpdate.objects.all().delete()  # the publish's own row: never sent (nothing commits here)
    SearchEntry.objects.all().delete()  # the database index lost the page behind our back
    update_id = outbox.record([draft.pk], "", "", database=True)
    update_pages([draft.pk], "", "", database=True, update_id=update_id)
    assert SearchEntry.objects.filter(page_id=draft.pk).exists()
    assert not IndexUpdate.objects.filter(pk=update_id).exists()

    # Eager Celery here: the task runs at the commit, against an engine nobody serves.
    with django_capture_on_commit_callbacks(execute=True):
        draft.save_revision().publish()
    (row,) = pending(draft)
    assert row.es_url == ENGINE


@pytest.mark.django_db
def test_the_task_tolerates_a_row_already_gone(draft):
    draft.save_revision().publish()
    update_id = outbox.record([draft.pk], "", "", database=True)
    IndexUpdate.objects.filter(pk=update_id).delete()  # another run of the same update finished first
    assert update_pages([draft.pk], "", "", database=True, update_id=update_id) == {
        "database": {"written": 1, "deleted": 0}
    }


@pytest.mark.django_db
def test_a_big_event_keeps_its_row_until_the_task_wrote_the_database_index(
    site_tree, settings, django_capture_on_commit_callbacks
):
    """Over SEARCH_SYNC_LIMIT the database index itself waits on the task:
    the broker refusing it must not lose it either."""
    settings.SEARCH_SYNC_LIMIT = 1
    pages = [CaseStudyPageFactory(parent=site_tree["turin"], title=f"Canteen {i}") for i in (1, 2)]
    SearchEntry.objects.all().delete()
    with broker(closed_broker()), django_capture_on_commit_callbacks(execute=True) as sends:
        queue.send_after_commit([p.pk for p in pages], database=True)
    assert len(sends) == 1  # sent after the commit, and refused
    (row,) = IndexUpdate.objects.all()
    assert row.database and row.page_ids == sorted(p.pk for p in pages)
    assert not SearchEntry.objects.exists()

    backdate(settings.SEARCH_OUTBOX_INTERVAL + 1)
    assert drain_outbox() == 1  # eager: the task runs in this process
    assert SearchEntry.objects.filter(page_id__in=[p.pk for p in pages]).count() == 2
    assert not IndexUpdate.objects.exists()


# --- The drain ---


@pytest.mark.django_db
def test_the_drain_leaves_young_rows_to_the_normal_send_and_backs_off(settings):
    settings.SEARCH_OUTBOX_INTERVAL = 30
    update_id = outbox.record([1], ENGINE, "practices", database=False)
    assert outbox.claim_due() == []  # the after-commit send has had no chance yet

    now = timezone.now() + timedelta(seconds=31)
    assert [r.pk for r in outbox.claim_due(now=now)] == [update_id]
    assert outbox.claim_due(now=now) == []  # claimed: not again at once
    assert outbox.claim_due(now=now + timedelta(seconds=29)) == []
    (again,) = outbox.claim_due(now=now + timedelta(seconds=31))  # one interval later
    assert again.attempts == 2
    assert outbox.claim_due(now=now + timedelta(seconds=31 + 59)) == []  # then two intervals
    assert [r.attempts for r in outbox.claim_due(now=now + timedelta(seconds=31 + 61))] == [3]
    assert IndexUpdate.objects.filter(pk=update_id).exists()  # claiming never deletes


@pytest.mark.django_db
def test_a_drain_that_read_its_rows_before_another_claimed_them_sends_none(settings, monkeypatch):
    """Two drains at once: the second claims all the rows between the first
    one's read and its claims; the first then claims none of them."""
    ids = [outbox.record([i], ENGINE, "practices", database=False) for i in (1, 2, 3)]
    backdate(settings.SEARCH_OUTBOX_INTERVAL + 1)
    other = []
    real_backoff = outbox.backoff

    def the_other_drain_runs_now(attempts):
        monkeypatch.setattr(outbox, "backoff", real_backoff)  # once
        other.append(outbox.claim_due())
        return real_backoff(attempts)

    monkeypatch.setattr(outbox, "backoff", the_other_drain_runs_now)
    mine = outbox.claim_due()
    assert sorted(r.pk for r in other[0]) == ids
    assert mine == []
    assert set(IndexUpdate.objects.values_list("attempts", flat=True)) == {1}


# serialized_rollback: the flush after a transactional test would take
# Wagtail's root page (made by a migration) with it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_drains_in_two_threads_claim_each_row_once(settings):
    ids = {outbox.record([i], ENGINE, "practices", database=False) for i in range(40)}
    backdate(settings.SEARCH_OUTBOX_INTERVAL + 1)
    start = threading.Barrier(2)
    claimed = []

    def drain():
        from django.db import connection

        try:
            start.wait(timeout=10)
            claimed.append([r.pk for r in outbox.claim_due()])
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    first, second = claimed
    assert not set(first) & set(second)
    assert set(first) | set(second) == ids


@pytest.mark.django_db
def test_a_refused_resend_keeps_the_row(settings):
    update_id = outbox.record([1], ENGINE, "practices", database=False)
    backdate(settings.SEARCH_OUTBOX_INTERVAL + 1)
    with broker(closed_broker()):
        assert queue.resend_due() == 0
    assert IndexUpdate.objects.get(pk=update_id).attempts == 1


# --- A broker that is down costs the editor little ---


@contextmanager
def silent_broker():
    """A TCP server that accepts connections and never answers (a hung
    broker, or one behind a dropped route): its redis:// URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/11"
    finally:
        server.close()
        for conn in accepted:
            conn.close()


@pytest.mark.django_db
def test_a_publish_with_the_broker_refusing_or_hung_is_not_held_up(
    draft, users, engine_named, settings, django_capture_on_commit_callbacks
):
    """Refused: a few milliseconds; hung: about two CELERY_BROKER_TIMEOUTs
    (one retry), where Celery's defaults would wait forever. The row stays."""
    moderator = users["moderator"]
    bound = 2 * settings.CELERY_BROKER_TIMEOUT + 2  # generous on a busy machine
    for make_broker in (lambda: nullcontext(closed_broker()), silent_broker):
        draft.refresh_from_db()
        with make_broker() as url, broker(url):
            started = time.monotonic()
            with django_capture_on_commit_callbacks(execute=True):
                draft.save_revision(user=moderator).publish(user=moderator)
            elapsed = time.monotonic() - started
        assert elapsed < bound, f"{url}: the publish took {elapsed:.1f}s"
    draft.refresh_from_db()
    assert draft.live and SearchEntry.objects.filter(page_id=draft.pk).exists()
    assert len(pending(draft)) == 2


# --- End to end: the broker comes back, beat drains, nobody runs a command ---


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_publish_while_the_broker_is_down_becomes_searchable_when_it_is_back(
    site_tree, users, es_settings, celery_worker, celery_beat, client
):
    indexing.rebuild()  # an empty index behind the alias
    page = CaseStudyPageFactory(
        parent=site_tree["dublin"], title="Zebra crossing cooperative", slug="zebra-crossing-cooperative",
        summary="Young people run a bicycle courier cooperative.", live=False,
    )
    moderator = users["moderator"]

    with broker(closed_broker()):  # the broker is down for this process
        page.save_revision(user=moderator).publish(user=moderator)
    page.refresh_from_db()
    assert page.live
    assert SearchEntry.objects.filter(page_id=page.pk).exists()  # the database index has it
    (row,) = pending(page)  # and the update is not forgotten
    assert (row.es_url, row.index) == (es_settings.ELASTICSEARCH_URL, es_settings.ELASTICSEARCH_INDEX)
    es = get_client(es_settings.ELASTICSEARCH_URL)
    assert not es.exists(index=es_settings.ELASTICSEARCH_INDEX, id=str(page.pk))

    # The broker is back (this process and the worker use the real Redis);
    # beat runs; nobody runs a command.
    _use_broker(app, REDIS_TEST_URL, eager=False)
    celery_beat.start()

    def searchable():
        response = client.get("/api/practices/", {"q": "zebra"})
        assert response.status_code == 200
        data = response.json()
        assert data["backend"] == "elasticsearch" and not data["degraded"]
        return [r["title"] for r in data["results"]] == ["Zebra crossing cooperative"]

    wait_until(searchable, timeout=60, message="the page searchable in Elasticsearch")
    wait_until(lambda: not IndexUpdate.objects.exists(), timeout=30, message="the outbox row to go")
    assert "search.drain_outbox" in celery_worker.log()
    assert celery_beat.alive
