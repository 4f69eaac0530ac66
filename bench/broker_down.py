"""What a broker that is down costs an editor's publish: the time of
`search.queue.send` (the indexing task sent after the commit, the only
broker call of a publish) against a broker that is up, one that refuses
connections (a closed port) and one that accepts and never answers (a hung
broker, or a route that drops packets).

    .venv/bin/python bench/broker_down.py                     # the project's settings
    .venv/bin/python bench/broker_down.py --celery-defaults   # Celery's own publish retry and timeouts
    .venv/bin/python bench/broker_down.py --redis-url redis://127.0.0.1:6379/12 --rounds 10

A hung broker with Celery's defaults never returns: each call is cut off
after --hang-limit seconds for all its calls (they run in a child process)
and reported as such.
Nothing is written to the database (no outbox row: `send` alone is timed).
"""

import argparse
import multiprocessing
import os
import socket
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Timer, fmt, setup_django, summary  # noqa: E402

CELERY_DEFAULT_POLICY = {"max_retries": 3, "interval_start": 0, "interval_max": 1, "interval_step": 0.2}


def silent_server():
    """A TCP server that accepts and never answers: its port."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []

    def accept():
        while True:
            accepted.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    return server.getsockname()[1]


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_sends(url, rounds, celery_defaults, results):
    os.environ["CELERY_BROKER_URL"] = url  # read by the settings (a fresh child process each case)
    setup_django()
    import logging

    from cms.celery import app
    from search import queue

    logging.getLogger("search.queue").disabled = True  # the refusals are expected here
    if celery_defaults:
        app.conf.update(
            task_publish_retry_policy=CELERY_DEFAULT_POLICY,
            broker_transport_options={"visibility_timeout": 3600},
            broker_connection_timeout=4,
        )
    assert app.conf.broker_url == url and not app.conf.task_always_eager
    with Timer() as first:  # the first call also sets the pools up: reported apart
        queue.send([0], "", "bench-broker-down")
    results.append((first.seconds, None))
    for _ in range(rounds):
        with Timer() as timer:
            sent = queue.send([0], "", "bench-broker-down")
        results.append((timer.seconds, sent))


def run(url, rounds, celery_defaults, hang_limit):
    with multiprocessing.Manager() as manager:
        results = manager.list()
        child = multiprocessing.Process(target=time_sends, args=(url, rounds, celery_defaults, results))
        child.start()
        child.join(hang_limit)
        if child.is_alive():
            child.kill()
            child.join()
        return list(results)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
                        help="a real broker, for the 'up' case (its queue gets the tasks: flush it after)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--celery-defaults", action="store_true",
                        help="Celery's default publish retry policy and no socket timeouts")
    parser.add_argument("--hang-limit", type=float, default=60.0,
                        help="seconds the calls of one case may take in all before they count as hung")
    args = parser.parse_args()

    label = "Celery defaults" if args.celery_defaults else "project settings"
    print(f"queue.send against a broker that is ... ({label}, {args.rounds} rounds)")
    for name, url in [
        ("up", args.redis_url),
        ("refusing (closed port)", f"redis://127.0.0.1:{closed_port()}/0"),
        ("hung (accepts, never answers)", f"redis://127.0.0.1:{silent_server()}/0"),
    ]:
        results = run(url, args.rounds, args.celery_defaults, args.hang_limit)
        if len(results) < args.rounds + 1:
            print(f"{name:<34} did not return within {args.hang_limit:.0f} s "
                  f"({len(results)} of {args.rounds + 1} calls returned)")
            continue
        (first, _), results = results[0], results[1:]
        row = summary(name, [seconds for seconds, _ in results])
        print(fmt(row), f" max={max(s for s, _ in results) * 1000:8.2f} ms  first={first * 1000:8.2f} ms",
              f" queued: {results[0][1]}")


if __name__ == "__main__":
    main()
