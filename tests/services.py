"""Real services for tests: an SMTP sink and a Celery worker process.

Import the fixtures into a conftest.py (or a test module) to use them:

    from tests.services import celery_worker, smtp_sink  # noqa: F401

- ``smtp_sink``: an aiosmtpd server in a thread of the test process, on a
  free port; it records every message it accepts and can refuse recipients
  temporarily (4xx, N times) or permanently (5xx), or call a hook on every
  RCPT (fault injection). Use it in-process with ``smtp_settings``.
- ``celery_worker``: ``celery -A cms worker`` as a subprocess on Redis
  database 15 (flushed before and after each test), with the test database
  (DATABASE_URL built from the connection pytest-django set up), the test
  settings plus SCE_TEST_WORKER=1 (see cms/settings/test.py: a real broker,
  SMTP to the sink) and short digest and outbox timings. For the duration of the test the
  test process's Celery app publishes to the same broker, not eagerly.
  ``kill()`` sends SIGKILL to the whole worker (main process and pool),
  ``start()`` starts it again. Tests that use it must be
  ``@pytest.mark.django_db(transaction=True)`` (the worker must see committed
  data) and marked ``@pytest.mark.services``.
- ``celery_beat``: ``celery -A cms beat`` with the worker's environment, for
  the test to ``start()`` (stopped after it).

Override the ``celery_worker_env`` fixture (session scope) to pass other
environment variables to the worker.
"""

import email
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent


def _redis_test_url():
    """TEST_REDIS_URL (default database 15); under pytest-xdist, worker gwN
    uses the database N below it, so that parallel workers never flush each
    other's broker."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    base, _, database = url.rpartition("/")
    number = int(database or 0) - int(worker[2:])
    if number < 0:
        raise RuntimeError(f"TEST_REDIS_URL {url}: no Redis database left for xdist worker {worker}")
    return f"{base}/{number}"


REDIS_TEST_URL = _redis_test_url()
CELERY = BASE_DIR / ".venv" / "bin" / "celery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout=30.0, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


# --- SMTP sink ---


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    raw: bytes
    peer: tuple = ()  # the client's (host, port): one per SMTP connection

    @property
    def message(self):
        """The parsed message (parsed on demand: the sink stays fast)."""
        if not hasattr(self, "_message"):
            self._message = email.message_from_bytes(self.raw, policy=policy.default)
        return self._message


@dataclass
class SinkHandler:
    messages: list = field(default_factory=list)
    temporary: dict = field(default_factory=dict)  # address -> refusals left
    permanent: set = field(default_factory=set)
    rcpt_count: int = 0
    on_rcpt: object = None  # callable(address, n) run before answering RCPT n
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        key = address.lower()
        with self.lock:
            self.rcpt_count += 1
            count = self.rcpt_count
            hook = self.on_rcpt
            if key in self.permanent:
                answer = "550 5.1.1 Mailbox unavailable"
            elif self.temporary.get(key, 0) > 0:
                self.temporary[key] -= 1
                answer = "451 4.3.0 Mailbox busy, try again later"
            else:
                answer = None
        if hook is not None:
            hook(address, count)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        with self.lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), raw, tuple(session.peer or ()))
            )
        return "250 2.0.0 Message accepted for delivery"


class SmtpSink:
    """An SMTP server on 127.0.0.1:<port, or a free one> in a thread of this process."""

    def __init__(self, port=None):
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)

        self.handler = SinkHandler()
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname=self.host, port=self.port, ready_timeout=10)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def reset(self):
        with self.handler.lock:
            self.handler.messages.clear()
            self.handler.temporary.clear()
            self.handler.permanent.clear()
            self.handler.rcpt_count = 0
            self.handler.on_rcpt = None

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def count(self):
        with self.handler.lock:
            return len(self.handler.messages)

    def refuse_temporarily(self, address, times=1):
        with self.handler.lock:
            self.handler.temporary[address.lower()] = times

    def refuse_permanently(self, address):
        with self.handler.lock:
            self.handler.permanent.add(address.lower())

    def on_rcpt(self, hook):
        with self.handler.lock:
            self.handler.on_rcpt = hook

    def to(self, address):
        return [m for m in self.messages if address.lower() in (r.lower() for r in m.rcpt_tos)]

    def settings(self):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": self.host,
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }


@pytest.fixture(scope="session")
def smtp_sink_server():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_sink(smtp_sink_server):
    """The session's SMTP sink, emptied and without faults."""
    smtp_sink_server.reset()
    yield smtp_sink_server
    smtp_sink_server.reset()


@pytest.fixture
def smtp_settings(smtp_sink, settings):
    """Django's email backend in this process sends to the sink."""
    for name, value in smtp_sink.settings().items():
        setattr(settings, name, value)
    return smtp_sink


# --- Celery worker ---


