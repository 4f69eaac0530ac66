"""Fixtures for the practice-search tests.

* `es_url` (session): a real Elasticsearch 8 when ELASTICSEARCH_URL is set in
  the environment, otherwise noida-db started on a free port in a temporary
  directory (and stopped at the end). If it cannot start, the tests FAIL.
* `engine`: parametrised over both backends; the contract suite is written
  once against it. A test decorated with `@gap("database", reason=...)` is an
  expected (strict) failure on that backend, so the suite notices when the
  gap closes.
* `catalogue`: a fixed set of case studies (a few, not hundreds: noida-db
  scans every document per query).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.db import transaction
from django.test import override_settings
from wagtail.models import PageViewRestriction

from practices.factories import (
    CaseStudyOutcomeFactory,
    CaseStudyPageFactory,
    CaseStudyPartnerFactory,
    ChallengeFactory,
    CityPageFactory,
    SectorFactory,
    TargetGroupFactory,
    build_site_tree,
)
from search import indexing
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend, get_client

ENGINES = ["database", "elasticsearch"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def noida_binary() -> str:
    candidate = Path(sys.executable).parent / "noida-db"
    return str(candidate) if candidate.exists() else (shutil.which("noida-db") or "noida-db")


def wait_for_es(url: str, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_process_group(proc, timeout: float = 10):
    """The `noida-db` launcher runs the server as a child: stop the whole
    process group (started with start_new_session), not just the launcher.
    SIGTERM, then SIGKILL for whatever of the group is still there when the
    deadline passes."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc.poll()  # reap the launcher, so that it does not count as alive
        if not _group_alive(proc.pid):
            return
        time.sleep(0.05)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    proc.wait(timeout=5)


@pytest.fixture(scope="session")
def es_url(tmp_path_factory):
    env_url = os.environ.get("ELASTICSEARCH_URL")
    if env_url:
        if not wait_for_es(env_url, timeout=10):
            pytest.fail(f"ELASTICSEARCH_URL={env_url} does not answer")
        yield env_url.rstrip("/")
        return
    data_dir = tmp_path_factory.mktemp("noida-db")
    port = free_port()
    log = open(data_dir / "noida.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [noida_binary(), "start", "--only", "elasticsearch", "--elasticsearch-port", str(port),
         "--data-dir", str(data_dir / "data")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_for_es(url) or proc.poll() is not None:
            log.flush()
            pytest.fail(
                "noida-db (Elasticsearch stand-in) did not start: "
                + (data_dir / "noida.log").read_text(errors="replace")[-2000:]
            )
        yield url
    finally:
        stop_process_group(proc)
        log.close()


def drop_indexes(url: str, alias: str):
    client = get_client(url)
    for name in indexing.concrete_indexes(client, alias):
        client.indices.delete(index=name, ignore_unavailable=True)
    if client.indices.exists(index=alias):
        client.indices.delete(index=alias)


@pytest.fixture
def es_settings(es_url, settings):
    """Point the project at the test engine, with an index of its own."""
    settings.ELASTICSEARCH_URL = es_url
    settings.ELASTICSEARCH_INDEX = f"test-practices-{uuid.uuid4().hex[:10]}"
    yield settings
    drop_indexes(es_url, settings.ELASTICSEARCH_INDEX)


@dataclass
class Engine:
    name: str
    backend: object
    dirty: bool = False

    def reindex(self):
        """Bring the indexes up to date with the pages. The database index
        is always there (the Elasticsearch backend checks its hits against
        it), as in production."""
        indexing.rebuild_entries()
        if self.name == "elasticsearch":
            indexing.rebuild()

    def search(self, query):
        return self.backend.search(query)


def gap(*backends, reason):
    """Mark a contract test as a known gap of some backends (strict xfail)."""

    def decorate(fn):
        fn._search_gaps = (backends, reason)
        return fn

    return decorate


@pytest.fixture(autouse=True)
def _known_gaps(request):
    callspec = getattr(request.node, "callspec", None)
    name = callspec.params.get("engine") if callspec else None
    gaps = getattr(request.function, "_search_gaps", None)
    if name and gaps and name in gaps[0]:
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{name}: {gaps[1]}"))


def _when(days):
    return dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=days)


