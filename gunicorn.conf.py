"""gunicorn settings for production (the Dockerfile and docker-compose.yml run
`gunicorn --config gunicorn.conf.py`). Command-line options override these,
e.g. `--bind 127.0.0.1:8001 --workers 2`.

The `Server` header: gunicorn (since 20.0) sends `Server: gunicorn` with no
version, and has no setting to change or drop it. `post_worker_init` below
drops it from every HTTP/1.x response of each worker, so the app server names
no product. The WSGI environ's SERVER_SOFTWARE still carries gunicorn's
version, but only the application sees it (the production settings never
echo it). A TLS proxy in front may add a `Server` header of its own
(nginx: `server_tokens off;` keeps it version-free).
"""

import logging
import os

import gunicorn
from gunicorn.http import wsgi

wsgi_app = "cms.wsgi:application"
bind = ["0.0.0.0:8000"]
# WEB_CONCURRENCY: worker processes (gunicorn's own variable).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"


def _drop_server_header(default_headers):
    def headers(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    headers.drops_server_header = True
    return headers


def post_worker_init(worker):
    """Responses of this worker carry no `Server` header."""
    default_headers = getattr(wsgi.Response, "default_headers", None)
    if default_headers is None:
        logging.getLogger("gunicorn.error").warning(
            "gunicorn %s has no Response.default_headers: the Server header is sent", gunicorn.__version__
        )
    elif not getattr(default_headers, "drops_server_header", False):
        wsgi.Response.default_headers = _drop_server_header(default_headers)
