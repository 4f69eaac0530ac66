"""Email delivery for every kind of email, exactly once per recipient, and
one-off notices. The bottom layer: it imports no project app.

- delivery: claims with a lease, the send of a chunk over one SMTP
  connection, SMTP failures classified (4xx retried with backoff, 5xx
  failed), the safety net; used by the working-group digests
  (cities.digests) and by the notices;
- smtp: one message over SMTP, recorded in the transaction that sees its 250;
- models: `Delivery` (the abstract row every kind sends from) and `Notice`;
- notices, render, tasks: the one-off notices, `notify()` below.

docs/notifications.md tells the whole story.
"""


def notify(key, recipients, kind, context=None, *, link=""):
    """Email each of `recipients` (users, or their ids) once about `key`.

    One `Notice` per (key, recipient) is written in the caller's transaction
    (a repeated call writes nothing more: exactly once per recipient) and
    sent by a Celery task after the commit (nothing if it rolls back).

    - key: what the notice is about, at most 200 characters, e.g.
      f"question:{question.pk}:asked"; the same key for a recipient is sent once.
    - kind: the templates, rendered at send time in the recipient's language:
      templates/notifications/<kind>_subject.txt, <kind>.txt and, optionally,
      <kind>.html (they may extend notifications/layout.txt / layout.html).
    - context: a JSON-serializable dict for those templates (strings,
      numbers, booleans, lists, dicts; dates as ISO strings); the templates
      also get recipient_name, link, site_name and site_url.
    - link: the page the notice is about, a path ("/cities/turin/...") or an
      absolute URL; absolute (BASE_URL) in the email.

    Returns the ids of the notices created. Raises ValueError (and writes
    nothing) for an unknown kind, a context that is not JSON, a bad key or link.
    """
    from .notices import queue
    from .tasks import send_notices

    return queue(key, recipients, kind, context, link=link, enqueue=send_notices.delay)