def build_catalogue(t):
    """Four cities, five challenges (one unused), eleven case studies of which
    nine are public: one draft, one private."""
    rotterdam = CityPageFactory(parent=t["cities"], title="Rotterdam", slug="rotterdam", country="NL")
    montreal = CityPageFactory(parent=t["cities"], title="Montréal", slug="montreal", country="CA")
    youth = ChallengeFactory(name="Youth unemployment", slug="youth-unemployment", sort_order=1)
    childcare = ChallengeFactory(name="Childcare", slug="childcare", sort_order=2)
    energy = ChallengeFactory(name="Energy poverty", slug="energy-poverty", sort_order=3)
    housing = ChallengeFactory(name="Housing", slug="housing", sort_order=4)
    food = ChallengeFactory(name="Food waste", slug="food-waste", sort_order=5)
    care = SectorFactory(name="Care", slug="care")
    construction = SectorFactory(name="Construction", slug="construction")

    def make(parent, title, summary, challenges, days, start_year, status="running", sectors=(), body=None, **kw):
        page = CaseStudyPageFactory(
            parent=parent, title=title, summary=summary, challenges=list(challenges), sectors=list(sectors),
            start_year=start_year, status=status, first_published_at=_when(days), **kw,
        )
        if body:
            page.body = [("context", body)]
            page.save()
        return page

    pages = {
        "procurement": make(
            rotterdam, "Social procurement for childcare cooperatives",
            "The city reserves public contracts for social enterprises that run childcare.",
            [childcare, youth], 10, 2018, sectors=[care],
            body="<p>Tenders in Rotterdam weigh social value.</p>",
        ),
        "youth_coops": make(
            t["turin"], "Youth guarantee through worker cooperatives",
            "Young people found worker cooperatives with municipal support.", [youth], 20, 2021, status="scaled",
        ),
        "energy": make(
            t["dublin"], "Community energy for social housing",
            "Tenants own the solar panels on their estate.", [energy, housing], 30, 2016, status="pilot",
            sectors=[construction], body="<p>A deep retrofit programme cut bills by a third.</p>",
        ),
        "market": make(
            montreal, "Montréal solidarity market",
            "A market run by youth employment social enterprises.", [youth], 40, 2019,
        ),
        "land_trust": make(
            t["turin"], "Cooperative housing land trust", "Land held in common keeps homes affordable.",
            [housing], 5, 2012, status="ended", sectors=[construction],
        ),
        "kitchens": make(
            t["dublin"], "Neighbourhood kitchens", "Shared kitchens for local food businesses.", [], 50, 2022,
            body="<p>Stock is bought through the council's procurement framework.</p>",
        ),
    }
    for i in range(3):
        pages[f"repair_{i}"] = make(
            t["dublin"], f"Repair café network {i}", "Volunteers fix things instead of throwing them away.",
            [], 60 + i, 2023,
        )
    # Never returned: a draft and a private page, both about procurement.
    pages["draft"] = make(
        rotterdam, "Secret procurement draft", "Not yet approved procurement plan.", [youth], 70, 2024, live=False,
    )
    pages["private"] = make(
        t["turin"], "Private procurement pilot", "Members-only procurement notes.", [youth], 80, 2024,
    )
    PageViewRestriction.objects.create(page=pages["private"], restriction_type=PageViewRestriction.LOGIN)
    CaseStudyPartnerFactory(page=pages["youth_coops"], name="Legacoop Piemonte", organisation_type="cooperative")
    # Words shown on a page only as a keyword, a target group and an outcome.
    land_trust = pages["land_trust"]
    land_trust.tags.add("allotments")
    land_trust.target_groups.add(TargetGroupFactory(name="Older people", slug="older-people"))
    CaseStudyOutcomeFactory(page=land_trust, metric="homes kept affordable", value=120, unit="households")
    land_trust.save()
    return {
        "pages": {k: p.pk for k, p in pages.items()},
        "cities": {"rotterdam": rotterdam.pk, "montreal": montreal.pk, "dublin": t["dublin"].pk, "turin": t["turin"].pk},
        "challenges": {"youth": youth.pk, "childcare": childcare.pk, "energy": energy.pk, "housing": housing.pk,
                       "food": food.pk},
        "practices": t["practices"].pk,
    }


class Fresh(dict):
    """name -> pk; item access reads a fresh instance from the database."""

    def __init__(self, ids, model):
        super().__init__(ids)
        self.model = model

    def __getitem__(self, name):
        return self.model.objects.get(pk=super().__getitem__(name))


class Catalogue:
    def __init__(self, ids):
        from cities.models import CityPage
        from practices.models import CaseStudyPage, Challenge, PracticeIndexPage

        self.pages = Fresh(ids["pages"], CaseStudyPage)
        self.cities = Fresh(ids["cities"], CityPage)
        self.challenges = Fresh(ids["challenges"], Challenge)
        self.practices_pk = ids["practices"]
        self._index_model = PracticeIndexPage

    @property
    def practices(self):
        return self._index_model.objects.get(pk=self.practices_pk)

    def __getitem__(self, key):
        return getattr(self, key)


@pytest.fixture(scope="module")
def shared_catalogue(django_db_setup, django_db_blocker):
    """The catalogue built once per module inside a transaction that is
    rolled back at the end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ids = build_catalogue(build_site_tree())
            yield ids
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def make_engine(name, request, django_db_blocker):
    if name == "database":
        engine = Engine("database", DatabaseBackend())
        with django_db_blocker.unblock():
            engine.reindex()
        yield engine
        return
    url = request.getfixturevalue("es_url")
    index = f"test-practices-{uuid.uuid4().hex[:10]}"
    override = override_settings(ELASTICSEARCH_URL=url, ELASTICSEARCH_INDEX=index)
    override.enable()
    try:
        engine = Engine("elasticsearch", ElasticsearchBackend(url, index))
        with django_db_blocker.unblock():
            engine.reindex()
        yield engine
    finally:
        override.disable()
        drop_indexes(url, index)


@pytest.fixture(scope="module", params=ENGINES)
def engine(request, shared_catalogue, django_db_blocker):
    """Each backend in turn, over the module's catalogue. A module that
    concerns one backend overrides this with `params=[...]`."""
    yield from make_engine(request.param, request, django_db_blocker)


@pytest.fixture
def indexed(engine, shared_catalogue, db):
    """The shared catalogue, indexed; fresh instances on every access."""
    if engine.dirty:
        engine.reindex()
        engine.dirty = False
    return Catalogue(shared_catalogue)


@pytest.fixture
def mutating(engine):
    """For tests that change the catalogue: the index is rebuilt before the
    next test (the database is rolled back by the test's savepoint)."""
    engine.dirty = True
    return engine


def pytest_collection_modifyitems(config, items):
    """`real_es` tests need a real Elasticsearch 8 (ELASTICSEARCH_URL); the
    noida-db stand-in lacks what they check."""
    if os.environ.get("ELASTICSEARCH_URL"):
        return
    skip = pytest.mark.skip(reason="needs a real Elasticsearch 8: set ELASTICSEARCH_URL (see docs/search.md)")
    for item in items:
        if "real_es" in item.keywords:
            item.add_marker(skip)