def database_url(settings_dict):
    """A DATABASE_URL (dj-database-url) for the database pytest-django set up."""
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if "postgresql" in engine:
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(settings_dict.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"
    raise NotImplementedError(f"no DATABASE_URL for {engine}")


def flush_redis(url=REDIS_TEST_URL):
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


class CeleryWorker:
    """`celery -A cms worker` in its own process group, so that kill() takes
    the pool processes down with it, as when a machine dies."""

    ready_marker = b" ready."
    name = "the Celery worker"

    def __init__(self, env, log_path, concurrency=2):
        self.env = env
        self.log_path = Path(log_path)
        self.concurrency = concurrency
        self.proc = None
        self.starts = 0

    def command(self):
        return [
            str(CELERY), "-A", "cms", "worker", "--loglevel", "INFO",
            "--concurrency", str(self.concurrency), "--pool", "prefork",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--hostname", f"sce-test-{os.getpid()}-{self.starts}@%h",
        ]

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, timeout=60):
        assert not self.alive, "the worker is already running"
        self.starts += 1
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            self.command(), cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

        def ready():
            if not self.alive:
                raise AssertionError(f"{self.name} exited:\n{self.log()[-4000:]}")
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return self.ready_marker in f.read()

        wait_until(ready, timeout=timeout, interval=0.1, message=f"{self.name} to be ready")
        return self

    def kill(self):
        """SIGKILL the worker and its pool: no warm shutdown, no acks."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)

    def stop(self, timeout=15):
        if not self.alive:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def restart(self):
        self.kill()
        return self.start()


class CeleryBeat(CeleryWorker):
    """`celery -A cms beat`: the periodic tasks of CELERY_BEAT_SCHEDULE, sent
    to the broker for the worker; its schedule file beside its log."""

    ready_marker = b"beat: Starting..."
    name = "Celery beat"

    def command(self):
        schedule = self.log_path.with_name("beat-schedule")
        return [str(CELERY), "-A", "cms", "beat", "--loglevel", "INFO", "--schedule", str(schedule)]


@pytest.fixture(scope="session")
def celery_worker_env(smtp_sink_server):
    """Extra environment for the worker process: override to change it."""
    return {
        "EMAIL_HOST": smtp_sink_server.host,
        "EMAIL_PORT": str(smtp_sink_server.port),
        "CELERY_VISIBILITY_TIMEOUT": "10",
        "DIGEST_CHUNK_SIZE": "50",
        "DIGEST_CLAIM_LEASE_SECONDS": "3",
        "DIGEST_MAX_ATTEMPTS": "4",
        "DIGEST_RETRY_BACKOFF_SECONDS": "0.2",
        "NOTICE_CHUNK_SIZE": "50",
        "NOTICE_CLAIM_LEASE_SECONDS": "3",
        "NOTICE_MAX_ATTEMPTS": "4",
        "NOTICE_RETRY_BACKOFF_SECONDS": "0.2",
        "NOTICE_SWEEP_SECONDS": "1",
        "SEARCH_OUTBOX_INTERVAL": "1",
    }


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, celery_worker_env, tmp_path_factory):
    from django.db import connection

    try:
        flush_redis()
    except Exception as error:  # noqa: BLE001
        pytest.fail(f"Redis at {REDIS_TEST_URL} is not reachable: {error}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "SCE_TEST_WORKER": "1",
        "CELERY_BROKER_URL": REDIS_TEST_URL,
        "DATABASE_URL": database_url(connection.settings_dict),
        "PYTHONUNBUFFERED": "1",
        **celery_worker_env,
    }
    worker = CeleryWorker(env, tmp_path_factory.mktemp("celery") / "worker.log")
    worker.start()
    yield worker
    worker.stop()
    flush_redis()


def _use_broker(app, broker_url, eager):
    from kombu import pools

    pools.reset()  # close and forget the connection and producer pools
    app.conf.update(broker_url=broker_url, task_always_eager=eager)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(celery_worker_process, smtp_sink):
    """The running worker (restarted if a previous test killed it), an empty
    broker, and this process's Celery app publishing to it."""
    from cms.celery import app

    flush_redis()
    if not celery_worker_process.alive:
        celery_worker_process.start()
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    _use_broker(app, REDIS_TEST_URL, eager=False)
    try:
        yield celery_worker_process
    finally:
        _use_broker(app, *saved)
        smtp_sink.on_rcpt(None)
        flush_redis()


def worker_is_idle():
    """Nothing left that could send an email: no task queued on the broker
    or unacknowledged there (a killed worker's, until Redis restores it),
    and none reserved, scheduled (a retry's countdown) or running in the
    worker."""
    import redis

    from cms.celery import app

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        if client.llen("celery") or client.hlen("unacked"):
            return False
    finally:
        client.close()
    inspect = app.control.inspect(timeout=2.0, limit=1)
    for replies in (inspect.active(), inspect.reserved(), inspect.scheduled()):
        if not replies or any(replies.values()):  # no reply: the worker is busy or gone
            return False
    return True


def wait_until_worker_idle(timeout=60):
    """Once every delivery is final, a message sent twice could still be on
    its way from a task that is running; when the worker is idle it has
    arrived (rows that are final are never claimed again)."""
    wait_until(worker_is_idle, timeout=timeout, interval=0.2, message="the Celery worker to be idle")


@pytest.fixture
def celery_beat(celery_worker, tmp_path):
    """`celery -A cms beat` beside the running worker, with its environment
    (so with its short SEARCH_OUTBOX_INTERVAL), stopped after the test.
    Start it with ``celery_beat.start()`` when the test wants it running."""
    beat = CeleryBeat(celery_worker.env, tmp_path / "beat.log")
    yield beat
    beat.stop()
