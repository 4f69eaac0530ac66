"""Working-group digests, one job per module:

- schedule: the weekly and monthly periods of a group, in its time zone;
- recipients: the active members of a group and the window of each digest;
- content: the sections of a digest (the registry, and the new practices);
- links: absolute links in a digest (pages, signed member links);
- render: one member's digest as an email in their language (HTML, text, MIME);
- delivery: fan-out, and the digests of a chunk;
- preview: what the admin's preview page shows.

Claims and leases, the exactly-once send of a chunk over one SMTP
connection, retries and the safety net are notifications.delivery's (with
notifications.smtp), the one mechanism every kind of email goes through;
the digests give it their rows, settings (DIGEST_*) and content.

The flow (cities/tasks.py is one line into each step):

1. delivery.fan_out() — hourly from Celery beat, or `manage.py send_digests`.
   For each group whose weekly (Monday 08:00) or monthly (1st, 08:00) slot
   has come in the group's own time zone, it inserts one pending
   DigestDelivery per active member in bulk (`ignore_conflicts`: a second
   beat, or a second `send_digests --now`, inserts nothing) and hands the new
   rows, in chunks, to the `enqueue` callable its caller gives (the Celery
   task's `delay`).
2. delivery.send_chunk() — a Celery task per chunk. It *claims* its rows with
   one conditional UPDATE (pending → sending, with a claim token and a lease
   timestamp), builds the digests of the claimed rows in a constant number of
   queries, sends them over one SMTP connection and marks each row sent in a
   transaction that commits when the server accepts the message (see
   notifications.smtp.smtp_transaction). A redelivered or duplicated task finds the rows
   sent or claimed and sends nothing; the rows of a worker killed mid-chunk
   are claimable again once their lease has expired.
3. Temporary SMTP failures (4xx, lost connection) put the row back to pending
   and the task retries with exponential backoff; after DIGEST_MAX_ATTEMPTS
   the row is failed. Permanent failures (5xx) fail that row only.

A member's digest covers what is new since their last digest (their first
digest: the previous period); see content for what a section holds.
"""
